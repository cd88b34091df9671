// SYN cookies as the simulated host makes and checks them: the shape of the
// kernel's (net/ipv4/syncookies.c, net/ipv6/syncookies.c) — a 32-bit cookie
// carrying a minute counter in its top 8 bits and an MSS-table index under a
// keyed hash of the 4-tuple, valid for two minutes — with a hash of tsbpf's
// own (the kernel's is siphash under a boot-time secret, so cookie values
// never match the kernel's; what a program can observe — the MSS encoding,
// validity, the error codes — does).

import type { Family } from './addr.js';

/** the MSS values a cookie can encode, per family (msstab) */
export const MSSTAB: Record<Family, readonly number[]> = { 4: [536, 1300, 1440, 1460], 6: [1220, 1420, 1440, 8940] };
/** mss_clamp of the request sock ops: TCP_MSS_DEFAULT, IPV6_MIN_MTU - 60 */
export const MSS_CLAMP: Record<Family, number> = { 4: 536, 6: 1220 };
const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;
/** MAX_SYNCOOKIE_AGE minutes */
export const MAX_SYNCOOKIE_AGE = 2;
export const SYNCOOKIE_PERIOD_NS = 60_000_000_000n;

export interface CookieTuple {
  family: Family;
  saddr: Uint8Array;
  daddr: Uint8Array;
  sport: number;
  dport: number;
}

/** a keyed 32-bit mix (FNV-1a over the key, the tuple and two words, then an avalanche) */
function cookieHash(key: number, t: CookieTuple, count: number, c: number): number {
  let h = (0x811c9dc5 ^ key) >>> 0;
  const eat = (byte: number): void => {
    h = Math.imul(h ^ (byte & 0xff), 0x01000193) >>> 0;
  };
  for (const b of t.saddr) eat(b);
  for (const b of t.daddr) eat(b);
  for (const w of [t.sport, t.dport]) { eat(w >> 8); eat(w); }
  for (const w of [count, c]) for (let s = 24; s >= 0; s -= 8) eat(w >>> s);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** the minute counter (tcp_cookie_time) */
export const cookieTime = (nowNs: bigint): number => Number((nowNs / SYNCOOKIE_PERIOD_NS) & 0xffffffffn);

/** the table index for an MSS: the largest entry not above it, else 0; and the MSS it stands for */
export function mssIndex(family: Family, mss: number): { index: number; mss: number } {
  const tab = MSSTAB[family];
  let i = tab.length - 1;
  while (i > 0 && mss < tab[i]!) i--;
  return { index: i, mss: tab[i]! };
}

/** the cookie for a SYN with sequence number `seq` */
export function makeCookie(key: number, t: CookieTuple, seq: number, mssIdx: number, nowNs: bigint): number {
  const count = cookieTime(nowNs);
  return (cookieHash(key, t, 0, 0) + seq + (count << COOKIEBITS) + ((cookieHash(key, t, count, 1) + mssIdx) & COOKIEMASK)) >>> 0;
}

/** the MSS a returning ACK's cookie encodes (cookie = ack_seq - 1, seq = its seq - 1), or 0 when it is not valid */
export function checkCookie(key: number, t: CookieTuple, cookie: number, seq: number, nowNs: bigint): number {
  const count = cookieTime(nowNs);
  const c = (cookie - cookieHash(key, t, 0, 0) - seq) >>> 0;
  const diff = (count - (c >>> COOKIEBITS)) & (0xffffffff >>> COOKIEBITS);
  if (diff >= MAX_SYNCOOKIE_AGE) return 0;
  const idx = (c - cookieHash(key, t, (count - diff) >>> 0, 1)) & COOKIEMASK;
  return idx < MSSTAB[t.family].length ? MSSTAB[t.family][idx]! : 0;
}

/** tcp_parse_mss_option: the MSS option of a TCP header (its options bytes), 0 when absent */
export function parseMssOption(opts: Uint8Array, userMss = 0): number {
  let mss = 0;
  for (let i = 0; i < opts.length;) {
    const kind = opts[i]!;
    if (kind === 0) break; // TCPOPT_EOL
    if (kind === 1) { i++; continue; } // TCPOPT_NOP
    if (i + 1 >= opts.length) break;
    const size = opts[i + 1]!;
    if (size < 2 || size > opts.length - i) break;
    if (kind === 2 && size === 4) {
      let m = (opts[i + 2]! << 8) | opts[i + 3]!;
      if (m) {
        if (userMss && userMss < m) m = userMss;
        mss = m;
      }
    }
    i += size;
  }
  return mss;
}
