/* machine — one PC: RAM and ROM, the port bus, the CPU and the devices,
 * and the loop that runs it. */
#ifndef AMBER_MACHINE_H
#define AMBER_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus.h"
#include "clock.h"
#include "cpu.h"
#include "device.h"
#include "mmu.h"

struct debugcon;
struct debug_exit;
struct port92;
struct gdbstub;
struct pic;
struct pit;
struct rtc;

struct machine_config {
	const struct cpu_model_info *model;
	uint32_t ram_size;
	const char *bios_path;
	bool debugcon;      /* a console on port E9h */
	FILE *debugcon_out; /* not owned; NULL discards */
	uint16_t exit_iobase, exit_iosize;
	/* Time: CLOCK_MODE_REALTIME, or CLOCK_MODE_ICOUNT (-icount: one instruction is
	 * 2^icount_shift ns of virtual time). */
	enum clock_mode clock_mode;
	unsigned icount_shift;
	/* The RTC's date: the host's (UTC, or local time), or rtc_base
	 * (seconds since 1970-01-01). */
	bool rtc_host;
	bool rtc_localtime;
	int64_t rtc_base;
};

struct machine {
	struct mmu mmu;
	struct bus bus;
	struct cpu cpu;
	uint8_t *rom; /* owned */
	uint32_t rom_size;
	struct debugcon *debugcon;
	struct debug_exit *debug_exit;
	struct port92 *port92; /* fast A20 and fast reset */
	struct gdbstub *gdb;   /* the gdb stub (not owned), NULL without -gdb */
	struct clock clock;    /* the virtual clock: every device timer */
	struct irq_line intr;  /* the PIC's INT output: the CPU's INTR */
	struct device_set devices; /* the clock and the chipset, in save order */
	struct pic *pic;
	struct pit *pit;
	struct rtc *rtc;
	struct ferr_latch *ferr; /* the x87's FERR# on IRQ13, port F0h */
};

/* Why machine_run returned. */
enum machine_stop {
	STOP_EXIT,     /* the guest wrote to isa-debug-exit: *status is its status */
	STOP_HALTED,   /* HLT that nothing can wake */
	STOP_SHUTDOWN, /* triple fault */
	STOP_KILLED,   /* the debugger killed the guest (gdb's kill) */
};

/* Builds the machine and resets it.  Returns 0, or -1 with a message of the
 * form "amber: ..." written to err. */
int machine_init(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen);
void machine_reset(struct machine *m);
enum machine_stop machine_run(struct machine *m, int *status);
void machine_destroy(struct machine *m);

/* Reads a BIOS image: at most 1 MiB; one whose size is not a multiple of
 * 64 KiB is padded below with FFh so that it still ends at the top. */
int rom_load(const char *path, uint8_t **rom, uint32_t *size, char *err, size_t errlen);

#endif
