// SPDX-License-Identifier: MIT
/* core-libbpf: what libbpf makes of an object's CO-RE relocations against
 * the live kernel's BTF (/sys/kernel/btf/vmlinux), for tsbpf to be compared
 * with. Built and run by record.sh (root, gcc, libbpf-dev); the output is
 * committed as NAME.libbpf.out so npm test needs neither.
 *
 *   core-libbpf OBJ
 *
 * Output: libbpf's CO-RE debug lines ("libbpf: " stripped), in order:
 *   core: LINE      lines containing "CO-RE" or "relo #" or "sec '"
 * then "load=ok" or "load=failed errno=N", then for every program (libbpf's
 * order) the instructions libbpf handed to BPF_PROG_LOAD (after CO-RE and
 * subprogram linking), one per line:
 *   prog NAME
 *   insn I CODE DST SRC OFF IMM      (decimal; imm of map ld_imm64 printed as "map")
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	const char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!strstr(buf, "CO-RE") && !strstr(buf, "relo #") && strncmp(buf, "libbpf: sec '", 13))
		return 0;
	if (strstr(buf, "sec '") && !strstr(buf, "CO-RE"))
		return 0;
	p = strncmp(buf, "libbpf: ", 8) ? buf : buf + 8;
	printf("core: %s", p);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: core-libbpf OBJ\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_fn);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("open=failed errno=%d\n", -errno);
		return 3;
	}
	err = bpf_object__load(obj);
	if (err)
		printf("load=failed errno=%d\n", err);
	else
		printf("load=ok\n");
	bpf_object__for_each_program(prog, obj) {
		const struct bpf_insn *in = bpf_program__insns(prog);
		size_t n = bpf_program__insn_cnt(prog), i;

		printf("prog %s\n", bpf_program__name(prog));
		for (i = 0; i < n; i++) {
			int map = in[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
				  (in[i].src_reg == BPF_PSEUDO_MAP_FD || in[i].src_reg == BPF_PSEUDO_MAP_VALUE);
			if (map)
				printf("insn %zu %d %d %d %d map\n", i, in[i].code, in[i].dst_reg, in[i].src_reg, in[i].off);
			else
				printf("insn %zu %d %d %d %d %d\n", i, in[i].code, in[i].dst_reg, in[i].src_reg, in[i].off, in[i].imm);
		}
	}
	bpf_object__close(obj);
	return err ? 3 : 0;
}
