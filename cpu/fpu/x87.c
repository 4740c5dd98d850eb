/* The x87 state's words: reset, status and tag words (SDM Vol 1 §8.1). */
#include "x87.h"

#include <string.h>

void x87_reset(struct x87 *x)
{
	f80 regs[8];
	memcpy(regs, x->r, sizeof regs);   /* FNINIT leaves the contents */
	memset(x, 0, sizeof *x);
	memcpy(x->r, regs, sizeof regs);
	x->cw = 0x037F;
}

uint16_t x87_get_sw(const struct x87 *x)
{
	return (uint16_t)((x->sw & ~0x3800) | (x->top & 7) << 11);
}

void x87_update_es(struct x87 *x)
{
	if (x->sw & FSW_EXC & ~x->cw & 0x3F)
		x->sw |= FSW_ES | FSW_B;
	else
		x->sw &= (uint16_t)~(FSW_ES | FSW_B);
	x->ferr = x->sw & FSW_ES;
}

void x87_set_sw(struct x87 *x, uint16_t sw)
{
	x->top = (sw >> 11) & 7;
	x->sw = sw & (uint16_t)~0x3800;
	x87_update_es(x);
}

/* Valid 00, zero 01, special 10 (NaN, infinity, denormal, unsupported),
 * empty 11. */
uint16_t x87_get_tw(const struct x87 *x)
{
	uint16_t tw = 0;
	for (int n = 0; n < 8; n++) {
		unsigned t;
		if (!(x->valid >> n & 1))
			t = 3;
		else {
			switch (f80_classify(x->r[n])) {
			case F80_ZERO: t = 1; break;
			case F80_NORMAL: t = 0; break;
			default: t = 2; break;
			}
		}
		tw |= (uint16_t)(t << (2 * n));
	}
	return tw;
}

void x87_set_tw(struct x87 *x, uint16_t tw)
{
	x->valid = 0;
	for (int n = 0; n < 8; n++)
		if ((tw >> (2 * n) & 3) != 3)
			x->valid |= (uint8_t)(1 << n);
}
