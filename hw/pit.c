/* pit — 8254 interval timer and port 61h (see pit.h). */
#include "pit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

#define REFRESH_NS 15085 /* port 61h bit 4 toggles at this period */
/* Tick numbers a saved state may hold: 2^52 ticks is over a century. */
#define PIT_TICKS_MAX (1LL << 52)

static bool counting(const struct pit_channel *c)
{
	return c->armed && (c->mode == 1 || c->mode == 5 || c->gate);
}

/* The input clock's tick at virtual time now. */
static int64_t input_tick(int64_t now) { return now <= 0 ? 0 : muldiv64(now, PIT_FREQ, NS_PER_SEC); }

/* Ticks counted by the running sequence at virtual time now. */
static int64_t tick_of(const struct pit_channel *c, int64_t now)
{
	int64_t t = input_tick(now);
	if (!counting(c) || t <= c->start)
		return c->elapsed;
	return c->elapsed + t - c->start;
}

/* The virtual time at which the sequence reaches tick k (k >= elapsed). */
static int64_t time_of(const struct pit_channel *c, int64_t k)
{
	return muldiv64_up(c->start + k - c->elapsed, NS_PER_SEC, PIT_FREQ);
}

/* A new count of modes 2 and 3 starts at the end of the current period. */
static void sync(struct pit_channel *c, int64_t now)
{
	if (c->next_pending && counting(c) && tick_of(c, now) >= c->next_tick) {
		c->start += c->next_tick - c->elapsed;
		c->elapsed = 0;
		c->n = c->next_n;
		c->next_pending = false;
		c->null_count = false;
	}
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint16_t v)
{
	return (v & 15) + (v >> 4 & 15) * 10 + (v >> 8 & 15) * 100 + (v >> 12 & 15) * 1000u;
}

/* The count a CR value stands for: 0 is the largest, 2^16 or 10^4. */
static uint32_t count_of(const struct pit_channel *c, uint16_t cr)
{
	uint32_t n = c->bcd ? from_bcd(cr) : cr;
	if (c->bcd && n > 10000)
		n = 10000;
	return n ? n : c->bcd ? 10000 : 65536;
}

/* The counting element at tick d, as a binary number (datasheet, "Modes"):
 * modes 0, 1, 4, 5 count down from n and wrap; mode 2 runs n..1; mode 3
 * counts by two, through each half of the square wave. */
static uint32_t ce_at(const struct pit_channel *c, int64_t d)
{
	uint32_t n = c->n, mod = c->bcd ? 10000 : 65536;
	uint32_t p;
	switch (c->mode) {
	case 2: return n - (uint32_t)(d % n);
	case 3:
		p = (uint32_t)(d % n);
		if (n & 1) /* odd: N-1 downwards by two, high for (N+1)/2 ticks */
			return n - 1 - 2 * (p < (n + 1) / 2 ? p : p - (n + 1) / 2);
		return n - 2 * (p < n / 2 ? p : p - n / 2);
	default: return (n + mod - (uint32_t)(d % mod)) % mod;
	}
}

static bool out_at(const struct pit_channel *c, int64_t d)
{
	if (!c->armed)
		return c->mode != 0; /* mode 0 goes low at the control word */
	int64_t n = c->n;
	switch (c->mode) {
	case 0:
	case 1: return d >= n;
	case 2: return !c->gate || d % n != n - 1;
	case 3: return !c->gate || d % n < (n + 1) / 2;
	default: return d != n; /* 4, 5: one tick low at terminal count */
	}
}

/* The next tick after d at which OUT changes, or -1. */
static int64_t next_change(const struct pit_channel *c, int64_t d)
{
	if (!counting(c))
		return -1;
	int64_t n = c->n, p = d % n, h = (n + 1) / 2;
	switch (c->mode) {
	case 0:
	case 1: return d < n ? n : -1;
	case 2:
		if (n < 2)
			return -1;
		return p < n - 1 ? d + (n - 1 - p) : d + 1;
	case 3:
		if (n < 2)
			return -1;
		return p < h ? d + (h - p) : d + (n - p);
	default: return d < n ? n : d == n ? n + 1 : -1;
	}
}

static uint32_t count_now(struct pit_channel *c, int64_t now)
{
	if (!c->armed)
		return c->hold;
	return ce_at(c, tick_of(c, now));
}

