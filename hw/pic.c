/* pic — dual 8259A interrupt controller (see pic.h). */
#include "pic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

/* ICW1 */
#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW1_INIT 0x10
/* ICW4 */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
/* OCW3 */
#define OCW3_SEL 0x08
#define OCW3_POLL 0x04
#define OCW3_RR 0x02
#define OCW3_RIS 0x01
#define OCW3_ESMM 0x40
#define OCW3_SMM 0x20

/* The ELCR bits PIIX lets software set: IRQ 0, 1, 2, 8 and 13 are edge. */
#define ELCR_MASK_MASTER 0xF8
#define ELCR_MASK_SLAVE 0xDE

static uint8_t level_mask(const struct pic_chip *c)
{
	return (c->icw1 & ICW1_LTIM) ? 0xFF : c->elcr;
}

/* The master's inputs that carry a slave (none in single mode). */
static uint8_t cascade_mask(const struct pic_chip *m)
{
	return (m->icw1 & ICW1_SNGL) ? 0 : m->icw3;
}

/* Priority rank of IR n: 0 is the highest.  After a rotation the IR after
 * c->lowest has the highest priority (datasheet, "Rotation"). */
static int rank(const struct pic_chip *c, int n) { return (n - c->lowest - 1) & 7; }

/* The IR of highest priority in bits, or -1. */
static int highest(const struct pic_chip *c, uint8_t bits)
{
	for (int k = 1; k <= 8; k++) {
		int n = (c->lowest + k) & 7;
		if (bits & (1u << n))
			return n;
	}
	return -1;
}

/* The IR this chip would present to its INT output, or -1: the highest
 * unmasked request not blocked by an in-service one of equal or higher
 * priority.  In special mask mode only the same level blocks (datasheet:
 * "enables interrupts from all other levels, lower as well as higher, that
 * are not masked").  In special fully nested mode a master input carrying a
 * slave is not blocked by its own in-service bit, so the slave can nest. */
static int chip_pending(const struct pic_chip *c, uint8_t cascade)
{
	int n = highest(c, c->irr & ~c->imr);
	if (n < 0)
		return -1;
	if (c->special_mask)
		return (c->isr & (1u << n)) ? -1 : n;
	uint8_t isr = c->isr;
	if (c->icw4 & ICW4_SFNM)
		isr &= ~(cascade & (1u << n));
	int cur = highest(c, isr);
	if (cur >= 0 && rank(c, cur) <= rank(c, n))
		return -1;
	return n;
}

/* Recomputes the slave's INT (the master's cascade input, seen as a level)
 * and the master's INT (the CPU's INTR). */
static void pic_update(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	uint8_t casc = cascade_mask(m);
	s->int_out = chip_pending(s, 0) >= 0;
	if (casc) {
		if (s->int_out)
			m->irr |= casc;
		else
			m->irr &= ~casc;
	}
	bool out = chip_pending(m, casc) >= 0;
	if (out != m->int_out || (p->intr && p->intr->level != out)) {
		m->int_out = out;
		irq_set_level(p->intr, out);
	}
}

/* An INTA on one chip for IR n: in service (unless auto-EOI), and an edge
 * request is consumed. */
static void chip_ack(struct pic_chip *c, int n)
{
	if (c->icw4 & ICW4_AEOI) {
		if (c->rotate_aeoi)
			c->lowest = (uint8_t)n;
	} else {
		c->isr |= (uint8_t)(1u << n);
	}
	if (!(level_mask(c) & (1u << n)))
		c->irr &= (uint8_t)~(1u << n);
}

int pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	uint8_t casc = cascade_mask(m);
	int n = chip_pending(m, casc);
	int vector;
	if (n < 0) {
		vector = m->vector_base | 7; /* spurious IRQ 7: nothing in service */
	} else {
		chip_ack(m, n);
		if (casc & (1u << n)) {
			int sn = chip_pending(s, 0);
			if (sn < 0) {
				vector = s->vector_base | 7; /* spurious IRQ 15 */
			} else {
				chip_ack(s, sn);
				vector = s->vector_base | sn;
			}
		} else {
			vector = m->vector_base | n;
		}
	}
	pic_update(p);
	return vector;
}

int pic_ack_cb(void *opaque) { return pic_ack(opaque); }

bool pic_any_unmasked(const struct pic *p)
{
	const struct pic_chip *m = &p->chip[0];
	uint8_t casc = cascade_mask(m);
	uint8_t open = (uint8_t)~m->imr;
	if (open & ~casc)
		return true;
	return (open & casc) && p->chip[1].imr != 0xFF;
}

