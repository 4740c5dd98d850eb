/* The device framework and the virtual clock: IRQ lines, timers in the
 * three clock modes, the run loop's notify, and the state serialiser (every
 * field type, nested tables, versions, a whole device set, and bad input of
 * every kind refused without a crash or a change). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "device.h"

/* ---- IRQ lines --------------------------------------------------------- */

static int got_n, got_level, calls;

static void on_line(void *opaque, int n, bool level)
{
	*(int *)opaque += 1;
	got_n = n;
	got_level = level;
	calls++;
}

Test(irq, lines_carry_level_and_number)
{
	int count = 0;
	struct irq_line l;
	irq_line_init(&l, on_line, &count, 5);
	irq_raise(&l);
	cr_assert_eq(got_n, 5);
	cr_assert_eq(got_level, 1);
	cr_assert(l.level);
	irq_pulse(&l);
	cr_assert_eq(count, 3);
	cr_assert_eq(got_level, 0);
	irq_set_level(NULL, true); /* a NULL line goes nowhere */
}

/* ---- clock and timers -------------------------------------------------- */

static int order[8], norder;

static void cb_record(void *opaque)
{
	order[norder++] = (int)(intptr_t)opaque;
}

Test(clock, manual_timers_fire_in_order_at_their_deadline)
{
	struct clock c;
	clock_init(&c, CLOCK_MODE_MANUAL, NULL, 0);
	cr_assert_eq(clock_now(&c), 0);
	struct timer t[4];
	for (int i = 0; i < 4; i++)
		timer_init(&t[i], &c, cb_record, (void *)(intptr_t)i);
	norder = 0;
	timer_mod(&t[0], 300);
	timer_mod(&t[1], 100);
	timer_mod(&t[2], 200);
	timer_mod(&t[3], 100); /* same deadline: after t[1] */
	cr_assert_eq(clock_deadline(&c), 100);
	timer_del(&t[2]);
	cr_assert(!timer_pending(&t[2]));
	clock_step(&c, 250);
	cr_assert_eq(norder, 2);
	cr_assert_eq(order[0], 1);
	cr_assert_eq(order[1], 3);
	cr_assert_eq(clock_now(&c), 250);
	cr_assert_eq(clock_deadline(&c), 300);
	timer_mod(&t[0], 260); /* re-arm moves it */
	clock_step(&c, 1000);
	cr_assert_eq(norder, 3);
	cr_assert_eq(clock_deadline(&c), CLOCK_NEVER);
}

static struct clock *self_clock;
static int64_t seen_now[16];
static int nseen;

static void cb_periodic(void *opaque)
{
	struct timer *t = opaque;
	seen_now[nseen++] = clock_now(self_clock);
	if (nseen < 5)
		timer_mod(t, t->clock ? clock_now(self_clock) + 10 : -1);
}

Test(clock, step_stops_at_each_deadline)
{
	struct clock c;
	clock_init(&c, CLOCK_MODE_MANUAL, NULL, 0);
	self_clock = &c;
	nseen = 0;
	struct timer t;
	timer_init(&t, &c, cb_periodic, &t);
	timer_mod(&t, 5);
	clock_step(&c, 100);
	cr_assert_eq(nseen, 5);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(seen_now[i], 5 + 10 * i);
}

Test(clock, icount_mode_follows_instructions)
{
	uint64_t icount = 1000;
	struct clock c;
	clock_init(&c, CLOCK_MODE_ICOUNT, &icount, 3);
	cr_assert_eq(clock_now(&c), 0);
	icount += 10;
	cr_assert_eq(clock_now(&c), 80);
	clock_wait(&c, 5000); /* a halted CPU: the clock jumps */
	cr_assert_eq(clock_now(&c), 5000);
	icount += 1;
	cr_assert_eq(clock_now(&c), 5008);
	clock_set_now(&c, 7);
	cr_assert_eq(clock_now(&c), 7);
}

