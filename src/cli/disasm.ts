// tsbpf disasm FILE: print raw bytecode in the kernel verifier log's form
// (`0: (b7) r0 = 0`).
import { readInputFile, DEFAULT_MAX_OBJECT_BYTES } from '../runtime/input.js';
import { decode } from '../isa/insn.js';
import { disassemble } from '../isa/disasm.js';

const USAGE = 'usage: tsbpf disasm BYTECODE\n';

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '-h' || argv[0] === '--help') { process.stdout.write(USAGE); return 0; }
  if (argv.length !== 1 || argv[0]!.startsWith('-')) { process.stderr.write(USAGE); return 1; }
  const file = argv[0]!;
  try {
    const bytes = readInputFile(file, 'bytecode file', DEFAULT_MAX_OBJECT_BYTES);
    if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
      throw new Error(`${file} is an ELF object; disasm reads raw bytecode (extract a section with llvm-objcopy -O binary --only-section=NAME)`);
    }
    process.stdout.write(disassemble(decode(bytes)).map((l) => l + '\n').join(''));
    return 0;
  } catch (e) {
    process.stderr.write(`tsbpf disasm: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
