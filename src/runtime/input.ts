// Bounded inputs: every file tsbpf reads whole (ELF objects, packets, contexts)
// is checked before it is read. A path must name a regular file (a device, a
// FIFO or a directory would be read without end: `tsbpf prog load /dev/zero`),
// and its size must be within a limit; stdin ('-') is read up to the limit
// and refused beyond it. Limits are documented in README.md ("Limits").

import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { E2BIG, EINVAL } from '../uapi/errno.js';

/** ELF objects (programs, BTF, .maps): vmlinux-sized BTF is ~6 MiB, so this is generous */
export const DEFAULT_MAX_OBJECT_BYTES = 256 << 20;
/** packet and context inputs (data_in/ctx_in): the kernel's test run takes at most a few pages */
export const DEFAULT_MAX_PACKET_BYTES = 16 << 20;

export class InputError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = 'InputError';
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function mib(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MiB` : `${n} bytes`;
}

/**
 * Reads `path` whole ('-' reads stdin), refusing non-regular files and
 * anything larger than `maxBytes`, before reading it. `what` names the input
 * in the message ("object file", "data_in").
 */
export function readInputFile(path: string, what: string, maxBytes: number): Uint8Array {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new InputError(`bad input limit ${maxBytes}`, -EINVAL);
  if (path === '-') return readBoundedFd(0, `${what} from stdin`, maxBytes);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(`cannot open ${what} ${path}: ${err.code ?? err.message}`, -(typeof err.errno === 'number' ? Math.abs(err.errno) : EINVAL));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${what} '${path}' is ${kindOf(st)}, not a regular file`, -EINVAL);
    if (st.size > maxBytes) {
      throw new InputError(`${what} '${path}' is ${mib(st.size)}, over the limit of ${mib(maxBytes)}`, -E2BIG);
    }
    // the file may grow between fstat and read: never read past the limit
    return readBoundedFd(fd, `${what} '${path}'`, maxBytes, st.size);
  } finally {
    closeSync(fd);
  }
}

function readBoundedFd(fd: number, what: string, maxBytes: number, sizeHint = 64 * 1024): Uint8Array {
  let buf = new Uint8Array(Math.min(Math.max(sizeHint, 1), maxBytes) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > maxBytes) break;
      const next = new Uint8Array(Math.min(buf.length * 2, maxBytes + 1));
      next.set(buf);
      buf = next;
    }
    let got: number;
    try {
      got = readSync(fd, buf, n, buf.length - n, null);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EAGAIN') continue;
      if (err.code === 'EOF') break;
      throw new InputError(`cannot read ${what}: ${err.code ?? err.message}`, -EINVAL);
    }
    if (got === 0) break;
    n += got;
  }
  if (n > maxBytes) throw new InputError(`${what} is over the limit of ${mib(maxBytes)}`, -E2BIG);
  return buf.slice(0, n);
}
