// SPDX-License-Identifier: MIT
/* kernel-runner: the real-kernel twin of `tsbpf run OBJ [--no-hold] STEP...`.
 *
 * It loads OBJ with libbpf into the running kernel, executes the steps in
 * order and prints the same lines tsbpf prints, so one scenario can be run on
 * both and the outputs compared byte for byte. Built by test/kernel/build.sh.
 *
 *   runner OBJ [--no-hold] [--log FILE] [--host FILE.json] [LOAD OPTION...] STEP...
 *
 * Load options (what a libbpf loader does between open and load):
 *   --type PROG=TYPE      bpf_program__set_type(); TYPE as libbpf names it
 *                         (libbpf_bpf_prog_type_str: xdp, sched_cls, ...)
 *   --no-autoload PROG    bpf_program__set_autoload(false)
 *   --kconfig LINE        one line of bpf_object_open_opts.kconfig
 *                         (e.g. CONFIG_HZ=250; libbpf reads /proc/config.gz
 *                         for the CONFIG_ externs these lines do not set)
 *   --set VAR=INT         a global variable's initial value (skeleton style:
 *                         written into bpf_map__initial_value() before load)
 *
 *   --sock SPEC           open a socket before loading, kept open until exit
 *                         (kernel.ts turns a host file's sockets into these):
 *                         tcp-listen:ADDR:PORT, tcp-connect:LOCAL>REMOTE (binds
 *                         LOCAL, connects to a listener at REMOTE and accepts:
 *                         both ends exist), udp:LOCAL[>REMOTE] (connect()ed
 *                         when REMOTE is given); IPv6 as [ADDR]:PORT
 *
 * --host is accepted and ignored: test/kernel/kernel.ts runs the runner in a
 * network namespace set up from that file (src/net/host.ts's JSON form).
 *
 * Output contract (stdout; diagnostics go to stderr):
 *   load=ok                          all maps created, all programs loaded
 *   load=failed                      then, and exit status 3 (no step runs):
 *   errno=-EXXX                      the error libbpf got from the kernel
 *                                    (BPF_PROG_LOAD, BPF_MAP_CREATE, ...); an
 *                                    object that cannot be opened gives libbpf's
 *                                    error (a missing file: -ENOENT)
 *   verifier_error=LINE              the verifier log's final error line, see
 *                                    final_error_line(); empty when no program
 *                                    load failed (map creation, ELF errors)
 *   run:PROG retval=N                BPF_PROG_TEST_RUN once; N is the uapi's u32
 *                                    retval, unsigned decimal (-1 -> 4294967295)
 *   run:PROG err=-EXXX               the test-run syscall failed (e.g. kprobe,
 *                                    tracepoint: -ENOTSUPP; packet < 14 bytes
 *                                    for XDP/tc: -EINVAL)
 *   run-pkt:PROG retval=N size=M data=HEX   also the output packet (lowercase
 *                                    hex); "size=0 data=" for types without one
 *   pkt len=N                        after pkt:HEX / pkt:iota
 *   ctx:HEX | ctx:out | ctx:none     ctx_in of later runs (packet programs also
 *                                    get a ctx_out buffer; ctx:out: only that);
 *                                    prints "ctx len=N" (none: "ctx none")
 *   repeat:N, flags:N, size-out:N    test.repeat / test.flags / data_size_out of
 *                                    later runs (N decimal or 0x hex); print
 *                                    "repeat=N", "flags=N", "size-out=N"
 *   update:MAP:KEYHEX:VALHEX         BPF_MAP_UPDATE_ELEM (BPF_ANY) from user space:
 *                                    "update:MAP ok" or "update:MAP err=-EXXX"
 *   ... ctx=HEX                      with a ctx: step, run/run-pkt lines end with
 *                                    the ctx_out (packet programs) or the ctx_in
 *                                    buffer after the run (syscall, raw_tp)
 *   dump                             then one line per .data/.bss variable:
 *     NAME=V        integer (INT incl. char/_Bool, or ENUM) of 1/2/4/8 bytes,
 *                   signed decimal of its width whatever its signedness
 *                   (u32 0xffffffff -> -1, u64 max -> -1)
 *     NAME[i]=V     each element of a one-dimensional array of such integers
 *     NAME=0xHEX    anything else (struct, union, pointer, float, 2-D array,
 *                   __int128, bitfield-ish ints): its bytes in memory order
 *     NAME=freed    the variable's map no longer exists (see dump())
 *   slot:MAP:IDX:PROG ok|err=-EXXX   BPF_MAP_UPDATE_ELEM of MAP[IDX] (u32 key)
 *                                    with PROG's fd (a prog array from user
 *                                    space); PROG '-' deletes the slot
 *   update:MAP ok | err=-EXXX        (MAP as given) bpf_map_update_elem() of key 0 with its
 *                                    current value (a frozen map: -EPERM)
 *   freeze:MAP ok | err=-EXXX        BPF_MAP_FREEZE (frozen already: -EPERM)
 *   ringbuf:NAME records=N          ring_buffer__consume() on ring buffer map
 *     record len=L data=HEX          NAME; then one line per record, in order
 *   user-ringbuf:NAME:HEX           user_ring_buffer__reserve() + submit of one
 *   user-ringbuf-discard:NAME:HEX   sample (or discard): "user-ringbuf:NAME ok" or
 *                                   "... err=-EXXX" (full: -ENOSPC)
 *   perf:NAME records=N             perf_buffer__consume() on perf event array
 *     sample cpu=C len=L data=HEX    NAME (a one-page buffer per CPU, opened
 *     lost cpu=C count=K             right after load; the runner then stays
 *                                    on CPU 0): samples with libbpf's padded
 *                                    size, lost-sample records, CPU by CPU
 *   sleep:, advance:, close-map:, close-maps print nothing.
 *   task:FIELDS                      tsbpf's simulated current task (pid, stacks,
 *                                    ...); accepted and ignored here, where the
 *                                    current task is the runner: a scenario using
 *                                    it compares what does not depend on the task
 *
 * Programs: SOCKET_FILTER, SCHED_CLS/ACT (tc), XDP, CGROUP_SKB, LWT_*,
 * FLOW_DISSECTOR get the packet (default 64 zero bytes); every other type gets
 * no data and no ctx (syscall: empty ctx; raw_tp: zero args) and whatever the
 * kernel answers is printed. `close-map:NAME` takes libbpf's map name
 * ("timers", "counter.bss") or a global-data section name (".bss").
 *
 * Exit status: 0 ok, 3 load failed, 2 bad command line, unknown step, unknown
 * program or map name (steps are parsed before loading, so a malformed step
 * prints nothing), 1 internal error (message on stderr).
 *
 * Errno names are glibc's strerrorname_np() names (EAGAIN, not EWOULDBLOCK;
 * EOPNOTSUPP, not ENOTSUP) plus the kernel-internal ENOTSUPP (524), which the
 * test-run of e.g. a kprobe program returns; an unknown number prints as
 * decimal (errno=-4007 for libbpf's own LIBBPF_ERRNO__* codes).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define MAX_PKT 16384
#define PKT_OUT_SIZE (64 * 1024 + 4096) /* room for XDP tail growth */

