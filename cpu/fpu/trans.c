/* The x87 transcendentals (placeholder until the extended-precision
 * implementation lands): every one returns the real indefinite. */
#include "f80.h"

bool f80_trig_out_of_range(f80 a)
{
	return (a.se & 0x7FFF) >= F80_EXP_BIAS + 63 && (a.se & 0x7FFF) != 0x7FFF;
}

static f80 indef(struct f80_ctx *ctx) { ctx->flags |= F80_IE; return F80_INDEFINITE; }
f80 f80_sin(struct f80_ctx *ctx, f80 a) { (void)a; return indef(ctx); }
f80 f80_cos(struct f80_ctx *ctx, f80 a) { (void)a; return indef(ctx); }
f80 f80_sincos(struct f80_ctx *ctx, f80 a, f80 *co) { (void)a; *co = F80_INDEFINITE; return indef(ctx); }
f80 f80_tan(struct f80_ctx *ctx, f80 a, f80 *one) { (void)a; *one = F80_INDEFINITE; return indef(ctx); }
f80 f80_atan2(struct f80_ctx *ctx, f80 y, f80 x) { (void)y; (void)x; return indef(ctx); }
f80 f80_2xm1(struct f80_ctx *ctx, f80 a) { (void)a; return indef(ctx); }
f80 f80_yl2x(struct f80_ctx *ctx, f80 y, f80 x) { (void)y; (void)x; return indef(ctx); }
f80 f80_yl2xp1(struct f80_ctx *ctx, f80 y, f80 x) { (void)y; (void)x; return indef(ctx); }
