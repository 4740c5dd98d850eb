/* The x87 instructions (D8-DF), SDM Vol 1 ch. 8 and Vol 2.
 *
 * Arithmetic is cpu/fpu/f80.c's; this file is the stack, the tag word, the
 * exception rules and the memory formats.  The rules every handler keeps:
 *  - a waiting instruction first delivers a pending unmasked exception
 *    (#MF with CR0.NE = 1; with NE = 0 FERR# is already asserted and the
 *    PC's IRQ13 path takes it, so the instruction proceeds);
 *  - memory operands are read before any x87 state changes, and stores are
 *    written before it changes, so a fault leaves the x87 as it was;
 *  - an unmasked IE, DE or ZE leaves the destination and the stack alone
 *    (but a load still loads after an unmasked DE, and a compare still
 *    sets the condition codes, "unordered" after an unmasked IE, without
 *    popping); an unmasked OE or UE writes the bias-adjusted result to a
 *    register and nothing to memory, where it is the only flag raised
 *    (SDM Vol 1 §8.5).
 * Where the SDM leaves a choice open (reserved encodings, what a stack
 * fault does to C0-C3, FSTP1, ...) the answer is the host x87's:
 * tests/unit/test_x87_host.c runs random instruction sequences, memory
 * forms, unmasked exceptions and MMX on both and compares every bit. */
#include "cpu-internal.h"
#include "exec.h"

enum { CR0_EM = 4, CR0_TS = 8, CR0_NE = 0x20 };

#define INDEF F80_INDEFINITE

/* ---- the register stack ---- */

static inline unsigned phys(const struct x87 *x, unsigned i) { return (x->top + i) & 7; }
static inline f80 st(const struct x87 *x, unsigned i) { return x->r[phys(x, i)]; }
static inline bool empty(const struct x87 *x, unsigned i) { return !(x->valid >> phys(x, i) & 1); }

static inline void st_set(struct x87 *x, unsigned i, f80 v)
{
	unsigned n = phys(x, i);
	x->r[n] = v;
	x->valid |= (uint8_t)(1 << n);
}

static inline void pop(struct x87 *x)
{
	x->valid &= (uint8_t)~(1 << (x->top & 7));
	x->top = (x->top + 1) & 7;
}

/* Records an instruction's exceptions: sticky flags, C1 (round-up or the
 * stack fault's direction), ES/B/FERR#.  Returns whether the destination
 * may be written: not after an unmasked IE, DE or ZE. */
static bool raise(struct cpu *c, uint16_t f)
{
	struct x87 *x = &c->fpu;
	/* An unmasked denormal operand stops the operation before it computes
	 * anything: no other flag, no rounding (SDM Vol 1 §8.5.2). */
	if (f & FSW_DE & ~x->cw)
		f &= FSW_DE | FSW_IE | FSW_ZE;
	x->sw = (uint16_t)((x->sw & ~FSW_C1) | (f & (FSW_EXC | FSW_SF | FSW_C1)));
	x87_update_es(x);
	return !(f & ~x->cw & (FSW_IE | FSW_DE | FSW_ZE));
}

/* Stack underflow (reading an empty register) and overflow (pushing onto a
 * full one): IE with SF, C1 = 0 / 1 (SDM Vol 1 §8.5.1.1). */
#define UNDERFLOW (FSW_IE | FSW_SF)
#define SRC_DENORMAL 0x8000   /* internal: a denormal single/double source */
#define OVERFLOW (FSW_IE | FSW_SF | FSW_C1)

static void push(struct cpu *c, f80 v, uint16_t flags)
{
	struct x87 *x = &c->fpu;
	unsigned n = (x->top - 1) & 7;
	if ((x->valid >> n & 1) && !(flags & FSW_SF)) {   /* an empty source outranks */
		flags = OVERFLOW;
		v = INDEF;
	}
	/* A load still happens after an unmasked denormal-operand exception
	 * (as the host x87 does it). */
	if (raise(c, flags) || !(flags & (FSW_IE | FSW_ZE))) {
		x->top = n;
		x->r[n] = v;
		x->valid |= (uint8_t)(1 << n);
	}
}

static struct f80_ctx ctx_of(const struct cpu *c)
{
	return (struct f80_ctx){ c->fpu.cw, 0 };
}

/* ---- memory ---- */

static uint32_t rd(struct cpu *c, uint32_t off, unsigned size)
{
	return seg_read(c, c->ea_seg, (c->ea_off + off) & addr_mask(c->cur), size);
}

static void wr(struct cpu *c, uint32_t off, unsigned size, uint32_t v)
{
	seg_write(c, c->ea_seg, (c->ea_off + off) & addr_mask(c->cur), size, v);
}

static uint64_t rd64(struct cpu *c, uint32_t off)
{
	uint64_t lo = rd(c, off, 4);
	return lo | (uint64_t)rd(c, off + 4, 4) << 32;
}

static void wr64(struct cpu *c, uint32_t off, uint64_t v)
{
	wr(c, off, 4, (uint32_t)v);
	wr(c, off + 4, 4, (uint32_t)(v >> 32));
}

static f80 rd80(struct cpu *c, uint32_t off)
{
	uint64_t sig = rd64(c, off);
	return (f80){ sig, (uint16_t)rd(c, off + 8, 2) };
}

static void wr80(struct cpu *c, uint32_t off, f80 v)
{
	wr64(c, off, v.sig);
	wr(c, off + 8, 2, v.se);
}

