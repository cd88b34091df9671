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
  {
    obj: `${P}ringbuf.bpf.o`,
    name: 'reserve',
    args: ['run:rsv', 'ringbuf:events', 'run:rsv', 'run:typed', 'ringbuf:events', 'dump'],
    about: 'bpf_ringbuf_reserve/submit/discard: discarded records skipped, NULL for flags and oversize, reservations submitted out of order consumed in ring order',
  },
  {
    obj: `${P}ringbuf_dynptr.bpf.o`,
    name: 'basic',
    args: ['run:dyn', 'ringbuf:events', 'dump'],
    about: 'ring buffer dynptrs: a record written with bpf_dynptr_write and read back, one through bpf_dynptr_data, a discarded one skipped; flags and a size past the ring give -EINVAL and a NULL dynptr (writes -EINVAL) that is still discarded',
  },
  {
    obj: `${P}ringbuf_dynptr_leak.bpf.o`,
    name: 'load',
    args: [],
    about: 'a failed bpf_ringbuf_reserve_dynptr still holds a reference: returning without discarding it leaks (Unreleased reference id=2 alloc_insn=8)',
  },
  {
    obj: `${P}ringbuf_dynptr_local.bpf.o`,
    name: 'load',
    args: [],
    about: 'bpf_ringbuf_submit_dynptr of a local dynptr: arg 1 is an unacquired reference',
  },
  {
    obj: `${P}ringbuf_dynptr_twice.bpf.o`,
    name: 'load',
    args: [],
    about: 'a ring buffer dynptr submitted, then discarded: the second release finds no reference',
  },
  {
    obj: `${P}lpm_bloom.bpf.o`,
    name: 'helpers',
    args: ['run:route', 'run:bloom', 'dump'],
    about: 'LPM trie and bloom filter through the map helpers from XDP: update flags, longest-prefix lookups, delete; bloom push flags and peeks with false positives',
  },
  {
    obj: `${P}perf.bpf.o`,
    name: 'output',
    args: ['pkt:iota', 'run:out', 'perf:events', 'run:flood', 'run:flood', 'perf:events', 'run:flood', 'perf:events', 'run:flood', 'run:flood', 'perf:events', 'dump'],
    about: 'bpf_perf_event_output from XDP: padded raw sizes, index/flag errors, packet bytes appended; a full per-CPU ring loses samples (-ENOSPC) and reports them in a PERF_RECORD_LOST before the next sample',
  },
  {
    obj: `${P}cgroup_storage.bpf.o`,
    name: 'runs',
    args: ['run:count', 'run:count', 'pkt:0102030405060708090a0b0c0d0e0f10', 'run:count', 'dump'],
    about: 'bpf_get_local_storage on shared and per-CPU cgroup storage: every test run starts from zeroed storage of its own',
  },
  {
    obj: `${P}cgroup_storage.bpf.o`,
    name: 'repeat',
    args: ['repeat:3', 'run:count', 'repeat:0', 'run:count', 'dump'],
    about: 'the repetitions of one test run share its cgroup storage (bpf_test_run allocates it once); the next test run starts from zeroed storage again',
  },
];
