/* The 8259A pair through its ports: initialisation, priorities, EOI
 * flavours, rotation, poll, special mask, ELCR, the cascade, spurious IRQ 7,
 * and a save/load round trip.  (Intel 8259A datasheet, order 231468.) */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "device.h"
#include "pic.h"

static struct pic *p;
static struct irq_line intr;
static int intr_level;

static void on_intr(void *opaque, int n, bool level)
{
	(void)opaque;
	(void)n;
	intr_level = level;
}

/* The PC BIOS programming: vectors 08h and 70h, cascade on IR2. */
static void init_pc(struct pic *q, uint8_t icw4)
{
	pic_write(q, 0x20, 0x11);
	pic_write(q, 0x21, 0x08);
	pic_write(q, 0x21, 0x04);
	pic_write(q, 0x21, icw4);
	pic_write(q, 0xA0, 0x11);
	pic_write(q, 0xA1, 0x70);
	pic_write(q, 0xA1, 0x02);
	pic_write(q, 0xA1, icw4);
}

static void setup(void)
{
	irq_line_init(&intr, on_intr, NULL, 0);
	intr_level = 0;
	p = pic_create(NULL, &intr);
	cr_assert_not_null(p);
	init_pc(p, 0x01);
}

static void teardown(void) { pic_destroy(p); }

static void pulse(int n) { irq_pulse(pic_irq(p, n)); }
static uint8_t irr(int chip) { pic_write(p, chip ? 0xA0 : 0x20, 0x0A); return pic_read(p, chip ? 0xA0 : 0x20); }
static uint8_t isr(int chip) { pic_write(p, chip ? 0xA0 : 0x20, 0x0B); return pic_read(p, chip ? 0xA0 : 0x20); }
static void eoi(int chip) { pic_write(p, chip ? 0xA0 : 0x20, 0x20); }

TestSuite(pic, .init = setup, .fini = teardown);

Test(pic, reset_masks_everything_until_icw1)
{
	struct pic *q = pic_create(NULL, NULL);
	cr_assert_eq(pic_read(q, 0x21), 0xFF);
	irq_pulse(pic_irq(q, 0));
	cr_assert(!pic_intr(q));
	/* ICW1 clears the mask and the edge latch: an old edge is forgotten. */
	init_pc(q, 0x01);
	cr_assert_eq(pic_read(q, 0x21), 0x00);
	cr_assert(!pic_intr(q));
	pic_destroy(q);
}

Test(pic, init_and_simple_interrupt)
{
	cr_assert_eq(pic_read(p, 0x21), 0);
	cr_assert_eq(intr_level, 0);
	pulse(0);
	cr_assert_eq(intr_level, 1);
	cr_assert_eq(irr(0), 0x01);
	cr_assert_eq(pic_ack(p), 0x08);
	cr_assert_eq(intr_level, 0);
	cr_assert_eq(isr(0), 0x01);
	cr_assert_eq(irr(0), 0x00);
	eoi(0);
	cr_assert_eq(isr(0), 0x00);
}

Test(pic, mask_holds_request)
{
	pic_write(p, 0x21, 0x02);
	pulse(1);
	cr_assert_eq(intr_level, 0);
	cr_assert_eq(irr(0), 0x02);
	pic_write(p, 0x21, 0x00);
	cr_assert_eq(intr_level, 1);
	cr_assert_eq(pic_ack(p), 0x09);
}

Test(pic, fully_nested_priority)
{
	pulse(3);
	pulse(1);
	cr_assert_eq(pic_ack(p), 0x09); /* IR1 beats IR3 */
	cr_assert_eq(intr_level, 0);    /* IR3 waits behind IR1 in service */
	pulse(0);
	cr_assert_eq(intr_level, 1);    /* IR0 nests */
	cr_assert_eq(pic_ack(p), 0x08);
	cr_assert_eq(isr(0), 0x03);
	pulse(5);
	cr_assert_eq(intr_level, 0);
	eoi(0); /* non-specific: the highest in service, IR0 */
	cr_assert_eq(isr(0), 0x02);
	cr_assert_eq(intr_level, 0);
	eoi(0);
	cr_assert_eq(intr_level, 1);
	cr_assert_eq(pic_ack(p), 0x0B);
	eoi(0);
	cr_assert_eq(pic_ack(p), 0x0D);
}

Test(pic, specific_eoi)
{
	pulse(4);
	pulse(6);
	cr_assert_eq(pic_ack(p), 0x0C);
	pic_write(p, 0x20, 0x60 | 6); /* specific EOI of a level not in service */
	cr_assert_eq(isr(0), 0x10);
	pic_write(p, 0x20, 0x60 | 4);
	cr_assert_eq(isr(0), 0x00);
	cr_assert_eq(pic_ack(p), 0x0E);
}

