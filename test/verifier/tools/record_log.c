// Prints the kernel's verifier log for one program of a BPF object at a
// given log level (1 or 2). libbpf relocates and loads the object with only
// that program enabled; the log is written to stdout as the kernel wrote it,
// and the exit status is 0 when the kernel accepted the program, 1 otherwise.
//   record_log OBJ.bpf.o PROG LEVEL > PROG.levelN.log     (needs root)
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: record_log OBJ PROG LEVEL\n"); return 2; }
  libbpf_set_print(NULL);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj) { fprintf(stderr, "cannot open %s\n", argv[1]); return 2; }
  size_t size = 1 << 26;
  char *buf = calloc(1, size);
  struct bpf_program *p, *want = NULL;
  bpf_object__for_each_program(p, obj) {
    int me = !strcmp(bpf_program__name(p), argv[2]);
    bpf_program__set_autoload(p, me);
    if (me) want = p;
  }
  if (!want) { fprintf(stderr, "no program %s in %s\n", argv[2], argv[1]); return 2; }
  bpf_program__set_log_level(want, atoi(argv[3]));
  bpf_program__set_log_buf(want, buf, size);
  int err = bpf_object__load(obj);
  fputs(buf, stdout);
  bpf_object__close(obj);
  return err ? 1 : 0;
}
