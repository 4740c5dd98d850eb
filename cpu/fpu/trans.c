/* The x87 transcendentals in portable C: FSIN FCOS FSINCOS FPTAN FPATAN
 * F2XM1 FYL2X FYL2XP1.
 *
 * Each is evaluated in a 128-bit-significand floating format ("hp") by
 * series on a reduced argument, then rounded once to the 80-bit result
 * under RC: the error before that rounding is far below 2^-100 relative,
 * so the result is within the SDM's bound (Vol 1 §8.3.10: under 1 ulp)
 * and is the correctly rounded value in all but vanishingly rare cases.
 * The trigonometric argument reduction is exact modulo the x87's 66-bit
 * approximation of pi (SDM Vol 1 §8.3.8), as the hardware's is, so large
 * arguments give the hardware's answers rather than the "true" ones.
 * Results are identical on every host: integer arithmetic only. */
#include "f80.h"

__extension__ typedef unsigned __int128 u128;

#define BIAS F80_EXP_BIAS
#define J_BIT 0x8000000000000000ull

/* value = (-1)^s * m * 2^(e - 127); m == 0 is zero, else bit 127 is set. */
typedef struct {
	bool s;
	int32_t e;
	u128 m;
} hp;

static int clz128(u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);
	return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

static hp norm(hp a)
{
	if (!a.m) {
		a.e = 0;
		return a;
	}
	int z = clz128(a.m);
	a.m <<= z;
	a.e -= z;
	return a;
}

static hp hp_make(bool s, int32_t e, uint64_t hi, uint64_t lo)
{
	return norm((hp){ s, e, (u128)hi << 64 | lo });
}

static hp hp_int(int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	return norm((hp){ v < 0, 127, u });
}

static const hp HP_ONE = { false, 0, (u128)1 << 127 };

static hp neg(hp a) { a.s = !a.s; return a; }

static hp mul(hp a, hp b)
{
	if (!a.m || !b.m)
		return (hp){ a.s != b.s, 0, 0 };
	uint64_t a1 = (uint64_t)(a.m >> 64), a0 = (uint64_t)a.m;
	uint64_t b1 = (uint64_t)(b.m >> 64), b0 = (uint64_t)b.m;
	u128 p11 = (u128)a1 * b1, p10 = (u128)a1 * b0, p01 = (u128)a0 * b1, p00 = (u128)a0 * b0;
	u128 mid = (p00 >> 64) + (uint64_t)p10 + (uint64_t)p01;
	u128 hi = p11 + (p10 >> 64) + (p01 >> 64) + (mid >> 64);
	bool sticky = (uint64_t)mid || (uint64_t)p00;
	return norm((hp){ a.s != b.s, a.e + b.e + 1, hi | sticky });
}

static hp add(hp a, hp b)
{
	if (!b.m)
		return a;
	if (!a.m)
		return b;
	if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
		hp t = a;
		a = b;
		b = t;
	}
	int32_t d = a.e - b.e;
	/* b shifted with its lost bits kept as a sticky bit, so a tiny term
	 * still makes the sum inexact and directs the rounding */
	u128 am = a.m >> 1, bm;
	if (d + 1 >= 128)
		bm = 1;
	else
		bm = b.m >> (d + 1) | ((b.m & (((u128)1 << (d + 1)) - 1)) != 0);
	u128 m = a.s == b.s ? am + bm : am - bm;
	return norm((hp){ a.s, a.e + 1, m });
}

static hp sub(hp a, hp b) { return add(a, neg(b)); }

static hp hdiv(hp a, hp b)
{
	if (!a.m)
		return (hp){ a.s != b.s, 0, 0 };
	u128 r = a.m >> 1, d = b.m >> 1, q = 0;
	for (int k = 0; k < 128; k++) {
		q <<= 1;
		if (r >= d) {
			r -= d;
			q |= 1;
		}
		r <<= 1;
	}
	return norm((hp){ a.s != b.s, a.e - b.e, q });
}

static hp div_u(hp a, uint64_t n)
{
	return norm((hp){ a.s, a.e, a.m / n });
}

