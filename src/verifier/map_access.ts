// The values of frozen read-only maps, which the verifier reads as constants
// (bpf_map_is_rdonly and bpf_map_direct_read in kernel/bpf/verifier.c): a
// `const volatile` in .rodata set before load makes the branches that depend
// on it dead code. The access-type check is Verifier.checkMapAccessType.
import { BPF_F_RDONLY_PROG } from '../uapi/bpf.js';
import type { MapMeta } from './env.js';

/**
 * bpf_map_is_rdonly() + bpf_map_direct_read(): the zero-extended value of a
 * 1/2/4/8-byte load at `off` of a frozen BPF_F_RDONLY_PROG map, or undefined
 * when the map's contents are not constant to the verifier.
 */
export function rdonlyMapRead(map: MapMeta, off: number, size: number): bigint | undefined {
  const v = map.frozenValue;
  if (!v || !(map.flags & BPF_F_RDONLY_PROG) || off < 0 || off + size > v.length) return undefined;
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return undefined;
  let x = 0n;
  for (let i = size - 1; i >= 0; i--) x = (x << 8n) | BigInt(v[off + i]!);
  return x;
}
