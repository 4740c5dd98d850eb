/* rtc — the Motorola MC146818A real-time clock and its 128 bytes of CMOS
 * RAM (datasheet; PC/AT usage as in the IBM AT Technical Reference and the
 * CMOS map of Ralf Brown's list), at ports 70h (index; bit 7 masks NMI) and
 * 71h (data), on IRQ8.
 *
 *   00h-09h  seconds, alarm seconds, minutes, alarm minutes, hours, alarm
 *            hours, day of week (1 = Sunday), day, month, year
 *   0Ah      A: bit 7 UIP, bits 6-4 divider (010 = running), 3-0 rate select
 *   0Bh      B: SET PIE AIE UIE SQWE DM 24/12 DSE
 *   0Ch      C: IRQF PF AF UF, read-only, cleared by the read
 *   0Dh      D: bit 7 VRT (valid RAM and time), always 1
 *   0Eh-7Fh  NVRAM: the standard PC fields are filled from rtc_config
 *            (floppy and hard disk types 10h/12h/19h/1Ah with the type-47
 *            geometry at 1Bh and 24h, equipment 14h, base memory 15h-16h,
 *            extended memory 17h-18h and 30h-31h, memory above 16 MiB in
 *            64 KiB units 34h-35h, century 32h, boot order 3Dh/38h as
 *            SeaBIOS reads it, CPU count - 1 at 5Fh) and the checksum of
 *            10h-2Dh at 2Eh (high byte) and 2Fh.
 *
 * The time is a count of seconds since 1970-01-01 (a proleptic Gregorian
 * calendar; no time zone: the guest's wall clock) that advances with the
 * virtual clock; in deterministic mode it starts from a fixed date.  The
 * registers are computed from it when read, in the format register B asks
 * for (so changing DM or 24/12 converts them, as in qemu; a real chip would
 * keep the old bytes).  The update cycle is at each second boundary of the
 * divider chain; UIP is set in the 244 us before it.  The flags of register
 * C are computed when read; a timer is armed only for the next interrupt
 * an enabled source will raise (periodic, alarm, update-ended). */
#ifndef AMBER_RTC_H
#define AMBER_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "device.h"

#define RTC_PORT 0x70

/* CMOS floppy types (register 10h nibbles). */
enum {
	CMOS_FLOPPY_NONE = 0, CMOS_FLOPPY_360K = 1, CMOS_FLOPPY_1200K = 2,
	CMOS_FLOPPY_720K = 3, CMOS_FLOPPY_1440K = 4, CMOS_FLOPPY_2880K = 5,
};

/* Boot devices for CMOS 3Dh/38h, in SeaBIOS's numbering. */
enum { CMOS_BOOT_NONE = 0, CMOS_BOOT_FLOPPY = 1, CMOS_BOOT_DISK = 2, CMOS_BOOT_CDROM = 3 };

struct rtc_config {
	/* The guest's date and time at creation, in seconds since 1970-01-01,
	 * unless host_time is set: then the host's wall clock (UTC, or local
	 * time with localtime). */
	int64_t base;
	bool host_time;
	bool localtime;
	uint32_t ram_size; /* bytes */
	uint8_t floppy[2]; /* CMOS_FLOPPY_* */
	struct { uint16_t cyls; uint8_t heads, sectors; } hd[2]; /* cyls 0: no disk */
	uint8_t boot[3];   /* CMOS_BOOT_* in order */
	bool fpu;
};

struct rtc {
	struct device dev;
	struct clock *clock;
	struct irq_line *irq;
	struct timer timer;  /* the next interrupt of an enabled source */
	uint8_t cmos[128];
	uint8_t index;       /* port 70h bits 6-0 */
	bool nmi_masked;     /* port 70h bit 7 */
	/* The time is base_sec at virtual time base_ns, a second boundary of
	 * the divider chain, and counts on while the divider runs and SET is 0;
	 * otherwise it stands at base_sec. */
	int64_t base_sec;
	int64_t base_ns;
	int64_t last_sync;   /* register C holds the events up to this time */
};

extern const struct device_class rtc_class;

/* Creates the RTC and registers ports 70h-71h (if b).  cfg NULL: host time,
 * 640 KiB, nothing else.  Returns NULL on failure. */
struct rtc *rtc_create(struct bus *b, struct clock *clock, struct irq_line *irq8,
                       const struct rtc_config *cfg);
/* The RESET pin: interrupt enables and flags cleared; time and NVRAM kept. */
void rtc_reset(struct rtc *r);
void rtc_destroy(struct rtc *r);

/* Port access, as the bus does it (tests). */
uint8_t rtc_read(struct rtc *r, uint16_t port);
void rtc_write(struct rtc *r, uint16_t port, uint8_t val);
/* A register by index, as a read of port 71h would return it. */
uint8_t rtc_cmos_read(struct rtc *r, uint8_t index);
void rtc_cmos_write(struct rtc *r, uint8_t index, uint8_t val);
/* The current time in seconds since 1970 (tests, the monitor). */
int64_t rtc_time(struct rtc *r);
static inline bool rtc_nmi_masked(const struct rtc *r) { return r->nmi_masked; }

/* Parses YYYY-MM-DD[THH:MM[:SS]] into seconds since 1970-01-01.  Returns 0,
 * or -1 if it is not such a date. */
int rtc_parse_date(const char *s, int64_t *out);
/* Seconds since 1970-01-01 of a date (month 1-12, day 1-31). */
int64_t rtc_mktime(int year, int month, int day, int hour, int min, int sec);

#endif
