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

/** little-endian fields at byte offsets -> hex of a ctx_in of `size` bytes (trailing bytes allowed) */
export function ctxHex(size: number, fields: Record<number, number | bigint>, width: Record<number, number> = {}): string {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  for (const [off, v] of Object.entries(fields)) {
    const o = Number(off);
    if ((width[o] ?? 4) === 8) dv.setBigUint64(o, BigInt(v), true);
    else dv.setUint32(o, Number(v), true);
  }
  return Buffer.from(b).toString('hex');
}

/** an Ethernet frame: dst, src MAC, ethertype, then `payload` bytes of i & 0xff */
export function frameHex(dst: string, ethertype: number, payload = 50, src = '0a0000000001'): string {
  const p = Buffer.alloc(payload);
  for (let i = 0; i < payload; i++) p[i] = (i + 14) & 0xff;
  return dst + src + ethertype.toString(16).padStart(4, '0') + p.toString('hex');
}

// __sk_buff offsets: mark 8, priority 32, ingress_ifindex 36, ifindex 40, cb 48.., tc_index 44,
// tstamp 152, wire_len 160, gso_segs 164, gso_size 176, hwtstamp 184, len 0
/** Ethernet + IPv4 + TCP with valid checksums (10.0.0.1:40000 -> 10.0.0.2:80, "hello, tsbpf!!") */
export const TCP4_FRAME = '02000000000202000000000a08004500003600000000400666c00a0000010a0000029c40005000000001000000005018020093ce000068656c6c6f2c2074736270662121';
/** Ethernet + IPv6 (next header 59, no payload beyond 8 bytes) */
const IP6_FRAME = '02000000000202000000000a86dd6000000000083b40fd000000000000000000000000000001fd000000000000000000000000000002' + '0102030405060708';
/** the IPv4 frame with TOS = ecn; the IPv6 frame with traffic-class nibbles `tc` */
const ECN4 = (ecn: number): string => `pkt:${TCP4_FRAME.slice(0, 30)}0${ecn}${TCP4_FRAME.slice(32)}`;
const ECN6 = (tc: string): string => `pkt:${IP6_FRAME.slice(0, 30)}${tc}${IP6_FRAME.slice(32)}`;
/** the IPv4 frame with an 802.1Q tag (VID 3) */
const VLAN_FRAME = TCP4_FRAME.slice(0, 24) + '81000003' + TCP4_FRAME.slice(24);

