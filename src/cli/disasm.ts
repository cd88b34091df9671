// tsbpf disasm FILE: print raw bytecode in the kernel verifier log's form
// (`0: (b7) r0 = 0`), or, for an ELF object, each program as libbpf lays it
// out (subprograms appended), with BTF prototypes and `; source` lines.
import { readInputFile, DEFAULT_MAX_OBJECT_BYTES } from '../runtime/input.js';
import { decode } from '../isa/insn.js';
import { disassemble } from '../isa/disasm.js';
import { parseObject } from '../object/index.js';
import { formatXlated, specLines } from './xlated.js';

const USAGE = 'usage: tsbpf disasm [--linum] FILE   (raw bytecode, or an ELF object: every program)\n';

const isElf = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '-h' || argv[0] === '--help') { process.stdout.write(USAGE); return 0; }
  const linum = argv.includes('--linum');
  const files = argv.filter((a) => a !== '--linum');
  if (files.length !== 1 || files[0]!.startsWith('-')) { process.stderr.write(USAGE); return 2; }
  const file = files[0]!;
  try {
    const bytes = readInputFile(file, 'bytecode file', DEFAULT_MAX_OBJECT_BYTES);
    if (!isElf(bytes)) {
      process.stdout.write(disassemble(decode(bytes)).map((l) => l + '\n').join(''));
      return 0;
    }
    const spec = parseObject(bytes, { name: file });
    const out: string[] = [];
    for (const ps of spec.programs) {
      out.push(`${ps.section}/${ps.name}:\n`);
      out.push(formatXlated(specLines(spec, ps, (i) => spec.maps[i]?.name ?? `idx:${i}`), linum));
      out.push('\n');
    }
    process.stdout.write(out.join(''));
    return 0;
  } catch (e) {
    process.stderr.write(`tsbpf disasm: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
