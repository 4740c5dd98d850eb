#include "bus.h"

#include <string.h>

void bus_init(struct bus *b)
{
	memset(b, 0, sizeof *b);
}

int bus_register_io(struct bus *b, uint16_t first, uint16_t count,
                    const struct io_ops *ops, void *dev)
{
	if (b->nranges == BUS_MAX_RANGES || count == 0)
		return -1;
	for (int i = 0; i < b->nranges; i++) {
		const struct io_range *r = &b->range[i];
		if ((uint32_t)first < (uint32_t)r->first + r->count &&
		    (uint32_t)r->first < (uint32_t)first + count)
			return -1;
	}
	b->range[b->nranges++] = (struct io_range){ first, count, ops, dev };
	return 0;
}

static const struct io_range *bus_find(const struct bus *b, uint16_t port)
{
	for (int i = 0; i < b->nranges; i++)
		if ((uint16_t)(port - b->range[i].first) < b->range[i].count)
			return &b->range[i];
	return NULL;
}

/* A wide access to ports owned by different devices (or none) is split into
 * byte accesses, as the ISA bus does. */
uint32_t bus_in(struct bus *b, uint16_t port, unsigned size)
{
	const struct io_range *r = bus_find(b, port);
	if (r && r->ops->read && (uint16_t)(port + size - 1 - r->first) < r->count)
		return r->ops->read(r->dev, port, size);
	if (size == 1)
		return 0xFF;
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= bus_in(b, (uint16_t)(port + i), 1) << (8 * i);
	return v;
}

void bus_out(struct bus *b, uint16_t port, uint32_t val, unsigned size)
{
	const struct io_range *r = bus_find(b, port);
	if (r && (uint16_t)(port + size - 1 - r->first) < r->count) {
		if (r->ops->write)
			r->ops->write(r->dev, port, val, size);
		return;
	}
	if (size == 1)
		return;
	for (unsigned i = 0; i < size; i++)
		bus_out(b, (uint16_t)(port + i), (val >> (8 * i)) & 0xFF, 1);
}
