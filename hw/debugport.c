/* debugport — the E9h debug console and isa-debug-exit (see debugport.h). */
#include "debugport.h"

#include <errno.h>
#include <stdlib.h>

#include "bus.h"

/* The console answers a read with E9h (Bochs' "port E9 hack" check).  It
 * owns one port, so the bus splits wider reads and this sees only bytes. */
static uint32_t debugcon_read(void *dev, uint16_t port, unsigned size)
{
	(void)dev;
	(void)port;
	(void)size;
	return 0xE9;
}

/* Only the low byte of a wider write reaches the console, as in qemu. */
static void debugcon_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	struct debugcon *d = dev;
	(void)port;
	(void)size;
	d->bytes++;
	if (d->out)
		fputc((int)(val & 0xFF), d->out);
}

static const struct io_ops debugcon_ops = {
	.read = debugcon_read,
	.write = debugcon_write,
};

struct debugcon *debugcon_create(struct bus *b, uint16_t port, FILE *out)
{
	struct debugcon *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->out = out;
	d->port = port;
	if (bus_register_io(b, port, 1, &debugcon_ops, d) < 0) {
		free(d);
		errno = EBUSY;
		return NULL;
	}
	return d;
}

void debugcon_reset(struct debugcon *d)
{
	if (d->out)
		fflush(d->out);
}

/* The bus keeps a pointer to the device: destroy it with the bus. */
void debugcon_destroy(struct debugcon *d)
{
	if (!d)
		return;
	if (d->out)
		fflush(d->out);
	free(d);
}

/* qemu's isa-debug-exit reads as zero. */
static uint32_t debug_exit_read(void *dev, uint16_t port, unsigned size)
{
	(void)dev;
	(void)port;
	(void)size;
	return 0;
}

/* The first write wins: the guest asked to stop there. */
static void debug_exit_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	struct debug_exit *d = dev;
	(void)port;
	if (d->requested)
		return;
	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	d->requested = true;
	d->status = (int)((val << 1) | 1);
	if (d->notify)
		d->notify(d->notify_opaque);
}

static const struct io_ops debug_exit_ops = {
	.read = debug_exit_read,
	.write = debug_exit_write,
};

struct debug_exit *debug_exit_create(struct bus *b, uint16_t iobase, uint16_t iosize)
{
	struct debug_exit *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->iobase = iobase;
	d->iosize = iosize;
	if (iosize == 0 || (uint32_t)iobase + iosize > 0x10000u ||
	    bus_register_io(b, iobase, iosize, &debug_exit_ops, d) < 0) {
		free(d);
		errno = EBUSY;
		return NULL;
	}
	return d;
}

void debug_exit_reset(struct debug_exit *d)
{
	d->requested = false;
	d->status = 0;
}

void debug_exit_destroy(struct debug_exit *d) { free(d); }