enum step_kind { S_RUN, S_RUN_PKT, S_PKT, S_SLEEP, S_ADVANCE, S_TASK, S_CLOSE_MAP, S_CLOSE_MAPS, S_DUMP, S_SLOT, S_RINGBUF, S_URINGBUF, S_PERF, S_CTX, S_REPEAT,
		 S_FLAGS, S_SIZE_OUT, S_UPDATE, S_REWRITE, S_FREEZE };

struct step {
	enum step_kind kind;
	const char *arg;
	unsigned long long num; /* sleep: usec; advance: ns */
	unsigned char *pkt;
	int pkt_len;
};

struct map_rec {
	struct bpf_map *map;
	const char *name;   /* libbpf's name (e.g. "counter.bss" or "timers") */
	const char *sec;    /* ".bss", ".data", ".rodata", ... for global data, else NULL */
	__u32 id;
	int held;           /* the runner still holds user references */
};

static struct map_rec *maps;
static int nmaps;
static struct bpf_object *obj;
static int verbose;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("runner: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("runner: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nusage: runner OBJ [--no-hold] [--log FILE] [-v] [--host FILE.json] [--type PROG=TYPE] [--no-autoload PROG]\n"
	      "              [--kconfig CONFIG_X=V] [--set VAR=INT] STEP...\n"
	      "  steps: run:PROG run-pkt:PROG pkt:HEX|iota sleep:USEC advance:DURATION\n"
	      "         ctx:HEX|out|none repeat:N flags:N size-out:N close-map:NAME close-maps dump\n"
	      "         update:MAP[:KEYHEX:VALHEX] freeze:MAP ringbuf:NAME perf:NAME\n", stderr);
	va_end(ap);
	exit(2);
}

static const char *errno_name(int e, char *buf, size_t len)
{
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	if (e == 524)
		return "ENOTSUPP";
	snprintf(buf, len, "%d", e);
	return buf;
}

/* Name of the program whose load failed, from libbpf's own message
 * "prog 'NAME': failed to load: -E" (bpf_object__load_progs). After a failed
 * bpf_object__load() libbpf closes every program fd, so the fds cannot tell. */
static char failed_prog[256];

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	va_list aq;

	va_copy(aq, ap);
	vsnprintf(msg, sizeof(msg), fmt, aq);
	va_end(aq);
	if (level == LIBBPF_WARN && !strncmp(msg, "prog '", 6) && strstr(msg, "': failed to load:")) {
		size_t n = strstr(msg, "': failed to load:") - (msg + 6);

		if (n < sizeof(failed_prog)) {
			memcpy(failed_prog, msg + 6, n);
			failed_prog[n] = 0;
		}
	}
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	fputs(msg, stderr);
	return 0;
}

/* ---------- steps ---------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* '10ns', '50us', '1ms', '35s' or a bare number of ns (as src/cli/steps.ts) */
static int parse_duration(const char *s, unsigned long long *ns)
{
	char digits[32];
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	unsigned long long mul;

	if (n == 0 || n >= sizeof(digits))
		return -1;
	if (!*unit || !strcmp(unit, "ns"))
		mul = 1;
	else if (!strcmp(unit, "us"))
		mul = 1000;
	else if (!strcmp(unit, "ms"))
		mul = 1000000;
	else if (!strcmp(unit, "s"))
		mul = 1000000000;
	else
		return -1;
	memcpy(digits, s, n);
	digits[n] = 0;
	*ns = strtoull(digits, NULL, 10) * mul;
	return 0;
}

