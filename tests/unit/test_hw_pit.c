/* The 8254 on a manual clock: every mode's count and OUT tick by tick,
 * BCD, the access modes, latch and read-back, the gates (channel 2 through
 * port 61h), IRQ0 edges as timers, and a save/load round trip.  (Intel 8254
 * datasheet, order 231164.) */
#include <criterion/criterion.h>
#include <string.h>

#include "clock.h"
#include "device.h"
#include "pit.h"

static struct clock clk;
static struct pit *p;
static struct irq_line irq0;
static int edges; /* rising edges on IRQ0 */
static bool level;

static void on_irq0(void *opaque, int n, bool lvl)
{
	(void)opaque;
	(void)n;
	if (lvl && !level)
		edges++;
	level = lvl;
}

static void setup(void)
{
	clock_init(&clk, CLOCK_MODE_MANUAL, NULL, 0);
	clock_step(&clk, 1000000); /* not at time 0 */
	irq_line_init(&irq0, on_irq0, NULL, 0);
	level = false;
	p = pit_create(NULL, &clk, &irq0);
	cr_assert_not_null(p);
	edges = 0;
}

static void teardown(void) { pit_destroy(p); }

TestSuite(pit, .init = setup, .fini = teardown);

/* The virtual time of the k-th tick of the PIT's free-running clock after
 * the one running at t0 (where a count written at t0 starts). */
static int64_t at_tick(int64_t t0, int64_t k)
{
	return muldiv64_up(muldiv64(t0, PIT_FREQ, NS_PER_SEC) + k, NS_PER_SEC, PIT_FREQ);
}

static void program(int ch, int mode, int rw, bool bcd, uint16_t count)
{
	pit_write(p, 0x43, (uint8_t)(ch << 6 | rw << 4 | mode << 1 | bcd));
	if (rw & 1)
		pit_write(p, 0x40 + ch, (uint8_t)count);
	if (rw & 2)
		pit_write(p, 0x40 + ch, (uint8_t)(count >> 8));
}

static uint16_t latched(int ch)
{
	pit_write(p, 0x43, (uint8_t)(ch << 6));
	uint16_t v = pit_read(p, 0x40 + ch);
	return (uint16_t)(v | pit_read(p, 0x40 + ch) << 8);
}

Test(pit, reset_state_is_mode3_65536)
{
	/* Like qemu: channel 0 runs at 18.2 Hz from reset. */
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, t0 + NS_PER_SEC);
	cr_assert(edges >= 18 && edges <= 19, "%d edges", edges);
	pit_write(p, 0x43, 0xE2); /* read back channel 0 status */
	cr_assert_eq(pit_read(p, 0x40) & 0x3F, 0x36);
}

Test(pit, mode0_interrupt_on_terminal_count)
{
	program(0, 0, 3, false, 100);
	int64_t t0 = clock_now(&clk);
	cr_assert(!pit_out(p, 0));
	int e0 = edges;
	clock_step(&clk, at_tick(t0, 10));
	cr_assert_eq(latched(0), 90);
	clock_step(&clk, at_tick(t0, 99));
	cr_assert(!pit_out(p, 0));
	clock_step(&clk, at_tick(t0, 100));
	cr_assert(pit_out(p, 0));
	cr_assert_eq(edges, e0 + 1);
	/* The counter wraps on, OUT stays high, no more edges. */
	clock_step(&clk, at_tick(t0, 101));
	cr_assert_eq(latched(0), 0xFFFF);
	clock_step(&clk, at_tick(t0, 300000));
	cr_assert(pit_out(p, 0));
	cr_assert_eq(edges, e0 + 1);
	cr_assert(!timer_pending(&p->timer));
}

Test(pit, mode0_first_byte_stops_count)
{
	program(0, 0, 3, false, 1000);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 100));
	pit_write(p, 0x40, 0x10); /* LSB of a new count: counting stops */
	clock_step(&clk, at_tick(t0, 5000));
	cr_assert(!pit_out(p, 0));
	cr_assert_eq(pit_count(p, 0), 900);
	pit_write(p, 0x40, 0x00); /* MSB: 16 starts now */
	int64_t t1 = clock_now(&clk);
	clock_step(&clk, at_tick(t1, 16));
	cr_assert(pit_out(p, 0));
}