/* Every byte of a store is checked before the first is written. */
static void check_store(struct cpu *c, unsigned size)
{
	seg_check(c, c->ea_seg, c->ea_off, size, true);
}

/* ---- pending exceptions and the instruction pointers ---- */

void x87_check_pending(struct cpu *c)
{
	if ((c->fpu.sw & FSW_ES) && (c->cr0 & CR0_NE))
		cpu_fault_noerr(c, EX_MF);
}

/* FIP, FCS, FOP, FDP, FDS of a non-control instruction. */
static void note(struct cpu *c, const struct insn *i)
{
	struct x87 *x = &c->fpu;
	x->fip = c->insn_eip;
	x->fcs = c->seg[SEG_CS].sel;
	x->fop = (uint16_t)((i->op & 7) << 8 | i->modrm);
	if (i->mod != 3) {
		x->fdp = c->ea_off;
		x->fds = c->seg[c->ea_seg].sel;
	}
}

/* ---- arithmetic ---- */

enum { K_ADD, K_MUL, K_COM, K_COMP, K_SUB, K_SUBR, K_DIV, K_DIVR };

static f80 arith(struct f80_ctx *ctx, unsigned k, f80 a, f80 b)
{
	switch (k) {
	case K_ADD: return f80_add(ctx, a, b);
	case K_MUL: return f80_mul(ctx, a, b);
	case K_SUB: return f80_sub(ctx, a, b);
	case K_SUBR: return f80_sub(ctx, b, a);
	case K_DIV: return f80_div(ctx, a, b);
	default: return f80_div(ctx, b, a);
	}
}

/* The memory source was a denormal single or double: DE unless the
 * operation's NaN, IE or ZE outranks it. */
static uint16_t src_denormal_de(uint16_t bflags, uint16_t flags, f80 a)
{
	if (!(bflags & SRC_DENORMAL) || (flags & (F80_IE | F80_ZE)) || f80_is_nan(a))
		return flags & ~SRC_DENORMAL;
	return (flags & ~SRC_DENORMAL) | F80_DE;
}

/* C3 C2 C0 of a comparison: >, <, =, unordered. */
static const uint16_t cmp_cc[] = {
	[F80_GT] = 0, [F80_LT] = FSW_C0, [F80_EQ] = FSW_C3, [F80_UN] = FSW_C3 | FSW_C2 | FSW_C0,
};

/* FCOM/FUCOM/FCOMI/FUCOMI/FTST/FICOM: a against b; pops 0-2 registers;
 * to_eflags: ZF PF CF instead of C3 C2 C0 (FCOMI). */
static void compare(struct cpu *c, f80 a, bool ae, f80 b, bool be, bool quiet, int pops,
                    bool to_eflags, uint16_t flags)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	int rel;
	if (ae || be) {
		ctx.flags = UNDERFLOW;
		rel = F80_UN;
	} else {
		ctx.flags = flags & ~SRC_DENORMAL;
		rel = f80_compare(&ctx, a, b, quiet);
		ctx.flags = src_denormal_de(flags, ctx.flags, a);
	}
	uint16_t c1 = c->fpu.sw & FSW_C1;
	if (!raise(c, ctx.flags & ~FSW_C1)) {
		/* An unmasked IE still reports "unordered", an unmasked DE the
		 * comparison; neither pops. */
		if (ctx.flags & FSW_IE & ~x->cw)
			rel = F80_UN;
		pops = 0;
	}
	if (to_eflags) {
		/* FCOMI and FUCOMI leave C1 alone unless the stack faulted. */
		if (!(ctx.flags & FSW_SF))
			x->sw |= c1;
		static const uint32_t ef[] = {
			[F80_GT] = 0, [F80_LT] = FL_CF, [F80_EQ] = FL_ZF,
			[F80_UN] = FL_ZF | FL_PF | FL_CF,
		};
		flags_set_arith(c, FL_ARITH, ef[rel]);
	} else {
		x->sw = (uint16_t)((x->sw & ~(FSW_C0 | FSW_C2 | FSW_C3)) | cmp_cc[rel]);
	}
	while (pops--)
		pop(x);
}

/* dst = a op b with a = ST(dst); b's flags (its load from memory) in bflags. */
static void arith_to(struct cpu *c, unsigned k, unsigned dst, f80 a, bool ae, f80 b, bool be,
                     uint16_t bflags, bool popafter)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	f80 r;
	if (ae || be) {
		ctx.flags = UNDERFLOW;
		r = INDEF;
	} else {
		ctx.flags = bflags & ~SRC_DENORMAL;
		r = arith(&ctx, k, a, b);
		ctx.flags = src_denormal_de(bflags, ctx.flags, a);
	}
	if (raise(c, ctx.flags)) {
		st_set(x, dst, r);
		if (popafter)
			pop(x);
	}
}

/* The memory operand of D8/DA/DC/DE as an f80, with the flags its
 * conversion raised (an SNaN or denormal single or double). */
