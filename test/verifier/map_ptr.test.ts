// Loads through a map pointer that the kernel allows but tsbpf does not model
// are refused by name (ENOTSUPP), never read as zeroes. The kernel-recorded
// verdicts are in corpus/map_ptr.* (verifier) and test/kernel/scenarios/
// map_ptr.fields (values read at run time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify, VerifierError, type MapMeta } from '../../src/verifier/index.js';
import type { Insn } from '../../src/isa/insn.js';
import { BPF_PROG_TYPE_XDP } from '../../src/uapi/bpf_func.js';
import { EACCES, ENOTSUPP, EPERM } from '../../src/uapi/errno.js';

const map = (type: number): MapMeta => ({ type, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, timerOff: -1, spinLockOff: -1, name: 'm' });
/** r1 = &map; r0 = *(size *)(r1 + off); exit */
const prog = (sizeCode: number, off: number): Insn[] => [
  { code: 0x18, dst: 1, src: 1, off: 0, imm: 0 }, { code: 0, dst: 0, src: 0, off: 0, imm: 0 },
  { code: 0x61 | sizeCode, dst: 0, src: 1, off, imm: 0 },
  { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
  { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
];
const W = 0x00, DW = 0x18;
const verdict = (type: number, size: number, off: number, extra: object = {}): VerifierError | undefined => {
  try {
    verify({ insns: prog(size, off), progType: BPF_PROG_TYPE_XDP, gpl: true, maps: [map(type)], ...extra });
    return undefined;
  } catch (e) {
    if (e instanceof VerifierError) return e;
    throw e;
  }
};

test('map pointer loads of modelled fields are accepted, for every map type with a struct', () => {
  assert.equal(verdict(2, W, 76), undefined); // bpf_array max_entries
  assert.equal(verdict(1, W, 72), undefined); // bpf_htab value_size
  assert.equal(verdict(27, DW, 80), undefined); // bpf_ringbuf_map map_extra
  assert.equal(verdict(2, W, 300), undefined); // bpf_array index_mask
});

test('pointer members, live kernel state and per-type structs past bpf_map are refused by name', () => {
  const ops = verdict(2, DW, 40);
  assert.equal(ops?.errno, -ENOTSUPP);
  assert.match(ops!.message, /pointer member of struct bpf_array at off=40/);
  const refcnt = verdict(1, DW, 184);
  assert.equal(refcnt?.errno, -ENOTSUPP);
  assert.match(refcnt!.message, /struct bpf_htab bytes 152\.\.247 \(state\)/);
  const htab = verdict(1, W, 296);
  assert.equal(htab?.errno, -ENOTSUPP);
  assert.match(htab!.message, /does not model struct bpf_htab past its struct bpf_map/);
});

test('map pointer loads follow the kernel for privilege and offsets', () => {
  assert.equal(verdict(2, W, 76, { capBpf: false })?.message, "'struct bpf_array' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN");
  assert.equal(verdict(2, W, 76, { capBpf: false })?.errno, -EPERM);
  assert.equal(verdict(1, W, -4)?.message, 'R1 is bpf_htab invalid negative access: off=-4');
  assert.equal(verdict(1, W, -4)?.errno, -EACCES);
  // a non-GPL program may read it (no check_ptr_to_btf_access GPL rule on this path)
  assert.equal(verify({ insns: prog(W, 76), progType: BPF_PROG_TYPE_XDP, gpl: false, maps: [map(2)] }).stats.processedInsns, 4);
});
