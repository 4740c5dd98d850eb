/* bus — port I/O dispatch.  Devices register a range of ports with an ops
 * table; the CPU reaches devices only through bus_in/bus_out.  An unclaimed
 * port reads as all ones and ignores writes, as on an ISA bus. */
#ifndef AMBER_BUS_H
#define AMBER_BUS_H

#include <stdint.h>

/* size is 1, 2 or 4 bytes. */
struct io_ops {
	uint32_t (*read)(void *dev, uint16_t port, unsigned size);
	void (*write)(void *dev, uint16_t port, uint32_t val, unsigned size);
};

#define BUS_MAX_RANGES 64

struct bus {
	struct io_range {
		uint16_t first, count;
		const struct io_ops *ops;
		void *dev;
	} range[BUS_MAX_RANGES];
	int nranges;
};

void bus_init(struct bus *b);
/* Returns 0, or -1 when the table is full or the range overlaps another. */
int bus_register_io(struct bus *b, uint16_t first, uint16_t count,
                    const struct io_ops *ops, void *dev);
uint32_t bus_in(struct bus *b, uint16_t port, unsigned size);
void bus_out(struct bus *b, uint16_t port, uint32_t val, unsigned size);

#endif