static hp from_f80(f80 a)
{
	uint64_t sig = a.sig;
	int32_t e = (int32_t)f80_exp(a);
	if (e == 0)
		e = 1;   /* denormals and pseudo-denormals */
	return norm((hp){ f80_sign(a), e - BIAS, (u128)sig << 64 });
}

static f80 to_f80(struct f80_ctx *ctx, hp a)
{
	if (!a.m)
		return F80_MAKE(a.s, 0, 0);
	return f80_round_pack(ctx, a.s, a.e + BIAS, (uint64_t)(a.m >> 64), (uint64_t)a.m, 64);
}

/* 128-bit constants. */
static const hp HP_PI = { false, 1, (u128)0xC90FDAA22168C234ull << 64 | 0xC4C6628B80DC1CD1ull };
static const hp HP_LN2 = { false, -1, (u128)0xB17217F7D1CF79ABull << 64 | 0xC9E3B39803F2F6AFull };
static const hp HP_LOG2E = { false, 0, (u128)0xB8AA3B295C17F0BBull << 64 | 0xBE87FED0691D3E89ull };

/* ---- series ---- */

/* sin(r) and cos(r) for |r| <= pi/4 (Taylor series to 2^-120). */
static hp sin_series(hp r)
{
	hp r2 = mul(r, r), term = r, sum = r;
	for (uint64_t k = 1; k <= 20; k++) {
		term = div_u(mul(term, r2), (2 * k) * (2 * k + 1));
		term = neg(term);
		sum = add(sum, term);
		if (!term.m || term.e < sum.e - 130)
			break;
	}
	return sum;
}

static hp cos_series(hp r)
{
	hp r2 = mul(r, r), term = HP_ONE, sum = HP_ONE;
	for (uint64_t k = 1; k <= 20; k++) {
		term = div_u(mul(term, r2), (2 * k - 1) * (2 * k));
		term = neg(term);
		sum = add(sum, term);
		if (!term.m || term.e < sum.e - 130)
			break;
	}
	return sum;
}

/* atan(u) for |u| <= tan(pi/8). */
static hp atan_series(hp u)
{
	hp u2 = mul(u, u), pw = u, sum = u;
	for (uint64_t k = 1; k <= 60; k++) {
		pw = neg(mul(pw, u2));
		hp term = div_u(pw, 2 * k + 1);
		sum = add(sum, term);
		if (!term.m || term.e < sum.e - 130)
			break;
	}
	return sum;
}

/* 2 atanh(u) = ln((1 + u) / (1 - u)) for |u| <= 0.18. */
static hp atanh2_series(hp u)
{
	hp u2 = mul(u, u), pw = u, sum = u;
	for (uint64_t k = 1; k <= 60; k++) {
		pw = mul(pw, u2);
		hp term = div_u(pw, 2 * k + 1);
		sum = add(sum, term);
		if (!term.m || term.e < sum.e - 130)
			break;
	}
	sum.e += 1;
	return sum;
}

/* e^y - 1 for |y| <= 0.7. */
static hp expm1_series(hp y)
{
	hp term = y, sum = y;
	for (uint64_t k = 2; k <= 40; k++) {
		term = div_u(mul(term, y), k);
		sum = add(sum, term);
		if (!term.m || term.e < sum.e - 130)
			break;
	}
	return sum;
}

/* ---- argument reduction modulo the x87's pi ---- */

/* P = pi * 2^64 truncated: the 66-bit pi of the x87, so pi/2 = P * 2^-65. */
static const u128 PI66 = (u128)0x3 << 64 | 0x243F6A8885A308D3ull;

bool f80_trig_out_of_range(f80 a)
{
	unsigned e = f80_exp(a);
	return e >= BIAS + 63 && e != 0x7FFF && (a.sig & J_BIT);
}

/* |a| = q * pi/2 + r with |r| <= pi/4 (a finite, |a| < 2^63). */
static hp reduce(f80 a, unsigned *quadrant)
{
	hp x = from_f80(a);
	x.s = false;
	*quadrant = 0;
	int32_t e = (int32_t)f80_exp(a) - BIAS;   /* a = sig * 2^(e - 63) */
	if (e < -1)
		return x;   /* |a| < 0.5 < pi/4 */
	int32_t n = e - 63 + 65;                 /* a / (pi/2) = sig * 2^n / P */
	u128 num = n >= 0 ? (u128)a.sig << n : (u128)a.sig >> -n;
	if (n < 0)
		return x;
	u128 q = num / PI66, rem = num % PI66;
	bool negr = false;
	if (rem > PI66 / 2) {
		q++;
		rem = PI66 - rem;
		negr = true;
	}
	*quadrant = (unsigned)(q & 3);
	/* r = rem * 2^-65 */
	return norm((hp){ negr, -65 + 127, rem });
}

