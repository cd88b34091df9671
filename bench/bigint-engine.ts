// The register representation we did not choose, kept for the measurement in
// bench/RESULTS.md: the same dispatch loop with bigint registers (BigInt64
// values masked to 64 bits), over the subset of ALU64/JMP/LDX opcodes the
// alu and memory benchmarks use. Memory checks use the same arena.canAccess.
import type { Insn } from '../src/isa/insn.js';
import { ARENA_ACCESS_READ, type Arena } from '../src/memory/arena.js';

const M = 0xffffffffffffffffn;

export class BigintEngine {
  private readonly code: Int32Array;
  private readonly dst: Int32Array;
  private readonly src: Int32Array;
  private readonly off: Int32Array;
  private readonly imm: bigint[];

  constructor(insns: readonly Insn[], private readonly arena: Arena) {
    const n = insns.length;
    this.code = new Int32Array(n);
    this.dst = new Int32Array(n);
    this.src = new Int32Array(n);
    this.off = new Int32Array(n);
    this.imm = new Array<bigint>(n);
    for (let i = 0; i < n; i++) {
      const x = insns[i]!;
      this.code[i] = x.code; this.dst[i] = x.dst; this.src[i] = x.src; this.off[i] = x.off;
      this.imm[i] = BigInt.asUintN(64, BigInt(x.imm)); // sign-extended to 64 bits
      if (x.code === 0x18) this.imm[i] = (BigInt(insns[i + 1]!.imm >>> 0) << 32n) | BigInt(x.imm >>> 0);
    }
  }

  run(r1: bigint, r2: bigint): bigint {
    const { code, dst, src, off, imm, arena } = this;
    const r: bigint[] = [0n, r1, r2, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
    const dv = arena.dv;
    let pc = 0;
    for (;;) {
      const i = pc++;
      const d = dst[i]!;
      const s = src[i]!;
      switch (code[i]) {
        case 0x07: r[d] = (r[d]! + imm[i]!) & M; break;
        case 0x0f: r[d] = (r[d]! + r[s]!) & M; break;
        case 0x2f: r[d] = (r[d]! * r[s]!) & M; break;
        case 0x47: r[d] = r[d]! | imm[i]!; break;
        case 0x4f: r[d] = r[d]! | r[s]!; break;
        case 0x67: r[d] = (r[d]! << (imm[i]! & 63n)) & M; break;
        case 0x77: r[d] = r[d]! >> (imm[i]! & 63n); break;
        case 0xaf: r[d] = r[d]! ^ r[s]!; break;
        case 0xb7: r[d] = imm[i]!; break;
        case 0xbf: r[d] = r[s]!; break;
        case 0x18: r[d] = imm[i]!; pc++; break;
        case 0x2d: if (r[d]! > r[s]!) pc += off[i]!; break;
        case 0x55: if (r[d] !== imm[i]) pc += off[i]!; break;
        case 0x61: case 0x79: {
          const a = Number(r[s]!) + off[i]!;
          const size = code[i] === 0x61 ? 4 : 8;
          if (r[s]! > 0xffffffffn || !arena.canAccess(a, size, ARENA_ACCESS_READ)) throw new Error(`bad read at insn ${i}`);
          r[d] = size === 4 ? BigInt(dv.getUint32(a, true)) : dv.getBigUint64(a, true);
          break;
        }
        case 0x95: return r[0]!;
        default: throw new Error(`opcode 0x${code[i]!.toString(16)} not in the benchmark subset`);
      }
    }
  }
}