static void parse_step(const char *text, int idx, struct step *st)
{
	const char *colon = strchr(text, ':');
	size_t vlen = colon ? (size_t)(colon - text) : strlen(text);
	const char *arg = colon ? colon + 1 : "";
	char verb[32];

	if (vlen >= sizeof(verb))
		usage_die("step %d: unknown step '%s'", idx, text);
	memcpy(verb, text, vlen);
	verb[vlen] = 0;
	memset(st, 0, sizeof(*st));
	st->arg = arg;
	if (!strcmp(verb, "run") || !strcmp(verb, "run-pkt")) {
		st->kind = verb[3] ? S_RUN_PKT : S_RUN;
		if (!*arg)
			usage_die("step %d: '%s' needs a program name", idx, text);
	} else if (!strcmp(verb, "pkt")) {
		st->kind = S_PKT;
		st->pkt = calloc(1, MAX_PKT);
		if (!strcmp(arg, "iota") || !strncmp(arg, "iota:", 5)) {
			int n = arg[4] ? atoi(arg + 5) : 64;

			if (n < 1 || n > MAX_PKT)
				usage_die("step %d: bad packet '%s' (iota:N, N 1-%d)", idx, arg, MAX_PKT);
			for (int i = 0; i < n; i++)
				st->pkt[i] = i;
			st->pkt_len = n;
		} else {
			size_t l = strlen(arg);

			if (l < 2 || l % 2 || l / 2 > MAX_PKT)
				usage_die("step %d: bad packet '%.40s' (two hex digits a byte, 1-16384 bytes, or 'iota[:N]')", idx, arg);
			for (size_t i = 0; i < l; i += 2) {
				int hi = hexval(arg[i]), lo = hexval(arg[i + 1]);

				if (hi < 0 || lo < 0)
					usage_die("step %d: bad packet '%.40s'", idx, arg);
				st->pkt[i / 2] = hi << 4 | lo;
			}
			st->pkt_len = l / 2;
		}
	} else if (!strcmp(verb, "ctx")) {
		st->kind = S_CTX;
		st->pkt = calloc(1, MAX_PKT);
		if (!strcmp(arg, "none")) {
			st->pkt_len = -1;
		} else if (!strcmp(arg, "out")) {
			st->pkt_len = -2;
		} else {
			size_t l = strlen(arg);

			if (l < 2 || l % 2 || l / 2 > MAX_PKT)
				usage_die("step %d: bad ctx '%.40s' (two hex digits a byte, 'out' or 'none')", idx, arg);
			for (size_t i = 0; i < l; i += 2) {
				int hi = hexval(arg[i]), lo = hexval(arg[i + 1]);

				if (hi < 0 || lo < 0)
					usage_die("step %d: bad ctx '%.40s'", idx, arg);
				st->pkt[i / 2] = hi << 4 | lo;
			}
			st->pkt_len = l / 2;
		}
	} else if (!strcmp(verb, "update") && strchr(arg, ':')) {
		const char *k = strchr(arg, ':'), *v = k ? strchr(k + 1, ':') : NULL;
		size_t kl, vl;

		st->kind = S_UPDATE;
		if (!k || !v || k == arg)
			usage_die("step %d: update needs MAP:KEYHEX:VALHEX", idx);
		kl = v - (k + 1);
		vl = strlen(v + 1);
		if (!kl || !vl || kl % 2 || vl % 2 || kl / 2 > 256 || vl / 2 > 1024)
			usage_die("step %d: bad update key/value", idx);
		st->pkt = calloc(1, kl / 2 + vl / 2);
		for (size_t i = 0; i < kl + vl; i += 2) {
			const char *h = i < kl ? k + 1 + i : v + 1 + (i - kl);
			int hi = hexval(h[0]), lo = hexval(h[1]);

			if (hi < 0 || lo < 0)
				usage_die("step %d: bad update hex", idx);
			st->pkt[i / 2] = hi << 4 | lo;
		}
		st->num = kl / 2; /* key length */
		st->pkt_len = (kl + vl) / 2;
		st->arg = strndup(arg, k - arg);
	} else if (!strcmp(verb, "repeat") || !strcmp(verb, "flags") || !strcmp(verb, "size-out")) {
		char *end;

		st->kind = verb[0] == 'r' ? S_REPEAT : verb[0] == 'f' ? S_FLAGS : S_SIZE_OUT;
		errno = 0;
		st->num = strtoull(arg, &end, 0);
		if (!*arg || *end || errno || st->num > 0xffffffffull)
			usage_die("step %d: bad number '%s'", idx, arg);
	} else if (!strcmp(verb, "sleep")) {
		st->kind = S_SLEEP;
		if (!all_digits(arg) || strlen(arg) > 18)
			usage_die("step %d: bad sleep '%s' (microseconds)", idx, arg);
		st->num = strtoull(arg, NULL, 10);
	} else if (!strcmp(verb, "advance")) {
		st->kind = S_ADVANCE;
		if (parse_duration(arg, &st->num))
			usage_die("step %d: bad duration '%s' (expected e.g. 10ns, 50us, 1ms, 35s)", idx, arg);
	} else if (!strcmp(verb, "task")) {
		/* tsbpf's simulated task; here the task is the runner itself */
		st->kind = S_TASK;
	} else if (!strcmp(verb, "close-map")) {
		st->kind = S_CLOSE_MAP;
		if (!*arg)
			usage_die("step %d: '%s' needs a map name", idx, text);
	} else if (!strcmp(verb, "slot")) {
		const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		st->kind = S_SLOT;
		if (!c1 || !c2 || c1 == arg || c2 == c1 + 1 || !c2[1])
			usage_die("step %d: '%s' needs MAP:IDX:PROG", idx, text);
		for (const char *q = c1 + 1; q < c2; q++)
			if (*q < '0' || *q > '9')
				usage_die("step %d: bad slot index in '%s'", idx, text);
		st->num = strtoull(c1 + 1, NULL, 10);
	} else if (!strcmp(verb, "update") || !strcmp(verb, "freeze")) {
		st->kind = verb[0] == 'u' ? S_REWRITE : S_FREEZE;
		if (!*arg)
			usage_die("step %d: '%s' needs a map name", idx, text);
	} else if (!strcmp(verb, "ringbuf")) {
		st->kind = S_RINGBUF;
		if (!*arg)
			usage_die("step %d: '%s' needs a map name", idx, text);
	} else if (!strcmp(verb, "user-ringbuf") || !strcmp(verb, "user-ringbuf-discard")) {
		const char *c = strchr(arg, ':');
		size_t l;

		st->kind = S_URINGBUF;
		if (!c || c == arg)
			usage_die("step %d: '%s' needs MAP:HEX", idx, text);
		l = strlen(c + 1);
		if (l % 2 || l / 2 > 65536)
			usage_die("step %d: bad sample hex in '%.40s'", idx, text);
		st->pkt = calloc(1, l / 2 + 1);
		for (size_t i = 0; i < l; i += 2) {
			int hi = hexval(c[1 + i]), lo = hexval(c[2 + i]);

			if (hi < 0 || lo < 0)
				usage_die("step %d: bad sample hex in '%.40s'", idx, text);
			st->pkt[i / 2] = hi << 4 | lo;
		}
		st->pkt_len = l / 2;
		st->num = verb[12] == '-'; /* discard */
		st->arg = strndup(arg, c - arg);
	} else if (!strcmp(verb, "perf")) {
		st->kind = S_PERF;
		if (!*arg)
			usage_die("step %d: '%s' needs a map name", idx, text);
	} else if (!strcmp(verb, "close-maps") || !strcmp(verb, "dump")) {
		st->kind = verb[0] == 'd' ? S_DUMP : S_CLOSE_MAPS;
		if (*arg) /* "dump:" is accepted, as by src/cli/steps.ts */
			usage_die("step %d: step '%s' takes no argument", idx, verb);
	} else {
		usage_die("step %d: unknown step '%s'", idx, text);
	}
}

/* ---------- load ---------- */

static int is_stats_line(const char *l)
{
	/* The verifier's trailer (print_verification_stats() in verifier.c):
	 * always "processed N insns (limit ...) ...", at log level 4 (BPF_LOG_STATS)
	 * also "verification time N usec" and "stack depth N[+M...]". */
	return !strncmp(l, "processed ", 10) || !strncmp(l, "verification time ", 18) ||
	       !strncmp(l, "stack depth ", 12);
}

/* The verifier's final error line: the last non-empty line of the log that
 * is not a statistics line. In a level-1 log of a rejected program the error
 * is printed just before the "processed ..." trailer; when the load fails
 * before the main pass (CFG check, BTF func_info, ...), there is no trailer
 * and the error is the last line. Writes "" when the log is empty. */
static void final_error_line(const char *log, char *out, size_t outlen)
{
	const char *end = log + strlen(log);

	out[0] = 0;
	while (end > log) {
		const char *e = end, *b;

		while (e > log && (e[-1] == '\n' || e[-1] == '\r'))
			e--;
		b = e;
		while (b > log && b[-1] != '\n')
			b--;
		if (b == e) {
			end = b;
			continue;
		}
		size_t n = e - b;
		char line[4096];

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, b, n);
		line[n] = 0;
		if (!is_stats_line(line)) {
			snprintf(out, outlen, "%s", line);
			return;
		}
		end = b;
	}
}

struct prog_log {
	struct bpf_program *prog;
	char *buf;
	size_t size;
};