static f80 load_mem_operand(struct cpu *c, unsigned op, uint16_t *flags)
{
	struct f80_ctx ctx = ctx_of(c);
	f80 v;
	switch (op) {
	case 0xD8: {
		uint32_t m = rd(c, 0, 4);
		v = f80_from_f32(&ctx, m);
		if ((m & 0x7FC00000) == 0x7F800000 && (m & 0x3FFFFF)) {
			/* an SNaN stays one, so the operation's NaN rules see it */
			v.sig &= ~0x4000000000000000ull;
			ctx.flags &= ~F80_IE;
		}
		break;
	}
	case 0xDC: {
		uint64_t m = rd64(c, 0);
		v = f80_from_f64(&ctx, m);
		if ((m & 0x7FF8000000000000ull) == 0x7FF0000000000000ull && (m & 0x7FFFFFFFFFFFFull)) {
			v.sig &= ~0x4000000000000000ull;
			ctx.flags &= ~F80_IE;
		}
		break;
	}
	case 0xDA: v = f80_from_i64((int32_t)rd(c, 0, 4)); break;
	default: v = f80_from_i64((int16_t)rd(c, 0, 2)); break;
	}
	/* A denormal single or double becomes a normal f80: its DE is decided
	 * with the operation (a NaN, invalid or zero-divide outranks it). */
	*flags = ctx.flags & F80_DE ? (ctx.flags & ~F80_DE) | SRC_DENORMAL : ctx.flags;
	return v;
}

static void fcmov(struct cpu *c, struct insn *i);

/* D8 DA DC DE: the arithmetic group. */
static void x87_arith_group(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	unsigned op = i->op, k = i->reg;
	if (i->mod != 3) {
		uint16_t fl;
		f80 b = load_mem_operand(c, op, &fl);
		note(c, i);
		if (k == K_COM || k == K_COMP)
			compare(c, st(x, 0), empty(x, 0), b, false, false, k == K_COMP, false, fl);
		else
			arith_to(c, k, 0, st(x, 0), empty(x, 0), b, false, fl, false);
		return;
	}
	note(c, i);
	unsigned r = i->rm;
	if (op == 0xDA) {
		/* FCMOVB FCMOVE FCMOVBE FCMOVU (P6), FUCOMPP. */
		if (i->reg < 4) {
			fcmov(c, i);
			return;
		}
		if (i->modrm == 0xE9) {
			compare(c, st(x, 0), empty(x, 0), st(x, 1), empty(x, 1), true, 2, false, 0);
			return;
		}
		cpu_ud(c);
	}
	if (op == 0xD8) {
		if (k == K_COM || k == K_COMP)
			compare(c, st(x, 0), empty(x, 0), st(x, r), empty(x, r), false, k == K_COMP, false, 0);
		else
			arith_to(c, k, 0, st(x, 0), empty(x, 0), st(x, r), empty(x, r), 0, false);
		return;
	}
	/* DC / DE register forms: ST(i) = ST(i) op ST(0), with SUB/SUBR and
	 * DIV/DIVR swapped (DC E0+i is FSUBR ST(i),ST(0)); /2 /3 are FCOM
	 * aliases, DE D9 is FCOMPP. */
	if (k == K_COM || k == K_COMP) {
		if (op == 0xDE && k == K_COMP) {
			if (r != 1)
				cpu_ud(c);
			compare(c, st(x, 0), empty(x, 0), st(x, 1), empty(x, 1), false, 2, false, 0);
			return;
		}
		compare(c, st(x, 0), empty(x, 0), st(x, r), empty(x, r), false,
		        k == K_COMP || op == 0xDE, false, 0);
		return;
	}
	if (k >= K_SUB)
		k ^= 1;
	arith_to(c, k, r, st(x, r), empty(x, r), st(x, 0), empty(x, 0), 0, op == 0xDE);
}

/* FCMOVcc ST(0), ST(i) (P6): DA /0-/3 B E BE U, DB /0-/3 their negations. */
static void fcmov(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	if (c->model->gen < GEN_686)
		cpu_ud(c);
	static const uint8_t jcc[] = { 0x2, 0x4, 0x6, 0xA };   /* B E BE P */
	bool cond = cpu_cond(c, jcc[i->reg & 3]);
	if (i->op == 0xDB)
		cond = !cond;
	if (empty(x, 0) || empty(x, i->rm)) {
		if (raise(c, UNDERFLOW))   /* the indefinite whatever the condition */
			st_set(x, 0, INDEF);
		return;
	}
	if (cond)   /* C1 stays (as on the host x87) */
		st_set(x, 0, st(x, i->rm));
}

/* One-operand ST(0) = f(ST(0)) (FSQRT, FRNDINT, FCHS, FABS, ...). */
static void unary(struct cpu *c, f80 (*fn)(struct f80_ctx *, f80))
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	f80 r = INDEF;
	if (empty(x, 0))
		ctx.flags = UNDERFLOW;
	else
		r = fn(&ctx, st(x, 0));
	if (raise(c, ctx.flags))
		st_set(x, 0, r);
}

static f80 op_chs(struct f80_ctx *ctx, f80 a) { (void)ctx; a.se ^= 0x8000; return a; }
static f80 op_abs(struct f80_ctx *ctx, f80 a) { (void)ctx; a.se &= 0x7FFF; return a; }

/* ST(1) op ST(0) with ST(1) as the destination, then pop (FYL2X,
 * FPATAN, FYL2XP1); or ST(0) = ST(0) op ST(1) without a pop (FSCALE). */
static void binary_st1(struct cpu *c, f80 (*fn)(struct f80_ctx *, f80, f80), bool to_st1)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	f80 r = INDEF;
	if (empty(x, 0) || empty(x, 1))
		ctx.flags = UNDERFLOW;
	else
		r = fn(&ctx, st(x, 0), st(x, 1));
	if (raise(c, ctx.flags)) {
		if (to_st1) {
			st_set(x, 1, r);
			pop(x);
		} else {
			st_set(x, 0, r);
		}
	}
}

