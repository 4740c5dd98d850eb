/* pic — the PC's two cascaded Intel 8259A programmable interrupt controllers
 * (Intel 8259A datasheet, order 231468), at ports 20h-21h (master, IRQ 0-7)
 * and A0h-A1h (slave, IRQ 8-15, on the master's IR2), with the edge/level
 * control registers (ELCR) of PCI chipsets at 4D0h-4D1h (PIIX/PIIX3 data
 * sheet, 82371SB §4.1.13; IRQ 0, 1, 2, 8 and 13 are always edge-triggered).
 *
 * The 16 input lines are irq_line objects (pic_irq); the master's INT output
 * drives the line given at creation (the CPU's INTR).  The CPU acknowledges
 * with pic_ack, which returns the vector as two INTA cycles would.
 *
 * Supported: ICW1-ICW4 (single or cascade, LTIM, AEOI, SFNM), OCW1 mask,
 * OCW2 specific/non-specific EOI, rotate on (non-)specific EOI, rotate in
 * AEOI mode, set priority; OCW3 IRR/ISR read, poll, special mask mode;
 * spurious IRQ 7 and 15.  Not modelled: the 8080/85 mode (uPM=0: amber
 * always answers with 8086 vectors), buffered mode (no effect on a PC).
 *
 * Edge-triggered inputs latch a rising edge in IRR even if the line falls
 * before the acknowledge (as qemu does; the datasheet would give a spurious
 * IRQ 7), so a device may pulse its line. */
#ifndef AMBER_PIC_H
#define AMBER_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

#define PIC_MASTER_PORT 0x20
#define PIC_SLAVE_PORT 0xA0
#define PIC_ELCR_PORT 0x4D0

struct pic_chip {
	uint8_t irr;          /* interrupt request register */
	uint8_t isr;          /* in-service register */
	uint8_t imr;          /* interrupt mask register */
	uint8_t pins;         /* input line levels, for edge detection */
	uint8_t elcr;         /* 1: level-triggered */
	uint8_t elcr_mask;    /* ELCR bits that can be set */
	uint8_t vector_base;  /* ICW2 & F8h */
	uint8_t lowest;       /* the lowest-priority IR (rotation); IR lowest+1 is highest */
	uint8_t init_step;    /* 0: ready; 2, 3, 4: expecting ICW2, ICW3, ICW4 */
	uint8_t icw1, icw3, icw4;
	bool read_isr;        /* OCW3 RR/RIS: a read of port 0 returns ISR */
	bool poll;            /* OCW3 P: the next read of port 0 is a poll */
	bool special_mask;    /* OCW3 SMM */
	bool rotate_aeoi;     /* OCW2 R=1 in AEOI mode */
	bool int_out;         /* the INT pin */
};

struct pic {
	struct device dev;
	struct pic_chip chip[2]; /* master, slave */
	struct irq_line in[16];  /* the IRQ inputs */
	struct irq_line *intr;   /* the master's INT: the CPU's INTR */
};

extern const struct device_class pic_class;

/* Creates the pair and registers ports 20h, A0h and 4D0h with the bus.
 * intr may be NULL (tests poll pic_intr).  Returns NULL on failure. */
struct pic *pic_create(struct bus *b, struct irq_line *intr);
void pic_reset(struct pic *p);
void pic_destroy(struct pic *p);

/* The input line of IRQ n (0-15). */
static inline struct irq_line *pic_irq(struct pic *p, int n) { return &p->in[n & 15]; }
/* The level of the INT output. */
static inline bool pic_intr(const struct pic *p) { return p->chip[0].int_out; }
/* The interrupt acknowledge: the vector of the highest-priority request,
 * now in service (or the spurious IRQ 7 / IRQ 15 vector). */
int pic_ack(struct pic *p);
/* For c->irq_ack: pic_ack(opaque). */
int pic_ack_cb(void *opaque);
/* Whether any input could reach INT: false when every IRQ line is masked
 * (the slave's through its own mask or the master's cascade input). */
bool pic_any_unmasked(const struct pic *p);

/* Port access, as the bus does it (tests). */
uint8_t pic_read(struct pic *p, uint16_t port);
void pic_write(struct pic *p, uint16_t port, uint8_t val);

#endif
