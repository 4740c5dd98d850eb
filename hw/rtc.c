/* rtc — MC146818A real-time clock and CMOS RAM (see rtc.h). */
#include "rtc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"

enum {
	REG_SEC = 0x00, REG_SEC_ALARM = 0x01, REG_MIN = 0x02, REG_MIN_ALARM = 0x03,
	REG_HOUR = 0x04, REG_HOUR_ALARM = 0x05, REG_WDAY = 0x06, REG_MDAY = 0x07,
	REG_MON = 0x08, REG_YEAR = 0x09, REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C,
	REG_D = 0x0D, REG_CENTURY = 0x32,
};

#define A_UIP 0x80
#define A_DV 0x70
#define A_DV_RUN 0x20 /* 32.768 kHz time base, divider running */
#define A_RS 0x0F
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM 0x04 /* 1: binary */
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

#define UIP_NS 244000 /* UIP rises this long before the update (datasheet) */

/* ---- calendar (proleptic Gregorian, H. Hinnant's algorithms) ----------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct rtc_tm {
	int64_t year;
	int mon, mday, hour, min, sec, wday; /* wday 0 = Sunday */
};

static void civil_from_secs(int64_t t, struct rtc_tm *tm)
{
	int64_t z = floor_div(t, 86400);
	int64_t s = t - z * 86400;
	tm->hour = (int)(s / 3600);
	tm->min = (int)(s / 60 % 60);
	tm->sec = (int)(s % 60);
	tm->wday = (int)((z % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	tm->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = yoe + era * 400 + (tm->mon <= 2);
}

int64_t rtc_mktime(int year, int month, int day, int hour, int min, int sec)
{
	return days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
}

int rtc_parse_date(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	s += n;
	if (*s == 'T' || *s == ' ') {
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		s += 1 + n;
		if (*s == ':') {
			n = 0;
			if (sscanf(s + 1, "%2d%n", &se, &n) != 1)
				return -1;
			s += 1 + n;
		}
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 ||
	    h < 0 || mi < 0 || se < 0 || y < 0)
		return -1;
	*out = rtc_mktime(y, mo, d, h, mi, se);
	return 0;
}

/* ---- register formats -------------------------------------------------- */

static uint8_t enc(const struct rtc *r, int v)
{
	if (r->cmos[REG_B] & B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static int dec(const struct rtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_DM)
		return v;
	return (v >> 4) * 10 + (v & 15);
}

/* 12-hour mode: 1-12 with bit 7 for PM (datasheet, Table 3). */
static uint8_t enc_hour(const struct rtc *r, int h)
{
	if (r->cmos[REG_B] & B_24H)
		return enc(r, h);
	return (uint8_t)(enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static int dec_hour(const struct rtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_24H)
		return dec(r, v);
	return dec(r, v & 0x7F) % 12 + (v & 0x80 ? 12 : 0);
}

/* ---- the time ---------------------------------------------------------- */

static bool divider_runs(const struct rtc *r) { return (r->cmos[REG_A] & A_DV) == A_DV_RUN; }
static bool time_runs(const struct rtc *r)
{
	return divider_runs(r) && !(r->cmos[REG_B] & B_SET);
}

/* Seconds since base_ns, rounded down. */
static int64_t secs_since_base(const struct rtc *r, int64_t now)
{
	return floor_div(now - r->base_ns, NS_PER_SEC);
}

static int64_t time_at(const struct rtc *r, int64_t now)
{
	return time_runs(r) ? r->base_sec + secs_since_base(r, now) : r->base_sec;
}

/* Moves base_ns to the last second boundary at or before t, keeping the
 * divider's phase (and the time, if it runs). */
static void rebase(struct rtc *r, int64_t t)
{
	if (!divider_runs(r))
		return;
	int64_t k = secs_since_base(r, t);
	r->base_ns += k * NS_PER_SEC;
	if (time_runs(r))
		r->base_sec += k;
}

/* The time and calendar registers from a time. */
static void fill_time(struct rtc *r, int64_t t)
{
	struct rtc_tm tm;
	civil_from_secs(t, &tm);
	r->cmos[REG_SEC] = enc(r, tm.sec);
	r->cmos[REG_MIN] = enc(r, tm.min);
	r->cmos[REG_HOUR] = enc_hour(r, tm.hour);
	r->cmos[REG_WDAY] = enc(r, tm.wday + 1);
	r->cmos[REG_MDAY] = enc(r, tm.mday);
	r->cmos[REG_MON] = enc(r, tm.mon);
	/* Years before 0 or after 9999 (a guest's odd writes) wrap. */
	int64_t cent = floor_div(tm.year, 100);
	r->cmos[REG_YEAR] = enc(r, (int)(tm.year - cent * 100));
	r->cmos[REG_CENTURY] = enc(r, (int)(cent - floor_div(cent, 100) * 100));
}

/* The time the registers hold (what software wrote while SET was 1). */
static int64_t regs_time(const struct rtc *r)
{
	int mon = dec(r, r->cmos[REG_MON]), mday = dec(r, r->cmos[REG_MDAY]);
	int year = dec(r, r->cmos[REG_YEAR]) % 100 + dec(r, r->cmos[REG_CENTURY]) * 100;
	if (mon < 1 || mon > 12)
		mon = 1;
	if (mday < 1 || mday > 31)
		mday = 1;
	return rtc_mktime(year, mon, mday, dec_hour(r, r->cmos[REG_HOUR]) % 24,
	                  dec(r, r->cmos[REG_MIN]) % 60, dec(r, r->cmos[REG_SEC]) % 60);
}

static bool alarm_match(uint8_t alarm, uint8_t now)
{
	return (alarm & 0xC0) == 0xC0 || alarm == now; /* 11xxxxxxb: "don't care" */
}

/* The first time t >= from whose seconds, minutes and hours match the
 * alarm registers, or -1 if none does within a day. */
static int64_t next_alarm(const struct rtc *r, int64_t from)
{
	for (int64_t t = from; t <= from + 86400;) {
		struct rtc_tm tm;
		civil_from_secs(t, &tm);
		if (!alarm_match(r->cmos[REG_HOUR_ALARM], enc_hour(r, tm.hour)))
			t += 3600 - tm.min * 60 - tm.sec;
		else if (!alarm_match(r->cmos[REG_MIN_ALARM], enc(r, tm.min)))
			t += 60 - tm.sec;
		else if (!alarm_match(r->cmos[REG_SEC_ALARM], enc(r, tm.sec)))
			t++;
		else
			return t;
	}
	return -1;
}

/* ---- interrupts -------------------------------------------------------- */

/* The periodic rate in 32.768 kHz cycles (datasheet, Table 5): RS 1 and 2
 * are 256 and 128 Hz, RS n >= 3 is 65536 >> n Hz. */
static int64_t periodic_cycles(const struct rtc *r)
{
	int rs = r->cmos[REG_A] & A_RS;
	if (rs == 0)
		return 0;
	if (rs <= 2)
		return rs == 1 ? 128 : 256;
	return 1 << (rs - 1);
}

/* Periodic edges since base_ns at t, rounded down. */
static int64_t periodic_index(const struct rtc *r, int64_t t, int64_t cycles)
{
	__int128 num = (__int128)(t - r->base_ns) * 32768;
	__int128 den = (__int128)cycles * NS_PER_SEC;
	__int128 q = num / den;
	if (num % den != 0 && num < 0)
		q--;
	return (int64_t)q;
}

static int64_t periodic_time(const struct rtc *r, int64_t k, int64_t cycles)
{
	__int128 num = (__int128)k * cycles * NS_PER_SEC;
	return r->base_ns + (int64_t)((num + 32767) / 32768);
}

static void update_irq(struct rtc *r)
{
	uint8_t *c = &r->cmos[REG_C];
	if (*c & r->cmos[REG_B] & (C_PF | C_AF | C_UF))
		*c |= C_IRQF;
	else
		*c &= (uint8_t)~C_IRQF;
	bool level = *c & C_IRQF;
	if (!r->irq || r->irq->level != level)
		irq_set_level(r->irq, level);
}

/* Sets the flags of register C for the events in (last_sync, now]. */
static void rtc_sync(struct rtc *r, int64_t now)
{
	int64_t from = r->last_sync;
	if (now <= from)
		return;
	if (divider_runs(r)) {
		rebase(r, from);
		int64_t cycles = periodic_cycles(r);
		if (cycles && periodic_index(r, now, cycles) > periodic_index(r, from, cycles))
			r->cmos[REG_C] |= C_PF;
		if (!(r->cmos[REG_B] & B_SET)) {
			int64_t s0 = secs_since_base(r, from), s1 = secs_since_base(r, now);
			if (s1 > s0) {
				r->cmos[REG_C] |= C_UF;
				int64_t a = next_alarm(r, r->base_sec + s0 + 1);
				if (a >= 0 && a <= r->base_sec + s1)
					r->cmos[REG_C] |= C_AF;
			}
		}
	}
	r->last_sync = now;
	update_irq(r);
}

/* Arms the timer for the next event that would raise IRQ8; none while the
 * line is already up (register C must be read first). */
static void rtc_arm(struct rtc *r, int64_t now)
{
	uint8_t b = r->cmos[REG_B];
	int64_t t = CLOCK_NEVER;
	if (!(r->cmos[REG_C] & C_IRQF) && divider_runs(r)) {
		int64_t cycles = periodic_cycles(r);
		if ((b & B_PIE) && cycles) {
			int64_t e = periodic_time(r, periodic_index(r, now, cycles) + 1, cycles);
			t = e < t ? e : t;
		}
		if (!(b & B_SET)) {
			int64_t s = secs_since_base(r, now);
			if (b & B_UIE) {
				int64_t e = r->base_ns + (s + 1) * NS_PER_SEC;
				t = e < t ? e : t;
			}
			if (b & B_AIE) {
				int64_t a = next_alarm(r, r->base_sec + s + 1);
				if (a >= 0) {
					int64_t e = r->base_ns + (a - r->base_sec) * NS_PER_SEC;
					t = e < t ? e : t;
				}
			}
		}
	}
	timer_mod(&r->timer, t == CLOCK_NEVER ? -1 : t);
}

static void rtc_timer_cb(void *opaque)
{
	struct rtc *r = opaque;
	int64_t now = clock_now(r->clock);
	rtc_sync(r, now);
	rtc_arm(r, now);
}

/* ---- registers --------------------------------------------------------- */

static bool is_time_reg(uint8_t i)
{
	return i == REG_SEC || i == REG_MIN || i == REG_HOUR || (i >= REG_WDAY && i <= REG_YEAR) ||
	       i == REG_CENTURY;
}

static bool uip(const struct rtc *r, int64_t now)
{
	if (!time_runs(r))
		return false;
	int64_t frac = now - r->base_ns - secs_since_base(r, now) * NS_PER_SEC;
	return frac >= NS_PER_SEC - UIP_NS;
}

uint8_t rtc_cmos_read(struct rtc *r, uint8_t i)
{
	int64_t now = clock_now(r->clock);
	i &= 0x7F;
	if (is_time_reg(i)) {
		if (time_runs(r))
			fill_time(r, time_at(r, now));
		return r->cmos[i];
	}
	switch (i) {
	case REG_A:
		return (uint8_t)((r->cmos[REG_A] & ~A_UIP) | (uip(r, now) ? A_UIP : 0));
	case REG_C: {
		rtc_sync(r, now);
		uint8_t v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		update_irq(r);
		rtc_arm(r, now);
		return v;
	}
	case REG_D: return D_VRT;
	}
	return r->cmos[i];
}

void rtc_cmos_write(struct rtc *r, uint8_t i, uint8_t val)
{
	int64_t now = clock_now(r->clock);
	i &= 0x7F;
	if (is_time_reg(i)) {
		/* The other registers are current, the written one replaces its
		 * part; a running clock goes on from the new time (the fraction of
		 * the second is kept).  With SET=1 the bytes wait for SET=0. */
		rtc_sync(r, now);
		rebase(r, now);
		if (time_runs(r))
			fill_time(r, time_at(r, now));
		r->cmos[i] = val;
		if (!(r->cmos[REG_B] & B_SET))
			r->base_sec = regs_time(r);
		rtc_arm(r, now);
		return;
	}
	switch (i) {
	case REG_A: {
		rtc_sync(r, now);
		bool ran = divider_runs(r);
		if (ran) {
			rebase(r, now);
			r->base_sec = time_at(r, now);
		}
		r->cmos[REG_A] = val & (uint8_t)~A_UIP;
		if (ran && !divider_runs(r) && !(r->cmos[REG_B] & B_SET))
			fill_time(r, r->base_sec); /* the registers stand still */
		if (!ran && divider_runs(r))
			r->base_ns = now - NS_PER_SEC / 2; /* first update 500 ms on */
		r->last_sync = now;
		rtc_arm(r, now);
		return;
	}
	case REG_B: {
		rtc_sync(r, now);
		rebase(r, now);
		uint8_t old = r->cmos[REG_B];
		if ((val & B_SET) && !(old & B_SET)) {
			r->base_sec = time_at(r, now);
			val &= (uint8_t)~B_UIE; /* SET clears UIE (datasheet) */
			r->cmos[REG_B] = val;   /* the frozen bytes in the new format */
			fill_time(r, r->base_sec);
		}
		if (!(val & B_SET) && (old & B_SET)) {
			r->cmos[REG_B] = val; /* decode in the new format */
			r->base_sec = regs_time(r);
		}
		r->cmos[REG_B] = val;
		update_irq(r);
		rtc_arm(r, now);
		return;
	}
	case REG_C:
	case REG_D: return; /* read-only */
	}
	r->cmos[i] = val;
}

int64_t rtc_time(struct rtc *r) { return time_at(r, clock_now(r->clock)); }

uint8_t rtc_read(struct rtc *r, uint16_t port)
{
	if (port == RTC_PORT)
		return 0xFF; /* the index register is write-only */
	return rtc_cmos_read(r, r->index);
}

void rtc_write(struct rtc *r, uint16_t port, uint8_t val)
{
	if (port == RTC_PORT) {
		r->index = val & 0x7F;
		r->nmi_masked = val & 0x80;
		return;
	}
	rtc_cmos_write(r, r->index, val);
}

static uint32_t rtc_io_read(void *dev, uint16_t port, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)rtc_read(dev, (uint16_t)(port + i)) << (8 * i);
	return v;
}

static void rtc_io_write(void *dev, uint16_t port, uint32_t val, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		rtc_write(dev, (uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
}

static const struct io_ops rtc_ops = {
	.read = rtc_io_read,
	.write = rtc_io_write,
};

/* ---- NVRAM ------------------------------------------------------------- */

static void put16(uint8_t *cmos, int lo, uint32_t v)
{
	if (v > 0xFFFF)
		v = 0xFFFF;
	cmos[lo] = (uint8_t)v;
	cmos[lo + 1] = (uint8_t)(v >> 8);
}

/* The sum of 10h-2Dh, big-endian at 2Eh (IBM AT Technical Reference). */
static void checksum(uint8_t *cmos)
{
	unsigned sum = 0;
	for (int i = 0x10; i <= 0x2D; i++)
		sum += cmos[i];
	cmos[0x2E] = (uint8_t)(sum >> 8);
	cmos[0x2F] = (uint8_t)sum;
}

static void fill_nvram(struct rtc *r, const struct rtc_config *cfg)
{
	uint8_t *cmos = r->cmos;
	int floppies = (cfg->floppy[0] != 0) + (cfg->floppy[1] != 0);
	cmos[0x10] = (uint8_t)((cfg->floppy[0] & 15) << 4 | (cfg->floppy[1] & 15));
	/* Equipment: floppies present and count - 1, FPU, display 00 = EGA/VGA. */
	cmos[0x14] = (uint8_t)((floppies ? 0x01 | (floppies - 1) << 6 : 0) | (cfg->fpu ? 0x02 : 0));
	put16(cmos, 0x15, 640);
	uint32_t ext_kb = cfg->ram_size > (1u << 20) ? (cfg->ram_size - (1u << 20)) >> 10 : 0;
	put16(cmos, 0x17, ext_kb);
	put16(cmos, 0x30, ext_kb);
	uint32_t high = cfg->ram_size > (16u << 20) ? (cfg->ram_size - (16u << 20)) >> 16 : 0;
	put16(cmos, 0x34, high);
	/* Hard disks: type 15 = "see 19h/1Ah", type 47 = the user geometry at
	 * 1Bh (disk 0) and 24h (disk 1), as Award and AMI BIOSes (and qemu) do. */
	uint8_t types = 0;
	for (int d = 0; d < 2; d++) {
		if (!cfg->hd[d].cyls)
			continue;
		types |= (uint8_t)(0xF0 >> (4 * d));
		cmos[0x19 + d] = 47;
		int o = d ? 0x24 : 0x1B;
		put16(cmos, o, cfg->hd[d].cyls);
		cmos[o + 2] = cfg->hd[d].heads;
		put16(cmos, o + 3, 0xFFFF); /* write precompensation: none */
		cmos[o + 5] = (uint8_t)(0xC0 | (cfg->hd[d].heads > 8) << 3);
		put16(cmos, o + 6, cfg->hd[d].cyls); /* landing zone */
		cmos[o + 8] = cfg->hd[d].sectors;
	}
	cmos[0x12] = types;
	/* Boot order as SeaBIOS reads it: 3Dh low then high nibble, 38h bits 7-4. */
	cmos[0x3D] = (uint8_t)((cfg->boot[0] & 15) | (cfg->boot[1] & 15) << 4);
	cmos[0x38] = (uint8_t)((cfg->boot[2] & 15) << 4);
	cmos[0x5F] = 0; /* one CPU */
	checksum(cmos);
}

/* ---- life cycle -------------------------------------------------------- */

void rtc_reset(struct rtc *r)
{
	int64_t now = clock_now(r->clock);
	rtc_sync(r, now);
	r->cmos[REG_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[REG_C] = 0;
	update_irq(r);
	rtc_arm(r, now);
}

static int rtc_post_load(void *obj, uint32_t version, char *err, size_t errlen)
{
	struct rtc *r = obj;
	(void)version;
	/* Times a few centuries either way keep every sum in range. */
	const int64_t max_sec = 1LL << 40, max_ns = 1LL << 61;
	if (r->base_sec < -max_sec || r->base_sec > max_sec || r->base_ns < -max_ns ||
	    r->base_ns > max_ns || r->last_sync < -max_ns || r->last_sync > max_ns) {
		snprintf(err, errlen, "rtc: time base out of range");
		return -1;
	}
	r->index &= 0x7F;
	int64_t now = clock_now(r->clock);
	if (r->last_sync > now)
		r->last_sync = now;
	update_irq(r);
	rtc_arm(r, now);
	return 0;
}

static const struct state_field rtc_fields[] = {
	STATE_U8_ARRAY(struct rtc, cmos, 128),
	STATE_U8(struct rtc, index),
	STATE_BOOL(struct rtc, nmi_masked),
	STATE_I64(struct rtc, base_sec),
	STATE_I64(struct rtc, base_ns),
	STATE_I64(struct rtc, last_sync),
};

static const struct state_desc rtc_state = {
	.name = "rtc",
	.version = 1,
	.min_version = 1,
	STATE_FIELDS(rtc_fields),
	.post_load = rtc_post_load,
};

static int64_t host_wall(bool localtime, int64_t *frac_ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	*frac_ns = ts.tv_nsec;
	int64_t t = ts.tv_sec;
	if (localtime) {
		struct tm tm;
		time_t tt = ts.tv_sec;
		if (localtime_r(&tt, &tm))
			t = rtc_mktime(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			               tm.tm_sec);
	}
	return t;
}

struct rtc *rtc_create(struct bus *b, struct clock *clock, struct irq_line *irq8,
                       const struct rtc_config *cfg)
{
	static const struct rtc_config defaults = { .host_time = true, .ram_size = 640u << 10 };
	if (!cfg)
		cfg = &defaults;
	struct rtc *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	device_init(&r->dev, &rtc_class);
	r->clock = clock;
	r->irq = irq8;
	timer_init(&r->timer, clock, rtc_timer_cb, r);
	if (b && bus_register_io(b, RTC_PORT, 2, &rtc_ops, r) < 0) {
		free(r);
		return NULL;
	}
	int64_t now = clock_now(clock);
	r->cmos[REG_A] = A_DV_RUN | 0x06; /* 32.768 kHz, 1024 Hz periodic rate */
	r->cmos[REG_B] = B_24H;           /* BCD, 24-hour */
	r->cmos[REG_D] = D_VRT;
	if (cfg->host_time) {
		int64_t frac;
		r->base_sec = host_wall(cfg->localtime, &frac);
		r->base_ns = now - frac;
	} else {
		r->base_sec = cfg->base;
		r->base_ns = now;
	}
	r->last_sync = now;
	fill_time(r, time_at(r, now));
	fill_nvram(r, cfg);
	rtc_reset(r);
	return r;
}

/* The bus keeps pointers to the device: destroy it with the bus. */
void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	timer_del(&r->timer);
	free(r);
}

static struct device *rtc_class_create(const struct device_env *env, const void *config,
                                       char *err, size_t errlen)
{
	struct rtc *r = rtc_create(env->bus, env->clock, env->irq[0], config);
	if (!r) {
		snprintf(err, errlen, "rtc: ports 70h-71h are taken");
		return NULL;
	}
	return &r->dev;
}

static void rtc_class_reset(struct device *d) { rtc_reset((struct rtc *)d); }
static void rtc_class_destroy(struct device *d) { rtc_destroy((struct rtc *)d); }

const struct device_class rtc_class = {
	.name = "rtc",
	.create = rtc_class_create,
	.destroy = rtc_class_destroy,
	.reset = rtc_class_reset,
	.state = &rtc_state,
};
