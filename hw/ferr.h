/* ferr — the PC/AT coprocessor error latch.  The x87's FERR# output (an
 * unmasked exception pending while CR0.NE = 0) sets a latch that raises
 * IRQ13; a write to port F0h clears it (the "IGNNE#" port the DOS-era FPU
 * exception handlers write).  SDM Vol 1 §8.7 ("Handling x87 FPU Exceptions
 * in Software", the MS-DOS compatibility sub-mode). */
#ifndef AMBER_FERR_H
#define AMBER_FERR_H

#include <stdbool.h>

#include "device.h"

struct bus;

#define FERR_PORT 0xF0

struct ferr_latch {
	struct device dev;
	struct irq_line *irq;   /* IRQ13 on the slave PIC */
	bool latch;             /* set by a rising FERR#, cleared by OUT F0h */
	bool ferr;              /* FERR# as last seen */
};

struct ferr_latch *ferr_create(struct bus *b, struct irq_line *irq13);
void ferr_destroy(struct ferr_latch *f);
void ferr_reset(struct ferr_latch *f);
/* The CPU's FERR# output now (the machine samples it at each run-loop
 * boundary, as the asynchronous pin it is). */
void ferr_update(struct ferr_latch *f, bool ferr);

extern const struct device_class ferr_class;

#endif
