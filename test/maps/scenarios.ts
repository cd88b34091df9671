// Program-side map scenarios (test/maps/progs/*.bpf.c): each runs the same
// object in the live kernel (test/kernel's runner) and in tsbpf (`tsbpf run`);
// the kernel's answer is recorded beside the object as NAME.SCENARIO.kernel.out
// and test/runtime/differential.test.ts replays every golden through tsbpf.
import type { KernelScenario } from '../kernel/scenarios.js';

const P = 'test/maps/progs/';

export const MAP_SCENARIOS: readonly KernelScenario[] = [
  {
    obj: `${P}ringbuf.bpf.o`,
    name: 'output',
    args: ['run:out', 'ringbuf:events', 'run:fill', 'ringbuf:small', 'run:fill', 'ringbuf:small', 'run:fill', 'dump'],
    about: 'bpf_ringbuf_output records of 0..13 bytes, flags, -EINVAL, query fields; a one-page ring filled to -EAGAIN, consumed, wrapped around',
  },
  {
    obj: `${P}ringbuf.bpf.o`,
    name: 'typed',
    args: ['run:typed', 'ringbuf:events', 'ringbuf:events', 'run:typed', 'run:out', 'ringbuf:events'],
    about: 'struct records (the TypeScript consumer decodes them with BTF); a second consume finds nothing; the consumer position carries over',
  },
];
