/* port92 — System Control Port A: fast A20 and fast reset (see port92.h). */
#include "port92.h"

#include <errno.h>
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

struct port92 *port92_create(struct bus *b, struct mmu *mmu)
{
	struct port92 *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
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
