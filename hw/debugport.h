/* debugport — two tiny guest-to-host debug devices, as Bochs and qemu have:
 *
 *   debugcon        port E9h: each byte written goes to a host FILE*; a read
 *                   returns E9h so the guest can detect the port.
 *   isa-debug-exit  (default iobase F4h, iosize 4): a write of V asks the
 *                   machine to stop with exit status (V << 1) | 1, as qemu's
 *                   isa-debug-exit does.  The device only records the request;
 *                   the run loop polls debug_exit_requested() and stops
 *                   cleanly (output flushed, devices destroyed). */
#ifndef AMBER_DEBUGPORT_H
#define AMBER_DEBUGPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct bus;

#define DEBUGCON_PORT 0xE9
#define DEBUG_EXIT_IOBASE 0xF4
#define DEBUG_EXIT_IOSIZE 0x04

struct debugcon {
	FILE *out; /* not owned; NULL: bytes are dropped */
	uint16_t port;
	uint64_t bytes; /* bytes written by the guest */
};

/* Creates the console on port and registers it with the bus.  Returns NULL
 * (errno set) when memory or the port range is not available. */
struct debugcon *debugcon_create(struct bus *b, uint16_t port, FILE *out);
void debugcon_reset(struct debugcon *d);
void debugcon_destroy(struct debugcon *d);

struct debug_exit {
	uint16_t iobase, iosize;
	bool requested;
	int status; /* (V << 1) | 1 once requested */
	/* Called once on the first request (e.g. to stop the CPU at the next
	 * instruction boundary); may be NULL. */
	void (*notify)(void *opaque);
	void *notify_opaque;
};

struct debug_exit *debug_exit_create(struct bus *b, uint16_t iobase, uint16_t iosize);
void debug_exit_reset(struct debug_exit *d);
void debug_exit_destroy(struct debug_exit *d);
static inline bool debug_exit_requested(const struct debug_exit *d) { return d && d->requested; }

#endif