static f80 op_scale(struct f80_ctx *ctx, f80 a, f80 b) { return f80_scale(ctx, a, b); }
static f80 op_yl2x(struct f80_ctx *ctx, f80 a, f80 b) { return f80_yl2x(ctx, b, a); }
static f80 op_yl2xp1(struct f80_ctx *ctx, f80 a, f80 b) { return f80_yl2xp1(ctx, b, a); }
static f80 op_patan(struct f80_ctx *ctx, f80 a, f80 b) { return f80_atan2(ctx, b, a); }

/* FPREM / FPREM1: C0 C3 C1 = quotient bits 2 1 0, C2 = incomplete. */
static void prem(struct cpu *c, bool ieee)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	uint16_t cc = 0;
	f80 r = INDEF;
	if (empty(x, 0) || empty(x, 1))
		ctx.flags = UNDERFLOW;
	else
		r = f80_prem(&ctx, st(x, 0), st(x, 1), ieee, &cc);
	if (raise(c, ctx.flags & ~FSW_C1)) {
		st_set(x, 0, r);
		if (ctx.flags == UNDERFLOW || cc == F80_PREM_CC_KEEP)   /* C2 clear, C0 C3 kept */
			x->sw &= (uint16_t)~FSW_C2;
		else
			x->sw = (uint16_t)((x->sw & ~FSW_CC) | cc);
	}
}

/* FXTRACT: ST(0) = exponent, then push the significand. */
static void xtract(struct cpu *c)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	f80 e = INDEF, s = INDEF;
	if (empty(x, 0))
		ctx.flags = UNDERFLOW;
	else if (!empty(x, 7))
		ctx.flags = OVERFLOW;
	else
		s = f80_xtract(&ctx, st(x, 0), &e);
	if (raise(c, ctx.flags)) {
		st_set(x, 0, e);
		x->top = (x->top - 1) & 7;
		st_set(x, 0, s);
	}
}

/* FSIN FCOS FPTAN: out of range (|x| >= 2^63) sets C2 and leaves ST(0). */
static void trig(struct cpu *c, int which)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	f80 a = st(x, 0), r1 = INDEF, r2 = INDEF;
	bool push2 = which != 0 && which != 1;   /* FPTAN and FSINCOS push */
	if (empty(x, 0))
		ctx.flags = UNDERFLOW;
	else if (push2 && !empty(x, 7))
		ctx.flags = OVERFLOW;
	else if (f80_trig_out_of_range(a)) {
		raise(c, 0);
		x->sw |= FSW_C2;
		return;
	} else {
		switch (which) {
		case 0: r1 = f80_sin(&ctx, a); break;
		case 1: r1 = f80_cos(&ctx, a); break;
		case 2: r1 = f80_tan(&ctx, a, &r2); break;      /* FPTAN: tan, then 1.0 */
		default: r1 = f80_sincos(&ctx, a, &r2); break;  /* FSINCOS: sin, then cos */
		}
	}
	if (!raise(c, ctx.flags))
		return;
	x->sw &= (uint16_t)~FSW_C2;
	st_set(x, 0, r1);
	if (push2) {
		x->top = (x->top - 1) & 7;
		st_set(x, 0, r2);
	}
}

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ: the 387's 66-bit constants
 * rounded to 64 bits under RC (no exception is raised). */
static f80 constant(struct cpu *c, unsigned n)
{
	static const struct { uint16_t e; uint64_t hi, lo; } k[] = {
		{ 0x3FFF, 0x8000000000000000ull, 0 },                       /* 1 */
		{ 0x4000, 0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull },   /* log2(10) */
		{ 0x3FFF, 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E89ull },   /* log2(e) */
		{ 0x4000, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull },   /* pi */
		{ 0x3FFD, 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull },   /* log10(2) */
		{ 0x3FFE, 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull },   /* ln(2) */
	};
	if (n == 6)
		return F80_MAKE(0, 0, 0);
	struct f80_ctx ctx = ctx_of(c);
	return f80_round_pack(&ctx, false, k[n].e, k[n].hi, k[n].lo, 64);
}

static void fxam(struct cpu *c)
{
	struct x87 *x = &c->fpu;
	static const uint16_t cls[] = {
		[F80_ZERO] = FSW_C3, [F80_DENORMAL] = FSW_C3 | FSW_C2, [F80_NORMAL] = FSW_C2,
		[F80_INF] = FSW_C2 | FSW_C0, [F80_QNAN] = FSW_C0, [F80_SNAN] = FSW_C0,
		[F80_UNSUPPORTED] = 0,
	};
	f80 a = st(x, 0);
	uint16_t cc = empty(x, 0) ? FSW_C3 | FSW_C0 : cls[f80_classify(a)];
	if (f80_sign(a))
		cc |= FSW_C1;
	x->sw = (uint16_t)((x->sw & ~FSW_CC) | cc);
}

static void fxch(struct cpu *c, unsigned r)
{
	struct x87 *x = &c->fpu;
	uint16_t fl = 0;
	if (empty(x, 0) || empty(x, r)) {
		fl = UNDERFLOW;
		if (!raise(c, fl))
			return;
		if (empty(x, 0))
			st_set(x, 0, INDEF);
		if (empty(x, r))
			st_set(x, r, INDEF);
	} else {
		raise(c, 0);
	}
	f80 t = st(x, 0);
	st_set(x, 0, st(x, r));
	st_set(x, r, t);
}