/* ---- the instructions ---- */

static bool nan_or_bad(struct f80_ctx *ctx, f80 a, f80 *r)
{
	enum f80_class k = f80_classify(a);
	if (f80_trig_out_of_range(a)) {
		*r = a;   /* out of range: unchanged (FSIN & co. set C2) */
		return true;
	}
	if (k == F80_UNSUPPORTED || k == F80_INF) {
		ctx->flags |= F80_IE;
		*r = F80_INDEFINITE;
		return true;
	}
	if (k == F80_QNAN || k == F80_SNAN) {
		*r = f80_quiet(ctx, a);
		return true;
	}
	if (k == F80_DENORMAL)
		ctx->flags |= F80_DE;
	return false;
}

/* sin and cos of a finite a, |a| < 2^63 (the callers leave larger ones
 * alone: the instructions set C2 for them); exact zero handled by the
 * callers. */
static void sincos_hp(f80 a, hp *s, hp *c)
{
	unsigned q;
	hp r = reduce(a, &q);
	hp sr = sin_series(r), cr = cos_series(r);
	switch (q) {
	case 0: *s = sr; *c = cr; break;
	case 1: *s = cr; *c = neg(sr); break;
	case 2: *s = neg(sr); *c = neg(cr); break;
	default: *s = neg(cr); *c = sr; break;
	}
	if (f80_sign(a))
		*s = neg(*s);
}

f80 f80_sin(struct f80_ctx *ctx, f80 a)
{
	f80 r;
	if (nan_or_bad(ctx, a, &r))
		return r;
	if (f80_classify(a) == F80_ZERO)
		return a;
	hp s, c;
	sincos_hp(a, &s, &c);
	return to_f80(ctx, s);
}

f80 f80_cos(struct f80_ctx *ctx, f80 a)
{
	f80 r;
	if (nan_or_bad(ctx, a, &r))
		return r;
	if (f80_classify(a) == F80_ZERO)
		return F80_MAKE(0, BIAS, J_BIT);
	hp s, c;
	sincos_hp(a, &s, &c);
	return to_f80(ctx, c);
}

f80 f80_sincos(struct f80_ctx *ctx, f80 a, f80 *cos_out)
{
	f80 r;
	if (nan_or_bad(ctx, a, &r)) {
		*cos_out = r;
		return r;
	}
	if (f80_classify(a) == F80_ZERO) {
		*cos_out = F80_MAKE(0, BIAS, J_BIT);
		return a;
	}
	hp s, c;
	sincos_hp(a, &s, &c);
	*cos_out = to_f80(ctx, c);
	return to_f80(ctx, s);
}

f80 f80_tan(struct f80_ctx *ctx, f80 a, f80 *one)
{
	f80 r;
	*one = F80_MAKE(0, BIAS, J_BIT);
	if (nan_or_bad(ctx, a, &r)) {
		*one = r;   /* FPTAN pushes the NaN too */
		return r;
	}
	if (f80_classify(a) == F80_ZERO)
		return a;
	hp s, c;
	sincos_hp(a, &s, &c);
	return to_f80(ctx, hdiv(s, c));
}

/* atan(t) for 0 <= t <= 1. */
static hp atan01(hp t)
{
	hp tan_pi8 = hp_make(false, -2, 0xD413CCCFE7799211ull, 0x65F626CDD52AFA7Cull);
	if (t.e < tan_pi8.e || (t.e == tan_pi8.e && t.m <= tan_pi8.m))
		return atan_series(t);
	hp u = hdiv(sub(t, HP_ONE), add(t, HP_ONE));
	hp pi4 = HP_PI;
	pi4.e -= 2;
	return add(pi4, atan_series(u));
}

