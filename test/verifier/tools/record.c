// Records what the kernel says about each program of a BPF object, plus the
// exact relocated program it was given, as JSON (one object per program).
// libbpf does the relocation; the bpf() syscall is intercepted to capture
// the PROG_LOAD attributes and the verifier log.
//   record OBJ.bpf.o  > out.json      (needs root)
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pseudo_func_mark.h"

static char logbuf[1 << 24];
static struct { int have; union bpf_attr attr; struct bpf_insn *insns; void *finfo; void *linfo; int ret, err; char log[1 << 16]; } cap;
static const char *want;
static struct bpf_object *cur_obj;
static int cap_fds[64], cap_nm;

long syscall(long n, ...) {
  va_list ap; va_start(ap, n);
  long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
  long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
  va_end(ap);
  static long (*real)(long, ...);
  if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  if (n == __NR_bpf && a1 == BPF_PROG_LOAD && want) {
    union bpf_attr *at = (union bpf_attr *)a2;
    if (strncmp(at->prog_name, want, sizeof(at->prog_name) - 1) == 0) {
      { struct bpf_map *mm; cap_nm = 0; bpf_object__for_each_map(mm, cur_obj) cap_fds[cap_nm++] = bpf_map__fd(mm); }
      // hand-written pseudo funcs become real ones just before the kernel sees them
      patch_pseudo_func_marks((struct bpf_insn *)(unsigned long)at->insns, at->insn_cnt);
      at->log_buf = (unsigned long)logbuf; at->log_size = sizeof(logbuf); at->log_level = 1;
      logbuf[0] = 0;
      long r = real(n, a1, a2, a3, a4, a5, a6);
      int e = errno;
      cap.have = 1; cap.attr = *at; cap.ret = r < 0 ? -1 : 0; cap.err = r < 0 ? e : 0;
      free(cap.insns); free(cap.finfo); free(cap.linfo);
      cap.insns = malloc(at->insn_cnt * 8); memcpy(cap.insns, (void *)at->insns, at->insn_cnt * 8);
      cap.finfo = malloc(at->func_info_cnt * at->func_info_rec_size + 1);
      if (at->func_info) memcpy(cap.finfo, (void *)at->func_info, at->func_info_cnt * at->func_info_rec_size);
      cap.linfo = malloc(at->line_info_cnt * at->line_info_rec_size + 1);
      if (at->line_info) memcpy(cap.linfo, (void *)at->line_info, at->line_info_cnt * at->line_info_rec_size);
      snprintf(cap.log, sizeof(cap.log), "%s", strlen(logbuf) > sizeof(cap.log) - 1 ? logbuf + strlen(logbuf) - (sizeof(cap.log) - 1) : logbuf);
      errno = e;
      return r;
    }
  }
  return real(n, a1, a2, a3, a4, a5, a6);
}

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

static int fieldOff(const struct btf *btf, int tid, const char *name) {
  if (!btf || !tid) return -1;
  const struct btf_type *t = btf__type_by_id(btf, tid);
  while (t && (btf_is_typedef(t) || btf_is_mod(t))) t = btf__type_by_id(btf, t->type);
  if (!t || !btf_is_struct(t)) return -1;
  const struct btf_member *m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); i++, m++) {
    const struct btf_type *mt = btf__type_by_id(btf, m->type);
    if (mt && btf_is_struct(mt) && !strcmp(btf__name_by_offset(btf, mt->name_off), name)) return btf_member_bit_offset(t, i) / 8;
  }
  return -1;
}

// libbpf frees a map-in-map's inner template once the outer map exists, so
// the template is described before the load and printed from here after it
static struct { int have; char name[64]; int type, timerOff, spinLockOff, hasBtf; unsigned ks, vs, me, fl; } inner_saved[64];