static void write_log_file(const char *path, struct prog_log *logs, int n, struct bpf_program *failed)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (failed) {
			/* failure: exactly the kernel's log of the failing program */
			if (logs[i].prog == failed)
				fputs(logs[i].buf, f);
		} else if (logs[i].buf[0]) {
			fprintf(f, "=== %s ===\n%s", bpf_program__name(logs[i].prog), logs[i].buf);
		}
	}
	fclose(f);
}

/* ---------- load options ---------- */

struct load_opt {
	char kind; /* 't' type, 'a' no-autoload, 's' set */
	const char *prog_or_var;
	const char *value;
};

static struct load_opt *load_opts;
static int nload_opts;
static char *kconfig; /* newline-separated lines, or NULL */

static void add_load_opt(char kind, const char *arg)
{
	struct load_opt *o = &load_opts[nload_opts++];
	const char *eq = strchr(arg, '=');

	o->kind = kind;
	if (kind == 'a') {
		o->prog_or_var = arg;
		return;
	}
	if (!eq || eq == arg || !eq[1])
		usage_die("'%s' must be NAME=VALUE", arg);
	o->prog_or_var = strndup(arg, eq - arg);
	o->value = eq + 1;
}

static void add_kconfig(const char *line)
{
	size_t old = kconfig ? strlen(kconfig) : 0;

	kconfig = realloc(kconfig, old + strlen(line) + 2);
	sprintf(kconfig + old, "%s\n", line);
}

static enum bpf_prog_type prog_type_by_name(const char *name)
{
	for (int t = 0; t < 256; t++) {
		const char *n = libbpf_bpf_prog_type_str(t);

		if (n && !strcmp(n, name))
			return t;
	}
	usage_die("unknown program type '%s'", name);
	return 0;
}

/* Writes VAR=INT into the initial value of the global-data map holding VAR. */
static void set_global(const char *var, const char *value)
{
	const struct btf *btf = bpf_object__btf(obj);
	long long v = strtoll(value, NULL, 0);
	struct bpf_map *m;

	if (!btf)
		usage_die("--set %s: the object has no BTF", var);
	bpf_object__for_each_map(m, obj) {
		const char *mn = bpf_map__name(m);
		const char *dot = strchr(mn, '.');
		const struct btf_type *ds;
		int id;

		if (!bpf_map__is_internal(m) || !dot)
			continue;
		id = btf__find_by_name_kind(btf, dot, BTF_KIND_DATASEC);
		if (id < 0)
			continue;
		ds = btf__type_by_id(btf, id);
		for (int j = 0; j < btf_vlen(ds); j++) {
			const struct btf_var_secinfo *vs = btf_var_secinfos(ds) + j;
			const struct btf_type *t = btf__type_by_id(btf, vs->type);
			size_t sz;
			const void *init;
			unsigned char *p;

			if (strcmp(btf__name_by_offset(btf, t->name_off), var))
				continue;
			init = bpf_map__initial_value(m, &sz);
			if (!init || vs->offset + vs->size > sz || vs->size > 8)
				usage_die("--set %s: cannot write %u bytes at %u", var, vs->size, vs->offset);
			p = malloc(sz);
			memcpy(p, init, sz);
			memcpy(p + vs->offset, &v, vs->size); /* little-endian */
			if (bpf_map__set_initial_value(m, p, sz))
				die("--set %s: bpf_map__set_initial_value: %s", var, strerror(errno));
			free(p);
			return;
		}
	}
	usage_die("--set: no global variable '%s'", var);
}

static void apply_load_opts(void)
{
	for (int i = 0; i < nload_opts; i++) {
		struct load_opt *o = &load_opts[i];
		struct bpf_program *p;

		if (o->kind == 's') {
			set_global(o->prog_or_var, o->value);
			continue;
		}
		p = bpf_object__find_program_by_name(obj, o->prog_or_var);
		if (!p)
			usage_die("no program '%s' in the object", o->prog_or_var);
		if (o->kind == 't')
			bpf_program__set_type(p, prog_type_by_name(o->value));
		else
			bpf_program__set_autoload(p, false);
	}
}

/* Loads the object. Returns 0, or exits with status 3 after printing the
 * load=failed report. */
static void load(const char *path, const char *log_path)
{
	size_t log_size = 16u << 20;

	for (;;) {
		struct prog_log *logs = NULL;
		struct bpf_program *p, *failed = NULL;
		int n = 0, err, saved_errno;
		char en[32], vline[4096];

		LIBBPF_OPTS(bpf_object_open_opts, oopts, .kconfig = kconfig);
		obj = bpf_object__open_file(path, &oopts);
		err = libbpf_get_error(obj);
		if (err) {
			printf("load=failed\nerrno=-%s\nverifier_error=\n", errno_name(-err, en, sizeof(en)));
			exit(3);
		}
		apply_load_opts();
		bpf_object__for_each_program(p, obj)
			n++;
		logs = calloc(n ? n : 1, sizeof(*logs));
		n = 0;
		bpf_object__for_each_program(p, obj) {
			/* Log level 0: libbpf loads without a log and, only when the
			 * load fails, retries at level 1 into this buffer. With --log
			 * every program is loaded at level 1. */
			logs[n].prog = p;
			logs[n].size = log_size;
			logs[n].buf = calloc(1, log_size);
			if (!logs[n].buf)
				die("out of memory");
			bpf_program__set_log_buf(p, logs[n].buf, log_size);
			if (log_path)
				bpf_program__set_log_level(p, 1);
			n++;
		}
		err = bpf_object__load(obj);
		saved_errno = -err;
		if (!err) {
			if (log_path)
				write_log_file(log_path, logs, n, NULL);
			for (int i = 0; i < n; i++)
				free(logs[i].buf);
			free(logs);
			return;
		}
		/* the failing program: named by libbpf's message; else (a future
		 * libbpf wording) the last program with a log, since libbpf loads
		 * programs in order and stops at the first failure */
		for (int i = 0; i < n; i++)
			if (failed_prog[0] ? !strcmp(bpf_program__name(logs[i].prog), failed_prog)
					   : logs[i].buf[0] != 0)
				failed = logs[i].prog;
		/* A level-1 log that does not fit makes the kernel (>= 6.4) fail
		 * the load with ENOSPC: retry with a bigger buffer. */
		for (int i = 0; i < n; i++)
			if (logs[i].prog == failed && saved_errno == ENOSPC &&
			    strlen(logs[i].buf) + 1 >= logs[i].size && log_size < (1u << 30))
				failed = (void *)-1;
		if (failed == (void *)-1) {
			for (int i = 0; i < n; i++)
				free(logs[i].buf);
			free(logs);
			bpf_object__close(obj);
			failed_prog[0] = 0;
			log_size *= 4;
			continue;
		}
		vline[0] = 0;
		for (int i = 0; i < n; i++)
			if (logs[i].prog == failed)
				final_error_line(logs[i].buf, vline, sizeof(vline));
		printf("load=failed\nerrno=-%s\nverifier_error=%s\n", errno_name(saved_errno, en, sizeof(en)), vline);
		if (log_path)
			write_log_file(log_path, logs, n, failed);
		fflush(stdout);
		exit(3);
	}
}

