/* f80 — the x87's 80-bit double extended-precision arithmetic in portable C.
 *
 * No host long double anywhere: ARM64's long double is a 128-bit quad, and
 * the x87's rules (precision control, the unsupported encodings, its NaN
 * propagation, C1 as "rounded up") are its own.  Every operation returns the
 * x87's result with all exceptions masked and ORs the exceptions it raises
 * into ctx->flags; the x87 layer (cpu/fpu/x87.c) decides what an unmasked
 * exception does to the destination.  The two things an unmasked exception
 * changes in the result itself — the exponent bias adjustment of overflow
 * and underflow (SDM Vol 1 §8.5.4-8.5.5) — are done here when ctx->cw says
 * so and the destination is a register (f80 results).
 *
 * tests/unit/test_f80_host.c compares all of this with the host's own x87
 * bit for bit, status flags included. */
#ifndef AMBER_F80_H
#define AMBER_F80_H

#include <stdbool.h>
#include <stdint.h>

typedef struct f80 {
	uint64_t sig;     /* explicit integer bit (J) at bit 63 */
	uint16_t se;      /* sign << 15 | biased exponent (bias 16383) */
} f80;

/* Status word bits an operation can raise (the x87 status word layout). */
enum {
	F80_IE = 0x01, F80_DE = 0x02, F80_ZE = 0x04, F80_OE = 0x08,
	F80_UE = 0x10, F80_PE = 0x20,
	F80_C1 = 0x200,   /* the result was rounded up (away from zero) */
	F80_EXC = 0x3F,
};

/* Rounding control (CW bits 11:10) and precision control (CW bits 9:8). */
enum { F80_RC_NEAR, F80_RC_DOWN, F80_RC_UP, F80_RC_ZERO };
enum { F80_PC_24 = 0, F80_PC_53 = 2, F80_PC_64 = 3 };

struct f80_ctx {
	uint16_t cw;      /* the x87 control word: masks, PC, RC */
	uint16_t flags;   /* raised: F80_IE..F80_PE, F80_C1 */
};

/* Classes for FXAM and the operations' special cases. */
enum f80_class {
	F80_ZERO, F80_DENORMAL, F80_NORMAL, F80_INF, F80_QNAN, F80_SNAN,
	F80_UNSUPPORTED,  /* unnormal, pseudo-infinity, pseudo-NaN */
};

#define F80_EXP_BIAS 16383
#define F80_MAKE(sign, exp, sig) ((f80){ (sig), (uint16_t)((sign) << 15 | (exp)) })
/* The real indefinite: the QNaN the x87 returns for an invalid operation. */
#define F80_INDEFINITE F80_MAKE(1, 0x7FFF, 0xC000000000000000ull)

static inline bool f80_sign(f80 a) { return a.se >> 15; }
static inline unsigned f80_exp(f80 a) { return a.se & 0x7FFF; }
enum f80_class f80_classify(f80 a);
static inline bool f80_is_nan(f80 a)
{
	enum f80_class k = f80_classify(a);
	return k == F80_QNAN || k == F80_SNAN;
}

/* Arithmetic under ctx's RC and PC (FADD FSUB FMUL FDIV FSQRT). */
f80 f80_add(struct f80_ctx *ctx, f80 a, f80 b);
f80 f80_sub(struct f80_ctx *ctx, f80 a, f80 b);
f80 f80_mul(struct f80_ctx *ctx, f80 a, f80 b);
f80 f80_div(struct f80_ctx *ctx, f80 a, f80 b);
f80 f80_sqrt(struct f80_ctx *ctx, f80 a);

/* FRNDINT: rounds to an integer under RC (PC does not apply). */
f80 f80_round_int(struct f80_ctx *ctx, f80 a);
/* FSCALE: a * 2^trunc(b). */
f80 f80_scale(struct f80_ctx *ctx, f80 a, f80 b);
/* FXTRACT: *exp_out = the unbiased exponent, returns the significand. */
f80 f80_xtract(struct f80_ctx *ctx, f80 a, f80 *exp_out);
/* FPREM (ieee = false) / FPREM1 (true): the partial remainder of a / b.
 * *cc gets C0 C1 C2 C3 in the status word's positions (0x4700 mask), or
 * F80_PREM_CC_KEEP when C0 C1 C3 keep their values (C2 is cleared). */
