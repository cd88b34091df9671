// Internet checksum arithmetic as the kernel does it on x86-64 (include/net/
// checksum.h, arch/x86/lib/csum-partial_64.c): 32-bit partial sums with
// end-around carry, folded to 16 bits. Values are the raw little-endian loads
// of network-order fields, as the kernel computes on a little-endian CPU.

/** csum_add: 32-bit one's-complement addition */
export function csumAdd(a: number, b: number): number {
  const r = (a >>> 0) + (b >>> 0);
  return (r > 0xffffffff ? r - 0xffffffff : r) >>> 0;
}

/** csum_sub */
export const csumSub = (a: number, b: number): number => csumAdd(a, ~b >>> 0);

/** csum_fold: 32 -> 16 bits, complemented */
export function csumFold(c: number): number {
  let s = (c & 0xffff) + (c >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_partial of 4-byte-multiple buffers: the u32 words summed with end-around carry */
export function csumPartial(b: Uint8Array, seed: number): number {
  let sum = seed >>> 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 0;
  for (; i + 4 <= b.length; i += 4) sum = csumAdd(sum, dv.getUint32(i, true));
  if (i + 2 <= b.length) {
    sum = csumAdd(sum, dv.getUint16(i, true));
    i += 2;
  }
  if (i < b.length) sum = csumAdd(sum, b[i]!);
  return sum;
}

/** csum_replace4: *sum with a 32-bit field changed from -> to */
export const csumReplace4 = (sum: number, from: number, to: number): number =>
  csumFold(csumAdd(csumSub(~sum >>> 0 & 0xffffffff, from), to));

/** csum16_add */
function csum16Add(c: number, a: number): number {
  const r = (c + a) & 0xffff;
  return (r + (r < a ? 1 : 0)) & 0xffff;
}

/** csum_replace2: 16-bit arithmetic */
export const csumReplace2 = (sum: number, from: number, to: number): number =>
  ~csum16Add(csum16Add(~sum & 0xffff, ~from & 0xffff), to) & 0xffff;

/** csum_replace_by_diff: fold a 32-bit difference (bpf_csum_diff's result) into *sum */
export const csumReplaceByDiff = (sum: number, diff: number): number => csumFold(csumAdd(diff, ~sum >>> 0));

/** csum_from32to16: add the halves (with the carry), keep the upper 16 bits */
export function csumFrom32to16(sum: number): number {
  const r = ((sum >>> 0) + (((sum >>> 16) | (sum << 16)) >>> 0)) >>> 0;
  return r >>> 16;
}
