// The kernel side of differential testing: runs a scenario (`OBJ [--no-hold]
// STEP...`, the same arguments as `tsbpf run`) on the live Linux kernel with
// the libbpf runner in test/kernel/runner.c, and keeps the kernel's answers as
// golden files (`*.kernel.out`) so `npm test` can compare tsbpf against them
// on machines without root, gcc or a bpf() syscall.
//
// Golden file format (UTF-8):
//   # tsbpf kernel golden
//   # obj: test/kernel/scenarios/timer.bpf.o      (relative to the repo root)
//   # args: ["run:arm","sleep:5000","dump"]       (JSON)
//   # status: 0                                    (the runner's exit status)
//   <the runner's stdout, byte for byte>
//
// Environment:
//   TSBPF_UPDATE_GOLDEN=1  kernelGolden() re-records goldens from the live kernel
//   TSBPF_KERNEL=0         never use the live kernel (as if unavailable)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor of this module with tsbpf's package.json. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tsbpf') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('test/kernel: cannot find the tsbpf repository root');
    dir = up;
  }
})();

/** test/kernel in the source tree (not dist/). */
export const kernelDir: string = join(repoRoot, 'test', 'kernel');
export const runnerPath: string = join(kernelDir, 'build', 'runner');
const runnerSource = join(kernelDir, 'runner.c');
const buildScript = join(kernelDir, 'build.sh');
/** A small committed object the availability probe loads. */
const probeObject = join(kernelDir, 'scenarios', 'counter.bpf.o');

let availability: { ok: boolean; why?: string } | undefined;

function mtime(path: string): number {
  return statSync(path).mtimeMs;
}

