export { verify, verifyOrReject } from './verifier.js';
export { VerifierError } from './env.js';
export type { MapMeta, FuncInfo, LineInfo, VerifierInput, VerifierRejection, VerifierResult, VerifierStats, SubprogInfo } from './env.js';
export { BPF_COMPLEXITY_LIMIT_INSNS } from './check.js';
