// BTF and BTF.ext: parsing, layout queries, special fields, value formatting.
export * from './types.js';
export { Btf, BtfError, parseBtf, MAX_RESOLVE_DEPTH, type BtfHeader } from './btf.js';
export * from './ext.js';
export * from './fields.js';
export * from './format.js';
