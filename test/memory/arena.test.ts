import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, ARENA_ACCESS_RW, ARENA_ACCESS_NONE, ARENA_ACCESS_READ, ARENA_ACCESS_WRITE } from '../../src/memory/arena.js';

test('arena never hands out NULL and keeps blocks apart', () => {
  const a = new Arena();
  const p = a.alloc(16);
  const q = a.alloc(100);
  assert.ok(p >= 4096 && q >= 4096);
  assert.ok(q >= p + 16 || p >= q + 100);
  assert.equal(a.canAccess(0, 1, ARENA_ACCESS_READ), false);
  assert.equal(a.canAccess(p, 16, ARENA_ACCESS_RW), true);
  assert.equal(a.canAccess(p + 8, 9, ARENA_ACCESS_READ), false, 'access straddling the block end');
});

test('arena access flags and free/coalesce', () => {
  const a = new Arena({ initialBytes: 65536 });
  const meta = a.alloc(64, ARENA_ACCESS_NONE);
  assert.equal(a.canAccess(meta, 1, ARENA_ACCESS_READ), false);
  const ptrs = Array.from({ length: 100 }, () => a.alloc(40));
  for (const p of ptrs) a.free(p);
  a.free(meta);
  assert.equal(a.liveBlocks, 0);
  assert.equal(a.bytesInUse, 0);
  const big = a.alloc(60000);
  assert.equal(big, 4096, 'freed space coalesced back into one extent');
  a.setAccess(big, ARENA_ACCESS_READ);
  assert.equal(a.canAccess(big, 8, ARENA_ACCESS_WRITE), false);
});

test('arena grows and fails with -ENOMEM at its limit', () => {
  const a = new Arena({ initialBytes: 65536, maxBytes: 4 * 65536 });
  const g = a.generation;
  const p = a.alloc(100000);
  assert.ok(a.generation > g);
  a.u8[p + 99999] = 7;
  assert.throws(() => a.alloc(300000), (e: any) => e.errno === -12);
  assert.throws(() => a.free(p + 8), /not an allocated block/);
});
