/* Lazy flags against a direct computation.
 *
 * Each case runs one instruction through the interpreter (flat 32-bit code;
 * 66h for 16-bit operands) with random or edge operands and a random
 * incoming EFLAGS, then compares the result and each of CF PF AF ZF SF OF
 * from cpu_get_flags() with a computation written here from the SDM's
 * definitions, independently of cpu/flags.c: wide (64-bit) sums for the
 * carries, signed 64-bit arithmetic for overflow, a bit count for parity.
 * Only the flags the SDM defines for the instruction and count are compared;
 * the rule is stated at each family.  Flags the SDM says an instruction does
 * not affect are checked to keep their incoming value. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "machine.h"

#define CODE 0x1000u
#define DATA 0x8000u

enum { CF = FL_CF, PF = FL_PF, AF = FL_AF, ZF = FL_ZF, SF = FL_SF, OF = FL_OF };

static struct machine m;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void setup(void)
{
	machine_init(&m, "pentium2");
	machine_flat32(&m, CODE, 0x90000);
	rng_state = 0xF1A65EEDull;
}

static void teardown(void)
{
	machine_free(&m);
}

TestSuite(flags, .init = setup, .fini = teardown, .timeout = 120);

static uint64_t mask_of(unsigned w) { return (1ull << w) - 1; }
static uint64_t msb_of(unsigned w) { return 1ull << (w - 1); }
static int64_t signed_of(uint64_t v, unsigned w)
{
	return (v & msb_of(w)) ? (int64_t)v - (int64_t)(1ull << w) : (int64_t)v;
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static uint32_t parity_flag(uint64_t r)
{
	return __builtin_popcount((unsigned)(r & 0xFF)) % 2 == 0 ? PF : 0;
}

static uint32_t szp(uint64_t r, unsigned w)
{
	r &= mask_of(w);
	return (r == 0 ? ZF : 0) | ((r & msb_of(w)) ? SF : 0) | parity_flag(r);
}

/* Operands worth trying at every width: zero, one, the sign boundaries,
 * all ones, the nibble carry boundaries, and random values. */
static uint64_t operand(unsigned w, unsigned k)
{
	uint64_t M = mask_of(w), S = msb_of(w);
	switch (k) {
	case 0: return 0;
	case 1: return 1;
	case 2: return S - 1;     /* 7F.. */
	case 3: return S;         /* 80.. */
	case 4: return M;         /* FF.. */
	case 5: return S + 1;
	case 6: return 0x0F;
	case 7: return 0x10;
	case 8: return M - 1;
	case 9: return 2;
	default: {
		uint64_t v = rnd();
		/* Half the random values are small or near the top, where the
		 * carries are. */
		switch (v & 3) {
		case 0: return (v >> 8) & 0x1F;
		case 1: return M - ((v >> 8) & 0x1F);
		default: return (v >> 8) & M;
		}
	}
	}
}
#define N_EDGE 10

struct outcome {
	uint32_t value;
	uint32_t flags;
};

static const char *flag_names(uint32_t f, char *buf)
{
	static const struct { uint32_t f; char c; } n[] = {
		{ OF, 'O' }, { SF, 'S' }, { ZF, 'Z' }, { AF, 'A' }, { PF, 'P' }, { CF, 'C' },
	};
	for (unsigned k = 0; k < 6; k++)
		buf[k] = (f & n[k].f) ? n[k].c : '-';
	buf[6] = 0;
	return buf;
}

/* Runs code with EAX = a, EBX = b, ECX = cl and the arithmetic flags in_flags;
 * the result is read from EAX. */
static struct outcome run(const uint8_t *code, unsigned n, uint32_t a, uint32_t b, uint32_t cl,
                          uint32_t in_flags)
{
	struct cpu *c = &m.cpu;
	machine_code_flat(&m, CODE, code, n);
	c->r[R_EAX] = a;
	c->r[R_EBX] = b;
	c->r[R_ECX] = cl;
	cpu_set_flags(c, 0x2 | in_flags);
	uint64_t done = machine_run(&m, 1);
	cr_assert_eq(done, 1);
	cr_assert_eq(c->last_vector, -1, "instruction %02x %02x raised %d", code[0], code[1],
	             c->last_vector);
	cr_assert_eq(c->eip, CODE + n);
	return (struct outcome){ c->r[R_EAX], cpu_get_flags(c) };
}

static void check(const char *what, unsigned w, uint64_t a, uint64_t b, uint32_t in,
                  struct outcome got, uint64_t want_value, uint32_t want_flags,
                  uint32_t defined)
{
	uint32_t wm = (uint32_t)mask_of(w);
	char g[8], e[8], d[8], x[8];
	cr_assert_eq(got.value & wm, (uint32_t)want_value & wm,
	             "%s%u %llx,%llx (flags in %s): result %x, want %x", what, w,
	             (unsigned long long)a, (unsigned long long)b, flag_names(in, g),
	             got.value & wm, (uint32_t)want_value & wm);
	cr_assert_eq(got.flags & defined, want_flags & defined,
	             "%s%u %llx,%llx (flags in %s): flags %s, want %s (compared: %s)", what, w,
	             (unsigned long long)a, (unsigned long long)b, flag_names(in, x),
	             flag_names(got.flags & defined, g), flag_names(want_flags & defined, e),
	             flag_names(defined, d));
}

