// What `load=failed` prints: the errno BPF_PROG_LOAD/BPF_MAP_CREATE would have
// returned, and the verifier log's final error line (empty when no program
// was rejected), with the same rule as test/kernel/runner.c.

import { EINVAL, ENOENT } from '../uapi/errno.js';

export interface LoadFailure {
  errno: number;
  verifierError: string;
  message: string;
}

/** The last non-empty log line that is not a statistics line. */
export function finalErrorLine(log: string): string {
  const lines = log.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^processed \d+ insns/.test(l) || l.startsWith('verification time') || l.startsWith('stack depth')) continue;
    return l;
  }
  return '';
}

export function describeLoadFailure(e: unknown): LoadFailure {
  const err = e as { errno?: number; log?: string; code?: string; message?: string };
  const message = err?.message ?? String(e);
  if (err?.code === 'ENOENT') return { errno: ENOENT, verifierError: '', message };
  const errno = typeof err?.errno === 'number' && err.errno !== 0 ? Math.abs(err.errno) : EINVAL;
  const verifierError = typeof err?.log === 'string' ? finalErrorLine(err.log) : '';
  return { errno, verifierError, message };
}
