// Mutations of a BTF blob for the kernel-recorded checker test: one 32-bit
// word of a type record (info bits, name offset, size/type, a member's or
// variable's words) or of the string section is changed.
import type { Rng } from '../verifier/fuzz/gen.js';

export interface BtfCase {
  /** index into the recorded blobs */
  blob: number;
  /** [byte offset, new u32 value (little-endian)] */
  edits: [number, number][];
  /** the kernel's answer: "ok" or "err ERRNO LAST-LOG-LINE" */
  kernel: string;
}

/** bytes of kind-specific data after the 12-byte header */
function extraSize(kind: number, vlen: number): number {
  switch (kind) {
    case 1: case 14: case 17: return 4;
    case 3: return 12;
    case 4: case 5: case 15: case 19: return 12 * vlen;
    case 6: case 13: return 8 * vlen;
    default: return 0;
  }
}

export function mutateBtf(b: Buffer, rng: Rng): [number, number][] {
  const hdr = b.readUInt32LE(4), toff = b.readUInt32LE(8), tlen = b.readUInt32LE(12), soff = b.readUInt32LE(16), slen = b.readUInt32LE(20);
  const starts: number[] = [];
  for (let p = hdr + toff, end = p + tlen; p < end;) {
    starts.push(p);
    const info = b.readUInt32LE(p + 4);
    p += 12 + extraSize((info >>> 24) & 0x1f, info & 0xffff);
  }
  const t = starts[rng.u32() % starts.length]!;
  const typeEnd = hdr + toff + tlen;
  const word = (off: number, f: (v: number) => number): [number, number][] => (off + 4 <= typeEnd ? [[off, f(b.readUInt32LE(off)) >>> 0]] : []);
  switch (rng.u32() % 7) {
    case 0: return word(t + 4, (v) => v ^ (1 << (rng.u32() % 32)));
    case 1: return [[t, rng.u32() % slen]];
    case 2: return word(t + 8, (v) => v ^ (1 << (rng.u32() % 12)));
    case 3: return word(t + 12 + 4 * (rng.u32() % 3), (v) => v ^ (1 << (rng.u32() % 32)));
    case 4: {
      // a name character: an invalid one, a digit, a dot, an end of string
      const at = hdr + soff + 1 + (rng.u32() % Math.max(1, slen - 6));
      const aligned = at & ~3;
      const shift = (at - aligned) * 8;
      const ch = [0x2d, 0x20, 0x41, 0x30, 0x2e, 0x00, 0x7e][rng.u32() % 7]!;
      return [[aligned, (b.readUInt32LE(aligned) & ~(0xff << shift)) | (ch << shift)]];
    }
    case 5: return word(t + 12 + 12 * (rng.u32() % 4) + 8, (v) => v + 8 * (rng.u32() % 64));
    default: return word(t + 4, (v) => v ^ 1);
  }
}
