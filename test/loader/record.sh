#!/usr/bin/env bash
# Re-records test/loader's libbpf golden: sections.libbpf.out, what this
# machine's libbpf makes of every SEC() name of sections.bpf.o (gcc + libbpf-dev;
# no root needed: nothing is loaded). The kernel scenario goldens
# (*.kernel.out) are re-recorded by TSBPF_UPDATE_GOLDEN=1 npm test (as root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/build"
gcc -O2 -Wall -o "$here/build/sections_probe" "$here/sections_probe.c" -lbpf -lelf -lz
"$here/build/sections_probe" "$here/sections.bpf.o" > "$here/sections.libbpf.out"
echo "recorded $here/sections.libbpf.out"
