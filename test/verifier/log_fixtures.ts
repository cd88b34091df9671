// Kernel verifier logs recorded by record_logs.sh, and tsbpf's logs of the
// same programs: the inputs built from the object as the loader builds them.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { objectNameFromPath, parseObject } from '../../src/object/index.js';
import { parseFields } from '../../src/btf/fields.js';
import { verifierBtfInfo, isGpl } from '../../src/runtime/loader.js';
import { verify, VerifierError, type MapMeta, type VerifierInput } from '../../src/verifier/index.js';

const HERE = join(dirname(fileURLToPath(import.meta.url)), '../../../test/verifier');
export const LOGS_DIR = join(HERE, 'logs');

/** Where each recorded object lives. */
const OBJECTS: Record<string, string> = {
  simple: join(LOGS_DIR, 'simple.bpf.o'),
  general: join(HERE, 'corpus/general.bpf.o'),
};

export interface LogCase { obj: string; prog: string; level: 1 | 2; kernel: string; accepted: boolean }

/** Every recorded log: logs/OBJ.PROG.levelN.log */
export function recordedLogs(): LogCase[] {
  const out: LogCase[] = [];
  for (const f of readdirSync(LOGS_DIR).filter((n) => n.endsWith('.log')).sort()) {
    const m = /^([^.]+)\.(.+)\.level([12])\.log$/.exec(f);
    if (!m) continue;
    const kernel = readFileSync(join(LOGS_DIR, f), 'utf8');
    out.push({ obj: m[1]!, prog: m[2]!, level: Number(m[3]) as 1 | 2, kernel, accepted: false });
  }
  return out;
}

const inputsCache = new Map<string, Map<string, VerifierInput>>();

/** The verifier input of each program of an object, as loadObject builds it. */
export function inputsOf(obj: string): Map<string, VerifierInput> {
  const hit = inputsCache.get(obj);
  if (hit) return hit;
  const spec = parseObject(new Uint8Array(readFileSync(OBJECTS[obj]!)), { name: objectNameFromPath(OBJECTS[obj]!) });
  const maps: MapMeta[] = spec.maps.map((ms) => {
    const f = spec.btf && ms.valueTypeId ? parseFields(spec.btf, ms.valueTypeId) : undefined;
    return {
      type: ms.type, keySize: ms.keySize, valueSize: ms.valueSize, maxEntries: ms.maxEntries, flags: ms.flags,
      timerOff: f && !f.error ? f.timerOff : -1, spinLockOff: f && !f.error ? f.spinLockOff : -1,
      name: ms.name, hasBtf: !!(spec.btf && ms.valueTypeId),
    };
  });
  const out = new Map<string, VerifierInput>();
  for (const ps of spec.programs) {
    out.set(ps.name, { insns: ps.insns, progType: ps.type, gpl: isGpl(spec.license), maps, ...verifierBtfInfo(spec, ps) });
  }
  inputsCache.set(obj, out);
  return out;
}

/** tsbpf's log of a program at a level (accepted or not). */
export function ourLog(obj: string, prog: string, level: 1 | 2): string {
  const input = inputsOf(obj).get(prog);
  if (!input) throw new Error(`no program ${prog} in ${obj}`);
  try {
    return verify({ ...input, logLevel: level }).log;
  } catch (e) {
    if (e instanceof VerifierError) return e.log;
    throw e;
  }
}

/** Map and map value addresses differ by machine (the kernel prints its pointers). */
export function normalize(log: string): string[] {
  const l = log.replace(/(\(18\) r\d+ = |before \d+: \(18\) r\d+ = )0xffff[0-9a-f]{12}/g, '$10xADDR').split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** Lines of the kernel log that tsbpf's log has too, in order (LCS), over the kernel's line count. */
export function sameFraction(kernel: string[], ours: string[]): number {
  if (!kernel.length) return ours.length ? 0 : 1;
  const n = kernel.length, m = ours.length;
  let prev = new Uint32Array(m + 1), cur = new Uint32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      cur[j] = kernel[i - 1] === ours[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]! / Math.max(n, m);
}

/** "N: (xx) ..." instruction lines, without the state appended after ';'. */
export function insnLines(lines: string[]): string[] {
  return lines.filter((l) => /^\d+: \([0-9a-f]{2}\) /.test(l)).map((l) => l.replace(/\s+;.*$/, '').replace(/ \d+:.*$/, ''));
}

/** The error line before the stats line. */
export function finalLines(lines: string[]): string[] {
  const i = lines.findIndex((l) => l.startsWith('processed '));
  return i < 0 ? [] : lines.slice(Math.max(0, i - 1), i + 1);
}