static void collect_maps(void)
{
	struct bpf_map *m;
	struct btf *btf = bpf_object__btf(obj);

	bpf_object__for_each_map(m, obj)
		nmaps++;
	maps = calloc(nmaps ? nmaps : 1, sizeof(*maps));
	nmaps = 0;
	bpf_object__for_each_map(m, obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		struct map_rec *r = &maps[nmaps++];

		r->map = m;
		r->name = bpf_map__name(m);
		if (bpf_map__fd(m) < 0)
			die("map %s has no fd after load", r->name);
		if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
			die("map %s: BPF_OBJ_GET_INFO_BY_FD: %s", r->name, strerror(errno));
		r->id = info.id;
		r->held = 1;
		if (bpf_map__is_internal(m) && btf) {
			const struct btf_type *t = btf__type_by_id(btf, bpf_map__btf_value_type_id(m));

			if (t && btf_is_datasec(t))
				r->sec = btf__name_by_offset(btf, t->name_off);
		}
	}
}

/* ---------- dropping user references ---------- */

/* map id of fd, or 0 when fd is not a BPF map */
static __u32 fd_map_id(int fd)
{
	char path[64], line[256];
	FILE *f;
	__u32 id = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "map_id: %u", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* Drops every user reference this process holds on map r: every fd open on
 * it (libbpf's bpf_map fd, and any other found in /proc/self/fd). Each such
 * fd number is atomically replaced by a /dev/null descriptor with dup2(), so
 * the map file is released (bpf_map_release() -> bpf_map_put_with_uref())
 * while libbpf keeps a valid, harmless number: its later close() of map->fd
 * closes /dev/null, and any accidental bpf() use of it fails with EINVAL
 * instead of reaching an unrelated, reused descriptor. The programs keep their
 * own (non-user) references, so the map lives on without urefs. */
static void drop_map(struct map_rec *r)
{
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (nul < 0 || !d)
		die("drop_map: %s", strerror(errno));
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d) || fd == nul)
			continue;
		if (fd_map_id(fd) == r->id && dup2(nul, fd) < 0)
			die("dup2: %s", strerror(errno));
	}
	closedir(d);
	close(nul);
	r->held = 0;
	/* An mmap() of the map would keep the map file, hence the uref, alive:
	 * the runner never maps one, and checks libbpf did not either. */
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, "bpf-map"))
				fprintf(stderr, "runner: warning: a bpf map is still mmapped: %s", line);
		fclose(f);
	}
}

static struct map_rec *find_map(const char *name)
{
	for (int i = 0; i < nmaps; i++)
		if (!strcmp(maps[i].name, name) || (maps[i].sec && !strcmp(maps[i].sec, name)))
			return &maps[i];
	return NULL;
}

/* ---------- dump ---------- */

static void print_hex(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static long long load_signed(const unsigned char *p, size_t size)
{
	switch (size) {
	case 1: return *(const int8_t *)p;
	case 2: { int16_t v; memcpy(&v, p, 2); return v; }
	case 4: { int32_t v; memcpy(&v, p, 4); return v; }
	default: { int64_t v; memcpy(&v, p, 8); return v; }
	}
}

/* integer-like: INT (char and _Bool included) or ENUM of 1, 2, 4, 8 bytes */
static int int_size(const struct btf *btf, __u32 id)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t;

	if (rid < 0)
		return 0;
	t = btf__type_by_id(btf, rid);
	if (!t || !(btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t)))
		return 0;
	if (btf_is_int(t) && (btf_int_offset(t) || btf_int_bits(t) != t->size * 8))
		return 0;
	if (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)
		return t->size;
	return 0;
}

static void dump_var(const struct btf *btf, const char *name, __u32 type, const unsigned char *p, size_t size)
{
	int rid = btf__resolve_type(btf, type), isz;
	const struct btf_type *t = rid >= 0 ? btf__type_by_id(btf, rid) : NULL;

	if ((isz = int_size(btf, type)) && (size_t)isz == size) {
		printf("%s=%lld\n", name, load_signed(p, isz));
		return;
	}
	if (t && btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);

		isz = int_size(btf, a->type);
		if (isz && (size_t)isz * a->nelems == size) {
			for (__u32 i = 0; i < a->nelems; i++)
				printf("%s[%u]=%lld\n", name, i, load_signed(p + (size_t)i * isz, isz));
			return;
		}
	}
	printf("%s=0x", name);
	print_hex(p, size);
	printf("\n");
}

/* Reads the value of a global-data map. While the runner holds the map it
 * uses its fd. After close-map/close-maps it must not keep an fd or an mmap:
 * both are user references. An fd is the map file; bpf_map_release(), the
 * file's release, is what calls bpf_map_put_with_uref(). An mmap holds the
 * file through vma->vm_file until munmap (kernel/bpf/syscall.c's
 * bpf_map_mmap_open/close only count writers since the fix "bpf: Fix
 * bpf_map_mmap ... rely on VMA holding reference to BPF map's file"), so a
 * mapping keeps the uref alive. (Maps with a bpf_timer cannot be mmapped at
 * all: bpf_map_mmap() returns -ENOTSUPP when the map has a btf_record; seen on
 * 6.18.) So at dump time the map is re-opened by id for the one lookup and
 * closed at once. That briefly takes a uref (bpf_map_get_fd_by_id() ->
 * bpf_map_inc_not_zero() counts usercnt) and the close drops it again, running
 * the map's release_uref a second time. Harmless for what is dumped: .data and
 * .bss maps hold plain variables. (The kernel does accept a struct bpf_timer
 * in .bss, but C cannot arm it: bpf_timer_init() needs the owning map as an
 * argument and a global-data map cannot be named in C; so there is no armed
 * timer for that second release_uref to cancel.) The timer maps whose uref
 * drop the scenarios test are never re-opened. */
static unsigned char *read_global_map(struct map_rec *r)
{
	size_t vsz = bpf_map__value_size(r->map);
	unsigned char *v = calloc(1, vsz);
	int fd, key = 0, own = 0;

	if (r->held) {
		fd = bpf_map__fd(r->map);
	} else {
		fd = bpf_map_get_fd_by_id(r->id);
		if (fd < 0 && errno == ENOENT) {
			/* no program uses the map: the last reference went with
			 * the runner's, and the map is freed */
			free(v);
			return NULL;
		}
		if (fd < 0)
			die("dump: map id %u (%s): %s", r->id, r->name, strerror(errno));
		own = 1;
	}
	if (bpf_map_lookup_elem(fd, &key, v))
		die("dump: lookup in %s: %s", r->name, strerror(errno));
	if (own)
		close(fd);
	return v;
}