/* ---- ADD ADC SUB SBB CMP AND OR XOR (and TEST) ---- */

enum alu_op { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST };
static const char *alu_names[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test" };

/* The SDM's definitions:
 *   ADD/ADC: CF = carry out of the top bit, OF = the signed sum does not
 *            fit, AF = carry out of bit 3; SF ZF PF from the result.
 *   SUB/SBB/CMP: CF = borrow (unsigned a < b + carry-in), OF = the signed
 *            difference does not fit, AF = borrow out of bit 3.
 *   AND/OR/XOR/TEST: CF = OF = 0; SF ZF PF from the result; AF undefined. */
static void alu_expect(enum alu_op op, unsigned w, uint64_t a, uint64_t b, unsigned cin,
                       uint64_t *value, uint32_t *flags, uint32_t *defined)
{
	int64_t sa = signed_of(a, w), sb = signed_of(b, w), smin = -(int64_t)msb_of(w),
	        smax = (int64_t)msb_of(w) - 1;
	uint64_t r;
	uint32_t f = 0;
	*defined = CF | PF | AF | ZF | SF | OF;
	switch (op) {
	case ADD:
	case ADC: {
		unsigned ci = op == ADC ? cin : 0;
		r = a + b + ci;
		int64_t s = sa + sb + ci;
		f |= (r >> w) & 1 ? CF : 0;
		f |= (s < smin || s > smax) ? OF : 0;
		f |= ((a & 0xF) + (b & 0xF) + ci) > 0xF ? AF : 0;
		break;
	}
	case SUB:
	case SBB:
	case CMP: {
		unsigned ci = op == SBB ? cin : 0;
		r = a - b - ci;
		int64_t s = sa - sb - (int64_t)ci;
		f |= a < b + ci ? CF : 0;
		f |= (s < smin || s > smax) ? OF : 0;
		f |= (a & 0xF) < (b & 0xF) + ci ? AF : 0;
		break;
	}
	case AND: case TEST: r = a & b; *defined &= ~(uint32_t)AF; break;
	case OR: r = a | b; *defined &= ~(uint32_t)AF; break;
	default: r = a ^ b; *defined &= ~(uint32_t)AF; break;
	}
	f |= szp(r, w);
	*flags = f;
	*value = (op == CMP || op == TEST) ? a : r;
}

/* Encodes op dst,src at width w in one of several forms so every ALU entry
 * of the table is reached: Ev,Gv; Gv,Ev; eAX,Iz; group 1 with Iz or Ib;
 * a memory destination.  Returns the length; *b_used is the source the
 * instruction really sees (an immediate can replace EBX). */
static unsigned alu_encode(uint8_t *p, enum alu_op op, unsigned w, unsigned form, uint64_t b,
                           bool *mem)
{
	unsigned n = 0;
	*mem = false;
	if (w == 16)
		p[n++] = 0x66;
	uint8_t wbit = w == 8 ? 0 : 1;
	if (op == TEST) {
		switch (form % 3) {
		case 0: p[n++] = 0x84 | wbit; p[n++] = 0xD8; break; /* test eax,ebx */
		case 1: p[n++] = 0xA8 | wbit; goto imm;            /* test eax,imm */
		default: p[n++] = 0xF6 | wbit; p[n++] = 0xC0; goto imm;
		}
		return n;
	}
	switch (form % 5) {
	case 0: /* op eax,ebx as Ev,Gv */
		p[n++] = (uint8_t)(op << 3) | wbit;
		p[n++] = 0xD8;
		return n;
	case 1: /* op eax,ebx as Gv,Ev */
		p[n++] = (uint8_t)(op << 3) | 2 | wbit;
		p[n++] = 0xC3;
		return n;
	case 2: /* op eAX,Iz */
		p[n++] = (uint8_t)(op << 3) | 4 | wbit;
		goto imm;
	case 3: /* group 1 with the full immediate, or 83 with a byte that
		   sign-extends to b when it can */
		if (w != 8 && (int64_t)signed_of(b, w) >= -128 && (int64_t)signed_of(b, w) <= 127) {
			p[n++] = 0x83;
			p[n++] = 0xC0 | (uint8_t)(op << 3);
			p[n++] = (uint8_t)b;
			return n;
		}
		p[n++] = 0x80 | wbit;
		p[n++] = 0xC0 | (uint8_t)(op << 3);
		goto imm;
	default: /* op [DATA],ebx: the memory destination */
		*mem = true;
		p[n++] = (uint8_t)(op << 3) | wbit;
		p[n++] = 0x1D;
		for (unsigned k = 0; k < 4; k++)
			p[n++] = (uint8_t)(DATA >> (8 * k));
		return n;
	}
imm:
	for (unsigned k = 0; k < w / 8; k++)
		p[n++] = (uint8_t)(b >> (8 * k));
	return n;
}

static void alu_case(enum alu_op op, unsigned w, uint64_t a, uint64_t b, unsigned form,
                     uint32_t in)
{
	uint8_t code[16];
	bool mem;
	unsigned n = alu_encode(code, op, w, form, b, &mem);
	uint64_t want;
	uint32_t wf, defined;
	alu_expect(op, w, a, b, (in & CF) != 0, &want, &wf, &defined);
	struct outcome got;
	if (mem) {
		mmu_write32(&m.mmu, DATA, (uint32_t)a);
		got = run(code, n, 0xDEADBEEF, (uint32_t)b, 0, in);
		got.value = mmu_read32(&m.mmu, DATA);
	} else {
		got = run(code, n, (uint32_t)a, (uint32_t)b, 0, in);
	}
	check(alu_names[op], w, a, b, in, got, want, wf, defined);
}

static void alu_family(enum alu_op op)
{
	static const unsigned widths[3] = { 8, 16, 32 };
	unsigned form = 0;
	for (unsigned wi = 0; wi < 3; wi++) {
		unsigned w = widths[wi];
		for (unsigned x = 0; x < N_EDGE + 40; x++) {
			for (unsigned y = 0; y < N_EDGE + 40; y++) {
				uint64_t a = operand(w, x), b = operand(w, y);
				uint32_t in = (uint32_t)rnd() & FL_ARITH;
				alu_case(op, w, a, b, form++, in & ~(uint32_t)CF);
				alu_case(op, w, a, b, form++, in | CF);
			}
		}
	}
}

Test(flags, add) { alu_family(ADD); }
Test(flags, adc) { alu_family(ADC); }
Test(flags, sub) { alu_family(SUB); }
Test(flags, sbb) { alu_family(SBB); }
Test(flags, cmp) { alu_family(CMP); }
Test(flags, and) { alu_family(AND); }
Test(flags, or) { alu_family(OR); }
Test(flags, xor) { alu_family(XOR); }
Test(flags, test) { alu_family(TEST); }

/* ---- INC DEC NEG ---- */

/* INC/DEC: as ADD/SUB of 1, but CF is not affected (SDM Vol 2 INC, DEC).
 * NEG: CF = (operand != 0); OF AF SF ZF PF as for 0 - operand. */
static void unary_expect(int kind, unsigned w, uint64_t a, uint32_t in, uint64_t *value,
                         uint32_t *flags)
{
	int64_t sa = signed_of(a, w), smin = -(int64_t)msb_of(w), smax = (int64_t)msb_of(w) - 1;
	uint64_t r;
	int64_t s;
	uint32_t f;
	if (kind == 0) {
		r = a + 1;
		s = sa + 1;
		f = ((a & 0xF) + 1 > 0xF ? AF : 0) | (in & CF);
	} else if (kind == 1) {
		r = a - 1;
		s = sa - 1;
		f = ((a & 0xF) < 1 ? AF : 0) | (in & CF);
	} else {
		r = 0 - a;
		s = -sa;
		f = ((a & 0xF) != 0 ? AF : 0) | (a != 0 ? CF : 0);
	}
	f |= (s < smin || s > smax) ? OF : 0;
	f |= szp(r, w);
	*value = r & mask_of(w);
	*flags = f;
}

static void unary_family(int kind)
{
	static const char *names[] = { "inc", "dec", "neg" };
	static const unsigned widths[3] = { 8, 16, 32 };
	for (unsigned wi = 0; wi < 3; wi++) {
		unsigned w = widths[wi];
		for (unsigned x = 0; x < N_EDGE + 500; x++) {
			uint64_t a = operand(w, x);
			uint32_t in = (uint32_t)rnd() & FL_ARITH;
			uint8_t code[4];
			unsigned n = 0;
			if (w == 16)
				code[n++] = 0x66;
			/* Alternate the one-byte 40+r/48+r forms with group 4/5/3. */
			if (kind < 2 && w != 8 && (x & 1)) {
				code[n++] = (uint8_t)(0x40 + 8 * kind);
			} else if (kind < 2) {
				code[n++] = w == 8 ? 0xFE : 0xFF;
				code[n++] = (uint8_t)(0xC0 | kind << 3);
			} else {
				code[n++] = w == 8 ? 0xF6 : 0xF7;
				code[n++] = 0xD8;
			}
			struct outcome got = run(code, n, (uint32_t)a, 0, 0, in);
			uint64_t r;
			uint32_t f;
			unary_expect(kind, w, a, in, &r, &f);
			check(names[kind], w, a, 0, in, got, r, f, FL_ARITH);
		}
	}
}

Test(flags, inc) { unary_family(0); }
Test(flags, dec) { unary_family(1); }
Test(flags, neg) { unary_family(2); }

/* ---- shifts and rotates ---- */

enum sh_op { ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR };
static const char *sh_names[] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };

