/* The x87's 80-bit extended arithmetic in portable C (see f80.h).
 *
 * Internally a finite value is (sign, exp, m): m a 128-bit significand
 * with the integer bit at bit 127, exp biased by 16383, so the value is
 * m * 2^(exp - 16383 - 127).  Every operation computes its exact result
 * into that form (with the bits it cannot keep ORed into bit 0, "sticky"),
 * and round_generic rounds it once, as IEEE 754 and the SDM require.
 * 128-bit integers are the compilers' unsigned __int128 (GCC and Clang on
 * every 64-bit host amber targets). */
#include "f80.h"

#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define BIAS F80_EXP_BIAS
#define QUIET_BIT 0x4000000000000000ull
#define J_BIT 0x8000000000000000ull

/* Tininess is detected after rounding on the x87 (as SoftFloat's 8086
 * specialisation models it); the host comparison test holds it to that. */
#define TINY_AFTER_ROUNDING 1

static inline unsigned rc_of(const struct f80_ctx *ctx) { return (ctx->cw >> 10) & 3; }

unsigned f80_precision(const struct f80_ctx *ctx)
{
	switch ((ctx->cw >> 8) & 3) {
	case F80_PC_24: return 24;
	case F80_PC_53: return 53;
	default: return 64;   /* 01 is reserved; the x87 treats it as 64 */
	}
}

static inline int clz64(uint64_t v) { return __builtin_clzll(v); }
static inline int clz128(u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);
	return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}