static int is_dumped_sec(const char *sec)
{
	return sec && (!strcmp(sec, ".data") || !strncmp(sec, ".data.", 6) ||
		       !strcmp(sec, ".bss") || !strncmp(sec, ".bss.", 5));
}

static int cmp_vsi_off(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = *(const struct btf_var_secinfo *const *)a;
	const struct btf_var_secinfo *y = *(const struct btf_var_secinfo *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x < y ? -1 : x > y; /* stable: BTF order on ties */
}

/* Every variable of the .data and .bss sections (also .data.NAME/.bss.NAME):
 * sections in ELF section order (= libbpf's map order; NB: clang emits the
 * .bss DATASEC before .data in BTF, but .data precedes .bss in the ELF),
 * variables within a section by offset (= declaration order for clang's
 * output; ties keep DATASEC order). .rodata and .kconfig are not dumped.
 * A section whose map was freed (closed by the runner and used by no
 * program) prints NAME=freed for each of its variables. */
static void dump(void)
{
	const struct btf *btf = bpf_object__btf(obj);

	printf("dump\n");
	if (!btf)
		return;
	for (int i = 0; i < nmaps; i++) {
		struct map_rec *r = &maps[i];
		const struct btf_type *ds;
		const struct btf_var_secinfo **order;
		unsigned char *v;
		int nv;

		if (!is_dumped_sec(r->sec))
			continue;
		ds = btf__type_by_id(btf, bpf_map__btf_value_type_id(r->map));
		nv = btf_vlen(ds);
		order = calloc(nv ? nv : 1, sizeof(*order));
		for (int j = 0; j < nv; j++)
			order[j] = btf_var_secinfos(ds) + j;
		qsort(order, nv, sizeof(*order), cmp_vsi_off);
		v = read_global_map(r);
		for (int j = 0; j < nv; j++) {
			const struct btf_var_secinfo *vs = order[j];
			const struct btf_type *var = btf__type_by_id(btf, vs->type);

			if (!var || !btf_is_var(var))
				continue;
			if (!v)
				printf("%s=freed\n", btf__name_by_offset(btf, var->name_off));
			else
				dump_var(btf, btf__name_by_offset(btf, var->name_off), var->type,
					 v + vs->offset, vs->size);
		}
		free(order);
		free(v);
	}
}

/* ---------- run ---------- */

/* ctx:, repeat:, flags:, size-out: state for later runs */
static unsigned char ctx_in_buf[MAX_PKT];
static int ctx_len = -1; /* -1: none, -2: ctx_out only */
static int repeat_set, flags_set, size_out_set;
static __u32 repeat_val, flags_val, size_out_val;

static void do_run(const char *name, int with_pkt, const unsigned char *pkt, int pkt_len)
{
	static unsigned char ctx_buf[MAX_PKT], ctx_out[MAX_PKT];
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
	static unsigned char in[MAX_PKT], out[PKT_OUT_SIZE];
	const char *label = with_pkt ? "run-pkt" : "run";
	enum bpf_prog_type type;
	int has_pkt, err;
	char en[32];

	if (!p)
		usage_die("no program '%s' in the object", name);
	type = bpf_program__type(p);
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		has_pkt = 1;
		break;
	default:
		/* syscall: empty ctx; raw_tp / tracing: zero args; others: whatever
		 * the kernel answers (kprobe, tracepoint: -ENOTSUPP) */
		has_pkt = 0;
	}
	/* each run starts from the unmodified input packet */
	memcpy(in, pkt, pkt_len);
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	if (has_pkt) {
		opts.data_in = in;
		opts.data_size_in = pkt_len;
		if (with_pkt) {
			opts.data_out = out;
			opts.data_size_out = sizeof(out);
		}
	}
	if (ctx_len != -1) {
		memset(ctx_out, 0, sizeof(ctx_out));
		if (ctx_len >= 0) {
			memcpy(ctx_buf, ctx_in_buf, ctx_len);
			opts.ctx_in = ctx_buf;
			opts.ctx_size_in = ctx_len;
		}
		if (has_pkt) {
			opts.ctx_out = ctx_out;
			opts.ctx_size_out = sizeof(ctx_out);
		}
	}
	if (repeat_set)
		opts.repeat = repeat_val;
	if (flags_set)
		opts.flags = flags_val;
	if (size_out_set)
		opts.data_size_out = size_out_val;
	err = bpf_prog_test_run_opts(bpf_program__fd(p), &opts);
	if (err) {
		printf("%s:%s err=-%s\n", label, name, errno_name(errno, en, sizeof(en)));
		return;
	}
	printf("%s:%s retval=%u", label, name, opts.retval);
	if (with_pkt) {
		__u32 size = has_pkt ? opts.data_size_out : 0;

		printf(" size=%u data=", size);
		print_hex(out, size > sizeof(out) ? sizeof(out) : size);
	}
	if (ctx_len != -1) {
		printf(" ctx=");
		if (has_pkt)
			print_hex(ctx_out, opts.ctx_size_out > sizeof(ctx_out) ? sizeof(ctx_out) : opts.ctx_size_out);
		else if (ctx_len > 0)
			print_hex(ctx_buf, ctx_len);
	}
	printf("\n");
}

/* slot:MAP:IDX:PROG: user space puts a program into a prog array */
static void do_slot(const char *arg, __u32 key)
{
	char map_name[128], en[32];
	const char *c1 = strchr(arg, ':'), *prog_name = strchr(c1 + 1, ':') + 1;
	struct map_rec *r;
	int err;

	snprintf(map_name, sizeof(map_name), "%.*s", (int)(c1 - arg), arg);
	r = find_map(map_name);
	if (!r)
		usage_die("no map '%s' in the object", map_name);
	if (!strcmp(prog_name, "-")) {
		err = bpf_map_delete_elem(bpf_map__fd(r->map), &key);
	} else {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, prog_name);
		int fd;

		if (!p)
			usage_die("no program '%s' in the object", prog_name);
		fd = bpf_program__fd(p);
		err = bpf_map_update_elem(bpf_map__fd(r->map), &key, &fd, BPF_ANY);
	}
	if (err)
		printf("slot:%s err=-%s\n", arg, errno_name(errno, en, sizeof(en)));
	else
		printf("slot:%s ok\n", arg);
}

