// SPDX-License-Identifier: GPL-2.0
/* helpers_xdp: XDP buffer helpers at and past their limits, and bpf_tail_call
 * failures. Runs on the runner's default packet (64 zero bytes); the test run
 * gives XDP_PACKET_HEADROOM (256) of headroom in a 4096-byte frame whose last
 * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) bytes are reserved.
 * Results in .bss (-1000: not reached).
 *   head  adjust_head: the most headroom allowed (256 - sizeof(struct xdp_frame)),
 *         one byte more, shrink to ETH_HLEN, one byte more
 *   tail  adjust_tail: grow to the frame end, one byte more, shrink to ETH_HLEN, one more
 *   bytes xdp_load_bytes / xdp_store_bytes: offsets and lengths in and out of range
 *   tail_call  prog array slots: empty, past max_entries, huge index: falls through
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

/* headroom the kernel leaves for struct xdp_frame: 256 - 40 on x86-64 */
volatile int head_max = 216;
volatile int tail_max = 4096 - 256 - 320 - 64;
volatile __u32 off_big = 0x10000;
volatile __u32 off_huge = 0xffffffff;
volatile __u32 idx_big = 0xffffffff;

long rhead[10] = {};
long rtail[10] = {};
long rbytes[16] = {};
long rtc[4] = {};

#define NR -1000

SEC("xdp")
int head(struct xdp_md *ctx)
{
	for (int i = 0; i < 10; i++)
		rhead[i] = NR;
	rhead[0] = bpf_xdp_get_buff_len(ctx);                    /* 64 */
	rhead[1] = bpf_xdp_adjust_head(ctx, -head_max - 1);      /* -EINVAL */
	rhead[2] = bpf_xdp_adjust_head(ctx, -head_max);          /* 0 */
	rhead[3] = bpf_xdp_get_buff_len(ctx);                    /* 280 */
	rhead[4] = bpf_xdp_adjust_head(ctx, -1);                 /* -EINVAL */
	rhead[5] = bpf_xdp_adjust_head(ctx, 280 - 14 + 1);       /* -EINVAL: less than ETH_HLEN left */
	rhead[6] = bpf_xdp_adjust_head(ctx, 280 - 14);           /* 0 */
	rhead[7] = bpf_xdp_get_buff_len(ctx);                    /* 14 */
	rhead[8] = bpf_xdp_adjust_head(ctx, 1);                  /* -EINVAL */
	rhead[9] = bpf_xdp_adjust_head(ctx, 0);                  /* 0 */
	return XDP_PASS;
}

SEC("xdp")
int tail(struct xdp_md *ctx)
{
	for (int i = 0; i < 10; i++)
		rtail[i] = NR;
	rtail[0] = bpf_xdp_adjust_tail(ctx, tail_max + 1);       /* -EINVAL */
	rtail[1] = bpf_xdp_adjust_tail(ctx, tail_max);           /* 0 */
	rtail[2] = bpf_xdp_get_buff_len(ctx);                    /* 64 + tail_max */
	rtail[3] = bpf_xdp_adjust_tail(ctx, 1);                  /* -EINVAL */
	rtail[4] = bpf_xdp_adjust_tail(ctx, -(64 + tail_max - 14) - 1); /* -EINVAL */
	rtail[5] = bpf_xdp_adjust_tail(ctx, -(64 + tail_max - 14));     /* 0 */
	rtail[6] = bpf_xdp_get_buff_len(ctx);                    /* 14 */
	rtail[7] = bpf_xdp_adjust_tail(ctx, -1);                 /* -EINVAL */
	rtail[8] = bpf_xdp_adjust_tail(ctx, 50);                 /* 0 */
	rtail[9] = bpf_xdp_get_buff_len(ctx);                    /* 64 */
	return XDP_PASS;
}

SEC("xdp")
int bytes(struct xdp_md *ctx)
{
	__u8 buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u8 in[8] = {};

	for (int i = 0; i < 16; i++)
		rbytes[i] = NR;
	rbytes[0] = bpf_xdp_store_bytes(ctx, 56, buf, 8);        /* 0: the last 8 bytes */
	rbytes[1] = bpf_xdp_load_bytes(ctx, 56, in, 8);          /* 0 */
	rbytes[2] = in[0] + in[7] * 100;                         /* 801 */
	rbytes[3] = bpf_xdp_load_bytes(ctx, 57, in, 8);          /* -EINVAL */
	rbytes[4] = bpf_xdp_store_bytes(ctx, 57, buf, 8);        /* -EINVAL */
	rbytes[5] = bpf_xdp_load_bytes(ctx, 64, in, 1);          /* -EINVAL */
	rbytes[6] = bpf_xdp_load_bytes(ctx, off_big, in, 1);     /* offset > 0xffff: -EFAULT */
	rbytes[7] = bpf_xdp_store_bytes(ctx, off_big, buf, 1);   /* -EFAULT */
	rbytes[8] = bpf_xdp_load_bytes(ctx, off_huge, in, 8);    /* -EFAULT */
	rbytes[9] = bpf_xdp_load_bytes(ctx, 0xffff, in, 1);      /* -EINVAL */
	rbytes[10] = bpf_xdp_load_bytes(ctx, 0, in, 1);          /* 0 */
	rbytes[11] = in[0];                                      /* 0 */
	/* grown tail bytes read back as zero */
	rbytes[12] = bpf_xdp_adjust_tail(ctx, 8);                /* 0 */
	rbytes[13] = bpf_xdp_load_bytes(ctx, 64, in, 8);         /* 0 */
	rbytes[14] = in[0] | in[7];                              /* 0 */
	rbytes[15] = bpf_xdp_get_buff_len(ctx);                  /* 72 */
	return XDP_PASS;
}

SEC("xdp")
int tail_call(struct xdp_md *ctx)
{
	for (int i = 0; i < 4; i++)
		rtc[i] = NR;
	bpf_tail_call(ctx, &jmp, 0);        /* empty slot */
	rtc[0] = 1;
	bpf_tail_call(ctx, &jmp, 4);        /* == max_entries */
	rtc[1] = 2;
	bpf_tail_call(ctx, &jmp, idx_big);  /* huge */
	rtc[2] = 3;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