static uint16_t reg_value(const struct pit_channel *c, uint32_t v)
{
	return c->bcd ? to_bcd(v % 10000) : (uint16_t)v;
}

/* Channel 0: drives IRQ0 with OUT and arms the timer for its next change.
 * A timer callback always follows a change of OUT; if OUT is back at the
 * level last driven, both edges went by between two looks (a host that fell
 * behind real time, a coarse -icount rate), and the PIC still gets its
 * rising edge.  (Both edges are sent: the line ends where OUT is.) */
static void ch0_update(struct pit *p, bool from_timer)
{
	struct pit_channel *c = &p->ch[0];
	int64_t now = clock_now(p->clock);
	sync(c, now);
	int64_t d = tick_of(c, now);
	bool out = out_at(c, d);
	if (out != c->out_driven) {
		c->out_driven = out;
		irq_set_level(p->irq0, out);
	} else if (from_timer) {
		irq_set_level(p->irq0, !out);
		irq_set_level(p->irq0, out);
	}
	int64_t k = next_change(c, d);
	int64_t t = k >= 0 ? time_of(c, k) : -1;
	if (c->next_pending && counting(c) && c->next_tick != INT64_MAX) {
		int64_t tb = time_of(c, c->next_tick);
		if (t < 0 || tb < t)
			t = tb;
	}
	timer_mod(&p->timer, t);
}

static void pit_timer_cb(void *opaque) { ch0_update(opaque, true); }

static void changed(struct pit *p, int n)
{
	if (n == 0)
		ch0_update(p, false);
}

static void start_sequence(struct pit_channel *c, uint32_t n, int64_t now)
{
	c->armed = true;
	c->n = n;
	c->elapsed = 0;
	c->start = input_tick(now);
	c->null_count = false;
	c->next_pending = false;
}

/* A complete count written to the CR (datasheet, each mode's "new count"). */
static void load_count(struct pit_channel *c, uint16_t cr, int64_t now)
{
	uint32_t n = count_of(c, cr);
	c->cr = cr;
	c->loaded = true;
	c->null_count = true;
	switch (c->mode) {
	case 0:
	case 4: start_sequence(c, n, now); break;
	case 1:
	case 5: break; /* loaded at the next rising edge of the gate */
	default:
		if (!c->armed) {
			start_sequence(c, n, now);
		} else {
			c->next_pending = true;
			c->next_n = n;
			c->next_tick = counting(c) ? (tick_of(c, now) / c->n + 1) * c->n : INT64_MAX;
		}
		break;
	}
}

static void latch_count(struct pit_channel *c, int64_t now)
{
	if (c->latch_bytes)
		return; /* a second latch before the read is ignored */
	c->latch = reg_value(c, count_now(c, now));
	c->latch_bytes = c->rw == 3 ? 2 : 1;
}

static void latch_status(struct pit_channel *c, int64_t now)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)(out_at(c, tick_of(c, now)) << 7 | c->null_count << 6 | c->rw << 4 |
	                      c->mode << 1 | c->bcd);
	c->status_latched = true;
}

static void control_word(struct pit *p, uint8_t val, int64_t now)
{
	int sel = val >> 6;
	if (sel == 3) { /* read-back: bits 5 (count) and 4 (status) active low */
		for (int i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			struct pit_channel *c = &p->ch[i];
			sync(c, now);
			if (!(val & 0x20))
				latch_count(c, now);
			if (!(val & 0x10))
				latch_status(c, now);
		}
		return;
	}
	struct pit_channel *c = &p->ch[sel];
	sync(c, now);
	int rw = (val >> 4) & 3;
	if (rw == 0) {
		latch_count(c, now);
		return;
	}
	c->hold = (uint16_t)count_now(c, now);
	int mode = (val >> 1) & 7;
	c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
	c->bcd = val & 1;
	c->rw = (uint8_t)rw;
	c->wflip = c->rflip = false;
	c->armed = c->loaded = c->next_pending = false;
	c->elapsed = 0;
	c->null_count = true;
	changed(p, sel);
}