f80 f80_atan2(struct f80_ctx *ctx, f80 y, f80 x)
{
	enum f80_class ky = f80_classify(y), kx = f80_classify(x);
	if (ky == F80_UNSUPPORTED || kx == F80_UNSUPPORTED) {
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (ky == F80_QNAN || ky == F80_SNAN || kx == F80_QNAN || kx == F80_SNAN)
		return f80_propagate_nan(ctx, x, y);
	if (ky == F80_DENORMAL || kx == F80_DENORMAL)
		ctx->flags |= F80_DE;
	bool sy = f80_sign(y), sx = f80_sign(x);
	hp pi = HP_PI, ang;
	if (ky == F80_ZERO) {
		if (!sx)
			return F80_MAKE(sy, 0, 0);
		ang = pi;   /* ±pi for x < 0 or x = -0 */
	} else if (kx == F80_ZERO) {
		ang = pi;
		ang.e -= 1;
	} else if (ky == F80_INF || kx == F80_INF) {
		if (ky == F80_INF && kx == F80_INF) {
			ang = pi;
			ang.e -= 2;   /* pi/4 */
			if (sx)
				ang = mul(ang, hp_int(3));
		} else if (ky == F80_INF) {
			ang = pi;
			ang.e -= 1;
		} else if (!sx) {
			return F80_MAKE(sy, 0, 0);
		} else {
			ang = pi;
		}
	} else {
		hp ay = from_f80(y), ax = from_f80(x);
		ay.s = ax.s = false;
		bool swap = ay.e > ax.e || (ay.e == ax.e && ay.m > ax.m);
		hp t = swap ? hdiv(ax, ay) : hdiv(ay, ax);
		ang = atan01(t);
		if (swap) {
			hp half_pi = pi;
			half_pi.e -= 1;
			ang = sub(half_pi, ang);
		}
		if (sx)
			ang = sub(pi, ang);
	}
	ang.s = sy;
	return to_f80(ctx, ang);
}

f80 f80_2xm1(struct f80_ctx *ctx, f80 a)
{
	enum f80_class k = f80_classify(a);
	if (k == F80_UNSUPPORTED) {
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (k == F80_QNAN || k == F80_SNAN)
		return f80_quiet(ctx, a);
	if (k == F80_ZERO)
		return a;
	if (k == F80_INF)
		return f80_sign(a) ? F80_MAKE(1, BIAS, J_BIT) : a;
	if (k == F80_DENORMAL)
		ctx->flags |= F80_DE;
	/* Defined for |a| <= 1; beyond, the x87 returns a unchanged and
	 * inexact (as the host x87 does). */
	if (f80_exp(a) > BIAS || (f80_exp(a) == BIAS && a.sig != J_BIT)) {
		ctx->flags |= F80_PE;
		return a;
	}
	hp y = mul(from_f80(a), HP_LN2);
	return to_f80(ctx, expm1_series(y));
}

/* log2 of a finite positive v. */
static hp log2_hp(hp m)
{
	int32_t e = m.e;
	m.e = 0;   /* m in [1, 2) */
	/* m > sqrt(2): use m / 2 and e + 1 */
	if (m.m > ((u128)0xB504F333F9DE6484ull << 64 | 0x597D89B3754ABE9Full)) {
		m.e = -1;
		e++;
	}
	hp u = hdiv(sub(m, HP_ONE), add(m, HP_ONE));
	hp ln = atanh2_series(u);
	return add(hp_int(e), mul(ln, HP_LOG2E));
}

/* FYL2X and FYL2XP1's special cases on y and log2(...) (SDM Vol 2 tables). */
static f80 yl2x(struct f80_ctx *ctx, f80 y, f80 x)
{
	enum f80_class ky = f80_classify(y), kx = f80_classify(x);
	if (ky == F80_UNSUPPORTED || kx == F80_UNSUPPORTED) {
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (ky == F80_QNAN || ky == F80_SNAN || kx == F80_QNAN || kx == F80_SNAN)
		return f80_propagate_nan(ctx, x, y);
	if (f80_sign(x) && kx != F80_ZERO) {
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (ky == F80_DENORMAL || kx == F80_DENORMAL)
		ctx->flags |= F80_DE;
	bool sy = f80_sign(y);
	f80 inf = F80_MAKE(0, 0x7FFF, J_BIT);
	if (kx == F80_ZERO) {   /* log2(0) = -inf */
		if (ky == F80_ZERO) {
			ctx->flags |= F80_IE;
			return F80_INDEFINITE;
		}
		if (ky != F80_INF)
			ctx->flags |= F80_ZE;
		inf.se |= (uint16_t)(!sy << 15);
		return inf;
	}
	if (kx == F80_INF) {   /* log2(inf) = +inf */
		if (ky == F80_ZERO) {
			ctx->flags |= F80_IE;
			return F80_INDEFINITE;
		}
		inf.se |= (uint16_t)(sy << 15);
		return inf;
	}
	bool is_one = f80_exp(x) == BIAS && x.sig == J_BIT;
	if (ky == F80_INF) {
		if (is_one) {
			ctx->flags |= F80_IE;
			return F80_INDEFINITE;
		}
		bool neg_log = f80_exp(x) < BIAS;
		inf.se |= (uint16_t)((sy != neg_log) << 15);
		return inf;
	}
	if (is_one)   /* log2(1) = +0 */
		return F80_MAKE(sy, 0, 0);
	hp l = log2_hp(from_f80(x));
	if (ky == F80_ZERO)
		return F80_MAKE(sy != l.s, 0, 0);
	return to_f80(ctx, mul(from_f80(y), l));
}

static f80 yl2xp1(struct f80_ctx *ctx, f80 y, f80 x)
{
	enum f80_class ky = f80_classify(y), kx = f80_classify(x);
	if (ky == F80_UNSUPPORTED || kx == F80_UNSUPPORTED) {
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (ky == F80_QNAN || ky == F80_SNAN || kx == F80_QNAN || kx == F80_SNAN)
		return f80_propagate_nan(ctx, x, y);
	if (ky == F80_DENORMAL || kx == F80_DENORMAL)
		ctx->flags |= F80_DE;
	bool sy = f80_sign(y), sx = f80_sign(x);
	if (kx == F80_INF && !sx) {   /* y * log2(+inf) */
		if (ky == F80_ZERO) {
			ctx->flags |= F80_IE;
			return F80_INDEFINITE;
		}
		return F80_MAKE(sy, 0x7FFF, J_BIT);
	}
	if (kx == F80_INF) {   /* -inf: invalid */
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (kx == F80_ZERO) {
		if (ky == F80_INF) {
			ctx->flags |= F80_IE;
			return F80_INDEFINITE;
		}
		return F80_MAKE(sy != sx, 0, 0);
	}
	if (ky == F80_INF)
		return F80_MAKE(sy != sx, 0x7FFF, J_BIT);
	if (ky == F80_ZERO)
		return F80_MAKE(sy != sx, 0, 0);
	if (sx && f80_exp(x) >= BIAS) {   /* x <= -1: x unchanged, inexact (host x87) */
		ctx->flags |= F80_PE;
		return x;
	}
	/* ln(1 + x) = 2 atanh(x / (2 + x)), exact for the small x FYL2XP1 is
	 * for (|x| < 1 - sqrt(2)/2); beyond that, log2 of 1 + x itself. */
	hp hx = from_f80(x), onex = add(HP_ONE, hx);
	if (onex.s || !onex.m) {
		ctx->flags |= F80_IE;
		return F80_INDEFINITE;
	}
	if (hx.e >= -1)
		return to_f80(ctx, mul(from_f80(y), log2_hp(onex)));
	hp two = HP_ONE;
	two.e = 1;
	hp ln = atanh2_series(hdiv(hx, add(two, hx)));
	return to_f80(ctx, mul(from_f80(y), mul(ln, HP_LOG2E)));
}

/* An invalid operand or a zero divide outranks the denormal operand. */
f80 f80_yl2x(struct f80_ctx *ctx, f80 y, f80 x)
{
	f80 r = yl2x(ctx, y, x);
	if (ctx->flags & (F80_IE | F80_ZE))
		ctx->flags &= ~F80_DE;
	return r;
}

f80 f80_yl2xp1(struct f80_ctx *ctx, f80 y, f80 x)
{
	f80 r = yl2xp1(ctx, y, x);
	if (ctx->flags & (F80_IE | F80_ZE))
		ctx->flags &= ~F80_DE;
	return r;
}
