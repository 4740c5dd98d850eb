/* port92 — System Control Port A at 92h ("fast A20" and fast reset), as on
 * PC/AT-compatible chipsets (PS/2 and later; qemu's "port92" device):
 *
 *   bit 1  A20 gate: 1 opens it (mmu_set_a20), 0 closes it, so that
 *          addresses wrap at 1 MiB as on an 8086.
 *   bit 0  fast reset: a 0 -> 1 transition asks for a CPU reset.  The
 *          device only records the request (reset_requested) and calls
 *          notify; the machine loop resets the CPU and calls port92_reset.
 *
 * A read returns the last value written with bit 1 replaced by the state of
 * the A20 gate (which the keyboard controller may also drive).  Reset clears
 * bit 0 only, as qemu's port92 does.  (The machine reopens A20 on a fast
 * reset, as qemu's system reset does; a PIIX would keep bit 1's gate.)  The saved state is that value and the
 * A20 gate itself (the MMU keeps it, and nothing else saves it yet). */
#ifndef AMBER_PORT92_H
#define AMBER_PORT92_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

struct bus;
struct mmu;

#define PORT92_PORT 0x92
#define PORT92_RESET 0x01
#define PORT92_A20 0x02

/* The class's configuration (device_class.create): required. */
struct port92_config {
	struct mmu *mmu; /* not owned: the A20 gate lives there */
};

struct port92 {
	struct device dev;
	struct mmu *mmu;
	uint8_t value; /* the last value written */
	bool a20;      /* saved state only: the gate when saved */
	bool reset_requested;
	/* Called on each fast-reset request (e.g. to stop the CPU at the next
	 * instruction boundary); may be NULL. */
	void (*notify)(void *opaque);
	void *notify_opaque;
};

extern const struct device_class port92_class;

/* Creates the port and registers it with the bus.  Returns NULL (errno set)
 * when memory or the port is not available. */
struct port92 *port92_create(struct bus *b, struct mmu *mmu);
void port92_reset(struct port92 *p);
/* The bus keeps a pointer to the device: destroy it with the bus. */
void port92_destroy(struct port92 *p);
static inline bool port92_reset_requested(const struct port92 *p)
{
	return p && p->reset_requested;
}

#endif