Test(clock, realtime_follows_host_and_pauses)
{
	struct clock c;
	clock_init(&c, CLOCK_MODE_REALTIME, NULL, 0);
	int64_t a = clock_now(&c);
	cr_assert(a >= 0 && a < NS_PER_SEC);
	int64_t h0 = clock_host_ns();
	clock_wait(&c, a + 20000000); /* sleeps 20 ms */
	int64_t slept = clock_host_ns() - h0;
	cr_assert(slept >= 15000000, "%lld", (long long)slept);
	cr_assert(clock_now(&c) >= a + 20000000);
	clock_pause(&c);
	int64_t p = clock_now(&c);
	clock_wait(&c, p + NS_PER_SEC); /* paused: returns at once */
	cr_assert_eq(clock_now(&c), p);
	clock_resume(&c);
	cr_assert(clock_now(&c) - p < 5000000);
}

static int notified;
static void on_notify(void *opaque)
{
	(void)opaque;
	notified++;
}

Test(clock, earlier_timer_notifies_the_run_loop)
{
	struct clock c;
	clock_init(&c, CLOCK_MODE_MANUAL, NULL, 0);
	clock_set_notify(&c, on_notify, NULL);
	struct timer t;
	timer_init(&t, &c, cb_record, NULL);
	norder = 0;
	notified = 0;
	clock_set_horizon(&c, 1000);
	timer_mod(&t, 2000);
	cr_assert_eq(notified, 0);
	timer_mod(&t, 500);
	cr_assert_eq(notified, 1);
}

Test(clock, muldiv)
{
	cr_assert_eq(muldiv64(INT64_MAX / 2, 1000000000, 1000000000), INT64_MAX / 2);
	cr_assert_eq(muldiv64(3, 1000000000, 1193182), 2514);
	cr_assert_eq(muldiv64_up(3, 1000000000, 1193182), 2515);
	cr_assert_eq(muldiv64_up(1193182, 1000000000, 1193182), 1000000000);
}

/* ---- the serialiser ---------------------------------------------------- */

struct inner {
	uint8_t a;
	uint16_t b[2];
};

struct toy {
	struct device dev;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	int32_t i32;
	int64_t i64;
	bool flag;
	uint8_t bytes[5];
	struct inner in[3];
	struct timer t;
	uint32_t added_in_v2;
	int post_loads;
	bool reject;
};

static const struct state_field inner_fields[] = {
	STATE_U8(struct inner, a),
	STATE_U16_ARRAY(struct inner, b, 2),
};
static const struct state_desc inner_state = { "inner", 1, 1, STATE_FIELDS(inner_fields), NULL, NULL };

static int toy_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct toy *t = obj;
	(void)version;
	t->post_loads++;
	if (t->u8 == 0xEE) {
		snprintf(err, errlen, "toy: u8 may not be EEh");
		return -1;
	}
	return 0;
}

static const struct state_field toy_fields[] = {
	STATE_U8(struct toy, u8),
	STATE_U16(struct toy, u16),
	STATE_U32(struct toy, u32),
	STATE_U64(struct toy, u64),
	STATE_I32(struct toy, i32),
	STATE_I64(struct toy, i64),
	STATE_BOOL(struct toy, flag),
	STATE_U8_ARRAY(struct toy, bytes, 5),
	STATE_STRUCT_ARRAY(struct toy, in, 3, inner_state),
	STATE_TIMER(struct toy, t),
	STATE_U32_SINCE(struct toy, added_in_v2, 2),
};

static struct state_desc toy_state = {
	.name = "toy",
	.version = 2,
	.min_version = 1,
	STATE_FIELDS(toy_fields),
	.post_load = toy_post_load,
};

static void toy_destroy(struct device *d) { (void)d; }

static const struct device_class toy_class = {
	.name = "toy",
	.destroy = toy_destroy,
	.state = &toy_state,
};

static const struct device_class mute_class = {
	.name = "mute",
	.destroy = toy_destroy,
};

static struct clock sclk;

static void toy_init(struct toy *t, const char *id)
{
	memset(t, 0, sizeof *t);
	device_init(&t->dev, &toy_class);
	if (id)
		snprintf(t->dev.id, sizeof t->dev.id, "%s", id);
	timer_init(&t->t, &sclk, cb_record, NULL);
}

