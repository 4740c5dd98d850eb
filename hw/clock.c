/* clock — the virtual clock and its timers (see clock.h). */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_host_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t base_ns(const struct clock *c)
{
	switch (c->mode) {
	case CLOCK_MODE_REALTIME: return c->paused ? c->paused_at + c->offset : clock_host_ns();
	case CLOCK_MODE_ICOUNT: return (int64_t)(*c->icount << c->shift);
	case CLOCK_MODE_MANUAL: break;
	}
	return 0;
}

int64_t clock_now(const struct clock *c)
{
	return base_ns(c) - (c->mode == CLOCK_MODE_MANUAL ? -c->offset : c->offset);
}

void clock_set_now(struct clock *c, int64_t t)
{
	if (c->mode == CLOCK_MODE_MANUAL) {
		c->offset = t;
		return;
	}
	if (c->paused)
		c->paused_at = t;
	c->offset = base_ns(c) - t;
}

static void clock_pre_save(void *obj)
{
	struct clock *c = obj;
	c->saved_now = clock_now(c);
}

/* Timers are loaded by their devices, after the clock (the clock is the
 * first device of a machine).  In ICOUNT mode the CPU's icount must be
 * loaded before the clock. */
static int clock_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct clock *c = obj;
	(void)version;
	if (c->saved_now < 0 || c->saved_now > (1LL << 61)) {
		snprintf(err, errlen, "clock: time %lld out of range", (long long)c->saved_now);
		return -1;
	}
	clock_set_now(c, c->saved_now);
	return 0;
}

static const struct state_field clock_fields[] = {
	STATE_I64(struct clock, saved_now),
};

static const struct state_desc clock_state = {
	.name = "clock",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(clock_fields),
	.pre_save = clock_pre_save,
	.post_load = clock_post_load,
};

/* The clock is embedded in its machine: nothing to free. */
static void clock_destroy(struct device *d) { (void)d; }

const struct device_class clock_class = {
	.name = "clock",
	.destroy = clock_destroy,
	.state = &clock_state,
};

void clock_init(struct clock *c, enum clock_mode mode, const uint64_t *icount, unsigned shift)
{
	memset(c, 0, sizeof *c);
	device_init(&c->dev, &clock_class);
	c->mode = mode;
	c->icount = icount;
	c->shift = shift;
	c->horizon = CLOCK_NEVER;
	clock_set_now(c, 0);
}

void clock_set_notify(struct clock *c, void (*fn)(void *), void *opaque)
{
	c->notify = fn;
	c->notify_opaque = opaque;
}

void clock_set_horizon(struct clock *c, int64_t t) { c->horizon = t; }

void clock_pause(struct clock *c)
{
	if (c->mode != CLOCK_MODE_REALTIME || c->paused)
		return;
	c->paused_at = clock_now(c);
	c->paused = true;
}

void clock_resume(struct clock *c)
{
	if (!c->paused)
		return;
	int64_t t = c->paused_at;
	c->paused = false;
	clock_set_now(c, t);
}

void timer_init(struct timer *t, struct clock *c, timer_fn *cb, void *opaque)
{
	t->clock = c;
	t->expire = -1;
	t->cb = cb;
	t->opaque = opaque;
	t->next = NULL;
}

static void timer_unlink(struct timer *t)
{
	for (struct timer **p = &t->clock->timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->next = NULL;
	t->expire = -1;
}

void timer_del(struct timer *t)
{
	if (timer_pending(t))
		timer_unlink(t);
}

void timer_mod(struct timer *t, int64_t expire)
{
	struct clock *c = t->clock;
	timer_del(t);
	if (expire < 0)
		return;
	t->expire = expire;
	/* After the timers with the same deadline: they fire in arming order. */
	struct timer **p = &c->timers;
	while (*p && (*p)->expire <= expire)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	if (expire < c->horizon && c->notify)
		c->notify(c->notify_opaque);
}

int clock_run_timers(struct clock *c)
{
	int n = 0;
	int64_t now = clock_now(c);
	while (c->timers && c->timers->expire <= now) {
		struct timer *t = c->timers;
		c->timers = t->next;
		t->next = NULL;
		t->expire = -1;
		t->cb(t->opaque);
		n++;
	}
	return n;
}

void clock_step(struct clock *c, int64_t t)
{
	if (c->mode == CLOCK_MODE_REALTIME)
		return;
	while (clock_deadline(c) <= t) {
		int64_t d = clock_deadline(c);
		if (d > clock_now(c))
			clock_set_now(c, d);
		clock_run_timers(c);
	}
	if (t > clock_now(c))
		clock_set_now(c, t);
}

void clock_wait(struct clock *c, int64_t deadline)
{
	if (deadline == CLOCK_NEVER)
		return;
	if (c->mode != CLOCK_MODE_REALTIME) {
		if (deadline > clock_now(c))
			clock_set_now(c, deadline);
		return;
	}
	if (c->paused)
		return;
	int64_t host = deadline + c->offset;
	struct timespec ts = { .tv_sec = host / NS_PER_SEC, .tv_nsec = host % NS_PER_SEC };
	/* A signal ends the sleep early: the run loop looks again. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}
