/* amber — the program: parse the command line, build the machine, run it,
 * and turn the way it stopped into an exit status:
 *   (V << 1) | 1  the guest wrote V to isa-debug-exit (as qemu)
 *   0             the guest halted for good (HLT nothing can wake)
 *   2             triple fault (amber stops; it does not reboot)
 *   1             amber's own errors, before anything runs */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "debugport.h"
#include "gdbstub.h"
#include "machine.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void reset_machine(void *opaque)
{
	machine_reset(opaque);
}

/* -gdb/-s: the stub listens before the guest runs its first instruction. */
static struct gdbstub *start_gdbstub(struct machine *m, const struct cli_options *o)
{
	char host[256], err[512];
	uint16_t port;
	if (gdbstub_parse_dev(o->gdb_dev, host, sizeof host, &port, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	struct gdbstub_target t = { .cpu = &m->cpu, .mmu = &m->mmu, .reset = reset_machine,
	                            .opaque = m };
	struct gdbstub *g = gdbstub_new(&t);
	if (!g) {
		fprintf(stderr, "amber: -gdb: out of memory\n");
		return NULL;
	}
	if (gdbstub_listen(g, host, port, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		gdbstub_free(g);
		return NULL;
	}
	fprintf(stderr, "amber: gdb stub listening on %s:%u%s\n", host, gdbstub_port(g),
	        o->gdb_wait ? " (-S: waiting for gdb)" : "");
	if (o->gdb_wait)
		gdbstub_start_halted(g);
	return g;
}

int main(int argc, char **argv)
{
	struct cli_options o;
	int r = cli_parse(argc, argv, &o);
	if (r != CLI_RUN)
		return r == CLI_EXIT_OK ? 0 : 1;
	/* Guest console lines appear as they are written, even into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct machine_config cfg = {
		.model = o.model,
		.ram_size = o.ram_size,
		.bios_path = o.bios,
		.debugcon = o.debugcon != DEBUGCON_NONE,
		.debugcon_out = o.debugcon == DEBUGCON_STDIO ? stdout : NULL,
		.exit_iobase = o.exit_iobase,
		.exit_iosize = o.exit_iosize,
		.clock_mode = o.icount ? CLOCK_MODE_ICOUNT : CLOCK_MODE_REALTIME,
		.icount_shift = o.icount_shift,
		/* Deterministic runs start from a fixed date unless told. */
		.rtc_host = o.rtc_base == RTC_BASE_UTC || o.rtc_base == RTC_BASE_LOCALTIME ||
		            (o.rtc_base == RTC_BASE_DEFAULT && !o.icount),
		.rtc_localtime = o.rtc_base == RTC_BASE_LOCALTIME,
		.rtc_base = o.rtc_base == RTC_BASE_DATE ? o.rtc_date : RTC_FIXED_DATE,
	};
	static struct machine m;
	char err[512];
	if (machine_init(&m, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (o.no_shadow)
		mmu_set_shadow(&m.mmu, false);
	/* The file is created only once everything else is known to be good. */
	FILE *con = cfg.debugcon_out;
	if (o.debugcon == DEBUGCON_FILE) {
		con = fopen(o.debugcon_path, "wb");
		if (!con) {
			fprintf(stderr, "amber: -debugcon file:%s: %s\n", o.debugcon_path,
			        strerror(errno));
			machine_destroy(&m);
			return 1;
		}
		m.debugcon->out = con;
	}
	struct tracer *tracer = NULL;
	if (o.trace) {
		tracer = tracer_new(stderr);
		if (!tracer) {
			fprintf(stderr, "amber: --trace: out of memory\n");
			machine_destroy(&m);
			return 1;
		}
		m.cpu.trace = tracer_hook;
		m.cpu.trace_opaque = tracer;
	}

	struct gdbstub *gdb = NULL;
	if (o.gdb_dev) {
		gdb = start_gdbstub(&m, &o);
		if (!gdb) {
			machine_destroy(&m);
			return 1;
		}
		m.gdb = gdb;
	}

	double t0 = now();
	int status = 0;
	enum machine_stop why = machine_run(&m, &status);
	double secs = now() - t0;
	if (con)
		fflush(con);

	struct cpu *c = &m.cpu;
	if (tracer) {
		tracer_flush(tracer, c);
		tracer_free(tracer);
		c->trace = NULL;
	}
	switch (why) {
	case STOP_EXIT: break;
	case STOP_HALTED:
		if (cpu_get_flags(c) & FL_IF)
			fprintf(stderr, "amber: guest halted waiting for an interrupt "
			                "that no device can raise\n");
		else
			fprintf(stderr, "amber: guest halted with interrupts disabled\n");
		status = 0;
		break;
	case STOP_SHUTDOWN:
		fprintf(stderr, "amber: guest triple fault (CPU shutdown) at %04X:%08X\n",
		        c->seg[SEG_CS].sel, c->insn_eip);
		status = 2;
		break;
	case STOP_KILLED:
		fprintf(stderr, "amber: killed by the debugger\n");
		status = 0;
		break;
	}
	if (gdb) {
		gdbstub_finish(gdb, status);
		gdbstub_free(gdb);
		m.gdb = NULL;
	}
	if (o.stats) {
		const struct mmu_stats *ms = &m.mmu.stats;
		fprintf(stderr, "amber: mmu: %llu TLB fills, %llu page walks, %llu shadow hits, %llu CR3 loads\n",
		        (unsigned long long)ms->tlb_fills, (unsigned long long)ms->walks,
		        (unsigned long long)ms->shadow_hits, (unsigned long long)ms->cr3_loads);
		double mips = secs > 0 ? (double)c->icount / secs / 1e6 : 0;
		fprintf(stderr, "amber: %llu instructions in %.3f s (%.1f MIPS)\n",
		        (unsigned long long)c->icount, secs, mips);
	}
	machine_destroy(&m);
	if (con && con != stdout)
		fclose(con);
	return status;
}