Test(pit, mode0_gate_pauses)
{
	program(2, 0, 3, false, 50);
	pit_write(p, 0x61, 0x01); /* gate 2 on */
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 20));
	pit_write(p, 0x61, 0x00);
	cr_assert_eq(pit_count(p, 2), 30);
	clock_step(&clk, at_tick(t0, 1000));
	cr_assert_eq(pit_count(p, 2), 30);
	cr_assert_eq(pit_read(p, 0x61) & 0x20, 0);
	pit_write(p, 0x61, 0x01);
	int64_t t1 = clock_now(&clk);
	clock_step(&clk, at_tick(t1, 30));
	cr_assert_eq(pit_read(p, 0x61) & 0x20, 0x20);
}

Test(pit, mode1_retriggerable_one_shot)
{
	program(2, 1, 3, false, 40);
	cr_assert(pit_out(p, 2)); /* high until triggered */
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 100));
	cr_assert(pit_out(p, 2));
	pit_write(p, 0x61, 0x01); /* rising gate: trigger */
	int64_t t1 = clock_now(&clk);
	cr_assert(!pit_out(p, 2));
	clock_step(&clk, at_tick(t1, 30));
	cr_assert_eq(pit_count(p, 2), 10);
	pit_write(p, 0x61, 0x00);
	pit_write(p, 0x61, 0x01); /* retrigger: 40 more */
	int64_t t2 = clock_now(&clk);
	clock_step(&clk, at_tick(t2, 39));
	cr_assert(!pit_out(p, 2));
	clock_step(&clk, at_tick(t2, 40));
	cr_assert(pit_out(p, 2));
}

Test(pit, mode2_rate_generator)
{
	program(0, 2, 3, false, 5);
	int64_t t0 = clock_now(&clk);
	uint16_t seen[10];
	bool out[10];
	for (int k = 0; k < 10; k++) {
		clock_step(&clk, at_tick(t0, k));
		seen[k] = latched(0);
		out[k] = pit_out(p, 0);
	}
	static const uint16_t want[10] = { 5, 4, 3, 2, 1, 5, 4, 3, 2, 1 };
	for (int k = 0; k < 10; k++) {
		cr_assert_eq(seen[k], want[k], "tick %d: %u", k, seen[k]);
		cr_assert_eq(out[k], want[k] != 1, "tick %d", k);
	}
}

Test(pit, mode2_irq0_rate)
{
	program(0, 2, 3, false, 1193); /* ~1000.15 Hz */
	int e0 = edges;
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, t0 + NS_PER_SEC);
	cr_assert_eq(edges - e0, 1000);
}

Test(pit, mode2_new_count_at_period_end)
{
	program(0, 2, 3, false, 100);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 30));
	pit_write(p, 0x40, 10);
	pit_write(p, 0x40, 0);
	cr_assert_eq(pit_count(p, 0), 70); /* the period finishes */
	clock_step(&clk, at_tick(t0, 99));
	cr_assert_eq(pit_count(p, 0), 1);
	clock_step(&clk, at_tick(t0, 100));
	cr_assert_eq(pit_count(p, 0), 10);
	clock_step(&clk, at_tick(t0, 103));
	cr_assert_eq(pit_count(p, 0), 7);
}

Test(pit, mode3_square_wave_even_and_odd)
{
	program(0, 3, 3, false, 8);
	int64_t t0 = clock_now(&clk);
	static const uint16_t ce8[8] = { 8, 6, 4, 2, 8, 6, 4, 2 };
	for (int k = 0; k < 8; k++) {
		clock_step(&clk, at_tick(t0, k));
		cr_assert_eq(latched(0), ce8[k], "even tick %d", k);
		cr_assert_eq(pit_out(p, 0), k < 4, "even tick %d", k);
	}
	program(0, 3, 3, false, 7);
	t0 = clock_now(&clk);
	/* Odd: high for (N+1)/2 = 4 ticks, low for 3. */
	static const uint16_t ce7[7] = { 6, 4, 2, 0, 6, 4, 2 };
	for (int k = 0; k < 7; k++) {
		clock_step(&clk, at_tick(t0, k));
		cr_assert_eq(latched(0), ce7[k], "odd tick %d", k);
		cr_assert_eq(pit_out(p, 0), k < 4, "odd tick %d", k);
	}
}

Test(pit, mode3_18hz_on_irq0)
{
	program(0, 3, 3, false, 0);
	int e0 = edges;
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, t0 + 10 * NS_PER_SEC);
	cr_assert_eq(edges - e0, 182); /* 1193182 / 65536 = 18.2065 Hz */
}

