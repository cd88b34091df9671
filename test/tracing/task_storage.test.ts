// Task local storage from TypeScript: the storage belongs to the task a
// program runs in (rt.task's task_struct address), another task gets its
// own, and user space reads it with storageOf() — the kernel's user-side key
// is a pidfd, which tsbpf does not have (-EBADF). The kernel comparison is
// the golden test/kernel/scenarios/task_storage.basic.kernel.out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MapError, Runtime } from '../../src/index.js';
import { repoRoot } from '../kernel/kernel.js';

const OBJ = join(repoRoot, 'test/kernel/scenarios/task_storage.bpf.o');
const u64s = (b: Uint8Array | undefined): bigint[] | undefined => b && [0, 8].map((o) => new DataView(b.buffer, b.byteOffset).getBigUint64(o, true));

test('task storage: one value per task, read from TypeScript by the task address', async () => {
  const rt = new Runtime();
  const obj = await rt.loadObject(OBJ);
  const ts = obj.map('ts');
  const first = rt.task.taskStruct;
  assert.equal(ts.storageOf(first), undefined);
  assert.equal(obj.program('touch').run().retval, 0);
  assert.equal(obj.program('touch').run().retval, 0);
  assert.deepEqual(u64s(ts.storageOf(first)), [2n, 42n]);

  rt.setTask({ pid: 2000, tgid: 2000, taskStruct: 0xffff888004100000n });
  assert.equal(obj.program('touch').run().retval, 0);
  assert.deepEqual(u64s(ts.storageOf(0xffff888004100000n)), [1n, 42n], 'the other task starts from the initial value');
  assert.deepEqual(u64s(ts.storageOf(first)), [2n, 42n], 'the first task keeps its own');

  // the kernel's key is a pidfd: tsbpf has no fds
  assert.throws(() => ts.lookup(new Uint8Array(4)), (e: unknown) => e instanceof MapError && e.errno === -9);
  assert.throws(() => ts.update(new Uint8Array(4), new Uint8Array(16)), (e: unknown) => e instanceof MapError && e.errno === -9);
  assert.throws(() => ts.storageOf.call(obj.map('.bss'), first), (e: unknown) => e instanceof MapError && e.errno === -22);

  assert.equal(obj.program('del').run().retval, 0);
  assert.equal(ts.storageOf(0xffff888004100000n), undefined);
  assert.deepEqual(u64s(ts.storageOf(first)), [2n, 42n]);
  obj.close();
});
