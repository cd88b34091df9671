// Values of .kconfig externs at load time, as libbpf's
// bpf_object__resolve_externs() sets them: LINUX_* "virtual" externs are
// computed by the loader, CONFIG_* come from Kconfig lines (the user's first,
// then the system's: here the Kconfig of the kernel tsbpf emulates), a
// __weak extern nobody sets reads as zero and a strong one fails the load
// ("extern 'X' (strong): not resolved", -ESRCH). Values are checked against
// the extern's C type with libbpf's rules and messages.

import type { KconfigExtern } from '../object/kconfig.js';
import { EINVAL, ERANGE, ESRCH } from '../uapi/errno.js';

/** A Kconfig value: 'y' | 'n' | 'm', a number/bigint, a boolean (y/n), or a string (char arrays). */
export type KconfigValue = number | bigint | boolean | string;

/** KERNEL_VERSION(a, b, c) of include/uapi/linux/version.h (the patch level saturates at 255). */
export function kernelVersion(a: number, b: number, c: number): number {
  return (a << 16) + (b << 8) + Math.min(c, 255);
}

/**
 * The Kconfig of the kernel tsbpf emulates: Linux 6.18 on x86-64, Debian's
 * defaults for what BPF programs commonly test. `LINUX_*` are libbpf's
 * virtual externs; tsbpf lets the user override them too.
 */
export const DEFAULT_KCONFIG: Readonly<Record<string, KconfigValue>> = {
  LINUX_KERNEL_VERSION: kernelVersion(6, 18, 0),
  // bpf_get_attach_cookie exists (5.15+); x86-64 syscalls go through __x64_sys_* wrappers
  LINUX_HAS_BPF_COOKIE: true,
  LINUX_HAS_SYSCALL_WRAPPER: true,
  CONFIG_HZ: 250,
  CONFIG_HZ_250: 'y',
  CONFIG_64BIT: 'y',
  CONFIG_X86_64: 'y',
  CONFIG_SMP: 'y',
  CONFIG_NR_CPUS: 8192,
  CONFIG_PREEMPT_VOLUNTARY: 'y',
  CONFIG_HIGH_RES_TIMERS: 'y',
  CONFIG_NET: 'y',
  CONFIG_INET: 'y',
  CONFIG_IPV6: 'y',
  CONFIG_BPF: 'y',
  CONFIG_BPF_SYSCALL: 'y',
  CONFIG_BPF_JIT: 'y',
  CONFIG_BPF_JIT_ALWAYS_ON: 'y',
  CONFIG_BPF_EVENTS: 'y',
  CONFIG_DEBUG_INFO_BTF: 'y',
  CONFIG_CGROUPS: 'y',
  CONFIG_CGROUP_BPF: 'y',
  CONFIG_NET_CLS_ACT: 'y',
  CONFIG_NET_SCH_INGRESS: 'm',
  CONFIG_XDP_SOCKETS: 'y',
  CONFIG_NF_CONNTRACK: 'm',
  CONFIG_PAGE_SIZE_4KB: 'y',
};

export class KconfigError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'KconfigError';
  }
}

const fail = (msg: string, errno = -EINVAL): never => { throw new KconfigError(msg, errno); };

/** strtoull(value, &end, 0) as libbpf's parse_u64: 0x.., 0.. (octal), a leading '-' wraps. */
function parseU64(text: string): bigint | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  const v = body.length > 1 && body[0] === '0' && !/^0[xX]/.test(body) ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  if (v > 0xffffffffffffffffn) return undefined; // strtoull: ERANGE
  return BigInt.asUintN(64, m[1] === '-' ? -v : v);
}

/** is_kcfg_value_in_range */
function inRange(e: KconfigExtern, v: bigint): boolean {
  if (e.size === 8) return true;
  const bits = BigInt(e.size * 8);
  if (e.signed) return BigInt.asUintN(64, v + (1n << (bits - 1n))) < (1n << bits);
  return (v >> bits) === 0n;
}

