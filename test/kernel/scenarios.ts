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
];
