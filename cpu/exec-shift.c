/* Shifts and rotates (group 2), SHLD and SHRD.  SDM Vol 2: RCL/RCR/ROL/ROR,
 * SAL/SAR/SHL/SHR, SHLD, SHRD. */
#include "cpu-internal.h"

enum { ROL, ROR, RCL, RCR, SHL, SHR, SAL_SETMO, SAR };

static void set_cf_of(struct cpu *c, bool cf, bool of)
{
	flags_set_arith(c, FL_CF | FL_OF, (cf ? FL_CF : 0) | (of ? FL_OF : 0));
}

static uint32_t rotate(struct cpu *c, int kind, unsigned size, uint32_t v, unsigned count)
{
	unsigned w = 8 * size;
	uint32_t m = size_mask(size), sb = sign_bit(size);
	uint32_t r = v;
	bool cf;
	switch (kind) {
	case ROL: {
		unsigned n = count % w;
		r = n ? ((v << n) | (v >> (w - n))) & m : v;
		cf = r & 1;
		set_cf_of(c, cf, ((r & sb) != 0) ^ cf);
		return r;
	}
	case ROR: {
		unsigned n = count % w;
		r = n ? ((v >> n) | (v << (w - n))) & m : v;
		cf = (r & sb) != 0;
		set_cf_of(c, cf, ((r ^ (r << 1)) & sb) != 0);
		return r;
	}
	case RCL: {
		/* Rotate through the (w+1)-bit quantity CF:v, a bit at a time. */
		unsigned n = count % (w + 1);
		cf = flag_cf(c);
		for (unsigned k = 0; k < n; k++) {
			bool out = (r & sb) != 0;
			r = ((r << 1) | cf) & m;
			cf = out;
		}
		set_cf_of(c, cf, ((r & sb) != 0) ^ cf);
		return r;
	}
	default: { /* RCR */
		unsigned n = count % (w + 1);
		cf = flag_cf(c);
		for (unsigned k = 0; k < n; k++) {
			bool out = r & 1;
			r = (r >> 1) | (cf ? sb : 0);
			cf = out;
		}
		set_cf_of(c, cf, ((r ^ (r << 1)) & sb) != 0);
		return r;
	}
	}
}

static uint32_t shift(struct cpu *c, int kind, unsigned size, uint32_t v, unsigned count)
{
	unsigned w = 8 * size;
	uint32_t m = size_mask(size), sb = sign_bit(size), r;
	bool cf;
	switch (kind) {
	case SHL:
		r = count >= w ? 0 : (v << count) & m;
		cf = count <= w ? (v >> (w - count)) & 1 : 0;
		lazy_set(c, LF_SHL, size, v, count, r);
		break;
	case SHR:
		r = count >= w ? 0 : v >> count;
		cf = count <= w ? (v >> (count - 1)) & 1 : 0;
		lazy_set(c, LF_SHR, size, v, count, r);
		break;
	default: { /* SAR */
		uint32_t sv = sext(v, size);
		unsigned n = count >= w ? w - 1 : count;
		r = (uint32_t)((int32_t)sv >> n) & m;
		cf = count >= w ? (sv & sb) != 0 : (sv >> (count - 1)) & 1;
		lazy_set(c, LF_SAR, size, v, count, r);
		break;
	}
	}
	c->lf.carry = cf;
	c->lf.aux = count > 255 ? 255 : (uint8_t)count;
	return r;
}

/* The 8086's SETMO/SETMOC (D0-D3 /6): the operand becomes all ones, flags
 * as for OR with all ones. */
static uint32_t setmo(struct cpu *c, unsigned size)
{
	uint32_t r = size_mask(size);
	lazy_set(c, LF_LOGIC, size, r, r, r);
	return r;
}

/* Group 2 with a count; a count of zero changes nothing, flags included. */
static void group2(struct cpu *c, struct insn *i, unsigned count)
{
	if (model_masks_shift_count(c))
		count &= 0x1F;
	uint32_t v = rm_read(c, i, i->width), r;
	int kind = i->reg;
	if (kind == SAL_SETMO) {
		if (model_has_setmo(c)) {
			if (count == 0 && i->op >= 0xD2) /* SETMOC: only when CL != 0 */
				return;
			rm_write(c, i, i->width, setmo(c, i->width));
			return;
		}
		kind = SHL;
	}
	if (count == 0)
		return;
	r = kind < SHL ? rotate(c, kind, i->width, v, count) : shift(c, kind, i->width, v, count);
	rm_write(c, i, i->width, r);
}

void exec_shift_1(struct cpu *c, struct insn *i)
{
	group2(c, i, 1);
}

void exec_shift_cl(struct cpu *c, struct insn *i)
{
	group2(c, i, c->r[R_ECX] & 0xFF);
}

void exec_shift_i(struct cpu *c, struct insn *i)
{
	group2(c, i, i->imm & 0xFF);
}

/* SHLD/SHRD: count masked to 5 bits; a 16-bit count above 16 gives an
 * undefined result (amber shifts through the 32-bit concatenation, as the
 * P6 does); flags as for a shift of the destination. */
static void double_shift(struct cpu *c, struct insn *i, unsigned count, bool left)
{
	count &= 0x1F;
	if (count == 0)
		return;
	unsigned size = i->width, w = 8 * size;
	uint32_t d = rm_read(c, i, size), s = reg_get(c, i->reg, size), r;
	uint32_t sb = sign_bit(size);
	bool cf;
	if (size == 2) {
		/* Through the 48-bit d:s:d, so counts above 16 give what the
		 * P6 gives. */
		uint64_t x = (uint64_t)d << 32 | (uint64_t)s << 16 | d;
		if (left) {
			r = (uint32_t)(x >> (32 - count));
			cf = (x >> (48 - count)) & 1;
		} else {
			r = (uint32_t)(x >> count);
			cf = (x >> (count - 1)) & 1;
		}
	} else if (left) {
		r = (d << count) | (s >> (w - count));
		cf = (d >> (w - count)) & 1;
	} else {
		r = (d >> count) | (s << (w - count));
		cf = (d >> (count - 1)) & 1;
	}
	r &= size_mask(size);
	rm_write(c, i, size, r);
	lazy_set(c, left ? LF_SHL : LF_SHR, size, d, count, r);
	c->lf.carry = cf;
	c->lf.aux = (uint8_t)count;
	/* OF: did the sign change (defined for a count of 1). */
	flags_materialize(c);
	c->flags = (c->flags & ~(uint32_t)FL_OF) | (((d ^ r) & sb) ? FL_OF : 0);
}

void exec_shld_i(struct cpu *c, struct insn *i) { double_shift(c, i, i->imm, true); }
void exec_shld_cl(struct cpu *c, struct insn *i) { double_shift(c, i, c->r[R_ECX], true); }
void exec_shrd_i(struct cpu *c, struct insn *i) { double_shift(c, i, i->imm, false); }
void exec_shrd_cl(struct cpu *c, struct insn *i) { double_shift(c, i, c->r[R_ECX], false); }
