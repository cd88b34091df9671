// Asks the live kernel's verifier about raw bytecode (no maps):
//   kload PROG_TYPE HEX_BYTECODE [LOG_LEVEL]
// prints "ok" or "err ERRNO", then the verifier log. Built by
// test/verifier/fuzz/kload.ts with `gcc kload.c -lbpf`. LOG_LEVEL defaults to 1;
// 4 (BPF_LOG_STATS) gives only the "processed N insns" and time lines, so a
// 1M-insn path does not fill the log buffer.
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char log_buf[1 << 20];

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: kload PROG_TYPE HEX [LOG_LEVEL]\n");
		return 2;
	}
	int type = atoi(argv[1]);
	size_t n = strlen(argv[2]) / 2;
	unsigned char *bytes = calloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) sscanf(argv[2] + 2 * i, "%2hhx", &bytes[i]);
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log_buf, .log_size = sizeof(log_buf), .log_level = argc == 4 ? atoi(argv[3]) : 1);
	int fd = bpf_prog_load(type, "fuzz_repro", "GPL", (const struct bpf_insn *)bytes, n / 8, &opts);
	if (fd >= 0) {
		printf("ok\n");
		close(fd);
	} else {
		printf("err %d\n", errno);
	}
	fputs(log_buf, stdout);
	return 0;
}