function writeNum(e: KconfigExtern, out: Uint8Array, v: bigint): void {
  if (e.type !== 'int' && e.type !== 'char' && e.type !== 'bool') {
    fail(`extern (kcfg) '${e.name}': value '${v}' implies integer, char, or boolean type`);
  }
  if (e.type === 'bool' && v > 1n) fail(`extern (kcfg) '${e.name}': value '${v}' isn't boolean compatible`);
  if (!inRange(e, v)) fail(`extern (kcfg) '${e.name}': value '${v}' doesn't fit in ${e.size} bytes`, -ERANGE);
  for (let i = 0; i < e.size; i++) out[e.dataOff + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

function writeTri(e: KconfigExtern, out: Uint8Array, c: 'y' | 'n' | 'm'): void {
  switch (e.type) {
    case 'bool':
      if (c === 'm') fail(`extern (kcfg) '${e.name}': value '${c}' implies tristate or char type`);
      out[e.dataOff] = c === 'y' ? 1 : 0;
      return;
    case 'tristate': {
      // enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 }
      const v = c === 'y' ? 1 : c === 'm' ? 2 : 0;
      out.fill(0, e.dataOff, e.dataOff + e.size);
      out[e.dataOff] = v;
      return;
    }
    case 'char':
      out[e.dataOff] = c.charCodeAt(0);
      return;
    default:
      fail(`extern (kcfg) '${e.name}': value '${c}' implies bool, tristate, or char type`);
  }
}

function writeStr(e: KconfigExtern, out: Uint8Array, quoted: string, warn?: (m: string) => void): void {
  if (e.type !== 'char-array') fail(`extern (kcfg) '${e.name}': value '${quoted}' implies char array type`);
  if (quoted.length < 2 || !quoted.endsWith('"')) fail(`extern (kcfg) '${e.name}': invalid string config '${quoted}'`);
  let bytes = new TextEncoder().encode(quoted.slice(1, -1));
  if (bytes.length >= e.size) {
    warn?.(`extern (kcfg) '${e.name}': long string '${quoted}' of (${bytes.length} bytes) truncated to ${e.size - 1} bytes`);
    bytes = bytes.subarray(0, e.size - 1);
  }
  out.fill(0, e.dataOff, e.dataOff + e.size);
  out.set(bytes, e.dataOff);
}

/** One Kconfig value, as bpf_object__process_kconfig_line() treats the text after '='. */
function setValue(e: KconfigExtern, out: Uint8Array, value: KconfigValue, warn?: (m: string) => void): void {
  if (typeof value === 'boolean') return writeTri(e, out, value ? 'y' : 'n');
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) fail(`extern (kcfg) '${e.name}': value '${value}' isn't a valid integer`);
    if (e.type !== 'int' && e.type !== 'char') fail(`extern (kcfg) '${e.name}': value '${value}' implies integer type`);
    return writeNum(e, out, BigInt.asUintN(64, BigInt(value)));
  }
  const c = value[0];
  if (c === 'y' || c === 'n' || c === 'm') return writeTri(e, out, c);
  if (c === '"') return writeStr(e, out, value, warn);
  // the JavaScript API also takes a plain string for a char array
  if (e.type === 'char-array' && parseU64(value) === undefined) return writeStr(e, out, `"${value}"`, warn);
  const n = parseU64(value);
  if (n === undefined) fail(`extern (kcfg) '${e.name}': value '${value}' isn't a valid integer`);
  if (e.type !== 'int' && e.type !== 'char') fail(`extern (kcfg) '${e.name}': value '${value}' implies integer type`);
  writeNum(e, out, n!);
}

/** `CONFIG_HZ=250` (a libbpf Kconfig line) -> [name, value]; the CLI's --kconfig. */
export function parseKconfigLine(line: string): [string, KconfigValue] {
  const eq = line.indexOf('=');
  if (eq <= 0) fail(`failed to parse '${line}': no separator`);
  const value = line.slice(eq + 1).replace(/\n$/, '');
  if (value === '') fail(`failed to parse '${line}': no value`);
  return [line.slice(0, eq), value];
}

/**
 * The .kconfig map's bytes for `externs`: user values (`user`), then the
 * emulated kernel's (`system`). Throws KconfigError with libbpf's message
 * and errno.
 */
export function resolveKconfig(
  externs: readonly KconfigExtern[], size: number,
  user: Readonly<Record<string, KconfigValue>>, system: Readonly<Record<string, KconfigValue>> = DEFAULT_KCONFIG,
  warn?: (m: string) => void,
): Uint8Array {
  const out = new Uint8Array(size);
  for (const e of externs) {
    const given = Object.prototype.hasOwnProperty.call(user, e.name) ? user[e.name] : undefined;
    const sys = Object.prototype.hasOwnProperty.call(system, e.name) ? system[e.name] : undefined;
    if (e.name.startsWith('CONFIG_')) {
      const v = given ?? sys;
      if (v !== undefined) setValue(e, out, v, warn);
      else if (!e.weak) fail(`extern '${e.name}' (strong): not resolved`, -ESRCH);
      continue;
    }
    if (!e.name.startsWith('LINUX_')) fail(`extern (kcfg) '${e.name}': unrecognized virtual extern`);
    const v = given ?? sys;
    if (v === undefined) {
      // an unknown LINUX_ extern: libbpf accepts it only as __weak, as 0
      if (!e.weak) fail(`extern (kcfg) '${e.name}': unrecognized virtual extern`);
      writeNum(e, out, 0n);
      continue;
    }
    // virtual externs are numbers (set_kcfg_value_num)
    const n = typeof v === 'boolean' ? (v ? 1n : 0n) : typeof v === 'string' ? parseU64(v) : BigInt(v);
    if (n === undefined) fail(`extern (kcfg) '${e.name}': value '${String(v)}' isn't a valid integer`);
    writeNum(e, out, BigInt.asUintN(64, n!));
  }
  return out;
}
