// Asks the running kernel's BTF checker (BPF_BTF_LOAD) about BTF blobs: one
// hex blob per input line; one output line each, "ok" or "err ERRNO LAST-LOG-LINE".
// `btf_load --dump OBJ...` prints instead the BTF libbpf would load for each
// object (opened, so its DATASEC and extern fix-ups are done), one hex line each.
//   gcc -O1 -o btf_load test/btf/btf_load.c -lbpf   (root)
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char logbuf[1 << 20];
static char line[1 << 24];
static unsigned char blob[1 << 23];

static int dump(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		struct bpf_object *obj = bpf_object__open(argv[i]);
		struct btf *btf = obj ? bpf_object__btf(obj) : NULL;
		__u32 sz = 0;
		const unsigned char *raw = btf ? btf__raw_data(btf, &sz) : NULL;
		for (__u32 k = 0; raw && k < sz; k++)
			printf("%02x", raw[k]);
		printf("\n");
		if (obj)
			bpf_object__close(obj);
	}
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump(argc, argv);
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\n"), len = n / 2;
		for (size_t i = 0; i < len; i++) {
			unsigned v;
			sscanf(line + 2 * i, "%2x", &v);
			blob[i] = v;
		}
		LIBBPF_OPTS(bpf_btf_load_opts, opts, .log_buf = logbuf, .log_size = sizeof(logbuf), .log_level = 1);
		logbuf[0] = 0;
		int fd = bpf_btf_load(blob, len, &opts);
		if (fd >= 0) {
			close(fd);
			printf("ok\n");
		} else {
			int e = errno;
			/* the last non-empty line of the log */
			char *last = logbuf, *s = logbuf, *q;
			for (; (q = strchr(s, '\n')); s = q + 1)
				if (q > s) last = s;
			if (*s) last = s; /* a last line without its newline */
			char *nl = strchr(last, '\n');
			if (nl) *nl = 0;
			printf("err %d %s\n", e, last);
		}
		fflush(stdout);
	}
	return 0;
}