/* update:MAP writes key 0's current value back; freeze:MAP is BPF_MAP_FREEZE */
static void map_op(struct map_rec *r, const char *verb, const char *as)
{
	int fd = bpf_map__fd(r->map), key = 0, err;
	unsigned char *v = calloc(1, bpf_map__value_size(r->map) + 8);
	char en[32];

	if (!r->held)
		usage_die("%s:%s: the map was closed", verb, r->name);
	if (verb[0] == 'u') {
		if (bpf_map_lookup_elem(fd, &key, v))
			die("%s: lookup in %s: %s", verb, r->name, strerror(errno));
		err = bpf_map_update_elem(fd, &key, v, BPF_ANY);
	} else {
		err = bpf_map_freeze(fd);
	}
	if (err)
		printf("%s:%s err=-%s\n", verb, as, errno_name(errno, en, sizeof(en)));
	else
		printf("%s:%s ok\n", verb, as);
	free(v);
}

/* ---------- ringbuf ---------- */

struct rb_records {
	int n;
	char *text;
	size_t len, cap;
};

static int rb_record(void *ctx, void *data, size_t size)
{
	struct rb_records *r = ctx;
	size_t need = r->len + 40 + 2 * size;

	if (need > r->cap) {
		r->cap = need * 2;
		r->text = realloc(r->text, r->cap);
		if (!r->text)
			die("out of memory");
	}
	r->len += sprintf(r->text + r->len, "record len=%zu data=", size);
	for (size_t i = 0; i < size; i++)
		r->len += sprintf(r->text + r->len, "%02x", ((unsigned char *)data)[i]);
	r->len += sprintf(r->text + r->len, "\n");
	r->n++;
	return 0;
}

/* ring_buffer__consume(): the records committed so far, in order; the
 * consumer position stays in the map, so a later step goes on from there */
static void do_ringbuf(const char *name)
{
	struct map_rec *m = find_map(name);
	struct rb_records recs = {};
	struct ring_buffer *rb;
	int err;

	if (!m)
		usage_die("no map '%s' in the object", name);
	rb = ring_buffer__new(bpf_map__fd(m->map), rb_record, &recs, NULL);
	if (!rb)
		die("ring_buffer__new(%s): %s", name, strerror(errno));
	err = ring_buffer__consume(rb);
	if (err < 0)
		die("ring_buffer__consume(%s): %s", name, strerror(-err));
	ring_buffer__free(rb);
	printf("ringbuf:%s records=%d\n", name, recs.n);
	if (recs.len)
		fwrite(recs.text, 1, recs.len, stdout);
	free(recs.text);
}

/* user_ring_buffer__reserve + submit (or discard): one sample from user space */
static void do_user_ringbuf(const char *name, const unsigned char *bytes, int len, int discard)
{
	const char *verb = discard ? "user-ringbuf-discard" : "user-ringbuf";
	struct map_rec *m = find_map(name);
	struct user_ring_buffer *rb;
	char eb[32];
	void *s;

	if (!m)
		usage_die("no map '%s' in the object", name);
	rb = user_ring_buffer__new(bpf_map__fd(m->map), NULL);
	if (!rb)
		die("user_ring_buffer__new(%s): %s", name, strerror(errno));
	s = user_ring_buffer__reserve(rb, len);
	if (!s) {
		printf("%s:%s err=-%s\n", verb, name, errno_name(errno, eb, sizeof(eb)));
	} else {
		memcpy(s, bytes, len);
		if (discard)
			user_ring_buffer__discard(rb, s);
		else
			user_ring_buffer__submit(rb, s);
		printf("%s:%s ok\n", verb, name);
	}
	user_ring_buffer__free(rb);
}

/* ---------- perf buffers ---------- */

struct perf_rec {
	struct perf_buffer *pb;
	struct rb_records recs;
};

static struct perf_rec *perf_bufs; /* one per map, NULL pb for other maps */

static void perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct rb_records *r = ctx;
	size_t need = r->len + 60 + 2 * (size_t)size;

	if (need > r->cap) {
		r->cap = need * 2;
		r->text = realloc(r->text, r->cap);
		if (!r->text)
			die("out of memory");
	}
	r->len += sprintf(r->text + r->len, "sample cpu=%d len=%u data=", cpu, size);
	for (__u32 i = 0; i < size; i++)
		r->len += sprintf(r->text + r->len, "%02x", ((unsigned char *)data)[i]);
	r->len += sprintf(r->text + r->len, "\n");
	r->n++;
}

static void perf_lost(void *ctx, int cpu, __u64 cnt)
{
	struct rb_records *r = ctx;

	if (r->len + 64 > r->cap) {
		r->cap = (r->len + 64) * 2;
		r->text = realloc(r->text, r->cap);
		if (!r->text)
			die("out of memory");
	}
	r->len += sprintf(r->text + r->len, "lost cpu=%d count=%llu\n", cpu, (unsigned long long)cnt);
	r->n++;
}

/* A one-page perf buffer per CPU on every perf event array (libbpf's
 * perf_buffer__new), and the runner pinned to CPU 0 so BPF_F_CURRENT_CPU
 * is a known slot. */
static void open_perf_buffers(void)
{
	int any = 0;

	perf_bufs = calloc(nmaps ? nmaps : 1, sizeof(*perf_bufs));
	for (int i = 0; i < nmaps; i++) {
		if (bpf_map__type(maps[i].map) != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		perf_bufs[i].pb = perf_buffer__new(bpf_map__fd(maps[i].map), 1, perf_sample, perf_lost,
						   &perf_bufs[i].recs, NULL);
		if (!perf_bufs[i].pb)
			die("perf_buffer__new(%s): %s", maps[i].name, strerror(errno));
		any = 1;
	}
	if (any) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity: %s", strerror(errno));
	}
}

static void do_perf(const char *name)
{
	struct map_rec *m = find_map(name);
	struct perf_rec *p;
	int err;

	if (!m || !perf_bufs[m - maps].pb)
		usage_die("no perf event array '%s' in the object", name);
	p = &perf_bufs[m - maps];
	p->recs.n = 0;
	p->recs.len = 0;
	err = perf_buffer__consume(p->pb);
	if (err < 0)
		die("perf_buffer__consume(%s): %s", name, strerror(-err));
	printf("perf:%s records=%d\n", name, p->recs.n);
	if (p->recs.len)
		fwrite(p->recs.text, 1, p->recs.len, stdout);
}

static void sleep_ns(unsigned long long ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ADDR:PORT or [ADDR6]:PORT */
static socklen_t parse_sockaddr(const char *text, struct sockaddr_storage *ss)
{
	char buf[128];
	const char *colon = strrchr(text, ':');

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon - text >= (long)sizeof(buf))
		usage_die("--sock: bad address '%s'", text);
	memcpy(buf, text, colon - text);
	buf[colon - text] = 0;
	if (buf[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		buf[strlen(buf) - 1] = 0;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(colon + 1));
		if (inet_pton(AF_INET6, buf + 1, &s6->sin6_addr) != 1)
			usage_die("--sock: bad IPv6 address '%s'", text);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, buf, &s4->sin_addr) != 1)
		usage_die("--sock: bad IPv4 address '%s'", text);
	return sizeof(*s4);
}

