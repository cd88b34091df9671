// Bob Jenkins' lookup3 hash as include/linux/jhash.h computes it. Hash maps
// select buckets with it, so with the same seed (BPF_F_ZERO_SEED: 0) our
// buckets, and therefore BPF_MAP_GET_NEXT_KEY order, are the kernel's.

const JHASH_INITVAL = 0xdeadbeef;

// The three-word state lives in module variables (int32, wrapping as the
// kernel's u32 arithmetic): hashing allocates nothing, and reads the key
// straight from where it is (the arena, for a program's key).
let A = 0, B = 0, C = 0;

const rol32 = (w: number, s: number): number => (w << s) | (w >>> (32 - s));

function le32(k: Uint8Array, i: number): number {
  return k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24);
}

// __jhash_mix / __jhash_final
function mix(): void {
  let a = A, b = B, c = C;
  a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
  b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
  c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
  a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
  b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
  c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
  A = a; B = b; C = c;
}

function final(): void {
  let a = A, b = B, c = C;
  c ^= b; c = (c - rol32(b, 14)) | 0;
  a ^= c; a = (a - rol32(c, 11)) | 0;
  b ^= a; b = (b - rol32(a, 25)) | 0;
  c ^= b; c = (c - rol32(b, 16)) | 0;
  a ^= c; a = (a - rol32(c, 4)) | 0;
  b ^= a; b = (b - rol32(a, 14)) | 0;
  c ^= b; c = (c - rol32(b, 24)) | 0;
  A = a; B = b; C = c;
}

/** jhash(key, length, initval) over the `length` bytes of k at `off` */
export function jhashAt(k: Uint8Array, off: number, length: number, initval: number): number {
  A = B = C = (JHASH_INITVAL + length + initval) | 0;
  let i = off;
  while (length > 12) {
    A = (A + le32(k, i)) | 0;
    B = (B + le32(k, i + 4)) | 0;
    C = (C + le32(k, i + 8)) | 0;
    mix();
    length -= 12;
    i += 12;
  }
  if (length === 0) return C >>> 0;
  // the tail: byte j of the remaining bytes goes to word j>>2 at bit 8*(j&3)
  for (let j = 0; j < length; j++) {
    const v = k[i + j]! << ((j & 3) * 8);
    const w = j >> 2;
    if (w === 0) A = (A + v) | 0;
    else if (w === 1) B = (B + v) | 0;
    else C = (C + v) | 0;
  }
  final();
  return C >>> 0;
}

/** jhash2(words, nwords, initval) over little-endian u32 words at `off` */
export function jhash2At(k: Uint8Array, off: number, words: number, initval: number): number {
  A = B = C = (JHASH_INITVAL + (words << 2) + initval) | 0;
  let i = off;
  while (words > 3) {
    A = (A + le32(k, i)) | 0;
    B = (B + le32(k, i + 4)) | 0;
    C = (C + le32(k, i + 8)) | 0;
    mix();
    words -= 3;
    i += 12;
  }
  if (words === 0) return C >>> 0;
  A = (A + le32(k, i)) | 0;
  if (words > 1) B = (B + le32(k, i + 4)) | 0;
  if (words > 2) C = (C + le32(k, i + 8)) | 0;
  final();
  return C >>> 0;
}

/** jhash(key, length, initval) over bytes */
export function jhash(k: Uint8Array, initval: number): number {
  return jhashAt(k, 0, k.length, initval);
}

/** jhash2(words, length/4, initval) over little-endian u32 words; k.length % 4 == 0 */
export function jhash2(k: Uint8Array, initval: number): number {
  return jhash2At(k, 0, k.length >> 2, initval);
}

/** htab_map_hash: jhash2 when the key is a whole number of words */
export function htabMapHash(key: Uint8Array, seed: number): number {
  return htabMapHashAt(key, 0, key.length, seed);
}

/** htab_map_hash over `size` bytes at `off` (a key in the arena, hashed where it is) */
export function htabMapHashAt(k: Uint8Array, off: number, size: number, seed: number): number {
  return size % 4 === 0 ? jhash2At(k, off, size >> 2, seed) : jhashAt(k, off, size, seed);
}
