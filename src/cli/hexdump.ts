// bpftool's two hex layouts: hex_print() (`prog run ... data_out -`, an
// od-like dump with an ASCII column) and fprint_hex() (`map dump` entries
// without BTF: bytes in groups of 8, 16 to a line).

/** hex_print: `0000010\t4344 4546 ... | CDEFGHIJ KLMNOPQR` lines, each ending in \n. */
export function hexPrint(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 16) {
    out += `${i.toString(16).padStart(7, '0')}\t`;
    let j = i;
    for (; j < i + 16 && j < data.length; j++) out += data[j]!.toString(16).padStart(2, '0') + (j % 2 ? ' ' : '');
    for (; j < i + 16; j++) out += '  ' + (j % 2 ? ' ' : '');
    out += '| ';
    for (j = i; j < i + 16 && j < data.length; j++) {
      const c = data[j]!;
      // bpftool reads a (signed) char: bytes >= 0x80 are negative, so '.'
      out += (c < 0x20 || c > 0x7e ? '.' : String.fromCharCode(c)) + (j === i + 7 ? ' ' : '');
    }
    out += '\n';
  }
  return out;
}

/** fprint_hex: `00 01 02 03 04 05 06 07  08 ...`, a newline every 16 bytes, no trailing newline. */
export function fprintHex(data: Uint8Array, sep = ' '): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    if (i && !(i % 16)) out += '\n';
    else if (i && !(i % 8)) out += '  ';
    else if (i) out += sep;
    out += data[i]!.toString(16).padStart(2, '0');
  }
  return out;
}

/** print_hex_data_json: ["0x0a","0x00",...] */
export function hexJson(data: Uint8Array): string[] {
  return Array.from(data, (b) => `0x${b.toString(16).padStart(2, '0')}`);
}
