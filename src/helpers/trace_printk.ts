// bpf_trace_printk (kernel/trace/bpf_trace.c): the format is checked and its
// arguments gathered as bpf_bprintf_prepare (kernel/bpf/helpers.c) does,
// then printed as bstr_printf would into a MAX_BPRINTF_BUF buffer. The line
// goes to env.trace(); the result is bstr_printf's: the length of the whole
// formatted message (even past the buffer), or -EINVAL / -ENOSPC.
//
// Accepted, as in the kernel: %d %i %u %x %X with an optional l or ll,
// %c, %s, %%, plain %p, %pK %px %ps %pS %pB, %pks %pus, %pI4 %pi4 %pI6 %pi6,
// each after optional [0 +-] flags and a width. No precision, no '*', no h.

import type { HelperFn } from '../vm/env.js';
import { ARENA_ACCESS_READ } from '../memory/arena.js';
import { EINVAL, ENOSPC } from '../uapi/errno.js';
import type { HelperEnv } from './env.js';
import { addrOf, checkMem, u32, u64 } from './misc.js';

export const MAX_TRACE_PRINTK_VARARGS = 3;
export const MAX_BPRINTF_BUF = 1024;
export const MAX_BPRINTF_BIN_ARGS = 512;

const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPunct = (c: number): boolean =>
  (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const ch = (s: string): number => s.charCodeAt(0);

interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  width: number;
}

/** A conversion with its argument, resolved by the prepare pass. */
type Piece =
  | string
  | { spec: Spec; kind: 'int'; value: bigint; signed: boolean; base: 10 | 16; upper: boolean }
  | { spec: Spec; kind: 'str'; value: string }
  | { spec: Spec; kind: 'chr'; value: string };

/** Reads a NUL-terminated string of at most max-1 chars (strncpy_from_kernel_nofault); undefined on a fault. */
function readStr(env: HelperEnv | undefined, p: bigint, max: number): { s: string; used: number } | undefined {
  if (!env) return { s: '', used: 1 };
  const a = addrOf(p);
  if (a < 0) return undefined;
  let s = '';
  for (let i = 0; i < max; i++) {
    if (!env.arena.canAccess(a + i, 1, ARENA_ACCESS_READ)) return undefined; // -EFAULT: the kernel prints ""
    const c = env.arena.u8[a + i]!;
    if (c === 0) return { s, used: i + 1 };
    if (i === max - 1) return { s, used: max }; // truncated, NUL in the last byte
    s += String.fromCharCode(c);
  }
  return { s, used: max };
}

const readBytes = (env: HelperEnv | undefined, p: bigint, n: number): Uint8Array => {
  if (!env) return new Uint8Array(n);
  const a = addrOf(p);
  // copy_from_kernel_nofault fails -> zeroes
  if (a < 0 || !env.arena.canAccess(a, n, ARENA_ACCESS_READ)) return new Uint8Array(n);
  return env.arena.u8.slice(a, a + n);
};

/** %pI4 %pi4 %pI6 %pi6 as lib/vsprintf.c prints them */
function formatIp(b: Uint8Array, kind: string): string {
  if (kind === 'I4') return Array.from(b, String).join('.');
  if (kind === 'i4') return Array.from(b, (x) => String(x).padStart(3, '0')).join('.');
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0'));
  if (kind === 'i6') return hex.join('');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(hex[i]! + hex[i + 1]!);
  return groups.join(':');
}

const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');

/**
 * bpf_bprintf_prepare + the argument side of bstr_printf: the pieces to
 * print, or -errno. `fmt` is the bytes up to (not including) the NUL.
 * Without `env` only the format is checked, as the verifier's
 * check_bpf_snprintf_call does (no argument buffer: no -ENOSPC, no reads).
 */