/* The SDM's rules (Vol 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR):
 *  - the count is masked to 5 bits; a masked count of 0 changes nothing,
 *    flags included;
 *  - SHL/SAL/SHR/SAR: CF = the last bit shifted out, undefined for SHL and
 *    SHR when the count >= the operand width (SAR keeps shifting the sign
 *    out, so CF stays defined); OF only for a count of 1: SHL: MSB(result)
 *    XOR CF, SHR: MSB(original), SAR: 0; SF ZF PF from the result; AF
 *    undefined;
 *  - ROL/ROR: CF = the bit rotated last into the LSB (ROL) / MSB (ROR),
 *    also when count mod width is 0; OF only for a count of 1: ROL: MSB(r)
 *    XOR CF, ROR: the XOR of the two top bits of r; SF ZF AF PF are not
 *    affected;
 *  - RCL/RCR: rotate the width+1 bit CF:value by count (mod 9 for bytes,
 *    mod 17 for words); CF = the bit rotated into it; OF as for ROL/ROR
 *    for a count of 1; SF ZF AF PF are not affected. */
static void shift_expect(enum sh_op op, unsigned w, uint64_t a, unsigned raw_count, unsigned cin,
                         uint32_t in, uint64_t *value, uint32_t *flags, uint32_t *defined)
{
	unsigned count = raw_count & 0x1F;
	uint64_t M = mask_of(w), S = msb_of(w), r = a;
	uint32_t f = in;
	*defined = FL_ARITH;
	if (count == 0) {
		*value = a;
		*flags = in;
		return;
	}
	if (op == SAL)
		op = SHL;
	switch (op) {
	case SHL: {
		/* Shift one bit at a time, as the definition reads. */
		unsigned cf = 0;
		for (unsigned k = 0; k < count; k++) {
			cf = (r & S) != 0;
			r = (r << 1) & M;
		}
		f = szp(r, w) | (cf ? CF : 0);
		if (count == 1 && (((r & S) != 0) ^ cf))
			f |= OF;
		*defined = PF | ZF | SF | (count < w ? CF : 0) | (count == 1 ? OF : 0);
		break;
	}
	case SHR: {
		unsigned cf = 0;
		for (unsigned k = 0; k < count; k++) {
			cf = r & 1;
			r >>= 1;
		}
		f = szp(r, w) | (cf ? CF : 0) | ((count == 1 && (a & S)) ? OF : 0);
		*defined = PF | ZF | SF | (count < w ? CF : 0) | (count == 1 ? OF : 0);
		break;
	}
	case SAR: {
		unsigned cf = 0;
		for (unsigned k = 0; k < count; k++) {
			cf = r & 1;
			r = (r >> 1) | (r & S);
		}
		f = szp(r, w) | (cf ? CF : 0);
		*defined = PF | ZF | SF | CF | (count == 1 ? OF : 0);
		break;
	}
	case ROL:
	case ROR: {
		unsigned n = count % w;
		r = op == ROL ? ((a << n) | (a >> (w - n))) & M : ((a >> n) | (a << (w - n))) & M;
		unsigned cf = op == ROL ? (r & 1) : (r & S) != 0;
		unsigned of = op == ROL ? (((r & S) != 0) ^ cf) : (((r >> (w - 1)) ^ (r >> (w - 2))) & 1);
		f = (in & ~(uint32_t)(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
		*defined = PF | ZF | SF | AF | CF | (count == 1 ? OF : 0);
		break;
	}
	default: { /* RCL RCR */
		unsigned n = w == 32 ? count : count % (w + 1);
		unsigned cf = cin;
		for (unsigned k = 0; k < n; k++) {
			if (op == RCL) {
				unsigned out = (r & S) != 0;
				r = ((r << 1) | cf) & M;
				cf = out;
			} else {
				unsigned out = r & 1;
				r = (r >> 1) | (cf ? S : 0);
				cf = out;
			}
		}
		unsigned of = op == RCL ? (((r & S) != 0) ^ cf) : (((r >> (w - 1)) ^ (r >> (w - 2))) & 1);
		f = (in & ~(uint32_t)(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
		*defined = PF | ZF | SF | AF | CF | (count == 1 ? OF : 0);
		break;
	}
	}
	*value = r;
	*flags = f;
}

static void shift_family(enum sh_op op)
{
	static const unsigned widths[3] = { 8, 16, 32 };
	for (unsigned wi = 0; wi < 3; wi++) {
		unsigned w = widths[wi];
		const unsigned counts[] = { 0, 1, 2, 3, 4, w - 1, w, w + 1, 16, 17, 31, 32, 33, 63, 255 };
		for (unsigned x = 0; x < N_EDGE + 60; x++) {
			uint64_t a = operand(w, x);
			for (unsigned ci = 0; ci < sizeof counts / sizeof counts[0] + 8; ci++) {
				unsigned count = ci < sizeof counts / sizeof counts[0] ? counts[ci]
				                 : (unsigned)(rnd() & 0xFF);
				for (unsigned form = 0; form < 2; form++) {
					uint32_t in = ((uint32_t)rnd() & FL_ARITH & ~(uint32_t)CF) |
					              (form ? CF : 0);
					uint8_t code[4];
					unsigned n = 0;
					if (w == 16)
						code[n++] = 0x66;
					uint8_t wbit = w == 8 ? 0 : 1;
					/* D2/D3 with CL; C0/C1 Ib; D0/D1 for a count of 1. */
					if (count == 1 && (ci & 1)) {
						code[n++] = 0xD0 | wbit;
						code[n++] = 0xC0 | (uint8_t)(op << 3);
					} else if (ci & 2) {
						code[n++] = 0xC0 | wbit;
						code[n++] = 0xC0 | (uint8_t)(op << 3);
						code[n++] = (uint8_t)count;
					} else {
						code[n++] = 0xD2 | wbit;
						code[n++] = 0xC0 | (uint8_t)(op << 3);
					}
					struct outcome got = run(code, n, (uint32_t)a, 0, count, in);
					uint64_t want;
					uint32_t wf, defined;
					shift_expect(op, w, a, count, (in & CF) != 0, in, &want, &wf,
					             &defined);
					char name[24];
					snprintf(name, sizeof name, "%s(count %u) ", sh_names[op], count);
					check(name, w, a, count, in, got, want, wf, defined);
				}
			}
		}
	}
}

Test(flags, rol) { shift_family(ROL); }
Test(flags, ror) { shift_family(ROR); }
Test(flags, rcl) { shift_family(RCL); }
Test(flags, rcr) { shift_family(RCR); }
Test(flags, shl) { shift_family(SHL); }
Test(flags, sal) { shift_family(SAL); }
Test(flags, shr) { shift_family(SHR); }
Test(flags, sar) { shift_family(SAR); }

/* ---- the lazy state survives what should not disturb it ---- */

/* Flags read by Jcc/SETcc/PUSHF through the lazy state must equal the
 * materialised ones: SETcc for all sixteen conditions after an ADD and a
 * SUB, compared with the conditions of the SDM's Jcc table computed from
 * cpu_get_flags(). */
Test(flags, conditions_read_lazily)
{
	for (unsigned k = 0; k < 3000; k++) {
		unsigned w = (k % 3 == 0) ? 8 : (k % 3 == 1) ? 16 : 32;
		uint64_t a = operand(w, k % 60), b = operand(w, (k / 60) % 60 + (k & 1));
		for (unsigned cc = 0; cc < 16; cc++) {
			uint8_t code[8];
			unsigned n = 0;
			/* sub/add eax,ebx ; setcc dl */
			if (w == 16)
				code[n++] = 0x66;
			code[n++] = (k & 2 ? 0x28 : 0x00) | (w == 8 ? 0 : 1);
			code[n++] = 0xD8;
			code[n++] = 0x0F;
			code[n++] = (uint8_t)(0x90 | cc);
			code[n++] = 0xC2;
			machine_code_flat(&m, CODE, code, n);
			struct cpu *c = &m.cpu;
			c->r[R_EAX] = (uint32_t)a;
			c->r[R_EBX] = (uint32_t)b;
			c->r[R_EDX] = 0x55;
			cr_assert_eq(machine_run(&m, 2), 2);
			uint32_t f = cpu_get_flags(c);
			bool cf = f & CF, zf = f & ZF, sf = f & SF, of = f & OF, pf = f & PF, r;
			switch (cc >> 1) {
			case 0: r = of; break;
			case 1: r = cf; break;
			case 2: r = zf; break;
			case 3: r = cf || zf; break;
			case 4: r = sf; break;
			case 5: r = pf; break;
			case 6: r = sf != of; break;
			default: r = zf || sf != of; break;
			}
			r ^= cc & 1;
			cr_assert_eq(c->r[R_EDX] & 0xFF, (uint32_t)r, "cc %x after %llx,%llx", cc,
			             (unsigned long long)a, (unsigned long long)b);
		}
	}
}

/* PUSHF after an arithmetic instruction pushes the materialised flags;
 * POPF then loads them exactly (SDM Vol 2 PUSHF/POPF). */
Test(flags, pushf_popf_round_trip)
{
	struct cpu *c = &m.cpu;
	for (unsigned k = 0; k < 500; k++) {
		/* add eax,ebx ; pushf ; pop edx */
		static const uint8_t code[] = { 0x01, 0xD8, 0x9C, 0x5A };
		machine_code_flat(&m, CODE, code, sizeof code);
		c->r[R_EAX] = (uint32_t)operand(32, k % 50);
		c->r[R_EBX] = (uint32_t)operand(32, k / 10);
		cr_assert_eq(machine_run(&m, 3), 3);
		uint32_t f = cpu_get_flags(c);
		cr_assert_eq(c->r[R_EDX] & 0xFFF, f & 0xFFF);
		/* push edx with some flags flipped ; popf */
		static const uint8_t code2[] = { 0x52, 0x9D };
		machine_code_flat(&m, CODE, code2, sizeof code2);
		uint32_t want = (f ^ (uint32_t)(rnd() & FL_ARITH)) | 2;
		c->r[R_EDX] = want;
		cr_assert_eq(machine_run(&m, 2), 2);
		cr_assert_eq(cpu_get_flags(c) & FL_ARITH, want & FL_ARITH);
	}
}

/* ---- SHLD SHRD ---- */

/* SDM Vol 2 SHLD/SHRD: the count is masked to 5 bits; 0 changes nothing;
 * a count above the operand size leaves the result and flags undefined (so
 * 16-bit counts 17-31 are not compared).  CF = the last bit shifted out of
 * the destination; SF ZF PF from the result; OF only for a count of 1 (set
 * when the sign changed); AF undefined. */
static void double_shift_family(bool left)
{
	static const unsigned widths[2] = { 16, 32 };
	for (unsigned wi = 0; wi < 2; wi++) {
		unsigned w = widths[wi];
		for (unsigned x = 0; x < N_EDGE + 150; x++) {
			uint64_t a = operand(w, x), b = operand(w, x * 7 + 3);
			for (unsigned count = 0; count < 40; count++) {
				uint32_t in = (uint32_t)rnd() & FL_ARITH;
				uint8_t code[6];
				unsigned n = 0;
				if (w == 16)
					code[n++] = 0x66;
				code[n++] = 0x0F;
				if (count & 1) { /* the Ib form */
					code[n++] = left ? 0xA4 : 0xAC;
					code[n++] = 0xD8; /* eax, ebx */
					code[n++] = (uint8_t)count;
				} else {
					code[n++] = left ? 0xA5 : 0xAD;
					code[n++] = 0xD8;
				}
				struct outcome got = run(code, n, (uint32_t)a, (uint32_t)b, count, in);
				unsigned k = count & 0x1F;
				if (k > w)
					continue;
				uint64_t M = mask_of(w), S = msb_of(w), r = a;
				uint32_t f = in, defined = FL_ARITH;
				if (k != 0) {
					unsigned cf;
					if (left) {
						/* dest:src shifted left by k */
						uint64_t cat = (a << w) | b;
						r = (cat >> (w - k)) & M;
						cf = (a >> (w - k)) & 1;
					} else {
						uint64_t cat = (b << w) | a;
						r = (cat >> k) & M;
						cf = (a >> (k - 1)) & 1;
					}
					f = szp(r, w) | (cf ? CF : 0) |
					    ((k == 1 && ((a ^ r) & S)) ? OF : 0);
					defined = CF | PF | ZF | SF | (k == 1 ? OF : 0);
				}
				check(left ? "shld" : "shrd", w, a, count, in, got, r, f, defined);
			}
		}
	}
}

Test(flags, shld) { double_shift_family(true); }
Test(flags, shrd) { double_shift_family(false); }

/* ---- MUL IMUL ---- */

/* SDM Vol 2 MUL: CF = OF = 0 when the upper half of the product is zero,
 * else 1.  IMUL (one operand): CF = OF = 0 when the product equals the
 * sign-extended lower half; the two- and three-operand forms: CF = OF = 1
 * when the truncated result differs from the full product.  SF ZF AF PF are
 * undefined. */
static void mul_family(int kind)
{
	static const char *names[] = { "mul", "imul", "imul2", "imul3" };
	static const unsigned widths[3] = { 8, 16, 32 };
	for (unsigned wi = 0; wi < 3; wi++) {
		unsigned w = widths[wi];
		if (kind >= 2 && w == 8)
			continue; /* no byte forms */
		for (unsigned x = 0; x < N_EDGE + 60; x++) {
			for (unsigned y = 0; y < N_EDGE + 60; y++) {
				uint64_t a = operand(w, x), b = operand(w, y);
				uint32_t in = (uint32_t)rnd() & FL_ARITH;
				uint8_t code[8];
				unsigned n = 0;
				if (w == 16)
					code[n++] = 0x66;
				switch (kind) {
				case 0: code[n++] = w == 8 ? 0xF6 : 0xF7; code[n++] = 0xE3; break;
				case 1: code[n++] = w == 8 ? 0xF6 : 0xF7; code[n++] = 0xEB; break;
				case 2: code[n++] = 0x0F; code[n++] = 0xAF; code[n++] = 0xC3; break;
				default: /* imul eax,ebx,imm */
					code[n++] = 0x69;
					code[n++] = 0xC3;
					for (unsigned k = 0; k < w / 8; k++)
						code[n++] = (uint8_t)(b >> (8 * k));
					break;
				}
				uint32_t edx_in = 0x5A5A5A5A;
				m.cpu.r[R_EDX] = edx_in;
				/* imul3 multiplies EBX by the immediate: make EBX = a. */
				struct outcome got = kind == 3 ? run(code, n, 0, (uint32_t)a, 0, in)
				                               : run(code, n, (uint32_t)a, (uint32_t)b, 0, in);
				uint64_t M = mask_of(w);
				bool over;
				uint64_t lo, hi = 0;
				if (kind == 0) {
					uint64_t p = a * b;
					lo = p & M;
					hi = (p >> w) & M;
					over = hi != 0;
				} else {
					int64_t p = signed_of(a, w) * signed_of(b, w);
					lo = (uint64_t)p & M;
					hi = ((uint64_t)p >> w) & M;
					over = signed_of(lo, w) != p;
				}
				uint32_t f = over ? CF | OF : 0;
				uint32_t value;
				if (kind <= 1 && w == 8) {
					/* The byte forms leave the product in AX. */
					check(kind ? "imul8:ax" : "mul8:ax", 16, a, b, in, got,
					      lo | hi << 8, f, CF | OF);
					(void)value;
					continue;
				}
				check(names[kind], w, a, b, in, got, lo, f, CF | OF);
				if (kind <= 1) {
					value = m.cpu.r[R_EDX];
					cr_assert_eq(value & M, hi, "%s%u %llx,%llx: high half %x, want %llx",
					             names[kind], w, (unsigned long long)a,
					             (unsigned long long)b, value, (unsigned long long)hi);
				}
			}
		}
	}
}

Test(flags, mul) { mul_family(0); }
Test(flags, imul1) { mul_family(1); }
Test(flags, imul2) { mul_family(2); }
Test(flags, imul3) { mul_family(3); }

/* ---- decimal adjust, exhaustively ---- */

/* The SDM Vol 2 pseudocode of each, for every AL (and AH) and incoming
 * CF/AF.  DAA/DAS: CF AF SF ZF PF defined, OF undefined.  AAA/AAS: CF AF
 * defined, the rest undefined.  AAM/AAD: SF ZF PF defined, the rest
 * undefined. */
static void bcd_family(uint8_t opcode)
{
	for (unsigned ax = 0; ax < 0x10000; ax += (opcode == 0x27 || opcode == 0x2F) ? 0x100 : 0x33) {
		for (unsigned fin = 0; fin < 4; fin++) {
			uint32_t in = ((uint32_t)rnd() & FL_ARITH & ~(uint32_t)(CF | AF)) |
			              (fin & 1 ? CF : 0) | (fin & 2 ? AF : 0);
			uint8_t code[2] = { opcode, 0x0A };
			unsigned n = opcode == 0xD4 || opcode == 0xD5 ? 2 : 1;
			struct outcome got = run(code, n, 0xABCD0000 | ax, 0, 0, in);
			uint8_t al = ax & 0xFF, ah = ax >> 8, old_al = al;
			bool cf = fin & 1, af = fin & 2, old_cf = cf;
			uint32_t want_ax, defined;
			switch (opcode) {
			case 0x27: /* DAA */
				cf = false;
				if ((al & 0xF) > 9 || af) {
					cf = old_cf || al + 6 > 0xFF;
					al += 6;
					af = true;
				} else {
					af = false;
				}
				if (old_al > 0x99 || old_cf) {
					al += 0x60;
					cf = true;
				} else {
					cf = false;
				}
				want_ax = (uint32_t)ah << 8 | al;
				defined = CF | AF | SF | ZF | PF;
				break;
			case 0x2F: /* DAS */
				cf = false;
				if ((al & 0xF) > 9 || af) {
					cf = old_cf || al < 6;
					al -= 6;
					af = true;
				} else {
					af = false;
				}
				if (old_al > 0x99 || old_cf) {
					al -= 0x60;
					cf = true;
				}
				want_ax = (uint32_t)ah << 8 | al;
				defined = CF | AF | SF | ZF | PF;
				break;
			case 0x37: /* AAA */
			case 0x3F: { /* AAS */
				uint32_t x = ax;
				if ((al & 0xF) > 9 || af) {
					x = opcode == 0x37 ? x + 0x106 : ((x - 6) & 0xFFFF) - 0x100;
					cf = af = true;
				} else {
					cf = af = false;
				}
				want_ax = (x & 0xFF00) | (x & 0x0F);
				defined = CF | AF;
				break;
			}
			case 0xD4: /* AAM 10 */
				want_ax = (uint32_t)(al / 10) << 8 | (al % 10);
				defined = SF | ZF | PF;
				break;
			default: /* AAD 10 */
				want_ax = (uint8_t)(al + ah * 10);
				defined = SF | ZF | PF;
				break;
			}
			uint32_t f = szp(want_ax & 0xFF, 8) | (cf ? CF : 0) | (af ? AF : 0);
			static const char *names[256] = { [0x27] = "daa", [0x2F] = "das", [0x37] = "aaa",
			                                  [0x3F] = "aas", [0xD4] = "aam", [0xD5] = "aad" };
			check(names[opcode], 16, ax, 0, in, got, want_ax, f, defined);
			cr_assert_eq(got.value >> 16, 0xABCD, "%s changed the top of EAX", names[opcode]);
		}
	}
}

Test(flags, daa) { bcd_family(0x27); }
Test(flags, das) { bcd_family(0x2F); }
Test(flags, aaa) { bcd_family(0x37); }
Test(flags, aas) { bcd_family(0x3F); }
Test(flags, aam) { bcd_family(0xD4); }
Test(flags, aad) { bcd_family(0xD5); }

/* ---- BT BSF BSR ---- */

/* BT*: CF = the selected bit; the others undefined (SDM Vol 2 BT).
 * BSF/BSR: ZF = (source == 0); the others undefined; the destination is
 * undefined for a zero source (not compared). */
Test(flags, bt_bsf_bsr)
{
	for (unsigned k = 0; k < 4000; k++) {
		unsigned w = k & 1 ? 32 : 16;
		uint64_t a = operand(w, k % 80), bit = rnd() & 0xFF;
		uint32_t in = (uint32_t)rnd() & FL_ARITH;
		unsigned kind = k % 4; /* bt bts btr btc */
		uint8_t code[5];
		unsigned n = 0;
		if (w == 16)
			code[n++] = 0x66;
		code[n++] = 0x0F;
		code[n++] = (uint8_t)(0xA3 + 8 * kind);
		code[n++] = 0xD8;
		struct outcome got = run(code, n, (uint32_t)a, (uint32_t)bit, 0, in);
		unsigned b = (unsigned)(bit % w);
		uint64_t want = a, mb = 1ull << b;
		want = kind == 1 ? a | mb : kind == 2 ? a & ~mb : kind == 3 ? a ^ mb : a;
		check("bt*", w, a, bit, in, got, want, (a >> b) & 1 ? CF : 0, CF);

		n = 0;
		if (w == 16)
			code[n++] = 0x66;
		code[n++] = 0x0F;
		code[n++] = k & 2 ? 0xBD : 0xBC;
		code[n++] = 0xC3; /* bsf/bsr eax,ebx */
		uint64_t src = operand(w, k % 97) << (k % 5);
		src &= mask_of(w);
		got = run(code, n, 0x11111111, (uint32_t)src, 0, in);
		uint64_t idx = 0x11111111;
		if (src) {
			idx = 0;
			if (k & 2) {
				for (unsigned j = 0; j < w; j++)
					if (src >> j & 1)
						idx = j;
			} else {
				while (!(src >> idx & 1))
					idx++;
			}
			check(k & 2 ? "bsr" : "bsf", w, src, 0, in, got, idx, 0, ZF);
		} else {
			check(k & 2 ? "bsr" : "bsf", w, src, 0, in, (struct outcome){ 0, got.flags }, 0,
			      ZF, ZF);
		}
	}
}

/* ---- chains: the lazy state handed from one instruction to the next ----
 *
 * Random sequences of up to eight flag-writing instructions (ALU, INC,
 * DEC, NEG, shifts and rotates at mixed widths) run back to back with no
 * flag read in between, so each instruction meets the previous one's lazy
 * state (INC keeping CF, ADC reading it, a rotate keeping SF ZF AF PF, a
 * zero count keeping everything).  The model above tracks which flags are
 * defined; an instruction that would consume an undefined CF is not
 * generated.  The final flags are read through PUSHF. */
Test(flags, lazy_chains)
{
	static const unsigned widths[3] = { 8, 16, 32 };
	for (unsigned seq = 0; seq < 20000; seq++) {
		uint8_t code[8 * 6 + 4];
		unsigned n = 0, len = 1 + (unsigned)(rnd() % 8);
		uint64_t eax = operand(32, (unsigned)(rnd() % 40)), ebx = operand(32, (unsigned)(rnd() % 40));
		uint32_t flags = (uint32_t)rnd() & FL_ARITH, known = FL_ARITH;
		uint32_t in_flags = flags;
		uint64_t eax0 = eax;
		unsigned ecx = (unsigned)(rnd() & 0xFF);
		char trace[200];
		int tl = 0;
		for (unsigned k = 0; k < len; k++) {
			unsigned w = widths[rnd() % 3], kind = (unsigned)(rnd() % 19);
			uint64_t M = mask_of(w), a = eax & M, b = ebx & M, r;
			uint32_t f, defined, preserved = 0;
			bool needs_cf = kind == ADC || kind == SBB || kind == 8 + 3 + RCL ||
			                kind == 8 + 3 + RCR;
			if (needs_cf && !(known & CF))
				kind = ADD;
			if (w == 16)
				code[n++] = 0x66;
			uint8_t wbit = w == 8 ? 0 : 1;
			if (kind < 8) { /* op eax,ebx */
				code[n++] = (uint8_t)(kind << 3) | wbit;
				code[n++] = 0xD8;
				alu_expect((enum alu_op)kind, w, a, b, (flags & CF) != 0, &r, &f, &defined);
				tl += snprintf(trace + tl, sizeof trace - (size_t)tl, "%s%u ", alu_names[kind], w);
			} else if (kind < 11) { /* inc dec neg */
				unsigned u = kind - 8;
				code[n++] = u < 2 ? (w == 8 ? 0xFE : 0xFF) : (w == 8 ? 0xF6 : 0xF7);
				code[n++] = u < 2 ? (uint8_t)(0xC0 | u << 3) : 0xD8;
				unary_expect((int)u, w, a, flags, &r, &f);
				defined = FL_ARITH;
				preserved = u < 2 ? CF : 0;
				tl += snprintf(trace + tl, sizeof trace - (size_t)tl, "%s%u ",
				               u == 0 ? "inc" : u == 1 ? "dec" : "neg", w);
			} else { /* group 2 by CL */
				enum sh_op op = (enum sh_op)(kind - 11);
				code[n++] = 0xD2 | wbit;
				code[n++] = 0xC0 | (uint8_t)(op << 3);
				shift_expect(op, w, a, ecx, (flags & CF) != 0, flags, &r, &f, &defined);
				if ((ecx & 0x1F) == 0)
					preserved = FL_ARITH;
				else if (op <= RCR)
					preserved = SF | ZF | AF | PF;
				tl += snprintf(trace + tl, sizeof trace - (size_t)tl, "%s%u/%u ",
				               sh_names[op], w, ecx & 0x1F);
			}
			known = (defined & ~preserved) | (preserved & known & defined);
			flags = f;
			if (kind != CMP) /* kinds 0-7 are the ALU ops; 8 on is INC etc. */
				eax = (eax & ~M) | (r & M);
		}
		/* pushfd ; pop edx */
		code[n++] = 0x9C;
		code[n++] = 0x5A;
		machine_code_flat(&m, CODE, code, n);
		struct cpu *c = &m.cpu;
		c->r[R_EAX] = (uint32_t)eax0;
		c->r[R_EBX] = (uint32_t)ebx;
		c->r[R_ECX] = ecx;
		cpu_set_flags(c, 0x2 | in_flags);
		cr_assert_eq(machine_run(&m, len + 2), len + 2);
		char g[8], e[8], d[8];
		cr_assert_eq(c->r[R_EAX], (uint32_t)eax, "%s: EAX %08x, want %08x", trace, c->r[R_EAX],
		             (uint32_t)eax);
		cr_assert_eq(c->r[R_EDX] & known, flags & known, "%s: flags %s, want %s (known %s)",
		             trace, flag_names(c->r[R_EDX] & known, g), flag_names(flags & known, e),
		             flag_names(known, d));
	}
}
