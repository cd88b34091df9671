// The networking part of the uapi tsbpf implements (include/uapi/linux/bpf.h,
// Linux 6.18): helper ids, their flags and return codes.

// enum bpf_func_id
export const BPF_FUNC_skb_store_bytes = 9;
export const BPF_FUNC_l3_csum_replace = 10;
export const BPF_FUNC_l4_csum_replace = 11;
export const BPF_FUNC_clone_redirect = 13;
export const BPF_FUNC_get_cgroup_classid = 17;
export const BPF_FUNC_skb_vlan_push = 18;
export const BPF_FUNC_skb_vlan_pop = 19;
export const BPF_FUNC_redirect = 23;
export const BPF_FUNC_get_route_realm = 24;
export const BPF_FUNC_skb_get_tunnel_key = 20;
export const BPF_FUNC_skb_set_tunnel_key = 21;
export const BPF_FUNC_skb_load_bytes = 26;
export const BPF_FUNC_skb_get_tunnel_opt = 29;
export const BPF_FUNC_skb_set_tunnel_opt = 30;
export const BPF_FUNC_csum_diff = 28;
export const BPF_FUNC_skb_change_proto = 31;
export const BPF_FUNC_skb_change_type = 32;
export const BPF_FUNC_get_hash_recalc = 34;
export const BPF_FUNC_skb_change_tail = 38;
export const BPF_FUNC_skb_pull_data = 39;
export const BPF_FUNC_csum_update = 40;
export const BPF_FUNC_set_hash_invalid = 41;
export const BPF_FUNC_skb_change_head = 43;
export const BPF_FUNC_set_hash = 48;
export const BPF_FUNC_skb_adjust_room = 50;
export const BPF_FUNC_redirect_map = 51;
export const BPF_FUNC_xdp_adjust_meta = 54;
export const BPF_FUNC_get_socket_cookie = 46;
export const BPF_FUNC_get_netns_cookie = 122;
export const BPF_FUNC_get_socket_uid = 47;
export const BPF_FUNC_skb_load_bytes_relative = 68;
export const BPF_FUNC_skb_cgroup_id = 79;
export const BPF_FUNC_skb_ancestor_cgroup_id = 83;
export const BPF_FUNC_skb_ecn_set_ce = 97;
export const BPF_FUNC_fib_lookup = 69;
export const BPF_FUNC_csum_level = 135;
export const BPF_FUNC_redirect_neigh = 152;
export const BPF_FUNC_redirect_peer = 155;
export const BPF_FUNC_check_mtu = 163;

// BPF_FUNC_skb_store_bytes flags
export const BPF_F_RECOMPUTE_CSUM = 1 << 0;
export const BPF_F_INVALIDATE_HASH = 1 << 1;
// BPF_FUNC_l3/l4_csum_replace flags
export const BPF_F_HDR_FIELD_MASK = 0xf;
export const BPF_F_PSEUDO_HDR = 1 << 4;
export const BPF_F_MARK_MANGLED_0 = 1 << 5;
export const BPF_F_MARK_ENFORCE = 1 << 6;
export const BPF_F_IPV6 = 1 << 7;
// BPF_FUNC_clone_redirect / redirect flags
export const BPF_F_INGRESS = 1 << 0;
// bpf_redirect_map flags
export const BPF_F_BROADCAST = 1 << 3;
export const BPF_F_EXCLUDE_INGRESS = 1 << 4;
// BPF_FUNC_skb_load_bytes_relative
export const BPF_HDR_START_MAC = 0;
export const BPF_HDR_START_NET = 1;
// BPF_FUNC_csum_level
export const BPF_CSUM_LEVEL_QUERY = 0;
export const BPF_CSUM_LEVEL_INC = 1;
export const BPF_CSUM_LEVEL_DEC = 2;
export const BPF_CSUM_LEVEL_RESET = 3;
// BPF_FUNC_skb_adjust_room
export const BPF_ADJ_ROOM_NET = 0;
export const BPF_ADJ_ROOM_MAC = 1;
export const BPF_F_ADJ_ROOM_FIXED_GSO = 1 << 0;
export const BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 = 1 << 1;
export const BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 = 1 << 2;
export const BPF_F_ADJ_ROOM_ENCAP_L4_GRE = 1 << 3;
export const BPF_F_ADJ_ROOM_ENCAP_L4_UDP = 1 << 4;
export const BPF_F_ADJ_ROOM_NO_CSUM_RESET = 1 << 5;
export const BPF_F_ADJ_ROOM_ENCAP_L2_ETH = 1 << 6;
export const BPF_F_ADJ_ROOM_DECAP_L3_IPV4 = 1 << 7;
export const BPF_F_ADJ_ROOM_DECAP_L3_IPV6 = 1 << 8;
/** BPF_F_ADJ_ROOM_ENCAP_L2(len): the inner L2 header length in bits 56..63 */
export const BPF_ADJ_ROOM_ENCAP_L2_SHIFT = 56;
// BPF_FUNC_fib_lookup flags and return codes
export const BPF_FIB_LOOKUP_DIRECT = 1 << 0;
export const BPF_FIB_LOOKUP_OUTPUT = 1 << 1;
export const BPF_FIB_LOOKUP_SKIP_NEIGH = 1 << 2;
export const BPF_FIB_LOOKUP_TBID = 1 << 3;
export const BPF_FIB_LOOKUP_SRC = 1 << 4;
export const BPF_FIB_LOOKUP_MARK = 1 << 5;
export const BPF_FIB_LKUP_RET_SUCCESS = 0;
export const BPF_FIB_LKUP_RET_BLACKHOLE = 1;
export const BPF_FIB_LKUP_RET_UNREACHABLE = 2;
export const BPF_FIB_LKUP_RET_PROHIBIT = 3;
export const BPF_FIB_LKUP_RET_NOT_FWDED = 4;
export const BPF_FIB_LKUP_RET_FWD_DISABLED = 5;
export const BPF_FIB_LKUP_RET_UNSUPP_LWT = 6;
export const BPF_FIB_LKUP_RET_NO_NEIGH = 7;
export const BPF_FIB_LKUP_RET_FRAG_NEEDED = 8;
export const BPF_FIB_LKUP_RET_NO_SRC_ADDR = 9;
// BPF_FUNC_check_mtu
export const BPF_MTU_CHK_SEGS = 1 << 0;
export const BPF_MTU_CHK_RET_SUCCESS = 0;
export const BPF_MTU_CHK_RET_FRAG_NEEDED = 1;
export const BPF_MTU_CHK_RET_SEGS_TOOBIG = 2;

// tc and XDP verdicts
export const TC_ACT_OK = 0;
export const TC_ACT_SHOT = 2;
export const TC_ACT_REDIRECT = 7;
export const XDP_ABORTED = 0;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const XDP_TX = 3;
export const XDP_REDIRECT = 4;

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
export const AF_INET = 2;
export const AF_INET6 = 10;
