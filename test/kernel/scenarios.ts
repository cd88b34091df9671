// The kernel scenarios recorded as golden files beside their objects
// (test/kernel/scenarios/NAME.SCENARIO.kernel.out). `args` are what follows
// the object on `tsbpf run OBJ ...` and on the kernel runner's command line.
// tsbpf's own `run` is compared against the same goldens.

export interface KernelScenario {
  /** object path relative to the repo root */
  obj: string;
  /** golden name: the file is <obj base>.<name>.kernel.out */
  name: string;
  args: string[];
  /** what the scenario demonstrates, and what the golden must show */
  about: string;
}

const S = 'test/kernel/scenarios/';

export const KERNEL_SCENARIOS: readonly KernelScenario[] = [
  {
    obj: `${S}counter.bpf.o`,
    name: 'basic',
    args: ['dump', 'run:count', 'dump', 'run:minus1', 'run:rawtp', 'run:kp', 'run:tp', 'dump'],
    about: 'global data dump formats; u32 retval of -1; raw_tp with zero args; kprobe/tracepoint test-run is -ENOTSUPP',
  },
  {
    obj: `${S}counter.bpf.o`,
    name: 'pkt',
    args: ['pkt:iota', 'run-pkt:count', 'pkt:0102030405060708090a0b0c0d0e', 'run:count', 'run-pkt:minus1', 'dump'],
    about: 'pkt: sets the input of later runs; a syscall program has no packet (size=0 data=)',
  },
  {
    obj: `${S}counter.bpf.o`,
    name: 'close-maps',
    args: ['run:count', 'close-maps', 'run:count', 'dump'],
    about: 'programs keep writing .bss after every uref is gone; dump still reads current values',
  },
  {
    obj: `${S}counter.bpf.o`,
    name: 'no-hold',
    args: ['--no-hold', 'run:count', 'run:count', 'dump'],
    about: '--no-hold drops the maps after loading; global data keeps working',
  },
  {
    obj: `${S}pktmod.bpf.o`,
    name: 'rewrite',
    args: ['run-pkt:swap', 'pkt:iota', 'run-pkt:swap', 'run-pkt:swap', 'run:swap', 'run-pkt:trim', 'run-pkt:sum'],
    about: 'output packets; each run starts from the unmodified input; adjust_head shrinks the packet',
  },
  {
    obj: `${S}pktmod.bpf.o`,
    name: 'short',
    args: ['pkt:0102', 'run-pkt:swap', 'run:sum', 'pkt:0102030405060708090a0b0c0d0e0f', 'run-pkt:swap', 'run-pkt:sum'],
    about: 'a packet shorter than ETH_HLEN is refused by the test run (-EINVAL)',
  },
  {
    obj: `${S}timer.bpf.o`,
    name: 'hold',
    args: ['run:arm', 'sleep:5000', 'dump'],
    about: 'a 1 ms timer fires once while user space holds the map',
  },
  {
    obj: `${S}timer.bpf.o`,
    name: 'advance',
    args: ['run:arm', 'advance:5ms', 'dump'],
    about: 'advance: is a sleep on the kernel',
  },
  {
    obj: `${S}timer.bpf.o`,
    name: 'close-maps',
    args: ['run:arm', 'close-maps', 'sleep:5000', 'dump'],
    about: 'dropping the last uref of the timer map cancels the armed timer: the callback never runs',
  },
  {
    obj: `${S}timer.bpf.o`,
    name: 'close-map',
    args: ['run:arm', 'close-map:timers', 'sleep:5000', 'dump'],
    about: 'the same with only the timer map closed',
  },
  {
    obj: `${S}timer.bpf.o`,
    name: 'close-bss',
    args: ['run:arm', 'close-map:.bss', 'sleep:5000', 'dump'],
    about: 'closing another map (.bss, by section name) leaves the timer armed: it fires',
  },
  {
    obj: `${S}timer.bpf.o`,
    name: 'no-hold',
    args: ['--no-hold', 'run:arm', 'sleep:5000', 'dump'],
    about: 'bpf_timer_init on a map without urefs fails with -EPERM; set_callback/start then -EINVAL',
  },
  {
    obj: `${S}reject.bpf.o`,
    name: 'load',
    args: ['run:good', 'dump'],
    about: 'the verifier rejects `bad`: load=failed, errno, final verifier line, status 3, no steps run',
  },
  {
    obj: `${S}helpers_map.bpf.o`,
    name: 'basic',
    args: ['run:hash', 'run:hashnp', 'run:array', 'run:percpu', 'run:lookup', 'dump'],
    about: 'map helpers: NOEXIST/EXIST/F_LOCK/bad flags -> -EEXIST/-ENOENT/-EINVAL, full hash -> -E2BIG (prealloc and not), '
      + 'array index past the end -> -E2BIG (after the flags check, before NOEXIST), array delete -> -EINVAL, '
      + 'lookup_percpu_elem with cpu >= nr_cpu_ids -> NULL',
  },
  {
    obj: `${S}helpers_map.bpf.o`,
    name: 'rerun',
    args: ['run:hash', 'run:hash', 'run:array', 'run:array', 'dump'],
    about: 'the same checks on maps that already hold the first run\'s elements',
  },
  {
    obj: `${S}helpers_queue.bpf.o`,
    name: 'basic',
    args: ['run:queue', 'run:stack', 'dump'],
    about: 'queue/stack: pop/peek empty -> -ENOENT and zero the output, push full -> -E2BIG, '
      + 'NOEXIST/F_LOCK/flags > EXIST -> -EINVAL, BPF_EXIST on a full map drops the oldest',
  },
  {
    obj: `${S}helpers_misc.bpf.o`,
    name: 'basic',
    args: ['run:loop', 'run:printk', 'run:clocks', 'dump'],
    about: 'bpf_loop flags -> -EINVAL before nr_loops > 1<<23 -> -E2BIG; trace_printk lengths and -EINVAL formats; '
      + 'clock orderings, prandom, cpu id (CPU-count independent)',
  },
  {
    obj: `${S}helpers_misc.bpf.o`,
    name: 'inline',
    args: ['run:loop_inline', 'dump'],
    about: 'bpf_loop with flags the constant 0 is inlined by the verifier; its -E2BIG is a 32-bit move (4294967289)',
  },
  {
    obj: `${S}helpers_xdp.bpf.o`,
    name: 'basic',
    args: ['run:head', 'run:tail', 'run:bytes', 'run:tail_call', 'dump'],
    about: 'xdp_adjust_head/tail at and one past their limits, load/store_bytes -EINVAL/-EFAULT, get_buff_len; '
      + 'tail_call to an empty slot or past max_entries falls through',
  },
  {
    obj: `${S}helpers_xdp.bpf.o`,
    name: 'pkt',
    args: ['pkt:iota', 'run-pkt:head', 'run-pkt:tail', 'run-pkt:bytes', 'run-pkt:tail_call'],
    about: 'the packets those XDP programs leave: moved head, zeroed grown tail, stored bytes',
  },
  {
    obj: `${S}helpers_coarse.bpf.o`,
    name: 'load',
    args: ['run:coarse', 'dump'],
    about: 'bpf_ktime_get_coarse_ns is refused in a syscall program (networking programs only)',
  },
];
