// IPv4/IPv6 addresses as network-order bytes, parsed and printed as `ip` does.
export type Family = 4 | 6;

export class AddrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddrError';
  }
}

export function parseAddr(text: string): { family: Family; addr: Uint8Array } {
  if (text.includes(':')) return { family: 6, addr: parseIp6(text) };
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new AddrError(`bad IPv4 address '${text}'`);
  }
  return { family: 4, addr: Uint8Array.from(parts.map(Number)) };
}

function parseIp6(text: string): Uint8Array {
  const bad = (): never => {
    throw new AddrError(`bad IPv6 address '${text}'`);
  };
  const halves = text.split('::');
  if (halves.length > 2) bad();
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) bad();
    return parseInt(g, 16);
  }));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (halves.length === 1 && head.length !== 8) bad();
  if (head.length + tail.length > (halves.length === 2 ? 7 : 8)) bad();
  const all = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function formatAddr(family: Family, a: Uint8Array): string {
  if (family === 4) return [...a].join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((a[i]! << 8) | a[i + 1]!);
  // the longest run of zero groups becomes '::'
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (x: number[]): string => x.map((v) => v.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}
