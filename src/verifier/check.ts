// do_check: abstract interpretation of every path, with state pruning at
// jump targets, bounded loops by simulation, and bpf-to-bpf frames.
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_CALL, BPF_CLASS, BPF_CMPXCHG,
  BPF_DIV, BPF_END, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT,
  BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD,
  BPF_MOV, BPF_MUL, BPF_NEG, BPF_OP, BPF_OR, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_VALUE, BPF_PSEUDO_BTF_ID, BPF_RSH, BPF_SIZE, BPF_SRC, BPF_ST, BPF_STX, BPF_SUB, BPF_TO_BE, BPF_X,
  BPF_XCHG, BPF_XOR, BPF_MODE, MAX_BPF_STACK, MAX_CALL_FRAMES, sizeBytes,
} from '../isa/opcodes.js';
import { LD_IMM64, imm64At, type Insn } from '../isa/insn.js';
import { E2BIG, EACCES, EFAULT, EINVAL } from '../uapi/errno.js';
import { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP } from '../uapi/bpf.js';
import { BPF_FUNC_loop, BPF_FUNC_timer_set_callback, BPF_FUNC_user_ringbuf_drain, BPF_PROG_TYPE_TRACING } from '../uapi/bpf_func.js';
import type { MapMeta, SubprogInfo, VerifierInput, VerifierStats } from './env.js';
import { CheckError, isJump, jumpTarget, subprogOf } from './cfg.js';
import { VerifierLog, formatInsn, funcStateStr, type Scratch } from './log.js';
import { checkCtxAccess, mayWritePacket } from './ctx.js';
import { btfCtxAccess } from './btf_ctx.js';
import { rdonlyMapRead } from './map_access.js';
import {
  type RegState, RegType, S64_MIN, boundsInvalid, copyReg, isNullable, markUnbounded, notInit,
  ptrReg, regStr, scalarConst, scalarUnknown, setKnown, syncBounds, isSkPointer, nonNullType,
} from './reg_state.js';
import {
  aluFast, aluView, branchTaken, flipOp, isDivMod, negateOp, refineCond, refineWith, safeToCompute, viewOf, writeNeg64,
  writeView,
} from './scalar.js';
import {
  type Checkpoint, type FuncState, type HistEntry, type VState, HIST_CB_EXIT, HIST_COUNTED, HIST_STACK, Stk, clearSingularIds, copyState, newFrame,
  statesEqual, statesExact, widenImpreciseScalars,
} from './state.js';
import { BPF_JCOND, BPF_LOAD_ACQ, BPF_MAY_GOTO, BPF_STORE_REL } from '../isa/validate.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, tnumStr, tnumSub, tnumSubreg, tnumUnknown as tnumUnknownConst, U32_MAX } from './tnum.js';
import { checkHelperCall } from './helper_call.js';
import { checkReferenceLeak, releaseReferenceNomark } from './refs.js';
import { checkKfuncCall } from './kfunc_call.js';
import { checkSockAccess } from './sock_access.js';
import { computeLiveRegs } from './live_regs.js';
import { kfuncById } from '../kfuncs/table.js';
import { computeLiveStack } from './live_stack.js';
import { helperProto as defaultHelperProto } from '../helpers/protos.js';
import { checkInsnFields } from './insn_fields.js';
import { checkPtrToMapAccess } from './map_ptr_access.js';
import { iterCtxAccess } from './iter_ctx.js';
import { BPF_TRACE_ITER } from '../object/prog_types.js';
import { saveAuxDirect, saveAuxPtrType } from './insn_aux.js';
import { progRetRange } from './return_code.js';
import { checkPtrToBtfAccess, ksymRegState, nfConnWritable } from './btf_access.js';
import { checkDynptrOverwrite } from './dynptr.js';

export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
const BPF_MAX_VAR_OFF = 1 << 29;

/** check_reg_sane_offset: the variable part of an offset (or of a pointer) a pointer may carry */
function saneOffset(reg: RegState, ptrType: string): void {
  const max = BigInt(BPF_MAX_VAR_OFF);
  if (tnumIsConst(reg.varOff)) {
    const v = BigInt.asIntN(64, reg.varOff.value);
    if (v >= max || v <= -max) fail(`math between ${ptrType} pointer and ${v} is not allowed`, EINVAL);
  }
  if (reg.smin === S64_MIN) fail(`math between ${ptrType} pointer and register with unbounded min value is not allowed`, EINVAL);
  if (reg.smin >= max || reg.smin <= -max) fail(`value ${reg.smin} makes ${ptrType} pointer be out of bounds`, EINVAL);
}
/** reg_not_null: pointer types the kernel knows are not NULL in a comparison with 0 */
const REG_NOT_NULL = new Set<RegType>([
  RegType.PTR_TO_SOCKET, RegType.PTR_TO_TCP_SOCK, RegType.PTR_TO_MAP_VALUE, RegType.PTR_TO_MAP_KEY,
  RegType.PTR_TO_SOCK_COMMON, RegType.TRUSTED_PTR_TO_BTF_ID, RegType.PTR_TO_MEM, RegType.PTR_TO_RDONLY_MEM,
  RegType.PTR_TO_RINGBUF_MEM,
]);
/** BPF_ABS (BPF_LD mode) */
const BPF_ABS_MODE = 0x20;
const MAX_PACKET_OFF = 0xffff;
/** miss_cnt > hit_cnt * n + n evicts an explored state (n = 64 only for iterator/may_goto checkpoints) */
const EVICT_N = 3;

const ALU_STR: Record<number, string> = {
  [BPF_ADD]: '+=', [BPF_SUB]: '-=', [BPF_MUL]: '*=', [BPF_DIV]: '/=', [BPF_OR]: '|=', [BPF_AND]: '&=',
  [BPF_LSH]: '<<=', [BPF_RSH]: '>>=', [BPF_NEG]: 'neg', [BPF_MOD]: '%=', [BPF_XOR]: '^=',
  [BPF_MOV]: '=', [BPF_ARSH]: 's>>=', [BPF_END]: 'endian',
};

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

/** a queued branch; logPos is where the log stood when it was queued (push_stack's log_pos) */
interface WorkItem { state: VState; insn: number; prev: number; logPos: number }

export type AccessType = 'read' | 'write';

export class Verifier {
  readonly insns: readonly Insn[];
  readonly log: VerifierLog;
  idGen = 0;
  insnIdx = 0;
  /** prog->aux->max_ctx_offset */
  maxCtxOffset = 0;
  /** loads through PTR_TO_BTF_ID registers: rewritten to BPF_PROBE_MEM after verification (convert_ctx_accesses) */
  readonly probeMemInsns = new Set<number>();
  /** a reachable call of an unresolved __weak kfunc (imm 0) was seen */
  unresolvedKfuncCall = false;
  cur!: VState;
  private readonly work: WorkItem[] = [];
  private readonly explored = new Map<number, Checkpoint[]>();
  /** explored states not evicted (env->explored_states_size) */
  private exploredSize = 0;
  private readonly prunePoint: Uint8Array;
  /** targets of branch edges (mark_jmp_point): each visit is a jmp_history entry in the kernel */
  private readonly jmpPoint: Uint8Array;
  /** calls of a helper that runs a callback synchronously (insn_aux_data[].calls_callback): a forced checkpoint each visit */
  private readonly callsCallback: Uint8Array;
  /** insn_aux_data[].ptr_type of each load/store (save_aux_ptr_type) */
  private readonly auxPtrType: (RegType | undefined)[] = [];
  /** per load/store: AUX_DIRECT when every visit had a stable, bounds-proven pointer (saveAuxDirect), for the JIT */
  readonly directAccess: Uint8Array;
  /**
   * registers live before each instruction (compute_live_registers): dead ones are not compared when pruning.
   * Both liveness tables are built at the first state comparison: most small programs never compare one.
   */
  private liveRegsTable?: Uint16Array;
  private get liveRegs(): Uint16Array {
    return this.liveRegsTable ??= computeLiveRegs(this.insns, this.input.helperProto ?? defaultHelperProto, this.input.kfunc ?? kfuncById);
  }
  /** stack slots live before each instruction (live_stack.ts): dead ones are not compared when pruning */
  private liveStackTable?: Uint32Array;
  private get liveStack(): Uint32Array { return this.liveStackTable ??= computeLiveStack(this.insns); }
  readonly stats: VerifierStats = { processedInsns: 0, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0 };
  private readonly limit: number;
  readonly allowUninitStack = true;
  /** a pointer may leave the program: returned by main, or stored outside the stack (allow_ptr_leaks) */
  leaksPointers = false;
  /** uninitialized stack bytes were read (allowed to a privileged loader): their value is unspecified */
  readsUninitStack = false;
  /** an uninitialized stack read: noted; true when the loader may not do it */
  private uninitRead(): boolean { this.readsUninitStack = true; return !this.allowUninitStack; }

  constructor(readonly input: VerifierInput, readonly subprogs: SubprogInfo[], log: VerifierLog) {
    this.insns = input.insns;
    this.log = log;
    this.limit = input.insnLimit ?? BPF_COMPLEXITY_LIMIT_INSNS;
    this.prunePoint = new Uint8Array(this.insns.length + 1);
    this.jmpPoint = new Uint8Array(this.insns.length + 1);
    this.directAccess = new Uint8Array(this.insns.length);
    this.callsCallback = new Uint8Array(this.insns.length + 1);
    for (let i = 0; i < this.insns.length; i++) {
      const x = this.insns[i]!;
      if (isJump(x)) {
        this.prunePoint[jumpTarget(this.insns, i)] = 1;
        this.jmpPoint[jumpTarget(this.insns, i)] = 1;
        if (BPF_OP(x.code) !== BPF_JA) this.prunePoint[i] = 1;
      }
      // visit_func_call_insn: the insn after a call (a prune and a jmp point), and a bpf-to-bpf call itself
      if (x.code === (BPF_JMP | BPF_CALL)) {
        this.prunePoint[i + 1] = 1;
        this.jmpPoint[i + 1] = 1;
        if (x.src === BPF_PSEUDO_CALL) { this.prunePoint[i] = 1; this.jmpPoint[i + x.imm + 1] = 1; }
        // is_async_callback_calling_insn: checked before a new async state is pushed
        if (x.src === 0 && x.imm === BPF_FUNC_timer_set_callback) this.prunePoint[i] = 1;
        // is_sync_callback_calling_insn: the callback's exit comes back here, and a
        // checkpoint at each visit is what iterating the callback converges against
        if (x.src === 0 && (x.imm === BPF_FUNC_loop || x.imm === BPF_FUNC_user_ringbuf_drain)) {
          this.callsCallback[i] = 1;
          this.prunePoint[i] = 1;
          this.jmpPoint[i] = 1;
        }
      }
      if (x.code === LD_IMM64) {
        // a callback's address is a call edge too: the ld_imm64 and the insn after it are prune points
        if (x.src === BPF_PSEUDO_FUNC) {
          this.prunePoint[i] = 1;
          this.prunePoint[i + 2] = 1;
          this.jmpPoint[i + 2] = 1;
          if (i + x.imm + 1 < this.insns.length) this.jmpPoint[i + x.imm + 1] = 1;
        }
        i++;
      }
    }
    for (const sp of subprogs) this.prunePoint[sp.start] = 1;
  }

  get frame(): FuncState { return this.cur.frames[this.cur.frames.length - 1]!; }
  get regs(): RegState[] { return this.frame.regs; }

  // ---- entry -------------------------------------------------------------

  // ---- log state (do_check's printing) ------------------------------------
  /** registers and stack slots touched since the last state print (env->scratched_regs / scratched_stack_slots) */
  private scratch: Scratch = { regs: 0, slots: 'all' };
  /** do_print_state: a path was just taken up; level 2 prints "from N to M:" */
  doPrintState = false;
  /** env->jmps_processed and the counters at the last new checkpoint (the add_new_state heuristic) */
  private jmpsProcessed = 0;
  /** env->prev_insn_idx: the instruction before the current one on this path */
  private prevInsnIdx = -1;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;

  markRegScratched(r: number): void { this.scratch.regs |= 1 << r; }
  markSlotScratched(spi: number): void { if (this.scratch.slots !== 'all') this.scratch.slots.add(spi); }
  private markAllScratched(): void { this.scratch = { regs: 0x7ff, slots: 'all' }; }
  private lockRefs(): number[] { return [...(this.cur.lock ? [this.cur.lock.id] : []), ...this.cur.refs.map((r) => r.id)]; }
  /** print_verifier_state of the current frame: every register and slot, or only the scratched ones */
  frameStr(all: boolean, f: FuncState = this.frame): string {
    return funcStateStr(f, all ? undefined : this.scratch, this.lockRefs());
  }

