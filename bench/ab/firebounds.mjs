// What one timer callback costs, by part, in one process: node bench/ab/firebounds.mjs [DIST]
// 1. entering JIT code from JS (JitEngine.runCallback: the cb export, i32 arguments, `mov r0, 0; exit`)
// 2. one helper call from JIT code through the bigint ABI (helper) and through helperSplit (32-bit halves), trivial helpers
// 3. the timer queue's work per self-re-arming callback (peek + remove + enqueueN, 64 entries)
// 4. a whole callback of timers_fire.bpf.o (64 timers, 1 us, advance(100 us)) for comparison
import { armFire } from './fire_setup.mjs';
const d = process.argv[2] ?? new URL('../../dist', import.meta.url).pathname;
const { Arena } = await import(d + '/src/memory/arena.js');
const { JitEngine } = await import(d + '/src/jit/engine.js');
const { assemble } = await import(d + '/src/isa/asm.js');
const { TimerQueue, TimerEntry } = await import(d + '/src/timers/queue.js');
const { BPF_FUNC_timer_start } = await import(d + '/src/uapi/bpf_func.js');
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
// CPU time (user + system) per call: a loaded host's descheduling does not count
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const time = (f, n) => { f(); const t = cpu(); for (let i = 0; i < n; i++) f(); return (cpu() - t) / n; };
const arena = new Arena();
const split = Object.assign(() => 0n, { splitArgs: () => 0n });
const helpers = new Map([[BPF_FUNC_timer_start, split], [8, () => 0n]]);
const env = { arena, helper: (id) => helpers.get(id) };
const nop = new JitEngine(assemble('mov %r0, 0\nexit'), env);
const loop = (body) => new JitEngine(assemble(`mov %r6, 0\nloop:\nmov %r1, 4096\nmov %r2, 1000\nmov %r3, 0\n${body}\nadd %r6, 1\njlt %r6, 10000, loop\nmov %r0, 0\nexit`), env);
const viaSplit = loop(`call ${BPF_FUNC_timer_start}`), viaBig = loop('call 8'), none = loop('mov %r0, %r6');
const q = new TimerQueue();
const es = Array.from({ length: 64 }, (_, i) => { const e = new TimerEntry(1, () => {}); q.enqueueN(e, 1000 + i); return e; });
const qstep = () => { for (let i = 0; i < 1000; i++) { const e = q.peek(); q.remove(e); q.enqueueN(e, e.expN + 1000); } };
const clock = await armFire(d, 'jit');
const res = { entry: [], big: [], split: [], queue: [], callback: [] };
for (let r = 0; r < 7; r++) {
  res.entry.push(time(() => nop.runCallback(0, 1, 2, 3), 1000000));
  const base = time(() => none.run(0), 200);
  res.big.push((time(() => viaBig.run(0), 200) - base) / 10000);
  res.split.push((time(() => viaSplit.run(0), 200) - base) / 10000);
  res.queue.push(time(qstep, 2000) / 1000);
  res.callback.push(time(() => clock.advance(100_000n), 300) / 6400);
}
const f = (k) => `${med(res[k]).toFixed(0)} [${Math.min(...res[k]).toFixed(0)}]`;
console.log(`load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}; CPU ns, median [min] of 7: ` +
  `entry (runCallback, mov r0 0; exit) ${f('entry')}; helper hop, bigint ABI ${f('big')}; helper hop, helperSplit ${f('split')}; ` +
  `queue peek+remove+enqueue (64 timers) ${f('queue')}; whole callback of timers_fire (64 x 1 us) ${f('callback')}`);
