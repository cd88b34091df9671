// BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match over
// keys { u32 prefixlen; u8 data[] } with data big-endian (data[0] is the
// most significant byte). A binary trie of real nodes and intermediate (IM)
// nodes that only split two subtrees; the shape, and so the get_next_key
// order (post-order: more specific prefixes first), follows the kernel's
// insert and delete exactly. BPF_F_NO_PREALLOC is mandatory.

import { EEXIST, EINVAL, ENOENT, ENOSPC } from '../uapi/errno.js';
import { BPF_F_NO_PREALLOC, BPF_F_NUMA_NODE, BPF_F_ACCESS_MASK, BPF_MAP_TYPE_LPM_TRIE, BPF_NOEXIST, BPF_EXIST } from '../uapi/bpf.js';
import { BpfMap, MapEnv, MapError, MapSpec, mapFlagsAccessOk, registerMapType } from './map.js';
import { progValueAccess } from './arraymap.js';

const LPM_DATA_SIZE_MAX = 256;
const LPM_DATA_SIZE_MIN = 1;
const LPM_KEY_HDR = 4; // offsetof(struct bpf_lpm_trie_key_u8, data)
const KMALLOC_MAX_SIZE = 4 << 20;
/** sizeof(struct lpm_trie_node): rcu_head, two child pointers, prefixlen, flags */
const LPM_NODE_SIZE = 32;
const LPM_VAL_SIZE_MAX = KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - LPM_NODE_SIZE;
const LPM_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK;

/** trie_alloc's attribute checks */
function trieAllocCheck(spec: MapSpec): number {
  if (spec.maxEntries === 0 || !(spec.flags & BPF_F_NO_PREALLOC) || spec.flags & ~LPM_CREATE_FLAG_MASK ||
      !mapFlagsAccessOk(spec.flags) ||
      spec.keySize < LPM_KEY_HDR + LPM_DATA_SIZE_MIN || spec.keySize > LPM_KEY_HDR + LPM_DATA_SIZE_MAX ||
      spec.valueSize < 1 || spec.valueSize > LPM_VAL_SIZE_MAX) {
    return -EINVAL;
  }
  return 0;
}

interface LpmNode {
  child: [LpmNode | null, LpmNode | null];
  prefixlen: number;
  /** an intermediate node: no value, never returned */
  im: boolean;
  data: Uint8Array;
  /** arena address of the value (0 for intermediate nodes) */
  value: number;
}

/** bit `index` of big-endian data (extract_bit) */
const extractBit = (data: Uint8Array, index: number): 0 | 1 => ((data[index >> 3]! >> (7 - (index & 7))) & 1) as 0 | 1;

/** A parsed key: prefix length (host-endian u32) and data bytes. */
interface LpmKey {
  prefixlen: number;
  data: Uint8Array;
}

export class LpmTrieMap extends BpfMap {
  readonly dataSize: number;
  readonly maxPrefixlen: number;
  private root: LpmNode | null = null;
  private nEntries = 0;
  private bytes = 0;

  constructor(env: MapEnv, spec: MapSpec) {
    super(env, spec);
    this.dataSize = spec.keySize - LPM_KEY_HDR;
    this.maxPrefixlen = this.dataSize * 8;
  }

  get elemCount(): number {
    return this.nEntries;
  }

  protected storageBytes(): number {
    return this.bytes;
  }

