// Records the kernel's answer for examples/exec-events: attaches both
// tracepoint programs in the running kernel, runs `/bin/false` in a child
// (target_tgid = the child), and prints the child's wait status and the ring
// buffer's records:
//   child tgid=T uid=U
//   status=S
//   exec pid=P tgid=T uid=U comm=C filename=F
//   exit pid=P tgid=T uid=U comm=C duration_ns=D exit_code=E
// Needs root, libbpf and tracefs at /sys/kernel/tracing (mount -t tracefs nodev /sys/kernel/tracing).
//   gcc -O1 -o record record.c -lbpf && ./record exec_events.bpf.o > exec_events.kernel.txt
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct event {
  unsigned kind, pid, tgid, uid;
  unsigned long long duration_ns;
  char comm[16];
  char filename[64];
  unsigned exit_code;
};

static int on_event(void *ctx, void *data, size_t size) {
  const struct event *e = data;
  (void)ctx;
  if (size < sizeof(*e)) return 0;
  if (e->kind == 1) printf("exec pid=%u tgid=%u uid=%u comm=%s filename=%s\n", e->pid, e->tgid, e->uid, e->comm, e->filename);
  else printf("exit pid=%u tgid=%u uid=%u comm=%s duration_ns=%llu exit_code=%u\n", e->pid, e->tgid, e->uid, e->comm, e->duration_ns, e->exit_code);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: record OBJ\n"); return 2; }
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj)) { fprintf(stderr, "load failed\n"); return 3; }
  // nobody is reported until the child is known
  unsigned key = 0, none = 0xffffffffu;
  int target = bpf_map__fd(bpf_object__find_map_by_name(obj, "target_tgid"));
  bpf_map_update_elem(target, &key, &none, BPF_ANY);
  struct bpf_program *p;
  bpf_object__for_each_program(p, obj) {
    if (!bpf_program__attach(p)) { fprintf(stderr, "attach %s failed (is tracefs mounted?)\n", bpf_program__name(p)); return 4; }
  }
  int go[2];
  if (pipe(go)) return 1;
  pid_t child = fork();
  if (child == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(1);
    execl("/bin/false", "false", (char *)NULL);
    _exit(127);
  }
  close(go[0]);
  unsigned tgid = child;
  bpf_map_update_elem(target, &key, &tgid, BPF_ANY);
  printf("child tgid=%u uid=%u\n", tgid, getuid());
  fflush(stdout);
  if (write(go[1], "x", 1) != 1) return 1;
  int status = 0;
  waitpid(child, &status, 0);
  printf("status=%d\n", status);
  struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), on_event, NULL, NULL);
  ring_buffer__consume(rb);
  ring_buffer__free(rb);
  bpf_object__close(obj);
  return 0;
}