const SKB_CTX_OK = ctxHex(192, { 8: 5, 32: 6, 36: 3, 40: 1, 48: 10, 64: 20, 152: 1000, 160: 100, 164: 2, 176: 1400, 184: 77 }, { 152: 8, 184: 8 });

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
    obj: `${S}testrun.bpf.o`,
    name: 'skb',
    args: [
      'pkt:iota', 'run-pkt:sf_len', 'run:sf_proto', 'run:tc_info', 'run:tc_proto',
      `pkt:${frameHex('000000000000', 0x0800)}`, 'run-pkt:sf_len', 'run:sf_proto', 'run:tc_info', 'run:tc_proto',
      `pkt:${frameHex('ffffffffffff', 0x86dd)}`, 'run:sf_proto', 'run:tc_info',
      `pkt:${frameHex('010000000000', 0x0000)}`, 'run:sf_proto',
      `pkt:${frameHex('000000000000', 0x0100, 2).replace(/0e0f$/, 'ffff')}`, 'run-pkt:sf_proto', 'run-pkt:tc_proto',
      'pkt:0102030405060708090a0b0c0d0e', 'run-pkt:sf_len', 'run-pkt:tc_info',
    ],
    about: 'socket filters see skb->len without the Ethernet header (64 -> 50) and get it back zeroed; '
      + 'skb->protocol as eth_type_trans sets it (network order; 802.3 raw / 802.2 below 0x600); pkt_type host/broadcast/multicast/otherhost; ifindex 1',
  },
  {
    obj: `${S}testrun.bpf.o`,
    name: 'ctx',
    args: [
      'pkt:iota', 'ctx:out', 'run-pkt:tc_meta', 'run:tc_info', 'run:sf_len',
      `ctx:${SKB_CTX_OK}`, 'run-pkt:tc_meta', 'run:tc_info', 'run:tc_wire', 'run:sf_len',
      `ctx:${ctxHex(192, { 0: 1 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 44: 1 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 72: 1 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 180: 1 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 40: 0x7fff0000 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 160: 10 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 160: 65537 })}`, 'run:tc_info',
      `ctx:${ctxHex(192, { 164: 65536 })}`, 'run:tc_info',
      `ctx:${ctxHex(200, { 8: 1 })}`, 'run:tc_info',
      `ctx:${ctxHex(200, { 196: 1 })}`, 'run:tc_info',
      `ctx:${ctxHex(16, { 8: 9 })}`, 'run-pkt:tc_meta',
    ],
    about: '__sk_buff ctx_in: mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp accepted; '
      + 'any other field -EINVAL, unknown ifindex -ENODEV, wire_len/gso_segs limits, non-zero tail past 192 -E2BIG; ctx_out writes back the kernel\'s fields',
  },
  {
    obj: `${S}testrun.bpf.o`,
    name: 'xdp',
    args: [
      'pkt:iota', 'run:xdp_info', 'ctx:out', 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 64 })}`, 'run-pkt:xdp_info',
      `ctx:${ctxHex(24, { 0: 8, 4: 64 })}`, 'run-pkt:xdp_info',
      `ctx:${ctxHex(24, { 0: 32, 4: 64, 12: 1 })}`, 'run-pkt:xdp_info',
      `ctx:${ctxHex(24, { 0: 36, 4: 64 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 0: 6, 4: 64 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 63 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 64, 8: 1 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 64, 16: 1 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 64, 12: 1, 16: 1 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 64, 12: 0x7fff0000 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 64, 20: 1 })}`, 'run:xdp_info',
      `pkt:iota:4000`, `ctx:${ctxHex(24, { 0: 32, 4: 4000 })}`, 'run:xdp_len', 'run:xdp_info',
      `ctx:${ctxHex(24, { 0: 216, 4: 4000 })}`, 'run:xdp_info', `ctx:${ctxHex(24, { 0: 220, 4: 4000 })}`, 'run:xdp_info',
      `ctx:${ctxHex(24, { 4: 10 })}`, 'run:xdp_len', `ctx:${ctxHex(24, { 4: 0 })}`, 'run-pkt:xdp_len',
      'pkt:iota:20', `ctx:${ctxHex(24, { 0: 8, 4: 20 })}`, 'run:xdp_len', `ctx:${ctxHex(24, { 0: 4, 4: 18 })}`, 'run:xdp_len',
      'ctx:none', 'pkt:iota', 'flags:4', 'run:xdp_info', 'flags:1', 'run:xdp_info', 'run:tc_info', 'flags:8', 'run:tc_info', 'flags:0',
      'pkt:iota:3520', 'run:xdp_len', 'pkt:iota:3521', 'run:xdp_len', 'pkt:iota:5000', 'run:xdp_len', 'run-pkt:xdp_len', 'run:xdp_info',
      'pkt:iota:13', 'run:xdp_len',
      'pkt:iota:5000', 'run-pkt:xdp_frags', 'dump', 'pkt:iota:3700', 'run-pkt:xdp_frags', 'dump',
    ],
    about: 'xdp_md ctx_in: data = metadata length (<= 32, 4-aligned, part of data_in), data_end = size, data_meta 0, '
      + 'ingress_ifindex must exist, rx_queue_index below its queues, egress_ifindex 0; ctx_out relative offsets; '
      + 'flags other than LIVE_FRAMES -EINVAL (any for skb); a packet past the page goes to frags (get_buff_len)',
  },
  {
    obj: `${S}testrun.bpf.o`,
    name: 'repeat',
    args: [
      'pkt:iota', 'repeat:3', 'run-pkt:tc_bump', 'repeat:0', 'run-pkt:tc_bump', 'repeat:2', 'run:sys_none', 'run:raw_read',
      'repeat:1', 'run-pkt:sf_len', 'size-out:10', 'run-pkt:tc_bump', 'run:tc_bump', 'size-out:64', 'run-pkt:tc_bump',
      'size-out:0', 'repeat:0',
      'run:sys_none', 'run:sys_read', 'run:raw_read',
      'ctx:0000000005000000', 'run:sys_read', 'ctx:00000000', 'run:sys_read', 'ctx:000000000500000000', 'run:sys_read',
      'ctx:00000000000000000900000000000000', 'run:raw_read', 'ctx:0000000000000000', 'run:raw_read',
      'ctx:out', 'run:sys_none',
    ],
    about: 'repeat runs the program on one skb (the payload byte is bumped 3 times); syscall and raw_tp refuse repeat; '
      + 'data_size_out below the output -ENOSPC; a syscall or raw_tp program that reads its ctx needs ctx_size_in >= max_ctx_offset, '
      + 'else -EINVAL; the syscall ctx comes back in ctx_in; ctx_out for a syscall program -EINVAL',
  },
  {
    obj: `${S}helpers_skb.bpf.o`,
    name: 'basic',
    args: [`pkt:${TCP4_FRAME}`, 'run-pkt:bytes', 'run-pkt:csum', 'run:diff', 'run-pkt:grow', 'run-pkt:proto', 'run-pkt:room', 'run-pkt:vlan', 'run:meta', 'run-pkt:redir', 'dump'],
    about: 'tc skb helpers on an IPv4/TCP frame: load/store bytes (flags, bounds), l3/l4_csum_replace (4, 2, 0 with csum_diff) keeping the checksums valid, '
      + 'csum_diff folded to 16 bits, change_tail/head/pull/type, change_proto 4->6->4, adjust_room modes and encap/decap flags, '
      + 'VLAN push twice/pop twice, hash and csum_level metadata, redirect flag checks, clone_redirect, check_mtu',
  },
  {
    obj: `${S}helpers_skb.bpf.o`,
    name: 'other',
    args: [`pkt:${IP6_FRAME}`, 'run-pkt:proto6', 'run-pkt:proto', 'run-pkt:room', 'run-pkt:vlan', `pkt:${VLAN_FRAME}`, 'run-pkt:vlan', 'run-pkt:bytes', 'run-pkt:room',
      'pkt:iota', 'run-pkt:room', 'run-pkt:proto', 'run-pkt:grow', 'pkt:0102030405060708090a0b0c0d0e', 'run-pkt:grow', 'run-pkt:bytes', 'run-pkt:vlan', 'dump'],
    about: 'the same helpers on IPv6, VLAN-tagged, non-IP and 14-byte frames: change_proto 6->4, adjust_room on IPv6 and non-IP (-ENOTSUPP), '
      + 'popping an in-packet 802.1Q tag, bounds on a minimal frame',
  },
  {
    obj: `${S}fib.bpf.o`,
    name: 'host',
    args: ['--host', `${S}fib.host.json`, `pkt:${TCP4_FRAME}`, 'run:fib_tc', 'dump', 'run:fib_xdp', 'dump'],
    about: 'bpf_fib_lookup (IPv4 and IPv6, tc and XDP) against a network namespace built from fib.host.json: gateway and connected routes, '
      + 'blackhole/unreachable/prohibit/local/no-route codes, NO_NEIGH with the gateway in dst, SKIP_NEIGH, SRC, DIRECT+TBID, OUTPUT, '
      + 'a locked route MTU (FRAG_NEEDED), -ENODEV, bad plen/flags/family; bpf_check_mtu on the host devices',
  },
  {
    obj: `${S}sock.bpf.o`,
    name: 'host',
    args: ['--host', `${S}sock.host.json`, `pkt:${TCP4_FRAME}`, 'run:lookup_tc', 'dump', 'run:lookup_xdp', 'dump'],
    about: 'bpf_sk_lookup_tcp/udp and bpf_skc_lookup_tcp (tc and XDP) against real sockets the runner opens in a namespace built from sock.host.json: '
      + 'TCP listeners (v4, v6, dual-stack ::), both ends of v4 and v6 connections, bound and connected UDP; bpf_sock fields (LOOPBACK4_IPV6 and '
      + 'v4-mapped addresses included), bpf_sk_fullsock, bpf_tcp_sock (fresh cwnd/ssthresh), bpf_get_listener_sock; NULL for flags, '
      + 'tuple sizes other than 12/36, netns ids 0, 1 and 2^32, found for netns 0xffffffff and 0x80000000',
  },
  {
    obj: `${S}skc.bpf.o`,
    name: 'host',
    args: ['--host', `${S}sock.host.json`, `pkt:${TCP4_FRAME}`, 'run:skc_tc', 'dump'],
    about: 'the bpf_skc_to_*() casts (tcp, tcp6, tcp_timewait, tcp_request, udp6, unix, mptcp) on looked-up TCP listeners and '
      + 'connections (v4, v6, dual-stack ::), bound and connected UDP (v4, v6) and a sock_common from bpf_skc_lookup_tcp: which casts '
      + 'give a pointer, and CO-RE reads through the kernel structs (sock_common family/state/ports/addresses, sk_type/sk_protocol, '
      + 'inet_sport, tcp_sock cwnd/ssthresh, a listener\'s srtt_us/total_retrans, v6 addresses of tcp6_sock/udp6_sock)',
  },
  {
    obj: `${S}netns.bpf.o`,
    name: 'basic',
    args: [`pkt:${TCP4_FRAME}`, 'run:tc_cookie', 'run:sf_cookie_prog', 'dump'],
    about: 'bpf_get_netns_cookie from tc and a socket filter: NULL ctx = init_net\'s cookie (3), the test-run skb socket\'s namespace '
      + '(the runner\'s: init_net), stable, not the socket cookie',
  },
  {
    obj: `${S}cgarray.bpf.o`,
    name: 'empty',
    args: ['update:cg:00000000:ffffffff', 'update:cg:02000000:ffffffff', `pkt:${TCP4_FRAME}`, 'run:under_tc', 'dump'],
    about: 'BPF_MAP_TYPE_CGROUP_ARRAY from user space: a value that is not a cgroup fd -EBADF, an index past max_entries -E2BIG; '
      + 'bpf_skb_under_cgroup / bpf_current_task_under_cgroup on empty slots -EAGAIN, past max_entries (2, 0xffffffff) -E2BIG',
  },
  {
    obj: `${S}tunnel.bpf.o`,
    name: 'basic',
    args: ['pkt:iota', 'run:tun', 'dump'],
    about: 'bpf_skb_set/get_tunnel_key and _opt: no metadata on a test-run skb (-EINVAL, -ENOENT), flag/size/label/tunnel_ext checks, '
      + 'read-back after set (remote and local swapped, tun_flags as __be16 with BPF_F_TUNINFO_FLAGS), -EPROTO for the other family, '
      + 'the old key layouts (8 and 24 bytes), options (multiple of 4, at most 255, -ENOMEM for a short buffer, dropped by a new key)',
  },
  {
    obj: `${S}skbsock.bpf.o`,
    name: 'basic',
    args: [ECN4(2), 'run-pkt:ecn', ECN4(1), 'run-pkt:ecn', ECN4(3), 'run-pkt:ecn', `pkt:${TCP4_FRAME}`, 'run-pkt:ecn',
      ECN6('20'), 'run-pkt:ecn', ECN6('10'), 'run-pkt:ecn', `pkt:${IP6_FRAME}`, 'run-pkt:ecn',
      'pkt:02000000000202000000000a0800450000360000', 'run-pkt:ecn', 'pkt:iota', 'run-pkt:ecn', 'run:info', 'dump'],
    about: 'bpf_skb_ecn_set_ce on IPv4 ECT(0)/ECT(1)/CE/not-ECT (incremental header checksum), IPv6 ECT/not-ECT, non-IP; an IPv4 frame '
      + 'shorter than its IP header is refused by the test run (-EINVAL); the test-run skb socket: cookie non-zero and stable, uid 0, '
      + 'cgroup = the current task\'s, ancestor 0 = the root, none past its own level or at a negative one',
  },
  {
    obj: `${S}syncookie.bpf.o`,
    name: 'always',
    args: ['--host', `${S}syncookie.host.json`, 'pkt:iota', 'run:cookies', 'dump'],
    about: 'net.ipv4.tcp_syncookies=2: bpf_tcp_gen_syncookie on IPv4/IPv6 listeners (MSS option to msstab: 1460, 1400->1300, 100->536, '
      + 'none->536, 9000->1460; IPv6 1500->1440, none->1220), every cookie validates with bpf_tcp_check_syncookie and is refused off by one '
      + '(-ENOENT); th_len/doff/flag/iph_len checks (-EINVAL, -ENOENT), version 5 (-EPROTONOSUPPORT), an IPv6 header on an IPv4 listener and '
      + 'an IPv4 one on a listener bound to ::1 (v6only) -EINVAL, not a listener -EINVAL; bpf_sk_assign in a test run: -EOPNOTSUPP, flags -EINVAL',
  },
  {
    obj: `${S}syncookie.bpf.o`,
    name: 'default',
    args: ['--host', `${S}syncookie1.host.json`, 'pkt:iota', 'run:cookies', 'dump'],
    about: 'net.ipv4.tcp_syncookies=1 (the default): no SYN flood, so no cookie is made (-ENOENT) and none is checked',
  },
  {
    obj: `${S}skb_sk.bpf.o`,
    name: 'basic',
    args: [`pkt:${TCP4_FRAME}`, 'run:sk_tc', 'dump', 'run:sk_sock', 'dump', 'run:sk_cg', 'dump', `pkt:${IP6_FRAME}`, 'run:sk_tc', 'dump', 'pkt:iota', 'run:sk_tc', 'dump'],
    about: '__sk_buff->sk in a test run (tc, socket filter, cgroup skb): the socket BPF_PROG_TEST_RUN makes for the skb, TCP_CLOSE, '
      + 'AF_INET/AF_INET6 with the packet\'s addresses or AF_UNSPEC, no type/protocol/ports, rx_queue_mapping -1; a full socket, '
      + 'not a tcp_sock, not a listener',
  },
  {
    obj: `${S}skb_sk.bpf.o`,
    name: 'cgroup',
    args: ['--host', `${S}sock.host.json`, `pkt:${TCP4_FRAME}`, 'run:sk_cgid', 'dump'],
    about: 'bpf_sk_cgroup_id / bpf_sk_ancestor_cgroup_id (cgroup skb) on __sk_buff->sk and on a looked-up listener: the current task\'s '
      + 'cgroup, the root at level 0, nothing past the socket\'s level or at a negative one',
  },
  {
    obj: `${S}helpers_xdpnet.bpf.o`,
    name: 'maps',
    args: ['--host', `${S}fib.host.json`,
      'update:devs:01000000:0200000000000000', 'update:devs:02000000:0300000000000000', 'update:devs:03000000:6300000000000000',
      'update:devs:04000000:0200000000000000', 'update:devs:00000000:0000000000000000', 'update:devs:00000000:00000000ffffffff',
      'update:devh:07000000:03000000', 'update:devh:08000000:00000000', 'update:cpus:00000000:0001000000000000',
      'update:cpus:00000000:0100010000000000',
      'run:rmap', 'run-pkt:meta', 'run:redir', 'dump'],
    about: 'XDP redirect maps filled from user space (devices must exist; ifindex 0 empties a DEVMAP slot, -E2BIG past max_entries; '
      + 'qsize 0 empties a CPUMAP slot, qsize > 16384 -EOVERFLOW), bpf_redirect_map hits/misses/flags/broadcast, devmap lookups, '
      + 'xdp_adjust_meta limits and the metadata in data_out, XDP bpf_redirect flags and bpf_check_mtu',
  },
  {
    obj: `${S}pkt_invalidate.bpf.o`,
    name: 'load',
    args: ['run:t'],
    about: 'a packet pointer used after bpf_skb_store_bytes (a helper that changes packet data) is a scalar: R6 invalid mem access',
  },
  {
    obj: `${S}helpers_coarse.bpf.o`,
    name: 'load',
    args: ['run:coarse', 'dump'],
    about: 'bpf_ktime_get_coarse_ns is refused in a syscall program (networking programs only)',
  },
  {
    obj: `${S}kfuncs.bpf.o`,
    name: 'ct',
    args: ['pkt:iota', 'run-pkt:rcu', 'run-pkt:ct_errors', 'run-pkt:xdp_ct_miss', 'run-pkt:ct_insert', 'run-pkt:ct_hit', 'run-pkt:ct_fields', 'dump'],
    about: 'kfuncs: RCU lock/unlock; conntrack lookup errors (-ENOENT, -EPROTO, -EAFNOSUPPORT), alloc + set_timeout/set_status + insert (ct->mark written before insertion), then a hit from the reply direction (opts.dir 1) and change_timeout; struct nf_conn fields read directly (status, mark, timeout, both tuplehash directions) and ct->mark written',
  },
  {
    obj: `${S}dynptrs.bpf.o`,
    name: 'basic',
    args: ['pkt:iota', 'run-pkt:skb_prog', 'run-pkt:xdp_prog', 'run-pkt:local_prog', 'dump'],
    about: 'skb/xdp/local dynptrs: slices, read/write (the output packet shows the writes), adjust/clone/size, bpf_dynptr_data, error returns',
  },
  {
    obj: `${S}task_storage.bpf.o`,
    name: 'basic',
    args: ['run:peek', 'dump', 'run:touch', 'run:touch', 'run:peek', 'dump', 'run:del', 'run:peek', 'run:create_zeroed', 'dump'],
    about: 'task local storage of the running task (bpf_get_current_task_btf): created from an initial value with F_CREATE, found again by the next run; NULL without F_CREATE, for flags 2 and a NULL task; delete 0 then -ENOENT, -EINVAL for NULL; created zeroed from a NULL value',
  },
  {
    obj: `${S}stackid.bpf.o`,
    name: 'basic',
    args: ['task:kstack=0xffffffff81000010;0xffffffff81000020;0xffffffff81000030,ustack=0x401000;0x402000', 'run:stackid', 'run:user', 'dump'],
    about: 'bpf_get_stackid in a one-bucket STACK_TRACE map: id 0, found again, a shorter trace collides (-EEXIST), BPF_F_REUSE_STACKID needs a free element (-ENOMEM), FAST_STACK_CMP still -EEXIST, flags -EINVAL, skip past the trace -EFAULT; user stacks get ids (the kernel ignores task:, its task is the runner)',
  },
  {
    obj: `${S}snprintf.bpf.o`,
    name: 'basic',
    args: ['run:fmt', 'dump'],
    about: 'bpf_snprintf output and returns: widths/flags/sizes, %s %c %%, %pI4 %pi4 %pI6 %pi6, truncation (whole length + 1), NULL buffer of size 0, an unreadable %s argument printed empty, -EINVAL past 12 arguments; bpf_trace_vprintk returns the formatted length, -EINVAL past 12',
  },
  {
    obj: `${S}cgrp_storage.bpf.o`,
    name: 'basic',
    args: ['run:look', 'dump', 'run:touch', 'run:touch', 'run:look', 'dump', 'run:del', 'run:look', 'dump'],
    about: 'cgroup local storage of the current cgroup (bpf_cgroup_from_id + bpf_cgroup_release): created from an initial value with F_CREATE, found again, deleted (0 then -ENOENT); NULL for a NULL cgroup; an unknown cgroup id gives no cgroup',
  },
  {
    obj: `${S}sk_storage.bpf.o`,
    name: 'host',
    args: ['--host', `${S}sock.host.json`, `pkt:${TCP4_FRAME}`, 'run:look', 'run:touch', 'run:touch', 'run:look', 'dump', 'run:del', 'run:look', 'dump'],
    about: 'socket local storage of the listener 127.0.0.1:8080 (bpf_sk_lookup_tcp): created from an initial value with F_CREATE, found again by the next run; NULL for flags 2; delete 0 then -ENOENT',
  },
  {
    obj: `${S}user_ringbuf.bpf.o`,
    name: 'drain',
    args: ['run:drain', 'user-ringbuf:urb:0100000000000000', 'user-ringbuf:urb:0200000000000000', 'user-ringbuf:urb:0102',
      'user-ringbuf-discard:urb:0500000000000000', 'user-ringbuf:urb:ff00000000000000', 'user-ringbuf:urb:0300000000000000',
      'run:drain', 'dump', 'run:drain_nested', 'dump', 'user-ringbuf:urb:0400000000000000', 'run:drain_flags', 'dump', 'ringbuf:echo'],
    about: 'bpf_user_ringbuf_drain: samples from user space reach the callback as a dynptr (bpf_dynptr_read/data/size), a discarded one is skipped, a 2-byte one gives -E2BIG, returning 1 stops after the sample, -EBUSY from a nested drain, -EINVAL for flags 4',
  },
  {
    obj: `${S}ksyms.bpf.o`,
    name: 'basic',
    args: ['run:ksyms', 'dump'],
    about: 'a typeless .ksyms variable resolves to a non-zero address; unknown __weak ones (typeless and typed) are 0',
  },
  {
    obj: `${S}unknown_kfunc.bpf.o`,
    name: 'load',
    args: [],
    about: "libbpf: extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs; the load fails with -EINVAL",
  },
  {
    obj: `${S}weak_kfunc.bpf.o`,
    name: 'load',
    args: [],
    about: 'an unresolved __weak kfunc called on a reachable path: the verifier refuses the imm-0 call at fixup',
  },
  {
    obj: `${S}ksym_strong.bpf.o`,
    name: 'load',
    args: [],
    about: "libbpf: extern 'tsbpf_no_such_symbol' (strong): not resolved (-ESRCH)",
  },
  {
    obj: `${S}ksym_typed_strong.bpf.o`,
    name: 'load',
    args: [],
    about: "libbpf: extern (var ksym) 'tsbpf_no_such_var': not found in kernel BTF (-EINVAL)",
  },
  {
    obj: `${S}ksym_incompat.bpf.o`,
    name: 'load',
    args: [],
    about: "libbpf: extern (var ksym) 'bpf_prog_active': incompatible types (a struct declared, the kernel's is an int): -EINVAL before the load",
  },
  {
    obj: `${S}map_ptr.bpf.o`,
    name: 'fields',
    args: ['run:read_fields', 'dump', 'run:bounded_by_max', 'dump'],
    about: 'struct bpf_map / bpf_array read through map pointers (CO-RE): type, sizes, max_entries, flags, numa_node, BTF ids, name, bypass_spec_v1 (array maps only), frozen, map_extra, elem_size, index_mask',
  },
  {
    obj: `${S}iter.bpf.o`,
    name: 'load',
    args: ['run:count_tasks', 'run:sum_entries', 'dump'],
    about: 'iterator programs (iter/task, iter/bpf_map) load with their BTF-typed context; BPF_PROG_TEST_RUN of an iterator is -EFAULT (bpf_prog_test_run_tracing runs fentry/fexit/fmod_ret only)',
  },
];
