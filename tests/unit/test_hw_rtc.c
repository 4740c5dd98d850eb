/* The MC146818A on a manual clock: calendar and formats, SET, the divider,
 * UIP, the periodic, alarm and update-ended interrupts with register C, the
 * NVRAM fields, port 70h, and a save/load round trip. */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "device.h"
#include "rtc.h"

static struct clock clk;
static struct rtc *r;
static struct irq_line irq8;

static const int64_t MS = 1000000;

static struct rtc *make(int64_t base, const struct rtc_config *extra)
{
	struct rtc_config cfg = { .base = base, .ram_size = 64u << 20 };
	if (extra)
		cfg = *extra;
	return rtc_create(NULL, &clk, &irq8, &cfg);
}

static void setup(void)
{
	clock_init(&clk, CLOCK_MODE_MANUAL, NULL, 0);
	clock_step(&clk, 12345);
	irq_line_init(&irq8, NULL, NULL, 0);
	/* 2024-02-29 23:59:58, a Thursday. */
	r = make(rtc_mktime(2024, 2, 29, 23, 59, 58), NULL);
	cr_assert_not_null(r);
}

static void teardown(void) { rtc_destroy(r); }

TestSuite(rtc, .init = setup, .fini = teardown);

static uint8_t rd(uint8_t i)
{
	rtc_write(r, 0x70, i);
	return rtc_read(r, 0x71);
}

static void wr(uint8_t i, uint8_t v)
{
	rtc_write(r, 0x70, i);
	rtc_write(r, 0x71, v);
}

static void step(int64_t ns) { clock_step(&clk, clock_now(&clk) + ns); }

Test(rtc, bcd_24h_calendar_and_leap_day)
{
	cr_assert_eq(rd(0x0B), 0x02);
	cr_assert_eq(rd(0x00), 0x58);
	cr_assert_eq(rd(0x02), 0x59);
	cr_assert_eq(rd(0x04), 0x23);
	cr_assert_eq(rd(0x06), 5); /* Thursday */
	cr_assert_eq(rd(0x07), 0x29);
	cr_assert_eq(rd(0x08), 0x02);
	cr_assert_eq(rd(0x09), 0x24);
	cr_assert_eq(rd(0x32), 0x20);
	step(2 * NS_PER_SEC);
	cr_assert_eq(rd(0x00), 0x00);
	cr_assert_eq(rd(0x04), 0x00);
	cr_assert_eq(rd(0x06), 6);
	cr_assert_eq(rd(0x07), 0x01);
	cr_assert_eq(rd(0x08), 0x03);
}

Test(rtc, binary_and_12_hour)
{
	wr(0x0B, 0x06); /* binary, 24h */
	cr_assert_eq(rd(0x00), 58);
	cr_assert_eq(rd(0x04), 23);
	cr_assert_eq(rd(0x09), 24);
	cr_assert_eq(rd(0x32), 20);
	wr(0x0B, 0x00); /* BCD, 12h */
	cr_assert_eq(rd(0x04), 0x91); /* 11 PM */
	step(2 * NS_PER_SEC);
	cr_assert_eq(rd(0x04), 0x12); /* 12 AM */
	wr(0x0B, 0x04); /* binary, 12h */
	cr_assert_eq(rd(0x04), 12);
	step(12 * 3600 * NS_PER_SEC);
	cr_assert_eq(rd(0x04), 0x80 | 12); /* 12 PM */
}

Test(rtc, set_bit_and_writing_the_time)
{
	wr(0x0B, 0x82); /* SET */
	step(5 * NS_PER_SEC);
	cr_assert_eq(rd(0x00), 0x58); /* frozen */
	wr(0x00, 0x30);
	wr(0x02, 0x15);
	wr(0x04, 0x08);
	wr(0x07, 0x31);
	wr(0x08, 0x12);
	wr(0x09, 0x99);
	wr(0x32, 0x19);
	step(5 * NS_PER_SEC);
	cr_assert_eq(rd(0x00), 0x30);
	wr(0x0B, 0x02);
	cr_assert_eq(rtc_time(r), rtc_mktime(1999, 12, 31, 8, 15, 30));
	cr_assert_eq(rd(0x06), 6); /* computed: a Friday */
	step(NS_PER_SEC);
	cr_assert_eq(rd(0x00), 0x31);
	/* A write with the clock running goes on from there. */
	wr(0x09, 0x00);
	wr(0x32, 0x20);
	cr_assert_eq(rtc_time(r), rtc_mktime(2000, 12, 31, 8, 15, 31));
}

