// Task, inode, cgroup and socket local storage maps: creation rules and the
// user-side errno replayed from test/maps/kernel/local_storage.txt against
// the kernel's recorded answers (local_storage.expected.txt), and against the
// live kernel where this machine can (root, gcc, libbpf). The program side
// (the *_storage_get/delete helpers) is in test/tracing/local_storage.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arena } from '../../src/memory/arena.js';
import { BpfMap, LocalStorageMap, MapEnv, MapError, createMap } from '../../src/maps/index.js';
import { mapTypeByName } from '../../src/uapi/bpf.js';
import { errnoName } from '../../src/uapi/errno.js';

const dir = fileURLToPath(new URL('../../../test/maps/kernel/', import.meta.url));
const script = readFileSync(join(dir, 'local_storage.txt'), 'utf8');

const errStr = (e: unknown): string => {
  if (e instanceof MapError) return `-${errnoName(e.errno)}`;
  throw e;
};

/** BTF key types of the script and whether btf_type_is_i32 holds for them */
const KEY_I32: Record<string, boolean> = { int: true, uint: true, u64: false, char4: false, struct4: false };

/** tsbpf's answer to the script, in local_storage.c's output format */
function replay(text: string): string[] {
  const env = new MapEnv({ arena: new Arena(), nCpus: 2 });
  let map: BpfMap | undefined;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '' || f[0]!.startsWith('#')) {
      if (f[0]) out.push(line);
      continue;
    }
    let r = '0';
    const fd = new Uint8Array(4);
    new DataView(fd.buffer).setInt32(0, Number(f[1] ?? 0), true);
    try {
      switch (f[0]) {
        case 'create': {
          map?.free();
          map = undefined;
          const key = f[6]!;
          assert.ok(key === 'none' || key in KEY_I32, `key type ${key}`);
          map = createMap(env, {
            type: mapTypeByName(f[1]!)!, keySize: Number(f[2]), valueSize: Number(f[3]), maxEntries: Number(f[4]),
            flags: Number(f[5]), name: 'm', ...(key === 'none' ? {} : { btf: { keyI32: KEY_I32[key]! } }),
          });
          break;
        }
        case 'lookup': map!.lookup(fd); break;
        case 'update': map!.update(fd, new Uint8Array(map!.valueSize), Number(f[2])); break;
        case 'delete': map!.delete(fd); break;
        case 'next': {
          const k = map!.getNextKey();
          r = k ? 'key' : '-ENOENT';
          break;
        }
        default: throw new Error(`bad line ${line}`);
      }
    } catch (e) {
      r = errStr(e);
    }
    out.push(`${line} ${r}`);
  }
  return out;
}

function compare(got: string[], want: string[], what: string): void {
  for (let i = 0; i < Math.max(got.length, want.length); i++) assert.equal(got[i], want[i], `line ${i + 1} vs ${what}`);
}

test('local storage maps: creation rules and user-side errno as the recorded kernel', () => {
  const want = readFileSync(join(dir, 'local_storage.expected.txt'), 'utf8').split('\n').filter((l) => l !== '');
  compare(replay(script), want, 'local_storage.expected.txt');
});

test('local storage maps: the live kernel agrees', (t) => {
  const why = process.platform !== 'linux' ? 'not Linux'
    : typeof process.getuid !== 'function' || process.getuid() !== 0 ? 'not root'
      : !existsSync('/usr/include/bpf/btf.h') ? 'libbpf headers (libbpf-dev) not installed' : undefined;
  if (why) {
    t.skip(`SKIPPED live kernel comparison: ${why}; compared with the recording only`);
    return;
  }
  const bin = join(mkdtempSync(join(tmpdir(), 'tsbpf-ls-')), 'local_storage');
  try {
    execFileSync('gcc', ['-O2', '-o', bin, join(dir, 'local_storage.c'), '-lbpf']);
  } catch {
    t.skip('SKIPPED live kernel comparison: gcc could not build local_storage.c');
    return;
  }
  const live = execFileSync(bin, { input: script, encoding: 'utf8' }).split('\n').filter((l) => l !== '');
  compare(replay(script), live, 'the live kernel');
});

test('local storage: the program-side store is per owner, user space reaches it through ownerValue', () => {
  const env = new MapEnv({ arena: new Arena(), nCpus: 1 });
  const m = createMap(env, { type: mapTypeByName('task_storage')!, keySize: 4, valueSize: 8, maxEntries: 0, flags: 1, name: 't', btf: { keyI32: true } });
  assert.ok(m instanceof LocalStorageMap);
  assert.equal(m.progGet(0x1000n, 0, false), 0, 'absent, not created');
  const a = m.progGet(0x1000n, 0, true);
  assert.ok(a > 0);
  assert.deepEqual(m.ownerValue(0x1000n), new Uint8Array(8), 'created zeroed');
  env.arena.u8[a] = 7;
  assert.equal(m.progGet(0x1000n, 0, true), a, 'found again');
  assert.notEqual(m.progGet(0x2000n, 0, true), a, 'another owner, another value');
  assert.equal(m.ownerValue(0x1000n)![0], 7);
  assert.equal(m.elemCount, 2);
  assert.equal(m.progDelete(0x1000n), 0);
  assert.equal(m.progDelete(0x1000n), -2);
  assert.equal(m.ownerValue(0x1000n), undefined);
  m.free();
});
