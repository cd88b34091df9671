// tsbpf asm FILE [--out F]: assemble a .s file or the `-- asm` section of a
// bpf_conformance .data file; print each 8-byte slot as hex, or write the raw
// bytecode to F.
import { writeFile } from 'node:fs/promises';
import { readInputFile, DEFAULT_MAX_OBJECT_BYTES } from '../runtime/input.js';
import { AsmError, assemble, asmSection } from '../isa/asm.js';
import { encode, INSN_SIZE } from '../isa/insn.js';

const USAGE = 'usage: tsbpf asm FILE [--out BYTECODE]\n';

export async function main(argv: string[]): Promise<number> {
  let file: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out' || a === '-o') {
      out = argv[++i];
      if (out === undefined) { process.stderr.write(`tsbpf asm: ${a} needs a file name\n${USAGE}`); return 1; }
    } else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      process.stderr.write(`tsbpf asm: unknown option '${a}'\n${USAGE}`);
      return 1;
    } else if (file === undefined) {
      file = a;
    } else {
      process.stderr.write(`tsbpf asm: unexpected argument '${a}'\n${USAGE}`);
      return 1;
    }
  }
  if (file === undefined) { process.stderr.write(USAGE); return 1; }
  try {
    const text = new TextDecoder().decode(readInputFile(file, 'assembly file', DEFAULT_MAX_OBJECT_BYTES));
    // a conformance .data file has `-- asm`; anything else is plain assembly
    const source = /^-- asm\s*$/m.test(text) ? asmSection(text)! : text;
    const bytes = encode(assemble(source));
    if (out !== undefined) {
      await writeFile(out, bytes);
      return 0;
    }
    const lines: string[] = [];
    for (let p = 0; p < bytes.length; p += INSN_SIZE) {
      lines.push(Array.from(bytes.subarray(p, p + INSN_SIZE), (b) => b.toString(16).padStart(2, '0')).join(' '));
    }
    process.stdout.write(lines.map((l) => l + '\n').join(''));
    return 0;
  } catch (e) {
    const where = e instanceof AsmError ? `${file}:` : '';
    process.stderr.write(`tsbpf asm: ${where}${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
