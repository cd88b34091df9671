// Runs a raw_tp program "task" (test/tracing/task*.bpf.o) once with BPF_PROG_TEST_RUN
// in the live kernel and prints who ran it (the current task the helpers
// see) and what the program stored:
//   self pid=P tgid=T uid=U gid=G comm=NAME cgroup=ID ppid=PP
//   out[i]=V          (unsigned decimal, i = 0..N-1)
// TSBPF_RUNNER_IDS=UID:GID sets the real uid/gid first (effective ids stay root).
// Needs root and libbpf:  gcc -O1 -o task_runner task_runner.c -lbpf
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long long cgroup_id(void) {
  char path[4096], line[4096];
  struct stat st;
  // the cgroup v2 hierarchy: /sys/fs/cgroup/unified on hybrid hosts
  snprintf(path, sizeof(path), "%s", stat("/sys/fs/cgroup/unified", &st) == 0 ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup");
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (!f) return 0;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "0::", 3) == 0) {
      line[strcspn(line, "\n")] = 0;
      strncat(path, line + 3, sizeof(path) - strlen(path) - 1);
    }
  }
  fclose(f);
  struct { struct file_handle fh; unsigned long long id; } h;
  int mnt;
  h.fh.handle_bytes = sizeof(h.id);
  if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0) < 0) return 0;
  return h.id;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: task_runner OBJ\n"); return 2; }
  libbpf_set_print(NULL);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj)) { printf("load=failed\n"); return 3; }
  struct bpf_program *p = bpf_object__find_program_by_name(obj, "task");
  struct bpf_map *m = bpf_object__find_map_by_name(obj, "out");
  /* TSBPF_RUNNER_IDS=UID:GID: run with these real ids (effective ids stay 0, so
   * the capabilities stay): what task->cred->uid/gid then hold */
  const char *ids = getenv("TSBPF_RUNNER_IDS");
  unsigned ruid, rgid;
  if (ids && sscanf(ids, "%u:%u", &ruid, &rgid) == 2 && (setresgid(rgid, 0, 0) || setresuid(ruid, 0, 0))) {
    printf("setresuid=failed\n");
    return 1;
  }
  char comm[17] = {};
  prctl(PR_GET_NAME, comm);
  printf("self pid=%d tgid=%d uid=%u gid=%u comm=%s cgroup=%llu ppid=%d\n", gettid(), getpid(), getuid(), getgid(), comm, cgroup_id(), getppid());
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) { printf("run=failed\n"); return 1; }
  unsigned n = bpf_map__max_entries(m);
  for (unsigned i = 0; i < n; i++) {
    unsigned long long v = 0;
    bpf_map_lookup_elem(bpf_map__fd(m), &i, &v);
    printf("out[%u]=%llu\n", i, v);
  }
  return 0;
}
