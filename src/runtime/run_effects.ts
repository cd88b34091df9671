// What a test run did besides its return value: the side effects the kernel
// would act on after the program (bpf_redirect_info's target, clones already
// sent, the skb metadata a qdisc or the stack reads next, XDP metadata).
// Program.run() reports them; `tsbpf run` prints them.

import type { Arena } from '../memory/arena.js';
import type { PacketRun, RedirectEffect, TunnelInfo } from '../helpers/env.js';
import type { Host } from '../net/host.js';
import { SKB, XDP_MD } from './test_run.js';

export interface SkbMetadata {
  mark: number;
  priority: number;
  tcIndex: number;
  tcClassid: number;
  queueMapping: number;
  /** skb->hash, and whether the stack considers it valid (set_hash / get_hash_recalc) */
  hash: number;
  hashValid: boolean;
  /** skb->protocol in host order (0x0800 for IPv4) */
  protocol: number;
  /** the accelerated VLAN tag (bpf_skb_vlan_push), if present */
  vlan?: { proto: number; tci: number };
  /** bpf_skb_set_tunnel_key/opt: the metadata dst the tunnel device will use */
  tunnel?: TunnelInfo;
}

export interface RunEffectsReport {
  /** the redirect the kernel would perform (tc: TC_ACT_REDIRECT; XDP: XDP_REDIRECT) */
  redirect?: RedirectEffect & { device?: string };
  /** bpf_clone_redirect: copies already sent, in order */
  clones: { ifindex: number; ingress: boolean; data: Uint8Array; device?: string }[];
  skb?: SkbMetadata;
  /** XDP: the metadata in front of the packet (bpf_xdp_adjust_meta), data_meta..data */
  xdpMeta?: Uint8Array;
}

export function collectEffects(arena: Arena, host: Host, pkt: PacketRun): RunEffectsReport {
  const dv = arena.dv;
  const name = (ifindex: number): { device?: string } => {
    const d = host.dev(ifindex);
    return d ? { device: d.name } : {};
  };
  const out: RunEffectsReport = { clones: pkt.effects.clones.map((c) => ({ ...c, ...name(c.ifindex) })) };
  const r = pkt.effects.redirect;
  if (r) out.redirect = r.kind === 'ifindex' ? { ...r, ...name(r.ifindex) } : { ...r };
  if (pkt.skb) {
    const c = pkt.skb.ctx;
    const u32 = (off: number): number => dv.getUint32(c + off, true);
    const be = u32(SKB.protocol);
    const meta: SkbMetadata = {
      mark: u32(SKB.mark), priority: u32(SKB.priority), tcIndex: u32(SKB.tcIndex) & 0xffff,
      tcClassid: u32(SKB.tcClassid), queueMapping: u32(SKB.queueMapping) & 0xffff,
      hash: u32(SKB.hash), hashValid: pkt.skb.hashValid, protocol: ((be & 0xff) << 8) | ((be >> 8) & 0xff),
    };
    if (u32(SKB.vlanPresent)) {
      const vp = u32(SKB.vlanProto);
      meta.vlan = { proto: ((vp & 0xff) << 8) | ((vp >> 8) & 0xff), tci: u32(SKB.vlanTci) };
    }
    if (pkt.skb.tunnel) meta.tunnel = pkt.skb.tunnel;
    out.skb = meta;
  }
  if (pkt.xdp) {
    const m = dv.getUint32(pkt.xdp.ctx + XDP_MD.dataMeta, true);
    const d = dv.getUint32(pkt.xdp.ctx + XDP_MD.data, true);
    if (d > m) out.xdpMeta = arena.u8.slice(m, d);
  }
  return out;
}