  /** do_check_main: verify from insn 0 with R1 = ctx, then every queued async callback. */
  run(): void {
    const f = newFrame(0, 0, -1);
    f.regs[1] = ptrReg(RegType.PTR_TO_CTX);
    this.work.push({ state: { frames: [f], lock: null, refs: [], rcuLock: false, cp: null, hist: [], jmpCnt: 0 }, insn: 0, prev: -1, logPos: this.log.pos });
    this.markAllScratched();
    let first = true;
    while (this.work.length) {
      const item = this.work.pop()!;
      // pop_stack: at level 1 the log goes back to where the branch was queued
      if (!first && this.log.level < 2) this.log.reset(item.logPos);
      this.cur = item.state;
      this.insnIdx = item.insn;
      this.prevInsnIdx = item.prev;
      this.doPrintState = !first;
      first = false;
      this.runPath();
      // process_bpf_exit
      this.markAllScratched();
    }
  }

  /** Explores one path until exit, pruning or a branch that ends it. */
  private runPath(): void {
    for (;;) {
      const idx = this.insnIdx;
      if (++this.stats.processedInsns > this.limit) {
        fail(`BPF program is too large. Processed ${this.stats.processedInsns} insn`, E2BIG);
      }
      if (this.prunePoint[idx]) {
        if (this.isStateVisited(idx)) {
          if (this.doPrintState) this.log.write(`\nfrom ${this.prevInsnIdx} to ${idx}: safe\n`);
          else this.log.write(`${idx}: safe\n`);
          this.finishPath();
          return;
        }
      }
      const x = this.insns[idx]!;
      const h: HistEntry = { idx, depth: this.cur.frames.length - 1, flags: 0 };
      this.cur.hist.push(h);
      if (this.jmpPoint[idx]) this.countHist(h);
      if (this.log.level >= 2 && this.doPrintState) {
        this.log.write(`\nfrom ${this.prevInsnIdx} to ${idx}:${this.frameStr(true)}\n`);
        this.doPrintState = false;
      }
      if (this.log.level >= 1) {
        if (this.scratch.regs || this.scratch.slots === 'all' || this.scratch.slots.size) {
          this.log.insnState(idx, this.frameStr(false));
          this.scratch = { regs: 0, slots: new Set() };
        }
        this.log.linfo(this.input.lineInfo, idx);
        this.log.insn(idx, formatInsn(this.insns, idx));
      }
      this.prevInsnIdx = idx;
      const cls = BPF_CLASS(x.code);
      if (cls === BPF_JMP || cls === BPF_JMP32) this.jmpsProcessed++;
      const cont = this.step(x, idx);
      if (!cont) { this.finishPath(); return; }
    }
  }

  private finishPath(): void {
    for (let c = this.cur.cp; c; c = c.parent) {
      if (--c.branches > 0) break;
    }
  }

  /** is_state_visited: prune against a finished equivalent, or detect a loop that makes no progress. */
  private isStateVisited(idx: number): boolean {
    const list = this.explored.get(idx) ?? [];
    // a new checkpoint only after 2 jumps and 8 instructions since the last one
    // (the kernel's heuristic that keeps total_states and peak_states down)
    // a long jmp_history forces a checkpoint (the kernel's force_new_state)
    // may_goto is a force checkpoint (mark_force_checkpoint)
    const mayGoto = this.isMayGoto(idx);
    const cbCall = this.callsCallback[idx] === 1;
    const force = this.cur.jmpCnt > 40 || mayGoto || cbCall;
    let addNewState = force || (this.jmpsProcessed - this.prevJmpsProcessed >= 2
      && this.stats.processedInsns - this.prevInsnProcessed >= 8);
    // newest first, as the kernel adds new states at the head of the list
    const statesCnt = list.length;
    for (let k = list.length - 1; k >= 0; k--) {
      const cp = list[k]!;
      if (cp.branches > 0) {
        // a may_goto loop: the same insn one may_goto deeper, within the old ranges, adds nothing
        if (mayGoto && (cp.state.mayGotoDepth ?? 0) !== (this.cur.mayGotoDepth ?? 0) && statesEqual(cp.state, this.cur, this.liveRegs[idx], true)) {
          cp.hitCnt = (cp.hitCnt ?? 0) + 1;
          this.propagatePrecision(cp);
          return true;
        }
        // a callback iteration within the ranges of an earlier one at the same call adds nothing
        if (cbCall) {
          if (statesEqual(cp.state, this.cur, this.liveRegs[idx], true)) {
            cp.hitCnt = (cp.hitCnt ?? 0) + 1;
            this.propagatePrecision(cp);
            return true;
          }
        } else if (statesExact(cp.state, this.cur) && this.onPath(cp)) {
          // the kernel follows the message with the two states it compared
          this.log.linfo(this.input.lineInfo, idx);
          const e = new CheckError(`infinite loop detected at insn ${idx}`, EINVAL);
          const old = cp.state.frames[cp.state.frames.length - 1]!;
          (e as CheckError & { trailer?: string[] }).trailer = [`cur state:${this.frameStr(true)}`, `old state:${this.frameStr(true, old)}`];
          throw e;
        }
        // inside a loop: do not add states too often
        if (!force && this.jmpsProcessed - this.prevJmpsProcessed < 20 && this.stats.processedInsns - this.prevInsnProcessed < 100) addNewState = false;
      } else if (statesEqual(cp.state, this.cur, this.liveRegs[idx], false, this.liveStack, idx)) {
        cp.hitCnt = (cp.hitCnt ?? 0) + 1;
        // propagate_precision: what mattered below the old state matters here too
        this.propagatePrecision(cp);
        return true;
      }
      // miss: states that keep missing are evicted (only counted when a new state
      // is going to be added, so a loop keeps states of early and late iterations)
      if (addNewState) cp.missCnt = (cp.missCnt ?? 0) + 1;
      const n = mayGoto && cp.branches > 0 ? 64 : EVICT_N;
      if ((cp.missCnt ?? 0) > (cp.hitCnt ?? 0) * n + n) { list.splice(k, 1); this.exploredSize--; }
    }
    if (statesCnt > this.stats.maxStatesPerInsn) this.stats.maxStatesPerInsn = statesCnt;
    if (!addNewState) return false;
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = this.stats.processedInsns;
    const cp: Checkpoint = { insn: idx, state: copyState(this.cur), branches: 1, parent: this.cur.cp, hist: this.cur.hist };
    cp.state.cp = null;
    cp.state.hist = [];
    clearSingularIds(cp.state);
    this.cur.cp = cp;
    this.cur.hist = [];
    this.cur.jmpCnt = 0;
    list.push(cp);
    this.explored.set(idx, list);
    this.stats.totalStates++;
    if (++this.exploredSize > this.stats.peakStates) this.stats.peakStates = this.exploredSize;
    return false;
  }

  /**
   * mark_all_scalars_precise: every scalar (registers and spills) of every
   * checkpoint this path went through becomes precise — the fallback of
   * backtrack() for what it does not model, a superset of what backtracking
   * marks. Imprecise scalars prune as equal (regsafe).
   */
  requestPrecision(): void {
    for (let c = this.cur.cp; c && !c.allPrecise; c = c.parent) {
      c.allPrecise = true;
      for (const f of c.state.frames) {
        for (const r of f.regs) if (r.type === RegType.SCALAR_VALUE) r.precise = true;
        for (const sp of f.spills) if (sp && sp.reg.type === RegType.SCALAR_VALUE) sp.reg.precise = true;
      }
    }
  }

  /** push_jmp_history: the kernel's history holds jmp points, spills/fills and linked-register jumps */
  countHist(h: HistEntry | undefined): void {
    if (!h || h.flags & HIST_COUNTED) return;
    h.flags |= HIST_COUNTED;
    this.cur.jmpCnt++;
  }

  /** mark_chain_precision for registers of the current frame (mid-instruction: the current insn is skipped). */
  markRegsPrecise(...regnos: number[]): void {
    const req = newMasks();
    const d = this.cur.frames.length - 1;
    for (const r of regnos) req.regs[d] |= 1 << r;
    this.backtrack(req, true);
  }

  /** mark_chain_precision for a spilled stack slot of frame `frameno`. */
  markSlotPrecise(frameno: number, spi: number): void {
    const req = newMasks();
    req.slots[frameno] |= 1n << BigInt(spi);
    this.backtrack(req, true);
  }

  /** propagate_precision: what was precise in the old state must be precise on this path too. */
  private propagatePrecision(old: Checkpoint): void {
    if (old.allPrecise) { this.requestPrecision(); return; }
    const req = newMasks();
    let any = false;
    old.state.frames.forEach((f, fr) => {
      f.regs.forEach((r, i) => { if (r.type === RegType.SCALAR_VALUE && r.precise) { req.regs[fr] |= 1 << i; any = true; } });
      f.spills.forEach((sp, slot) => {
        if (sp && sp.reg.type === RegType.SCALAR_VALUE && sp.reg.precise) {
          // spills[] counts from the bottom of the stack; spi from fp downwards
          req.slots[fr] |= 1n << BigInt(MAX_BPF_STACK / 8 - 1 - slot); any = true;
        }
      });
    });
    if (any) this.backtrack(req, false);
  }

  /**
   * __mark_chain_precision: walk this path's history backwards from the
   * current insn, moving the need for an exact value from each register or
   * stack slot to what it was computed from (backtrack_insn), and mark the
   * registers and spilled slots still needed in every checkpoint passed.
   * Anything this model does not follow falls back to requestPrecision.
   */
  private backtrack(req: Masks, skipCurrent: boolean): void {
    let cp = this.cur.cp;
    if (!cp) return;
    let hist = this.cur.hist;
    let skip = skipCurrent;
    let later = this.cur.frames.length - 1;
    const { regs, slots } = req;
    for (;;) {
      for (let k = hist.length - 1; k >= 0; k--) {
        const e = hist[k]!;
        if (skip) { skip = false; later = e.depth; continue; }
        const d = e.depth;
        if (d === later + 1) {
          // e is the callee's exit; the later insn ran in the caller after it
          const r0 = regs[later]! & 1;
          regs[later]! &= ~0x3f;
          regs[d] = e.flags & HIST_CB_EXIT ? 0 : r0;
          slots[d] = 0n;
          later = d;
          continue;
        } else if (d === later - 1) {
          // e is the call; the later insn was the callee's first
          const x = this.insns[e.idx]!;
          const pseudo = x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL;
          if (x.code !== (BPF_JMP | BPF_CALL)) { this.requestPrecision(); return; }
          if (pseudo) {
            if (regs[later]! & ~0x3e || slots[later]) { this.requestPrecision(); return; }
            regs[d]! |= regs[later]!;
          } else {
            // a callback entered from its helper call: R1-R5 were set by the helper, not
            // the caller, so they need nothing there; anything else is not followed
            if (regs[later]! & ~0x3e || slots[later]) { this.requestPrecision(); return; }
          }
          regs[later] = 0; slots[later] = 0n;
          later = d;
          continue;
        } else if (d !== later) { this.requestPrecision(); return; }
        if (!this.backtrackInsn(e, req)) { this.requestPrecision(); return; }
      }
      // hist[0] ran from cp's state: mark what is still needed there
      const st = cp.state;
      if (hist.length && later !== st.frames.length - 1) { this.requestPrecision(); return; }
      let empty = true;
      for (let fr = 0; fr < regs.length; fr++) {
        if (fr >= st.frames.length) {
          if (regs[fr] || slots[fr]) { this.requestPrecision(); return; }
          continue;
        }
        const f = st.frames[fr]!;
        for (let i = 0; i < 11; i++) {
          if (!(regs[fr]! & (1 << i))) continue;
          const r = f.regs[i]!;
          if (r.type !== RegType.SCALAR_VALUE || r.precise) regs[fr]! &= ~(1 << i);
          else r.precise = true;
        }
        if (slots[fr]) {
          for (let spi = 0; spi < MAX_BPF_STACK / 8; spi++) {
            const bit = 1n << BigInt(spi);
            if (!(slots[fr]! & bit)) continue;
            const slot = MAX_BPF_STACK / 8 - 1 - spi;
            const sp = f.spills[slot];
            if (!sp || sp.reg.type !== RegType.SCALAR_VALUE || sp.reg.precise) slots[fr]! &= ~bit;
            else sp.reg.precise = true;
          }
        }
        if (regs[fr] || slots[fr]) empty = false;
      }
      if (empty || cp.allPrecise) return;
      if (!cp.parent) return;
      hist = cp.hist;
      cp = cp.parent;
    }
  }