Test(pic, rotate_on_nonspecific_eoi)
{
	pulse(1);
	cr_assert_eq(pic_ack(p), 0x09);
	pic_write(p, 0x20, 0xA0); /* rotate: IR1 becomes the lowest priority */
	cr_assert_eq(isr(0), 0);
	pulse(1);
	pulse(3);
	cr_assert_eq(pic_ack(p), 0x0B); /* order now 2,3,...,0,1 */
	pic_write(p, 0x20, 0x20);
	cr_assert_eq(pic_ack(p), 0x09);
}

Test(pic, rotate_on_specific_eoi_and_set_priority)
{
	pulse(5);
	cr_assert_eq(pic_ack(p), 0x0D);
	pic_write(p, 0x20, 0xE0 | 5); /* rotate on specific EOI: IR5 lowest */
	cr_assert_eq(isr(0), 0);
	pulse(0);
	pulse(6);
	cr_assert_eq(pic_ack(p), 0x0E); /* 6 is the highest now */
	eoi(0);
	pic_write(p, 0x20, 0xC0 | 0); /* set priority: IR0 lowest, IR1 highest */
	pulse(7);
	cr_assert_eq(pic_ack(p), 0x0F); /* 7 beats 0 */
	eoi(0);
	cr_assert_eq(pic_ack(p), 0x08);
}

Test(pic, auto_eoi_and_rotate_in_aeoi)
{
	init_pc(p, 0x03);
	pulse(2 + 1);
	cr_assert_eq(pic_ack(p), 0x0B);
	cr_assert_eq(isr(0), 0); /* nothing stays in service */
	pic_write(p, 0x20, 0x80); /* rotate in auto-EOI mode */
	pulse(3);
	cr_assert_eq(pic_ack(p), 0x0B);
	pulse(3);
	pulse(4);
	cr_assert_eq(pic_ack(p), 0x0C); /* IR3 went to the bottom */
	pic_write(p, 0x20, 0x00); /* clear rotate in AEOI */
	cr_assert_eq(pic_ack(p), 0x0B);
}

Test(pic, poll_mode)
{
	pic_write(p, 0x21, 0xFF); /* polled systems run with INT unused */
	pic_write(p, 0x20, 0x0C);
	cr_assert_eq(pic_read(p, 0x20), 0x00); /* nothing pending */
	pic_write(p, 0x21, 0x00);
	pulse(6);
	pic_write(p, 0x20, 0x0C);
	cr_assert_eq(pic_read(p, 0x20), 0x86);
	cr_assert_eq(isr(0), 0x40); /* the poll read was the acknowledge */
	cr_assert_eq(irr(0), 0x00);
	/* The poll lasts one read: then the register OCW3 last selected. */
	cr_assert_eq(pic_read(p, 0x20), 0x00);
}

Test(pic, special_mask_mode)
{
	pulse(3);
	cr_assert_eq(pic_ack(p), 0x0B);
	pulse(5);
	cr_assert_eq(intr_level, 0); /* lower priority than the one in service */
	pic_write(p, 0x20, 0x68);    /* set special mask */
	pic_write(p, 0x21, 0x08);    /* mask IR3 */
	cr_assert_eq(intr_level, 1); /* now IR5 comes through */
	cr_assert_eq(pic_ack(p), 0x0D);
	cr_assert_eq(isr(0), 0x28);
	pic_write(p, 0x20, 0x48); /* reset special mask */
	pic_write(p, 0x21, 0x00);
	pulse(7);
	cr_assert_eq(intr_level, 0); /* normal nesting again */
}

Test(pic, elcr_level_triggered)
{
	pic_write(p, 0x4D0, 0xFF);
	pic_write(p, 0x4D1, 0xFF);
	cr_assert_eq(pic_read(p, 0x4D0), 0xF8); /* IRQ 0-2 are always edge */
	cr_assert_eq(pic_read(p, 0x4D1), 0xDE); /* IRQ 8 and 13 too */
	pic_write(p, 0x4D1, 0x04);              /* IRQ10 level */
	irq_raise(pic_irq(p, 10));
	cr_assert_eq(intr_level, 1);
	cr_assert_eq(pic_ack(p), 0x72);
	eoi(1);
	eoi(0);
	/* Still high: it asks again. */
	cr_assert_eq(intr_level, 1);
	cr_assert_eq(pic_ack(p), 0x72);
	irq_lower(pic_irq(p, 10));
	cr_assert_eq(irr(1) & 0x04, 0);
	eoi(1);
	eoi(0);
	cr_assert_eq(intr_level, 0);
}