/* FST/FSTP ST(i). */
static void fst_reg(struct cpu *c, unsigned r, bool popafter)
{
	struct x87 *x = &c->fpu;
	if (empty(x, 0)) {
		if (!raise(c, UNDERFLOW))
			return;
		st_set(x, r, INDEF);
	} else {
		raise(c, 0);
		st_set(x, r, st(x, 0));
	}
	if (popafter)
		pop(x);
}

static void x87_d9_reg(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	unsigned r = i->rm;
	switch (i->reg) {
	case 0: {   /* FLD ST(i) */
		if (empty(x, r))
			push(c, INDEF, UNDERFLOW);
		else
			push(c, st(x, r), 0);
		return;
	}
	case 1: fxch(c, r); return;
	case 2:
		if (r != 0)
			cpu_ud(c);
		return;   /* FNOP: the condition codes stay */
	case 3: {
		/* D9 D8+i, the reserved FSTP1: an FSTP ST(i) without the stack
		 * fault (as the host x87 runs it); with ST(0) empty it only pops. */
		raise(c, 0);
		if (!empty(x, 0))
			st_set(x, r, st(x, 0));
		pop(x);
		return;
	}
	default: break;
	}
	switch (i->modrm) {
	case 0xE0: unary(c, op_chs); return;
	case 0xE1: unary(c, op_abs); return;
	case 0xE4:
		compare(c, st(x, 0), empty(x, 0), F80_MAKE(0, 0, 0), false, false, 0, false, 0);
		return;
	case 0xE5: fxam(c); return;
	case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0xEC: case 0xED: case 0xEE: {
		static const uint8_t idx[] = { 0, 1, 2, 3, 4, 5, 6 };
		push(c, constant(c, idx[i->modrm - 0xE8]), 0);
		return;
	}
	case 0xF0: unary(c, f80_2xm1); return;
	case 0xF1: binary_st1(c, op_yl2x, true); return;
	case 0xF2: trig(c, 2); return;
	case 0xF3: binary_st1(c, op_patan, true); return;
	case 0xF4: xtract(c); return;
	case 0xF5: prem(c, true); return;
	case 0xF6: x->top = (x->top - 1) & 7; raise(c, 0); return;
	case 0xF7: x->top = (x->top + 1) & 7; raise(c, 0); return;
	case 0xF8: prem(c, false); return;
	case 0xF9: binary_st1(c, op_yl2xp1, true); return;
	case 0xFA: unary(c, f80_sqrt); return;
	case 0xFB: trig(c, 3); return;
	case 0xFC: unary(c, f80_round_int); return;
	case 0xFD: binary_st1(c, op_scale, false); return;
	case 0xFE: trig(c, 0); return;
	case 0xFF: trig(c, 1); return;
	default: cpu_ud(c);
	}
}

/* ---- stores to memory ---- */

enum st_fmt { ST_F32, ST_F64, ST_F80, ST_I16, ST_I32, ST_I64, ST_BCD };
static const uint8_t fmt_size[] = { 4, 8, 10, 2, 4, 8, 10 };

static void store(struct cpu *c, struct insn *i, enum st_fmt f, bool popafter)
{
	struct x87 *x = &c->fpu;
	struct f80_ctx ctx = ctx_of(c);
	f80 a = st(x, 0);
	uint64_t v = 0;
	uint8_t bcd[10];
	bool under = empty(x, 0);
	if (under) {
		ctx.flags = UNDERFLOW;
		a = INDEF;
	}
	switch (f) {
	case ST_F32: v = f80_to_f32(&ctx, a); break;
	case ST_F64: v = f80_to_f64(&ctx, a); break;
	case ST_F80: break;
	case ST_I16: v = (uint64_t)f80_to_int(&ctx, a, 16); break;
	case ST_I32: v = (uint64_t)f80_to_int(&ctx, a, 32); break;
	case ST_I64: v = (uint64_t)f80_to_int(&ctx, a, 64); break;
	case ST_BCD: f80_to_bcd(&ctx, a, bcd); break;
	}
	if (under) {
		ctx.flags = UNDERFLOW;
		a = INDEF;
	}
	uint16_t unmasked = ctx.flags & ~x->cw & FSW_EXC;
	bool write = !(unmasked & (FSW_IE | FSW_DE | FSW_ZE | FSW_OE | FSW_UE));
	/* An unmasked overflow or underflow to memory stores nothing and
	 * reports only itself. */
	if (unmasked & (FSW_OE | FSW_UE))
		ctx.flags &= unmasked & (FSW_OE | FSW_UE);
	if (write) {
		check_store(c, fmt_size[f]);
		switch (f) {
		case ST_F32: case ST_I32: wr(c, 0, 4, (uint32_t)v); break;
		case ST_F64: case ST_I64: wr64(c, 0, v); break;
		case ST_I16: wr(c, 0, 2, (uint32_t)v); break;
		case ST_F80: wr80(c, 0, a); break;
		case ST_BCD:
			for (int k = 0; k < 10; k++)
				wr(c, (uint32_t)k, 1, bcd[k]);
			break;
		}
	}
	note(c, i);
	raise(c, ctx.flags);
	if (write && popafter)
		pop(x);
}

/* ---- the environment and the saved state (SDM Vol 1 §8.1.10, Figures
 * 8-9 to 8-12) ---- */

static bool env_pmode(const struct cpu *c)
{
	return c->pmode && !(c->flags & FL_VM);
}

