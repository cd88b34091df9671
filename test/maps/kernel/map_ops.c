// Replays test/maps/kernel/scenarios.txt against the running kernel with
// libbpf's bpf() wrappers and prints one result line per operation, in the
// format test/maps/kernel.test.ts compares with tsbpf's maps.
//
//   gcc -O2 -Wall -o map_ops map_ops.c -lbpf && sudo ./map_ops < scenarios.txt
//
// "touch K" looks K up from a BPF program (a sleepable BPF_PROG_TYPE_SYSCALL
// program run with BPF_PROG_TEST_RUN), which sets the LRU reference bit the
// way a program's bpf_map_lookup_elem does; user-space lookups do not.
// "cpu N" pins this process to CPU N: per-CPU LRU lists and the current CPU
// of programs follow it.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

static const char *ename(int e) {
  switch (e < 0 ? -e : e) {
  case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case E2BIG: return "E2BIG";
  case EBADF: return "EBADF"; case ENOMEM: return "ENOMEM"; case EBUSY: return "EBUSY";
  case EEXIST: return "EEXIST"; case EINVAL: return "EINVAL"; case EFAULT: return "EFAULT";
  case EOPNOTSUPP: return "EOPNOTSUPP"; case 524: return "ENOTSUPP";
  case ENOSPC: return "ENOSPC"; case EAGAIN: return "EAGAIN"; case ENODATA: return "ENODATA";
  }
  static char buf[32];
  snprintf(buf, sizeof buf, "E%d", e < 0 ? -e : e);
  return buf;
}

static const struct { const char *name; int type; } types[] = {
  {"hash", BPF_MAP_TYPE_HASH}, {"array", BPF_MAP_TYPE_ARRAY}, {"prog_array", BPF_MAP_TYPE_PROG_ARRAY},
  {"percpu_hash", BPF_MAP_TYPE_PERCPU_HASH}, {"percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY},
  {"lru_hash", BPF_MAP_TYPE_LRU_HASH}, {"lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH},
  {"array_of_maps", BPF_MAP_TYPE_ARRAY_OF_MAPS}, {"hash_of_maps", BPF_MAP_TYPE_HASH_OF_MAPS},
  {"queue", BPF_MAP_TYPE_QUEUE}, {"stack", BPF_MAP_TYPE_STACK}, {"stack_trace", BPF_MAP_TYPE_STACK_TRACE},
  {"lpm_trie", BPF_MAP_TYPE_LPM_TRIE}, {"bloom_filter", BPF_MAP_TYPE_BLOOM_FILTER},
  {"ringbuf", BPF_MAP_TYPE_RINGBUF}, {"user_ringbuf", BPF_MAP_TYPE_USER_RINGBUF},
  {"perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY}, {"cgroup_storage", BPF_MAP_TYPE_CGROUP_STORAGE},
  {"percpu_cgroup_storage", BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE},
  {"sockmap", BPF_MAP_TYPE_SOCKMAP}, {"sockhash", BPF_MAP_TYPE_SOCKHASH},
};

/* A key: "xHEX" is raw bytes (zero-padded to key_size), anything else a u32. */
static void parse_key(const char *a, unsigned char *k)
{
  memset(k, 0, 512);
  if (a[0] == 'x') {
    for (size_t i = 0; a[1 + 2 * i] && a[2 + 2 * i] && i < 512; i++) {
      unsigned v;
      sscanf(a + 1 + 2 * i, "%2x", &v);
      k[i] = v;
    }
    return;
  }
  unsigned u = strtoul(a, NULL, 0);
  memcpy(k, &u, 4);
}

static int key_size;

/* a key as printed: u32 for 4-byte keys, else "x" and hex */
static void print_key(const unsigned char *k)
{
  if (key_size == 4) { unsigned u; memcpy(&u, k, 4); printf("%u", u); return; }
  printf("x");
  for (int i = 0; i < key_size; i++) printf("%02x", k[i]);
}

static int map_fd = -1, prog_fd = -1, ncpus, value_size, percpu;

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set)) { perror("sched_setaffinity"); exit(2); }
}

