/* pit — the Intel 8254 programmable interval timer (datasheet, order
 * 231164) at ports 40h-43h, clocked at 1.193182 MHz, and the parts of port
 * 61h (System Control Port B) that belong to it:
 *
 *   bit 0  R/W  gate of channel 2
 *   bit 1  R/W  speaker data enable (channel 2's OUT reaches the speaker)
 *   bit 2  R/W  parity (SERR#) check disable      bit 3  R/W  IOCHK disable
 *   bit 4  R    refresh toggle, flips every 15.085 us (channel 1's rate)
 *   bit 5  R    channel 2 OUT
 *   bit 6  R    IOCHK# status, bit 7 R  SERR# status (never set here)
 *
 * Channel 0's OUT drives IRQ0; channel 2's gate and OUT are on port 61h;
 * channel 1 (DRAM refresh) is readable and otherwise unused.
 *
 * Nothing ticks.  The input clock runs freely from virtual time 0 (tick T
 * begins at ceil(T * 10^9 / PIT_FREQ) ns); a channel remembers the tick at
 * which its counting sequence started and how many ticks it had counted
 * before (a gate pause in modes 0 and 4); its count and OUT are computed
 * from the clock when read.  Only channel 0 has a timer, armed for the next change
 * of its OUT, so IRQ0 costs one callback per edge.
 *
 * All six modes, binary and BCD, LSB/MSB/LSB-then-MSB access, the counter
 * latch and read-back commands (count and status, with the null-count bit)
 * and the gate rules of each mode are modelled.  Simplifications (as in
 * qemu): a count takes effect at its write, not on the next CLK pulse; a new
 * count written during counting in mode 3 takes effect at the end of the
 * current period rather than of the current half period. */
#ifndef AMBER_PIT_H
#define AMBER_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "device.h"

#define PIT_PORT 0x40
#define PIT_PORT61 0x61
#define PIT_FREQ 1193182 /* Hz: 14.31818 MHz / 12 */

struct pit_channel {
	uint8_t mode;        /* 0-5 */
	bool bcd;
	uint8_t rw;          /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool wflip;          /* rw 3: the MSB comes next (write) */
	bool rflip;          /* rw 3: the MSB comes next (read) */
	uint8_t wlsb;        /* rw 3: the LSB written */
	uint8_t latch_bytes; /* bytes of a latched count still to read */
	uint16_t latch;      /* the latched count */
	bool status_latched;
	uint8_t status;
	bool gate;
	bool null_count;     /* a count written but not yet in the counter */
	bool loaded;         /* a count has been written since the control word */
	uint16_t cr;         /* the count register as written */
	bool armed;          /* a counting sequence is running (or paused by the gate) */
	uint32_t n;          /* its count: 1..65536 (binary) or 1..10000 (BCD) */
	int64_t start;       /* the input tick of its tick 0 (of the current gate-open stretch) */
	int64_t elapsed;     /* ticks counted before start */
	uint16_t hold;       /* what the counter shows with no sequence running */
	bool next_pending;   /* modes 2, 3: a new count waits for the period's end */
	uint32_t next_n;
	int64_t next_tick;   /* the tick (of this sequence) where it takes over */
	bool out_driven;     /* the OUT level last sent to the IRQ line (channel 0) */
};

struct pit {
	struct device dev;
	struct clock *clock;
	struct irq_line *irq0;
	struct timer timer; /* channel 0's next OUT change */
	struct pit_channel ch[3];
	uint8_t port61;     /* bits 0-3 as written */
};

extern const struct device_class pit_class;

/* Creates the PIT, registers ports 40h-43h and 61h (if b), and resets it.
 * irq0 may be NULL.  Returns NULL on failure. */
struct pit *pit_create(struct bus *b, struct clock *clock, struct irq_line *irq0);
void pit_reset(struct pit *p);
void pit_destroy(struct pit *p);

/* Port access, as the bus does it (tests). */
uint8_t pit_read(struct pit *p, uint16_t port);
void pit_write(struct pit *p, uint16_t port, uint8_t val);

/* Channel n's OUT and gate now (the speaker, tests). */
bool pit_out(struct pit *p, int n);
void pit_set_gate(struct pit *p, int n, bool gate);
/* Channel n's counting element now, as binary (tests, the speaker). */
uint32_t pit_count(struct pit *p, int n);

#endif