static void toy_fill(struct toy *t, int seed)
{
	t->u8 = (uint8_t)(0x11 * seed);
	t->u16 = (uint16_t)(0x1234 + seed);
	t->u32 = 0xDEADBEEF ^ (uint32_t)seed;
	t->u64 = 0x0123456789ABCDEFull + (uint64_t)seed;
	t->i32 = -7 * seed;
	t->i64 = -1234567890123ll * seed;
	t->flag = seed & 1;
	for (int i = 0; i < 5; i++)
		t->bytes[i] = (uint8_t)(seed + i);
	for (int i = 0; i < 3; i++) {
		t->in[i].a = (uint8_t)(i * seed);
		t->in[i].b[0] = (uint16_t)(1000 * i + seed);
		t->in[i].b[1] = (uint16_t)(2000 * i + seed);
	}
	timer_mod(&t->t, 1000 * seed);
	t->added_in_v2 = 42u + (uint32_t)seed;
}

static void toy_same(const struct toy *a, const struct toy *b)
{
	cr_assert_eq(a->u8, b->u8);
	cr_assert_eq(a->u16, b->u16);
	cr_assert_eq(a->u32, b->u32);
	cr_assert_eq(a->u64, b->u64);
	cr_assert_eq(a->i32, b->i32);
	cr_assert_eq(a->i64, b->i64);
	cr_assert_eq(a->flag, b->flag);
	cr_assert_arr_eq(a->bytes, b->bytes, 5);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(a->in[i].a, b->in[i].a);
		cr_assert_eq(a->in[i].b[0], b->in[i].b[0]);
		cr_assert_eq(a->in[i].b[1], b->in[i].b[1]);
	}
	cr_assert_eq(a->t.expire, b->t.expire);
	cr_assert_eq(a->added_in_v2, b->added_in_v2);
}

static void sclk_setup(void)
{
	clock_init(&sclk, CLOCK_MODE_MANUAL, NULL, 0);
	toy_state.version = 2;
}

TestSuite(state, .init = sclk_setup);

Test(state, sizes_follow_the_table)
{
	/* 1+2+4+8+4+8+1+5 + 3*(1+4) + 8 = 56, + 4 in version 2 */
	cr_assert_eq(state_size(&toy_state, 1), 56);
	cr_assert_eq(state_size(&toy_state, 2), 60);
}

Test(state, device_round_trip_every_field_type)
{
	struct toy a, b;
	toy_init(&a, NULL);
	toy_init(&b, NULL);
	toy_fill(&a, 3);
	struct state_buf buf = { 0 };
	cr_assert_eq(device_save(&a.dev, &buf), 0);
	cr_assert_eq(buf.len, 1 + 3 + 8 + 60u);
	char err[256];
	cr_assert_eq(device_load(&b.dev, buf.data, buf.len, err, sizeof err), 0, "%s", err);
	toy_same(&a, &b);
	cr_assert_eq(b.post_loads, 1);
	cr_assert(timer_pending(&b.t));
	/* An idle timer round-trips as idle. */
	timer_del(&a.t);
	state_buf_free(&buf);
	cr_assert_eq(device_save(&a.dev, &buf), 0);
	cr_assert_eq(device_load(&b.dev, buf.data, buf.len, err, sizeof err), 0, "%s", err);
	cr_assert(!timer_pending(&b.t));
	timer_del(&b.t);
	state_buf_free(&buf);
}

Test(state, older_version_leaves_new_fields_alone)
{
	struct toy a, b;
	toy_init(&a, NULL);
	toy_init(&b, NULL);
	toy_fill(&a, 5);
	toy_state.version = 1; /* as an older amber wrote it */
	struct state_buf buf = { 0 };
	cr_assert_eq(device_save(&a.dev, &buf), 0);
	toy_state.version = 2;
	b.added_in_v2 = 777;
	char err[256];
	cr_assert_eq(device_load(&b.dev, buf.data, buf.len, err, sizeof err), 0, "%s", err);
	cr_assert_eq(b.u64, a.u64);
	cr_assert_eq(b.added_in_v2, 777);
	/* A newer state than this amber knows is refused. */
	buf.data[4] = 3;
	cr_assert_eq(device_load(&b.dev, buf.data, buf.len, err, sizeof err), -1);
	cr_assert(strstr(err, "version 3"), "%s", err);
	timer_del(&a.t);
	timer_del(&b.t);
	state_buf_free(&buf);
}