Test(pic, level_dropped_before_ack_is_spurious_irq7)
{
	pic_write(p, 0x4D0, 0x20); /* IRQ5 level */
	irq_raise(pic_irq(p, 5));
	cr_assert_eq(intr_level, 1);
	irq_lower(pic_irq(p, 5));
	cr_assert_eq(intr_level, 0);
	cr_assert_eq(pic_ack(p), 0x0F); /* IR7's vector, nothing in service */
	cr_assert_eq(isr(0), 0);
}

Test(pic, edge_latched_after_line_falls)
{
	irq_raise(pic_irq(p, 4));
	irq_lower(pic_irq(p, 4));
	cr_assert_eq(irr(0), 0x10);
	irq_raise(pic_irq(p, 4)); /* a second rising edge */
	cr_assert_eq(pic_ack(p), 0x0C);
	irq_raise(pic_irq(p, 4)); /* still high: no new edge */
	cr_assert_eq(irr(0), 0);
}

Test(pic, ltim_makes_every_input_level)
{
	pic_write(p, 0x20, 0x19); /* ICW1 with LTIM */
	pic_write(p, 0x21, 0x08);
	pic_write(p, 0x21, 0x04);
	pic_write(p, 0x21, 0x01);
	irq_raise(pic_irq(p, 1));
	cr_assert_eq(pic_ack(p), 0x09);
	eoi(0);
	cr_assert_eq(pic_ack(p), 0x09);
}

Test(pic, cascade)
{
	pulse(12);
	cr_assert_eq(intr_level, 1);
	cr_assert_eq(irr(0), 0x04);
	cr_assert_eq(pic_ack(p), 0x74);
	cr_assert_eq(isr(0), 0x04);
	cr_assert_eq(isr(1), 0x10);
	pulse(9); /* higher on the slave, but the master's IR2 is in service */
	cr_assert_eq(intr_level, 0);
	pulse(0); /* higher on the master */
	cr_assert_eq(pic_ack(p), 0x08);
	eoi(0);
	eoi(1);
	eoi(0);
	cr_assert_eq(pic_ack(p), 0x71);
}

Test(pic, special_fully_nested_mode)
{
	init_pc(p, 0x11); /* SFNM on both (the slave ignores it) */
	pulse(12);
	cr_assert_eq(pic_ack(p), 0x74);
	pulse(9);
	cr_assert_eq(intr_level, 1); /* the slave's higher request nests */
	cr_assert_eq(pic_ack(p), 0x71);
	cr_assert_eq(isr(1), 0x12);
}

Test(pic, any_unmasked)
{
	cr_assert(pic_any_unmasked(p));
	pic_write(p, 0x21, 0xFB); /* only the cascade open */
	pic_write(p, 0xA1, 0xFF);
	cr_assert(!pic_any_unmasked(p));
	pic_write(p, 0xA1, 0xEF);
	cr_assert(pic_any_unmasked(p));
	pic_write(p, 0x21, 0xFF);
	cr_assert(!pic_any_unmasked(p));
	pic_write(p, 0x21, 0x7F);
	cr_assert(pic_any_unmasked(p));
}

Test(pic, cascade_masked_on_master)
{
	pic_write(p, 0x21, 0x04);
	pulse(8);
	cr_assert_eq(intr_level, 0);
	pic_write(p, 0x21, 0x00);
	cr_assert_eq(pic_ack(p), 0x70);
}

Test(pic, spurious_irq7_when_nothing_pending)
{
	cr_assert_eq(pic_ack(p), 0x0F);
	cr_assert_eq(isr(0), 0);
}

Test(pic, imr_and_vector_base)
{
	pic_write(p, 0x21, 0x5A);
	pic_write(p, 0xA1, 0xA5);
	cr_assert_eq(pic_read(p, 0x21), 0x5A);
	cr_assert_eq(pic_read(p, 0xA1), 0xA5);
	pic_write(p, 0x20, 0x11);
	pic_write(p, 0x21, 0x20 | 7); /* low 3 bits of ICW2 are ignored */
	pic_write(p, 0x21, 0x04);
	pic_write(p, 0x21, 0x01);
	pulse(1);
	cr_assert_eq(pic_ack(p), 0x21);
}

Test(pic, word_access_through_bus)
{
	struct bus b;
	bus_init(&b);
	struct pic *q = pic_create(&b, NULL);
	cr_assert_not_null(q);
	bus_out(&b, 0x20, 0x11, 1);
	bus_out(&b, 0x21, 0x08, 1);
	bus_out(&b, 0x21, 0x04, 1);
	bus_out(&b, 0x21, 0x01, 1);
	bus_out(&b, 0x4D0, 0x0C00, 2); /* ELCR: IRQ 10, 11 */
	cr_assert_eq(bus_in(&b, 0x4D0, 2), 0x0C00);
	cr_assert_eq(bus_in(&b, 0x21, 1), 0x00);
	/* Not creatable twice on one bus. */
	cr_assert_null(pic_create(&b, NULL));
	pic_destroy(q);
}

