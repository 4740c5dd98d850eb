/* machine — one PC: RAM and ROM, the port bus, the CPU and the devices. */
#include "machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "debugport.h"
#include "gdbstub.h"
#include "pic.h"
#include "pit.h"
#include "port92.h"
#include "rtc.h"
#include "ferr.h"

#define ROM_ALIGN (64u << 10)
#define ROM_MAX (1u << 20)

/* Instructions per cpu_run call at most: in real-time mode the loop looks
 * at the clock between calls, so this bounds how late a timer fires (tens
 * of microseconds). */
#define RUN_CHUNK 4096

int rom_load(const char *path, uint8_t **rom, uint32_t *size, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "amber: -bios %s: %s", path, strerror(errno));
		return -1;
	}
	uint8_t *buf = malloc(ROM_MAX + 1);
	size_t n = buf ? fread(buf, 1, ROM_MAX + 1, f) : 0;
	int bad = !buf || ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "amber: -bios %s: cannot read it", path);
		free(buf);
		return -1;
	}
	if (n == 0 || n > ROM_MAX) {
		snprintf(err, errlen, "amber: -bios %s: %s", path,
		         n ? "larger than 1 MiB" : "empty file");
		free(buf);
		return -1;
	}
	uint32_t padded = (uint32_t)((n + ROM_ALIGN - 1) & ~(size_t)(ROM_ALIGN - 1));
	if (padded != n) {
		memmove(buf + (padded - n), buf, n);
		memset(buf, 0xFF, padded - n);
	}
	*rom = buf;
	*size = padded;
	return 0;
}

static void stop_cpu(void *opaque) { cpu_request_stop(opaque); }

static void set_intr(void *opaque, int n, bool level)
{
	(void)n;
	cpu_set_irq(opaque, level);
}

/* The clock, the PIC pair (INT to the CPU), the PIT on IRQ0 and the RTC on
 * IRQ8, in the device set in that order (the save-state order). */
static int64_t machine_time_ns(void *opaque)
{
	return clock_now(opaque);
}

static int chipset_init(struct machine *m, const struct machine_config *cfg, char *err,
                        size_t errlen)
{
	struct cpu *c = &m->cpu;
	device_set_init(&m->devices);
	clock_init(&m->clock, cfg->clock_mode, &c->icount, cfg->icount_shift);
	/* A timer armed earlier than the deadline the CPU runs to stops it. */
	clock_set_notify(&m->clock, stop_cpu, c);
	c->time_ns = machine_time_ns;
	c->time_opaque = &m->clock;
	device_set_add(&m->devices, &m->clock.dev);
	irq_line_init(&m->intr, set_intr, c, 0);
	m->pic = pic_create(&m->bus, &m->intr);
	if (!m->pic || device_set_add(&m->devices, &m->pic->dev) < 0) {
		snprintf(err, errlen, "amber: cannot create the interrupt controllers");
		return -1;
	}
	c->irq_ack = pic_ack_cb;
	c->irq_opaque = m->pic;
	m->pit = pit_create(&m->bus, &m->clock, pic_irq(m->pic, 0));
	if (!m->pit || device_set_add(&m->devices, &m->pit->dev) < 0) {
		snprintf(err, errlen, "amber: cannot create the interval timer");
		return -1;
	}
	struct rtc_config rc = {
		.base = cfg->rtc_base,
		.host_time = cfg->rtc_host,
		.localtime = cfg->rtc_localtime,
		.ram_size = cfg->ram_size,
		.fpu = (cfg->model->cpuid_features & 1) != 0,
	};
	m->rtc = rtc_create(&m->bus, &m->clock, pic_irq(m->pic, 8), &rc);
	if (!m->rtc || device_set_add(&m->devices, &m->rtc->dev) < 0) {
		snprintf(err, errlen, "amber: cannot create the real-time clock");
		return -1;
	}
	m->ferr = ferr_create(&m->bus, pic_irq(m->pic, 13));
	if (!m->ferr || device_set_add(&m->devices, &m->ferr->dev) < 0) {
		snprintf(err, errlen, "amber: cannot create the coprocessor error latch");
		return -1;
	}
	/* Port 92h joins the set so save states include it; from here on the
	 * set owns (and destroys) it. */
	if (device_set_add(&m->devices, &m->port92->dev) < 0) {
		snprintf(err, errlen, "amber: cannot register port 92h");
		return -1;
	}
	return 0;
}

int machine_init(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (rom_load(cfg->bios_path, &m->rom, &m->rom_size, err, errlen) < 0)
		return -1;
	if (mmu_init(&m->mmu, cfg->ram_size) < 0) {
		snprintf(err, errlen, "amber: cannot allocate %u MiB of RAM: %s",
		         cfg->ram_size >> 20, strerror(errno));
		free(m->rom);
		m->rom = NULL;
		return -1;
	}
	mmu_set_rom(&m->mmu, m->rom, m->rom_size);
	mmu_set_bus_width(&m->mmu, cfg->model->bus_bits);
	bus_init(&m->bus);
	if (cfg->debugcon) {
		m->debugcon = debugcon_create(&m->bus, DEBUGCON_PORT, cfg->debugcon_out);
		if (!m->debugcon) {
			snprintf(err, errlen, "amber: cannot create the debug console");
			machine_destroy(m);
			return -1;
		}
	}
	m->debug_exit = debug_exit_create(&m->bus, cfg->exit_iobase, cfg->exit_iosize);
	if (!m->debug_exit) {
		snprintf(err, errlen,
		         "amber: isa-debug-exit at %#x (%u ports): the ports are taken",
		         cfg->exit_iobase, cfg->exit_iosize);
		machine_destroy(m);
		return -1;
	}
	m->port92 = port92_create(&m->bus, &m->mmu);
	if (!m->port92) {
		snprintf(err, errlen, "amber: cannot create port 92h (fast A20, reset)");
		machine_destroy(m);
		return -1;
	}
	cpu_init(&m->cpu, cfg->model, &m->mmu, &m->bus);
	m->debug_exit->notify = stop_cpu;
	m->debug_exit->notify_opaque = &m->cpu;
	m->port92->notify = stop_cpu;
	m->port92->notify_opaque = &m->cpu;
	if (chipset_init(m, cfg, err, errlen) < 0) {
		machine_destroy(m);
		return -1;
	}
	machine_reset(m);
	return 0;
}

