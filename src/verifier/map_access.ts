// Map values programs may not write (BPF_F_RDONLY_PROG) or read
// (BPF_F_WRONLY_PROG), and the values of frozen read-only maps, which the
// verifier reads as constants (check_map_access_type, bpf_map_is_rdonly and
// bpf_map_direct_read in kernel/bpf/verifier.c): a `const volatile` in
// .rodata set before load makes the branches that depend on it dead code.
import { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG } from '../uapi/bpf.js';
import { EACCES } from '../uapi/errno.js';
import type { MapMeta } from './env.js';
import { CheckError } from './cfg.js';

/** check_map_access_type: BPF_MAP_CAN_WRITE / BPF_MAP_CAN_READ from the map's flags. */
export function checkMapAccessType(map: MapMeta, off: number, size: number, write: boolean): void {
  if (write && map.flags & BPF_F_RDONLY_PROG) {
    throw new CheckError(`write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}`, EACCES);
  }
  if (!write && map.flags & BPF_F_WRONLY_PROG) {
    throw new CheckError(`read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}`, EACCES);
  }
}

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
