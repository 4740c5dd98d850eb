/* MUL, IMUL (all forms), DIV, IDIV.  SDM Vol 2; the flags MUL/IMUL leave
 * undefined (SF ZF AF PF) are set from the low half of the result, and DIV
 * leaves the flags as they were. */
#include "cpu-internal.h"

static void mul_flags(struct cpu *c, bool overflow, uint32_t low, unsigned size)
{
	flags_szp(c, low, size, FL_CF | FL_OF | FL_AF, overflow ? FL_CF | FL_OF : 0);
}

/* The 8086 microcode negates a MUL/DIV result when a REP prefix is present. */
static bool rep_negates(const struct cpu *c, const struct insn *i)
{
	return model_rep_negates_mul(c) && i->rep;
}

void exec_mul(struct cpu *c, struct insn *i)
{
	uint32_t s = rm_read(c, i, i->width);
	switch (i->width) {
	case 1: {
		uint32_t r = (c->r[R_EAX] & 0xFF) * s;
		reg_set(c, R_EAX, 2, r);
		mul_flags(c, r >> 8, r, 1);
		break;
	}
	case 2: {
		uint32_t r = (c->r[R_EAX] & 0xFFFF) * s;
		reg_set(c, R_EAX, 2, r);
		reg_set(c, R_EDX, 2, r >> 16);
		mul_flags(c, r >> 16, r, 2);
		break;
	}
	default: {
		uint64_t r = (uint64_t)c->r[R_EAX] * s;
		c->r[R_EAX] = (uint32_t)r;
		c->r[R_EDX] = (uint32_t)(r >> 32);
		mul_flags(c, r >> 32, (uint32_t)r, 4);
		break;
	}
	}
}

/* Signed multiply of two size-wide values; CF=OF when the product does not
 * fit in size (SDM IMUL). */
static int64_t imul_core(struct cpu *c, uint32_t a, uint32_t b, unsigned size, bool neg)
{
	int64_t r = (int64_t)(int32_t)sext(a, size) * (int32_t)sext(b, size);
	if (neg)
		r = -r;
	int64_t lo = (int64_t)(int32_t)sext((uint32_t)r, size);
	mul_flags(c, lo != r, (uint32_t)r, size);
	return r;
}

void exec_imul1(struct cpu *c, struct insn *i)
{
	uint32_t s = rm_read(c, i, i->width);
	int64_t r = imul_core(c, reg_get(c, R_EAX, i->width), s, i->width, rep_negates(c, i));
	switch (i->width) {
	case 1: reg_set(c, R_EAX, 2, (uint32_t)r); break;
	case 2:
		reg_set(c, R_EAX, 2, (uint32_t)r);
		reg_set(c, R_EDX, 2, (uint32_t)(r >> 16));
		break;
	default:
		c->r[R_EAX] = (uint32_t)r;
		c->r[R_EDX] = (uint32_t)((uint64_t)r >> 32);
		break;
	}
}

void exec_imul_g_e(struct cpu *c, struct insn *i)
{
	uint32_t s = rm_read(c, i, i->width);
	int64_t r = imul_core(c, reg_get(c, i->reg, i->width), s, i->width, false);
	reg_set(c, i->reg, i->width, (uint32_t)r);
}

void exec_imul_g_e_i(struct cpu *c, struct insn *i)
{
	uint32_t s = rm_read(c, i, i->width);
	uint32_t imm = i->op == 0x6B ? sext(i->imm, 1) : i->imm;
	int64_t r = imul_core(c, s, imm, i->width, false);
	reg_set(c, i->reg, i->width, (uint32_t)r);
}

void exec_div(struct cpu *c, struct insn *i)
{
	uint32_t s = rm_read(c, i, i->width);
	if (s == 0)
		cpu_fault_noerr(c, EX_DE);
	uint64_t n;
	switch (i->width) {
	case 1: n = c->r[R_EAX] & 0xFFFF; break;
	case 2: n = (c->r[R_EDX] & 0xFFFF) << 16 | (c->r[R_EAX] & 0xFFFF); break;
	default: n = (uint64_t)c->r[R_EDX] << 32 | c->r[R_EAX]; break;
	}
	uint64_t q = n / s, r = n % s;
	if (q > size_mask(i->width))
		cpu_fault_noerr(c, EX_DE);
	if (i->width == 1) {
		reg_set(c, R_EAX, 2, (uint32_t)(r << 8 | q));
	} else {
		reg_set(c, R_EAX, i->width, (uint32_t)q);
		reg_set(c, R_EDX, i->width, (uint32_t)r);
	}
}

void exec_idiv(struct cpu *c, struct insn *i)
{
	unsigned w = i->width;
	int64_t s = (int32_t)sext(rm_read(c, i, w), w);
	if (s == 0)
		cpu_fault_noerr(c, EX_DE);
	int64_t n;
	switch (w) {
	case 1: n = (int16_t)c->r[R_EAX]; break;
	case 2: n = (int32_t)((c->r[R_EDX] & 0xFFFF) << 16 | (c->r[R_EAX] & 0xFFFF)); break;
	default: n = (int64_t)((uint64_t)c->r[R_EDX] << 32 | c->r[R_EAX]); break;
	}
	/* INT64_MIN / -1 does not fit a quotient of any size; avoid host UB. */
	if (w == 4 && n == INT64_MIN && s == -1)
		cpu_fault_noerr(c, EX_DE);
	int64_t q = n / s, r = n % s;
	if (rep_negates(c, i))
		q = -q;
	int64_t max = (int64_t)sign_bit(w) - 1;
	int64_t min = model_idiv_min_quotient(c) ? -max - 1 : -max;
	if (q > max || q < min)
		cpu_fault_noerr(c, EX_DE);
	if (w == 1) {
		reg_set(c, R_EAX, 2, (uint32_t)((r & 0xFF) << 8 | (q & 0xFF)));
	} else {
		reg_set(c, R_EAX, w, (uint32_t)q);
		reg_set(c, R_EDX, w, (uint32_t)r);
	}
}
