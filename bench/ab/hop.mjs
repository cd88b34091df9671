// usage: node bench/ab/hop.mjs [DIST] (default dist)
// the cost of one helper call from the JIT (wasm -> JS -> helper -> wasm) and of one engine entry (a callback's fixed cost)
const d = process.argv[2] ?? new URL('../../dist', import.meta.url).pathname;
const { Runtime } = await import(d + '/src/runtime/runtime.js');
const { assemble } = await import(d + '/src/isa/asm.js');
const rt = new Runtime({ engine: 'jit' }); rt.unref();
const loop = (body) => assemble(`mov %r6, 0\nloop:\n${body}\nadd %r6, 1\njlt %r6, 10000, loop\nmov %r0, 0\nexit`);
const withCall = rt.createProg('a', 6, loop('call 8'), []);
const without = rt.createProg('b', 6, loop('mov %r0, %r6'), []);
const nop = rt.createProg('c', 6, assemble('mov %r0, 0\nexit'), []);
const time = (f, n) => { f(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); return Number(process.hrtime.bigint() - t) / n; };
const res = { call: [], entry: [] };
for (let r = 0; r < 7; r++) {
  const a = time(() => withCall.callAt(0, [], 0), 50), b = time(() => without.callAt(0, [], 0), 50);
  res.call.push((a - b) / 10000);
  res.entry.push(time(() => nop.callAt(0, [], 0), 20000));
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}: helper call (bpf_get_smp_processor_id) from the JIT: median ${med(res.call).toFixed(0)} ns [min ${Math.min(...res.call).toFixed(0)}]; callAt entry (withProg + engine run, mov r0 0; exit): median ${med(res.entry).toFixed(0)} ns [min ${Math.min(...res.entry).toFixed(0)}]`);
