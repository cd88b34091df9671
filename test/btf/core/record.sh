#!/usr/bin/env bash
# Records what libbpf (and the live kernel) make of the CO-RE test objects:
# NAME.libbpf.out from core_libbpf.c, against /sys/kernel/btf/vmlinux, and a
# gzipped copy of that BTF (test/btf/core/vmlinux.btf.gz) so npm test can give
# tsbpf the very same target. Needs root, gcc, libbpf-dev.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/build"
gcc -O2 -Wall -o "$here/build/core-libbpf" "$here/core_libbpf.c" -lbpf -lelf -lz
for o in "$here"/*.bpf.o; do
  n=$(basename "$o" .bpf.o)
  "$here/build/core-libbpf" "$o" > "$here/$n.libbpf.out" || true
done
gzip -9 -n -c /sys/kernel/btf/vmlinux > "$here/vmlinux.btf.gz"
uname -r > "$here/vmlinux.btf.release"
echo "record: done ($(uname -r))"
