#!/usr/bin/env python3
"""Generates src/helpers/protos_{base,net,trace}.ts and src/helpers/availability.ts.

Prototypes (struct bpf_func_proto) are read from a kernel source tree: every
`const struct bpf_func_proto X = {...}` and every `*_func_proto()` switch that
picks a variant for a program type. Which program type may call which helper
is not read from the sources but from the running kernel (6.18), recorded by
test/verifier/tools/helper_sweep.c into test/verifier/helpers/sweep.kernel.json.

  python3 scripts/gen_helper_table.py KERNEL_SRC_DIR
"""
import json, os, re, sys

root = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
names = [l.split("'")[1] for l in open(os.path.join(repo, 'src/isa/funcids.ts')) if re.match(r"\s*'bpf_", l)]
ids = {n[4:]: i for i, n in enumerate(names)}
src = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.c'):
            src[os.path.relpath(os.path.join(d, f), root)] = open(os.path.join(d, f), errors='replace').read()

protos = {}
pat = re.compile(r'(?:static\s+)?(?:const\s+)?struct\s+bpf_func_proto\s+(\w+)\s*=\s*\{(.*?)\n\};', re.S)
for path, s in src.items():
    for m in pat.finditer(s):
        fields = {}
        for fm in re.finditer(r'\.(\w+)\s*=\s*([^,\n]+(?:\n\s*\|[^,\n]+)*)\s*,', m.group(2)):
            fields[fm.group(1)] = ' '.join(fm.group(2).split())
        protos[m.group(1)] = {'file': path, **fields}

# helper implementations whose name is not bpf_<BPF_FUNC name>
ALIAS = {
    'flow_dissector_load_bytes': 'skb_load_bytes', 'sk_skb_pull_data': 'skb_pull_data', 'get_cgroup_classid_curr': 'get_cgroup_classid',
    'sk_skb_adjust_room': 'skb_adjust_room', 'sk_skb_change_tail': 'skb_change_tail', 'sk_skb_change_head': 'skb_change_head',
    'xdp_redirect': 'redirect', 'xdp_redirect_map': 'redirect_map', 'skb_event_output': 'perf_event_output', 'xdp_event_output': 'perf_event_output',
    'get_socket_cookie_sock_addr': 'get_socket_cookie', 'get_socket_cookie_sock': 'get_socket_cookie', 'get_socket_ptr_cookie': 'get_socket_cookie',
    'get_socket_cookie_sock_ops': 'get_socket_cookie', 'get_netns_cookie_sock': 'get_netns_cookie', 'get_netns_cookie_sock_addr': 'get_netns_cookie',
    'get_netns_cookie_sock_ops': 'get_netns_cookie', 'get_netns_cookie_sk_msg': 'get_netns_cookie', 'get_netns_cookie_sockopt': 'get_netns_cookie',
    'sk_setsockopt': 'setsockopt', 'sk_getsockopt': 'getsockopt', 'unlocked_sk_setsockopt': 'setsockopt', 'unlocked_sk_getsockopt': 'getsockopt',
    'sock_addr_setsockopt': 'setsockopt', 'sock_addr_getsockopt': 'getsockopt', 'sock_ops_setsockopt': 'setsockopt', 'sock_ops_getsockopt': 'getsockopt',
    'xdp_fib_lookup': 'fib_lookup', 'skb_fib_lookup': 'fib_lookup', 'skb_check_mtu': 'check_mtu', 'xdp_check_mtu': 'check_mtu',
    'lwt_in_push_encap': 'lwt_push_encap', 'lwt_xmit_push_encap': 'lwt_push_encap', 'tc_skc_lookup_tcp': 'skc_lookup_tcp',
    'tc_sk_lookup_tcp': 'sk_lookup_tcp', 'tc_sk_lookup_udp': 'sk_lookup_udp', 'xdp_sk_lookup_udp': 'sk_lookup_udp', 'xdp_skc_lookup_tcp': 'skc_lookup_tcp',
    'xdp_sk_lookup_tcp': 'sk_lookup_tcp', 'sock_addr_skc_lookup_tcp': 'skc_lookup_tcp', 'sock_addr_sk_lookup_tcp': 'sk_lookup_tcp',
    'sock_addr_sk_lookup_udp': 'sk_lookup_udp', 'sock_ops_load_hdr_opt': 'load_hdr_opt', 'sock_ops_store_hdr_opt': 'store_hdr_opt',
    'sock_ops_reserve_hdr_opt': 'reserve_hdr_opt', 'sk_reuseport_load_bytes': 'skb_load_bytes', 'sk_reuseport_load_bytes_relative': 'skb_load_bytes_relative',
    'sk_lookup_assign': 'sk_assign', 'sk_storage_get_tracing': 'sk_storage_get', 'sk_storage_delete_tracing': 'sk_storage_delete',
    'probe_read_compat': 'probe_read', 'probe_read_compat_str': 'probe_read_str', 'get_func_ip_tracing': 'get_func_ip', 'get_func_ip_kprobe': 'get_func_ip',
    'get_func_ip_kprobe_multi': 'get_func_ip', 'get_attach_cookie_kprobe_multi': 'get_attach_cookie', 'get_func_ip_uprobe_multi': 'get_func_ip',
    'get_attach_cookie_uprobe_multi': 'get_attach_cookie', 'get_attach_cookie_trace': 'get_attach_cookie', 'get_attach_cookie_pe': 'get_attach_cookie',
    'get_attach_cookie_tracing': 'get_attach_cookie', 'perf_event_output_tp': 'perf_event_output', 'get_stackid_tp': 'get_stackid',
    'get_stack_tp': 'get_stack', 'perf_event_output_raw_tp': 'perf_event_output', 'get_stackid_raw_tp': 'get_stackid', 'get_stack_raw_tp': 'get_stack',
    'get_stackid_pe': 'get_stackid', 'get_stack_sleepable': 'get_stack', 'get_task_stack_sleepable': 'get_task_stack', 'get_stack_pe': 'get_stack',
    'get_raw_cpu_id': 'get_smp_processor_id', 'event_output_data': 'perf_event_output', 'task_storage_get_recur': 'task_storage_get',
    'task_storage_delete_recur': 'task_storage_delete',
}
byid = {}
for pn, pr in protos.items():
    fn = pr.get('func', '')
    fn = fn[4:] if fn.startswith('bpf_') else fn
    cand = pn[4:-6] if pn.startswith('bpf_') and pn.endswith('_proto') and pn[4:-6] in ids else (fn if fn in ids else ALIAS.get(fn))
    if cand is None:
        sys.exit(f'proto {pn} (func {fn}) matches no BPF_FUNC id')
    byid.setdefault(ids[cand], []).append(pn)
