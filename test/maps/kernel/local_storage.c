// Creation rules and user-space operations of the local storage maps
// (task, inode, cgrp, sk storage) on the running kernel, for
// test/maps/local_storage.test.ts. These maps need BTF (key and value type
// ids), so each create builds a small BTF with libbpf and loads it.
//
//   gcc -O2 -Wall -o /tmp/local_storage test/maps/kernel/local_storage.c -lbpf
//   sudo /tmp/local_storage < test/maps/kernel/local_storage.txt > test/maps/kernel/local_storage.expected.txt
//
// Lines: "create TYPE KEY_SIZE VALUE_SIZE MAX_ENTRIES FLAGS KEYTYPE" where
// KEYTYPE is none (no BTF at all), int, uint, u64, char4 (char[4]) or
// struct4 (struct { int a; }); the value type is char[VALUE_SIZE] (none: no
// BTF). Then "lookup FD", "update FD FLAGS", "delete FD", "next" on the last
// created map: FD is the key, an fd number (999 is not open here).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

static const char *ename(int e)
{
	static char buf[32];

	switch (e < 0 ? -e : e) {
	case 0: return "0";
	case EPERM: return "-EPERM"; case ENOENT: return "-ENOENT"; case E2BIG: return "-E2BIG";
	case EBADF: return "-EBADF"; case ENOMEM: return "-ENOMEM"; case EBUSY: return "-EBUSY";
	case EEXIST: return "-EEXIST"; case EINVAL: return "-EINVAL"; case EFAULT: return "-EFAULT";
	case EOPNOTSUPP: return "-EOPNOTSUPP"; case 524: return "-ENOTSUPP"; case ENOTSOCK: return "-ENOTSOCK";
	}
	snprintf(buf, sizeof buf, "-E%d", e < 0 ? -e : e);
	return buf;
}

static int type_of(const char *n)
{
	if (!strcmp(n, "task_storage")) return BPF_MAP_TYPE_TASK_STORAGE;
	if (!strcmp(n, "inode_storage")) return BPF_MAP_TYPE_INODE_STORAGE;
	if (!strcmp(n, "cgrp_storage")) return 32; /* BPF_MAP_TYPE_CGRP_STORAGE (newer than some uapi headers) */
	if (!strcmp(n, "sk_storage")) return BPF_MAP_TYPE_SK_STORAGE;
	fprintf(stderr, "unknown map type %s\n", n);
	exit(2);
}

int main(void)
{
	char line[256];
	int fd = -1;
	unsigned int vsz = 0;

	while (fgets(line, sizeof line, stdin)) {
		char op[32] = "", a[32] = "", key[32] = "";
		unsigned int ks = 0, mx = 0, fl = 0;
		int n = sscanf(line, "%31s %31s %u %u %u %i %31s", op, a, &ks, &vsz, &mx, &fl, key);
		int err;

		line[strcspn(line, "\n")] = 0;
		if (n < 1 || op[0] == '#') {
			printf("%s\n", line);
			continue;
		}
		if (!strcmp(op, "create")) {
			LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = fl);
			struct btf *btf = NULL;

			if (fd >= 0)
				close(fd);
			if (strcmp(key, "none")) {
				int i32, u32, u64, chr, k, v;

				btf = btf__new_empty();
				i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
				u32 = btf__add_int(btf, "unsigned int", 4, 0);
				u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
				chr = btf__add_int(btf, "char", 1, BTF_INT_CHAR);
				if (!strcmp(key, "int")) k = i32;
				else if (!strcmp(key, "uint")) k = u32;
				else if (!strcmp(key, "u64")) k = u64;
				else if (!strcmp(key, "char4")) k = btf__add_array(btf, u32, chr, 4);
				else if (!strcmp(key, "struct4")) {
					k = btf__add_struct(btf, "k4", 4);
					btf__add_field(btf, "a", i32, 0, 0);
				} else {
					fprintf(stderr, "bad key type %s\n", key);
					return 2;
				}
				v = btf__add_array(btf, u32, chr, vsz ? vsz : 1);
				if (btf__load_into_kernel(btf)) {
					fprintf(stderr, "btf load: %s\n", strerror(errno));
					return 1;
				}
				o.btf_fd = btf__fd(btf);
				o.btf_key_type_id = k;
				o.btf_value_type_id = v;
			}
			fd = bpf_map_create(type_of(a), "m", ks, vsz, mx, &o);
			err = fd < 0 ? -errno : 0;
			btf__free(btf);
			printf("%s %s\n", line, ename(err));
			continue;
		}
		if (fd < 0) {
			printf("%s skipped\n", line);
			continue;
		}
		{
			int k = atoi(a);
			unsigned char val[65536] = {};
			int next;

			if (!strcmp(op, "lookup"))
				err = bpf_map_lookup_elem(fd, &k, val);
			else if (!strcmp(op, "update"))
				err = bpf_map_update_elem(fd, &k, val, ks);
			else if (!strcmp(op, "delete"))
				err = bpf_map_delete_elem(fd, &k);
			else if (!strcmp(op, "next"))
				err = bpf_map_get_next_key(fd, NULL, &next);
			else {
				fprintf(stderr, "bad op %s\n", op);
				return 2;
			}
			printf("%s %s\n", line, ename(err < 0 ? -errno : 0));
		}
	}
	return 0;
}
