/* ferr — the coprocessor error latch on IRQ13 and port F0h (see ferr.h). */
#include "ferr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus.h"

static uint32_t ferr_read(void *dev, uint16_t port, unsigned size)
{
	(void)dev;
	(void)port;
	(void)size;
	return 0xFF;
}

/* Any write clears the latch and drops IRQ13. */
static void ferr_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	struct ferr_latch *f = dev;
	(void)port;
	(void)val;
	(void)size;
	f->latch = false;
	irq_set_level(f->irq, false);
}

static const struct io_ops ferr_ops = { .read = ferr_read, .write = ferr_write };

void ferr_update(struct ferr_latch *f, bool ferr)
{
	if (ferr && !f->ferr) {
		f->latch = true;
		irq_set_level(f->irq, true);
	}
	f->ferr = ferr;
}

void ferr_reset(struct ferr_latch *f)
{
	f->latch = f->ferr = false;
	irq_set_level(f->irq, false);
}

static int ferr_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct ferr_latch *f = obj;
	(void)version;
	(void)err;
	(void)errlen;
	irq_set_level(f->irq, f->latch);
	return 0;
}

static const struct state_field ferr_fields[] = {
	STATE_BOOL(struct ferr_latch, latch),
	STATE_BOOL(struct ferr_latch, ferr),
};

static const struct state_desc ferr_state = {
	.name = "ferr",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(ferr_fields),
	.post_load = ferr_post_load,
};

struct ferr_latch *ferr_create(struct bus *b, struct irq_line *irq13)
{
	struct ferr_latch *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	device_init(&f->dev, &ferr_class);
	f->irq = irq13;
	if (bus_register_io(b, FERR_PORT, 1, &ferr_ops, f) < 0) {
		free(f);
		errno = EBUSY;
		return NULL;
	}
	return f;
}

void ferr_destroy(struct ferr_latch *f)
{
	free(f);
}

static struct device *ferr_class_create(const struct device_env *env, const void *config,
                                        char *err, size_t errlen)
{
	(void)config;
	struct ferr_latch *f = ferr_create(env->bus, env->irq[0]);
	if (!f) {
		snprintf(err, errlen, "ferr: port F0h is taken");
		return NULL;
	}
	return &f->dev;
}

static void ferr_class_reset(struct device *d) { ferr_reset((struct ferr_latch *)d); }
static void ferr_class_destroy(struct device *d) { ferr_destroy((struct ferr_latch *)d); }

const struct device_class ferr_class = {
	.name = "ferr",
	.create = ferr_class_create,
	.destroy = ferr_class_destroy,
	.reset = ferr_class_reset,
	.state = &ferr_state,
};
