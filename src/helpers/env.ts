// What helper implementations may ask of the runtime. The runtime implements
// this once per Runtime; `createHelpers(env)` (helpers/index.ts) turns it into
// the id -> HelperFn table the engines call. Per-run state (which program,
// which XDP buffer) is read through the `current*` accessors at call time.

import type { Arena } from '../memory/arena.js';
import type { BpfMap, MapEnv } from '../maps/map.js';
import type { Clock } from '../timers/clock.js';
import type { BpfTimerTable, BpfTimerProg, BpfTimerMap } from '../timers/bpf_timer.js';
import type { SimMemory, Task } from '../runtime/task.js';

/** What a tracing trigger tells helpers about the probe that fired. */
export interface TraceRun {
  /** bpf_get_func_ip */
  funcIp?: bigint;
  /** bpf_get_attach_cookie */
  cookie?: bigint;
}

/** The XDP buffer of a test run (the kernel's struct xdp_buff, simplified). */
export interface XdpBuff {
  /** arena address of the struct xdp_md the program got (data, data_end, data_meta are u32 at 0, 4, 8) */
  readonly ctx: number;
  /** lowest address data/data_meta may move to (start of the headroom) */
  readonly hardStart: number;
  /** highest address data_end may move to (end of the tailroom) */
  readonly frameEnd: number;
  /** fragments past the linear part (a multi-buffer frame): arena address and length of each */
  frags?: { addr: number; len: number; size: number }[];
}

/**
 * The sk_buff of a tc / socket-filter test run. The program's struct
 * __sk_buff (at ctx) holds the fields it reads and writes directly (len,
 * mark, priority, data, data_end, ...); the rest of the kernel's sk_buff
 * lives here. The linear data is one arena block [head, end); helpers that
 * grow the packet may replace it (the verifier has invalidated packet
 * pointers after them).
 */
export interface SkbBuff {
  readonly ctx: number;
  readonly progType: number;
  /** the arena block of the linear data: [head, end) */
  head: number;
  end: number;
  /** skb->mac_header and skb->network_header as arena addresses (they move with the data) */
  mac: number;
  net: number;
  /** skb->l4_hash / sw_hash: the hash field is valid */
  hashValid: boolean;
  /** skb->ip_summed: CHECKSUM_NONE or CHECKSUM_UNNECESSARY (with csum_level) */
  csumUnnecessary: boolean;
  csumLevel: number;
  /** skb->encapsulation (set by bpf_skb_adjust_room's encap flags) */
  encapsulation: boolean;
  /** the tunnel metadata set by bpf_skb_set_tunnel_key/opt (skb_dst set to a metadata dst) */
  tunnel?: TunnelInfo;
  /**
   * the cookie of the run's skb->sk: BPF_PROG_TEST_RUN gives every skb a
   * socket of its own (created by the current task, uid 0); its cookie is
   * made on first use, as sock_gen_cookie does
   */
  sockCookie?: bigint;
  /** arena address of that socket's struct bpf_sock (__sk_buff->sk) */
  sk?: number;
}

export interface TunnelInfo {
  /** tunnel id (vni), host order */
  id: number;
  family: 4 | 6;
  /** remote endpoint, network-order bytes */
  remote: Uint8Array;
  /** local endpoint, network-order bytes (BPF_F_TUNINFO_IPV6 / 0 for v4) */
  local: Uint8Array;
  tos: number;
  ttl: number;
  label: number;
  /** ip_tunnel_key.tun_flags: the IP_TUNNEL_*_BIT bits (CSUM 0, KEY 2, SEQ 3, DONT_FRAGMENT 8, GENEVE_OPT 11, NOCACHE 13, ...) */
  flags: number;
  options?: Uint8Array;
  /**
   * IP_TUNNEL_INFO_TX: set by bpf_skb_set_tunnel_key (the key's src is the
   * local end). Metadata a test gives a received packet (rx) has the sender
   * as src; bpf_skb_get_tunnel_key reports src as remote either way, as the kernel does.
   */
  tx?: boolean;
}

/** What a run asked the kernel to do with the packet afterwards (bpf_redirect_info and friends). */
export interface RunEffects {
  redirect?: RedirectEffect;
  /** bpf_clone_redirect: copies sent immediately, in call order */
  clones: { ifindex: number; ingress: boolean; data: Uint8Array }[];
}

export type RedirectEffect =
  | { kind: 'ifindex'; ifindex: number; ingress: boolean; peer?: boolean; neigh?: { family: 4 | 6; addr: Uint8Array }; viaNeigh?: boolean }
  | { kind: 'map'; mapType: number; mapId: number; mapName: string; key: number; flags: number; targets: number[] };

/** The packet context of the running program. */
export interface PacketRun {
  xdp?: XdpBuff;
  skb?: SkbBuff;
  effects: RunEffects;
}

/** A live map as helpers see it: its ops, plus what the timer table asks (user refs, keyOf). */
export interface HelperMap extends BpfTimerMap {
  readonly map: BpfMap;
}

export interface HelperEnv {
  readonly arena: Arena;
  readonly clock: Clock;
  /** the bpf_timer table */
  readonly timers: BpfTimerTable<HelperMap, BpfTimerProg>;
  /** the maps of this runtime (ring buffer samples are found by address, as the kernel does from the record header) */
  readonly mapEnv?: MapEnv;
  /** the map a register value (a map pointer from ld_imm64 or an inner-map lookup) stands for */
  mapFromPtr(ptr: number): HelperMap | undefined;
  /** the program running now (bpf_timer_set_callback takes a reference on it) */
  currentProg(): BpfTimerProg;
  /** an object that identifies the run in progress (per-run storage: bpf_get_local_storage) */
  currentRun?(): object | undefined;
  /** the XDP buffer of the running program, if it is an XDP run */
  currentXdp(): XdpBuff | undefined;
  /** the packet run of the running program (XDP buffer or sk_buff, and side effects), if any */
  currentPacket(): PacketRun | undefined;
  /** the simulated host (interfaces, routes, neighbours, sockets, cgroups) */
  readonly host: import('../net/host.js').Host;
  /** a bpf_trace_printk line (already formatted) */
  trace(line: string): void;
  /** bpf_get_prandom_u32 */
  prandomU32(): number;
  /**
   * bpf_timer_start armed a timer: where softirqs are enabled (a SEC("syscall")
   * program, not a timer callback) one that is already due runs right away.
   */
  timerStarted?(): void;
  /** the simulated current task (pid, uid, comm, ...) */
  currentTask(): Task;
  /** kernel and user memory for bpf_probe_read_* */
  readonly memory: SimMemory;
  /** the tracing trigger running now, if any */
  currentTrace(): TraceRun | undefined;
  /** bpf_per_cpu_ptr: CPU `cpu`'s copy of the per-CPU variable at `ptr` (0: no such CPU) */
  percpuPtr?(ptr: number, cpu: number): number;
  /** the program stored in a prog_array slot, as an opaque tail-call target */
  tailCallTarget(map: BpfMap, index: number): unknown;
}