Test(pit, mode3_gate_low_forces_out_high)
{
	program(2, 3, 3, false, 10);
	pit_write(p, 0x61, 0x01);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 7));
	cr_assert(!pit_out(p, 2));
	pit_write(p, 0x61, 0x00);
	cr_assert(pit_out(p, 2));
	cr_assert_eq(pit_read(p, 0x61) & 0x21, 0x20);
	pit_write(p, 0x61, 0x01); /* reload */
	cr_assert_eq(pit_count(p, 2), 10);
}

Test(pit, mode4_software_strobe)
{
	program(0, 4, 3, false, 20);
	int e0 = edges;
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 19));
	cr_assert(pit_out(p, 0));
	clock_step(&clk, at_tick(t0, 20));
	cr_assert(!pit_out(p, 0));
	clock_step(&clk, at_tick(t0, 21));
	cr_assert(pit_out(p, 0));
	cr_assert_eq(edges, e0 + 1);
	cr_assert_eq(pit_count(p, 0), 0xFFFF);
}

Test(pit, mode5_hardware_strobe)
{
	program(2, 5, 3, false, 6);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 50));
	cr_assert(pit_out(p, 2));
	pit_write(p, 0x61, 0x01);
	int64_t t1 = clock_now(&clk);
	clock_step(&clk, at_tick(t1, 6));
	cr_assert(!pit_out(p, 2));
	clock_step(&clk, at_tick(t1, 7));
	cr_assert(pit_out(p, 2));
}

Test(pit, bcd_counting)
{
	program(0, 2, 3, true, 0x1000); /* 1000 decimal */
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 11));
	cr_assert_eq(latched(0), 0x0989);
	program(1, 0, 3, true, 0); /* 0 is 10000 in BCD */
	t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 1));
	cr_assert_eq(latched(1), 0x9999);
}

Test(pit, lsb_only_and_msb_only)
{
	program(1, 2, 1, false, 0x80);
	cr_assert_eq(pit_count(p, 1), 0x80);
	cr_assert_eq(pit_read(p, 0x41), 0x80);
	cr_assert_eq(pit_read(p, 0x41), 0x80); /* LSB every time */
	program(1, 2, 2, false, 0x0300);
	cr_assert_eq(pit_count(p, 1), 0x300);
	cr_assert_eq(pit_read(p, 0x41), 0x03);
}

Test(pit, latch_holds_until_read)
{
	program(0, 2, 3, false, 1000);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 100));
	pit_write(p, 0x43, 0x00);
	clock_step(&clk, at_tick(t0, 200));
	pit_write(p, 0x43, 0x00); /* ignored: the first latch is unread */
	cr_assert_eq(pit_read(p, 0x40), (uint8_t)900);
	clock_step(&clk, at_tick(t0, 300));
	cr_assert_eq(pit_read(p, 0x40), 900 >> 8);
	/* Unlatched reads follow the counter. */
	cr_assert_eq(pit_read(p, 0x40), (uint8_t)700);
	cr_assert_eq(pit_read(p, 0x40), 700 >> 8);
}

Test(pit, read_back_count_and_status)
{
	program(2, 4, 3, true, 0x50);
	pit_write(p, 0x61, 0x01); /* gate 2 open: mode 4 counts */
	int64_t t0 = clock_now(&clk);
	/* Status of channel 2 only: OUT 1, null count 0, rw 3, mode 4, BCD. */
	pit_write(p, 0x43, 0xE8);
	cr_assert_eq(pit_read(p, 0x42), 0x80 | 0x30 | 4 << 1 | 1);
	/* Both, on channels 0 and 2: status first, then the count. */
	clock_step(&clk, at_tick(t0, 5));
	pit_write(p, 0x43, 0xC0 | 0x08 | 0x02);
	cr_assert_eq(pit_read(p, 0x42), 0xB9);
	cr_assert_eq(pit_read(p, 0x42), 0x45);
	cr_assert_eq(pit_read(p, 0x42), 0x00);
	uint8_t st0 = pit_read(p, 0x40);
	cr_assert_eq(st0 & 0x3F, 0x36); /* channel 0: mode 3, rw 3, binary */
	/* Null count: a control word, then the count not yet written. */
	pit_write(p, 0x43, 0x72); /* channel 1, mode 1 */
	pit_write(p, 0x43, 0xE4);
	cr_assert_eq(pit_read(p, 0x41) & 0x40, 0x40);
	/* Mode 1 waits for its trigger: still null after the write. */
	pit_write(p, 0x41, 5);
	pit_write(p, 0x41, 0);
	pit_write(p, 0x43, 0xE4);
	cr_assert_eq(pit_read(p, 0x41) & 0x40, 0x40);
}