void machine_reset(struct machine *m)
{
	mmu_set_a20(&m->mmu, true);
	if (m->debugcon)
		debugcon_reset(m->debugcon);
	debug_exit_reset(m->debug_exit);
	if (m->port92)
		port92_reset(m->port92);
	device_set_reset(&m->devices);
	cpu_reset(&m->cpu);
}

/* Runs the timers that are due and returns how many instructions the CPU
 * may run before the next deadline: in deterministic mode exactly (the
 * deadline falls on an instruction count), in real-time mode a chunk after
 * which the loop looks at the clock again.  A timer armed meanwhile for an
 * earlier time stops the CPU (clock notify). */
static uint64_t run_budget(struct machine *m)
{
	struct clock *clk = &m->clock;
	clock_set_horizon(clk, CLOCK_NEVER);
	clock_run_timers(clk);
	int64_t deadline = clock_deadline(clk);
	uint64_t budget = RUN_CHUNK;
	if (clk->mode == CLOCK_MODE_ICOUNT && deadline != CLOCK_NEVER) {
		int64_t left = deadline - clock_now(clk);
		uint64_t n = left <= 0 ? 1 : ((uint64_t)left + (1ull << clk->shift) - 1) >> clk->shift;
		if (n < budget)
			budget = n;
	}
	clock_set_horizon(clk, deadline);
	return budget;
}

/* A halted CPU: waits for the next timer (real time: sleeps until then;
 * deterministic: the clock jumps there).  Returns false when nothing can
 * wake the CPU: IF=0 (no NMI source yet), every PIC input masked, or no
 * timer armed. */
static bool wait_halted(struct machine *m)
{
	struct cpu *c = &m->cpu;
	if (!(c->flags & FL_IF) || !pic_any_unmasked(m->pic))
		return false;
	if (c->intr)
		return true; /* cpu_run takes it */
	int64_t deadline = clock_deadline(&m->clock);
	if (deadline == CLOCK_NEVER)
		return false;
	clock_wait(&m->clock, deadline);
	return true;
}

/* Runs until the guest asks to exit, halts for good, or shuts down.  The
 * CPU runs to the next timer deadline; a HLT with IF=1 waits for it. */
enum machine_stop machine_run(struct machine *m, int *status)
{
	struct cpu *c = &m->cpu;
	for (;;) {
		uint64_t budget = run_budget(m);
		if (m->gdb) {
			/* The stub runs the CPU: breakpoints, steps, Ctrl-C.  While
			 * the debugger holds the guest, virtual time stands still
			 * (real-time mode), as in qemu. */
			bool held = gdbstub_stopped(m->gdb);
			if (held)
				clock_pause(&m->clock);
			gdbstub_run(m->gdb, budget);
			if (held)
				clock_resume(&m->clock);
			if (gdbstub_killed(m->gdb))
				return STOP_KILLED;
		} else {
			cpu_run(c, budget);
		}
		/* FERR# reaches IRQ13 only in the PC's legacy mode (CR0.NE = 0). */
		ferr_update(m->ferr, c->fpu.ferr && !(c->cr0 & 0x20));
		if (debug_exit_requested(m->debug_exit)) {
			*status = m->debug_exit->status;
			return STOP_EXIT;
		}
		/* Port 92h bit 0: a CPU reset, A20 open again; RAM and the
		 * devices keep their state, as after a PC's fast reset. */
		if (port92_reset_requested(m->port92)) {
			mmu_set_a20(&m->mmu, true);
			port92_reset(m->port92);
			cpu_reset(c);
			continue;
		}
		/* A debugger holding a halted or shut-down guest: wait for it. */
		if (m->gdb && gdbstub_stopped(m->gdb))
			continue;
		if (c->state == CPU_SHUTDOWN)
			return STOP_SHUTDOWN;
		if (c->state == CPU_HALTED && !wait_halted(m))
			return STOP_HALTED;
	}
}

void machine_destroy(struct machine *m)
{
	/* Port 92h belongs to the device set once the chipset is up. */
	bool port92_in_set = m->port92 && device_set_find(&m->devices, "port92");
	device_set_destroy(&m->devices);
	m->pic = NULL;
	m->pit = NULL;
	m->rtc = NULL;
	m->ferr = NULL;
	debug_exit_destroy(m->debug_exit);
	debugcon_destroy(m->debugcon);
	if (!port92_in_set)
		port92_destroy(m->port92);
	m->port92 = NULL;
	m->debug_exit = NULL;
	m->debugcon = NULL;
	if (m->mmu.ram)
		mmu_free(&m->mmu);
	free(m->rom);
	m->rom = NULL;
}
