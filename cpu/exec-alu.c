/* The arithmetic and logic family: ADD OR ADC SBB AND SUB XOR CMP, TEST,
 * INC DEC NOT NEG, XADD, CMPXCHG, CMPXCHG8B. */
#include "cpu-internal.h"

/* One definition of the eight ALU operations, with their lazy flags. */
uint32_t alu(struct cpu *c, enum alu_kind k, unsigned size, uint32_t a, uint32_t b)
{
	uint32_t m = size_mask(size), r;
	a &= m;
	b &= m;
	switch (k) {
	case ALU_ADD:
		r = (a + b) & m;
		lazy_set(c, LF_ADD, size, a, b, r);
		return r;
	case ALU_ADC: {
		uint8_t cf = flag_cf(c);
		r = (a + b + cf) & m;
		lazy_set(c, LF_ADC, size, a, b, r);
		c->lf.carry = cf;
		return r;
	}
	case ALU_SBB: {
		uint8_t cf = flag_cf(c);
		r = (a - b - cf) & m;
		lazy_set(c, LF_SBB, size, a, b, r);
		c->lf.carry = cf;
		return r;
	}
	case ALU_SUB:
	case ALU_CMP:
		r = (a - b) & m;
		lazy_set(c, LF_SUB, size, a, b, r);
		return r;
	case ALU_OR: r = a | b; break;
	case ALU_AND: r = a & b; break;
	default: r = a ^ b; break;
	}
	lazy_set(c, LF_LOGIC, size, a, b, r);
	return r;
}

static enum alu_kind alu_kind_of(const struct insn *i)
{
	return (enum alu_kind)((i->op >> 3) & 7);
}

void exec_alu_e_g(struct cpu *c, struct insn *i)
{
	enum alu_kind k = alu_kind_of(i);
	uint32_t r = alu(c, k, i->width, rm_read(c, i, i->width), reg_get(c, i->reg, i->width));
	if (k != ALU_CMP)
		rm_write(c, i, i->width, r);
}

void exec_alu_g_e(struct cpu *c, struct insn *i)
{
	enum alu_kind k = alu_kind_of(i);
	uint32_t r = alu(c, k, i->width, reg_get(c, i->reg, i->width), rm_read(c, i, i->width));
	if (k != ALU_CMP)
		reg_set(c, i->reg, i->width, r);
}

void exec_alu_a_i(struct cpu *c, struct insn *i)
{
	enum alu_kind k = alu_kind_of(i);
	uint32_t r = alu(c, k, i->width, reg_get(c, R_EAX, i->width), i->imm);
	if (k != ALU_CMP)
		reg_set(c, R_EAX, i->width, r);
}

/* 80-83: 83 sign-extends its byte immediate. */
void exec_alu_e_i(struct cpu *c, struct insn *i)
{
	enum alu_kind k = (enum alu_kind)i->reg;
	uint32_t imm = i->op == 0x83 ? sext(i->imm, 1) : i->imm;
	uint32_t r = alu(c, k, i->width, rm_read(c, i, i->width), imm);
	if (k != ALU_CMP)
		rm_write(c, i, i->width, r);
}

void exec_test_e_g(struct cpu *c, struct insn *i)
{
	alu(c, ALU_AND, i->width, rm_read(c, i, i->width), reg_get(c, i->reg, i->width));
}

void exec_test_a_i(struct cpu *c, struct insn *i)
{
	alu(c, ALU_AND, i->width, reg_get(c, R_EAX, i->width), i->imm);
}

void exec_test_e_i(struct cpu *c, struct insn *i)
{
	alu(c, ALU_AND, i->width, rm_read(c, i, i->width), i->imm);
}

/* INC and DEC leave CF alone: it is materialised before the lazy op replaces it. */
static uint32_t incdec(struct cpu *c, uint32_t v, unsigned size, bool dec)
{
	bool cf = flag_cf(c);
	flags_materialize(c);
	c->flags = (c->flags & ~(uint32_t)FL_CF) | (cf ? FL_CF : 0);
	uint32_t r = (dec ? v - 1 : v + 1) & size_mask(size);
	lazy_set(c, dec ? LF_DEC : LF_INC, size, v, 1, r);
	return r;
}

void exec_inc_r(struct cpu *c, struct insn *i)
{
	unsigned r = i->op & 7;
	reg_set(c, r, i->width, incdec(c, reg_get(c, r, i->width), i->width, false));
}

void exec_dec_r(struct cpu *c, struct insn *i)
{
	unsigned r = i->op & 7;
	reg_set(c, r, i->width, incdec(c, reg_get(c, r, i->width), i->width, true));
}

/* A fault in the write restores the flags with the rest of the state
 * (interp.c's snapshot), so the order here is free. */
void exec_inc_e(struct cpu *c, struct insn *i)
{
	rm_write(c, i, i->width, incdec(c, rm_read(c, i, i->width), i->width, false));
}

void exec_dec_e(struct cpu *c, struct insn *i)
{
	rm_write(c, i, i->width, incdec(c, rm_read(c, i, i->width), i->width, true));
}

void exec_not(struct cpu *c, struct insn *i)
{
	rm_write(c, i, i->width, ~rm_read(c, i, i->width));
}

void exec_neg(struct cpu *c, struct insn *i)
{
	uint32_t v = rm_read(c, i, i->width);
	uint32_t r = (0 - v) & size_mask(i->width);
	rm_write(c, i, i->width, r);
	lazy_set(c, LF_SUB, i->width, 0, v, r);
}

void exec_xadd(struct cpu *c, struct insn *i)
{
	uint32_t d = rm_read(c, i, i->width), s = reg_get(c, i->reg, i->width);
	uint32_t r = alu(c, ALU_ADD, i->width, d, s);
	reg_set(c, i->reg, i->width, d);
	rm_write(c, i, i->width, r);
}

/* CMPXCHG: the destination is written in both cases, as the processor's
 * locked read-modify-write does (SDM Vol 2 CMPXCHG). */
void exec_cmpxchg(struct cpu *c, struct insn *i)
{
	uint32_t d = rm_read(c, i, i->width), a = reg_get(c, R_EAX, i->width);
	if (d == a) {
		rm_write(c, i, i->width, reg_get(c, i->reg, i->width));
	} else {
		rm_write(c, i, i->width, d);
		reg_set(c, R_EAX, i->width, d);
	}
	alu(c, ALU_CMP, i->width, a, d);
}

void exec_cmpxchg8b(struct cpu *c, struct insn *i)
{
	ea_compute(c, i);
	seg_check(c, c->ea_seg, c->ea_off, 8, true);
	uint32_t lo = seg_read(c, c->ea_seg, c->ea_off, 4);
	uint32_t hi = seg_read(c, c->ea_seg, c->ea_off + 4, 4);
	bool eq = lo == c->r[R_EAX] && hi == c->r[R_EDX];
	if (eq) {
		seg_write(c, c->ea_seg, c->ea_off, 4, c->r[R_EBX]);
		seg_write(c, c->ea_seg, c->ea_off + 4, 4, c->r[R_ECX]);
	} else {
		seg_write(c, c->ea_seg, c->ea_off, 4, lo);
		seg_write(c, c->ea_seg, c->ea_off + 4, 4, hi);
		c->r[R_EAX] = lo;
		c->r[R_EDX] = hi;
	}
	flags_set_arith(c, FL_ZF, eq ? FL_ZF : 0);
}
