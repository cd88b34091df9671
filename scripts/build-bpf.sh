#!/usr/bin/env bash
# Rebuilds every committed BPF object (*.bpf.c -> *.bpf.o beside it) with clang-19.
# npm test never needs this: the .o files are committed. Run it after editing a .bpf.c.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang-19}
command -v "$CLANG" >/dev/null || { echo "build-bpf: $CLANG not found (apt-get install clang-19 libbpf-dev)" >&2; exit 1; }
n=0
while IFS= read -r -d '' src; do
  out="${src%.c}.o"
  "$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -c "$src" -o "$out"
  n=$((n + 1))
done < <(find test examples bench -name '*.bpf.c' -print0 2>/dev/null)
echo "build-bpf: rebuilt $n objects"
