// Batch loader for the differential fuzz campaign (issue #11.4): reads one
// program per stdin line and answers one line per program on stdout.
//
//   in:  PROG_TYPE NMAPS [TYPE:KEY:VALUE:MAX:FLAGS ...] HEX_BYTECODE RUN_HEX
//   out: ok [RETVAL DATA_OUT_HEX MAPS_HEX]   or   err ERRNO MESSAGE
//
// ld_imm64 src=1/2 with imm = map index get the fd of the map created for
// that index (BTF-less, as the generator's maps are). Rejections are loaded
// again at log level 1 for the kernel's error line (the last line before
// the "processed N insns" summary). RUN_HEX ('-' for none) is the packet
// (XDP) or context (SYSCALL) of one BPF_PROG_TEST_RUN; the answer then holds
// its retval, the packet after the run and every array map's values.
// Built with `gcc kfuzz.c -lbpf` by test/verifier/fuzz/kdiff.ts.
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char log_buf[4 << 20];
static char line[1 << 22];
static unsigned char prog[1 << 20];
static unsigned char run_in[1 << 16], run_out[1 << 16];

static size_t unhex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = strlen(s) / 2;
	if (n > cap) n = cap;
	for (size_t i = 0; i < n; i++) sscanf(s + 2 * i, "%2hhx", &out[i]);
	return n;
}

static void hexout(const unsigned char *b, size_t n)
{
	if (!n) { putchar('-'); return; }
	for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* the kernel's error line: the last log line before "processed N insns" */
static void error_line(char *log)
{
	char *prev = NULL, *cur = strtok(log, "\n");
	while (cur) {
		if (!strncmp(cur, "processed ", 10)) break;
		/* the infinite-loop report is followed by the two states it compared */
		if (strncmp(cur, "cur state:", 10) && strncmp(cur, "old state:", 10)) prev = cur;
		cur = strtok(NULL, "\n");
	}
	/* at level 1 the message may follow the instruction's own text on its line */
	char *msg = prev ? strstr(prev, "infinite loop detected") : NULL;
	fputs(msg ? msg : prev ? prev : "(no message)", stdout);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		int type = 0, nmaps = 0, fds[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
		unsigned mtype[8] = { 0 }, vsize[8] = { 0 }, maxe[8] = { 0 };
		char *tok = strtok(line, " \n");
		if (!tok) continue;
		type = atoi(tok);
		nmaps = atoi(strtok(NULL, " \n"));
		int bad = 0;
		for (int i = 0; i < nmaps; i++) {
			unsigned t, k, v, m, f;
			sscanf(strtok(NULL, " \n"), "%u:%u:%u:%u:%u", &t, &k, &v, &m, &f);
			if (i < 8) {
				fds[i] = bpf_map_create(t, NULL, k, v, m, &(struct bpf_map_create_opts){ .sz = sizeof(struct bpf_map_create_opts), .map_flags = f });
				if (fds[i] < 0) bad = errno;
				mtype[i] = t; vsize[i] = v; maxe[i] = m;
			}
		}
		char *hex = strtok(NULL, " \n");
		char *run = strtok(NULL, " \n");
		if (bad || !hex) {
			printf("setup %d\n", bad);
			goto done;
		}
		size_t n = unhex(hex, prog, sizeof(prog));
		struct bpf_insn *insns = (struct bpf_insn *)prog;
		size_t cnt = n / 8;
		for (size_t i = 0; i + 1 < cnt; i++) {
			if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && (insns[i].src_reg == 1 || insns[i].src_reg == 2)) {
				int idx = insns[i].imm;
				/* out-of-range indexes stay: the kernel sees a bad fd */
				if (idx >= 0 && idx < nmaps && idx < 8) insns[i].imm = fds[idx];
				else insns[i].imm = 1000 + idx;
				i++;
			} else if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW)) {
				i++;
			}
		}
		/* libbpf loads "syscall" programs sleepable: the kernel wants that */
		int flags = type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;
		LIBBPF_OPTS(bpf_prog_load_opts, o0, .prog_flags = flags);
		int fd = bpf_prog_load(type, "fuzz", "GPL", insns, cnt, &o0);
		if (fd < 0) {
			int e0 = errno;
			log_buf[0] = 0;
			LIBBPF_OPTS(bpf_prog_load_opts, o1, .log_buf = log_buf, .log_size = sizeof(log_buf), .log_level = 1, .prog_flags = flags);
			int fd1 = bpf_prog_load(type, "fuzz", "GPL", insns, cnt, &o1);
			if (fd1 >= 0) close(fd1);
			printf("err %d ", e0);
			error_line(log_buf);
			putchar('\n');
			goto done;
		}
		printf("ok");
		if (run && strcmp(run, "-")) {
			size_t in = unhex(run, run_in, sizeof(run_in));
			LIBBPF_OPTS(bpf_test_run_opts, t);
			if (type == BPF_PROG_TYPE_SYSCALL) {
				t.ctx_in = run_in; t.ctx_size_in = in;
			} else {
				t.data_in = run_in; t.data_size_in = in;
				t.data_out = run_out; t.data_size_out = sizeof(run_out);
			}
			t.repeat = 1;
			int r = bpf_prog_test_run_opts(fd, &t);
			if (r) {
				printf(" runerr %d", errno);
			} else {
				printf(" %u ", t.retval);
				hexout(run_out, type == BPF_PROG_TYPE_SYSCALL ? 0 : t.data_size_out);
				putchar(' ');
				int any = 0;
				for (int i = 0; i < nmaps && i < 8; i++) {
					if (mtype[i] != BPF_MAP_TYPE_ARRAY) continue;
					for (unsigned k = 0; k < maxe[i]; k++) {
						unsigned char v[4096];
						if (vsize[i] > sizeof(v) || bpf_map_lookup_elem(fds[i], &k, v)) continue;
						hexout(v, vsize[i]);
						putchar('.');
						any = 1;
					}
				}
				if (!any) putchar('-');
			}
		}
		putchar('\n');
		close(fd);
done:
		for (int i = 0; i < 8; i++) if (fds[i] >= 0) close(fds[i]);
	}
	return 0;
}