missing = [n for i, n in enumerate(names) if i and i not in byid]
if missing:
    sys.exit(f'no prototype for {missing}')

# program type -> get_func_proto, and each *_func_proto's switch
allsrc = '\n'.join(src.values())
ops = {}
for m in re.finditer(r'const struct bpf_verifier_ops (\w+)_verifier_ops\s*=\s*\{(.*?)\};', allsrc, re.S):
    g = re.search(r'\.get_func_proto\s*=\s*(\w+)', m.group(2))
    if g:
        ops[m.group(1)] = g.group(1)
types = {}
for m in re.finditer(r'BPF_PROG_TYPE\(BPF_PROG_TYPE_(\w+),\s*(\w+),', open(os.path.join(root, 'include/linux/bpf_types.h')).read()):
    types[m.group(1)] = ops.get(m.group(2))
bodies, funcs = {}, {}
for m in re.finditer(r'\n(?:static )?const struct bpf_func_proto \*\s*\n?(\w+)\(enum bpf_func_id func_id,[^)]*\)\s*\n\{(.*?)\n\}\n', allsrc, re.S):
    body = m.group(2)
    bodies[m.group(1)] = body
    cases, pending = {}, []
    for tok in re.finditer(r'case (BPF_FUNC_\w+):|return ([^;]*);', body):
        if tok.group(1):
            pending.append(tok.group(1)[9:])
        else:
            ret = tok.group(2)
            call = re.match(r'\s*(\w+)\(func_id', ret)
            for c in pending:
                cases.setdefault(c, (re.findall(r'&(\w+)', ret), call.group(1) if call else None))
            pending = []
    funcs[m.group(1)] = cases

def resolve(fn, fid, seen=()):
    if fn not in funcs or fn in seen:
        return None
    c = funcs[fn].get(fid)
    if c:
        pr, call = c
        if pr:
            # `prog->sleepable ? &x_sleepable_proto : &x_proto`: the recording loads non-sleepable programs
            plain = [x for x in pr if 'sleepable' not in x]
            return plain[0] if plain else pr[0]
        return resolve(call, fid, seen + (fn,)) if call else None
    for call in re.findall(r'(\w+_func_proto)\(func_id', bodies[fn]):
        r = resolve(call, fid, seen + (fn,))
        if r:
            return r
    return None

