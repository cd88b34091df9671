// Linux errno values (asm-generic/errno-base.h, errno.h). Helpers and map
// operations return them negated, as the kernel does.
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ERANGE = 34;
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENXIO = 6;
export const EALREADY = 114;
export const EOVERFLOW = 75;
export const EMSGSIZE = 90;
export const EAFNOSUPPORT = 97;
export const ENETUNREACH = 101;
export const EPROTO = 71;
export const ENOTSUPP = 524; // kernel-internal, seen by BPF programs
export const EOPNOTSUPP = 95;
export const EPROTONOSUPPORT = 93;
export const ELOOP = 40;
export const ENOTEMPTY = 39;
export const ENODATA = 61;
export const ENONET = 64;

const NAMES: Record<number, string> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [ESRCH]: 'ESRCH', [EINTR]: 'EINTR', [EIO]: 'EIO',
  [E2BIG]: 'E2BIG', [ENOEXEC]: 'ENOEXEC', [EBADF]: 'EBADF', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM',
  [EACCES]: 'EACCES', [EFAULT]: 'EFAULT', [EBUSY]: 'EBUSY', [EEXIST]: 'EEXIST', [EXDEV]: 'EXDEV',
  [ENODEV]: 'ENODEV', [EINVAL]: 'EINVAL', [ENOSPC]: 'ENOSPC', [ERANGE]: 'ERANGE', [EDEADLK]: 'EDEADLK',
  [ENAMETOOLONG]: 'ENAMETOOLONG', [ENOTSUPP]: 'ENOTSUPP', [EOPNOTSUPP]: 'EOPNOTSUPP', [EPROTONOSUPPORT]: 'EPROTONOSUPPORT', [ELOOP]: 'ELOOP',
  [ENOTEMPTY]: 'ENOTEMPTY', [ENODATA]: 'ENODATA', [ENXIO]: 'ENXIO', [EALREADY]: 'EALREADY', [EOVERFLOW]: 'EOVERFLOW', [EMSGSIZE]: 'EMSGSIZE', [EAFNOSUPPORT]: 'EAFNOSUPPORT',
  [ENETUNREACH]: 'ENETUNREACH', [EPROTO]: 'EPROTO',
};

/** 'ENOENT' for 2 or -2; 'E<n>' for unknown values. */
export function errnoName(errno: number): string {
  const e = Math.abs(errno);
  return NAMES[e] ?? `E${e}`;
}