static void pic_set_input(void *opaque, int line, bool level)
{
	struct pic *p = opaque;
	struct pic_chip *c = &p->chip[line >> 3];
	uint8_t bit = (uint8_t)(1u << (line & 7));
	bool was = c->pins & bit;
	if (level)
		c->pins |= bit;
	else
		c->pins &= (uint8_t)~bit;
	if (level_mask(c) & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !was) {
		c->irr |= bit;
	}
	pic_update(p);
}

/* ICW1: the chip starts over (datasheet, "Initialization Command Words"). */
static void chip_icw1(struct pic_chip *c, uint8_t val)
{
	c->icw1 = val;
	c->init_step = 2;
	c->imr = 0;
	c->isr = 0;
	/* The edge sense latch is reset: an edge input needs a new rising
	 * edge; a level input still requests while its line is high. */
	c->irr = c->pins & level_mask(c);
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_aeoi = false;
	if (!(val & ICW1_IC4))
		c->icw4 = 0;
}

static void chip_ocw2(struct pic_chip *c, uint8_t val)
{
	int level = val & 7;
	int n;
	switch (val >> 5) {
	case 0: c->rotate_aeoi = false; break;                 /* clear rotate in AEOI */
	case 4: c->rotate_aeoi = true; break;                  /* set rotate in AEOI */
	case 1:                                                /* non-specific EOI */
	case 5:                                                /* rotate on non-specific EOI */
		n = highest(c, c->isr);
		if (n >= 0) {
			c->isr &= (uint8_t)~(1u << n);
			if (val & 0x80)
				c->lowest = (uint8_t)n;
		}
		break;
	case 3: c->isr &= (uint8_t)~(1u << level); break;      /* specific EOI */
	case 7:                                                /* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << level);
		c->lowest = (uint8_t)level;
		break;
	case 6: c->lowest = (uint8_t)level; break;             /* set priority */
	case 2: break;                                         /* no operation */
	}
}

static void chip_ocw3(struct pic_chip *c, uint8_t val)
{
	if (val & OCW3_ESMM)
		c->special_mask = (val & OCW3_SMM) != 0;
	if (val & OCW3_RR)
		c->read_isr = (val & OCW3_RIS) != 0;
	c->poll = (val & OCW3_POLL) != 0;
}

static void chip_write(struct pic *p, int which, int a0, uint8_t val)
{
	struct pic_chip *c = &p->chip[which];
	if (a0 == 0) {
		if (val & ICW1_INIT)
			chip_icw1(c, val);
		else if (val & OCW3_SEL)
			chip_ocw3(c, val);
		else
			chip_ocw2(c, val);
	} else {
		switch (c->init_step) {
		case 0: c->imr = val; break; /* OCW1 */
		case 2:
			c->vector_base = val & 0xF8;
			c->init_step = !(c->icw1 & ICW1_SNGL) ? 3 : (c->icw1 & ICW1_IC4) ? 4 : 0;
			break;
		case 3:
			c->icw3 = val;
			c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
			break;
		default:
			c->icw4 = val;
			c->init_step = 0;
			break;
		}
	}
	pic_update(p);
}

/* A poll (OCW3 P=1): the read is an interrupt acknowledge; it returns 80h
 * plus the IR, or 0 when nothing is pending (datasheet, "The Poll Command"). */
static uint8_t chip_poll(struct pic *p, int which)
{
	struct pic_chip *c = &p->chip[which];
	c->poll = false;
	int n = chip_pending(c, which == 0 ? cascade_mask(c) : 0);
	if (n < 0)
		return 0;
	chip_ack(c, n);
	pic_update(p);
	return (uint8_t)(0x80 | n);
}

static uint8_t chip_read(struct pic *p, int which, int a0)
{
	struct pic_chip *c = &p->chip[which];
	if (c->poll)
		return chip_poll(p, which);
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void elcr_write(struct pic *p, int which, uint8_t val)
{
	struct pic_chip *c = &p->chip[which];
	c->elcr = val & c->elcr_mask;
	/* A line that became level-triggered requests while it is high. */
	c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->pins & c->elcr));
	pic_update(p);
}

uint8_t pic_read(struct pic *p, uint16_t port)
{
	switch (port) {
	case PIC_MASTER_PORT:
	case PIC_MASTER_PORT + 1: return chip_read(p, 0, port & 1);
	case PIC_SLAVE_PORT:
	case PIC_SLAVE_PORT + 1: return chip_read(p, 1, port & 1);
	case PIC_ELCR_PORT:
	case PIC_ELCR_PORT + 1: return p->chip[port & 1].elcr;
	}
	return 0xFF;
}

void pic_write(struct pic *p, uint16_t port, uint8_t val)
{
	switch (port) {
	case PIC_MASTER_PORT:
	case PIC_MASTER_PORT + 1: chip_write(p, 0, port & 1, val); break;
	case PIC_SLAVE_PORT:
	case PIC_SLAVE_PORT + 1: chip_write(p, 1, port & 1, val); break;
	case PIC_ELCR_PORT:
	case PIC_ELCR_PORT + 1: elcr_write(p, port & 1, val); break;
	}
}