PROG_TYPE = {1: 'SOCKET_FILTER', 2: 'KPROBE', 3: 'SCHED_CLS', 4: 'SCHED_ACT', 5: 'TRACEPOINT', 6: 'XDP', 7: 'PERF_EVENT', 8: 'CGROUP_SKB',
             9: 'CGROUP_SOCK', 10: 'LWT_IN', 11: 'LWT_OUT', 12: 'LWT_XMIT', 13: 'SOCK_OPS', 14: 'SK_SKB', 15: 'CGROUP_DEVICE', 16: 'SK_MSG',
             17: 'RAW_TRACEPOINT', 18: 'CGROUP_SOCK_ADDR', 19: 'LWT_SEG6LOCAL', 20: 'LIRC_MODE2', 21: 'SK_REUSEPORT', 22: 'FLOW_DISSECTOR',
             23: 'CGROUP_SYSCTL', 24: 'RAW_TRACEPOINT_WRITABLE', 25: 'CGROUP_SOCKOPT', 26: 'TRACING', 27: 'STRUCT_OPS', 28: 'EXT', 29: 'LSM',
             30: 'SK_LOOKUP', 31: 'SYSCALL', 32: 'NETFILTER'}
sweep = json.load(open(os.path.join(repo, 'test/verifier/helpers/sweep.kernel.json')))
avail = {}
used = {}  # id -> proto -> [prog types]
for t in sweep:
    tn = PROG_TYPE[t['type']]
    if all(e == 22 and l == '' for e, l in t['v0']):
        continue  # the type does not load on this kernel (no CONFIG)
    ok = []
    for i, (e, l) in enumerate(t['v0']):
        if i == 0 or i >= len(names) or 'cannot use helper' in l or l.startswith('invalid func'):
            continue
        ok.append(i)
        r = resolve(types[tn], names[i][4:])
        if r is None or r not in byid[i]:
            r = None
        # 6.18 gives every program type outside tc/cgroup-skb/lwt the current task's
        # classid (no arguments): the kernel accepts the call with r1 = 0 (v2)
        if i == 17 and t['v2'][i][0] == 0:
            r = 'bpf_get_cgroup_classid_curr_proto'
        used.setdefault(i, {}).setdefault(r, []).append(t['type'])
    avail[t['type']] = ok

KEYS = ['gpl_only', 'ret_type', 'arg1_type', 'arg2_type', 'arg3_type', 'arg4_type', 'arg5_type', 'pkt_access', 'might_sleep', 'allowed',
        'arg1_size', 'arg2_size', 'arg3_size', 'arg4_size', 'arg5_size', 'arg1_btf_id', 'arg2_btf_id', 'arg3_btf_id', 'arg4_btf_id', 'arg5_btf_id', 'ret_btf_id']
# where Linux 6.18 differs from the source tree the table is generated from
# (seen in the recording): bpf_loop takes any register as nr_loops
protos['bpf_loop_proto']['arg1_type'] = 'ARG_ANYTHING'

def sig(pn):
    return json.dumps({k: protos[pn].get(k) for k in KEYS})
SIZES = {'sizeof(u32)': 4, 'sizeof(u64)': 8, 'sizeof(s64)': 8, 'sizeof(struct iphdr)': 20, 'sizeof(struct ipv6hdr)': 40, 'sizeof(struct tcphdr)': 20}

def row(i, pn, prog_types=None):
    p = protos[pn]
    args = []
    for k in range(1, 6):
        a = p.get(f'arg{k}_type')
        if a:
            args.append(a)
    while args and args[-1] == 'ARG_DONTCARE':
        args.pop()
    parts = [f"id: {i}", f"name: '{names[i][4:]}'", f"kernel: '{pn}'", f"gplOnly: {p.get('gpl_only', 'false')}",
             f"ret: '{p.get('ret_type', 'RET_VOID')}'", 'args: [' + ', '.join(f"'{a}'" for a in args) + ']']
    sizes = [SIZES[p[f'arg{k}_size']] if p.get(f'arg{k}_size') else 0 for k in range(1, 6)]
    if any(sizes):
        parts.append('argSize: [' + ', '.join(str(s) for s in sizes[:len(args)]) + ']')
    btf = [p.get(f'arg{k}_btf_id', '') for k in range(1, 6)]
    if any(btf):
        parts.append('argBtfId: [' + ', '.join(f"'{b}'" for b in btf[:len(args)]) + ']')
    if p.get('ret_btf_id'):
        parts.append(f"retBtfId: '{p['ret_btf_id']}'")
    if p.get('pkt_access') == 'true':
        parts.append('pktAccess: true')
    if p.get('might_sleep') == 'true':
        parts.append('mightSleep: true')
    if p.get('allowed'):
        parts.append(f"allowed: '{p['allowed']}'")
    if prog_types:
        parts.append('progTypes: [' + ', '.join(f'T.BPF_PROG_TYPE_{PROG_TYPE[t]}' for t in sorted(prog_types)) + ']')
    return '  { ' + ', '.join(parts) + ' },'