static void saveInner(const struct btf *btf, struct bpf_map *m, int idx) {
  struct bpf_map *in = bpf_map__inner_map(m);
  if (idx >= 64) return;
  inner_saved[idx].have = 0;
  if (!in) return;
  int vt = bpf_map__btf_value_type_id(in);
  inner_saved[idx].have = 1;
  snprintf(inner_saved[idx].name, sizeof(inner_saved[idx].name), "%s", bpf_map__name(in));
  inner_saved[idx].type = bpf_map__type(in);
  inner_saved[idx].ks = bpf_map__key_size(in); inner_saved[idx].vs = bpf_map__value_size(in);
  inner_saved[idx].me = bpf_map__max_entries(in); inner_saved[idx].fl = bpf_map__map_flags(in);
  inner_saved[idx].timerOff = fieldOff(btf, vt, "bpf_timer");
  inner_saved[idx].spinLockOff = fieldOff(btf, vt, "bpf_spin_lock");
  inner_saved[idx].hasBtf = vt != 0;
}

static void mapMeta(const struct btf *btf, struct bpf_map *m, int idx) {
  printf("{\"name\":"); jstr(bpf_map__name(m));
  printf(",\"type\":%d,\"keySize\":%u,\"valueSize\":%u,\"maxEntries\":%u,\"flags\":%u",
         bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m), bpf_map__map_flags(m));
  int vt = bpf_map__btf_value_type_id(m);
  printf(",\"timerOff\":%d,\"spinLockOff\":%d,\"hasBtf\":%s", fieldOff(btf, vt, "bpf_timer"), fieldOff(btf, vt, "bpf_spin_lock"), vt ? "true" : "false");
  // a frozen read-only map (.rodata): its value, for ARG_PTR_TO_CONST_STR checks
  if (bpf_map__map_flags(m) & BPF_F_RDONLY_PROG) {
    size_t sz = 0;
    const unsigned char *v = bpf_map__initial_value(m, &sz);
    if (v) {
      printf(",\"rdonlyValue\":[");
      for (size_t i = 0; i < sz; i++) printf("%s%u", i ? "," : "", v[i]);
      printf("]");
    }
  }
  struct bpf_map *inner = bpf_map__inner_map(m);
  if (inner) { printf(",\"inner\":"); mapMeta(btf, inner, -1); }
  else if (idx >= 0 && idx < 64 && inner_saved[idx].have) {
    printf(",\"inner\":{\"name\":"); jstr(inner_saved[idx].name);
    printf(",\"type\":%d,\"keySize\":%u,\"valueSize\":%u,\"maxEntries\":%u,\"flags\":%u",
           inner_saved[idx].type, inner_saved[idx].ks, inner_saved[idx].vs, inner_saved[idx].me, inner_saved[idx].fl);
    printf(",\"timerOff\":%d,\"spinLockOff\":%d,\"hasBtf\":%s}", inner_saved[idx].timerOff, inner_saved[idx].spinLockOff,
           inner_saved[idx].hasBtf ? "true" : "false");
  }
  printf("}");
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: record OBJ\n"); return 2; }
  libbpf_set_print(NULL);
  struct bpf_object *probe = bpf_object__open_file(argv[1], NULL);
  if (!probe) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
  int first = 1;
  printf("[\n");
  struct bpf_program *pp;
  bpf_object__for_each_program(pp, probe) {
    const char *pname = bpf_program__name(pp);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    struct bpf_program *p;
    bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), pname));
    memset(&cap, 0, sizeof(cap) - sizeof(cap.log));
    want = pname;
    cur_obj = obj;
    { struct bpf_map *mm; int k = 0; bpf_object__for_each_map(mm, obj) saveInner(bpf_object__btf(obj), mm, k++); }
    bpf_object__load(obj);
    want = NULL;
    if (!cap.have) { fprintf(stderr, "%s: no PROG_LOAD captured\n", pname); bpf_object__close(obj); continue; }
    const struct btf *btf = bpf_object__btf(obj);
    // map fd -> index
    int *fds = cap_fds, nm = cap_nm;
    struct bpf_map *m;
    printf("%s{\"name\":", first ? "" : ",\n"); jstr(pname); first = 0;
    printf(",\"progType\":%u,\"license\":", cap.attr.prog_type); jstr((const char *)(unsigned long)cap.attr.license);
    // BTF-attached programs (tp_btf, fentry, lsm): the target, named, as its BTF id is the running kernel's
    if (cap.attr.attach_btf_id) {
      static struct btf *vml;
      if (!vml) vml = btf__load_vmlinux_btf();
      const struct btf_type *t = vml ? btf__type_by_id(vml, cap.attr.attach_btf_id) : NULL;
      printf(",\"expectedAttachType\":%u,\"attachBtfName\":", cap.attr.expected_attach_type);
      jstr(t ? btf__name_by_offset(vml, t->name_off) : "");
      // iterators: the target after the section's '/' (the context is struct bpf_iter__<target>)
      if (cap.attr.expected_attach_type == BPF_TRACE_ITER) {
        const char *sec = bpf_program__section_name(bpf_object__find_program_by_name(obj, pname)), *slash = strchr(sec, '/');
        printf(",\"attachTo\":"); jstr(slash ? slash + 1 : "");
      }
    }
    printf(",\"errno\":%d,\"insns\":[", cap.err);
    for (unsigned i = 0; i < cap.attr.insn_cnt; i++) {
      struct bpf_insn x = cap.insns[i];
      int imm = x.imm;
      if (x.code == (BPF_LD | BPF_DW | BPF_IMM) && (x.src_reg == BPF_PSEUDO_MAP_FD || x.src_reg == BPF_PSEUDO_MAP_VALUE)) {
        for (int k = 0; k < nm; k++) if (fds[k] == x.imm) imm = k;
      }
      printf("%s[%d,%d,%d,%d,%d]", i ? "," : "", x.code, x.dst_reg, x.src_reg, x.off, imm);
    }
    // kfunc calls carry the running kernel's BTF ids: name them, so the
    // verifier under test can resolve them against its own kfunc table
    printf("],\"kfuncs\":{");
    {
      static struct btf *vmlinux;
      if (!vmlinux) vmlinux = btf__load_vmlinux_btf();
      int nk = 0;
      for (unsigned i = 0; i < cap.attr.insn_cnt; i++) {
        struct bpf_insn x = cap.insns[i];
        if (x.code != (BPF_JMP | BPF_CALL) || x.src_reg != BPF_PSEUDO_KFUNC_CALL || !vmlinux) continue;
        const struct btf_type *t = btf__type_by_id(vmlinux, x.imm);
        if (!t) continue;
        printf("%s\"%d\":", nk++ ? "," : "", x.imm); jstr(btf__name_by_offset(vmlinux, t->name_off));
      }
    }
    printf("},\"maps\":[");
    int k = 0;
    bpf_object__for_each_map(m, obj) { if (k) printf(","); mapMeta(btf, m, k); k++; }
    printf("],\"funcInfo\":[");
    for (unsigned i = 0; i < cap.attr.func_info_cnt; i++) {
      struct bpf_func_info *fi = (void *)((char *)cap.finfo + i * cap.attr.func_info_rec_size);
      const struct btf_type *t = btf__type_by_id(btf, fi->type_id);
      printf("%s{\"insnOff\":%u,\"name\":", i ? "," : "", fi->insn_off); jstr(btf__name_by_offset(btf, t->name_off));
      printf(",\"linkage\":\"%s\"}", btf_vlen(t) == BTF_FUNC_STATIC ? "static" : "global");
    }
    printf("],\"lineInfo\":[");
    for (unsigned i = 0; i < cap.attr.line_info_cnt; i++) {
      struct bpf_line_info *li = (void *)((char *)cap.linfo + i * cap.attr.line_info_rec_size);
      printf("%s{\"insnOff\":%u,\"line\":", i ? "," : "", li->insn_off); jstr(btf__name_by_offset(btf, li->line_off));
      printf(",\"lineNum\":%u}", li->line_col >> 10);
    }
    printf("],\"log\":"); jstr(cap.log);
    printf("}");
    bpf_object__close(obj);
  }
  printf("\n]\n");
  bpf_object__close(probe);
  return 0;
}
