/* clock — the virtual clock and its timers (DESIGN.md, "Time").
 *
 * Every device timer lives on one virtual clock, counted in nanoseconds from
 * 0 at machine creation.  The clock has three modes:
 *
 *   CLOCK_MODE_REALTIME  (default) follows the host's monotonic clock; it stops
 *                   while the machine is paused (clock_pause).
 *   CLOCK_MODE_ICOUNT    deterministic: derived from the count of retired guest
 *                   instructions, now = (icount << shift) + bias, so the same
 *                   guest with the same inputs is the same run.  A halted CPU
 *                   jumps the clock to the next deadline (clock_wait).
 *   CLOCK_MODE_MANUAL    moves only when told (clock_step): unit tests.
 *
 * A timer is a deadline and a callback.  The timers are kept sorted, so the
 * next deadline is one read: the run loop executes the CPU until then and
 * calls clock_run_timers.  If a device arms a timer earlier than the
 * deadline the loop is running to (clock_set_horizon), the clock calls its
 * notify hook, which stops the CPU at the next instruction boundary; so
 * nothing is checked per instruction.
 *
 * Devices compute their registers from clock_now() when the guest reads
 * them (a PIT count is a function of time), and arm a timer only for the
 * next edge that someone must see (an IRQ). */
#ifndef AMBER_CLOCK_H
#define AMBER_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"

#define NS_PER_SEC 1000000000LL
#define CLOCK_NEVER INT64_MAX

enum clock_mode {
	CLOCK_MODE_REALTIME,
	CLOCK_MODE_ICOUNT,
	CLOCK_MODE_MANUAL,
};

typedef void timer_fn(void *opaque);

struct timer {
	struct clock *clock;
	int64_t expire; /* virtual ns; -1 while idle */
	timer_fn *cb;
	void *opaque;
	struct timer *next;
};

struct clock {
	struct device dev; /* saved state: the time */
	enum clock_mode mode;
	const uint64_t *icount; /* CLOCK_MODE_ICOUNT: the CPU's retired-instruction count */
	unsigned shift;         /* CLOCK_MODE_ICOUNT: one instruction = 2^shift ns */
	/* REALTIME: now = host ns - offset; ICOUNT: now = (icount << shift) +
	 * offset; MANUAL: now = offset. */
	int64_t offset;
	bool paused;            /* REALTIME: frozen at paused_at */
	int64_t paused_at;
	struct timer *timers;   /* armed, earliest first */
	int64_t horizon;        /* the deadline the run loop runs to */
	void (*notify)(void *opaque);
	void *notify_opaque;
	int64_t saved_now;      /* the saved field */
};

extern const struct device_class clock_class;

/* Sets the clock up at time 0.  icount is read in CLOCK_MODE_ICOUNT mode. */
void clock_init(struct clock *c, enum clock_mode mode, const uint64_t *icount, unsigned shift);
int64_t clock_now(const struct clock *c);
/* The earliest armed deadline, or CLOCK_NEVER. */
static inline int64_t clock_deadline(const struct clock *c)
{
	return c->timers ? c->timers->expire : CLOCK_NEVER;
}
/* Runs every timer whose deadline has passed, earliest first; a callback may
 * arm timers again.  Returns how many ran. */
int clock_run_timers(struct clock *c);
/* Waits for virtual time deadline with nothing to execute (a halted CPU):
 * REALTIME sleeps on the host until then (never spins); ICOUNT and MANUAL
 * jump there at once.  Timers are not run. */
void clock_wait(struct clock *c, int64_t deadline);
/* MANUAL (tests) and ICOUNT: moves time forward to t, stopping at each
 * deadline on the way to run its timers, so a callback sees now == its
 * deadline. */
void clock_step(struct clock *c, int64_t t);
/* What the run loop is running to; a timer armed earlier calls notify. */
void clock_set_horizon(struct clock *c, int64_t t);
void clock_set_notify(struct clock *c, void (*fn)(void *), void *opaque);
/* REALTIME: virtual time stands still while paused. */
void clock_pause(struct clock *c);
void clock_resume(struct clock *c);
/* Makes now == t (after a state load). */
void clock_set_now(struct clock *c, int64_t t);
/* Host monotonic time in ns. */
int64_t clock_host_ns(void);

void timer_init(struct timer *t, struct clock *c, timer_fn *cb, void *opaque);
/* Arms (or re-arms) the timer for virtual time expire; expire < 0 disarms. */
void timer_mod(struct timer *t, int64_t expire);
void timer_del(struct timer *t);
static inline bool timer_pending(const struct timer *t) { return t->expire >= 0; }

/* a * b / c without overflow (c > 0), rounded down; a, b >= 0. */
static inline int64_t muldiv64(int64_t a, int64_t b, int64_t c)
{
	return (int64_t)((unsigned __int128)(uint64_t)a * (uint64_t)b / (uint64_t)c);
}
/* The same rounded up. */
static inline int64_t muldiv64_up(int64_t a, int64_t b, int64_t c)
{
	return (int64_t)(((unsigned __int128)(uint64_t)a * (uint64_t)b + (uint64_t)c - 1) /
	                 (uint64_t)c);
}

#endif