function probe(): { ok: boolean; why?: string } {
  if (process.env['TSBPF_KERNEL'] === '0') return { ok: false, why: 'TSBPF_KERNEL=0' };
  if (process.platform !== 'linux') return { ok: false, why: `not Linux (${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, why: 'not root (the runner needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)' };
  }
  const stale = !existsSync(runnerPath) || mtime(runnerPath) < mtime(runnerSource);
  if (stale) {
    if (!existsSync('/usr/include/bpf/libbpf.h')) {
      return { ok: false, why: 'libbpf headers missing (/usr/include/bpf/libbpf.h; apt-get install libbpf-dev)' };
    }
    const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
    if (gcc.error || gcc.status !== 0) return { ok: false, why: 'gcc not found' };
    const build = spawnSync('bash', [buildScript], { encoding: 'utf8' });
    if (build.error || build.status !== 0) {
      return { ok: false, why: `building the runner failed: ${(build.stderr || String(build.error)).trim().slice(0, 2000)}` };
    }
  }
  // The bpf() syscall works if the runner can load a real object.
  const run = spawnSync(runnerPath, [probeObject], { encoding: 'utf8', timeout: 30_000 });
  if (run.error) return { ok: false, why: `cannot run ${runnerPath}: ${run.error.message}` };
  if (run.status !== 0 || run.stdout !== 'load=ok\n') {
    return {
      ok: false,
      why: `bpf() not usable: the runner could not load ${relative(repoRoot, probeObject)} ` +
        `(status ${String(run.status)}): ${(run.stdout + run.stderr).trim().slice(0, 2000)}`,
    };
  }
  return { ok: true };
}

/**
 * Whether scenarios can run on the live kernel here: Linux, root, gcc and the
 * libbpf headers (the runner is built on demand into test/kernel/build/), and
 * a bpf() syscall that loads a real object. Memoized per process.
 */
export function kernelAvailable(): { ok: boolean; why?: string } {
  availability ??= probe();
  return availability;
}

export interface ScenarioResult {
  stdout: string;
  status: number;
}

/**
 * Runs `runner OBJ ARGS...` on the live kernel. `args` are what `tsbpf run OBJ`
 * takes after the object: `--no-hold` and steps. Rejects when the kernel is
 * not available or the runner dies from a signal / hangs (60 s).
 */
export function runKernelScenario(objPath: string, args: string[]): Promise<ScenarioResult> {
  const avail = kernelAvailable();
  if (!avail.ok) return Promise.reject(new Error(`kernel not available: ${avail.why ?? '?'}`));
  const h = args.indexOf('--host');
  if (h >= 0 && args[h + 1] !== undefined) {
    // the scenario's host: a fresh network namespace set up from the same JSON tsbpf reads
    let ns: string;
    try {
      ns = createHostNetns(resolve(repoRoot, args[h + 1]!));
    } catch (e) {
      return Promise.reject(e as Error);
    }
    let socks: string[];
    try {
      socks = hostSockArgs(resolve(repoRoot, args[h + 1]!));
    } catch (e) {
      spawnSync('ip', ['netns', 'del', ns]);
      return Promise.reject(e as Error);
    }
    return spawnRunner(['ip', 'netns', 'exec', ns, runnerPath, resolve(repoRoot, objPath), ...socks, ...args])
      .finally(() => spawnSync('ip', ['netns', 'del', ns]));
  }
  return spawnRunner([runnerPath, resolve(repoRoot, objPath), ...args]);
}

/**
 * The runner's --sock options for a host file's sockets (opened by the runner
 * inside the namespace, in file order): a TCP listener; an established TCP
 * socket whose remote is a listener of the file connects to it, and its
 * mirror entry (local and remote swapped) is the accepted end the kernel
 * creates; UDP sockets bind, and connect() when they have a remote.
 */
export function hostSockArgs(hostFile: string): string[] {
  const spec = JSON.parse(readFileSync(hostFile, 'utf8')) as { sockets?: { proto: string; local: string; remote?: string; state?: string }[] };
  const socks = spec.sockets ?? [];
  const port = (ep: string): string => ep.slice(ep.lastIndexOf(':') + 1);
  const isListener = (ep: string): boolean => socks.some((s) => s.proto === 'tcp' && (s.state === 'listen' || s.remote === undefined)
    && (s.local === ep || (port(s.local) === port(ep) && /^(0\.0\.0\.0|\[::\])$/.test(s.local.slice(0, s.local.lastIndexOf(':'))))));
  const out: string[] = [];
  for (const s of socks) {
    if (s.proto === 'udp') out.push('--sock', `udp:${s.local}${s.remote ? `>${s.remote}` : ''}`);
    else if (s.state === 'listen' || s.remote === undefined) out.push('--sock', `tcp-listen:${s.local}`);
    else if (isListener(s.remote)) out.push('--sock', `tcp-connect:${s.local}>${s.remote}`);
    else if (!socks.some((m) => m.proto === 'tcp' && m.local === s.remote && m.remote === s.local && isListener(m.remote))) {
      throw new Error(`host socket tcp ${s.local} -> ${s.remote}: neither a connection to a listener of the file nor its accepted end`);
    }
  }
  return out;
}

let netnsSeq = 0;

/**
 * A network namespace with the interfaces (veth devices at the given
 * ifindexes, their peers at ifindex + 100), addresses, routes and neighbours of a host file
 * (src/net/host.ts's JSON form), forwarding on unless the file says not.
 * Loopback-only: nothing in it reaches the machine's own network.
 */
export function createHostNetns(hostFile: string): string {
  const spec = JSON.parse(readFileSync(hostFile, 'utf8')) as {
    interfaces?: { ifindex?: number; name: string; mac?: string; mtu?: number }[];
    addresses?: { dev: string; addr: string }[];
    routes?: { dst: string; via?: string; dev?: string; type?: string; mtu?: number; mtuLock?: boolean; table?: number; metric?: number }[];
    neighbours?: { addr: string; dev: string; mac: string }[];
    forwarding?: { ipv4?: boolean; ipv6?: boolean };
    syncookies?: number;
  };
  const ns = `tsbpf-net-${process.pid}-${netnsSeq++}`;
  const run = (...a: string[]): void => {
    const r = spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip -n ${ns} ${a.join(' ')}: ${(r.stderr || String(r.error)).trim()}`);
  };
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add: ${(add.stderr || String(add.error)).trim()}`);
  try {
    run('link', 'set', 'lo', 'up');
    for (const i of spec.interfaces ?? []) {
      // a veth pair (dummy devices are not always built): NAME at its ifindex, the peer NAMEp at ifindex + 100
      run('link', 'add', i.name, ...(i.ifindex ? ['index', String(i.ifindex)] : []), 'type', 'veth',
        'peer', 'name', `${i.name}p`, ...(i.ifindex ? ['index', String(i.ifindex + 100)] : []));
      run('link', 'set', `${i.name}p`, 'addrgenmode', 'none');
      run('link', 'set', `${i.name}p`, 'up');
      if (i.mac) run('link', 'set', i.name, 'address', i.mac);
      run('link', 'set', i.name, 'mtu', String(i.mtu ?? 1500));
      // no automatic fe80:: address (the host file lists every address)
      run('link', 'set', i.name, 'addrgenmode', 'none');
      run('link', 'set', i.name, 'up');
    }
    for (const a of spec.addresses ?? []) run('addr', 'add', a.addr, 'dev', a.dev, ...(a.addr.includes(':') ? ['nodad'] : []));
    for (const r of spec.routes ?? []) {
      const t = r.type && r.type !== 'unicast' ? [r.type] : [];
      run('route', 'add', ...t, r.dst, ...(r.via ? ['via', r.via] : []), ...(r.dev && !t.length ? ['dev', r.dev] : []),
        ...(r.mtu ? ['mtu', ...(r.mtuLock ? ['lock'] : []), String(r.mtu)] : []), ...(r.table ? ['table', String(r.table)] : []),
        ...(r.metric !== undefined ? ['metric', String(r.metric)] : []));
    }
    for (const n of spec.neighbours ?? []) run('neigh', 'add', n.addr, 'lladdr', n.mac, 'dev', n.dev, 'nud', 'permanent');
    const sys = (k: string, v: boolean | undefined): void => {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `${k}=${v === false ? 0 : 1}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sysctl ${k}: ${(r.stderr || String(r.error)).trim()}`);
    };
    sys('net.ipv4.ip_forward', spec.forwarding?.ipv4);
    sys('net.ipv6.conf.all.forwarding', spec.forwarding?.ipv6);
    if (spec.syncookies !== undefined) {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.tcp_syncookies=${spec.syncookies}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sysctl tcp_syncookies: ${(r.stderr || String(r.error)).trim()}`);
    }
  } catch (e) {
    spawnSync('ip', ['netns', 'del', ns]);
    throw e;
  }
  return ns;
}

