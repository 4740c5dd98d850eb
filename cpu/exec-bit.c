/* Bit test and scan: BT BTS BTR BTC (register and immediate offsets), BSF,
 * BSR.  SDM Vol 2 BT: a register bit offset reaches memory outside the
 * operand, signed, in operand-size units. */
#include "cpu-internal.h"

enum { BT, BTS, BTR, BTC };

static void bit_op(struct cpu *c, struct insn *i, int kind, uint32_t offset, bool from_reg)
{
	unsigned w = i->width, bits = 8 * w;
	uint32_t bit = offset & (bits - 1), v;
	if (i->mod == 3) {
		v = reg_get(c, i->rm, w);
	} else {
		ea_compute(c, i);
		if (from_reg) {
			int32_t units = (int32_t)sext(offset, w) >> (w == 2 ? 4 : 5);
			c->ea_off = (c->ea_off + (uint32_t)units * w) & addr_mask(i);
		}
		v = seg_read(c, c->ea_seg, c->ea_off, w);
	}
	bool cf = (v >> bit) & 1;
	if (kind != BT) {
		uint32_t m = 1u << bit;
		v = kind == BTS ? v | m : kind == BTR ? v & ~m : v ^ m;
		rm_write(c, i, w, v);
	}
	flags_set_arith(c, FL_CF, cf ? FL_CF : 0);
}

void exec_bt_e_g(struct cpu *c, struct insn *i)
{
	int kind;
	switch (i->op) {
	case 0x1A3: kind = BT; break;
	case 0x1AB: kind = BTS; break;
	case 0x1B3: kind = BTR; break;
	default: kind = BTC; break;
	}
	bit_op(c, i, kind, reg_get(c, i->reg, i->width), true);
}

void exec_bt_e_i(struct cpu *c, struct insn *i)
{
	bit_op(c, i, i->reg - 4, i->imm & 0xFF, false);
}

/* A zero source sets ZF and leaves the destination as it was. */
void exec_bsf(struct cpu *c, struct insn *i)
{
	uint32_t v = rm_read(c, i, i->width);
	if (v == 0) {
		flags_set_arith(c, FL_ZF, FL_ZF);
		return;
	}
	reg_set(c, i->reg, i->width, (uint32_t)__builtin_ctz(v));
	flags_set_arith(c, FL_ZF, 0);
}

void exec_bsr(struct cpu *c, struct insn *i)
{
	uint32_t v = rm_read(c, i, i->width);
	if (v == 0) {
		flags_set_arith(c, FL_ZF, FL_ZF);
		return;
	}
	reg_set(c, i->reg, i->width, 31u - (uint32_t)__builtin_clz(v));
	flags_set_arith(c, FL_ZF, 0);
}
