// bpf_fib_lookup's walk over the simulated host (bpf_ipv4_fib_lookup and
// bpf_ipv6_fib_lookup in net/core/filter.c): the route by longest prefix
// (local table first, then main; BPF_FIB_LOOKUP_DIRECT: main or the TBID
// table only), its type mapped to a BPF_FIB_LKUP_RET_* code, the MTU check,
// the source address, and the neighbour's MAC. `params` is the program's
// struct bpf_fib_lookup (64 bytes), updated in place as the kernel does.

import * as N from '../uapi/bpf_net.js';
import { ENODEV } from '../uapi/errno.js';
import type { Family } from './addr.js';
import { prefixMatch, RT_TABLE_LOCAL, RT_TABLE_MAIN, type Host, type Route } from './host.js';

// struct bpf_fib_lookup offsets
const TOT_LEN = 6, IFINDEX = 8, RT_METRIC = 12, SRC = 16, DST = 32, VLAN_PROTO = 48, VLAN_TCI = 50, TBID = 48, SMAC = 52, DMAC = 58;

function lookupTable(host: Host, family: Family, dst: Uint8Array, table: number, oif: number): Route | undefined {
  let best: Route | undefined;
  for (const r of host.routes) {
    if (r.family !== family || r.table !== table || !prefixMatch(dst, r.dst, r.prefix)) continue;
    if (oif && r.ifindex !== oif) continue;
    if (!best || r.prefix > best.prefix || (r.prefix === best.prefix && r.metric < best.metric)) best = r;
  }
  return best;
}

/** Returns a BPF_FIB_LKUP_RET_* code or -ENODEV; updates params. */
export function fibLookup(host: Host, params: Uint8Array, flags: number, checkMtu: boolean): number {
  const dv = new DataView(params.buffer, params.byteOffset, params.byteLength);
  const family: Family = params[0] === N.AF_INET6 ? 6 : 4;
  const alen = family === 4 ? 4 : 16;
  const dev = host.dev(dv.getUint32(IFINDEX, true));
  if (!dev) return -ENODEV;
  if (!(family === 4 ? host.forwarding.ipv4 : host.forwarding.ipv6)) return N.BPF_FIB_LKUP_RET_FWD_DISABLED;
  const dst = params.slice(DST, DST + alen);
  const oif = flags & N.BPF_FIB_LOOKUP_OUTPUT ? dev.ifindex : 0;
  let route: Route | undefined;
  if (flags & N.BPF_FIB_LOOKUP_DIRECT) {
    const table = flags & N.BPF_FIB_LOOKUP_TBID ? dv.getUint32(TBID, true) : RT_TABLE_MAIN;
    route = lookupTable(host, family, dst, table, oif);
  } else {
    route = lookupTable(host, family, dst, RT_TABLE_LOCAL, oif) ?? lookupTable(host, family, dst, RT_TABLE_MAIN, oif);
  }
  if (!route) return N.BPF_FIB_LKUP_RET_NOT_FWDED;
  switch (route.type) {
    case 'blackhole': return N.BPF_FIB_LKUP_RET_BLACKHOLE;
    case 'unreachable': return N.BPF_FIB_LKUP_RET_UNREACHABLE;
    case 'prohibit': return N.BPF_FIB_LKUP_RET_PROHIBIT;
    case 'local': return N.BPF_FIB_LKUP_RET_NOT_FWDED;
    default: break;
  }
  const out = host.dev(route.ifindex)!;
  let mtu = 0;
  if (checkMtu) {
    // ip_mtu_from_fib_result: a route's MTU counts only when locked (`mtu lock N`)
    mtu = (route.mtuLock && route.mtu) || out.mtu;
    if (dv.getUint16(TOT_LEN, true) > mtu) {
      dv.setUint16(TOT_LEN, mtu, true);
      return N.BPF_FIB_LKUP_RET_FRAG_NEEDED;
    }
  }
  dv.setUint32(RT_METRIC, route.metric, true);
  dv.setUint32(IFINDEX, out.ifindex, true);
  if (flags & N.BPF_FIB_LOOKUP_SRC) {
    const src = route.src ?? host.addresses.find((a) => a.family === family && a.ifindex === out.ifindex)?.addr;
    if (!src) return N.BPF_FIB_LKUP_RET_NO_SRC_ADDR;
    params.set(src, SRC);
  }
  // the gateway replaces the destination (also with SKIP_NEIGH)
  if (route.gateway) params.set(route.gateway, DST);
  if (!(flags & N.BPF_FIB_LOOKUP_SKIP_NEIGH)) {
    const nh = route.gateway ?? dst;
    const neigh = host.neighbour(family, nh, out.ifindex);
    if (!neigh) return N.BPF_FIB_LKUP_RET_NO_NEIGH;
    params.set(neigh.mac, DMAC);
    params.set(out.mac, SMAC);
  }
  // bpf_fib_set_fwd_params
  dv.setUint16(VLAN_PROTO, 0, true);
  dv.setUint16(VLAN_TCI, 0, true);
  if (mtu) dv.setUint16(TOT_LEN, mtu, true);
  return N.BPF_FIB_LKUP_RET_SUCCESS;
}