/* Stores the 14- or 28-byte environment at the operand; returns its size. */
static unsigned store_env(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	uint16_t sw = x87_get_sw(x), tw = x87_get_tw(x);
	bool pm = env_pmode(c);
	uint32_t fip = x->fip, fdp = x->fdp;
	if (!pm) {   /* real mode: 20/32-bit linear pointers */
		fip += (uint32_t)x->fcs << 4;
		fdp += (uint32_t)x->fds << 4;
	}
	if (i->osize == 4) {
		check_store(c, 28);
		wr(c, 0, 4, 0xFFFF0000u | x->cw);
		wr(c, 4, 4, 0xFFFF0000u | sw);
		wr(c, 8, 4, 0xFFFF0000u | tw);
		if (pm) {
			wr(c, 12, 4, fip);
			wr(c, 16, 4, (uint32_t)x->fop << 16 | x->fcs);
			wr(c, 20, 4, fdp);
			wr(c, 24, 4, 0xFFFF0000u | x->fds);
		} else {
			wr(c, 12, 4, 0xFFFF0000u | (fip & 0xFFFF));
			wr(c, 16, 4, (fip >> 16) << 12 | x->fop);
			wr(c, 20, 4, 0xFFFF0000u | (fdp & 0xFFFF));
			wr(c, 24, 4, (fdp >> 16) << 12);
		}
		return 28;
	}
	check_store(c, 14);
	wr(c, 0, 2, x->cw);
	wr(c, 2, 2, sw);
	wr(c, 4, 2, tw);
	if (pm) {
		wr(c, 6, 2, fip & 0xFFFF);
		wr(c, 8, 2, x->fcs);
		wr(c, 10, 2, fdp & 0xFFFF);
		wr(c, 12, 2, x->fds);
	} else {
		wr(c, 6, 2, fip & 0xFFFF);
		wr(c, 8, 2, ((fip >> 16) & 0xF) << 12 | x->fop);
		wr(c, 10, 2, fdp & 0xFFFF);
		wr(c, 12, 2, ((fdp >> 16) & 0xF) << 12);
	}
	return 14;
}

struct env {
	uint16_t cw, sw, tw, fop, fcs, fds;
	uint32_t fip, fdp;
};

static unsigned load_env(struct cpu *c, struct insn *i, struct env *e)
{
	bool pm = env_pmode(c);
	if (i->osize == 4) {
		e->cw = (uint16_t)rd(c, 0, 2);
		e->sw = (uint16_t)rd(c, 4, 2);
		e->tw = (uint16_t)rd(c, 8, 2);
		if (pm) {
			e->fip = rd(c, 12, 4);
			uint32_t w = rd(c, 16, 4);
			e->fcs = (uint16_t)w;
			e->fop = (w >> 16) & 0x7FF;
			e->fdp = rd(c, 20, 4);
			e->fds = (uint16_t)rd(c, 24, 2);
		} else {
			uint32_t w = rd(c, 16, 4);
			e->fip = (rd(c, 12, 2) | (w >> 12) << 16);
			e->fop = w & 0x7FF;
			e->fdp = (rd(c, 20, 2) | (rd(c, 24, 4) >> 12) << 16);
			e->fcs = e->fds = 0;
		}
		return 28;
	}
	e->cw = (uint16_t)rd(c, 0, 2);
	e->sw = (uint16_t)rd(c, 2, 2);
	e->tw = (uint16_t)rd(c, 4, 2);
	if (pm) {
		e->fip = rd(c, 6, 2);
		e->fcs = (uint16_t)rd(c, 8, 2);
		e->fdp = rd(c, 10, 2);
		e->fds = (uint16_t)rd(c, 12, 2);
		e->fop = 0;
	} else {
		uint32_t w = rd(c, 8, 2);
		e->fip = rd(c, 6, 2) | (w >> 12) << 16;
		e->fop = w & 0x7FF;
		e->fdp = rd(c, 10, 2) | (rd(c, 12, 2) >> 12) << 16;
		e->fcs = e->fds = 0;
	}
	return 14;
}

static void commit_env(struct cpu *c, const struct env *e)
{
	struct x87 *x = &c->fpu;
	x->cw = (uint16_t)((e->cw & 0x1F3F) | 0x40);
	x87_set_tw(x, e->tw);
	x->fip = e->fip;
	x->fdp = e->fdp;
	x->fcs = e->fcs;
	x->fds = e->fds;
	x->fop = e->fop;
	x87_set_sw(x, e->sw);   /* ES from the loaded flags and masks */
}

static void fsave(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	unsigned base = i->osize == 4 ? 28 : 14;
	check_store(c, base + 80);
	store_env(c, i);
	for (unsigned k = 0; k < 8; k++)
		wr80(c, base + 10 * k, st(x, k));
	x87_reset(x);
}

static void frstor(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	struct env e;
	f80 regs[8];
	unsigned base = load_env(c, i, &e);
	for (unsigned k = 0; k < 8; k++)
		regs[k] = rd80(c, base + 10 * k);
	commit_env(c, &e);
	for (unsigned k = 0; k < 8; k++)
		x->r[phys(x, k)] = regs[k];
}

/* ---- D9 DB DD DF memory forms ---- */