static inline u128 shr_jam(u128 v, int32_t n)
{
	if (n <= 0)
		return v;
	if (n >= 128)
		return v != 0;
	return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

enum f80_class f80_classify(f80 a)
{
	unsigned e = f80_exp(a);
	if (e == 0)
		return a.sig ? F80_DENORMAL : F80_ZERO;
	if (!(a.sig & J_BIT))
		return F80_UNSUPPORTED;
	if (e == 0x7FFF) {
		if (!(a.sig << 1))
			return F80_INF;
		return a.sig & QUIET_BIT ? F80_QNAN : F80_SNAN;
	}
	return F80_NORMAL;
}

/* A finite nonzero operand, normalised (denormals and pseudo-denormals get
 * an exponent below 1; a pseudo-denormal's exponent is 1). */
struct unp {
	bool sign;
	int32_t exp;
	uint64_t sig;
};

static struct unp unpack(f80 a)
{
	struct unp u = { f80_sign(a), (int32_t)f80_exp(a), a.sig };
	if (u.exp == 0 && u.sig) {
		int s = clz64(u.sig);
		u.sig <<= s;
		u.exp = 1 - s;
	}
	return u;
}

f80 f80_quiet(struct f80_ctx *ctx, f80 a)
{
	if (f80_classify(a) == F80_SNAN)
		ctx->flags |= F80_IE;
	a.sig |= QUIET_BIT;
	return a;
}

/* SDM Vol 1 Table 4-7, x87 column: an SNaN raises IE; of two NaNs of the
 * same kind the larger significand wins; of an SNaN and a QNaN the QNaN. */
f80 f80_propagate_nan(struct f80_ctx *ctx, f80 a, f80 b)
{
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	bool na = ka == F80_QNAN || ka == F80_SNAN, nb = kb == F80_QNAN || kb == F80_SNAN;
	if (ka == F80_SNAN || kb == F80_SNAN)
		ctx->flags |= F80_IE;
	f80 r;
	if (!nb)
		r = a;
	else if (!na)
		r = b;
	else if (ka != kb)
		r = ka == F80_QNAN ? a : b;
	else {
		uint64_t ma = a.sig & ~J_BIT, mb = b.sig & ~J_BIT;
		if (ma != mb)
			r = ma > mb ? a : b;
		else
			r = a.se <= b.se ? a : b;
	}
	r.sig |= QUIET_BIT;
	return r;
}

static f80 invalid(struct f80_ctx *ctx)
{
	ctx->flags |= F80_IE;
	return F80_INDEFINITE;
}

/* Rounds m (integer bit at 127 or m == 0 at a denormal exponent) to prec
 * significant bits under rc.  Returns the rounded m; *carry when it
 * overflowed to 2.0 (m is then 1 << 127 and the exponent must grow). */
static u128 round_bits(u128 m, unsigned prec, unsigned rc, bool sign, bool *inexact,
                       bool *up, bool *carry)
{
	unsigned drop = 128 - prec;
	u128 unit = (u128)1 << drop;
	u128 rem = m & (unit - 1);
	u128 half = unit >> 1;
	m -= rem;
	bool inc = false;
	switch (rc) {
	case F80_RC_NEAR: inc = rem > half || (rem == half && (m & unit)); break;
	case F80_RC_DOWN: inc = sign && rem; break;
	case F80_RC_UP: inc = !sign && rem; break;
	default: break;
	}
	*inexact = rem != 0;
	*up = inc;
	*carry = false;
	if (inc) {
		m += unit;
		if (m == 0) {
			m = (u128)1 << 127;
			*carry = true;
		}
	}
	return m;
}

/* The rounding of every result, to a format of prec bits with normal
 * exponents emin..emax (f80 biased).  reg: the destination is an x87
 * register, where an unmasked overflow or underflow delivers the result
 * with its exponent adjusted by 24576 (SDM Vol 1 §8.5.4-8.5.5).  On
 * return *pexp and *pm are the result: m's bit 127 clear means a denormal at
 * emin; *pexp = emax + 1 means infinity. */
static void round_generic(struct f80_ctx *ctx, bool sign, int32_t *pexp, u128 *pm,
                          unsigned prec, int32_t emin, int32_t emax, bool reg)
{
	unsigned rc = rc_of(ctx);
	bool um = ctx->cw & F80_UE, om = ctx->cw & F80_OE;
	int32_t exp = *pexp;
	u128 m = *pm;
	bool inexact, up, carry;

	if (exp < emin) {
		bool tiny = true;
		if (TINY_AFTER_ROUNDING) {
			round_bits(m, prec, rc, sign, &inexact, &up, &carry);
			tiny = !(carry && exp + 1 >= emin);
		}
		/* Unmasked: the result with its exponent biased up by 24576 --
		 * unless even that is too small (FSCALE), which gives a zero
		 * whatever RC says (as the host x87 does). */
		if (tiny && !um && reg && exp + 24576 < emin) {
			ctx->flags |= F80_UE | F80_PE;
			*pexp = emin;
			*pm = 0;
			return;
		}
		if (tiny && !um && reg) {
			m = round_bits(m, prec, rc, sign, &inexact, &up, &carry);
			exp += carry;
			ctx->flags |= F80_UE | (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
			*pexp = exp + 24576;
			*pm = m;
			return;
		}
		m = shr_jam(m, emin - exp);
		m = round_bits(m, prec, rc, sign, &inexact, &up, &carry);
		if (carry)   /* a denormal rounded up to 2^emin */
			m = (u128)1 << 127;
		if (tiny && (inexact || !um))
			ctx->flags |= F80_UE;
		ctx->flags |= (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
		*pexp = emin;
		*pm = m;
		return;
	}
	m = round_bits(m, prec, rc, sign, &inexact, &up, &carry);
	exp += carry;
	if (exp > emax) {
		if (!om && reg && exp - 24576 > emax) {   /* beyond the bias: infinity */
			ctx->flags |= F80_OE | F80_PE | F80_C1;
			*pexp = emax + 1;
			*pm = (u128)1 << 127;
			return;
		}
		if (!om && reg) {
			ctx->flags |= F80_OE | (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
			*pexp = exp - 24576;
			*pm = m;
			return;
		}
		ctx->flags |= F80_OE | F80_PE;
		bool to_inf = rc == F80_RC_NEAR || (rc == F80_RC_UP && !sign) ||
		              (rc == F80_RC_DOWN && sign);
		if (to_inf) {
			ctx->flags |= F80_C1;
			*pexp = emax + 1;
			*pm = (u128)1 << 127;
		} else {
			*pexp = emax;
			*pm = ~(u128)0 << (128 - prec);
		}
		return;
	}
	ctx->flags |= (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
	*pexp = exp;
	*pm = m;
}

f80 f80_round_pack(struct f80_ctx *ctx, bool sign, int32_t exp, uint64_t hi,
                   uint64_t lo, unsigned prec)
{
	u128 m = (u128)hi << 64 | lo;
	if (!m)
		return F80_MAKE(sign, 0, 0);
	int s = clz128(m);
	m <<= s;
	exp -= s;
	round_generic(ctx, sign, &exp, &m, prec, 1, 0x7FFE, true);
	if (exp == 1 && !(m >> 127))
		exp = 0;
	if (exp > 0x7FFF || exp < 0)   /* beyond even the bias adjustment */
		exp &= 0x7FFF;
	return F80_MAKE(sign, (uint32_t)exp, (uint64_t)(m >> 64));
}

static f80 pack_m(struct f80_ctx *ctx, bool sign, int32_t exp, u128 m, unsigned prec)
{
	return f80_round_pack(ctx, sign, exp, (uint64_t)(m >> 64), (uint64_t)m, prec);
}

/* Operand screening of the two-operand arithmetic: unsupported encodings
 * and SNaNs are invalid, NaNs propagate, denormals raise DE (SDM Vol 1
 * §8.7: an invalid operand or a NaN takes precedence over DE).  Returns
 * true when *r is already the result. */
static bool screen2_nan(struct f80_ctx *ctx, f80 a, f80 b, f80 *r)
{
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
		*r = invalid(ctx);
		return true;
	}
	if (ka == F80_QNAN || ka == F80_SNAN || kb == F80_QNAN || kb == F80_SNAN) {
		*r = f80_propagate_nan(ctx, a, b);
		return true;
	}
	return false;
}

static bool screen2(struct f80_ctx *ctx, f80 a, f80 b, f80 *r)
{
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
		*r = invalid(ctx);
		return true;
	}
	if (ka == F80_QNAN || ka == F80_SNAN || kb == F80_QNAN || kb == F80_SNAN) {
		*r = f80_propagate_nan(ctx, a, b);
		return true;
	}
	if (ka == F80_DENORMAL || kb == F80_DENORMAL)
		ctx->flags |= F80_DE;
	return false;
}

static f80 addsub(struct f80_ctx *ctx, f80 a, f80 b, bool negb)
{
	f80 r;
	if (screen2(ctx, a, b, &r))
		return r;
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	bool sa = f80_sign(a), sb = f80_sign(b) ^ negb;
	unsigned prec = f80_precision(ctx);
	if (ka == F80_INF || kb == F80_INF) {
		if (ka == F80_INF && kb == F80_INF && sa != sb)
			return invalid(ctx);
		return ka == F80_INF ? F80_MAKE(sa, 0x7FFF, J_BIT) : F80_MAKE(sb, 0x7FFF, J_BIT);
	}
	if (ka == F80_ZERO && kb == F80_ZERO)
		return F80_MAKE(sa == sb ? sa : rc_of(ctx) == F80_RC_DOWN, 0, 0);
	if (ka == F80_ZERO || kb == F80_ZERO) {
		struct unp u = unpack(ka == F80_ZERO ? b : a);
		return pack_m(ctx, ka == F80_ZERO ? sb : sa, u.exp, (u128)u.sig << 64, prec);
	}
	struct unp ua = unpack(a), ub = unpack(b);
	ua.sign = sa;
	ub.sign = sb;
	if (ua.exp < ub.exp || (ua.exp == ub.exp && ua.sig < ub.sig)) {
		struct unp t = ua;
		ua = ub;
		ub = t;
	}
	/* Integer bit at 126: room for the carry of an addition. */
	u128 ma = (u128)ua.sig << 63;
	u128 mb = shr_jam((u128)ub.sig << 63, ua.exp - ub.exp);
	u128 m;
	if (ua.sign == ub.sign)
		m = ma + mb;
	else
		m = ma - mb;
	if (!m)
		return F80_MAKE(rc_of(ctx) == F80_RC_DOWN, 0, 0);
	/* m's integer bit is at 126: one above the packer's 127 convention. */
	return pack_m(ctx, ua.sign, ua.exp + 1, m, prec);
}

f80 f80_add(struct f80_ctx *ctx, f80 a, f80 b) { return addsub(ctx, a, b, false); }
f80 f80_sub(struct f80_ctx *ctx, f80 a, f80 b) { return addsub(ctx, a, b, true); }

f80 f80_mul(struct f80_ctx *ctx, f80 a, f80 b)
{
	f80 r;
	if (screen2(ctx, a, b, &r))
		return r;
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	bool s = f80_sign(a) ^ f80_sign(b);
	if (ka == F80_INF || kb == F80_INF) {
		if (ka == F80_ZERO || kb == F80_ZERO)
			return invalid(ctx);
		return F80_MAKE(s, 0x7FFF, J_BIT);
	}
	if (ka == F80_ZERO || kb == F80_ZERO)
		return F80_MAKE(s, 0, 0);
	struct unp ua = unpack(a), ub = unpack(b);
	u128 m = (u128)ua.sig * ub.sig;
	return pack_m(ctx, s, ua.exp + ub.exp - BIAS + 1, m, f80_precision(ctx));
}

f80 f80_div(struct f80_ctx *ctx, f80 a, f80 b)
{
	f80 r;
	if (screen2_nan(ctx, a, b, &r))
		return r;
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	bool s = f80_sign(a) ^ f80_sign(b);
	/* Division by zero outranks the denormal operand (as the x87 does). */
	if (kb == F80_ZERO) {
		if (ka == F80_ZERO || ka == F80_INF) {
			if (ka == F80_ZERO)
				return invalid(ctx);
			return F80_MAKE(s, 0x7FFF, J_BIT);
		}
		ctx->flags |= F80_ZE;
		return F80_MAKE(s, 0x7FFF, J_BIT);
	}
	if (ka == F80_DENORMAL || kb == F80_DENORMAL)
		ctx->flags |= F80_DE;
	if (ka == F80_INF)
		return kb == F80_INF ? invalid(ctx) : F80_MAKE(s, 0x7FFF, J_BIT);
	if (kb == F80_INF)
		return F80_MAKE(s, 0, 0);
	if (ka == F80_ZERO)
		return F80_MAKE(s, 0, 0);
	struct unp ua = unpack(a), ub = unpack(b);
	int32_t exp = ua.exp - ub.exp + BIAS;
	u128 n;
	if (ua.sig >= ub.sig) {
		n = (u128)ua.sig << 63;
	} else {
		n = (u128)ua.sig << 64;
		exp--;
	}
	uint64_t qh = (uint64_t)(n / ub.sig);
	u128 rem = n % ub.sig;
	u128 n2 = rem << 64;
	uint64_t ql = (uint64_t)(n2 / ub.sig);
	bool sticky = n2 % ub.sig != 0;
	u128 m = (u128)qh << 64 | ql | sticky;
	return pack_m(ctx, s, exp, m, f80_precision(ctx));
}

f80 f80_sqrt(struct f80_ctx *ctx, f80 a)
{
	enum f80_class k = f80_classify(a);
	if (k == F80_UNSUPPORTED)
		return invalid(ctx);
	if (k == F80_QNAN || k == F80_SNAN)
		return f80_quiet(ctx, a);
	if (k == F80_ZERO)
		return a;
	if (f80_sign(a))
		return invalid(ctx);
	if (k == F80_INF)
		return a;
	if (k == F80_DENORMAL)
		ctx->flags |= F80_DE;
	struct unp u = unpack(a);
	int32_t e = u.exp - BIAS;
	int32_t re = (e - (e & 1)) / 2;
	u128 x = (u128)u.sig << ((e & 1) ? 64 : 63);
	/* Digit-by-digit square root: two radicand bits in, one root bit out;
	 * 64 bits from x, then two more from zeros, and the remainder as the
	 * sticky bit. */
	u128 root = 0, rem = 0;
	for (int i = 0; i < 66; i++) {
		unsigned two = i < 64 ? (unsigned)(x >> 126) & 3 : 0;
		if (i < 64)
			x <<= 2;
		rem = rem << 2 | two;
		u128 trial = root << 2 | 1;
		if (rem >= trial) {
			rem -= trial;
			root = root << 1 | 1;
		} else {
			root <<= 1;
		}
	}
	u128 m = root << 62 | (rem != 0);
	return pack_m(ctx, false, re + BIAS, m, f80_precision(ctx));
}

/* Rounds a finite value to an integer under rc: returns the magnitude
 * (saturated at 2^64 - 1 with *big set when it does not fit in 64 bits). */
static uint64_t round_to_integer(struct f80_ctx *ctx, f80 a, bool *inexact, bool *up, bool *big)
{
	struct unp u = unpack(a);
	int32_t e = u.exp - BIAS;   /* value = sig * 2^(e - 63) */
	*inexact = *up = *big = false;
	if (f80_classify(a) == F80_ZERO)
		return 0;
	if (e >= 64) {
		*big = true;
		return ~0ull;
	}
	if (e >= 63)
		return u.sig;
	/* Integer part above bit 64, the fraction below. */
	u128 m = shr_jam((u128)u.sig << 64, 63 - e);
	uint64_t ip = (uint64_t)(m >> 64), fr = (uint64_t)m;
	bool inc = false;
	switch (rc_of(ctx)) {
	case F80_RC_NEAR: inc = fr > J_BIT || (fr == J_BIT && (ip & 1)); break;
	case F80_RC_DOWN: inc = u.sign && fr; break;
	case F80_RC_UP: inc = !u.sign && fr; break;
	default: break;
	}
	*inexact = fr != 0;
	*up = inc;
	if (inc) {
		ip++;
		if (!ip) {
			*big = true;
			return ~0ull;
		}
	}
	return ip;
}

static f80 from_u64(bool sign, uint64_t v)
{
	if (!v)
		return F80_MAKE(sign, 0, 0);
	int s = clz64(v);
	return F80_MAKE(sign, BIAS + 63 - s, v << s);
}

f80 f80_round_int(struct f80_ctx *ctx, f80 a)
{
	enum f80_class k = f80_classify(a);
	if (k == F80_UNSUPPORTED)
		return invalid(ctx);
	if (k == F80_QNAN || k == F80_SNAN)
		return f80_quiet(ctx, a);
	if (k == F80_ZERO || k == F80_INF)
		return a;
	if (k == F80_DENORMAL)
		ctx->flags |= F80_DE;
	if ((int32_t)f80_exp(a) - BIAS >= 63)
		return a;
	bool inexact, up, big;
	uint64_t v = round_to_integer(ctx, a, &inexact, &up, &big);
	ctx->flags |= (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
	if (big)   /* 2^64 - 0.5 rounded up */
		return F80_MAKE(f80_sign(a), BIAS + 64, J_BIT);
	return from_u64(f80_sign(a), v);
}

f80 f80_from_i64(int64_t v)
{
	return from_u64(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

int64_t f80_to_int(struct f80_ctx *ctx, f80 a, unsigned bits)
{
	int64_t indefinite = (int64_t)(~0ull << (bits - 1));
	enum f80_class k = f80_classify(a);
	if (k == F80_UNSUPPORTED || k == F80_QNAN || k == F80_SNAN || k == F80_INF) {
		ctx->flags |= F80_IE;
		return indefinite;
	}
	bool inexact, up, big;
	uint64_t v = round_to_integer(ctx, a, &inexact, &up, &big);
	uint64_t lim = 1ull << (bits - 1);
	if (big || v > lim || (v == lim && !f80_sign(a))) {
		ctx->flags |= F80_IE;
		return indefinite;
	}
	ctx->flags |= (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
	return f80_sign(a) ? (int64_t)(0 - v) : (int64_t)v;
}

/* Loads an IEEE single or double: exact, DE for a denormal, IE for an SNaN. */
static f80 from_ieee(struct f80_ctx *ctx, bool sign, uint32_t e, uint64_t frac,
                     unsigned fbits, uint32_t emax, int32_t bias)
{
	if (e == emax) {
		if (!frac)
			return F80_MAKE(sign, 0x7FFF, J_BIT);
		f80 n = F80_MAKE(sign, 0x7FFF, J_BIT | frac << (63 - fbits));
		return f80_quiet(ctx, n);
	}
	if (e == 0) {
		if (!frac)
			return F80_MAKE(sign, 0, 0);
		ctx->flags |= F80_DE;
		int s = clz64(frac);
		/* value = frac * 2^(1 - bias - fbits) */
		return F80_MAKE(sign, (uint32_t)(BIAS + 1 - bias - fbits + 63 - s), frac << s);
	}
	return F80_MAKE(sign, (uint32_t)((int32_t)e - bias + BIAS), J_BIT | frac << (63 - fbits));
}

f80 f80_from_f32(struct f80_ctx *ctx, uint32_t v)
{
	return from_ieee(ctx, v >> 31, (v >> 23) & 0xFF, v & 0x7FFFFF, 23, 0xFF, 127);
}

f80 f80_from_f64(struct f80_ctx *ctx, uint64_t v)
{
	return from_ieee(ctx, v >> 63, (v >> 52) & 0x7FF, v & 0xFFFFFFFFFFFFFull, 52, 0x7FF, 1023);
}

/* FST m32/m64: fbits fraction bits, exponent bias ebias. */
static uint64_t to_ieee(struct f80_ctx *ctx, f80 a, unsigned fbits, int32_t ebias)
{
	bool s = f80_sign(a);
	unsigned ebits = fbits == 23 ? 8 : 11;
	uint64_t sbit = (uint64_t)s << (fbits + ebits);
	uint64_t inf = ((1ull << ebits) - 1) << fbits;
	enum f80_class k = f80_classify(a);
	switch (k) {
	case F80_UNSUPPORTED:
		ctx->flags |= F80_IE;
		return ((uint64_t)1 << (fbits + ebits)) | inf | 1ull << (fbits - 1);
	case F80_QNAN:
	case F80_SNAN:
		if (k == F80_SNAN)
			ctx->flags |= F80_IE;
		return sbit | inf | 1ull << (fbits - 1) | ((a.sig << 1) >> (64 - fbits));
	case F80_INF:
		return sbit | inf;
	case F80_ZERO:
		return sbit;
	default:
		break;
	}
	/* A denormal source raises no DE on a store (as the x87 does). */
	struct unp u = unpack(a);
	int32_t exp = u.exp;
	u128 m = (u128)u.sig << 64;
	int32_t emin = BIAS - ebias + 1, emax = BIAS + ebias;
	round_generic(ctx, s, &exp, &m, fbits + 1, emin, emax, false);
	if (exp > emax)
		return sbit | inf;
	uint64_t fr = (uint64_t)(m >> (127 - fbits)) & ((1ull << fbits) - 1);
	uint64_t be = (m >> 127) ? (uint64_t)(exp - BIAS + ebias) : 0;
	return sbit | be << fbits | fr;
}

uint32_t f80_to_f32(struct f80_ctx *ctx, f80 a) { return (uint32_t)to_ieee(ctx, a, 23, 127); }
uint64_t f80_to_f64(struct f80_ctx *ctx, f80 a) { return to_ieee(ctx, a, 52, 1023); }

f80 f80_from_bcd(const uint8_t bcd[10])
{
	uint64_t v = 0;
	for (int i = 8; i >= 0; i--)
		v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 15);
	return from_u64(bcd[9] >> 7, v);
}

void f80_to_bcd(struct f80_ctx *ctx, f80 a, uint8_t bcd[10])
{
	static const uint8_t indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
	enum f80_class k = f80_classify(a);
	memset(bcd, 0, 10);
	if (k == F80_UNSUPPORTED || k == F80_QNAN || k == F80_SNAN || k == F80_INF) {
		ctx->flags |= F80_IE;
		memcpy(bcd, indefinite, 10);
		return;
	}
	bool inexact, up, big;
	uint64_t v = round_to_integer(ctx, a, &inexact, &up, &big);
	if (big || v > 999999999999999999ull) {
		ctx->flags |= F80_IE;
		memcpy(bcd, indefinite, 10);
		return;
	}
	ctx->flags |= (inexact ? F80_PE : 0) | (up ? F80_C1 : 0);
	for (int i = 0; i < 9; i++) {
		unsigned lo = v % 10, hi = (v / 10) % 10;
		v /= 100;
		bcd[i] = (uint8_t)(hi << 4 | lo);
	}
	bcd[9] = f80_sign(a) ? 0x80 : 0;
}

int f80_compare(struct f80_ctx *ctx, f80 a, f80 b, bool quiet)
{
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
		ctx->flags |= F80_IE;
		return F80_UN;
	}
	if (ka == F80_QNAN || ka == F80_SNAN || kb == F80_QNAN || kb == F80_SNAN) {
		if (!quiet || ka == F80_SNAN || kb == F80_SNAN)
			ctx->flags |= F80_IE;
		return F80_UN;
	}
	if (ka == F80_DENORMAL || kb == F80_DENORMAL)
		ctx->flags |= F80_DE;
	if (ka == F80_ZERO && kb == F80_ZERO)
		return F80_EQ;
	bool sa = f80_sign(a), sb = f80_sign(b);
	if (ka == F80_ZERO)
		return sb ? F80_GT : F80_LT;
	if (kb == F80_ZERO)
		return sa ? F80_LT : F80_GT;
	if (sa != sb)
		return sa ? F80_LT : F80_GT;
	/* Same sign: compare magnitudes (infinities have the largest exponent). */
	struct unp ua = unpack(a), ub = unpack(b);
	int mag;
	if (ua.exp != ub.exp)
		mag = ua.exp < ub.exp ? -1 : 1;
	else
		mag = ua.sig < ub.sig ? -1 : ua.sig > ub.sig;
	if (sa)
		mag = -mag;
	return mag < 0 ? F80_LT : mag > 0 ? F80_GT : F80_EQ;
}

f80 f80_scale(struct f80_ctx *ctx, f80 a, f80 b)
{
	f80 r;
	if (screen2(ctx, a, b, &r))
		return r;
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	if (kb == F80_INF) {
		if (!f80_sign(b)) {
			if (ka == F80_ZERO)
				return invalid(ctx);
			return F80_MAKE(f80_sign(a), 0x7FFF, J_BIT);
		}
		if (ka == F80_INF)
			return invalid(ctx);
		return F80_MAKE(f80_sign(a), 0, 0);
	}
	if (ka == F80_INF || ka == F80_ZERO)
		return a;
	/* trunc(b), clamped far beyond any exponent that can matter. */
	struct unp ub = unpack(b);
	int32_t eb = ub.exp - BIAS;
	int32_t n;
	if (kb == F80_ZERO || eb < 0)
		n = 0;
	else if (eb > 20)
		n = 1 << 21;
	else
		n = (int32_t)(ub.sig >> (63 - eb));
	if (f80_sign(b))
		n = -n;
	struct unp ua = unpack(a);
	return pack_m(ctx, ua.sign, ua.exp + n, (u128)ua.sig << 64, 64);
}

f80 f80_xtract(struct f80_ctx *ctx, f80 a, f80 *exp_out)
{
	enum f80_class k = f80_classify(a);
	if (k == F80_UNSUPPORTED) {
		*exp_out = invalid(ctx);
		return F80_INDEFINITE;
	}
	if (k == F80_QNAN || k == F80_SNAN) {
		f80 q = f80_quiet(ctx, a);
		*exp_out = q;
		return q;
	}
	if (k == F80_ZERO) {
		ctx->flags |= F80_ZE;
		*exp_out = F80_MAKE(1, 0x7FFF, J_BIT);
		return a;
	}
	if (k == F80_INF) {
		*exp_out = F80_MAKE(0, 0x7FFF, J_BIT);
		return a;
	}
	if (k == F80_DENORMAL)
		ctx->flags |= F80_DE;
	struct unp u = unpack(a);
	*exp_out = f80_from_i64(u.exp - BIAS);
	return F80_MAKE(u.sign, BIAS, u.sig);
}

f80 f80_prem(struct f80_ctx *ctx, f80 a, f80 b, bool ieee, uint16_t *cc)
{
	f80 r;
	/* A NaN or invalid operand leaves the quotient bits as they were. */
	*cc = F80_PREM_CC_KEEP;
	if (screen2_nan(ctx, a, b, &r))
		return r;
	enum f80_class ka = f80_classify(a), kb = f80_classify(b);
	if (ka == F80_INF || kb == F80_ZERO)   /* outranks a denormal operand */
		return invalid(ctx);
	*cc = 0;
	if (ka == F80_DENORMAL || kb == F80_DENORMAL)
		ctx->flags |= F80_DE;
	if (ka == F80_ZERO)
		return a;
	struct unp ua = unpack(a), ub = unpack(b);
	if (kb == F80_INF)
		return pack_m(ctx, ua.sign, ua.exp, (u128)ua.sig << 64, 64);
	int32_t d = ua.exp - ub.exp;
	if (d < 0 && !(ieee && d == -1))   /* a itself, normalised */
		return pack_m(ctx, ua.sign, ua.exp, (u128)ua.sig << 64, 64);
	/* A partial remainder for large exponent differences: the quotient's
	 * top 32..63 bits (AMD's documented choice, which Intel follows); the
	 * quotient bits and the rounding of FPREM1 apply only to the last step. */
	bool partial = d >= 64;
	int32_t n = partial ? 32 + d % 32 : d;
	int32_t rexp = ub.exp + (d - n);   /* the remainder's scale */
	u128 rem = ua.sig, sb = ub.sig;
	uint64_t q = 0;
	if (d < 0) {
		/* FPREM1, |a| in [|b|/2, |b|): the quotient is 0 or 1 by rounding;
		 * work at a's scale, where b is twice its significand. */
		sb <<= 1;
		rexp = ua.exp;
	} else {
		if (rem >= sb) {
			rem -= sb;
			q = 1;
		}
		for (int32_t i = 0; i < n; i++) {
			rem <<= 1;
			q <<= 1;
			if (rem >= sb) {
				rem -= sb;
				q |= 1;
			}
		}
	}
	bool sign = ua.sign;
	if (ieee && !partial) {
		u128 twice = rem << 1;
		if (twice > sb || (twice == sb && (q & 1))) {
			rem = sb - rem;
			q++;
			sign = !sign;
		}
	}
	if (partial) {
		*cc = 0x0400;   /* C2: incomplete */
	} else {
		*cc = (q & 4 ? 0x0100 : 0) | (q & 2 ? 0x4000 : 0) | (q & 1 ? 0x0200 : 0);
	}
	if (!rem)
		return F80_MAKE(ua.sign, 0, 0);
	/* rem is scaled like a significand with exponent rexp (bit 63 = 1.0). */
	return pack_m(ctx, sign, rexp + 64, rem, 64);
}