static int sock_at(int type, const char *local)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_sockaddr(local, &ss);
	int one = 1, fd = socket(ss.ss_family, type, 0);

	if (fd < 0)
		die("--sock %s: socket: %s", local, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("--sock %s: bind: %s", local, strerror(errno));
	return fd;
}

/* the sockets stay open (leaked on purpose) until the runner exits */
static void open_sock(const char *spec)
{
	char buf[256];
	char *remote;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	snprintf(buf, sizeof(buf), "%s", spec);
	remote = strchr(buf, '>');
	if (remote)
		*remote++ = 0;
	if (!strncmp(buf, "tcp-listen:", 11)) {
		fd = sock_at(SOCK_STREAM, buf + 11);
		if (listen(fd, 16))
			die("--sock %s: listen: %s", spec, strerror(errno));
	} else if (!strncmp(buf, "tcp-connect:", 12) && remote) {
		fd = sock_at(SOCK_STREAM, buf + 12);
		len = parse_sockaddr(remote, &ss);
		if (connect(fd, (struct sockaddr *)&ss, len))
			die("--sock %s: connect: %s", spec, strerror(errno));
		/* the accepted end, found by lookups as the listener's child */
		(void)fd;
	} else if (!strncmp(buf, "udp:", 4)) {
		fd = sock_at(SOCK_DGRAM, buf + 4);
		if (remote) {
			len = parse_sockaddr(remote, &ss);
			if (connect(fd, (struct sockaddr *)&ss, len))
				die("--sock %s: connect: %s", spec, strerror(errno));
		}
	} else {
		usage_die("--sock: bad socket '%s'", spec);
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL, *log_path = NULL;
	int no_hold = 0, nsteps = 0;
	struct step *steps = calloc(argc, sizeof(*steps));

	load_opts = calloc(argc, sizeof(*load_opts));
	unsigned char pkt[MAX_PKT] = { 0 };
	int pkt_len = 64;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-hold"))
			no_hold = 1;
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			log_path = argv[++i];
		else if (!strcmp(argv[i], "--host") && i + 1 < argc)
			i++; /* the host is the network namespace kernel.ts runs us in */
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--type") && i + 1 < argc)
			add_load_opt('t', argv[++i]);
		else if (!strcmp(argv[i], "--no-autoload") && i + 1 < argc)
			add_load_opt('a', argv[++i]);
		else if (!strcmp(argv[i], "--set") && i + 1 < argc)
			add_load_opt('s', argv[++i]);
		else if (!strcmp(argv[i], "--kconfig") && i + 1 < argc)
			add_kconfig(argv[++i]);
		else if (!strcmp(argv[i], "--sock") && i + 1 < argc)
			open_sock(argv[++i]);
		else if (!path)
			path = argv[i];
		else {
			parse_step(argv[i], nsteps + 1, &steps[nsteps]);
			nsteps++;
		}
	}
	if (!path)
		usage_die("no object file");
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	libbpf_set_print(print_fn);

	load(path, log_path);
	collect_maps();
	open_perf_buffers();
	printf("load=ok\n");
	if (no_hold)
		for (int i = 0; i < nmaps; i++)
			drop_map(&maps[i]);

	for (int i = 0; i < nsteps; i++) {
		struct step *st = &steps[i];
		struct map_rec *r;

		switch (st->kind) {
		case S_RUN:
		case S_RUN_PKT:
			do_run(st->arg, st->kind == S_RUN_PKT, pkt, pkt_len);
			break;
		case S_PKT:
			memcpy(pkt, st->pkt, st->pkt_len);
			pkt_len = st->pkt_len;
			printf("pkt len=%d\n", pkt_len);
			break;
		case S_CTX:
			ctx_len = st->pkt_len;
			if (ctx_len >= 0) {
				memcpy(ctx_in_buf, st->pkt, ctx_len);
				printf("ctx len=%d\n", ctx_len);
			} else {
				printf(ctx_len == -1 ? "ctx none\n" : "ctx out\n");
			}
			break;
		case S_REPEAT:
			repeat_set = 1;
			repeat_val = st->num;
			printf("repeat=%u\n", repeat_val);
			break;
		case S_FLAGS:
			flags_set = 1;
			flags_val = st->num;
			printf("flags=%u\n", flags_val);
			break;
		case S_SIZE_OUT:
			size_out_set = 1;
			size_out_val = st->num;
			printf("size-out=%u\n", size_out_val);
			break;
		case S_UPDATE:
			r = find_map(st->arg);
			if (!r)
				usage_die("no map '%s' in the object", st->arg);
			if (bpf_map__key_size(r->map) != st->num || bpf_map__value_size(r->map) != st->pkt_len - st->num)
				usage_die("update:%s: key/value sizes do not match the map", st->arg);
			if (bpf_map_update_elem(bpf_map__fd(r->map), st->pkt, st->pkt + st->num, BPF_ANY)) {
				char en[32];

				printf("update:%s err=-%s\n", st->arg, errno_name(errno, en, sizeof(en)));
			} else {
				printf("update:%s ok\n", st->arg);
			}
			break;
		case S_SLEEP:
			sleep_ns(st->num * 1000);
			break;
		case S_ADVANCE:
			sleep_ns(st->num);
			break;
		case S_TASK:
			break;
		case S_CLOSE_MAP:
			r = find_map(st->arg);
			if (!r)
				usage_die("no map '%s' in the object", st->arg);
			if (r->held)
				drop_map(r);
			break;
		case S_CLOSE_MAPS:
			for (int j = 0; j < nmaps; j++)
				if (maps[j].held)
					drop_map(&maps[j]);
			break;
		case S_DUMP:
			dump();
			break;
		case S_SLOT:
			do_slot(st->arg, (__u32)st->num);
			break;
		case S_REWRITE:
		case S_FREEZE:
			r = find_map(st->arg);
			if (!r)
				usage_die("no map '%s' in the object", st->arg);
			map_op(r, st->kind == S_REWRITE ? "update" : "freeze", st->arg);
			break;
		case S_RINGBUF:
			do_ringbuf(st->arg);
			break;
		case S_URINGBUF:
			do_user_ringbuf(st->arg, st->pkt, st->pkt_len, (int)st->num);
			break;
		case S_PERF:
			do_perf(st->arg);
			break;
		}
	}
	fflush(stdout);
	/* No bpf_object__close(): exiting drops every reference at once, like a
	 * loader that exits. */
	return 0;
}