  /** backtrack_insn for one instruction of the current frame; false: not modelled. */
  private backtrackInsn(e: HistEntry, req: Masks): boolean {
    const x = this.insns[e.idx]!;
    const regs = req.regs, slots = req.slots;
    const d = e.depth;
    const cls = BPF_CLASS(x.code);
    // the frame's register mask on entry, tested inline (no closures: this runs for every insn a precision walk passes)
    const m = regs[d]!;
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64: {
        if (!((m >> x.dst) & 1)) return true;
        const op = BPF_OP(x.code);
        if (op === BPF_MOV) {
          regs[d]! &= ~(1 << x.dst);
          if (BPF_SRC(x.code) === BPF_X) regs[d]! |= 1 << x.src;
        } else if (BPF_SRC(x.code) === BPF_X && op !== BPF_END && op !== BPF_NEG) {
          regs[d]! |= 1 << x.src;
        }
        return true;
      }
      case BPF_LDX:
        if (!((m >> x.dst) & 1)) return true;
        regs[d]! &= ~(1 << x.dst);
        if (e.flags & HIST_STACK) slots[e.stackFrame!]! |= 1n << BigInt(e.stackSpi!);
        return true;
      case BPF_STX:
      case BPF_ST: {
        if (BPF_MODE(x.code) === BPF_ATOMIC && x.imm === BPF_LOAD_ACQ) {
          // a load: as BPF_LDX
          if (!((m >> x.dst) & 1)) return true;
          regs[d]! &= ~(1 << x.dst);
          if (e.flags & HIST_STACK) slots[e.stackFrame!]! |= 1n << BigInt(e.stackSpi!);
          return true;
        }
        if (BPF_MODE(x.code) === BPF_ATOMIC && x.imm !== BPF_STORE_REL) {
          const touched = (e.flags & HIST_STACK) && (slots[e.stackFrame!]! & (1n << BigInt(e.stackSpi!)));
          return !(((m >> x.src) & 1) || ((m >> 0) & 1) || ((m >> x.dst) & 1) || touched);
        }
        if (((m >> x.dst) & 1)) return false;
        if (!(e.flags & HIST_STACK)) return true;
        const sbit = 1n << BigInt(e.stackSpi!);
        if (!(slots[e.stackFrame!]! & sbit)) return true;
        slots[e.stackFrame!]! &= ~sbit;
        if (cls === BPF_STX) regs[d]! |= 1 << x.src;
        return true;
      }
      case BPF_LD:
        if (x.code !== LD_IMM64) return false;
        regs[d]! &= ~(1 << x.dst);
        return true;
      default: {
        const op = BPF_OP(x.code);
        if (op === BPF_CALL) {
          if (x.src === BPF_PSEUDO_CALL) return false; // a call is always followed by the callee's first insn
          // R0 is the helper's result; R1-R5 are clobbered after the call
          regs[d]! &= ~0x3f;
          return true;
        }
        if (op === BPF_EXIT || op === BPF_JA) return true;
        // bt_sync_linked_regs before and after the insn: a register made precise
        // by the compare (dst or src) brings every collected copy along
        const syncLinked = (): void => {
          if (!e.linked) return;
          let hit = false;
          for (let k = 0; k < e.linked.length; k += 2) {
            const fr = e.linked[k]!, w = e.linked[k + 1]!;
            if (w < 11 ? regs[fr]! & (1 << w) : slots[fr]! & (1n << BigInt(w - 11))) hit = true;
          }
          if (!hit) return;
          for (let k = 0; k < e.linked.length; k += 2) {
            const fr = e.linked[k]!, w = e.linked[k + 1]!;
            if (w < 11) regs[fr]! |= 1 << w; else slots[fr]! |= 1n << BigInt(w - 11);
          }
        };
        syncLinked();
        // (regs[d] read again: the linked registers above may have added to it)
        if (BPF_SRC(x.code) === BPF_X && (regs[d]! & ((1 << x.dst) | (1 << x.src))) !== 0) regs[d]! |= (1 << x.dst) | (1 << x.src);
        syncLinked();
        return true;
      }
    }
  }

  private onPath(cp: Checkpoint): boolean {
    for (let c = this.cur.cp; c; c = c.parent) if (c === cp) return true;
    return false;
  }

  /** push_stack: queue the other side of a branch. */
  pushBranch(state: VState, insn: number): void {
    if (state.cp) state.cp.branches++;
    this.work.push({ state, insn, prev: this.insnIdx, logPos: this.log.pos });
    if (this.work.length > 8192) fail(`The sequence of ${this.work.length} jumps is too complex.`, E2BIG);
  }

  /**
   * push_async_cb: an async callback is verified as its own entry, queued at
   * every call that sets it (a later entry is usually pruned at its first insn)
   */
  pushAsyncCallback(subprog: number, init: (f: FuncState) => void): void {
    this.subprogs[subprog]!.isAsyncCb = true;
    // callsite BPF_MAIN_FUNC: entries queued from different calls compare as equal
    const f = newFrame(0, subprog, -1);
    f.inAsyncCallbackFn = true;
    f.cbRet = [0n, 0n];
    init(f);
    // on top of the branch stack, like a branch of this path: explored as soon as the path ends
    this.work.push({ state: { frames: [f], lock: null, refs: [], rcuLock: false, cp: null, hist: [], jmpCnt: 0 }, insn: this.subprogs[subprog]!.start, prev: this.insnIdx, logPos: this.log.pos });
  }

  stateStr(): string {
    const parts: string[] = [];
    const f = this.frame;
    f.regs.forEach((r, i) => { if (r.type !== RegType.NOT_INIT) parts.push(`R${i}=${regStr(r)}`); });
    for (let s = 0; s < f.spills.length; s++) {
      const sp = f.spills[s];
      if (sp) parts.push(`fp${s * 8 - MAX_BPF_STACK}=${regStr(sp.reg)}`);
    }
    return (this.cur.frames.length > 1 ? `frame${f.frameno}: ` : '') + parts.join(' ');
  }

  // ---- registers -------------------------------------------------------------

  /** check_reg_arg(SRC_OP) */
  readReg(r: number): RegState {
    if (r > 10) fail(`R${r} is invalid`, EINVAL);
    this.markRegScratched(r);
    const reg = this.regs[r]!;
    if (reg.type === RegType.NOT_INIT) fail(`R${r} !read_ok`, EACCES);
    return reg;
  }

  /** check_reg_arg(DST_OP) */
  checkDst(r: number): void {
    if (r > 10) fail(`R${r} is invalid`, EINVAL);
    this.markRegScratched(r);
    if (r === 10) fail('frame pointer is read only', EACCES);
  }

  setReg(r: number, v: RegState): void { this.regs[r] = v; }

  // ---- one instruction -----------------------------------------------------

  /** Executes insn at idx on the current state; false when the path ends. */
  private step(x: Insn, idx: number): boolean {
    // reserved fields first, as the kernel does before interpreting an insn (found by the fuzz test)
    checkInsnFields(x, this.insns[idx + 1]);
    const cls = BPF_CLASS(x.code);
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64:
        this.checkAluOp(x, cls === BPF_ALU64);
        this.insnIdx++;
        return true;
      case BPF_LDX: {
        const mode = BPF_MODE(x.code);
        if (mode !== BPF_MEM && mode !== BPF_MEMSX) fail(`unknown opcode ${hex(x.code)}`, EINVAL);
        const srcType = this.readReg(x.src).type;
        this.checkDst(x.dst);
        const srcReg = this.regs[x.src]!;
        const v = this.checkMemAccess(x.src, x.off, sizeBytes(BPF_SIZE(x.code)), 'read', undefined, false, mode === BPF_MEMSX);
        saveAuxPtrType(this.auxPtrType, idx, srcType, true);
        saveAuxDirect(this.directAccess, idx, srcReg, this.input.maps);
        let out = v ?? scalarUnknown();
        if (mode === BPF_MEMSX && out.type === RegType.SCALAR_VALUE) out = signExtendScalar(out, sizeBytes(BPF_SIZE(x.code)));
        this.setReg(x.dst, out);
        this.insnIdx++;
        return true;
      }
      case BPF_STX:
        if (BPF_MODE(x.code) === BPF_ATOMIC) { this.checkAtomic(x); this.insnIdx++; return true; }
        if (BPF_MODE(x.code) !== BPF_MEM) fail(`unknown opcode ${hex(x.code)}`, EINVAL);
        this.readReg(x.src);
        this.readReg(x.dst);
        this.checkMemAccess(x.dst, x.off, sizeBytes(BPF_SIZE(x.code)), 'write', this.regs[x.src]!);
        saveAuxPtrType(this.auxPtrType, idx, this.regs[x.dst]!.type, false);
        saveAuxDirect(this.directAccess, idx, this.regs[x.dst]!, this.input.maps);
        this.insnIdx++;
        return true;
      case BPF_ST:
        if (BPF_MODE(x.code) !== BPF_MEM) fail(`unknown opcode ${hex(x.code)}`, EINVAL);
        this.readReg(x.dst);
        this.checkMemAccess(x.dst, x.off, sizeBytes(BPF_SIZE(x.code)), 'write', scalarConst(BigInt(x.imm)));
        saveAuxPtrType(this.auxPtrType, idx, this.regs[x.dst]!.type, false);
        saveAuxDirect(this.directAccess, idx, this.regs[x.dst]!, this.input.maps);
        this.insnIdx++;
        return true;
      case BPF_LD:
        if (x.code !== LD_IMM64) {
          this.checkLdAbs(x);
          this.insnIdx++;
          return true;
        }
        this.checkLdImm64(x, idx);
        this.insnIdx += 2;
        return true;
      default: {
        const op = BPF_OP(x.code);
        if (op === BPF_CALL) {
          if (cls !== BPF_JMP) fail(`unknown opcode ${hex(x.code)}`, EINVAL);
          if (x.src === BPF_PSEUDO_CALL) {
            this.checkFuncCall(idx + x.imm + 1, idx);
            return true;
          }
          if (this.cur.lock && (x.src !== 0 || x.imm !== 94)) fail('function calls are not allowed while holding a lock', EINVAL);
          if (x.src === BPF_PSEUDO_KFUNC_CALL) {
            checkKfuncCall(this, x.imm, idx);
            for (let r = 0; r <= 5; r++) this.markRegScratched(r);
            return true;
          }
          checkHelperCall(this, x.imm, idx);
          for (let r = 0; r <= 5; r++) this.markRegScratched(r);
          return true;
        }
        if (op === BPF_EXIT) return this.checkExit();
        if (op === BPF_JCOND && cls === BPF_JMP) return this.checkMayGoto(x, idx);
        if (op === BPF_JA) {
          this.insnIdx = jumpTarget(this.insns, idx);
          return true;
        }
        return this.checkCondJmp(x, idx, cls === BPF_JMP32);
      }
    }
  }

  // ---- ALU -------------------------------------------------------------------

  /** the scalar an insn's imm stands for (sign-extended at 64 bits, zero-extended at 32); shared: never mutate it */
  private readonly immConsts = new Map<number, RegState>();
  private immConst(imm: number, is64: boolean): RegState {
    const key = is64 ? imm : (imm >>> 0) + 2 ** 33;
    let r = this.immConsts.get(key);
    if (!r) { r = scalarConst(is64 ? BigInt(imm) : BigInt(imm >>> 0)); this.immConsts.set(key, r); }
    return r;
  }

  private checkAluOp(x: Insn, is64: boolean): void {
    const op = BPF_OP(x.code);
    const bits = is64 ? 64 : 32;
    if (op === BPF_END || op === BPF_NEG) {
      const d = this.readReg(x.dst);
      this.checkDst(x.dst);
      // a privileged loader may turn a pointer into an unknown scalar this way (allow_ptr_leaks)
      if (d.type !== RegType.SCALAR_VALUE) { this.leaksPointers = true; this.setReg(x.dst, scalarUnknown()); return; }
      const r = copyReg(d);
      if (op === BPF_NEG) {
        // 0 - dst (adjust_scalar_min_max_vals' BPF_NEG after __mark_reg_known(dst, 0): no id).
        // A 64-bit neg also keeps scalar32_min_max_sub's 32-bit bounds
        r.id = 0;
        if (!is64) writeView(r, aluView(BPF_SUB, viewOf(scalarConst(0n), 32), viewOf(d, 32)));
        else writeNeg64(r, aluView(BPF_SUB, viewOf(scalarConst(0n), 64), viewOf(d, 64)), aluView(BPF_SUB, viewOf(scalarConst(0n), 32), viewOf(d, 32)));
      } else {
        endianOp(r, x, is64);
      }
      this.setReg(x.dst, r);
      return;
    }
    if (op === BPF_MOV) {
      this.checkDst(x.dst);
      if (BPF_SRC(x.code) === BPF_X) {
        const s = this.readReg(x.src);
        if (x.off !== 0) {
          // movsx: sign-extend the low 8/16/32 bits
          // of a pointer: an unknown scalar for a privileged loader (only is_pointer_value refuses it: allow_ptr_leaks)
          if (s.type !== RegType.SCALAR_VALUE) { this.leaksPointers = true; this.setReg(x.dst, is64 ? scalarUnknown() : scalarUnknownBits(32)); return; }
          let r = signExtendScalar(s, x.off / 8);
          if (!is64) r = zext32(r);
          this.setReg(x.dst, r);
          return;
        }
        // a copied unknown scalar shares an id with its source, so a later
        // comparison of either bounds both (sync_linked_regs)
        const link = s.type === RegType.SCALAR_VALUE && !tnumIsConst(s.varOff) && (is64 || s.umax <= U32_MAX);
        if (link && !s.id) s.id = ++this.idGen;
        if (is64) { this.setReg(x.dst, copyReg(s)); return; }
        if (s.type !== RegType.SCALAR_VALUE) { this.leaksPointers = true; this.setReg(x.dst, scalarUnknownBits(32)); return; }
        const z = zext32(s);
        if (link && !(s.id & ADD_CONST)) z.id = s.id;
        this.setReg(x.dst, z);
        return;
      }
      this.setReg(x.dst, copyReg(this.immConst(x.imm, is64)));
      return;
    }
    if (op > BPF_END) fail(`invalid BPF_ALU opcode ${hex(op)}`, EINVAL);
    if (isDivMod(op) && BPF_SRC(x.code) !== BPF_X && x.imm === 0) fail('div by zero', EINVAL);
    if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && BPF_SRC(x.code) !== BPF_X && (x.imm < 0 || x.imm >= bits)) {
      fail(`invalid shift ${x.imm}`, EINVAL);
    }
    const d = this.readReg(x.dst);
    this.checkDst(x.dst);
    // (the shared constant is only read below)
    const s = BPF_SRC(x.code) === BPF_X ? this.readReg(x.src) : this.immConst(x.imm, is64);
    if (d.type !== RegType.SCALAR_VALUE || s.type !== RegType.SCALAR_VALUE) {
      this.adjustPtrAlu(x, op, is64, d, s);
      return;
    }
    const r = copyReg(d);
    r.id = 0;
    const fast = aluFast(op, d, s, bits);
    if (fast === 'unknown') markUnknownBounds(r);
    else if (fast !== undefined) setKnown(r, fast);
    else {
      const dv = viewOf(d, bits), sv = viewOf(s, bits);
      if (!safeToCompute(op, sv, s.umax) || isDivMod(op)) {
        // __mark_reg_unknown before any zero-extension: a 32-bit div/mod or
        // variable shift leaves all 64 bits unknown (the kernel's R2=scalar())
        this.setReg(x.dst, scalarUnknown());
        return;
      }
      // a 64-bit add/sub keeps the subregister bounds scalar32_min_max_add/sub
      // compute beside the 64-bit ones (6.18 computes both for every op)
      if (is64 && (op === BPF_ADD || op === BPF_SUB)) writeNeg64(r, aluView(op, dv, sv), aluView(op, viewOf(d, 32), viewOf(s, 32)));
      else writeView(r, aluView(op, dv, sv));
    }
    // rX = rY; rX += const keeps the link to rY with a known delta (BPF_ADD_CONST64),
    // wX += const too when rX fit 32 bits before (BPF_ADD_CONST32); a second delta unlinks
    r.off = 0;
    if ((op === BPF_ADD || op === BPF_SUB) && d.id && !(d.id & ADD_CONST) && tnumIsConst(is64 ? s.varOff : tnumSubreg(s.varOff))) {
      const val = is64 ? BigInt.asIntN(64, s.varOff.value) : s.varOff.value & U32_MAX;
      let off = Number(BigInt.asIntN(32, val));
      let ok = is64 ? val >= -(1n << 31n) && val < (1n << 31n) : d.umax <= U32_MAX;
      if (op === BPF_SUB) { if (off === -(2 ** 31)) ok = false; off = -off; }
      if (ok) { r.id = d.id | (is64 ? ADD_CONST64 : ADD_CONST32); r.off = off; }
    }
    this.setReg(x.dst, r);
  }

  /** adjust_ptr_min_max_vals and the pointer cases of adjust_reg_min_max_vals. */
  private adjustPtrAlu(x: Insn, op: number, is64: boolean, d: RegState, s: RegState): void {
    const opStr = ALU_STR[op] ?? '?';
    if (d.type !== RegType.SCALAR_VALUE && s.type !== RegType.SCALAR_VALUE) {
      // the difference of two pointers is an address difference unless they share a base
      if (op === BPF_SUB) { if (d.type !== s.type || d.type !== RegType.PTR_TO_STACK) this.leaksPointers = true; this.setReg(x.dst, scalarUnknown()); return; }
      fail(`R${x.dst} pointer ${opStr} pointer prohibited`, EACCES);
    }
    const ptrIsSrc = d.type === RegType.SCALAR_VALUE;
    const ptr = ptrIsSrc ? s : d;
    const off = ptrIsSrc ? d : s;
    // pointer += scalar register: the offset's value decides every access through it
    if (BPF_SRC(x.code) === BPF_X) this.markRegsPrecise(ptrIsSrc ? x.dst : x.src);
    if (!is64) {
      if (op === BPF_SUB) { this.leaksPointers = true; this.setReg(x.dst, scalarUnknownBits(32)); return; }
      fail(`R${x.dst} 32-bit pointer arithmetic prohibited`, EACCES);
    }
    if (isNullable(ptr.type)) fail(`R${x.dst} pointer arithmetic on ${ptr.type} prohibited, null-check it first`, EACCES);
    if (ptr.type === RegType.CONST_PTR_TO_MAP) {
      if (!(op === BPF_ADD && tnumIsConst(off.varOff) && off.varOff.value === 0n)) {
        fail(`R${x.dst} pointer arithmetic on map_ptr prohibited`, EACCES);
      }
    }
    // a func pointer may be moved (the helper taking it rejects the offset later)
    if (ptr.type === RegType.PTR_TO_PACKET_END || isSkPointer(ptr.type)) {
      fail(`R${x.dst} pointer arithmetic on ${ptr.type} prohibited`, EACCES);
    }
    if (op === BPF_SUB && ptrIsSrc) fail(`R${x.dst} tried to subtract pointer from scalar`, EACCES);
    // constant or not (JITs may not cope with a frame pointer moving down by subtraction)
    if (op === BPF_SUB && ptr.type === RegType.PTR_TO_STACK) fail(`R${x.dst} subtraction from stack pointer prohibited`, EACCES);
    if (op === BPF_AND || op === BPF_OR || op === BPF_XOR) fail(`R${x.dst} bitwise operator ${opStr} on pointer prohibited`, EACCES);
    if (op !== BPF_ADD && op !== BPF_SUB) fail(`R${x.dst} pointer arithmetic with ${opStr} operator prohibited`, EACCES);
    const known = tnumIsConst(off.varOff);
    const kv = BigInt.asIntN(64, off.varOff.value);
    saneOffset(off, ptr.type);
    const r = copyReg(ptr);
    if (known) {
      const n = Number(kv);
      r.off = op === BPF_ADD ? ptr.off + n : ptr.off - n;
    } else {
      r.varOff = op === BPF_ADD ? tnumAdd(ptr.varOff, off.varOff) : tnumSub(ptr.varOff, off.varOff);
      markUnbounded(r);
      if (op === BPF_ADD) {
        if (ptr.smin + off.smin >= S64_MIN && ptr.smax + off.smax <= (1n << 63n) - 1n) { r.smin = ptr.smin + off.smin; r.smax = ptr.smax + off.smax; }
        if (ptr.umax + off.umax <= 0xffff_ffff_ffff_ffffn) { r.umin = ptr.umin + off.umin; r.umax = ptr.umax + off.umax; }
      } else {
        r.smin = ptr.smin - off.smax; r.smax = ptr.smax - off.smin;
        if (ptr.umin >= off.umax) { r.umin = ptr.umin - off.umax; r.umax = ptr.umax - off.umin; }
      }
      syncBounds(r);
      if (r.type === RegType.PTR_TO_PACKET || r.type === RegType.PTR_TO_PACKET_META) {
        r.id = ++this.idGen;
        r.range = 0;
      }
    }
    // check_reg_sane_offset of the result: its variable part, then its fixed offset
    if (!known) saneOffset(r, ptr.type);
    if (Math.abs(r.off) >= BPF_MAX_VAR_OFF) fail(`value ${r.off} makes ${ptr.type} pointer be out of bounds`, EINVAL);
    this.setReg(x.dst, r);
  }

  private checkAtomic(x: Insn): void {
    if (x.imm === BPF_LOAD_ACQ) { this.checkAtomicLoad(x); return; }
    if (x.imm === BPF_STORE_REL) { this.checkAtomicStore(x); return; }
    const size = sizeBytes(BPF_SIZE(x.code));
    if (size !== 4 && size !== 8) fail('invalid atomic operand size', EINVAL);
    this.readReg(x.src);
    const d = this.readReg(x.dst);
    if (x.imm === BPF_CMPXCHG) this.readReg(0);
    const s = this.regs[x.src]!;
    // (a pointer operand would "leak addr into mem" only for an unprivileged loader: allow_ptr_leaks)
    if (s.type !== RegType.SCALAR_VALUE) this.leaksPointers = true;
    if (d.type === RegType.PTR_TO_CTX || d.type === RegType.PTR_TO_PACKET || d.type === RegType.PTR_TO_PACKET_META) {
      fail(`BPF_ATOMIC stores into R${x.dst} ${d.type} is not allowed`, EACCES);
    }
    this.checkMemAccess(x.dst, x.off, size, 'read', undefined, true);
    // check_atomic_rmw: the fetch lands in its register before the write is
    // checked, so a fetch into the pointer register itself (cmpxchg through
    // R0, fetch-add with src == dst) leaves a scalar to write through
    const loadReg = x.imm === BPF_CMPXCHG ? 0 : x.imm & BPF_FETCH || x.imm === BPF_XCHG ? x.src : -1;
    if (loadReg >= 0) { this.checkDst(loadReg); if (loadReg === x.dst) this.setReg(loadReg, scalarUnknown()); }
    this.checkMemAccess(x.dst, x.off, size, 'write', scalarUnknown(), true);
    if (loadReg >= 0) this.setReg(loadReg, size === 4 ? scalarUnknownBits(32) : scalarUnknown());
  }

  /**
   * check_atomic_load: the pointer kind first (6.18 refuses a ctx load-acquire
   * before looking at its offset), then a load as check_load_mem, strictly aligned.
   */
  private checkAtomicLoad(x: Insn): void {
    const srcType = this.readReg(x.src).type;
    if (!atomicPtrTypeOk(srcType)) fail(`BPF_ATOMIC loads from R${x.src} ${srcType} is not allowed`, EACCES);
    this.checkDst(x.dst);
    const v = this.checkMemAccess(x.src, x.off, sizeBytes(BPF_SIZE(x.code)), 'read', undefined, true);
    this.setReg(x.dst, v ?? scalarUnknown());
    saveAuxPtrType(this.auxPtrType, this.insnIdx, srcType, false);
  }

  /** check_atomic_store: a store of a register (check_store_reg, strictly aligned), then the pointer kind (kernel-checked order). */
  private checkAtomicStore(x: Insn): void {
    this.readReg(x.src);
    const dstType = this.readReg(x.dst).type;
    this.checkMemAccess(x.dst, x.off, sizeBytes(BPF_SIZE(x.code)), 'write', this.regs[x.src]!, true);
    saveAuxPtrType(this.auxPtrType, this.insnIdx, dstType, false);
    if (!atomicPtrTypeOk(this.regs[x.dst]!.type)) fail(`BPF_ATOMIC stores into R${x.dst} ${this.regs[x.dst]!.type} is not allowed`, EACCES);
  }

  /**
   * check_ld_abs: legacy packet loads through the skb in R6. The kernel turns
   * them into a helper call (R1-R5 clobbered, R0 the bytes, zero-extended) and
   * an exit returning 0 when the offset is outside the packet.
   */
  private checkLdAbs(x: Insn): void {
    // may_access_skb: socket filters and tc programs
    if (![1, 3, 4].includes(this.input.progType)) fail('BPF_LD_[ABS|IND] instructions not allowed for this program type', EINVAL);
    const mode = BPF_MODE(x.code);
    if (x.dst !== 0 || x.off !== 0 || BPF_SIZE(x.code) === 0x18 || (mode === BPF_ABS_MODE && x.src !== 0)) {
      fail('BPF_LD_[ABS|IND] uses reserved fields', EINVAL);
    }
    this.readReg(6);
    // check_resource_leak: the implicit exit must not leave a lock held
    if (this.cur.lock) fail('BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region', EINVAL);
    const ctx = this.regs[6]!;
    if (ctx.type !== RegType.PTR_TO_CTX) fail('at the time of BPF_LD_ABS|IND R6 != pointer to skb', EINVAL);
    if (mode !== BPF_ABS_MODE) this.readReg(x.src);
    // check_ptr_off_reg
    if (ctx.off !== 0) fail(`dereference of modified ctx ptr R6 off=${ctx.off} disallowed`, EACCES);
    if (!tnumIsConst(ctx.varOff)) fail(`variable ctx access var_off=${tnumStr(ctx.varOff)} disallowed`, EACCES);
    for (let r = 1; r <= 5; r++) { this.markRegScratched(r); this.setReg(r, notInit()); }
    this.markRegScratched(0);
    this.setReg(0, scalarUnknown());
  }

  // ---- ld_imm64 -------------------------------------------------------------------

  private checkLdImm64(x: Insn, idx: number): void {
    this.checkDst(x.dst);
    if (x.src === 0) { this.setReg(x.dst, scalarConst(imm64At(this.insns, idx))); return; }
    if (x.src === BPF_PSEUDO_FUNC) {
      const target = idx + x.imm + 1;
      const sp = this.subprogs.findIndex((s) => s.start === target);
      if (sp < 0) fail('verifier bug. No program starts at insn ' + target, EFAULT);
      // check_ld_imm: a callback's linkage comes from BTF, so it needs func_info
      if (!this.input.funcInfo?.length) fail('missing btf func_info', EINVAL);
      if (this.subprogs[sp]!.linkage !== 'static') fail('callback function not static', EINVAL);
      this.setReg(x.dst, ptrReg(RegType.PTR_TO_FUNC, { subprog: sp }));
      return;
    }
    if (x.src === BPF_PSEUDO_MAP_FD || x.src === BPF_PSEUDO_MAP_VALUE) {
      const map = this.input.maps[x.imm];
      if (!map) fail(`fd ${x.imm} is not pointing to valid bpf_map`, EBADF_);
      if (x.src === BPF_PSEUDO_MAP_FD) { this.setReg(x.dst, ptrReg(RegType.CONST_PTR_TO_MAP, { map: map! })); return; }
      const off = this.insns[idx + 1]!.imm >>> 0;
      if (off >= map!.valueSize) fail(`invalid access to map value pointer, value_size=${map!.valueSize} off=${off}`, EINVAL);
      this.setReg(x.dst, ptrReg(RegType.PTR_TO_MAP_VALUE, { map: map!, off }));
      return;
    }
    if (x.src === BPF_PSEUDO_BTF_ID && this.input.targetBtf) { this.setReg(x.dst, ksymRegState(this.input, x.imm)); return; }
    fail(`unrecognized bpf_ld_imm64 insn`, EINVAL);
  }

  // ---- memory ----------------------------------------------------------------------

  /**
   * check_mem_access: a load (returns the loaded register) or a store of `val`.
   */
  checkMemAccess(regno: number, insnOff: number, size: number, t: AccessType, val: RegState | undefined, strictAlign = false, ldsx = false): RegState | undefined {
    const reg = this.regs[regno]!;
    if (val && val.type !== RegType.SCALAR_VALUE && reg.type !== RegType.PTR_TO_STACK) this.leaksPointers = true;
    const off = insnOff + reg.off;
    // check_ptr_alignment with strict_alignment_once (atomics): every pointer kind strictly aligned
    if (strictAlign && size > 1 && (reg.type === RegType.PTR_TO_PACKET || reg.type === RegType.PTR_TO_PACKET_META)) {
      // check_pkt_ptr_alignment: NET_IP_ALIGN (2) ahead of the packet start
      if (!tnumIsAligned(tnumAdd(reg.varOff, tnumConst(BigInt(2 + off))), size)) {
        fail(`misaligned packet access off 2+${tnumIsConst(reg.varOff) ? BigInt.asIntN(64, reg.varOff.value) : tnumStr(reg.varOff)}+${reg.off}+${insnOff} size ${size}`, EACCES);
      }
    } else if (strictAlign && size > 1 && reg.type !== RegType.PTR_TO_STACK) {
      const desc = reg.type === RegType.PTR_TO_MAP_VALUE ? 'value ' : reg.type === RegType.PTR_TO_MAP_KEY ? 'key '
        : reg.type === RegType.PTR_TO_CTX ? 'context ' : '';
      if (!tnumIsAligned(tnumAdd(reg.varOff, tnumConst(BigInt(off))), size)) {
        fail(`misaligned ${desc}access off ${tnumIsConst(reg.varOff) ? BigInt.asIntN(64, reg.varOff.value) : tnumStr(reg.varOff)}+${reg.off}+${insnOff} size ${size}`, EACCES);
      }
    }
    switch (reg.type) {
      case RegType.PTR_TO_MAP_VALUE: {
        const map = reg.map!;
        this.checkMapAccessType(map, off, size, t);
        this.checkMemRegion(regno, reg, off, size, map.valueSize, 'map value');
        this.checkSpecialFields(reg, off, size, map);
        if (t !== 'read') return undefined;
        // a frozen read-only map (.rodata, .kconfig after load): the load is a known constant
        const c = tnumIsConst(reg.varOff) ? rdonlyMapRead(map, off + Number(reg.varOff.value), size) : undefined;
        return c === undefined ? loadedScalar(size) : scalarConst(c);
      }
      case RegType.PTR_TO_MAP_KEY:
        if (t === 'write') fail(`write to change key R${regno} not allowed`, EACCES);
        this.checkMemRegion(regno, reg, off, size, reg.memSize, 'map key');
        return loadedScalar(size);
      case RegType.PTR_TO_RDONLY_UNTRUSTED_MEM:
        // check_mem_access: rdonly untrusted memory is read without a bounds check, as a BPF_PROBE_MEM load
        if (t === 'write') fail(`R${regno} cannot write into ${reg.type}`, EACCES);
        this.probeMemInsns.add(this.insnIdx);
        return loadedScalar(size);
      case RegType.PTR_TO_MEM:
      case RegType.PTR_TO_RDONLY_MEM:
      case RegType.PTR_TO_RINGBUF_MEM:
        if (t === 'write' && reg.type === RegType.PTR_TO_RDONLY_MEM) fail(`R${regno} cannot write into ${reg.type}`, EACCES);
        this.checkMemRegion(regno, reg, off, size, reg.memSize, 'memory');
        return t === 'read' ? loadedScalar(size) : undefined;
      case RegType.PTR_TO_SOCKET:
      case RegType.PTR_TO_SOCK_COMMON:
      case RegType.PTR_TO_TCP_SOCK:
      case RegType.PTR_TO_XDP_SOCK:
        if (t === 'write') fail(`R${regno} cannot write into ${reg.type}`, EACCES);
        checkSockAccess(regno, reg, off, size);
        return scalarUnknown();
      case RegType.PTR_TO_STACK:
        return this.checkStackAccess(regno, reg, off, size, t, val);
      case RegType.PTR_TO_CTX: {
        if (reg.off !== 0) fail(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`, EACCES);
        if (!tnumIsConst(reg.varOff)) fail(`variable ctx access var_off=${tnumStr(reg.varOff)} disallowed`, EACCES);
        if (this.input.progType === BPF_PROG_TYPE_TRACING && this.input.expectedAttachType === BPF_TRACE_ITER) {
          // an iterator's struct bpf_iter__<target>: BTF-typed pointers
          return iterCtxAccess(this.input, insnOff, size, t === 'write', (l) => this.log.write(`${l}\n`), () => ++this.idGen);
        }
        const target = this.input.attachTarget;
        if (target) {
          // btf_ctx_access: the slots typed by the attach target's prototype
          const b = btfCtxAccess(target, this.input.progType, this.input.expectedAttachType ?? 0, insnOff, size, t === 'write',
            (line) => this.log.error(line), (line) => this.log.info(line));
          if (!b) fail(`invalid bpf_context access off=${insnOff} size=${size}`, EACCES);
          if (this.maxCtxOffset < off + size) this.maxCtxOffset = off + size;
          if (b!.kind === 'scalar') return size === 8 ? scalarUnknown() : scalarUnknownBits(size * 8);
          return ptrReg(b!.type, { btf: b!.btf });
        }
        const a = checkCtxAccess(this.input.progType, insnOff, size, t === 'write', ldsx);
        if (!a) fail(`invalid bpf_context access off=${insnOff} size=${size}`, EACCES);
        // check_ctx_access: what BPF_PROG_TEST_RUN's ctx_size_in must cover
        if (this.maxCtxOffset < off + size) this.maxCtxOffset = off + size;
        if (t === 'read') {
          if (a!.loads === RegType.SCALAR_VALUE) return size === 8 ? scalarUnknown() : scalarUnknownBits(size * 8);
          // a maybe-NULL pointer (__sk_buff->sk) gets an id for its NULL check
          return ptrReg(a!.loads, nonNullType(a!.loads) !== a!.loads ? { id: ++this.idGen } : {});
        }
        return undefined;
      }
      case RegType.PTR_TO_PACKET:
      case RegType.PTR_TO_PACKET_META:
        if (t === 'write' && !mayWritePacket(this.input.progType)) fail('cannot write into packet', EACCES);
        this.checkPacketAccess(regno, reg, off, size);
        return t === 'read' ? scalarUnknownBits(size * 8) : undefined;
      case RegType.CONST_PTR_TO_MAP:
        // map pointer arithmetic is refused, so the offset is the instruction's
        return checkPtrToMapAccess(this.input, regno, reg.map!.type, off, size, t !== 'read');
      case RegType.NOT_INIT:
        return fail(`R${regno} !read_ok`, EACCES);
      case RegType.PTR_TO_BTF_ID:
      case RegType.TRUSTED_PTR_TO_BTF_ID:
      case RegType.RCU_PTR_TO_BTF_ID:
      case RegType.UNTRUSTED_PTR_TO_BTF_ID:
      case RegType.PERCPU_PTR_TO_BTF_ID:
        // kernel objects the target BTF describes (typed .ksyms, per-CPU pointers)
        if (reg.btf?.btf) {
          // tc and XDP have a btf_struct_access for writes (nf_conn->mark); other types are read-only
          const pt = this.input.progType;
          const writable = pt === BPF_PROG_TYPE_SCHED_CLS || pt === BPF_PROG_TYPE_SCHED_ACT || pt === BPF_PROG_TYPE_XDP ? nfConnWritable : undefined;
          const r = checkPtrToBtfAccess(this.input, regno, reg, off, size, t === 'write', writable, !this.input.sleepable || this.cur.rcuLock);
          // a load through a kernel pointer runs as BPF_PROBE_MEM (a fault reads 0)
          if (t === 'read') this.probeMemInsns.add(this.insnIdx);
          if (r && isNullable(r.type)) r.id = ++this.idGen;
          return r;
        }
        return fail(`R${regno} invalid mem access '${reg.type}'`, EACCES);
      default:
        return fail(`R${regno} invalid mem access '${reg.type}'`, EACCES);
    }
  }

  /** check_mem_region_access + __check_mem_access */
  checkMemRegion(regno: number, reg: RegState, off: number, size: number, memSize: number, what: string): void {
    const bad = (o: bigint): boolean => o < 0n || size < 0 || o + BigInt(size) > BigInt(memSize);
    const msg = (o: bigint): string => what === 'map value'
      ? `invalid access to map value, value_size=${memSize} off=${o} size=${size}`
      : what === 'map key' ? `invalid access to map key, key_size=${memSize} off=${o} size=${size}`
        : `invalid access to memory, mem_size=${memSize} off=${o} size=${size}`;
    if (tnumIsConst(reg.varOff)) {
      const o = BigInt(off) + BigInt.asIntN(64, reg.varOff.value);
      if (bad(o)) {
        this.log.error(msg(o));
        fail(`R${regno} min value is outside of the allowed memory range`, EACCES);
      }
      return;
    }
    if (reg.smin < 0n && (reg.smin === S64_MIN || reg.smin + BigInt(off) < 0n)) {
      fail(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, EACCES);
    }
    if (bad(reg.smin + BigInt(off))) {
      this.log.error(msg(reg.smin + BigInt(off)));
      fail(`R${regno} min value is outside of the allowed memory range`, EACCES);
    }
    if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) fail(`R${regno} unbounded memory access, make sure to bounds check any such access`, EACCES);
    if (bad(reg.umax + BigInt(off))) {
      this.log.error(msg(reg.umax + BigInt(off)));
      fail(`R${regno} max value is outside of the allowed memory range`, EACCES);
    }
  }

  /** check_map_access_type: BPF_F_RDONLY_PROG (.rodata) / BPF_F_WRONLY_PROG maps, from the program's side */
  private checkMapAccessType(map: MapMeta, off: number, size: number, t: AccessType): void {
    if (t === 'write' && map.flags & BPF_F_RDONLY_PROG) fail(`write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}`, EACCES);
    if (t === 'read' && map.flags & BPF_F_WRONLY_PROG) fail(`read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}`, EACCES);
  }

  /** bpf_timer and bpf_spin_lock fields are off limits to loads and stores. */
  private checkSpecialFields(reg: RegState, off: number, size: number, map: MapMeta): void {
    const lo = reg.smin + BigInt(off), hi = reg.umax + BigInt(off) + BigInt(size);
    const fields: [number, number, string][] = [];
    if (map.timerOff >= 0) fields.push([map.timerOff, 16, 'bpf_timer']);
    if (map.spinLockOff >= 0) fields.push([map.spinLockOff, 4, 'bpf_spin_lock']);
    for (const [p, sz, name] of fields) {
      if (lo < BigInt(p + sz) && BigInt(p) < hi) fail(`${name} cannot be accessed directly by load/store`, EACCES);
    }
  }

  private checkPacketAccess(regno: number, reg: RegState, off: number, size: number): void {
    if (reg.smin < 0n) fail(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, EACCES);
    if (off < 0 || off + size > reg.range) {
      this.log.error(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${reg.off},r=${reg.range})`);
      fail(`R${regno} offset is outside of the packet`, EACCES);
    }
    if (reg.umax + BigInt(off) > BigInt(MAX_PACKET_OFF)) fail(`R${regno} unbounded memory access, make sure to bounds check any such access`, EACCES);
  }

  /** update_stack_depth */
  private noteStackDepth(frame: FuncState, minOff: number): void {
    const sp = this.subprogs[frame.subprog]!;
    if (sp.stackDepth < -minOff) sp.stackDepth = -minOff;
  }

  /** check_stack_access_within_bounds */
  stackBounds(regno: number, reg: RegState, off: number, size: number, extra: string): [number, number] {
    let lo: bigint, hi: bigint;
    const cst = tnumIsConst(reg.varOff);
    if (cst) { lo = BigInt.asIntN(64, reg.varOff.value) + BigInt(off); hi = lo + BigInt(size); }
    else {
      if (reg.smax >= BigInt(BPF_MAX_VAR_OFF) || reg.smin <= -BigInt(BPF_MAX_VAR_OFF)) {
        fail(`invalid unbounded variable-offset${extra} stack R${regno}`, EACCES);
      }
      lo = reg.smin + BigInt(off); hi = reg.smax + BigInt(off) + BigInt(size);
    }
    let errno = 0;
    // first byte outside the stack: EACCES (check_stack_slot_within_bounds); only the end past fp: EINVAL
    if (lo < -BigInt(MAX_BPF_STACK) || lo >= 0n) errno = EACCES;
    else if (hi > 0n || size < 0) errno = EINVAL;
    if (errno) {
      if (cst) fail(`invalid${extra} stack R${regno} off=${Number(lo)} size=${size}`, errno);
      fail(`invalid variable-offset${extra} stack R${regno} var_off=${tnumStr(reg.varOff)} off=${off} size=${size}`, errno);
    }
    return [Number(lo), Number(hi)];
  }

  private checkStackAccess(regno: number, reg: RegState, off: number, size: number, t: AccessType, val: RegState | undefined): RegState | undefined {
    const frame = this.cur.frames[reg.frameno]!;
    // stack accesses are always strictly aligned, variable offsets included (check_ptr_alignment)
    if (!tnumIsAligned(tnumAdd(reg.varOff, tnumConst(BigInt(off))), size)) {
      fail(`misaligned stack access off ${tnumIsConst(reg.varOff) ? BigInt.asIntN(64, reg.varOff.value) : tnumStr(reg.varOff)}+${reg.off}+${off - reg.off} size ${size}`, EACCES);
    }
    const [lo, hi] = this.stackBounds(regno, reg, off, size, t === 'read' ? ' read from' : ' write to');
    this.noteStackDepth(frame, lo);
    for (let a = lo; a < hi; a++) this.markSlotScratched((-a - 1) >> 3);
    if (!tnumIsConst(reg.varOff)) {
      // variable offset: reads give unknown scalars, writes make every byte in range misc
      for (let a = lo; a < hi; a++) {
        const i = MAX_BPF_STACK + a;
        if (t === 'write') {
          // the bytes the store does not hit at run time keep what they held: never written
          // (uninitialized) or a spilled pointer's bytes, both readable later as misc
          if (frame.stype[i] === Stk.INVALID) this.readsUninitStack = true;
          else if (frame.stype[i] === Stk.SPILL && frame.spills[i >> 3]?.reg.type !== RegType.SCALAR_VALUE) this.leaksPointers = true;
          this.scrubSpill(frame, i);
          frame.stype[i] = Stk.MISC;
        }
        else if (frame.stype[i] === Stk.INVALID) this.readsUninitStack = true;
        // reading over a spilled pointer is allowed to a privileged loader (allow_ptr_leaks)
        else if (frame.stype[i] === Stk.SPILL && frame.spills[i >> 3]?.reg.type !== RegType.SCALAR_VALUE) this.leaksPointers = true;
      }
      // (check_mem_access zero-extends a narrow read: a byte is [0, 255])
      return t === 'read' ? loadedScalar(size) : undefined;
    }
    const h = this.cur.hist[this.cur.hist.length - 1];
    if (h) { h.flags |= HIST_STACK; h.stackFrame = reg.frameno; h.stackSpi = (-lo - 1) >> 3; }
    return t === 'read' ? this.stackReadFixed(frame, lo, size) : (this.stackWriteFixed(frame, lo, size, val!), undefined);
  }

  /** Turns a partly overwritten spill slot into misc bytes. */
  private scrubSpill(frame: FuncState, i: number): void {
    const slot = i >> 3;
    if (!frame.spills[slot]) return;
    frame.spills[slot] = undefined;
    for (let b = slot * 8; b < slot * 8 + 8; b++) if (frame.stype[b] === Stk.SPILL) frame.stype[b] = Stk.MISC;
  }

  /** check_stack_write_fixed_off */
  private stackWriteFixed(frame: FuncState, off: number, size: number, val: RegState): void {
    const i = MAX_BPF_STACK + off;
    const aligned = i % 8 === 0;
    if (val.type !== RegType.SCALAR_VALUE) {
      if (size !== 8) fail('invalid size of register spill', EACCES);
      if (val.type === RegType.PTR_TO_STACK && val.frameno !== frame.frameno && frame !== this.frame) {
        fail('cannot spill pointers to stack into stack frame of the caller', EINVAL);
      }
    }
    checkDynptrOverwrite(frame, i, i + size);
    // a store over part of a spilled pointer leaves its other bytes readable as data (a
    // privileged load allows it): results may then depend on addresses
    if (!(aligned && size === 8)) {
      for (const slot of [i >> 3, (i + size - 1) >> 3]) {
        const old = frame.spills[slot];
        if (old && old.reg.type !== RegType.SCALAR_VALUE) this.leaksPointers = true;
      }
    }
    for (let b = i; b < i + size; b++) this.scrubSpill(frame, b);
    // a slot-aligned store of a scalar of any size is a (narrow) spill for a
    // privileged loader (save_register_state with size)
    if (aligned) {
      if (BPF_MODE(this.insns[this.insnIdx]!.code) !== BPF_ATOMIC) this.countHist(this.cur.hist[this.cur.hist.length - 1]);
      // a scalar whose value fits the store gets an id first (assign_scalar_id_before_mov), so
      // the register and its spill stay linked; a narrowing spill breaks the relation.
      // An atomic read-modify-write stores no register (value_regno -1): its result gets none
      const x = this.insns[this.insnIdx]!;
      const fromReg = BPF_MODE(x.code) !== BPF_ATOMIC || x.imm === BPF_STORE_REL;
      const fits = val.type === RegType.SCALAR_VALUE && val.umax < 1n << BigInt(8 * size);
      if (fits && fromReg) {
        if (val.id & ADD_CONST) { val.id = 0; val.off = 0; }
        if (!val.id && !tnumIsConst(val.varOff)) val.id = ++this.idGen;
      }
      const spilled = copyReg(val);
      if (val.type === RegType.SCALAR_VALUE && !fits) spilled.id = 0;
      frame.spills[i >> 3] = { reg: spilled, size };
      for (let b = i; b < i + size; b++) frame.stype[b] = Stk.SPILL;
      for (let b = i + size; b < i + 8; b++) if (frame.stype[b] === Stk.SPILL) frame.stype[b] = Stk.MISC;
      return;
    }
    const zero = val.type === RegType.SCALAR_VALUE && tnumIsConst(val.varOff) && val.varOff.value === 0n;
    if (zero) {
      // a register's zero decides the slot kind (STX); an immediate needs nothing
      const regno = this.regs.indexOf(val);
      if (regno >= 0) this.markRegsPrecise(regno);
    }
    for (let b = i; b < i + size; b++) frame.stype[b] = zero ? Stk.ZERO : Stk.MISC;
  }

  /** check_stack_read_fixed_off */
  private stackReadFixed(frame: FuncState, off: number, size: number): RegState {
    const i = MAX_BPF_STACK + off;
    const base = i & ~7;
    const sp = frame.spills[i >> 3];
    if (sp && frame.stype[base] === Stk.SPILL) {
      let spillSize = 0;
      while (spillSize < 8 && frame.stype[base + spillSize] === Stk.SPILL) spillSize++;
      const fill = (): void => {
        if (BPF_MODE(this.insns[this.insnIdx]!.code) !== BPF_ATOMIC) this.countHist(this.cur.hist[this.cur.hist.length - 1]);
      };
      if (size === 8 && spillSize === 8) { fill(); return copyReg(sp.reg); }
      if (sp.reg.type !== RegType.SCALAR_VALUE) fail('invalid size of register fill', EACCES);
      // a narrow fill from the start of the spill keeps the value, truncated
      if (size <= spillSize && i === base) { fill(); return truncScalar(sp.reg, size); }
      let spills = 0, zeros = 0;
      for (let b = i; b < i + size; b++) {
        const k = frame.stype[b]!;
        if (k === Stk.SPILL) spills++;
        else if (k === Stk.ZERO) zeros++;
        else if (k === Stk.INVALID && this.uninitRead()) fail(`invalid read from stack off ${off}+${b - i} size ${size}`, EACCES);
      }
      if (spills === size && tnumIsConst(sp.reg.varOff) && sp.reg.varOff.value === 0n) { fill(); return scalarConst(0n); }
      if (zeros === size) return scalarConst(0n);
      return size === 8 ? scalarUnknown() : scalarUnknownBits(size * 8);
    }
    let allZero = true;
    for (let b = i; b < i + size; b++) {
      const k = frame.stype[b]!;
      if (k !== Stk.ZERO) allZero = false;
      if (k === Stk.SPILL && frame.spills[b >> 3]?.reg.type !== RegType.SCALAR_VALUE) fail('invalid size of register fill', EACCES);
      // a dynptr's slots are not readable as data
      if ((k === Stk.INVALID && this.uninitRead()) || k === Stk.DYNPTR) fail(`invalid read from stack off ${off}+${b - i} size ${size}`, EACCES);
    }
    if (allZero) return scalarConst(0n);
    return size === 8 ? scalarUnknown() : scalarUnknownBits(size * 8);
  }

  /**
   * check_helper_mem_access: a helper reads or writes `size` bytes at reg.
   * `maxSize` is the largest size when the size is a range (umax).
   */
  checkHelperMem(regno: number, size: number, t: AccessType, expected: string, pktAccess = true): void {
    const reg = this.regs[regno]!;
    switch (reg.type) {
      case RegType.PTR_TO_STACK: {
        if (size === 0) fail('invalid zero-sized read', EACCES);
        const frame = this.cur.frames[reg.frameno]!;
        const [lo, hi] = this.stackBounds(regno, reg, reg.off, size, t === 'read' ? ' read from' : ' write to');
        this.noteStackDepth(frame, lo);
        for (let a = lo; a < hi; a++) {
          const i = MAX_BPF_STACK + a;
          if (t === 'write') { this.scrubSpill(frame, i); frame.stype[i] = Stk.MISC; continue; }
          // a helper reading a spilled pointer's bytes (e.g. into a map value) copies an address
          if (frame.stype[i] === Stk.SPILL && frame.spills[i >> 3]?.reg.type !== RegType.SCALAR_VALUE) this.leaksPointers = true;
          if (frame.stype[i] === Stk.INVALID && this.uninitRead()) {
            fail(`invalid indirect read from stack R${regno} off ${lo}+${a - lo} size ${size}`, EACCES);
          }
        }
        return;
      }
      case RegType.PTR_TO_MAP_VALUE:
        this.checkMapAccessType(reg.map!, reg.off, size, t);
        this.checkMemRegion(regno, reg, reg.off, size, reg.map!.valueSize, 'map value');
        // check_map_access: a helper may not touch a bpf_timer / bpf_spin_lock either
        this.checkSpecialFields(reg, reg.off, size, reg.map!);
        return;
      case RegType.PTR_TO_MAP_KEY:
        if (t === 'write') fail(`write to change key R${regno} not allowed`, EACCES);
        this.checkMemRegion(regno, reg, reg.off, size, reg.memSize, 'map key');
        return;
      case RegType.PTR_TO_MEM:
      case RegType.PTR_TO_RDONLY_MEM:
      case RegType.PTR_TO_RDONLY_UNTRUSTED_MEM:
      case RegType.PTR_TO_RINGBUF_MEM:
        if (t === 'write' && reg.type !== RegType.PTR_TO_MEM && reg.type !== RegType.PTR_TO_RINGBUF_MEM) fail(`R${regno} cannot write into ${reg.type}`, EACCES);
        this.checkMemRegion(regno, reg, reg.off, size, reg.memSize, 'memory');
        return;
      case RegType.PTR_TO_PACKET:
      case RegType.PTR_TO_PACKET_META:
        // only helpers whose prototype says pkt_access may touch the packet
        if (!pktAccess || (t === 'write' && !mayWritePacket(this.input.progType))) fail('helper access to the packet is not allowed', EACCES);
        this.checkPacketAccess(regno, reg, reg.off, size);
        return;
      default:
        fail(`R${regno} type=${reg.type === RegType.SCALAR_VALUE ? 'scalar' : reg.type} expected=${expected}`, EACCES);
    }
  }

  // ---- jumps -------------------------------------------------------------------------

  private checkCondJmp(x: Insn, idx: number, is32: boolean): boolean {
    const op = BPF_OP(x.code);
    if (op > 0xd0) fail(`invalid BPF_JMP/JMP32 opcode ${hex(op)}`, EINVAL);
    const d = this.readReg(x.dst);
    const s = BPF_SRC(x.code) === BPF_X ? this.readReg(x.src) : scalarConst(is32 ? BigInt(x.imm >>> 0) : BigInt(x.imm));
    const target = idx + x.off + 1;
    const bits = is32 ? 32 : 64;

    // pointer against NULL
    const srcIsZero = s.type === RegType.SCALAR_VALUE && tnumIsConst(s.varOff) && s.varOff.value === 0n;
    if ((op === BPF_JEQ || op === BPF_JNE) && srcIsZero && !is32 && d.type !== RegType.SCALAR_VALUE) {
      if (isNullable(d.type)) {
        const other = copyState(this.cur);
        // on the "== NULL" side the register becomes scalar 0; on the other it is the pointer
        this.markPtrOrNull(other, d.id, op === BPF_JEQ, d.refObjId);
        this.markPtrOrNull(this.cur, d.id, op !== BPF_JEQ, d.refObjId);
        this.pushBranch(other, target);
        this.insnIdx = idx + 1;
        return true;
      }
      // reg_not_null: these pointers are never equal to 0 (ctx, stack and packet
      // pointers are not in the kernel's list: both ways are followed)
      // (a BTF pointer holding a reference is trusted: is_trusted_reg)
      if (REG_NOT_NULL.has(d.type) || (d.type === RegType.PTR_TO_BTF_ID && d.refObjId !== 0)) {
        this.insnIdx = op === BPF_JNE ? target : idx + 1;
        return true;
      }
    }

    if (d.type !== RegType.SCALAR_VALUE || s.type !== RegType.SCALAR_VALUE) {
      if (!is32 && this.tryPacketCompare(x, op, d, s, target, idx)) return true;
      // the branch taken depends on an address (allow_ptr_leaks): a run's result may differ from the kernel's
      this.leaksPointers = true;
      // a scalar compared with a pointer is still collected (its overflowing copies lose their ids)
      this.collectLinked(idx, d, BPF_SRC(x.code) === BPF_X ? s : undefined);
      // comparing pointers gives no bounds; follow both ways
      const other = copyState(this.cur);
      this.pushBranch(other, target);
      this.insnIdx = idx + 1;
      return true;
    }

    let taken = branchTaken(viewOf(d, bits), viewOf(s, bits), op);
    // a 64-bit (in)equality the 64-bit ranges leave open: disjoint 32-bit halves decide it
    if (taken === -1 && bits === 64 && (op === BPF_JEQ || op === BPF_JNE)
      && (d.u32min > s.u32max || d.u32max < s.u32min || d.s32min > s.s32max || d.s32max < s.s32min)) taken = op === BPF_JEQ ? 0 : 1;
    // a branch decided by the values: they must be exact wherever this path is pruned
    if (taken === 1 || taken === 0) {
      if (BPF_SRC(x.code) === BPF_X) this.markRegsPrecise(x.dst, x.src);
      else this.markRegsPrecise(x.dst);
    }
    if (taken === 1) { this.insnIdx = target; return true; }
    if (taken === 0) { this.insnIdx = idx + 1; return true; }

    // only an undecided branch links (check_cond_jmp_op), and before the
    // other side is copied, so both share the history entry and the cleared ids
    const linked = this.collectLinked(idx, d, BPF_SRC(x.code) === BPF_X ? s : undefined);
    const other = copyState(this.cur);
    const ok1 = this.refineRegs(other, x, op, bits, false, linked);
    const ok2 = this.refineRegs(this.cur, x, op, bits, true, linked);
    if (ok1) this.pushBranch(other, target);
    if (ok2) { this.insnIdx = idx + 1; return true; }
    return false;
  }

  /**
   * may_goto (check_cond_jmp_op's BPF_JCOND): this path takes the jump (the
   * loop's budget ran out); the fall-through is queued one may_goto deeper,
   * with the scalars that changed since the previous visit of this insn on
   * the path widened to unknown unless precise (widen_imprecise_scalars), so
   * a loop body converges.
   */
  private checkMayGoto(x: Insn, idx: number): boolean {
    if (x.src !== BPF_MAY_GOTO || x.dst !== 0 || x.imm !== 0) fail(`invalid may_goto imm ${x.imm}`, EINVAL);
    const prev = this.findPrevEntry(idx);
    const queued = copyState(this.cur);
    queued.mayGotoDepth = (queued.mayGotoDepth ?? 0) + 1;
    if (prev) widenImpreciseScalars(prev.state, queued);
    this.pushBranch(queued, idx + 1);
    this.insnIdx = idx + x.off + 1;
    return true;
  }

  private isMayGoto(idx: number): boolean {
    const x = this.insns[idx]!;
    return x.code === (BPF_JMP | BPF_JCOND) && x.src === BPF_MAY_GOTO;
  }

  /** find_prev_entry: an older checkpoint at idx still being explored on this path (the previous iteration) */
  private findPrevEntry(idx: number, includeCur = false): Checkpoint | undefined {
    const list = this.explored.get(idx);
    if (!list) return undefined;
    for (let k = list.length - 1; k >= 0; k--) {
      const cp = list[k]!;
      if ((cp === this.cur.cp && !includeCur) || !cp.branches || !this.onPath(cp)) continue;
      if (cp.state.frames.length !== this.cur.frames.length || cp.state.frames.some((f, i) => f.callsite !== this.cur.frames[i]!.callsite)) continue;
      return cp;
    }
    return undefined;
  }

  /** reg_set_min_max for one side of a branch; false when the side is impossible. */
  private refineRegs(st: VState, x: Insn, op: number, bits: 32 | 64, fallthrough: boolean, linked: readonly number[]): boolean {
    const regs = st.frames[st.frames.length - 1]!.regs;
    const d = copyReg(regs[x.dst]!);
    const hasSrc = BPF_SRC(x.code) === BPF_X;
    // `if r1 s>= r1`: the kernel refines one register through two pointers to
    // it, so both halves of the rule land on it (r1 s< r1 leaves [min+1, max-1])
    const self = hasSrc && x.src === x.dst;
    const s = self ? d : copyReg(hasSrc ? regs[x.src]! : this.immConst(x.imm, bits === 64));
    // !(a & K): __mark_reg_unbounded on the non-constant side before its tnum loses
    // K's bits -- all its ranges, the 64-bit ones after a jmp32 too (the old range
    // is not kept: `r <= 100; !(r & 1)` is [0, 126])
    if (op === BPF_JSET && fallthrough) {
      const c = (r: RegState): boolean => tnumIsConst(bits === 64 ? r.varOff : tnumSubreg(r.varOff));
      if (c(s)) markUnbounded(d); else if (c(d)) markUnbounded(s);
    }
    const dv = viewOf(d, bits), sv = self ? dv : viewOf(s, bits);
    if (op === BPF_JSET) refineCond(dv, sv, BPF_JSET, fallthrough);
    else refineCond(dv, sv, fallthrough ? negateOp(op) : op);
    refineWith(d, dv);
    // reg_bounds_sync runs once per pointer
    if (self) refineWith(d, dv);
    else refineWith(s, sv);
    // reg_bounds_sanity_check (6.18): bounds that contradict each other (a path
    // no value takes) are reset to unbounded and the path is still explored --
    // the kernel does not treat it as dead (found by the kernel campaign)
    if (boundsInvalid(d)) markUnbounded(d);
    if (hasSrc && !self && boundsInvalid(s)) markUnbounded(s);
    regs[x.dst] = d;
    if (hasSrc) regs[x.src] = s;
    // the collected copies of a scalar (same base id) learn the same bounds, shifted by their delta
    if (hasSrc && s.type === RegType.SCALAR_VALUE && s.id) this.syncLinked(st, s, linked);
    if (d.type === RegType.SCALAR_VALUE && d.id) this.syncLinked(st, d, linked);
    return true;
  }

  /**
   * collect_linked_regs (6.18) for src, then dst: the scalars sharing their
   * base id that are live here (a caller frame's liveness is its callsite's)
   * or spilled, at most LINKED_REGS_MAX entries (a register compared with
   * itself, or two copies compared, is collected twice); the rest lose their
   * id. Only these are refined with the compared one, and the history records
   * them for precision backtracking. Returns [frame, reg (0-9) or 11 + spi]*.
   */
  private collectLinked(idx: number, d: RegState, s: RegState | undefined): number[] {
    const set: number[] = [];
    const st = this.cur;
    const top = st.frames.length - 1;
    const collect = (id: number): void => {
      const base = id & ~ADD_CONST;
      const matches = (r: RegState): boolean => r.type === RegType.SCALAR_VALUE && (r.id & ~ADD_CONST) === base;
      for (let fr = top; fr >= 0; fr--) {
        const f = st.frames[fr]!;
        const live = this.liveRegs[fr === top ? idx : st.frames[fr + 1]!.callsite]!;
        for (let j = 0; j < 10; j++) {
          const r = f.regs[j]!;
          if (!(live & (1 << j)) || !matches(r)) continue;
          if (set.length < 2 * LINKED_REGS_MAX) set.push(fr, j);
          else f.regs[j] = { ...r, id: 0, off: 0 };
        }
        for (let spi = 0; spi < MAX_BPF_STACK / 8; spi++) {
          const slot = MAX_BPF_STACK / 8 - 1 - spi;
          const sp = f.spills[slot];
          if (!sp || !matches(sp.reg)) continue;
          if (set.length < 2 * LINKED_REGS_MAX) set.push(fr, 11 + spi);
          else f.spills[slot] = { reg: { ...sp.reg, id: 0, off: 0 }, size: sp.size };
        }
      }
    };
    if (s && s.type === RegType.SCALAR_VALUE && s.id) collect(s.id);
    if (d.type === RegType.SCALAR_VALUE && d.id) collect(d.id);
    const h = st.hist[st.hist.length - 1];
    if (h && set.length > 2) { h.linked = set; this.countHist(h); }
    return set;
  }

  /** sync_linked_regs: each collected scalar sharing known's base id becomes known + (its delta - known's delta). */
  private syncLinked(st: VState, known: RegState, linked: readonly number[]): void {
    const base = known.id & ~ADD_CONST;
    const fix = (q: RegState): RegState => {
      if (q === known || q.type !== RegType.SCALAR_VALUE || (q.id & ~ADD_CONST) !== base) return q;
      // a 64-bit delta and a 32-bit one do not compose: such a copy is left as it is
      if (((q.id ^ known.id) & ADD_CONST) === ADD_CONST) return q;
      // copy_register_state: the copy takes known's id and delta too
      if ((!(q.id & ADD_CONST) && !(known.id & ADD_CONST)) || q.off === known.off) return { ...known };
      const delta = scalarConst(BigInt(q.off - known.off));
      const r = { ...known, id: q.id, off: q.off };
      writeNeg64(r, aluView(BPF_ADD, viewOf(known, 64), viewOf(delta, 64)), aluView(BPF_ADD, viewOf(known, 32), viewOf(delta, 32)));
      // a 32-bit link (either side) is a subregister: the result is zero-extended
      return (known.id | q.id) & ADD_CONST32 ? { ...zext32(r), id: q.id, off: q.off, precise: r.precise } : r;
    };
    for (let k = 0; k < linked.length; k += 2) {
      const f = st.frames[linked[k]!]!, w = linked[k + 1]!;
      if (w < 11) { f.regs[w] = fix(f.regs[w]!); continue; }
      const slot = MAX_BPF_STACK / 8 - 1 - (w - 11);
      const sp = f.spills[slot];
      if (sp) f.spills[slot] = { reg: fix(sp.reg), size: sp.size };
    }
  }

  /** mark_ptr_or_null_regs: every copy of a maybe-null pointer (by id) becomes null or non-null. */
  private markPtrOrNull(st: VState, id: number, isNull: boolean, refObjId = 0): void {
    // on the "== NULL" side an acquisition that failed holds nothing
    if (isNull && refObjId && refObjId === id) releaseReferenceNomark(st, id);
    const fix = (r: RegState): RegState => {
      if (!isNullable(r.type) || r.id !== id) return r;
      if (isNull) return scalarConst(0n);
      const n = copyReg(r);
      n.type = nonNullType(r.type);
      // a non-null pointer keeps no id (a map value with a spin lock keeps it, inner maps their uid)
      if (n.type === RegType.PTR_TO_MAP_VALUE ? !(n.map && n.map.spinLockOff >= 0) : n.type !== RegType.CONST_PTR_TO_MAP) n.id = 0;
      return n;
    };
    for (const f of st.frames) {
      f.regs = f.regs.map(fix);
      f.spills = f.spills.map((sp) => (sp ? { reg: fix(sp.reg), size: sp.size } : undefined));
    }
  }

  /** try_match_pkt_pointers / find_good_pkt_pointers */
  private tryPacketCompare(x: Insn, op: number, d: RegState, s: RegState, target: number, idx: number): boolean {
    if (BPF_SRC(x.code) !== BPF_X) return false;
    const pkt = (r: RegState): boolean => r.type === RegType.PTR_TO_PACKET;
    const meta = (r: RegState): boolean => r.type === RegType.PTR_TO_PACKET_META;
    const end = (r: RegState): boolean => r.type === RegType.PTR_TO_PACKET_END;
    let good: RegState; let goodOnTaken: boolean; let open: boolean;
    // normalise to "good < limit" with good on the left
    const lhsGood = (pkt(d) && end(s)) || (meta(d) && pkt(s));
    const rhsGood = (end(d) && pkt(s)) || (pkt(d) && meta(s));
    if (!lhsGood && !rhsGood) return false;
    const effOp = lhsGood ? op : flipOp(op);
    good = lhsGood ? d : s;
    switch (effOp) {
      case BPF_JGT: goodOnTaken = false; open = false; break; // good > end: fallthrough has good <= end
      case BPF_JGE: goodOnTaken = false; open = true; break;
      case BPF_JLT: goodOnTaken = true; open = true; break;
      case BPF_JLE: goodOnTaken = true; open = false; break;
      default: return false;
    }
    // find_good_pkt_pointers: no range from a pointer that may lie past MAX_PACKET_OFF
    if (good.off < 0 || (good.off === 0 && open) || good.umax > BigInt(MAX_PACKET_OFF) || good.umax + BigInt(good.off) > BigInt(MAX_PACKET_OFF)) return false;
    // right-open (good < end): the byte at good itself is in the packet too (found by the kernel campaign)
    const newRange = good.off + (open ? 1 : 0);
    const other = copyState(this.cur);
    const markGood = (st: VState): void => {
      for (const f of st.frames) {
        const fix = (r: RegState): RegState => {
          if (r.type !== good.type || r.id !== good.id) return r;
          if (r.range >= newRange) return r;
          const n = copyReg(r); n.range = newRange; return n;
        };
        f.regs = f.regs.map(fix);
        f.spills = f.spills.map((sp) => (sp ? { reg: fix(sp.reg), size: sp.size } : undefined));
      }
    };
    markGood(goodOnTaken ? other : this.cur);
    // mark_pkt_end: on the side where the pointer is at (>=) or beyond (>) the
    // end, that register records it (AT_PKT_END -1, BEYOND_PKT_END -2)
    const beyond = effOp === BPF_JGT || effOp === BPF_JLE;
    const endSide = goodOnTaken ? this.cur : other;
    const goodRegno = lhsGood ? x.dst : x.src;
    const endRegs = endSide.frames[endSide.frames.length - 1]!.regs;
    endRegs[goodRegno] = { ...endRegs[goodRegno]!, range: beyond ? -2 : -1 };
    this.pushBranch(other, target);
    this.insnIdx = idx + 1;
    return true;
  }

  // ---- calls and exit ---------------------------------------------------------------------

  /** check_func_call: a bpf-to-bpf call pushes a frame that shares R1-R5. */
  private checkFuncCall(target: number, idx: number): void {
    if (this.cur.frames.length >= MAX_CALL_FRAMES) {
      fail(`the call stack of ${this.cur.frames.length + 1} frames is too deep`, E2BIG);
    }
    const sp = subprogOf(this.subprogs, target);
    const caller = this.frame;
    const callee = newFrame(this.cur.frames.length, sp, idx);
    for (let r = 1; r <= 5; r++) callee.regs[r] = copyReg(caller.regs[r]!);
    for (let r = 0; r <= 5; r++) caller.regs[r] = notInit();
    this.cur.frames.push(callee);
    this.insnIdx = target;
    this.markAllScratched();
    if (this.log.level >= 1) this.log.write(`caller:\n${this.frameStr(true, caller)}\ncallee:\n${this.frameStr(true, callee)}\n`);
  }

  /**
   * push_callback_call for a synchronous callback (bpf_loop, user_ringbuf_drain):
   * one more iteration is queued as a branch entering the callback from this
   * call (the caller's registers kept); this path goes on after the call. The
   * callback's exit comes back to the call (checkExit), which queues the next
   * iteration until the state at the call is within an earlier one's ranges.
   */
  pushCallbackCall(subprog: number, idx: number, init: (f: FuncState) => void, ret: [bigint, bigint]): void {
    this.subprogs[subprog]!.isCb = true;
    const st = copyState(this.cur);
    // setup_func_entry on the queued copy
    if (st.frames.length >= MAX_CALL_FRAMES) {
      fail(`the call stack of ${st.frames.length + 1} frames is too deep`, E2BIG);
    }
    const callee = newFrame(st.frames.length, subprog, idx);
    callee.inCallbackFn = true;
    callee.cbRet = ret;
    init(callee);
    st.frames[st.frames.length - 1]!.callbackDepth++;
    st.frames.push(callee);
    st.cbUnrollDepth = (st.cbUnrollDepth ?? 0) + 1;
    this.frame.callbackDepth = 0;
    this.pushBranch(st, this.subprogs[subprog]!.start);
  }

  private checkExit(): boolean {
    const f = this.frame;
    const r0 = this.regs[0]!;
    // prepare_func_exit does not read R0 of a static callee: an unset R0 only
    // matters if the caller reads it (callbacks must return a scalar, though)
    const staticCallee = this.cur.frames.length > 1 && this.subprogs[f.subprog]?.linkage !== 'global';
    // check_resource_leak comes first (process_bpf_exit_full)
    if (this.cur.frames.length === 1) {
      if (this.cur.lock) fail('BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region', EINVAL);
      checkReferenceLeak(this, 'BPF_EXIT instruction in main prog');
      if (this.cur.rcuLock) fail('BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region', EINVAL);
    }
    if (r0.type === RegType.NOT_INIT && !staticCallee) fail('R0 !read_ok', EACCES);
    if (this.cur.frames.length === 1 && r0.type !== RegType.SCALAR_VALUE) this.leaksPointers = true;
    if (this.cur.frames.length > 1) {
      this.prepareFuncExit();
      return true;
    }
    if (f.inAsyncCallbackFn) {
      if (r0.type !== RegType.SCALAR_VALUE) fail(`At async callback return the register R0 is not a known value (${r0.type})`, EINVAL);
      this.checkRetRange(r0, [0n, 0n], 'At async callback return');
      return false;
    }
    // check_return_code: the program type's range (found by the kernel campaign: cgroup_skb returning 5)
    const range = progRetRange(this.input.progType, this.input.expectedAttachType);
    if (range) {
      if (r0.type !== RegType.SCALAR_VALUE) fail(`At program exit the register R0 is not a known value (${r0.type})`, EINVAL);
      this.checkRetRange(r0, range, 'At program exit');
    }
    return false;
  }

  /**
   * prepare_func_exit: leave the current frame (its exit, or a tail call in a
   * subprogram) for the caller, or for the call itself when it is a callback.
   */
  prepareFuncExit(): void {
    const f = this.frame;
    const r0 = this.regs[0]!;
    // any stack pointer, even one into the caller's own frame (the kernel is conservative)
    if (r0.type === RegType.PTR_TO_STACK) {
      fail('cannot return stack pointer to the caller', EINVAL);
    }
    if (f.inCallbackFn) {
      if (r0.type !== RegType.SCALAR_VALUE) fail('R0 not a scalar value', EACCES);
      this.checkRetRange(r0, f.cbRet!, 'At callback return');
    }
    this.cur.frames.pop();
    const caller = this.frame;
    if (f.inCallbackFn) {
      const h = this.cur.hist[this.cur.hist.length - 1];
      if (h) h.flags |= HIST_CB_EXIT;
      // back to the call itself, with the caller's registers as they were at
      // the call: it queues the next iteration or prunes against an earlier one
      this.insnIdx = f.callsite;
    } else {
      caller.regs[0] = copyReg(r0);
      this.insnIdx = f.callsite + 1;
    }
    if (this.log.level >= 1) this.log.write(`returning from callee:\n${this.frameStr(true, f)}\nto caller at ${this.insnIdx}:\n${this.frameStr(true, caller)}\n`);
    // widen_imprecise_scalars against the previous visit of the call on this path, so the iterations converge
    if (f.inCallbackFn) {
      const prev = this.findPrevEntry(f.callsite, true);
      if (prev) widenImpreciseScalars(prev.state, this.cur);
    }
    this.doPrintState = true;
  }

  private checkRetRange(r0: RegState, [lo, hi]: [bigint, bigint], ctx: string): void {
    this.markRegsPrecise(0);
    if (r0.smin >= lo && r0.smax <= hi) return;
    // verbose_invalid_scalar: only the signed bounds that are known
    let s = `${ctx} the register R0 has`;
    if (r0.smin > S64_MIN) s += ` smin=${r0.smin}`;
    if (r0.smax < (1n << 63n) - 1n) s += ` smax=${r0.smax}`;
    if (r0.smin === S64_MIN && r0.smax === (1n << 63n) - 1n) s += ' unknown scalar value';
    fail(`${s} should have been in [${lo}, ${hi}]`, EINVAL);
  }
}

