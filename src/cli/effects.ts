// `tsbpf run --effects`: the side effects of a packet run as lines after
// its run line (the kernel runner cannot see these, so they stay out of the
// differential output unless asked for).

import type { RunEffectsReport } from '../runtime/run_effects.js';
import { mapTypeName } from '../uapi/bpf.js';
import { formatAddr } from '../net/addr.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const h = (n: number, w = 0): string => `0x${n.toString(16).padStart(w, '0')}`;

export function effectLines(e: RunEffectsReport): string[] {
  const lines: string[] = [];
  const r = e.redirect;
  if (r?.kind === 'ifindex') {
    const how = r.peer ? 'peer' : r.ingress ? 'ingress' : 'egress';
    const neigh = r.neigh ? ` neigh=${formatAddr(r.neigh.family, r.neigh.addr)}` : r.viaNeigh ? ' neigh' : '';
    lines.push(`  redirect ifindex=${r.ifindex}${r.device ? ` dev=${r.device}` : ''} ${how}${neigh}`);
  } else if (r?.kind === 'map') {
    lines.push(`  redirect map=${r.mapName} type=${mapTypeName(r.mapType)} key=${r.key} flags=${h(r.flags)} targets=${r.targets.join(',')}`);
  }
  for (const c of e.clones) {
    lines.push(`  clone ifindex=${c.ifindex}${c.device ? ` dev=${c.device}` : ''} ${c.ingress ? 'ingress' : 'egress'} size=${c.data.length} data=${hex(c.data)}`);
  }
  if (e.skb) {
    const s = e.skb;
    let l = `  skb mark=${s.mark} priority=${s.priority} tc_index=${s.tcIndex} tc_classid=${s.tcClassid} queue_mapping=${s.queueMapping} hash=${h(s.hash)}${s.hashValid ? '' : '(invalid)'} protocol=${h(s.protocol, 4)}`;
    if (s.vlan) l += ` vlan=${h(s.vlan.proto, 4)}/${s.vlan.tci}`;
    lines.push(l);
    const t = s.tunnel;
    if (t) {
      lines.push(`  tunnel id=${t.id} remote=${formatAddr(t.family, t.remote)} local=${formatAddr(t.family, t.local)} tos=${t.tos} ttl=${t.ttl} label=${t.label} flags=${h(t.flags)}${t.options ? ` opts=${hex(t.options)}` : ''}`);
    }
  }
  if (e.xdpMeta) lines.push(`  xdp_meta=${hex(e.xdpMeta)}`);
  return lines;
}

/** the same as JSON-friendly values (bytes as hex) */
export function effectsJson(e: RunEffectsReport): unknown {
  return JSON.parse(JSON.stringify(e, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : typeof v === 'bigint' ? v.toString() : v)));
}
