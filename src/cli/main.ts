// The tsbpf command, shaped like bpftool. Each subcommand is a module in this
// folder exporting `main(argv): Promise<number>` (the exit status).
import { readFileSync } from 'node:fs';
import { takeGlobalOptions } from './runtime_opts.js';

const COMMANDS: Record<string, { file: string; help: string }> = {
  asm: { file: './asm.js', help: 'asm FILE                 assemble conformance-syntax assembly, print bytecode hex' },
  disasm: { file: './disasm.js', help: 'disasm FILE              disassemble raw bytecode (or an ELF object)' },
  conformance: { file: './conformance.js', help: 'conformance DIR          run bpf_conformance .data tests' },
  run: { file: './run.js', help: 'run OBJ [OPTIONS] STEP...  drive a scenario\n' +
    '                           STEPs: run:PROG run-pkt:PROG pkt:HEX|iota sleep:USEC advance:DURATION\n' +
    '                           (10ns 50us 1.5ms 35s 2m 1h) close-map:NAME close-maps dump ringbuf:NAME perf:NAME\n' +
    '                           ctx: repeat: flags: size-out: update: freeze: fire: kobj: task: kmem: umem: slot:\n' +
    '                           tunnel:id=N,remote=ADDR,local=ADDR[,tos=,ttl=,label=,flags=,opts=HEX]|none\n' +
    '                           OPTIONS: --clock virtual|real  --no-hold  --json  --host FILE.json  --effects\n' +
    '                           --run-timeout MS  --trace (timer events)  --trace-insn (each instruction and\n' +
    '                           the registers it changed)  --timeline FILE.html|FILE.svg  and the load options\n' +
    '                           of prog load (--type, --attach-type, --[no-]autoload, --kconfig, --set VAR=VALUE)' },
  prog: { file: './prog.js', help: 'prog load|run|dump ...   programs, like bpftool prog' },
  map: { file: './map.js', help: 'map dump|lookup|update|delete ...  maps, like bpftool map' },
};

function usage(): string {
  return ['usage: tsbpf [--btf FILE] [--engine jit|interp] [-d] <command> [args]', '', ...Object.values(COMMANDS).map((c) => `  tsbpf ${c.help}`), '',
    '  --btf FILE               target BTF of CO-RE relocations (e.g. /sys/kernel/btf/vmlinux); default: the built-in one',
    '  --engine jit|interp      run programs on the WebAssembly JIT or the interpreter; default: $TSBPF_ENGINE, else interp',
    '  -d, --debug              print libbpf-style debug lines (CO-RE relocations) on stderr', ''].join('\n');
}

/** the version in package.json (dist/src/cli/main.js -> ../../../package.json) */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv0: string[]): Promise<number> {
  const argv = takeGlobalOptions(argv0);
  if (typeof argv === 'string') {
    process.stderr.write(`tsbpf: ${argv}\n`);
    return 2;
  }
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    process.stdout.write(`tsbpf ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    process.stderr.write(`tsbpf: unknown command '${cmd}'\n${usage()}`);
    return 2;
  }
  // `tsbpf VERB --help` everywhere, before the verb reads its arguments
  if (rest.includes('--help') || rest[0] === '-h' || rest[0] === 'help') {
    process.stdout.write(`usage: tsbpf ${entry.help}\n`);
    return 0;
  }
  const mod = (await import(entry.file)) as { main(argv: string[]): Promise<number> };
  return mod.main(rest);
}