const EBADF_ = 9;

/** backtracking state (struct backtrack_state): registers and stack slots (by spi) still needing precision, per frame */
interface Masks { regs: number[]; slots: bigint[] }
function newMasks(): Masks {
  return { regs: new Array(MAX_CALL_FRAMES + 1).fill(0), slots: new Array(MAX_CALL_FRAMES + 1).fill(0n) };
}
/** id flags of a scalar linked to others with a constant delta in `off`: BPF_ADD_CONST64/32 (either: BPF_ADD_CONST) */
const ADD_CONST64 = 1 << 30;
const ADD_CONST32 = 1 << 29;
const ADD_CONST = ADD_CONST64 | ADD_CONST32;
/** entries of one conditional jump's linked-register set (struct linked_regs) */
const LINKED_REGS_MAX = 6;

/** atomic_ptr_type_ok: not through ctx, packet or socket pointers (flow keys and arenas do not exist here) */
function atomicPtrTypeOk(t: RegType): boolean {
  return t !== RegType.PTR_TO_CTX && t !== RegType.PTR_TO_PACKET && t !== RegType.PTR_TO_PACKET_META && !isSkPointer(t);
}

function hex(n: number): string { return n.toString(16).padStart(2, '0'); }

/** A scalar loaded from memory: narrower loads are zero-extended (coerce_reg_to_size). */
function loadedScalar(size: number): RegState {
  return size >= 8 ? scalarUnknown() : scalarUnknownBits(size * 8);
}

