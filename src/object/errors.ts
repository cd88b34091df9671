import { ElfError } from '../elf/elf.js';

/**
 * An object that is valid ELF but not a loadable BPF object in libbpf's terms
 * (bad relocation, unsupported section, invalid map definition). It is an
 * ElfError, so one `catch (e instanceof ElfError)` covers every malformed file.
 */
export class ObjectError extends ElfError {
  /** the errno libbpf returns for it, when it names one (e.g. -EOPNOTSUPP); else the caller's -EINVAL */
  readonly errno?: number;

  constructor(message: string, section?: string, offset?: number, errno?: number) {
    super(message, section, offset);
    if (errno !== undefined) this.errno = errno;
    this.name = 'ObjectError';
    this.message = this.message.replace(/^elf: /, 'object: ');
  }
}