static void fld_mem(struct cpu *c, struct insn *i, unsigned kind)
{
	struct f80_ctx ctx = ctx_of(c);
	f80 v;
	uint8_t bcd[10];
	switch (kind) {
	case 0: v = f80_from_f32(&ctx, rd(c, 0, 4)); break;
	case 1: v = f80_from_f64(&ctx, rd64(c, 0)); break;
	case 2: v = rd80(c, 0); break;
	case 3: v = f80_from_i64((int16_t)rd(c, 0, 2)); break;
	case 4: v = f80_from_i64((int32_t)rd(c, 0, 4)); break;
	case 5: v = f80_from_i64((int64_t)rd64(c, 0)); break;
	default:
		for (int k = 0; k < 10; k++)
			bcd[k] = (uint8_t)rd(c, (uint32_t)k, 1);
		v = f80_from_bcd(bcd);
		break;
	}
	note(c, i);
	push(c, v, ctx.flags);
}

static void x87_mem_misc(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	switch ((i->op & 7) << 3 | i->reg) {
	case 010: fld_mem(c, i, 0); return;                  /* D9 /0 FLD m32 */
	case 012: store(c, i, ST_F32, false); return;        /* FST m32 */
	case 013: store(c, i, ST_F32, true); return;         /* FSTP m32 */
	case 014: {                                          /* FLDENV */
		struct env e;
		load_env(c, i, &e);
		commit_env(c, &e);
		return;
	}
	case 015:                                            /* FLDCW */
		x->cw = (uint16_t)((rd(c, 0, 2) & 0x1F3F) | 0x40);
		x87_update_es(x);
		return;
	case 016:                                            /* FNSTENV */
		store_env(c, i);
		x->cw |= 0x3F;
		x87_update_es(x);
		return;
	case 017: check_store(c, 2); wr(c, 0, 2, x->cw); return;   /* FNSTCW */
	case 030: fld_mem(c, i, 4); return;                  /* DB /0 FILD m32 */
	case 032: store(c, i, ST_I32, false); return;        /* FIST m32 */
	case 033: store(c, i, ST_I32, true); return;         /* FISTP m32 */
	case 035: fld_mem(c, i, 2); return;                  /* FLD m80 */
	case 037: store(c, i, ST_F80, true); return;         /* FSTP m80 */
	case 050: fld_mem(c, i, 1); return;                  /* DD /0 FLD m64 */
	case 052: store(c, i, ST_F64, false); return;        /* FST m64 */
	case 053: store(c, i, ST_F64, true); return;         /* FSTP m64 */
	case 054: frstor(c, i); return;                      /* FRSTOR */
	case 056: fsave(c, i); return;                       /* FNSAVE */
	case 057: check_store(c, 2); wr(c, 0, 2, x87_get_sw(x)); return;   /* FNSTSW m16 */
	case 070: fld_mem(c, i, 3); return;                  /* DF /0 FILD m16 */
	case 072: store(c, i, ST_I16, false); return;        /* FIST m16 */
	case 073: store(c, i, ST_I16, true); return;         /* FISTP m16 */
	case 074: fld_mem(c, i, 6); return;                  /* FBLD */
	case 075: fld_mem(c, i, 5); return;                  /* FILD m64 */
	case 076: store(c, i, ST_BCD, true); return;         /* FBSTP */
	case 077: store(c, i, ST_I64, true); return;         /* FISTP m64 */
	default: cpu_ud(c);   /* FISTTP (SSE3) and the reserved slots */
	}
}

/* ---- DB DD DF register forms ---- */

static void x87_reg_misc(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	unsigned r = i->rm;
	bool p6 = c->model->gen >= GEN_686;
	switch ((i->op & 7) << 3 | i->reg) {
	case 030: case 031: case 032: case 033: fcmov(c, i); return;   /* FCMOVNcc */
	case 034:
		switch (i->modrm) {
		case 0xE0: case 0xE1: case 0xE4: return;   /* FENI FDISI FSETPM: no-ops since the 387 */
		case 0xE2: x->sw &= (uint16_t)~(FSW_EXC | FSW_SF); x87_update_es(x); return;   /* FNCLEX */
		case 0xE3: x87_reset(x); return;   /* FNINIT */
		default: cpu_ud(c);
		}
	case 035: case 036:   /* FUCOMI FCOMI */
		if (!p6)
			cpu_ud(c);
		compare(c, st(x, 0), empty(x, 0), st(x, r), empty(x, r), i->reg == 5, 0, true, 0);
		return;
	case 050: case 070:   /* FFREE; FFREEP (DF C0+i, undocumented: free and pop) */
		x->valid &= (uint8_t)~(1 << phys(x, r));
		raise(c, 0);
		if (i->op == 0xDF)
			pop(x);
		return;
	case 051: case 071: fxch(c, r); return;   /* FXCH4, FXCH7: aliases of FXCH */
	case 052: fst_reg(c, r, false); return;
	case 053: case 072: case 073: fst_reg(c, r, true); return;   /* FSTP; FSTP8, FSTP9 */
	case 054: case 055:   /* FUCOM FUCOMP */
		compare(c, st(x, 0), empty(x, 0), st(x, r), empty(x, r), true, i->reg == 5, false, 0);
		return;
	case 074:   /* FNSTSW AX */
		if (r != 0)
			cpu_ud(c);
		reg_set(c, R_EAX, 2, x87_get_sw(x));
		return;
	case 075: case 076:   /* FUCOMIP FCOMIP */
		if (!p6)
			cpu_ud(c);
		compare(c, st(x, 0), empty(x, 0), st(x, r), empty(x, r), i->reg == 5, 1, true, 0);
		return;
	default: cpu_ud(c);
	}
}