export function scalarUnknownBits(bits: number): RegState {
  const r = scalarUnknown();
  if (bits >= 64) return r;
  r.varOff = { value: 0n, mask: (1n << BigInt(bits)) - 1n };
  syncBounds(r);
  return r;
}

/** coerce_reg_to_size after a narrow fill: the low `bytes` of a scalar, zero-extended. */
function truncScalar(s: RegState, bytes: number): RegState {
  if (bytes >= 8) return copyReg(s);
  const bits = BigInt(bytes * 8);
  if (tnumIsConst(s.varOff)) return scalarConst(s.varOff.value & ((1n << bits) - 1n));
  if (s.umax < (1n << bits)) return copyReg(s);
  return scalarUnknownBits(bytes * 8);
}

/** var_off and every bound unknown (the bounds part of __mark_reg_unknown) */
function markUnknownBounds(r: RegState): void {
  r.varOff = tnumUnknownConst;
  markUnbounded(r);
}

function zext32(s: RegState): RegState {
  const r = scalarUnknown();
  r.varOff = { value: s.varOff.value & U32_MAX, mask: s.varOff.mask & U32_MAX };
  r.u32min = s.u32min; r.u32max = s.u32max; r.s32min = s.s32min; r.s32max = s.s32max;
  r.umin = s.u32min; r.umax = s.u32max;
  syncBounds(r);
  return r;
}