static void write_count(struct pit *p, int i, uint8_t val, int64_t now)
{
	struct pit_channel *c = &p->ch[i];
	sync(c, now);
	switch (c->rw) {
	case 1: load_count(c, val, now); break;
	case 2: load_count(c, (uint16_t)(val << 8), now); break;
	default:
		if (!c->wflip) {
			c->wlsb = val;
			c->wflip = true;
			/* Mode 0: the first byte stops the count and OUT goes low. */
			if (c->mode == 0 && c->armed) {
				c->hold = (uint16_t)count_now(c, now);
				c->armed = false;
			}
			break;
		}
		c->wflip = false;
		load_count(c, (uint16_t)(c->wlsb | val << 8), now);
		break;
	}
	changed(p, i);
}

static uint8_t read_count(struct pit *p, int i, int64_t now)
{
	struct pit_channel *c = &p->ch[i];
	sync(c, now);
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	uint16_t v;
	bool msb;
	if (c->latch_bytes) {
		v = c->latch;
		msb = c->rw == 2 || (c->rw == 3 && c->latch_bytes == 1);
		c->latch_bytes = c->rw == 3 ? c->latch_bytes - 1 : 0;
	} else {
		v = reg_value(c, count_now(c, now));
		msb = c->rw == 2 || (c->rw == 3 && c->rflip);
		if (c->rw == 3)
			c->rflip = !c->rflip;
	}
	return (uint8_t)(msb ? v >> 8 : v);
}

void pit_set_gate(struct pit *p, int i, bool gate)
{
	struct pit_channel *c = &p->ch[i];
	int64_t now = clock_now(p->clock);
	sync(c, now);
	if (gate == c->gate)
		return;
	if (!gate) {
		/* Modes 0, 2, 3, 4 stop counting while the gate is low. */
		c->elapsed = tick_of(c, now);
		c->gate = false;
	} else {
		c->gate = true;
		switch (c->mode) {
		case 0:
		case 4:
			c->start = input_tick(now); /* counting resumes */
			break;
		case 2:
		case 3: /* the rising edge reloads the counter */
			if (c->armed)
				start_sequence(c, c->next_pending ? c->next_n : c->n, now);
			break;
		default: /* 1, 5: the rising edge triggers */
			if (c->loaded)
				start_sequence(c, count_of(c, c->cr), now);
			break;
		}
	}
	changed(p, i);
}

bool pit_out(struct pit *p, int i)
{
	struct pit_channel *c = &p->ch[i];
	int64_t now = clock_now(p->clock);
	sync(c, now);
	return out_at(c, tick_of(c, now));
}

uint32_t pit_count(struct pit *p, int i)
{
	struct pit_channel *c = &p->ch[i];
	int64_t now = clock_now(p->clock);
	sync(c, now);
	return count_now(c, now);
}

uint8_t pit_read(struct pit *p, uint16_t port)
{
	int64_t now = clock_now(p->clock);
	if (port == PIT_PORT61) {
		uint8_t v = p->port61 & 0x0F;
		if ((now / REFRESH_NS) & 1)
			v |= 0x10;
		if (pit_out(p, 2))
			v |= 0x20;
		return v;
	}
	int i = port - PIT_PORT;
	if (i < 0 || i > 2)
		return 0xFF; /* the control word register is write-only */
	return read_count(p, i, now);
}

void pit_write(struct pit *p, uint16_t port, uint8_t val)
{
	int64_t now = clock_now(p->clock);
	if (port == PIT_PORT61) {
		p->port61 = val & 0x0F;
		pit_set_gate(p, 2, val & 1);
		return;
	}
	int i = port - PIT_PORT;
	if (i == 3)
		control_word(p, val, now);
	else if (i >= 0 && i < 3)
		write_count(p, i, val, now);
}

static uint32_t pit_io_read(void *dev, uint16_t port, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)pit_read(dev, (uint16_t)(port + i)) << (8 * i);
	return v;
}