areas = {'base': [], 'net': [], 'trace': []}
for i in range(1, len(names)):
    vs = byid[i]
    default = f'bpf_{names[i][4:]}_proto'
    if default not in vs:
        counts = {pn: len(used.get(i, {}).get(pn, [])) for pn in vs}
        default = max(vs, key=lambda pn: (counts[pn], -vs.index(pn)))
    f = protos[default]['file']
    area = 'net' if f.startswith('net/') else 'base' if f.startswith('kernel/bpf/') else 'trace'
    rows = [row(i, default)]
    for pn, pts in sorted(used.get(i, {}).items(), key=lambda kv: str(kv[0])):
        if pn and pn != default and sig(pn) != sig(default):
            rows.append(row(i, pn, pts))
    areas[area] += rows

HEAD = {
    'base': 'kernel/bpf/*.c (helpers.c, ringbuf.c, stackmap.c, bpf_task_storage.c, ...)',
    'net': 'net/core/filter.c, net/core/bpf_sk_storage.c, net/ipv4/bpf_tcp_ca.c, ...',
    'trace': 'kernel/trace/bpf_trace.c, kernel/bpf/bpf_lsm.c, ...',
}
for area, rows in areas.items():
    with open(os.path.join(repo, f'src/helpers/protos_{area}.ts'), 'w') as out:
        out.write(f'// Helper prototypes (struct bpf_func_proto) defined in {HEAD[area]}:\n')
        out.write('// one row per helper, plus one row per program-type variant whose checked\n')
        out.write('// fields differ (progTypes). Generated by scripts/gen_helper_table.py from\n')
        out.write('// the kernel sources; edit the generator, or a row by hand with care.\n')
        out.write("import type { ProtoRow } from './proto.js';\n")
        if any('progTypes' in r for r in rows):
            out.write("import * as T from '../uapi/bpf.js';\n")
        out.write(f'\nexport const PROTOS_{area.upper()}: readonly ProtoRow[] = [\n')
        out.write('\n'.join(rows) + '\n];\n')

def ranges(xs):
    out, i = [], 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[j] + 1:
            j += 1
        out.append(str(xs[i]) if i == j else f'{xs[i]}-{xs[j]}')
        i = j + 1
    return ','.join(out)

# fentry/fexit (BPF_PROG_TYPE_TRACING) does not load on the recording kernel:
# its set is raw_tracepoint's (bpf_tracing_func_proto, as recorded) plus the ids
# tracing_prog_func_proto adds in the sources
src_only = {26: sorted(set(avail[17]) | {i for i in range(1, len(names)) if i in byid and
            funcs['tracing_prog_func_proto'].get(names[i][4:])})}

with open(os.path.join(repo, 'src/helpers/availability.ts'), 'w') as out:
    out.write('// Which helper ids each program type may call (its get_func_proto), as Linux\n')
    out.write('// 6.18 answers for a program loaded with the expected attach type named here\n')
    out.write('// and CAP_SYS_ADMIN. Recorded from the running kernel by\n')
    out.write('// test/verifier/tools/helper_sweep.c (test/verifier/helpers/sweep.kernel.json),\n')
    out.write('// generated by scripts/gen_helper_table.py; test/verifier/helper_table.test.ts\n')
    out.write('// checks it against the recording.\n')
    out.write("import * as T from '../uapi/bpf.js';\n\n")
    out.write('/** id ranges per program type ("1-3,5" = ids 1, 2, 3 and 5) */\n')
    out.write('export const HELPER_AVAILABILITY: Readonly<Record<number, string>> = {\n')
    for t in sorted(avail):
        out.write(f'  [T.BPF_PROG_TYPE_{PROG_TYPE[t]}]: \'{ranges(avail[t])}\',\n')
    for t in sorted(src_only):
        out.write(f'  // not recorded (does not load on the recording kernel): from tracing_prog_func_proto\n')
        out.write(f'  [T.BPF_PROG_TYPE_{PROG_TYPE[t]}]: \'{ranges(src_only[t])}\',\n')
    out.write('};\n')
print('rows', {a: len(r) for a, r in areas.items()})
