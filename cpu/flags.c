/* Lazy flags: the arithmetic flags are computed from the last operation only
 * when someone reads them.  The formulas are the SDM's definitions: CF is the
 * unsigned carry/borrow out of the top bit, OF the signed overflow, AF the
 * carry out of bit 3, and SF/ZF/PF describe the result. */
#include "cpu-internal.h"

bool parity8(uint32_t v)
{
	v &= 0xFF;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

bool flag_cf(const struct cpu *c)
{
	const struct lazy_flags *f = &c->lf;
	switch (f->op) {
	case LF_ADD: return f->res < f->dst;
	case LF_ADC: return f->carry ? f->res <= f->dst : f->res < f->dst;
	case LF_SUB: return f->dst < f->src;
	case LF_SBB: return f->carry ? f->dst <= f->src : f->dst < f->src;
	case LF_LOGIC: return false;
	case LF_NEG: return f->res != 0;
	case LF_SHL: case LF_SHR: case LF_SAR: return f->carry;
	default: return c->flags & FL_CF; /* LF_NONE, INC and DEC keep CF */
	}
}

bool flag_pf(const struct cpu *c)
{
	return c->lf.op == LF_NONE ? (c->flags & FL_PF) != 0 : parity8(c->lf.res);
}

bool flag_af(const struct cpu *c)
{
	const struct lazy_flags *f = &c->lf;
	switch (f->op) {
	case LF_ADD: case LF_ADC: case LF_SUB: case LF_SBB: case LF_NEG:
		return ((f->dst ^ f->src ^ f->res) & 0x10) != 0;
	case LF_INC: return (f->res & 0xF) == 0;
	case LF_DEC: return (f->res & 0xF) == 0xF;
	/* Undefined for logic and shifts (SDM); the CPUs the conformance
	 * vectors come from leave it clear. */
	case LF_LOGIC: case LF_SHL: case LF_SHR: case LF_SAR: return false;
	default: return c->flags & FL_AF;
	}
}

bool flag_zf(const struct cpu *c)
{
	return c->lf.op == LF_NONE ? (c->flags & FL_ZF) != 0 : c->lf.res == 0;
}

bool flag_sf(const struct cpu *c)
{
	if (c->lf.op == LF_NONE)
		return (c->flags & FL_SF) != 0;
	return (c->lf.res & sign_bit(c->lf.size)) != 0;
}

bool flag_of(const struct cpu *c)
{
	const struct lazy_flags *f = &c->lf;
	if (f->op == LF_NONE)
		return c->flags & FL_OF;
	uint32_t sb = sign_bit(f->size);
	switch (f->op) {
	case LF_ADD: case LF_ADC: return ((f->dst ^ f->res) & (f->src ^ f->res) & sb) != 0;
	case LF_SUB: case LF_SBB: case LF_NEG:
		return ((f->dst ^ f->src) & (f->dst ^ f->res) & sb) != 0;
	case LF_LOGIC: return false;
	case LF_INC: return f->res == sb;
	case LF_DEC: return f->res == sb - 1;
	/* Defined for a count of 1; for larger counts the CPUs compute it
	 * as if the last single-bit step were the only one. */
	case LF_SHL: return (((f->res & sb) != 0) ^ f->carry) != 0;
	case LF_SHR: return f->aux == 1 ? (f->dst & sb) != 0 :
	                    ((f->res ^ (f->res << 1)) & sb) != 0;
	case LF_SAR: return false;
	default: return c->flags & FL_OF;
	}
}

void flags_materialize(struct cpu *c)
{
	if (c->lf.op == LF_NONE)
		return;
	uint32_t f = c->flags & ~(uint32_t)FL_ARITH;
	f |= flag_cf(c) ? FL_CF : 0;
	f |= flag_pf(c) ? FL_PF : 0;
	f |= flag_af(c) ? FL_AF : 0;
	f |= flag_zf(c) ? FL_ZF : 0;
	f |= flag_sf(c) ? FL_SF : 0;
	f |= flag_of(c) ? FL_OF : 0;
	c->flags = f;
	c->lf.op = LF_NONE;
}

void flags_set_arith(struct cpu *c, uint32_t mask, uint32_t v)
{
	flags_materialize(c);
	c->flags = (c->flags & ~mask) | (v & mask);
}

void flags_szp(struct cpu *c, uint32_t res, unsigned size, uint32_t others_mask,
               uint32_t others)
{
	res &= size_mask(size);
	uint32_t v = (res == 0 ? FL_ZF : 0) | ((res & sign_bit(size)) ? FL_SF : 0) |
	             (parity8(res) ? FL_PF : 0) | (others & others_mask);
	flags_set_arith(c, FL_ZF | FL_SF | FL_PF | others_mask, v);
}

bool cpu_cond(const struct cpu *c, unsigned cc)
{
	bool r;
	switch (cc >> 1) {
	case 0: r = flag_of(c); break;
	case 1: r = flag_cf(c); break;
	case 2: r = flag_zf(c); break;
	case 3: r = flag_cf(c) || flag_zf(c); break;
	case 4: r = flag_sf(c); break;
	case 5: r = flag_pf(c); break;
	case 6: r = flag_sf(c) != flag_of(c); break;
	default: r = flag_zf(c) || flag_sf(c) != flag_of(c); break;
	}
	return r ^ (cc & 1);
}

uint32_t cpu_get_flags(struct cpu *c)
{
	flags_materialize(c);
	return c->flags;
}

void cpu_set_flags(struct cpu *c, uint32_t v)
{
	c->lf.op = LF_NONE;
	c->flags = (v & (c->model->flags_writable | FL_ARITH)) | c->model->flags_fixed1;
}
