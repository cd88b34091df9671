// The tsbpf command, shaped like bpftool. Subcommands live in their own files.
export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    default:
      process.stderr.write(`usage: tsbpf <command> ...\n`);
      return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
}