static void pit_io_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		pit_write(dev, (uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
}

static const struct io_ops pit_ops = {
	.read = pit_io_read,
	.write = pit_io_write,
};

/* As qemu: every channel in mode 3 with count 0 (65536), the gates of
 * channels 0 and 1 tied high, channel 2's gate off (port 61h bit 0). */
void pit_reset(struct pit *p)
{
	int64_t now = clock_now(p->clock);
	timer_del(&p->timer);
	p->port61 = 0;
	for (int i = 0; i < 3; i++) {
		struct pit_channel *c = &p->ch[i];
		bool driven = c->out_driven;
		memset(c, 0, sizeof *c);
		c->out_driven = driven;
		c->mode = 3;
		c->rw = 3;
		c->gate = i != 2;
		load_count(c, 0, now);
	}
	ch0_update(p, false);
}

/* ---- saved state ------------------------------------------------------- */

static const struct state_field channel_fields[] = {
	STATE_U8(struct pit_channel, mode),
	STATE_BOOL(struct pit_channel, bcd),
	STATE_U8(struct pit_channel, rw),
	STATE_BOOL(struct pit_channel, wflip),
	STATE_BOOL(struct pit_channel, rflip),
	STATE_U8(struct pit_channel, wlsb),
	STATE_U8(struct pit_channel, latch_bytes),
	STATE_U16(struct pit_channel, latch),
	STATE_BOOL(struct pit_channel, status_latched),
	STATE_U8(struct pit_channel, status),
	STATE_BOOL(struct pit_channel, gate),
	STATE_BOOL(struct pit_channel, null_count),
	STATE_BOOL(struct pit_channel, loaded),
	STATE_U16(struct pit_channel, cr),
	STATE_BOOL(struct pit_channel, armed),
	STATE_U32(struct pit_channel, n),
	STATE_I64(struct pit_channel, start),
	STATE_I64(struct pit_channel, elapsed),
	STATE_U16(struct pit_channel, hold),
	STATE_BOOL(struct pit_channel, next_pending),
	STATE_U32(struct pit_channel, next_n),
	STATE_I64(struct pit_channel, next_tick),
	STATE_BOOL(struct pit_channel, out_driven),
};

static const struct state_desc channel_state = {
	.name = "8254 channel",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(channel_fields),
};

static int pit_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct pit *p = obj;
	(void)version;
	for (int i = 0; i < 3; i++) {
		struct pit_channel *c = &p->ch[i];
		uint32_t max = c->bcd ? 10000 : 65536;
		if (c->mode > 5 || c->rw < 1 || c->rw > 3 || c->latch_bytes > 2 ||
		    (c->armed && (c->n < 1 || c->n > max)) ||
		    (c->next_pending && (c->next_n < 1 || c->next_n > max || c->next_tick < 0)) ||
		    c->elapsed < 0 || c->elapsed > PIT_TICKS_MAX || c->start < 0 ||
		    c->start > PIT_TICKS_MAX) {
			snprintf(err, errlen, "pit: channel %d: inconsistent state (mode %u, rw %u, count %u)",
			         i, c->mode, c->rw, c->n);
			return -1;
		}
	}
	p->port61 &= 0x0F;
	irq_set_level(p->irq0, p->ch[0].out_driven);
	ch0_update(p, false);
	return 0;
}

static const struct state_field pit_fields[] = {
	STATE_STRUCT_ARRAY(struct pit, ch, 3, channel_state),
	STATE_U8(struct pit, port61),
};

static const struct state_desc pit_state = {
	.name = "pit",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(pit_fields),
	.post_load = pit_post_load,
};

/* ---- life cycle -------------------------------------------------------- */

struct pit *pit_create(struct bus *b, struct clock *clock, struct irq_line *irq0)
{
	struct pit *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	device_init(&p->dev, &pit_class);
	p->clock = clock;
	p->irq0 = irq0;
	timer_init(&p->timer, clock, pit_timer_cb, p);
	if (b && (bus_register_io(b, PIT_PORT, 4, &pit_ops, p) < 0 ||
	          bus_register_io(b, PIT_PORT61, 1, &pit_ops, p) < 0)) {
		free(p);
		return NULL;
	}
	pit_reset(p);
	return p;
}

/* The bus keeps pointers to the device: destroy it with the bus. */
void pit_destroy(struct pit *p)
{
	if (!p)
		return;
	timer_del(&p->timer);
	free(p);
}

static struct device *pit_class_create(const struct device_env *env, const void *config,
                                       char *err, size_t errlen)
{
	(void)config;
	struct pit *p = pit_create(env->bus, env->clock, env->irq[0]);
	if (!p) {
		snprintf(err, errlen, "pit: ports 40h-43h or 61h are taken");
		return NULL;
	}
	return &p->dev;
}

static void pit_class_reset(struct device *d) { pit_reset((struct pit *)d); }
static void pit_class_destroy(struct device *d) { pit_destroy((struct pit *)d); }

const struct device_class pit_class = {
	.name = "pit",
	.create = pit_class_create,
	.destroy = pit_class_destroy,
	.reset = pit_class_reset,
	.state = &pit_state,
};
