// Timing shared by the benches: the shared kernel runner's scheme
// (warm up, calibrate a repeat count to ~repMs, then reps timed runs).

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** ns per program run of `repeat`-batched test runs: the median, and every rep */
export function measureRuns(run: (repeat: number) => void, reps: number, repMs: number): { median: number; all: number[] } {
  run(100); // warm-up (and TurboFan)
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    run(n);
    const dt = performance.now() - t0;
    if (dt > repMs / 4) { n = Math.max(1, Math.round((n * repMs) / dt)); break; }
    n *= 2;
  }
  const all: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    run(n);
    all.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return { median: median(all), all };
}