#define F80_PREM_CC_KEEP 0xFFFF
f80 f80_prem(struct f80_ctx *ctx, f80 a, f80 b, bool ieee, uint16_t *cc);

/* Comparison: F80_LT, F80_EQ, F80_GT or F80_UN (unordered).  quiet: only
 * an SNaN is invalid (FUCOM); otherwise any NaN is (FCOM, FTST). */
enum { F80_LT, F80_EQ, F80_GT, F80_UN };
int f80_compare(struct f80_ctx *ctx, f80 a, f80 b, bool quiet);

/* Conversions.  From integers: exact.  To integers: rounded under RC;
 * out of range or NaN raises IE and gives the integer indefinite. */
f80 f80_from_i64(int64_t v);
int64_t f80_to_int(struct f80_ctx *ctx, f80 a, unsigned bits);
/* FISTTP-style truncation is SSE3 and not here. */
f80 f80_from_f32(struct f80_ctx *ctx, uint32_t v);
f80 f80_from_f64(struct f80_ctx *ctx, uint64_t v);
/* FST m32/m64: rounded to the format under RC (PC does not apply). */
uint32_t f80_to_f32(struct f80_ctx *ctx, f80 a);
uint64_t f80_to_f64(struct f80_ctx *ctx, f80 a);
/* Packed BCD: 10 bytes, 18 digits little-endian, sign in byte 9 bit 7. */
f80 f80_from_bcd(const uint8_t bcd[10]);
void f80_to_bcd(struct f80_ctx *ctx, f80 a, uint8_t bcd[10]);

/* A NaN operand's quiet form (SNaN → QNaN, IE raised for an SNaN). */
f80 f80_quiet(struct f80_ctx *ctx, f80 a);
/* The NaN result of a two-operand operation with at least one NaN operand
 * (SDM Vol 1 Table 4-7: the larger significand wins). */
f80 f80_propagate_nan(struct f80_ctx *ctx, f80 a, f80 b);

/* The transcendentals (cpu/fpu/trans.c), within the SDM's stated error
 * (Vol 1 §8.3.10: under 1 ulp, monotonic) on the x87's argument ranges. */
/* |a| >= 2^63 (finite, supported): FSIN & co. set C2 and leave it. */
bool f80_trig_out_of_range(f80 a);
f80 f80_sin(struct f80_ctx *ctx, f80 a);
f80 f80_cos(struct f80_ctx *ctx, f80 a);
f80 f80_sincos(struct f80_ctx *ctx, f80 a, f80 *cos_out);
/* FPTAN: returns tan(a); *one = 1.0 (the value FPTAN pushes). */
f80 f80_tan(struct f80_ctx *ctx, f80 a, f80 *one);
f80 f80_atan2(struct f80_ctx *ctx, f80 y, f80 x);   /* FPATAN: atan(y / x) */
f80 f80_2xm1(struct f80_ctx *ctx, f80 a);           /* 2^a - 1, |a| <= 1 */
f80 f80_yl2x(struct f80_ctx *ctx, f80 y, f80 x);    /* y * log2(x) */
f80 f80_yl2xp1(struct f80_ctx *ctx, f80 y, f80 x);  /* y * log2(x + 1) */

/* Internal rounding, exposed to the transcendentals: rounds sign, biased
 * exponent exp (may be out of range) and the 128-bit significand
 * hi:lo (bit 127 = integer bit, anything below is sticky) to precision
 * prec (24, 53 or 64) under RC. */
f80 f80_round_pack(struct f80_ctx *ctx, bool sign, int32_t exp, uint64_t hi,
                   uint64_t lo, unsigned prec);
/* The precision PC selects. */
unsigned f80_precision(const struct f80_ctx *ctx);

#endif