static int load_touch_prog(void) {
  struct bpf_insn insns[] = {
    { .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 6, .src_reg = 1, .off = 0 },        // r6 = *(u32 *)ctx
    { .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = 10, .src_reg = 6, .off = -8 },      // *(u32 *)(fp-8) = r6
    { .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
    { 0 },
    { .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 2, .src_reg = 10 },               // r2 = fp
    { .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = -8 },                   // r2 -= 8
    { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
    { .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 0, .off = 1, .imm = 0 },
    { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
    { .code = BPF_JMP | BPF_EXIT },
  };
  static char log[65536];
  LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_flags = BPF_F_SLEEPABLE, .log_buf = log, .log_size = sizeof log, .log_level = 1);
  int fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "touch", "GPL", insns, sizeof insns / sizeof insns[0], &o);
  if (fd < 0) { fprintf(stderr, "touch program: %s\n%s", ename(fd), log); exit(2); }
  return fd;
}

static void print_value(const unsigned char *v) {
  if (!percpu) { unsigned u; memcpy(&u, v, 4); printf("%u", u); return; }
  int stride = (value_size + 7) & ~7;
  for (int c = 0; c < ncpus; c++) { unsigned u; memcpy(&u, v + c * stride, 4); printf(c ? ",%u" : "%u", u); }
}

static void make_value(unsigned char *v, unsigned val) {
  int stride = (value_size + 7) & ~7;
  memset(v, 0, 4096);
  if (!percpu) { memcpy(v, &val, 4); return; }
  for (int c = 0; c < ncpus; c++) { unsigned u = val + c; memcpy(v + c * stride, &u, 4); }
}

int main(void) {
  char line[1024];
  unsigned char value[4096], out[4096];
  int skip = 0;
  ncpus = libbpf_num_possible_cpus();
  pin(0);
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    char op[32] = "", a[600] = "", b[32] = "", c[32] = "", d[32] = "", e[32] = "", f[32] = "";
    int n = sscanf(line, "%31s %599s %31s %31s %31s %31s %31s", op, a, b, c, d, e, f);
    if (n <= 0 || op[0] == '#') { if (n > 0) printf("%s\n", line); continue; }
    if (!strcmp(op, "scenario")) {
      if (map_fd >= 0) close(map_fd);
      if (prog_fd >= 0) close(prog_fd);
      map_fd = prog_fd = -1;
      skip = 0;
      pin(0);
      printf("%s\n", line);
      continue;
    }
    if (skip && strcmp(op, "create")) continue;
    printf("%s -> ", line);
    int err = 0;
    unsigned char key[512];
    parse_key(a, key);
    if (!strcmp(op, "create")) {
      if (map_fd >= 0) close(map_fd);
      if (prog_fd >= 0) close(prog_fd);
      map_fd = prog_fd = -1;
      skip = 0;
      int type = -1;
      for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++) if (!strcmp(types[i].name, a)) type = types[i].type;
      key_size = atoi(b); value_size = atoi(c);
      percpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
                type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
      LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = strtoul(e, NULL, 0), .map_extra = strtoull(f, NULL, 0));
      int inner = -1;
      if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS) {
        inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
        o.inner_map_fd = inner;
      }
      map_fd = bpf_map_create(type, "m", key_size, value_size, strtoul(d, NULL, 0), &o);
      if (inner >= 0) close(inner);
      if (map_fd < 0) { err = map_fd; skip = 1; }
    } else if (!strcmp(op, "cpu")) {
      pin(atoi(a));
    } else if (!strcmp(op, "update")) {
      make_value(value, strtoul(b, NULL, 0));
      err = bpf_map_update_elem(map_fd, key, value, strtoul(c, NULL, 0));
    } else if (!strcmp(op, "lookup")) {
      err = bpf_map_lookup_elem(map_fd, key, out);
      if (!err) { print_value(out); printf("\n"); continue; }
    } else if (!strcmp(op, "delete")) {
      err = bpf_map_delete_elem(map_fd, key);
    } else if (!strcmp(op, "next")) {
      unsigned char next[512];
      err = bpf_map_get_next_key(map_fd, strcmp(a, "-") ? key : NULL, next);
      if (!err) { print_key(next); printf("\n"); continue; }
    } else if (!strcmp(op, "dump")) {
      unsigned char k[512], next[512];
      void *cur = NULL;
      int first = 1;
      while (!bpf_map_get_next_key(map_fd, cur, next)) {
        if (!first) printf(" ");
        print_key(next);
        first = 0;
        memcpy(k, next, sizeof k);
        cur = k;
      }
      printf(first ? "(empty)\n" : "\n");
      continue;
    } else if (!strcmp(op, "push")) {
      make_value(value, strtoul(a, NULL, 0));
      err = bpf_map_update_elem(map_fd, NULL, value, strtoul(b, NULL, 0));
    } else if (!strcmp(op, "pop") || !strcmp(op, "peek")) {
      err = !strcmp(op, "pop") ? bpf_map_lookup_and_delete_elem(map_fd, NULL, out) : bpf_map_lookup_elem(map_fd, NULL, out);
      if (!err) { print_value(out); printf("\n"); continue; }
    } else if (!strcmp(op, "bpeek")) {
      /* a bloom filter's lookup: is the value passed in (maybe) present */
      make_value(value, strtoul(a, NULL, 0));
      err = bpf_map_lookup_elem(map_fd, NULL, value);
    } else if (!strcmp(op, "nullkey")) {
      /* update/lookup/delete/next with a NULL key (keyless maps) */
      make_value(value, 0);
      if (!strcmp(a, "update")) err = bpf_map_update_elem(map_fd, NULL, value, 0);
      else if (!strcmp(a, "lookup")) err = bpf_map_lookup_elem(map_fd, NULL, out);
      else if (!strcmp(a, "delete")) err = bpf_map_delete_elem(map_fd, NULL);
      else { unsigned char next[512]; err = bpf_map_get_next_key(map_fd, NULL, next); }
    } else if (!strcmp(op, "touch")) {
      if (prog_fd < 0) prog_fd = load_touch_prog();
      LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = key, .ctx_size_in = 4);
      err = bpf_prog_test_run_opts(prog_fd, &t);
      if (!err) { printf("%u\n", t.retval); continue; }
    } else {
      fprintf(stderr, "unknown op %s\n", op);
      return 2;
    }
    if (err) printf("-%s\n", ename(err));
    else printf("0\n");
  }
  return 0;
}
