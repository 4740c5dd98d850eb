/* machine — one PC: RAM and ROM, the port bus, the CPU and the devices. */
#include "machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "debugport.h"
#include "gdbstub.h"
#include "port92.h"

#define ROM_ALIGN (64u << 10)
#define ROM_MAX (1u << 20)

/* Instructions per cpu_run call: the loop polls the exit device between
 * calls, so this bounds how far a guest runs past its exit request. */
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
	cpu_reset(&m->cpu);
}

/* Runs until the guest asks to exit, halts for good, or shuts down.
 * There is no interrupt source yet, so a HLT always halts for good; once the
 * PIC and the timers come, a HLT with IF=1 waits for the next deadline. */
enum machine_stop machine_run(struct machine *m, int *status)
{
	struct cpu *c = &m->cpu;
	for (;;) {
		if (m->gdb) {
			/* The stub runs the CPU: breakpoints, steps, Ctrl-C. */
			gdbstub_run(m->gdb, RUN_CHUNK);
			if (gdbstub_killed(m->gdb))
				return STOP_KILLED;
		} else {
			cpu_run(c, RUN_CHUNK);
		}
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
		if (c->state == CPU_HALTED && !c->intr)
			return STOP_HALTED;
	}
}

void machine_destroy(struct machine *m)
{
	debug_exit_destroy(m->debug_exit);
	debugcon_destroy(m->debugcon);
	port92_destroy(m->port92);
	m->port92 = NULL;
	m->debug_exit = NULL;
	m->debugcon = NULL;
	if (m->mmu.ram)
		mmu_free(&m->mmu);
	free(m->rom);
	m->rom = NULL;
}