/** Sign-extends the low `bytes` of a scalar (ldsx, movsx). */
function signExtendScalar(s: RegState, bytes: number): RegState {
  const bits = BigInt(bytes * 8);
  if (tnumIsConst(s.varOff)) return scalarConst(BigInt.asIntN(Number(bits), s.varOff.value));
  const r = scalarUnknown();
  const lim = 1n << (bits - 1n);
  // values that fit the signed range unchanged stay bounded
  if (s.umax < lim) { r.umin = s.umin; r.umax = s.umax; r.smin = s.umin; r.smax = s.umax; }
  else { r.smin = -lim; r.smax = lim - 1n; }
  syncBounds(r);
  return r;
}

function endianOp(r: RegState, x: Insn, is64: boolean): void {
  const width = x.imm;
  const swap = is64 || BPF_SRC(x.code) === BPF_TO_BE; // bswap (ALU64) or to_be on little-endian
  if (tnumIsConst(r.varOff)) {
    let v = r.varOff.value & ((1n << BigInt(width)) - 1n);
    if (swap) {
      let out = 0n;
      for (let b = 0; b < width / 8; b++) { out = (out << 8n) | (v & 0xffn); v >>= 8n; }
      v = out;
    }
    setKnown(r, v);
    return;
  }
  const nr = scalarUnknownBits(width);
  Object.assign(r, nr);
}

export { tnumConst };
