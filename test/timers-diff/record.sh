#!/usr/bin/env bash
# Records the kernel's answer for every scenario of the timer corpus.
#
#   test/timers-diff/record.sh [DIR|FILE.steps ...]
#       (default: test/timers-diff test/timers-selftest examples/*)
#
# A scenario is DIR/BASE.NAME.steps: one line, the runner arguments after the
# object ([--no-hold] STEP...). Its object is DIR/BASE.bpf.o, its golden file
# DIR/BASE.NAME.kernel.out, in test/kernel/kernel.ts's golden format (4-line
# header + the runner's stdout, byte for byte), so kernelGolden(obj, NAME, args)
# reads it. Each scenario runs RUNS times (default 3) on the live kernel; a
# scenario whose output differs between runs is reported FLAKY and not written.
# Needs root, a bpf() syscall, gcc + libbpf-dev (the runner is built on demand).
set -uo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
runner=test/kernel/build/runner
if [ ! -x "$runner" ] || [ "$runner" -ot test/kernel/runner.c ]; then
  bash test/kernel/build.sh >/dev/null || exit 1
fi
[ $# -gt 0 ] || set -- test/timers-diff test/timers-selftest examples/*
files=()
for a in "$@"; do
  if [ -d "$a" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$a" -maxdepth 1 -name '*.steps' | sort)
  else
    files+=("$a")
  fi
done
bad=0
for steps in "${files[@]}"; do
  dir=$(dirname "$steps"); file=$(basename "$steps" .steps)
  base=${file%%.*}; name=${file#*.}
  obj="$dir/$base.bpf.o"
  read -r -a args < "$steps"
  json=$(printf '"%s",' "${args[@]}"); json="[${json%,}]"
  first=""; status=0; flaky=0
  for ((i = 1; i <= RUNS; i++)); do
    out=$("$runner" "$obj" "${args[@]}" 2>/dev/null; echo "#status=$?")
    if [ $i -eq 1 ]; then first=$out; elif [ "$out" != "$first" ]; then flaky=1; fi
  done
  if [ $flaky -eq 1 ]; then
    echo "FLAKY $steps"; bad=1; continue
  fi
  status=${first##*#status=}
  body=${first%#status=*}
  {
    printf '# tsbpf kernel golden\n# obj: %s\n# args: %s\n# status: %s\n' "$obj" "$json" "$status"
    printf '%s' "$body"
  } > "$dir/$base.$name.kernel.out"
  echo "ok    $steps (status $status)"
done
exit $bad
