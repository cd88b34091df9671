// Hand-written bytecode in the verifier corpus: libbpf would resolve (or
// reject) a raw BPF_PSEUDO_FUNC itself, so a corpus program writes one as a
// marker ld_imm64 (src 0, imm PSEUDO_FUNC_MARK, second imm = relative offset)
// that becomes the raw pseudo func just before the kernel sees it. Every tool
// that hands a corpus object's PROG_LOAD to the kernel (record.c, and
// bench/kernel-verify.c, which times the same loads) patches it the same way.
#ifndef PSEUDO_FUNC_MARK_H
#define PSEUDO_FUNC_MARK_H
#include <linux/bpf.h>

#define PSEUDO_FUNC_MARK 0x7eadf00d

static inline void patch_pseudo_func_marks(struct bpf_insn *xi, unsigned cnt)
{
	for (unsigned i = 0; i + 1 < cnt; i++) {
		if (xi[i].code == (BPF_LD | BPF_DW | BPF_IMM) && xi[i].src_reg == 0 && xi[i].imm == PSEUDO_FUNC_MARK) {
			xi[i].src_reg = BPF_PSEUDO_FUNC;
			xi[i].imm = xi[i + 1].imm;
			xi[i + 1].imm = 0;
		}
	}
}
#endif