function spawnRunner(argv: string[]): Promise<ScenarioResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === null) {
        reject(new Error(`runner killed by ${signal ?? '?'}: ${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      resolvePromise({ stdout: Buffer.concat(out).toString('utf8'), status: code });
    });
  });
}

/** `dir/NAME.bpf.o` + `close-maps` -> `dir/NAME.close-maps.kernel.out`. */
export function goldenPath(objPath: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad golden name '${name}'`);
  const base = basename(objPath).replace(/\.bpf\.o$/, '').replace(/\.o$/, '');
  return join(dirname(resolve(repoRoot, objPath)), `${base}.${name}.kernel.out`);
}

export interface Golden {
  /** the golden file */
  path: string;
  /** the object, relative to the repo root */
  obj: string;
  /** the arguments after the object */
  args: string[];
  /** the runner's exit status (0 ok, 3 load failed, 2 bad scenario) */
  status: number;
  /** the runner's stdout, exactly */
  stdout: string;
}

const HEADER = '# tsbpf kernel golden\n';

export function formatGolden(g: Omit<Golden, 'path'>): string {
  return `${HEADER}# obj: ${g.obj}\n# args: ${JSON.stringify(g.args)}\n# status: ${g.status}\n${g.stdout}`;
}

export function parseGolden(path: string, text: string): Golden {
  const m = /^# tsbpf kernel golden\n# obj: (.*)\n# args: (.*)\n# status: (\d+)\n/.exec(text);
  if (!m) throw new Error(`${path}: not a kernel golden file (bad header)`);
  let args: unknown;
  try {
    args = JSON.parse(m[2]!);
  } catch {
    throw new Error(`${path}: bad '# args:' line`);
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new Error(`${path}: '# args:' must be a JSON array of strings`);
  }
  return { path, obj: m[1]!, args: args as string[], status: Number(m[3]), stdout: text.slice(m[0].length) };
}

export function readGolden(path: string): Golden {
  return parseGolden(path, readFileSync(path, 'utf8'));
}

/** Every `*.kernel.out` under dir (recursively), sorted. */
export function listGoldens(dir: string = kernelDir): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'build' && e.name !== 'node_modules') walk(join(d, e.name));
      } else if (e.name.endsWith('.kernel.out')) {
        found.push(join(d, e.name));
      }
    }
  };
  walk(dir);
  return found.sort();
}

export function updatingGoldens(): boolean {
  return process.env['TSBPF_UPDATE_GOLDEN'] === '1';
}

/** Runs the scenario on the live kernel and (re)writes its golden file. */
export async function recordGolden(objPath: string, name: string, args: string[]): Promise<Golden> {
  const r = await runKernelScenario(objPath, args);
  const path = goldenPath(objPath, name);
  const g: Golden = { path, obj: relative(repoRoot, resolve(repoRoot, objPath)), args, ...r };
  writeFileSync(path, formatGolden(g));
  return g;
}

/**
 * The recorded kernel answer for scenario `name` of objPath. With
 * TSBPF_UPDATE_GOLDEN=1 it is first re-recorded from the live kernel (an error
 * if the kernel is not available). Throws if the golden is missing or was
 * recorded with other arguments.
 */
export async function kernelGolden(objPath: string, name: string, args: string[]): Promise<Golden> {
  if (updatingGoldens()) return recordGolden(objPath, name, args);
  const path = goldenPath(objPath, name);
  if (!existsSync(path)) {
    throw new Error(`missing golden ${relative(repoRoot, path)}: record it with TSBPF_UPDATE_GOLDEN=1 npm test (as root, with gcc and libbpf-dev)`);
  }
  const g = readGolden(path);
  if (JSON.stringify(g.args) !== JSON.stringify(args)) {
    throw new Error(`${relative(repoRoot, path)} was recorded with args ${JSON.stringify(g.args)}, not ${JSON.stringify(args)}: re-record with TSBPF_UPDATE_GOLDEN=1`);
  }
  return g;
}
