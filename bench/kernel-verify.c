// The kernel's own verification time for every program of BPF objects
// (bench/verify.ts runs it; needs root).
//
//   gcc -O2 -o /tmp/tsbpf-kernel-verify bench/kernel-verify.c -lbpf -ldl
//   /tmp/tsbpf-kernel-verify [-n REPS] [-l LOG_LEVEL] OBJ.bpf.o...
//
// libbpf opens each object once per program with only that program set to
// autoload and relocates it; the bpf() syscall is intercepted at that
// program's BPF_PROG_LOAD, which is then issued REPS times (default 21) with
// log_level LOG_LEVEL (default 4 = BPF_LOG_STATS; 5 = 1|4 also formats the
// verifier's level-1 log). Each load's fd is closed again. From the log the
// tool takes "verification time N usec" and "processed N insns"; it also times
// the syscall itself (verification + JIT + allocation). One JSON object per
// line: file, prog, insns, errno, processed, verif_us (median), verif_us_min,
// load_ns (median), log_level, reps.
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "../test/verifier/tools/pseudo_func_mark.h"

static char logbuf[1 << 24];
static const char *want;
static int reps = 21, level = 4;
static struct {
	int have, err;
	unsigned insns;
	long processed;
	long us[1024];
	long ns[1024];
	int n;
} cap;

static long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long find_num(const char *log, const char *prefix)
{
	const char *p = NULL, *q = log;
	/* the last occurrence: the stats are printed at the end */
	while ((q = strstr(q, prefix)) != NULL) {
		p = q;
		q += strlen(prefix);
	}
	return p ? atol(p + strlen(prefix)) : -1;
}

long syscall(long n, ...)
{
	va_list ap;
	va_start(ap, n);
	long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
	long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
	va_end(ap);
	static long (*real)(long, ...);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (n == __NR_bpf && a1 == BPF_PROG_LOAD && want) {
		union bpf_attr *at = (union bpf_attr *)a2;
		if (strncmp(at->prog_name, want, sizeof(at->prog_name) - 1) == 0) {
			long r = -1;
			int e = 0;
			want = NULL; /* libbpf's retries after a failure are not measured again */
			/* the corpus's pseudo-func markers, as record.c patches them: the same program its record holds */
			patch_pseudo_func_marks((struct bpf_insn *)(unsigned long)at->insns, at->insn_cnt);
			at->log_buf = (unsigned long)logbuf;
			at->log_size = sizeof(logbuf);
			at->log_level = level;
			cap.n = 0;
			for (int i = 0; i < reps && i < 1024; i++) {
				logbuf[0] = 0;
				long t0 = now_ns();
				r = real(n, a1, a2, a3, a4, a5, a6);
				long t1 = now_ns();
				e = r < 0 ? errno : 0;
				if (r >= 0 && i + 1 < reps)
					close((int)r);
				cap.us[cap.n] = find_num(logbuf, "verification time ");
				cap.ns[cap.n] = t1 - t0;
				cap.n++;
			}
			cap.have = 1;
			cap.err = e;
			cap.insns = at->insn_cnt;
			cap.processed = find_num(logbuf, "processed ");
			errno = e;
			return r;
		}
	}
	return real(n, a1, a2, a3, a4, a5, a6);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static void jstr(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc)
			break;
		if (!strcmp(argv[i], "-n"))
			reps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-l"))
			level = atoi(argv[i + 1]);
	}
	if (i >= argc) {
		fprintf(stderr, "usage: kernel-verify [-n REPS] [-l LOG_LEVEL] OBJ...\n");
		return 2;
	}
	libbpf_set_print(NULL);
	for (; i < argc; i++) {
		const char *file = argv[i];
		struct bpf_object *probe = bpf_object__open_file(file, NULL);
		struct bpf_program *pp;
		if (!probe) {
			fprintf(stderr, "cannot open %s\n", file);
			return 1;
		}
		bpf_object__for_each_program(pp, probe) {
			const char *pname = bpf_program__name(pp);
			struct bpf_object *obj = bpf_object__open_file(file, NULL);
			struct bpf_program *p;
			bpf_object__for_each_program(p, obj)
				bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), pname));
			memset(&cap, 0, sizeof(cap));
			want = pname;
			bpf_object__load(obj);
			want = NULL;
			if (!cap.have) {
				fprintf(stderr, "%s %s: no PROG_LOAD captured\n", file, pname);
				bpf_object__close(obj);
				continue;
			}
			long us_min = cap.us[0];
			for (int k = 0; k < cap.n; k++)
				if (cap.us[k] < us_min)
					us_min = cap.us[k];
			qsort(cap.us, cap.n, sizeof(long), cmp_long);
			qsort(cap.ns, cap.n, sizeof(long), cmp_long);
			printf("{\"file\":");
			jstr(file);
			printf(",\"prog\":");
			jstr(pname);
			printf(",\"insns\":%u,\"errno\":%d,\"processed\":%ld,\"verif_us\":%ld,\"verif_us_min\":%ld,\"load_ns\":%ld,\"log_level\":%d,\"reps\":%d}\n",
			       cap.insns, cap.err, cap.processed, cap.us[cap.n / 2], us_min, cap.ns[cap.n / 2], level, cap.n);
			fflush(stdout);
			bpf_object__close(obj);
		}
		bpf_object__close(probe);
	}
	return 0;
}