/* A set: the clock, two toys, a device without state. */
struct rig {
	struct device_set set;
	struct toy a, b;
	struct device mute;
};

static void rig_init(struct rig *r)
{
	device_set_init(&r->set);
	toy_init(&r->a, "toy0");
	toy_init(&r->b, "toy1");
	device_init(&r->mute, &mute_class);
	cr_assert_eq(device_set_add(&r->set, &sclk.dev), 0);
	cr_assert_eq(device_set_add(&r->set, &r->a.dev), 0);
	cr_assert_eq(device_set_add(&r->set, &r->b.dev), 0);
	cr_assert_eq(device_set_add(&r->set, &r->mute), 0);
}

static void rig_fini(struct rig *r)
{
	timer_del(&r->a.t);
	timer_del(&r->b.t);
}

Test(state, set_round_trip_and_ids)
{
	struct rig r1, r2;
	rig_init(&r1);
	cr_assert_eq(device_set_add(&r1.set, &r1.a.dev), -1); /* ids are unique */
	cr_assert_eq(device_set_find(&r1.set, "toy1"), &r1.b.dev);
	clock_step(&sclk, 777);
	toy_fill(&r1.a, 1);
	toy_fill(&r1.b, 2);
	struct state_buf buf = { 0 };
	cr_assert_eq(device_set_save(&r1.set, &buf), 0);
	cr_assert_eq(memcmp(buf.data, DEVICE_STATE_MAGIC, 8), 0);

	clock_set_now(&sclk, 5);
	rig_init(&r2);
	char err[256];
	cr_assert_eq(device_set_load(&r2.set, buf.data, buf.len, err, sizeof err), 0, "%s", err);
	cr_assert_eq(clock_now(&sclk), 777);
	toy_same(&r1.a, &r2.a);
	toy_same(&r1.b, &r2.b);
	rig_fini(&r1);
	rig_fini(&r2);
	state_buf_free(&buf);
}

Test(state, set_load_refuses_bad_input_without_change)
{
	struct rig r;
	rig_init(&r);
	toy_fill(&r.a, 1);
	toy_fill(&r.b, 2);
	struct state_buf good = { 0 };
	cr_assert_eq(device_set_save(&r.set, &good), 0);
	toy_fill(&r.a, 7);
	toy_fill(&r.b, 8);
	struct toy keep_a = r.a, keep_b = r.b;
	char err[256];

	/* Every truncation. */
	for (size_t n = 0; n < good.len; n++) {
		err[0] = 0;
		cr_assert_eq(device_set_load(&r.set, good.data, n, err, sizeof err), -1, "len %zu", n);
		cr_assert(err[0]);
	}
	/* Stray bytes after the end. */
	uint8_t *bad = malloc(good.len + 1);
	memcpy(bad, good.data, good.len);
	bad[good.len] = 0;
	cr_assert_eq(device_set_load(&r.set, bad, good.len + 1, err, sizeof err), -1);
	cr_assert(strstr(err, "stray"), "%s", err);
	/* Bad magic, bad format, wrong device count. */
	memcpy(bad, good.data, good.len);
	bad[0] ^= 1;
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	memcpy(bad, good.data, good.len);
	bad[8] = 2;
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	cr_assert(strstr(err, "format"), "%s", err);
	memcpy(bad, good.data, good.len);
	bad[12] = 3;
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	/* An unknown device id. */
	memcpy(bad, good.data, good.len);
	char *id = memmem(bad, good.len, "toy1", 4);
	cr_assert_not_null(id);
	id[3] = '9';
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	cr_assert(strstr(err, "toy9"), "%s", err);
	/* The same id twice. */
	id[3] = '0';
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	cr_assert(strstr(err, "twice"), "%s", err);
	/* A wrong payload length. */
	memcpy(bad, good.data, good.len);
	uint8_t *len_field = (uint8_t *)memmem(bad, good.len, "toy0", 4) + 4 + 4;
	len_field[0]--;
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	/* A boolean of 2 in the second toy, after the first toy loaded. */
	memcpy(bad, good.data, good.len);
	uint8_t *p1 = (uint8_t *)memmem(bad, good.len, "toy1", 4) + 4 + 8;
	p1[1 + 2 + 4 + 8 + 4 + 8] = 2;
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	cr_assert(strstr(err, "boolean"), "%s", err);
	/* A post_load refusal in the second toy. */
	memcpy(bad, good.data, good.len);
	p1[0] = 0xEE;
	cr_assert_eq(device_set_load(&r.set, bad, good.len, err, sizeof err), -1);
	cr_assert(strstr(err, "EEh"), "%s", err);
	/* Nothing changed: the first toy was put back. */
	toy_same(&r.a, &keep_a);
	toy_same(&r.b, &keep_b);
	/* Random garbage never crashes. */
	srand(1);
	for (int k = 0; k < 2000; k++) {
		memcpy(bad, good.data, good.len);
		for (int j = 0; j < 3; j++)
			bad[rand() % good.len] = (uint8_t)rand();
		if (device_set_load(&r.set, bad, good.len, err, sizeof err) == 0) {
			cr_assert_eq(device_set_load(&r.set, good.data, good.len, err, sizeof err), 0);
		}
	}
	free(bad);
	rig_fini(&r);
	state_buf_free(&good);
}

