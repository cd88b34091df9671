// What the verifier is given and what it returns.
import type { Insn } from '../isa/insn.js';
import type { HelperProto } from '../helpers/proto.js';
import type { KfuncProto } from '../kfuncs/proto.js';

/** What the verifier needs to know about a map (struct bpf_map's verifier view). */
export interface MapMeta {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** offset of the struct bpf_timer field in the value, -1 if none */
  timerOff: number;
  /** offset of the struct bpf_spin_lock field in the value, -1 if none */
  spinLockOff: number;
  /** inner map template of a map-in-map */
  inner?: MapMeta;
  name: string;
  /**
   * the value of a read-only (BPF_F_RDONLY_PROG) array map libbpf freezes
   * before the load (.rodata): what ARG_PTR_TO_CONST_STR arguments point into
   */
  rdonlyValue?: Uint8Array;
  /** the map has BTF for key/value (required for timers and spin locks) */
  hasBtf?: boolean;
  /** the value of a frozen array map (BPF_MAP_FREEZE): with BPF_F_RDONLY_PROG, loads from it are constants */
  frozenValue?: Uint8Array;
}

/** BTF func_info: one record per subprogram start. */
export interface FuncInfo {
  insnOff: number;
  name: string;
  /** BTF_FUNC_STATIC (0), BTF_FUNC_GLOBAL (1) */
  linkage: 'static' | 'global';
}

/** BTF line_info: C source for instructions starting at insnOff. */
export interface LineInfo {
  insnOff: number;
  line: string;
  fileName?: string;
  lineNum?: number;
}

export interface VerifierInput {
  /** relocated instruction slots (see the design note in verifier.ts for pseudo forms) */
  insns: readonly Insn[];
  /** enum bpf_prog_type */
  progType: number;
  /** enum bpf_attach_type (BPF_PROG_LOAD's expected_attach_type) */
  expectedAttachType?: number;
  /** the BTF attach target named after the section's '/' (an iterator's target: "task", "bpf_map") */
  attachTo?: string;
  gpl: boolean;
  /** the loader has CAP_BPF (default true); without it bpf_base_func_proto withholds the timer, spin lock, ... helpers */
  capBpf?: boolean;
  /** BPF_F_SLEEPABLE (SEC("syscall"), "*.s" sections): only some map types may be used */
  sleepable?: boolean;
  maps: readonly MapMeta[];
  funcInfo?: readonly FuncInfo[];
  lineInfo?: readonly LineInfo[];
  /** kfunc lookup by the call's BTF id (imm of a BPF_PSEUDO_KFUNC_CALL); defaults to tsbpf's kfunc table ids */
  kfunc?: (btfId: number) => KfuncProto | undefined;
  /** helper prototype lookup; defaults to src/helpers/protos.ts (with its per-program-type availability) */
  helperProto?: (id: number) => HelperProto | undefined;
  /**
   * the kernel BTF (tsbpf's built-in one or the user's vmlinux): BPF_PSEUDO_BTF_ID
   * ld_imm64s (typed .ksyms) name its VARs, PTR_TO_BTF_ID loads walk its structs
   */
  targetBtf?: import('../btf/btf.js').Btf;
  /** BTF-attached programs (fentry, tp_btf, lsm, ...): the target whose prototype types the context */
  attachTarget?: import('./btf_ctx.js').AttachTarget;
  /** kallsyms_lookup_name: whether a kernel variable has an address (the runtime owns one) */
  ksymAddress?: (name: string) => boolean;
  /** 0: errors only; 1: the failing path; 2: every instruction with state */
  logLevel?: 0 | 1 | 2;
  /** processed-instruction limit (BPF_COMPLEXITY_LIMIT_INSNS) */
  insnLimit?: number;
}

export interface VerifierStats {
  processedInsns: number;
  maxStatesPerInsn: number;
  totalStates: number;
  peakStates: number;
  markRead: number;
}

export interface SubprogInfo {
  start: number;
  /** one past the last slot */
  end: number;
  stackDepth: number;
  isAsyncCb: boolean;
  isCb: boolean;
  linkage: 'static' | 'global';
}

export interface VerifierResult {
  log: string;
  stats: VerifierStats;
  subprogs: SubprogInfo[];
  /**
   * bpf_loop call sites (instruction indexes) the kernel inlines
   * (optimize_bpf_loop): flags the constant 0 and the same callback at every visit
   */
  inlinedLoops: number[];
  /** a pointer value may reach the caller (returned, or stored in a map): allowed to a privileged loader */
  leaksPointers?: boolean;
  /** uninitialized stack bytes may be read (privileged): results may depend on them */
  readsUninitStack?: boolean;
  /** helper ids called on some verified path (the loader refuses those the runtime does not implement) */
  helpers: number[];
  /** prog->aux->max_ctx_offset: one past the highest context byte a load or store touches */
  maxCtxOffset: number;
  /**
   * per instruction (tsbpf's own, for the JIT): AUX_DIRECT (1) where a load or store always
   * went through a stable pointer proven in bounds (insn_aux.ts saveAuxDirect), else 0 or AUX_CHECKED (2)
   */
  directAccess: Uint8Array;
  /** loads through kernel (PTR_TO_BTF_ID) pointers, which the kernel rewrites to BPF_PROBE_MEM (a faulting read gives 0) */
  probeMem?: number[];
}

/** A refusal as verifyOrReject returns it (the fields of the VerifierError verify() throws). */
export interface VerifierRejection {
  rejected: true;
  message: string;
  errno: number;
  log: string;
  insnIndex: number | undefined;
}

/** A rejected program: message is the log's last error line; errno as the kernel returns it. */
export class VerifierError extends Error {
  constructor(
    message: string,
    readonly errno: number,
    readonly log: string,
    readonly insnIndex: number | undefined,
  ) {
    super(message);
    this.name = 'VerifierError';
  }
}