/* Whether an instruction is a control instruction (does not update FIP,
 * FOP, FDP) and whether it waits (checks for a pending exception first). */
static bool is_nowait(const struct insn *i)
{
	unsigned o = (i->op & 7) << 3 | i->reg;
	if (i->mod != 3)
		return o == 016 || o == 017 || o == 056 || o == 057;   /* FNSTENV FNSTCW FNSAVE FNSTSW */
	return i->modrm == 0xE2 && i->op == 0xDB ? true :           /* FNCLEX */
	       i->modrm == 0xE3 && i->op == 0xDB ? true :           /* FNINIT */
	       i->modrm == 0xE0 && i->op == 0xDF;                   /* FNSTSW AX */
}

static bool is_control(const struct insn *i)
{
	unsigned o = (i->op & 7) << 3 | i->reg;
	if (i->mod != 3)
		return o == 014 || o == 015 || o == 016 || o == 017 || o == 054 || o == 056 || o == 057;
	return i->op == 0xDB && i->reg == 4;   /* FNCLEX FNINIT FENI FDISI FSETPM */
}

/* The register forms that are #UD (SDM Vol 2 Appendix A.5 escape opcode
 * maps: the reserved slots; FCMOVcc and FCOMI/FUCOMI before the P6).
 * Checked first, so an undefined opcode changes no x87 state. */
static bool reserved_reg_form(const struct cpu *c, const struct insn *i)
{
	bool p6 = c->model->gen >= GEN_686;
	unsigned m = i->modrm;
	switch (i->op) {
	case 0xD9:
		return (i->reg == 2 && i->rm != 0) || m == 0xE2 || m == 0xE3 || m == 0xE6 ||
		       m == 0xE7 || m == 0xEF;
	case 0xDA:
		return i->reg < 4 ? !p6 : m != 0xE9;
	case 0xDB:
		return i->reg == 7 || (i->reg == 4 && m > 0xE4) ||
		       (!p6 && (i->reg < 4 || i->reg == 5 || i->reg == 6));
	case 0xDD:
		return i->reg >= 6;
	case 0xDE:
		return i->reg == 3 && m != 0xD9;
	case 0xDF:
		return i->reg == 7 || (i->reg == 4 && m != 0xE0) ||
		       (!p6 && (i->reg == 5 || i->reg == 6));
	default:
		return false;
	}
}

/* D8-DF, called by exec_esc once the CR0.EM/TS checks passed. */
void exec_x87(struct cpu *c, struct insn *i)
{
	if (i->mod == 3 && reserved_reg_form(c, i))
		cpu_ud(c);
	if (!is_nowait(i))
		x87_check_pending(c);
	if (i->mod != 3)
		ea_compute(c, i);
	if (i->op == 0xD8 || i->op == 0xDA || i->op == 0xDC || i->op == 0xDE) {
		x87_arith_group(c, i);
		return;
	}
	if (i->mod != 3) {
		x87_mem_misc(c, i);
		return;
	}
	if (!is_control(i))
		note(c, i);
	if (i->op == 0xD9)
		x87_d9_reg(c, i);
	else
		x87_reg_misc(c, i);
}

/* FXSAVE / FXRSTOR (0F AE /0 /1): the 512-byte image of the P6 (SDM Vol 2
 * FXSAVE, Table 3-53), x87 and MMX part; amber has no SSE, so MXCSR and
 * the XMM area are neither written nor read.  Non-waiting, like FNSAVE. */
void exec_fxsave(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	if (!(c->model->cpuid_features & (1u << 24)) || i->mod == 3 || i->reg > 1)
		cpu_ud(c);
	if (c->cr0 & CR0_EM)
		cpu_ud(c);
	if (c->cr0 & CR0_TS)
		cpu_fault_noerr(c, EX_NM);
	ea_compute(c, i);
	if ((c->seg[c->ea_seg].base + c->ea_off) & 15)
		cpu_gp0(c);
	if (i->reg == 0) {
		check_store(c, 288);
		wr(c, 0, 2, x->cw);
		wr(c, 2, 2, x87_get_sw(x));
		wr(c, 4, 2, x->valid);
		wr(c, 6, 2, x->fop);
		wr(c, 8, 4, x->fip);
		wr(c, 12, 4, x->fcs);
		wr(c, 16, 4, x->fdp);
		wr(c, 20, 4, x->fds);
		for (unsigned k = 0; k < 8; k++) {
			wr80(c, 32 + 16 * k, st(x, k));
			wr(c, 42 + 16 * k, 2, 0);
			wr(c, 44 + 16 * k, 4, 0);
		}
		return;
	}
	struct env e;
	f80 regs[8];
	e.cw = (uint16_t)rd(c, 0, 2);
	e.sw = (uint16_t)rd(c, 2, 2);
	uint8_t valid = (uint8_t)rd(c, 4, 1);
	e.fop = (uint16_t)rd(c, 6, 2) & 0x7FF;
	e.fip = rd(c, 8, 4);
	e.fcs = (uint16_t)rd(c, 12, 2);
	e.fdp = rd(c, 16, 4);
	e.fds = (uint16_t)rd(c, 20, 2);
	for (unsigned k = 0; k < 8; k++)
		regs[k] = rd80(c, 32 + 16 * k);
	e.tw = 0;
	commit_env(c, &e);
	x->valid = valid;
	for (unsigned k = 0; k < 8; k++)
		x->r[phys(x, k)] = regs[k];
}
