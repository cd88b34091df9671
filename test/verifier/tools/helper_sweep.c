// Asks the running kernel, for each program type and each helper id of
// enum bpf_func_id, what it says about a tiny program calling that helper:
//   v0: no argument registers set          (availability, GPL, first argument read)
//   v1: r1 = ctx, r2..r5 = 0               (argument types after a ctx first argument)
//   v2: r1..r5 = 0                          (what the first argument expects)
// Prints JSON: [{type, attach, v0: [[errno, "error line"], ...], v1, v2}, ...]
// (errno 0 and "" for an accepted program). Needs root.
//   helper_sweep MAX_ID > sweep.kernel.json
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char logbuf[1 << 20];

static const struct { int type, attach, flags; } types[] = {
  { BPF_PROG_TYPE_SOCKET_FILTER, 0, 0 }, { BPF_PROG_TYPE_KPROBE, 0, 0 }, { BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
  { BPF_PROG_TYPE_SCHED_ACT, 0, 0 }, { BPF_PROG_TYPE_TRACEPOINT, 0, 0 }, { BPF_PROG_TYPE_XDP, 0, 0 },
  { BPF_PROG_TYPE_PERF_EVENT, 0, 0 }, { BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0 },
  { BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0 }, { BPF_PROG_TYPE_LWT_IN, 0, 0 },
  { BPF_PROG_TYPE_LWT_OUT, 0, 0 }, { BPF_PROG_TYPE_LWT_XMIT, 0, 0 }, { BPF_PROG_TYPE_SOCK_OPS, 0, 0 },
  { BPF_PROG_TYPE_SK_SKB, 0, 0 }, { BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, 0 }, { BPF_PROG_TYPE_SK_MSG, 0, 0 },
  { BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0 }, { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0 },
  { BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, 0 }, { BPF_PROG_TYPE_LIRC_MODE2, 0, 0 }, { BPF_PROG_TYPE_SK_REUSEPORT, 0, 0 },
  { BPF_PROG_TYPE_FLOW_DISSECTOR, 0, 0 }, { BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0 },
  { BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0 }, { BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0 },
  { BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0 }, { BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE },
  { 32 /* BPF_PROG_TYPE_NETFILTER */, 45 /* BPF_NETFILTER */, 0 },
};

static void jstr(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = *s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c == '\n') printf("\\n");
    else if (c == '\t') printf("\\t");
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

// the verifier's error line: the last non-empty line before "processed N insns"
static void errLine(char *out, size_t n) {
  out[0] = 0;
  char *p = strstr(logbuf, "processed ");
  while (p && p != logbuf && p[-1] != '\n') p = strstr(p + 1, "processed ");
  if (!p) { p = logbuf + strlen(logbuf); }
  char *end = p;
  while (end > logbuf && end[-1] == '\n') end--;
  char *start = end;
  while (start > logbuf && start[-1] != '\n') start--;
  size_t len = (size_t)(end - start) < n - 1 ? (size_t)(end - start) : n - 1;
  memcpy(out, start, len); out[len] = 0;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static int load(int t, int variant, int id, char *line, size_t n) {
  struct bpf_insn prog[16]; int k = 0;
  if (variant >= 1) for (int r = variant == 1 ? 2 : 1; r <= 5; r++) prog[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 0);
  prog[k++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id);
  prog[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
  prog[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  union bpf_attr a; memset(&a, 0, sizeof(a));
  a.prog_type = types[t].type; a.expected_attach_type = types[t].attach; a.prog_flags = types[t].flags;
  a.insns = (unsigned long)prog; a.insn_cnt = k; a.license = (unsigned long)"GPL";
  a.log_buf = (unsigned long)logbuf; a.log_size = sizeof(logbuf); a.log_level = 1;
  logbuf[0] = 0;
  int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
  if (fd >= 0) { close(fd); line[0] = 0; return 0; }
  int e = errno;
  errLine(line, n);
  return e;
}

int main(int argc, char **argv) {
  int maxId = argc > 1 ? atoi(argv[1]) : 211;
  char line[512];
  printf("[\n");
  for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
    printf("%s{\"type\":%d,\"attach\":%d", t ? ",\n" : "", types[t].type, types[t].attach);
    for (int v = 0; v < 3; v++) {
      printf(",\"v%d\":[", v);
      for (int id = 0; id <= maxId + 1; id++) {
        int e = load(t, v, id, line, sizeof(line));
        printf("%s[%d,", id ? "," : "", e); jstr(line); printf("]");
      }
      printf("]");
    }
    printf("}");
    fflush(stdout);
  }
  printf("\n]\n");
  return 0;
}
