// Writes the btf_reject_*.o variants of btf_reject.bpf.o: the same object with
// one fault in its .BTF section that Linux's BTF checker refuses (and libbpf
// does not). Run after rebuilding btf_reject.bpf.o:  node test/loader/make_btf_reject.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const base = readFileSync(join(here, 'btf_reject.bpf.o'));
// the .BTF header: magic 0xeb9f, version 1, flags 0, hdr_len 24 (.BTF.ext's is longer)
const at = base.indexOf(Buffer.from([0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00]));
if (at < 0) throw new Error('no .BTF section found');
const hdr = 24, typeOff = base.readUInt32LE(at + 8), typeLen = base.readUInt32LE(at + 12), strOff = base.readUInt32LE(at + 16);
const strAt = at + hdr + strOff;
const str = (off) => base.toString('latin1', strAt + off, base.indexOf(0, strAt + off));
const EXTRA = { 1: () => 4, 3: () => 12, 4: (v) => 12 * v, 5: (v) => 12 * v, 6: (v) => 8 * v, 13: (v) => 8 * v, 14: () => 4, 15: (v) => 12 * v, 17: () => 4, 19: (v) => 12 * v };
/** type records: { id, at (file offset), kind, vlen, name } */
const types = [];
for (let p = at + hdr + typeOff, end = p + typeLen, id = 1; p < end; id++) {
  const info = base.readUInt32LE(p + 4), kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
  types.push({ id, at: p, kind, vlen, name: str(base.readUInt32LE(p)) });
  p += 12 + (EXTRA[kind]?.(vlen) ?? 0);
}
const find = (kind, name) => {
  const t = types.find((x) => x.kind === kind && x.name === name);
  if (!t) throw new Error(`no type ${kind} '${name}'`);
  return t;
};
const variants = {
  // [INT 'char'] with vlen 1: "vlen != 0"
  vlen: (b) => { const t = find(1, 'char'); b.writeUInt32LE(b.readUInt32LE(t.at + 4) | 1, t.at + 4); },
  // [VAR 'armed'] linkage 5: "Linkage not supported"
  linkage: (b) => { const t = find(14, 'armed'); b.writeUInt32LE(5, t.at + 12); },
  // [STRUCT 'bpf_timer'] with a reserved info bit set: "Invalid btf_info:..."
  info: (b) => { const t = find(4, 'bpf_timer'); b.writeUInt32LE(b.readUInt32LE(t.at + 4) | (1 << 16), t.at + 4); },
  // member 'x' of [STRUCT 'val'] (24 bytes) at bit 200: "Member bits_offset exceeds its struct size"
  bits_offset: (b) => { const t = find(4, 'val'); b.writeUInt32LE(200, t.at + 12 + 12 + 8); },
  // [STRUCT 'val'] named 'v-l': "Invalid name"
  name: (b) => { const t = find(4, 'val'); b[strAt + b.readUInt32LE(t.at) + 1] = 0x2d; },
};
for (const [name, f] of Object.entries(variants)) {
  const b = Buffer.from(base);
  f(b);
  writeFileSync(join(here, `btf_reject_${name}.o`), b);
  console.log(`wrote btf_reject_${name}.o`);
}
