/* Data movement: MOV in all its forms, LEA, XCHG, CBW/CWD, LAHF/SAHF, XLAT,
 * MOVZX/MOVSX, BSWAP, CMOVcc, SETcc, LDS/LES/LSS/LFS/LGS. */
#include "cpu-internal.h"

void exec_mov_e_g(struct cpu *c, struct insn *i)
{
	rm_write(c, i, i->width, reg_get(c, i->reg, i->width));
}

void exec_mov_g_e(struct cpu *c, struct insn *i)
{
	reg_set(c, i->reg, i->width, rm_read(c, i, i->width));
}

/* The segment register a MOV Sreg names; the 8086 decodes only two bits,
 * later CPUs raise #UD for 6 and 7. */
static unsigned sreg_of(struct cpu *c, const struct insn *i)
{
	if (model_is_8086(c))
		return i->reg & 3;
	if (i->reg > 5 || (i->reg > 3 && !model_has_32bit(c)))
		cpu_ud(c);
	return i->reg;
}

/* A register destination takes the selector zero-extended to the operand
 * size; a memory destination is always a word. */
void exec_mov_e_s(struct cpu *c, struct insn *i)
{
	uint16_t sel = c->seg[sreg_of(c, i)].sel;
	rm_write(c, i, i->mod == 3 ? i->osize : 2, sel);
}

void exec_mov_s_e(struct cpu *c, struct insn *i)
{
	unsigned s = sreg_of(c, i);
	if (s == SEG_CS && !model_is_8086(c))
		cpu_ud(c);
	uint16_t sel = rm_read(c, i, 2);
	cpu_load_seg(c, s, sel);
	if (s == SEG_SS)
		c->inhibit_irq = c->inhibit_debug = true;
}

void exec_mov_a_o(struct cpu *c, struct insn *i)
{
	reg_set(c, R_EAX, i->width, seg_read(c, seg_or(i, SEG_DS), i->imm, i->width));
}

void exec_mov_o_a(struct cpu *c, struct insn *i)
{
	seg_write(c, seg_or(i, SEG_DS), i->imm, i->width, reg_get(c, R_EAX, i->width));
}

void exec_mov_r_i(struct cpu *c, struct insn *i)
{
	reg_set(c, i->op & 7, i->width, i->imm);
}

void exec_mov_e_i(struct cpu *c, struct insn *i)
{
	rm_write(c, i, i->width, i->imm);
}

void exec_lea(struct cpu *c, struct insn *i)
{
	if (i->mod == 3) { /* only the 8086 gets here */
		reg_set(c, i->reg, i->width, reg_get(c, i->rm, i->width));
		return;
	}
	ea_compute(c, i);
	reg_set(c, i->reg, i->width, c->ea_off);
}

void exec_xchg_e_g(struct cpu *c, struct insn *i)
{
	uint32_t a = rm_read(c, i, i->width), b = reg_get(c, i->reg, i->width);
	rm_write(c, i, i->width, b);
	reg_set(c, i->reg, i->width, a);
}

void exec_xchg_a_r(struct cpu *c, struct insn *i)
{
	unsigned r = i->op & 7;
	uint32_t a = reg_get(c, R_EAX, i->width), b = reg_get(c, r, i->width);
	reg_set(c, R_EAX, i->width, b);
	reg_set(c, r, i->width, a);
}

void exec_nop(struct cpu *c, struct insn *i)
{
	(void)c;
	(void)i;
}

void exec_cbw(struct cpu *c, struct insn *i)
{
	if (i->osize == 2)
		reg_set(c, R_EAX, 2, sext(c->r[R_EAX], 1));
	else
		c->r[R_EAX] = sext(c->r[R_EAX], 2);
}

void exec_cwd(struct cpu *c, struct insn *i)
{
	bool neg = reg_get(c, R_EAX, i->osize) & sign_bit(i->osize);
	reg_set(c, R_EDX, i->osize, neg ? 0xFFFFFFFFu : 0);
}

void exec_lahf(struct cpu *c, struct insn *i)
{
	(void)i;
	reg_set(c, 4, 1, cpu_get_flags(c) & 0xFF); /* AH */
}

void exec_sahf(struct cpu *c, struct insn *i)
{
	(void)i;
	uint32_t ah = (c->r[R_EAX] >> 8) & 0xFF;
	flags_set_arith(c, FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF, ah);
}

void exec_xlat(struct cpu *c, struct insn *i)
{
	uint32_t off = (reg_get(c, R_EBX, i->asize) + (c->r[R_EAX] & 0xFF)) & addr_mask(i);
	reg_set(c, R_EAX, 1, seg_read(c, seg_or(i, SEG_DS), off, 1));
}

void exec_movzx(struct cpu *c, struct insn *i)
{
	reg_set(c, i->reg, i->osize, rm_read(c, i, i->width));
}

void exec_movsx(struct cpu *c, struct insn *i)
{
	reg_set(c, i->reg, i->osize, sext(rm_read(c, i, i->width), i->width));
}

/* BSWAP of a 16-bit register is undefined; the P6 clears it. */
void exec_bswap(struct cpu *c, struct insn *i)
{
	unsigned r = i->op & 7;
	uint32_t v = c->r[r];
	if (i->osize == 2) {
		reg_set(c, r, 2, 0);
		return;
	}
	c->r[r] = v >> 24 | (v >> 8 & 0xFF00) | (v << 8 & 0xFF0000) | v << 24;
}

/* The source is read (and may fault) whatever the condition (SDM CMOVcc). */
void exec_cmovcc(struct cpu *c, struct insn *i)
{
	uint32_t v = rm_read(c, i, i->width);
	if (cpu_cond(c, i->op & 0xF))
		reg_set(c, i->reg, i->width, v);
}

void exec_setcc(struct cpu *c, struct insn *i)
{
	rm_write(c, i, 1, cpu_cond(c, i->op & 0xF));
}

/* LES LDS (C4 C5) and LSS LFS LGS (0F B2 B4 B5): offset, then selector. */
void exec_lxs(struct cpu *c, struct insn *i)
{
	unsigned seg;
	switch (i->op) {
	case 0xC4: seg = SEG_ES; break;
	case 0xC5: seg = SEG_DS; break;
	case 0x1B2: seg = SEG_SS; break;
	case 0x1B4: seg = SEG_FS; break;
	default: seg = SEG_GS; break;
	}
	ea_compute(c, i);
	uint32_t off = seg_read(c, c->ea_seg, c->ea_off, i->osize);
	uint16_t sel = seg_read(c, c->ea_seg, (c->ea_off + i->osize) & addr_mask(i), 2);
	cpu_load_seg(c, seg, sel);
	reg_set(c, i->reg, i->osize, off);
}