  private parseKey(key: Uint8Array): LpmKey {
    const prefixlen = (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
    return { prefixlen, data: key.subarray(LPM_KEY_HDR, LPM_KEY_HDR + this.dataSize) };
  }

  /** longest_prefix_match: the number of leading bits node and key share, at most min(prefixlens) */
  private longestPrefixMatch(node: LpmNode, key: LpmKey): number {
    const limit = Math.min(node.prefixlen, key.prefixlen);
    let n = 0;
    for (let i = 0; i < this.dataSize && n < limit; i++) {
      const diff = node.data[i]! ^ key.data[i]!;
      if (diff === 0) { n += 8; continue; }
      n += Math.clz32(diff) - 24;
      break;
    }
    return Math.min(n, limit);
  }

  private allocNode(key: LpmKey, value: Uint8Array | undefined): LpmNode | number {
    let v = 0;
    if (value) {
      v = this.tryAlloc(this.valueSize, progValueAccess(this.flags));
      if (v < 0) return v;
      this.arena.u8.set(value.subarray(0, this.valueSize), v);
      this.bytes += this.valueSize;
    }
    this.bytes += LPM_NODE_SIZE + this.dataSize;
    return { child: [null, null], prefixlen: key.prefixlen, im: !value, data: Uint8Array.from(key.data), value: v };
  }

  /** kfree_rcu: a program may still hold the value pointer, so the memory is reused only after the grace period */
  private freeNode(n: LpmNode): void {
    if (n.value) this.freeValue(n.value);
    this.bytes -= LPM_NODE_SIZE + this.dataSize;
  }

  private freeValue(v: number): void {
    this.bytes -= this.valueSize;
    this.env.callRcu(() => this.arena.free(v));
  }

  // ---- the kernel's ops on parsed keys ----

  /** trie_lookup_elem: the value address of the longest matching prefix, or 0 */
  private lookupNode(key: LpmKey): LpmNode | undefined {
    if (key.prefixlen > this.maxPrefixlen) return undefined;
    let found: LpmNode | undefined;
    for (let node = this.root; node;) {
      const matchlen = this.longestPrefixMatch(node, key);
      if (matchlen === this.maxPrefixlen) { found = node; break; }
      if (matchlen < node.prefixlen) break;
      if (!node.im) found = node;
      node = node.child[extractBit(key.data, node.prefixlen)];
    }
    return found;
  }

  /** trie_check_add_elem */
  private checkAdd(flags: number): number {
    if (flags === BPF_EXIST) return -ENOENT;
    if (this.nEntries === this.maxEntries) return -ENOSPC;
    this.nEntries++;
    return 0;
  }

  /** trie_update_elem */
  private trieUpdate(key: LpmKey, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -EINVAL;
    if (key.prefixlen > this.maxPrefixlen) return -EINVAL;
    const nn = this.allocNode(key, value);
    if (typeof nn === 'number') return nn;
    // walk to the slot: `set` writes it, `node` is what is there
    let set = (n: LpmNode | null): void => { this.root = n; };
    let node = this.root;
    let matchlen = 0;
    while (node) {
      matchlen = this.longestPrefixMatch(node, key);
      if (node.prefixlen !== matchlen || node.prefixlen === key.prefixlen) break;
      const parent: LpmNode = node;
      const bit = extractBit(key.data, node.prefixlen);
      set = (n) => { parent.child[bit] = n; };
      node = node.child[bit];
    }
    const fail = (err: number): number => {
      this.freeNode(nn);
      return err;
    };
    if (!node) {
      const err = this.checkAdd(flags);
      if (err) return fail(err);
      set(nn);
      return 0;
    }
    if (node.prefixlen === matchlen) {
      // the same prefix: replace the node (a real one needs !NOEXIST, an intermediate one becomes real)
      if (!node.im) {
        if (flags === BPF_NOEXIST) return fail(-EEXIST);
      } else {
        const err = this.checkAdd(flags);
        if (err) return fail(err);
      }
      nn.child = node.child;
      set(nn);
      this.freeNode(node);
      return 0;
    }
    const err = this.checkAdd(flags);
    if (err) return fail(err);
    if (matchlen === key.prefixlen) {
      // the new prefix covers the node: insert it above
      nn.child[extractBit(node.data, matchlen)] = node;
      set(nn);
      return 0;
    }
    const im = this.allocNode({ prefixlen: matchlen, data: node.data }, undefined) as LpmNode;
    if (extractBit(key.data, matchlen)) im.child = [node, nn];
    else im.child = [nn, node];
    set(im);
    return 0;
  }

  /** trie_delete_elem */
  private trieDelete(key: LpmKey): number {
    if (key.prefixlen > this.maxPrefixlen) return -EINVAL;
    let setTrim = (n: LpmNode | null): void => { this.root = n; };
    let setTrim2 = setTrim;
    let parent: LpmNode | null = null;
    let node = this.root;
    let matchlen = 0;
    while (node) {
      matchlen = this.longestPrefixMatch(node, key);
      if (node.prefixlen !== matchlen || node.prefixlen === key.prefixlen) break;
      parent = node;
      setTrim2 = setTrim;
      const p: LpmNode = node;
      const bit = extractBit(key.data, node.prefixlen);
      setTrim = (n) => { p.child[bit] = n; };
      node = node.child[bit];
    }
    if (!node || node.prefixlen !== key.prefixlen || node.prefixlen !== matchlen || node.im) return -ENOENT;
    this.nEntries--;
    if (node.child[0] && node.child[1]) {
      // two children: keep the node as an intermediate one
      node.im = true;
      this.freeValue(node.value);
      node.value = 0;
      return 0;
    }
    if (parent && parent.im && !node.child[0] && !node.child[1]) {
      // a leaf under an intermediate node: the sibling takes the parent's place
      setTrim2(node === parent.child[0] ? parent.child[1] : parent.child[0]);
      this.freeNode(parent);
      this.freeNode(node);
      return 0;
    }
    setTrim(node.child[0] ?? node.child[1] ?? null);
    this.freeNode(node);
    return 0;
  }

  /** trie_get_next_key: post-order; an absent or unknown key starts from the leftmost node */
  private nextKey(key: LpmKey | undefined): LpmNode | number {
    let searchRoot = this.root;
    if (!searchRoot) return -ENOENT;
    const leftmost = (from: LpmNode): LpmNode => {
      let next = from;
      for (let node: LpmNode | null = from; node;) {
        if (node.im) {
          node = node.child[0];
        } else {
          next = node;
          node = node.child[0] ?? next.child[1];
        }
      }
      return next;
    };
    if (!key || key.prefixlen > this.maxPrefixlen) return leftmost(searchRoot);
    const stack: LpmNode[] = [];
    let node: LpmNode | null = searchRoot;
    let matchlen = 0;
    while (node) {
      stack.push(node);
      matchlen = this.longestPrefixMatch(node, key);
      if (node.prefixlen !== matchlen || node.prefixlen === key.prefixlen) break;
      node = node.child[extractBit(key.data, node.prefixlen)];
    }
    if (!node || node.prefixlen !== matchlen || node.im) return leftmost(searchRoot);
    let sp = stack.length - 1;
    node = stack[sp]!;
    while (sp > 0) {
      const parent = stack[sp - 1]!;
      if (parent.child[0] === node) {
        searchRoot = parent.child[1];
        if (searchRoot) return leftmost(searchRoot);
      }
      if (!parent.im) return parent;
      node = parent;
      sp--;
    }
    return -ENOENT;
  }

  private keyBytes(n: LpmNode): Uint8Array {
    const k = new Uint8Array(this.keySize);
    new DataView(k.buffer).setUint32(0, n.prefixlen, true);
    k.set(n.data, LPM_KEY_HDR);
    return k;
  }

  // ---- program side ----

  override lookupElem(keyPtr: number): number {
    return this.lookupNode(this.parseKey(this.readArena(keyPtr, this.keySize)))?.value ?? 0;
  }

  override updateElem(keyPtr: number, valuePtr: number, flags: number): number {
    return this.trieUpdate(this.parseKey(this.readArena(keyPtr, this.keySize)), this.readArena(valuePtr, this.valueSize), flags);
  }

  override deleteElem(keyPtr: number): number {
    return this.trieDelete(this.parseKey(this.readArena(keyPtr, this.keySize)));
  }

  // ---- user side ----

  protected override sysLookup(key: Uint8Array): Uint8Array {
    const n = this.lookupNode(this.parseKey(key));
    if (!n) throw new MapError(`no prefix of the key in ${this.describe()}`, -ENOENT);
    return this.arena.u8.slice(n.value, n.value + this.valueSize);
  }

  protected override sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.trieUpdate(this.parseKey(key), value, flags);
  }

  protected override sysDelete(key: Uint8Array): number {
    return this.trieDelete(this.parseKey(key));
  }

  protected override sysGetNextKey(key: Uint8Array | undefined): Uint8Array | number {
    const n = this.nextKey(key === undefined ? undefined : this.parseKey(key));
    return typeof n === 'number' ? n : this.keyBytes(n);
  }

  protected freeElems(): void {
    const walk = (n: LpmNode | null): void => {
      if (!n) return;
      walk(n.child[0]);
      walk(n.child[1]);
      this.freeNode(n);
    };
    walk(this.root);
    this.root = null;
    this.nEntries = 0;
  }
}

registerMapType(BPF_MAP_TYPE_LPM_TRIE, {
  allocCheck: (spec: MapSpec) => trieAllocCheck(spec),
  alloc: (env: MapEnv, spec: MapSpec) => new LpmTrieMap(env, spec),
});
