/* The coprocessor error latch: FERR# edges raise IRQ13, OUT F0h clears it. */
#include <criterion/criterion.h>

#include "bus.h"
#include "ferr.h"

static int level;

static void on_irq(void *opaque, int n, bool lvl)
{
	(void)opaque;
	(void)n;
	level = lvl;
}

Test(ferr, latch_raises_irq13_and_port_f0_clears_it)
{
	struct bus b;
	struct irq_line irq;
	bus_init(&b);
	irq_line_init(&irq, on_irq, NULL, 13);
	struct ferr_latch *f = ferr_create(&b, &irq);
	cr_assert_not_null(f);
	level = 0;
	ferr_update(f, true);
	cr_assert_eq(level, 1, "a rising FERR# raises IRQ13");
	bus_out(&b, FERR_PORT, 0, 1);
	cr_assert_eq(level, 0, "OUT F0h clears the latch");
	ferr_update(f, true);
	cr_assert_eq(level, 0, "FERR# still high: no new edge");
	ferr_update(f, false);
	ferr_update(f, true);
	cr_assert_eq(level, 1, "the next exception raises it again");
	ferr_reset(f);
	cr_assert_eq(level, 0);
	ferr_destroy(f);
}
