// The bpf_skc_to_*() casts over the simulated host (src/helpers/sock.ts,
// src/net/kernel_sock.ts) and the verifier's btf_struct_access reads
// (src/verifier/btf_access.ts). The kernel comparison is
// test/kernel/scenarios/skc.host.kernel.out (replayed by
// test/runtime/differential.test.ts) and the verdicts of
// test/verifier/corpus/skc_to*.kernel.json; these check what a test can
// change and the walk's errors at tsbpf's own offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/index.js';
import { Host, type HostSpec } from '../../src/net/host.js';
import { verify, VerifierError } from '../../src/verifier/index.js';
import { assemble } from '../../src/isa/asm.js';
import { BPF_PROG_TYPE_SCHED_CLS } from '../../src/uapi/bpf_func.js';
import { EACCES, EINVAL } from '../../src/uapi/errno.js';
import { builtinKernelBtf, structLayout } from '../../src/btf/kernel/kernel_btf.js';
import { repoRoot } from '../kernel/kernel.js';

const S = join(repoRoot, 'test/kernel/scenarios');

test('a tcp_sock read sees the TCP metrics the test set on the host', async () => {
  const spec = JSON.parse(readFileSync(join(S, 'sock.host.json'), 'utf8')) as HostSpec;
  Object.assign(spec.sockets![0]!, { tcp: { srtt_us: 1234, total_retrans: 5, snd_cwnd: 42, snd_ssthresh: 99 } });
  const rt = new Runtime({ host: new Host(spec) });
  const obj = await rt.loadObject(join(S, 'skc.bpf.o'));
  assert.equal(obj.program('skc_tc').run({ data: new Uint8Array(64) }).retval, 0);
  const g = (name: string, i: number): unknown => (obj.global(name) as unknown[])[i];
  // case 0 finds the 127.0.0.1:8080 listener: a tcp_sock (bit 0), not a tcp6_sock
  assert.equal(g('casts', 0), 1n);
  assert.equal(g('srtt', 0), (5n << 32n) | 1234n);
  assert.equal(g('tcp_metrics', 0), (42n << 32n) | 99n);
  // AF_INET, TCP_LISTEN; local port 8080 (skc_num and inet_sport), no remote
  assert.equal(g('tcp_common', 0), 2n | (10n << 16n));
  assert.equal(g('tcp_ports', 0), (8080n << 32n) | 8080n);
  // the other listener (case 8, through bpf_skc_lookup_tcp) is the same socket
  assert.equal(g('srtt', 8), (5n << 32n) | 1234n);
  // UDP sockets: only the v6 one is a udp6_sock, none is a tcp_sock
  assert.deepEqual([5, 6, 7].map((i) => g('casts', i)), [0n, 16n, 0n]);
});

const lookupCast = (cast: number, body: string): string => `
    mov %r6, %r1
    stdw [%r10-8], 0
    stdw [%r10-16], 0
    mov %r2, %r10
    add %r2, -16
    mov %r3, 12
    mov %r4, -1
    mov %r5, 0
    call 84
    jne %r0, 0, found
    exit
found:
    mov %r7, %r0
    mov %r1, %r0
    call ${cast}
    jeq %r0, 0, out
${body}
out:
    mov %r1, %r7
    call 86
    mov %r0, 0
    exit`;

const run = (src: string) => verify({ insns: assemble(src), progType: BPF_PROG_TYPE_SCHED_CLS, gpl: true, maps: [] });
const rejects = (src: string, msg: string, errno: number) => {
  assert.throws(() => run(src), (e: unknown) => e instanceof VerifierError && e.message === msg && e.errno === -errno);
};

test('btf_struct_access: reads inside a member pass, past the struct or a member end and into no member fail', () => {
  const btf = builtinKernelBtf();
  const sc = structLayout(btf, 'sock_common')!;
  const tcpSize = (btf.typeByName('tcp_sock') as { size: number }).size;
  const num = sc.get('skc_num')!.offset, fam = sc.get('skc_family')!.offset, state = sc.get('skc_state')!.offset;
  // a byte inside a u16 and the whole u16
  run(lookupCast(137, `    ldxb %r1, [%r0+${num + 1}]\n    ldxh %r1, [%r0+${fam}]`));
  // nested: tcp_sock.srtt_us through the struct chain
  run(lookupCast(137, `    ldxw %r1, [%r0+${structLayout(btf, 'tcp_sock')!.get('srtt_us')!.offset}]`));
  rejects(lookupCast(137, `    ldxw %r1, [%r0+${tcpSize - 2}]`), `access beyond struct tcp_sock at off ${tcpSize - 2} size 4`, EACCES);
  // skc_num is the second half of an anonymous 4-byte union (Linux's sock_common layout): the kernel's message
  rejects(lookupCast(137, `    ldxw %r1, [%r0+${num}]`), 'access beyond struct (anon) at off 2 size 4', EACCES);
  rejects(lookupCast(137, `    ldxh %r1, [%r0+${state}]`), `access beyond the end of member skc_state (mend:${state + 1}) in struct sock_common with off ${state} size 2`, EACCES);
  // inside a pointer member (skc_prot at 40 in Linux 6.18), as btf_struct_walk refuses
  rejects(lookupCast(137, '    ldxw %r1, [%r0+46]'), 'cannot access ptr member skc_prot with moff 40 in struct sock_common with off 46 size 4', EACCES);
  // struct sock (tsbpf's own tail): sk_protocol is followed by padding up to 8-byte alignment
  const sk = structLayout(btf, 'sock')!.get('sk_protocol')!;
  rejects(lookupCast(137, `    ldxb %r1, [%r0+${sk.offset + sk.size}]`), `struct sock doesn't have field at offset ${sk.offset + sk.size}`, EINVAL);
  // a variable offset
  rejects(lookupCast(137, '    ldxb %r1, [%r6+0]\n    add %r0, %r1\n    ldxb %r1, [%r0+0]'),
    'R0 is ptr_tcp_sock invalid variable offset: off=0, var_off=(0x0; 0xff)', EACCES);
});
