// Typed map access and typed keys/values: BTF-driven encode/decode on top of
// MapHandle's raw-bytes API (rules in src/btf/codec.ts and README "Typed
// data"). Timer fields decode to their state, read from the runtime's timer
// table without touching the map (a lookup would mark LRU elements).

import { decodeValue, encodeValue, type TypedValue } from '../btf/codec.js';
import { MapError } from '../maps/map.js';
import { EINVAL } from '../uapi/errno.js';
import type { MapObject } from './map.js';

/** What a `struct bpf_timer` field decodes to. */
export interface TimerMarker {
  bpf_timer: 'uninit' | 'idle' | 'armed' | 'running';
  /** armed: absolute expiry on the timer's clock (ns) */
  expires?: bigint;
}

/** The runtime's view of one timer field (MapOwner.timerAt). */
export interface TimerFieldState {
  state: TimerMarker['bpf_timer'];
  expires?: bigint;
}

export type KeyInput = Uint8Array | number | bigint | TypedValue;

function needBtf(o: MapObject, which: 'key' | 'value'): { btf: NonNullable<MapObject['btf']>; id: number } {
  const id = which === 'key' ? o.keyTypeId : o.valueTypeId;
  if (!o.btf || id === 0) {
    throw new MapError(`map '${o.name}' has no BTF ${which} type: use the raw-bytes API (lookup/update with Uint8Array)`, -EINVAL);
  }
  return { btf: o.btf, id };
}

/** A key as bytes: raw bytes and numbers as they are, anything else encoded by the key's BTF type. */
export function keyBytes(o: MapObject, key: KeyInput, raw: (k: Uint8Array | number | bigint) => Uint8Array): Uint8Array {
  if (key instanceof Uint8Array || typeof key === 'number' || typeof key === 'bigint') return raw(key);
  const { btf, id } = needBtf(o, 'key');
  return encodeValue(btf, id, key);
}

/** A value (user-space bytes, special fields zero) decoded by BTF; timer fields as their state. */
export function decodeMapValue(o: MapObject, key: Uint8Array, bytes: Uint8Array, timerAt?: (o: MapObject, key: Uint8Array, fieldOff: number) => TimerFieldState): TypedValue {
  const { btf, id } = needBtf(o, 'value');
  // per-CPU maps return one value per CPU, each rounded up to 8 bytes
  const size = btf.sizeof(id);
  const one = (off: number): TypedValue => decodeValue(btf, id, bytes, off, {
    special: (name, at) => {
      if (name !== 'bpf_timer') return { [name]: true };
      const st = timerAt ? timerAt(o, key, at - off) : { state: 'uninit' as const };
      const m: TimerMarker = { bpf_timer: st.state };
      if (st.expires !== undefined) m.expires = st.expires;
      return m;
    },
  });
  if (bytes.length === size) return one(0);
  const stride = (size + 7) & ~7;
  const out: TypedValue[] = [];
  for (let off = 0; off + size <= bytes.length; off += stride) out.push(one(off));
  return out;
}

export function encodeMapValue(o: MapObject, value: TypedValue, userSize: number): Uint8Array {
  const { btf, id } = needBtf(o, 'value');
  const size = btf.sizeof(id);
  if (userSize === size) return encodeValue(btf, id, value);
  // per-CPU: an array of one value per CPU, or one value for every CPU
  const stride = (size + 7) & ~7;
  const out = new Uint8Array(userSize);
  const n = userSize / stride;
  const vals = Array.isArray(value) && value.length === n && btf.resolve(id).kind !== 3 ? value : Array.from({ length: n }, () => value);
  vals.forEach((v, i) => encodeValue(btf, id, v, out, i * stride));
  return out;
}

export function decodeMapKey(o: MapObject, key: Uint8Array): TypedValue {
  if (!o.btf || o.keyTypeId === 0) return key;
  return decodeValue(o.btf, o.keyTypeId, key);
}
