// Expected records come from Linux 6.18: each layout was the value of an array
// map, and a tc program calling bpf_timer_init()/bpf_spin_lock() at each offset
// was loaded; "map 'm' has no valid bpf_timer" means the record failed or has
// no timer, "off X doesn't point to 'struct bpf_timer' that is at Y" gives timer_off.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseBtf } from '../../src/btf/btf.js';
import { parseFields, specialFields } from '../../src/btf/fields.js';
import { BTF_KIND_DATASEC } from '../../src/btf/types.js';
import { parseElf } from '../../src/elf/elf.js';

const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../../../test/${p}`, import.meta.url)));
const btf = parseBtf(parseElf(fixture('btf/fixtures/fields.bpf.o')).section('.BTF')!.data);
const id = (name: string) => btf.typeByName(name)!.id;

test('btf_parse_fields() verdicts match the kernel', () => {
  const cases: [string, { timerOff: number; spinLockOff: number; errno?: number; offsets?: number[] }][] = [
    ['ok_single', { timerOff: 0, spinLockOff: -1, offsets: [0] }],
    ['two_timers', { timerOff: -1, spinLockOff: -1, errno: 7 }], // -E2BIG: two at one level
    ['outer_nested', { timerOff: 16, spinLockOff: -1, offsets: [0, 16] }], // kernel accepts only 16
    ['two_nested', { timerOff: 16, spinLockOff: -1, offsets: [0, 16] }],
    ['timer_array', { timerOff: -1, spinLockOff: -1, errno: 22 }], // arrays of >1 timer: -EINVAL
    ['timer_array1', { timerOff: 8, spinLockOff: -1, offsets: [8] }],
    ['struct_array', { timerOff: -1, spinLockOff: -1, errno: 22 }],
    ['union_timer', { timerOff: -1, spinLockOff: -1, offsets: [] }], // unions are not entered
    ['deep', { timerOff: 8, spinLockOff: -1, offsets: [8] }],
    ['nested_locks', { timerOff: -1, spinLockOff: 4, offsets: [0, 4] }],
    ['lock_and_timer', { timerOff: 8, spinLockOff: 28, offsets: [8, 28] }],
    ['misaligned', { timerOff: -1, spinLockOff: -1, offsets: [] }], // off % 8: ignored
    ['typedef_timer', { timerOff: -1, spinLockOff: -1, offsets: [] }], // typedef not looked through
  ];
  for (const [name, want] of cases) {
    const rec = parseFields(btf, id(name));
    assert.equal(rec.timerOff, want.timerOff, `${name} timerOff`);
    assert.equal(rec.spinLockOff, want.spinLockOff, `${name} spinLockOff`);
    assert.equal(rec.error?.errno, want.errno, `${name} errno (${rec.error?.reason})`);
    if (want.offsets) assert.deepEqual(rec.fields.map((f) => f.offset), want.offsets, `${name} fields`);
  }
  assert.match(parseFields(btf, id('two_timers')).error!.reason, /more than one bpf_timer/);
  assert.match(parseFields(btf, id('timer_array')).error!.reason, /array of 2 bpf_timer at a/);
});

test('record fields carry kind, size and member path', () => {
  const rec = parseFields(btf, id('lock_and_timer'));
  assert.deepEqual(rec.fields.map((f) => [f.kind, f.offset, f.size, f.path]), [['bpf_timer', 8, 16, 't'], ['bpf_spin_lock', 28, 4, 'b.l']]);
  assert.equal(btf.type(rec.fields[0]!.typeId).name, 'bpf_timer');
});

test('specialFields() finds every special struct, also where the kernel would not', () => {
  const at = (name: string) => specialFields(btf, id(name)).map((f) => `${f.kind}@${f.offset}:${f.path}`);
  assert.deepEqual(at('union_timer'), ['bpf_timer@8:y.t']);
  assert.deepEqual(at('typedef_timer'), ['bpf_timer@8:t']);
  assert.deepEqual(at('timer_array'), ['bpf_timer@0:a[0]', 'bpf_timer@16:a[1]']);
  assert.deepEqual(at('struct_array'), ['bpf_timer@0:a[0].t', 'bpf_timer@16:a[1].t']);
  assert.deepEqual(at('deep'), ['bpf_timer@8:c.b.a.t']);
  assert.deepEqual(at('misaligned'), ['bpf_timer@4:t']);
  assert.deepEqual(specialFields(btf, btf.typeByName('u32_never_there') ? 0 : id('ok_single')).length, 1);
});

test('a DATASEC (global data map value) is searched like a struct', () => {
  const bss = btf.typeByName('.bss', BTF_KIND_DATASEC)!;
  // clang leaves DATASEC offsets 0 until libbpf fixes them: every var at 0, so only
  // check that variables are walked (the object layer fixes offsets).
  const found = specialFields(btf, bss.id);
  assert.ok(found.some((f) => f.path === 'v1.t'));
  assert.ok(found.some((f) => f.path === 'v11.b.l' && f.kind === 'bpf_spin_lock'));
});
