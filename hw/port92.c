/* port92 — System Control Port A: fast A20 and fast reset (see port92.h). */
#include "port92.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus.h"
#include "mmu.h"

static bool a20_open(const struct port92 *p) { return (p->mmu->a20_mask & (1u << 20)) != 0; }

/* One port: the bus splits wider accesses, so this sees bytes only. */
static uint32_t port92_read(void *dev, uint16_t port, unsigned size)
{
	struct port92 *p = dev;
	(void)port;
	(void)size;
	uint8_t v = p->value & ~PORT92_A20;
	if (a20_open(p))
		v |= PORT92_A20;
	return v;
}

static void port92_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	struct port92 *p = dev;
	(void)port;
	(void)size;
	uint8_t old = p->value;
	p->value = (uint8_t)val;
	mmu_set_a20(p->mmu, (val & PORT92_A20) != 0);
	if ((val & PORT92_RESET) && !(old & PORT92_RESET)) {
		p->reset_requested = true;
		if (p->notify)
			p->notify(p->notify_opaque);
	}
}

static const struct io_ops port92_ops = {
	.read = port92_read,
	.write = port92_write,
};

/* ---- saved state ------------------------------------------------------- */

static void port92_pre_save(void *obj)
{
	struct port92 *p = obj;
	p->a20 = a20_open(p);
}

static int port92_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct port92 *p = obj;
	(void)version;
	(void)err;
	(void)errlen;
	mmu_set_a20(p->mmu, p->a20);
	return 0;
}

static const struct state_field port92_fields[] = {
	STATE_U8(struct port92, value),
	STATE_BOOL(struct port92, a20),
	STATE_BOOL(struct port92, reset_requested),
};

static const struct state_desc port92_state = {
	.name = "port92",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(port92_fields),
	.pre_save = port92_pre_save,
	.post_load = port92_post_load,
};

/* ---- life cycle -------------------------------------------------------- */

struct port92 *port92_create(struct bus *b, struct mmu *mmu)
{
	struct port92 *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	device_init(&p->dev, &port92_class);
	p->mmu = mmu;
	if (bus_register_io(b, PORT92_PORT, 1, &port92_ops, p) < 0) {
		free(p);
		errno = EBUSY;
		return NULL;
	}
	return p;
}

void port92_reset(struct port92 *p)
{
	p->value &= ~PORT92_RESET;
	p->reset_requested = false;
}

void port92_destroy(struct port92 *p) { free(p); }

static struct device *port92_class_create(const struct device_env *env, const void *config,
                                          char *err, size_t errlen)
{
	const struct port92_config *cfg = config;
	if (!cfg || !cfg->mmu) {
		snprintf(err, errlen, "port92: needs the MMU (struct port92_config)");
		return NULL;
	}
	struct port92 *p = port92_create(env->bus, cfg->mmu);
	if (!p) {
		snprintf(err, errlen, "port92: port 92h is taken");
		return NULL;
	}
	return &p->dev;
}

static void port92_class_reset(struct device *d) { port92_reset((struct port92 *)d); }
static void port92_class_destroy(struct device *d) { port92_destroy((struct port92 *)d); }

const struct device_class port92_class = {
	.name = "port92",
	.create = port92_class_create,
	.destroy = port92_class_destroy,
	.reset = port92_class_reset,
	.state = &port92_state,
};