Test(rtc, set_in_12_hour_binary)
{
	wr(0x0B, 0x80 | 0x04); /* SET, binary, 12h */
	wr(0x04, 0x80 | 3);    /* 3 PM */
	wr(0x0B, 0x04);
	cr_assert_eq(rtc_time(r) % 86400 / 3600, 15);
}

Test(rtc, uip_before_each_update)
{
	/* The seconds turn over at base + k s (the clock was created at 12345 ns). */
	int64_t b = r->base_ns + 10 * NS_PER_SEC;
	clock_step(&clk, b - 300000);
	cr_assert_eq(rd(0x0A) & 0x80, 0);
	clock_step(&clk, b - 200000);
	cr_assert_eq(rd(0x0A) & 0x80, 0x80);
	clock_step(&clk, b);
	cr_assert_eq(rd(0x0A) & 0x80, 0);
	wr(0x0B, 0x82);
	clock_step(&clk, b + NS_PER_SEC - 100000);
	cr_assert_eq(rd(0x0A) & 0x80, 0); /* no updates while SET */
}

Test(rtc, divider_reset_and_restart)
{
	wr(0x0A, 0x70); /* divider in reset */
	step(10 * NS_PER_SEC);
	cr_assert_eq(rd(0x00), 0x58);
	wr(0x0A, 0x26);
	step(499 * MS);
	cr_assert_eq(rd(0x00), 0x58);
	step(2 * MS); /* the first update comes 500 ms after the restart */
	cr_assert_eq(rd(0x00), 0x59);
}

Test(rtc, update_flag_without_interrupt)
{
	rd(0x0C);
	step(NS_PER_SEC + 1);
	cr_assert_eq(irq8.level, 0);
	uint8_t c = rd(0x0C);
	cr_assert_eq(c & 0xF0, 0x10 | 0x40); /* UF, and PF at 1024 Hz; no IRQF */
	cr_assert_eq(rd(0x0C), 0);           /* read-to-clear */
}

Test(rtc, update_ended_interrupt)
{
	rd(0x0C);
	wr(0x0B, 0x12); /* UIE */
	int n = 0;
	for (int i = 0; i < 5000; i++) {
		step(MS);
		if (irq8.level) {
			n++;
			cr_assert_eq(rd(0x0C) & 0x90, 0x90);
			cr_assert_eq(irq8.level, 0);
		}
	}
	cr_assert_eq(n, 5);
}

/* Counts IRQ8 rises over `secs` seconds, stepping by `dt`, reading C at each. */
static int count_periodic(int64_t secs, int64_t dt)
{
	int n = 0;
	int64_t end = clock_now(&clk) + secs * NS_PER_SEC;
	while (clock_now(&clk) < end) {
		step(dt);
		if (irq8.level) {
			n++;
			cr_assert(rd(0x0C) & 0x40);
		}
	}
	return n;
}

Test(rtc, periodic_rates)
{
	rd(0x0C);
	wr(0x0B, 0x42); /* PIE */
	cr_assert_eq(count_periodic(1, 100000), 1024); /* RS 6 */
	wr(0x0A, 0x2F);                               /* RS 15: 2 Hz */
	rd(0x0C);
	cr_assert_eq(count_periodic(3, MS), 6);
	wr(0x0A, 0x23); /* RS 3: 8192 Hz */
	rd(0x0C);
	cr_assert_eq(count_periodic(1, 50000), 8192);
	wr(0x0A, 0x21); /* RS 1: 256 Hz (not 32768) */
	rd(0x0C);
	cr_assert_eq(count_periodic(1, 100000), 256);
	wr(0x0A, 0x20); /* RS 0: none */
	rd(0x0C);
	cr_assert_eq(count_periodic(1, MS), 0);
	cr_assert(!timer_pending(&r->timer));
}

Test(rtc, periodic_timer_only_while_line_low)
{
	rd(0x0C);
	wr(0x0B, 0x42);
	step(2 * MS);
	cr_assert_eq(irq8.level, 1);
	cr_assert(!timer_pending(&r->timer)); /* nothing to do until C is read */
	rd(0x0C);
	cr_assert_eq(irq8.level, 0);
	cr_assert(timer_pending(&r->timer));
}