/* ---- save / load ------------------------------------------------------- */

/* A busy state: rotation, masks, something in service on both chips, a
 * level line high, requests waiting. */
static void busy_state(struct pic *q)
{
	pic_write(q, 0x4D1, 0x08); /* IRQ11 level */
	pic_write(q, 0x20, 0xC3);  /* IR3 lowest */
	pic_write(q, 0x21, 0x10);
	irq_pulse(pic_irq(q, 1));
	irq_pulse(pic_irq(q, 4)); /* masked: stays in IRR */
	irq_raise(pic_irq(q, 11));
	cr_assert_eq(pic_ack(q), 0x09);
	irq_pulse(pic_irq(q, 6));
	pic_write(q, 0xA0, 0x0B); /* the slave reads ISR */
}

Test(pic, save_load_round_trip)
{
	busy_state(p);
	struct state_buf b = { 0 };
	cr_assert_eq(device_save(&p->dev, &b), 0);

	struct irq_line intr2;
	irq_line_init(&intr2, on_intr, NULL, 0);
	struct pic *q = pic_create(NULL, &intr2);
	char err[256];
	cr_assert_eq(device_load(&q->dev, b.data, b.len, err, sizeof err), 0, "%s", err);
	cr_assert_eq(pic_intr(q), pic_intr(p));
	for (int c = 0; c < 2; c++) {
		uint16_t base = c ? 0xA0 : 0x20;
		cr_assert_eq(pic_read(q, base), pic_read(p, base));
		cr_assert_eq(pic_read(q, base + 1), pic_read(p, base + 1));
		cr_assert_eq(pic_read(q, 0x4D0 + c), pic_read(p, 0x4D0 + c));
	}
	/* The same future: acknowledges, EOIs, new requests. */
	for (int step = 0; step < 6; step++) {
		cr_assert_eq(pic_intr(q), pic_intr(p));
		int v1 = pic_ack(p), v2 = pic_ack(q);
		cr_assert_eq(v1, v2, "step %d: %#x vs %#x", step, v1, v2);
		if (step == 1) {
			irq_lower(pic_irq(p, 11));
			irq_lower(pic_irq(q, 11));
		}
		irq_pulse(pic_irq(p, step));
		irq_pulse(pic_irq(q, step));
		for (int c = 0; c < 2; c++) {
			pic_write(p, c ? 0xA0 : 0x20, 0x20);
			pic_write(q, c ? 0xA0 : 0x20, 0x20);
		}
	}
	state_buf_free(&b);
	pic_destroy(q);
}

Test(pic, load_rejects_bad_input_and_keeps_state)
{
	busy_state(p);
	struct state_buf b = { 0 };
	cr_assert_eq(device_save(&p->dev, &b), 0);
	struct pic *q = pic_create(NULL, NULL);
	init_pc(q, 0x01);
	pic_write(q, 0x21, 0x77);
	char err[256];
	/* Every truncation is refused. */
	for (size_t n = 0; n < b.len; n++)
		cr_assert_eq(device_load(&q->dev, b.data, n, err, sizeof err), -1, "length %zu", n);
	/* A wrong version. */
	uint8_t *bad = malloc(b.len);
	memcpy(bad, b.data, b.len);
	size_t vpos = 1 + strlen("pic");
	bad[vpos] = 9;
	cr_assert_eq(device_load(&q->dev, bad, b.len, err, sizeof err), -1);
	cr_assert(strstr(err, "version"), "%s", err);
	/* A priority out of range (post_load): refused, state unchanged. */
	memcpy(bad, b.data, b.len);
	size_t lowest = vpos + 8 + 6; /* chip 0: irr isr imr pins elcr vector_base lowest */
	bad[lowest] = 9;
	cr_assert_eq(device_load(&q->dev, bad, b.len, err, sizeof err), -1);
	cr_assert_eq(pic_read(q, 0x21), 0x77);
	/* A boolean that is not 0 or 1. */
	memcpy(bad, b.data, b.len);
	bad[b.len - 1] = 2;
	cr_assert_eq(device_load(&q->dev, bad, b.len, err, sizeof err), -1);
	cr_assert_eq(pic_read(q, 0x21), 0x77);
	free(bad);
	state_buf_free(&b);
	pic_destroy(q);
}
