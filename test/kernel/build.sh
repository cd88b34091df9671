#!/usr/bin/env bash
# Builds the kernel-side scenario runner (test/kernel/runner.c) into
# test/kernel/build/runner (git-ignored). Needs gcc and libbpf-dev; running the
# runner needs root (or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN) and a bpf() syscall.
# npm test never needs this: test/kernel/kernel.ts calls it on demand when the
# kernel is available and uses the recorded *.kernel.out otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"
CC=${CC:-gcc}
"$CC" -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
  -o "$out/runner.tmp.$$" "$here/runner.c" -lbpf -lelf -lz
mv -f "$out/runner.tmp.$$" "$out/runner"  # atomic: concurrent builds never see a partial file
echo "built $out/runner"
