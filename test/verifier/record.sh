#!/usr/bin/env bash
# Re-records the kernel's verdicts for the verifier corpus (needs root, gcc,
# libbpf-dev). For each test/verifier/corpus/X.bpf.o writes X.kernel.json:
# per program the relocated instructions, maps, BTF func/line info, the
# errno of BPF_PROG_LOAD and the kernel's verifier log (level 1).
set -euo pipefail
cd "$(dirname "$0")"
gcc -O1 -o /tmp/tsbpf-record tools/record.c -lbpf -ldl
for o in corpus/*.bpf.o; do
  out="${o%.bpf.o}.kernel.json"
  /tmp/tsbpf-record "$o" > "$out.tmp"
  mv "$out.tmp" "$out"
  echo "record: $out"
done
