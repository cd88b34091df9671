export { verify } from './verifier.js';
export { VerifierError } from './env.js';
export type { MapMeta, FuncInfo, LineInfo, VerifierInput, VerifierResult, VerifierStats, SubprogInfo } from './env.js';
export { BPF_COMPLEXITY_LIMIT_INSNS } from './check.js';