Test(rtc, alarm_interrupt)
{
	rd(0x0C);
	wr(0x01, 0x05);
	wr(0x03, 0x00);
	wr(0x05, 0x00); /* 00:00:05 */
	wr(0x0B, 0x22); /* AIE */
	int64_t t0 = clock_now(&clk);
	int64_t hit = -1;
	for (int i = 0; i < 10000 && hit < 0; i++) {
		step(MS);
		if (irq8.level)
			hit = clock_now(&clk) - t0;
	}
	/* 23:59:58 + 7 s, less the fraction of the second at the start. */
	cr_assert(hit > 6 * NS_PER_SEC && hit <= 7 * NS_PER_SEC + MS, "%lld", (long long)hit);
	cr_assert_eq(rd(0x0C) & 0xA0, 0xA0);
	cr_assert_eq(rd(0x00), 0x05);
}

Test(rtc, alarm_dont_care_every_second)
{
	rd(0x0C);
	wr(0x01, 0xC0);
	wr(0x03, 0xFF);
	wr(0x05, 0xC3);
	wr(0x0B, 0x22);
	int n = 0;
	for (int i = 0; i < 3000; i++) {
		step(MS);
		if (irq8.level) {
			n++;
			rd(0x0C);
		}
	}
	cr_assert_eq(n, 3);
}

Test(rtc, alarm_flag_set_lazily)
{
	wr(0x01, 0x00);
	wr(0x03, 0x00);
	wr(0x05, 0x00); /* midnight, 2 s away */
	rd(0x0C);
	step(5 * NS_PER_SEC);
	cr_assert_eq(rd(0x0C) & 0x20, 0x20); /* AF without AIE */
	step(5 * NS_PER_SEC);
	cr_assert_eq(rd(0x0C) & 0x20, 0);
}

Test(rtc, enabling_with_flag_pending_raises_irq)
{
	rd(0x0C);
	step(NS_PER_SEC);
	cr_assert_eq(irq8.level, 0);
	wr(0x0B, 0x12); /* UF is already set */
	cr_assert_eq(irq8.level, 1);
}

Test(rtc, register_d_and_readonly_c)
{
	cr_assert_eq(rd(0x0D), 0x80);
	wr(0x0D, 0x00);
	cr_assert_eq(rd(0x0D), 0x80);
	wr(0x0C, 0xFF);
	cr_assert_eq(rd(0x0C) & 0x80, 0);
}

Test(rtc, port70_nmi_mask_and_nvram)
{
	rtc_write(r, 0x70, 0x80 | 0x40);
	cr_assert(rtc_nmi_masked(r));
	rtc_write(r, 0x71, 0xA5);
	rtc_write(r, 0x70, 0x40);
	cr_assert(!rtc_nmi_masked(r));
	cr_assert_eq(rtc_read(r, 0x71), 0xA5);
	cr_assert_eq(rtc_read(r, 0x70), 0xFF);
	for (int i = 0x0E; i < 0x80; i++) {
		if (i == 0x32)
			continue;
		wr((uint8_t)i, (uint8_t)(i * 7));
	}
	for (int i = 0x0E; i < 0x80; i++) {
		if (i == 0x32)
			continue;
		cr_assert_eq(rd((uint8_t)i), (uint8_t)(i * 7), "index %#x", i);
	}
}

Test(rtc, nvram_pc_fields)
{
	struct rtc_config cfg = {
		.base = 0,
		.ram_size = 64u << 20,
		.floppy = { CMOS_FLOPPY_1440K, CMOS_FLOPPY_NONE },
		.hd = { { 1024, 16, 63 }, { 0, 0, 0 } },
		.boot = { CMOS_BOOT_CDROM, CMOS_BOOT_DISK, CMOS_BOOT_FLOPPY },
		.fpu = true,
	};
	rtc_destroy(r);
	r = make(0, &cfg);
	cr_assert_eq(rd(0x10), 0x40);
	cr_assert_eq(rd(0x12), 0xF0);
	cr_assert_eq(rd(0x19), 47);
	cr_assert_eq(rd(0x1B) | rd(0x1C) << 8, 1024);
	cr_assert_eq(rd(0x1D), 16);
	cr_assert_eq(rd(0x20), 0xC8);
	cr_assert_eq(rd(0x23), 63);
	cr_assert_eq(rd(0x14), 0x03); /* one floppy, FPU, VGA */
	cr_assert_eq(rd(0x15) | rd(0x16) << 8, 640);
	cr_assert_eq(rd(0x17) | rd(0x18) << 8, 63 * 1024);
	cr_assert_eq(rd(0x30) | rd(0x31) << 8, 63 * 1024);
	cr_assert_eq(rd(0x34) | rd(0x35) << 8, (48 << 20) >> 16);
	cr_assert_eq(rd(0x3D), 0x23);
	cr_assert_eq(rd(0x38), 0x10);
	cr_assert_eq(rd(0x32), 0x19); /* 1970 */
	unsigned sum = 0;
	for (int i = 0x10; i <= 0x2D; i++)
		sum += rd((uint8_t)i);
	cr_assert_eq((unsigned)(rd(0x2E) << 8 | rd(0x2F)), sum);
	/* Extended memory saturates at 64 MiB - 1 KiB. */
	cfg.ram_size = 512u << 20;
	rtc_destroy(r);
	r = make(0, &cfg);
	cr_assert_eq(rd(0x17) | rd(0x18) << 8, 0xFFFF);
	cr_assert_eq(rd(0x34) | rd(0x35) << 8, (496u << 20) >> 16);
}

