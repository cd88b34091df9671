// check_sock_access: loads through socket pointers (bpf_sock_is_valid_access,
// bpf_sock_common_is_valid_access, bpf_tcp_sock_is_valid_access of
// net/core/filter.c). Offsets are into the UAPI struct bpf_sock / bpf_tcp_sock.
import { EACCES } from '../uapi/errno.js';
import { CheckError } from './cfg.js';
import { type RegState, RegType } from './reg_state.js';

const fail = (msg: string, errno: number): never => { throw new CheckError(msg, errno); };

/** struct bpf_sock (uapi/linux/bpf.h) */
const SK = {
  bound_dev_if: 0, family: 4, type: 8, protocol: 12, mark: 16, priority: 20, src_ip4: 24, src_ip6: 28,
  src_port: 44, dst_port: 48, dst_ip4: 52, dst_ip6: 56, state: 72, rx_queue_mapping: 76, size: 80,
} as const;
/** struct bpf_tcp_sock: u32 fields but bytes_received (80) and bytes_acked (88) */
const TCP_SOCK_END = 112; // offsetofend(struct bpf_tcp_sock, icsk_retransmits)

/** bpf_ctx_narrow_access_ok */
const narrowOk = (size: number, sizeDefault: number): boolean => size <= sizeDefault && (size & (size - 1)) === 0;
const inRange = (off: number, start: number, size: number): boolean => off >= start && off < start + size;

/** bpf_sock_is_valid_access (reads only: writes were refused before) */
export function sockIsValidAccess(off: number, size: number): boolean {
  if (off < 0 || off >= SK.size) return false;
  if (off % size !== 0) return false;
  if (off === SK.state || off === SK.family || off === SK.type || off === SK.protocol || off === SK.src_port
    || off === SK.rx_queue_mapping || inRange(off, SK.src_ip4, 4) || inRange(off, SK.src_ip6, 16)
    || inRange(off, SK.dst_ip4, 4) || inRange(off, SK.dst_ip6, 16)) {
    return narrowOk(size, 4);
  }
  // __be16 dst_port, then 16 bits of padding that only a full u32 load covers
  if (inRange(off, SK.dst_port, 2)) return narrowOk(size, size === 4 ? 4 : 2);
  return size === 4;
}

/** bpf_sock_common_is_valid_access: type through priority are not in sock_common */
export function sockCommonIsValidAccess(off: number, size: number): boolean {
  if (off >= SK.type && off < SK.priority + 4) return false;
  return sockIsValidAccess(off, size);
}

/** bpf_tcp_sock_is_valid_access */
export function tcpSockIsValidAccess(off: number, size: number): boolean {
  if (off < 0 || off >= TCP_SOCK_END) return false;
  if (off % size !== 0) return false;
  if (off === 80 || off === 88) return size === 8;
  return size === 4;
}

/** check_sock_access: off already includes the register's fixed offset */
export function checkSockAccess(regno: number, reg: RegState, off: number, size: number): void {
  if (reg.smin < 0n) fail(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`, EACCES);
  let valid = false;
  switch (reg.type) {
    case RegType.PTR_TO_SOCK_COMMON: valid = sockCommonIsValidAccess(off, size); break;
    case RegType.PTR_TO_SOCKET: valid = sockIsValidAccess(off, size); break;
    case RegType.PTR_TO_TCP_SOCK: valid = tcpSockIsValidAccess(off, size); break;
    // bpf_xdp_sock_is_valid_access: struct bpf_xdp_sock has a single u32, queue_id
    default: valid = off === 0 && size === 4;
  }
  if (!valid) fail(`R${regno} invalid ${reg.type} access off=${off} size=${size}`, EACCES);
}
