#!/usr/bin/env bash
# Records the kernel's verifier logs (levels 1 and 2) that log.test.ts
# compares tsbpf's logs with (needs root, gcc, libbpf-dev). For each program
# P of each object O listed below, writes logs/O.P.level1.log and
# logs/O.P.level2.log exactly as BPF_PROG_LOAD returned them.
set -euo pipefail
cd "$(dirname "$0")"
gcc -O1 -o /tmp/tsbpf-record-log tools/record_log.c -lbpf
OBJECTS="logs/simple.bpf.o corpus/general.bpf.o"
# a 1M-instruction path: megabytes of log that say nothing new
SKIP="cfg_loop_too_large"
for o in $OBJECTS; do
  base=$(basename "$o" .bpf.o)
  for p in $(llvm-objdump-19 -t "$o" | awk '$2=="g" && $3=="F" && $4!=".text" {print $6}'); do
    case " $SKIP " in *" $p "*) continue ;; esac
    for lvl in 1 2; do
      /tmp/tsbpf-record-log "$o" "$p" "$lvl" > "logs/$base.$p.level$lvl.log" || true
    done
  done
  echo "record_logs: $o"
done
# Corpus objects with hand-written pseudo-func markers: record.c patches the
# marker into a real BPF_PSEUDO_FUNC before the kernel sees it, so the corpus
# record is not what a plain load of the object gets. The kernel's verdict on
# the plain object (its first rejected program) is kept here for
# repo_objects.test.ts.
mkdir -p logs/plain
/tmp/tsbpf-record-log corpus/timer_cfg.bpf.o cfg_timer_pfunc_mid_jump 1 > logs/plain/timer_cfg.cfg_timer_pfunc_mid_jump.level1.log || true
echo "record_logs: plain loads"