Test(rtc, reset_clears_enables_keeps_time)
{
	wr(0x0B, 0x7A);
	wr(0x50, 0x42);
	rtc_reset(r);
	cr_assert_eq(rd(0x0B), 0x02);
	cr_assert_eq(rd(0x50), 0x42);
	cr_assert_eq(rd(0x00), 0x58);
}

Test(rtc, parse_date)
{
	int64_t t;
	cr_assert_eq(rtc_parse_date("2001-02-03T04:05:06", &t), 0);
	cr_assert_eq(t, 981173106);
	cr_assert_eq(rtc_parse_date("2000-01-01", &t), 0);
	cr_assert_eq(t, 946684800);
	cr_assert_eq(rtc_parse_date("1969-12-31T23:59", &t), 0);
	cr_assert_eq(t, -60);
	cr_assert_eq(rtc_parse_date("2001-13-01", &t), -1);
	cr_assert_eq(rtc_parse_date("2001-02-03T25:00:00", &t), -1);
	cr_assert_eq(rtc_parse_date("yesterday", &t), -1);
	cr_assert_eq(rtc_parse_date("2001-02-03x", &t), -1);
}

Test(rtc, host_time_by_default)
{
	struct rtc *h = rtc_create(NULL, &clk, NULL, NULL);
	int64_t t = rtc_time(h);
	int64_t host = (int64_t)time(NULL);
	cr_assert(t >= host - 2 && t <= host + 2, "%lld vs %lld", (long long)t, (long long)host);
	rtc_destroy(h);
}

/* ---- save / load ------------------------------------------------------- */

Test(rtc, save_load_round_trip)
{
	wr(0x0A, 0x2A); /* 64 Hz */
	wr(0x01, 0xC0);
	wr(0x03, 0xC0);
	wr(0x05, 0xC0);
	wr(0x0B, 0x66); /* PIE AIE, binary */
	wr(0x60, 0x5A);
	step(1234 * MS);
	rtc_write(r, 0x70, 0x80 | 0x0C); /* NMI masked, index C */

	struct state_buf b = { 0 };
	cr_assert_eq(device_save(&r->dev, &b), 0);

	/* A fresh RTC with another date and host time, on a clock at the same time. */
	struct clock clk2;
	clock_init(&clk2, CLOCK_MODE_MANUAL, NULL, 0);
	clock_step(&clk2, clock_now(&clk));
	struct irq_line l2;
	irq_line_init(&l2, NULL, NULL, 0);
	struct rtc *q = rtc_create(NULL, &clk2, &l2, NULL);
	char err[256];
	cr_assert_eq(device_load(&q->dev, b.data, b.len, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rtc_time(q), rtc_time(r));
	cr_assert(rtc_nmi_masked(q));
	cr_assert_eq(l2.level, irq8.level);
	cr_assert_eq(q->timer.expire, r->timer.expire);
	for (int k = 0; k < 300; k++) {
		int64_t t = clock_now(&clk) + 7 * MS;
		clock_step(&clk, t);
		clock_step(&clk2, t);
		cr_assert_eq(l2.level, irq8.level, "step %d", k);
		uint8_t c1 = rtc_read(r, 0x71), c2 = rtc_read(q, 0x71); /* index C */
		cr_assert_eq(c1, c2, "step %d", k);
	}
	for (int i = 0; i < 0x80; i++) {
		if (i == 0x0C)
			continue;
		rtc_write(r, 0x70, (uint8_t)i);
		rtc_write(q, 0x70, (uint8_t)i);
		cr_assert_eq(rtc_read(r, 0x71), rtc_read(q, 0x71), "index %#x", i);
	}
	state_buf_free(&b);
	rtc_destroy(q);
}
