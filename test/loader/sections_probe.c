// SPDX-License-Identifier: MIT
/* sections_probe: what libbpf makes of every program's SEC() name at open
 * time, one line per program in ELF order:
 *   PROG SEC type=N expected_attach_type=N autoload=0|1
 * (bpf_program__type / __expected_attach_type / __autoload; N as the uapi
 * enums). Nothing is loaded. Built and run by test/loader/record.sh; the
 * output is test/loader/sections.libbpf.out. */
#include <stdio.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;

	if (argc != 2) {
		fprintf(stderr, "usage: sections_probe OBJ\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "sections_probe: cannot open %s\n", argv[1]);
		return 1;
	}
	printf("# libbpf %s\n", libbpf_version_string());
	bpf_object__for_each_program(p, obj)
		printf("%s %s type=%d expected_attach_type=%d autoload=%d\n", bpf_program__name(p),
		       bpf_program__section_name(p), bpf_program__type(p),
		       bpf_program__expected_attach_type(p), bpf_program__autoload(p));
	bpf_object__close(obj);
	return 0;
}