/* ---- every device survives any state ----------------------------------- */

#include "pic.h"
#include "pit.h"
#include "rtc.h"

/* Loads random payloads of the right size (with the right header) into
 * each chipset device, then drives it: a load either succeeds or is refused,
 * and nothing crashes afterwards. */
Test(state, random_states_never_crash)
{
	struct clock c;
	clock_init(&c, CLOCK_MODE_MANUAL, NULL, 0);
	clock_step(&c, 5 * NS_PER_SEC);
	struct irq_line intr;
	irq_line_init(&intr, NULL, NULL, 0);
	struct pic *pic = pic_create(NULL, &intr);
	struct pit *pit = pit_create(NULL, &c, pic_irq(pic, 0));
	struct rtc *rtc = rtc_create(NULL, &c, pic_irq(pic, 8), NULL);
	struct device *devs[3] = { &pic->dev, &pit->dev, &rtc->dev };
	srand(7);
	int accepted[3] = { 0 };
	for (int k = 0; k < 3000; k++) {
		struct device *d = devs[k % 3];
		struct state_buf good = { 0 };
		cr_assert_eq(device_save(d, &good), 0);
		size_t hdr = 1 + strlen(d->id) + 8;
		/* Mostly small changes to a real state, sometimes all random. */
		if (k % 7 == 0) {
			for (size_t i = hdr; i < good.len; i++)
				good.data[i] = (uint8_t)rand();
		} else {
			for (int j = 0; j < 1 + k % 4; j++)
				good.data[hdr + (size_t)rand() % (good.len - hdr)] = (uint8_t)rand();
		}
		char err[256];
		if (device_load(d, good.data, good.len, err, sizeof err) == 0)
			accepted[k % 3]++;
		state_buf_free(&good);
		/* Drive everything a little. */
		for (int i = 0; i < 4; i++) {
			pic_write(pic, (uint16_t)(i & 1 ? 0x21 : 0x20), (uint8_t)rand());
			pit_write(pit, (uint16_t)(0x40 + rand() % 4), (uint8_t)rand());
			pit_read(pit, (uint16_t)(0x40 + rand() % 3));
			pit_read(pit, 0x61);
			rtc_cmos_write(rtc, (uint8_t)(rand() % 14), (uint8_t)rand());
			rtc_cmos_read(rtc, (uint8_t)(rand() % 128));
			pic_ack(pic);
		}
		clock_step(&c, clock_now(&c) + rand() % 3000000);
	}
	cr_assert(accepted[0] > 0 && accepted[1] > 0 && accepted[2] > 0);
	rtc_destroy(rtc);
	pit_destroy(pit);
	pic_destroy(pic);
}