export function preparePrintk(env: HelperEnv | undefined, fmt: Uint8Array, args: readonly bigint[]): Piece[] | number {
  // the kernel gathers arguments into its bin_args buffer only when it has some
  const room = env && args.length > 0 ? MAX_BPRINTF_BIN_ARGS : Infinity;
  const at = (i: number): number => (i < fmt.length ? fmt[i]! : 0);
  const pieces: Piece[] = [];
  let lit = '';
  let numSpec = 0;
  let bin = 0; // bytes of the bin_args buffer used (MAX_BPRINTF_BIN_ARGS)
  const flush = (): void => {
    if (lit) pieces.push(lit);
    lit = '';
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if ((!isPrint(c) && !isSpace(c)) || c >= 0x80) return -EINVAL;
    if (c !== ch('%')) {
      lit += String.fromCharCode(c);
      continue;
    }
    if (at(i + 1) === ch('%')) {
      lit += '%';
      i++;
      continue;
    }
    if (numSpec >= args.length) return -EINVAL;
    const arg = args[numSpec]!;
    i++;
    const spec: Spec = { left: false, plus: false, space: false, zero: false, width: 0 };
    for (;;) {
      const f = at(i);
      if (f === ch('0')) spec.zero = true;
      else if (f === ch('+')) spec.plus = true;
      else if (f === ch('-')) spec.left = true;
      else if (f === ch(' ')) spec.space = true;
      else break;
      i++;
    }
    if (at(i) >= ch('1') && at(i) <= ch('9')) {
      while (isDigit(at(i))) spec.width = spec.width * 10 + (at(i++) - 0x30);
    }
    flush();
    const conv = at(i);
    if (conv === ch('p')) {
      const n = at(i + 1);
      let text: string;
      let isStr = false;
      if (n === 0 || isSpace(n) || isPunct(n)) {
        text = hex16(arg); // plain %p: the kernel hashes; we print the address as %px
      } else if ((n === ch('k') || n === ch('u')) && at(i + 2) === ch('s')) {
        i += 2;
        if (at(i + 1) !== 0 && !isSpace(at(i + 1)) && !isPunct(at(i + 1))) return -EINVAL;
        if (bin === room) return -ENOSPC;
        const r = readStr(env, arg, Math.min(MAX_BPRINTF_BIN_ARGS, room - bin));
        bin += r === undefined ? 1 : r.used;
        pieces.push({ spec, kind: 'str', value: r?.s ?? '' });
        numSpec++;
        continue;
      } else if (n === ch('K') || n === ch('x')) {
        i++;
        text = hex16(arg);
      } else if (n === ch('s') || n === ch('S') || n === ch('B')) {
        i++;
        text = `0x${arg.toString(16)}`; // no kernel symbols to name
      } else if ((n === ch('i') || n === ch('I')) && (at(i + 2) === ch('4') || at(i + 2) === ch('6'))) {
        i += 2;
        const size = at(i) === ch('4') ? 4 : 16;
        if (room - bin < size) return -ENOSPC;
        text = formatIp(readBytes(env, arg, size), String.fromCharCode(n, at(i)));
        bin += text.length + 1;
        isStr = true;
      } else {
        return -EINVAL;
      }
      if (!isStr) {
        // a long in bin_args, 4-byte aligned
        bin = (bin + 3) & ~3;
        if (room - bin < 8) return -ENOSPC;
        bin += 8;
      }
      pieces.push({ spec, kind: 'str', value: text });
      numSpec++;
      continue;
    }
    if (conv === ch('s')) {
      if (at(i + 1) !== 0 && !isSpace(at(i + 1)) && !isPunct(at(i + 1))) return -EINVAL;
      if (bin === room) return -ENOSPC;
      const r = readStr(env, arg, Math.min(MAX_BPRINTF_BIN_ARGS, room - bin));
      bin += r === undefined ? 1 : r.used;
      pieces.push({ spec, kind: 'str', value: r?.s ?? '' });
      numSpec++;
      continue;
    }
    if (conv === ch('c')) {
      if (bin === room) return -ENOSPC;
      bin++;
      pieces.push({ spec, kind: 'chr', value: String.fromCharCode(Number(arg & 0xffn)) });
      numSpec++;
      continue;
    }
    let size = 4;
    if (at(i) === ch('l')) {
      size = 8;
      i++;
    }
    if (at(i) === ch('l')) i++;
    const k = at(i);
    if (k !== ch('i') && k !== ch('d') && k !== ch('u') && k !== ch('x') && k !== ch('X')) return -EINVAL;
    bin = (bin + 3) & ~3;
    if (room - bin < size) return -ENOSPC;
    bin += size;
    const signed = k === ch('d') || k === ch('i');
    const bits = size * 8;
    const value = signed ? BigInt.asIntN(bits, arg) : BigInt.asUintN(bits, arg);
    const base = k === ch('x') || k === ch('X') ? 16 : 10;
    pieces.push({ spec, kind: 'int', value, signed, base, upper: k === ch('X') });
    numSpec++;
  }
  flush();
  return pieces;
}

function pad(s: string, spec: Spec): string {
  if (s.length >= spec.width) return s;
  return spec.left ? s.padEnd(spec.width, ' ') : s.padStart(spec.width, ' ');
}