/* A word access reaches both ports of a pair, low byte first. */
static uint32_t pic_io_read(void *dev, uint16_t port, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)pic_read(dev, (uint16_t)(port + i)) << (8 * i);
	return v;
}

static void pic_io_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		pic_write(dev, (uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
}

static const struct io_ops pic_ops = {
	.read = pic_io_read,
	.write = pic_io_write,
};

static void chip_reset(struct pic_chip *c, int which)
{
	uint8_t pins = c->pins;
	memset(c, 0, sizeof *c);
	c->pins = pins;
	c->imr = 0xFF; /* undefined at power-on; masked until the BIOS sets it up */
	c->lowest = 7;
	c->icw3 = which == 0 ? 0x04 : 0x02;
	c->icw4 = 0x01;
	c->elcr_mask = which == 0 ? ELCR_MASK_MASTER : ELCR_MASK_SLAVE;
}

void pic_reset(struct pic *p)
{
	chip_reset(&p->chip[0], 0);
	chip_reset(&p->chip[1], 1);
	pic_update(p);
}

/* ---- saved state ------------------------------------------------------- */

static const struct state_field chip_fields[] = {
	STATE_U8(struct pic_chip, irr),
	STATE_U8(struct pic_chip, isr),
	STATE_U8(struct pic_chip, imr),
	STATE_U8(struct pic_chip, pins),
	STATE_U8(struct pic_chip, elcr),
	STATE_U8(struct pic_chip, vector_base),
	STATE_U8(struct pic_chip, lowest),
	STATE_U8(struct pic_chip, init_step),
	STATE_U8(struct pic_chip, icw1),
	STATE_U8(struct pic_chip, icw3),
	STATE_U8(struct pic_chip, icw4),
	STATE_BOOL(struct pic_chip, read_isr),
	STATE_BOOL(struct pic_chip, poll),
	STATE_BOOL(struct pic_chip, special_mask),
	STATE_BOOL(struct pic_chip, rotate_aeoi),
};

static const struct state_desc chip_state = {
	.name = "8259a",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(chip_fields),
};

static int pic_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct pic *p = obj;
	(void)version;
	for (int i = 0; i < 2; i++) {
		struct pic_chip *c = &p->chip[i];
		if (c->lowest > 7 || c->init_step == 1 || c->init_step > 4) {
			snprintf(err, errlen, "pic: chip %d: bad priority %u or init step %u", i,
			         c->lowest, c->init_step);
			return -1;
		}
		c->elcr_mask = i == 0 ? ELCR_MASK_MASTER : ELCR_MASK_SLAVE;
		c->elcr &= c->elcr_mask;
	}
	pic_update(p);
	return 0;
}

static const struct state_field pic_fields[] = {
	STATE_STRUCT_ARRAY(struct pic, chip, 2, chip_state),
};

static const struct state_desc pic_state = {
	.name = "pic",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(pic_fields),
	.post_load = pic_post_load,
};

/* ---- life cycle -------------------------------------------------------- */

struct pic *pic_create(struct bus *b, struct irq_line *intr)
{
	struct pic *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	device_init(&p->dev, &pic_class);
	p->intr = intr;
	for (int i = 0; i < 16; i++)
		irq_line_init(&p->in[i], pic_set_input, p, i);
	if (b && (bus_register_io(b, PIC_MASTER_PORT, 2, &pic_ops, p) < 0 ||
	          bus_register_io(b, PIC_SLAVE_PORT, 2, &pic_ops, p) < 0 ||
	          bus_register_io(b, PIC_ELCR_PORT, 2, &pic_ops, p) < 0)) {
		free(p);
		return NULL;
	}
	pic_reset(p);
	return p;
}

/* The bus keeps pointers to the device: destroy it with the bus. */
void pic_destroy(struct pic *p) { free(p); }

static struct device *pic_class_create(const struct device_env *env, const void *config,
                                       char *err, size_t errlen)
{
	(void)config;
	struct pic *p = pic_create(env->bus, env->irq[0]);
	if (!p) {
		snprintf(err, errlen, "pic: ports 20h, A0h or 4D0h are taken");
		return NULL;
	}
	return &p->dev;
}

static void pic_class_reset(struct device *d) { pic_reset((struct pic *)d); }
static void pic_class_destroy(struct device *d) { pic_destroy((struct pic *)d); }

const struct device_class pic_class = {
	.name = "pic",
	.create = pic_class_create,
	.destroy = pic_class_destroy,
	.reset = pic_class_reset,
	.state = &pic_state,
};