Test(pit, port61_bits)
{
	pit_write(p, 0x61, 0xFF);
	cr_assert_eq(pit_read(p, 0x61) & 0xCF, 0x0F); /* bits 6, 7 never set */
	pit_write(p, 0x61, 0x00);
	/* Refresh toggles every 15.085 us. */
	int64_t t = (clock_now(&clk) / 15085 + 1) * 15085;
	clock_step(&clk, t);
	uint8_t a = pit_read(p, 0x61) & 0x10;
	clock_step(&clk, t + 15085);
	uint8_t b = pit_read(p, 0x61) & 0x10;
	cr_assert_neq(a, b);
	/* Speaker tone: channel 2 in mode 3 with the gate open. */
	program(2, 3, 3, false, 4);
	pit_write(p, 0x61, 0x03);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 1));
	cr_assert_eq(pit_read(p, 0x61) & 0x20, 0x20);
	clock_step(&clk, at_tick(t0, 2));
	cr_assert_eq(pit_read(p, 0x61) & 0x20, 0x00);
}

Test(pit, late_timer_still_gives_an_edge)
{
	/* A host that falls behind: both edges of the 1-tick low pulse of mode 2
	 * pass between two looks at the clock. */
	program(0, 2, 3, false, 1000);
	int e0 = edges;
	int64_t t0 = clock_now(&clk);
	clk.offset = at_tick(t0, 1000) + 500; /* jump past the pulse, timers not run */
	clock_run_timers(&clk);
	cr_assert_eq(edges, e0 + 1);
	cr_assert(timer_pending(&p->timer));
	cr_assert(p->timer.expire > clock_now(&clk));
}

/* ---- save / load ------------------------------------------------------- */

Test(pit, save_load_round_trip)
{
	program(0, 2, 3, false, 3000);
	program(1, 0, 3, true, 0x2500);
	program(2, 3, 3, false, 777);
	pit_write(p, 0x61, 0x03);
	int64_t t0 = clock_now(&clk);
	clock_step(&clk, at_tick(t0, 1234));
	pit_write(p, 0x40, 0x34); /* a pending mode-2 count, half written */
	pit_write(p, 0x43, 0x40); /* channel 1 latched */
	pit_write(p, 0x43, 0xE8); /* channel 2 status latched */

	struct state_buf b = { 0 };
	cr_assert_eq(device_save(&p->dev, &b), 0);

	/* A fresh PIT on a second clock at the same time. */
	struct clock clk2;
	clock_init(&clk2, CLOCK_MODE_MANUAL, NULL, 0);
	clock_step(&clk2, clock_now(&clk));
	struct irq_line l2;
	irq_line_init(&l2, NULL, NULL, 0);
	struct pit *q = pit_create(NULL, &clk2, &l2);
	char err[256];
	cr_assert_eq(device_load(&q->dev, b.data, b.len, err, sizeof err), 0, "%s", err);

	/* Same reads, same future. */
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pit_read(q, 0x40 + i), pit_read(p, 0x40 + i), "channel %d", i);
	pit_write(p, 0x40, 0x01);
	pit_write(q, 0x40, 0x01);
	cr_assert_eq(p->timer.expire, q->timer.expire);
	for (int k = 1; k <= 50; k++) {
		int64_t t = clock_now(&clk) + k * 97531;
		clock_step(&clk, t);
		clock_step(&clk2, t);
		for (int i = 0; i < 3; i++) {
			cr_assert_eq(pit_count(q, i), pit_count(p, i), "step %d channel %d", k, i);
			cr_assert_eq(pit_out(q, i), pit_out(p, i), "step %d channel %d", k, i);
		}
		cr_assert_eq(pit_read(q, 0x61) & 0x3F, pit_read(p, 0x61) & 0x3F);
		cr_assert_eq(p->timer.expire, q->timer.expire);
	}
	state_buf_free(&b);
	pit_destroy(q);
}

Test(pit, load_rejects_bad_mode)
{
	struct state_buf b = { 0 };
	cr_assert_eq(device_save(&p->dev, &b), 0);
	b.data[1 + 3 + 8] = 7; /* channel 0's mode */
	char err[256];
	program(0, 4, 3, false, 99);
	cr_assert_eq(device_load(&p->dev, b.data, b.len, err, sizeof err), -1);
	cr_assert(strstr(err, "pit"), "%s", err);
	cr_assert_eq(p->ch[0].mode, 4);
	state_buf_free(&b);
}
