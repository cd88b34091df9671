// glibc's strerror() text for the errnos bpf() returns, so messages read like
// bpftool's ("Error: update failed: File exists").

const MESSAGES: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  4: 'Interrupted system call',
  5: 'Input/output error',
  7: 'Argument list too long',
  8: 'Exec format error',
  9: 'Bad file descriptor',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  14: 'Bad address',
  16: 'Device or resource busy',
  17: 'File exists',
  18: 'Invalid cross-device link',
  19: 'No such device',
  22: 'Invalid argument',
  28: 'No space left on device',
  34: 'Numerical result out of range',
  35: 'Resource deadlock avoided',
  36: 'File name too long',
  39: 'Directory not empty',
  40: 'Too many levels of symbolic links',
  95: 'Operation not supported',
  // ENOTSUPP is kernel-internal; glibc has no text for it
  524: 'Unknown error 524',
};

/** strerror(|errno|), e.g. 17 or -17 -> 'File exists'. */
export function strerror(errno: number): string {
  const e = Math.abs(errno);
  return MESSAGES[e] ?? `Unknown error ${e}`;
}
