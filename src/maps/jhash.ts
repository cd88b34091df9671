// Bob Jenkins' lookup3 hash as include/linux/jhash.h computes it. Hash maps
// select buckets with it, so with the same seed (BPF_F_ZERO_SEED: 0) our
// buckets, and therefore BPF_MAP_GET_NEXT_KEY order, are the kernel's.

const JHASH_INITVAL = 0xdeadbeef;

const rol32 = (w: number, s: number): number => ((w << s) | (w >>> (32 - s))) >>> 0;

function le32(k: Uint8Array, i: number): number {
  return (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
}

// __jhash_mix / __jhash_final over a three-word state; all arithmetic mod 2^32
function mix(s: Uint32Array): void {
  let a = s[0]!, b = s[1]!, c = s[2]!;
  a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

function final(s: Uint32Array): void {
  let a = s[0]!, b = s[1]!, c = s[2]!;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

/** jhash(key, length, initval) over bytes */
export function jhash(k: Uint8Array, initval: number): number {
  let length = k.length;
  const s = new Uint32Array(3).fill((JHASH_INITVAL + length + initval) >>> 0);
  let i = 0;
  while (length > 12) {
    s[0] = s[0]! + le32(k, i);
    s[1] = s[1]! + le32(k, i + 4);
    s[2] = s[2]! + le32(k, i + 8);
    mix(s);
    length -= 12;
    i += 12;
  }
  if (length === 0) return s[2]!;
  // the tail: byte j of the remaining bytes goes to word j>>2 at bit 8*(j&3)
  for (let j = 0; j < length; j++) {
    const w = j >> 2;
    s[w] = s[w]! + ((k[i + j]! << ((j & 3) * 8)) >>> 0);
  }
  final(s);
  return s[2]!;
}

/** jhash2(words, length/4, initval) over little-endian u32 words; k.length % 4 == 0 */
export function jhash2(k: Uint8Array, initval: number): number {
  let words = k.length >> 2;
  const s = new Uint32Array(3).fill((JHASH_INITVAL + (words << 2) + initval) >>> 0);
  let i = 0;
  while (words > 3) {
    s[0] = s[0]! + le32(k, i);
    s[1] = s[1]! + le32(k, i + 4);
    s[2] = s[2]! + le32(k, i + 8);
    mix(s);
    words -= 3;
    i += 12;
  }
  if (words === 0) return s[2]!;
  for (let w = 0; w < words; w++) s[w] = s[w]! + le32(k, i + 4 * w);
  final(s);
  return s[2]!;
}

/** htab_map_hash: jhash2 when the key is a whole number of words */
export function htabMapHash(key: Uint8Array, seed: number): number {
  return key.length % 4 === 0 ? jhash2(key, seed) : jhash(key, seed);
}