/** bstr_printf's side: the whole formatted message. */
export function renderPrintk(pieces: readonly Piece[]): string {
  let out = '';
  for (const p of pieces) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    if (p.kind !== 'int') {
      out += pad(p.value, p.spec);
      continue;
    }
    const neg = p.value < 0n;
    let digits = (neg ? -p.value : p.value).toString(p.base);
    if (p.upper) digits = digits.toUpperCase();
    const sign = neg ? '-' : p.signed && p.spec.plus ? '+' : p.signed && p.spec.space ? ' ' : '';
    if (p.spec.zero && !p.spec.left) {
      digits = digits.padStart(p.spec.width - sign.length, '0');
    }
    out += pad(sign + digits, p.spec);
  }
  return out;
}

/** BPF_FUNC_trace_printk(fmt, fmt_size, arg1, arg2, arg3) */
export function bpf_trace_printk(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const size = u32(r2);
    const a = checkMem(env.arena, r1, size, false, 'bpf_trace_printk fmt');
    const bytes = env.arena.u8.subarray(a, a + size);
    const nul = bytes.indexOf(0);
    if (nul < 0) return u64(-EINVAL); // strnchr(fmt, fmt_size, 0) found no NUL
    const pieces = preparePrintk(env, bytes.slice(0, nul), [r3, r4, r5]);
    if (typeof pieces === 'number') return u64(pieces);
    const msg = renderPrintk(pieces);
    env.trace(msg.length < MAX_BPRINTF_BUF ? msg : msg.slice(0, MAX_BPRINTF_BUF - 1));
    return BigInt(msg.length);
  };
}

/** MAX_BPRINTF_VARARGS: the u64 array of bpf_snprintf / bpf_trace_vprintk holds at most 12 */
export const MAX_BPRINTF_VARARGS = 12;

/** The u64 argument array of bpf_snprintf / bpf_trace_vprintk, or -EINVAL for its length rules. */
function varargs(env: HelperEnv, args: bigint, dataLen: number, what: string): bigint[] | number {
  if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen && args === 0n)) return -EINVAL;
  const a = dataLen ? checkMem(env.arena, args, dataLen, false, what) : 0;
  return Array.from({ length: dataLen / 8 }, (_, i) => env.arena.dv.getBigUint64(a + 8 * i, true));
}

/** The NUL-terminated string at `p` (a verified ARG_PTR_TO_CONST_STR), without the NUL. */
function constStr(env: HelperEnv, p: bigint, what: string): Uint8Array {
  const a = checkMem(env.arena, p, 1, false, what);
  const end = env.arena.u8.indexOf(0, a);
  return env.arena.u8.slice(a, end < 0 ? a : end);
}

/**
 * BPF_FUNC_snprintf(str, str_size, fmt, data, data_len): formats into str
 * (at most str_size - 1 bytes and a NUL) and returns the length of the whole
 * message plus one; -EINVAL for data_len (not a multiple of 8, over 12
 * arguments, or data NULL) or the format, -ENOSPC when the arguments
 * overflow the kernel's buffer.
 */
export function bpf_snprintf(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4, r5) => {
    const size = u32(r2);
    const args = varargs(env, r4, u32(r5), 'bpf_snprintf data');
    if (typeof args === 'number') return u64(args);
    const pieces = preparePrintk(env, constStr(env, r3, 'bpf_snprintf fmt'), args);
    if (typeof pieces === 'number') return u64(pieces);
    const msg = renderPrintk(pieces);
    if (size > 0) {
      const dst = checkMem(env.arena, r1, size, true, 'bpf_snprintf str');
      const n = Math.min(msg.length, size - 1);
      for (let i = 0; i < n; i++) env.arena.u8[dst + i] = msg.charCodeAt(i);
      env.arena.u8[dst + n] = 0;
    }
    return BigInt(msg.length + 1);
  };
}

/** BPF_FUNC_trace_vprintk(fmt, fmt_size, data, data_len): bpf_trace_printk with up to 12 arguments from an array */
export function bpf_trace_vprintk(env: HelperEnv): HelperFn {
  return (_vm, r1, r2, r3, r4) => {
    const size = u32(r2);
    const args = varargs(env, r3, u32(r4), 'bpf_trace_vprintk data');
    if (typeof args === 'number') return u64(args);
    const a = checkMem(env.arena, r1, size, false, 'bpf_trace_vprintk fmt');
    const bytes = env.arena.u8.subarray(a, a + size);
    const nul = bytes.indexOf(0);
    if (nul < 0) return u64(-EINVAL);
    const pieces = preparePrintk(env, bytes.slice(0, nul), args);
    if (typeof pieces === 'number') return u64(pieces);
    const msg = renderPrintk(pieces);
    env.trace(msg.length < MAX_BPRINTF_BUF ? msg : msg.slice(0, MAX_BPRINTF_BUF - 1));
    return BigInt(msg.length);
  };
}
