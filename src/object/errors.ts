import { ElfError } from '../elf/elf.js';

/**
 * An object that is valid ELF but not a loadable BPF object in libbpf's terms
 * (bad relocation, unsupported section, invalid map definition). It is an
 * ElfError, so one `catch (e instanceof ElfError)` covers every malformed file.
 */
export class ObjectError extends ElfError {
  constructor(message: string, section?: string, offset?: number) {
    super(message, section, offset);
    this.name = 'ObjectError';
    this.message = this.message.replace(/^elf: /, 'object: ');
  }
}
