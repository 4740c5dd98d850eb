/* runner — one CPU, one memory and one bus, and the code that runs a single
 * conformance test on them and compares the result. */
#ifndef AMBER_CONF_RUNNER_H
#define AMBER_CONF_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bus.h"
#include "cpu.h"
#include "mmu.h"
#include "vectors.h"

/* A guest write seen by the MMU hook: enough to undo it and to find writes
 * the test does not expect. */
struct wlog_entry {
	uint32_t addr;
	uint8_t old;
};

struct runner {
	struct cpu cpu;
	struct mmu mmu;
	struct bus bus;
	const struct cpu_model_info *model;
	bool run_to_hlt;         /* 80286 set: step until HLT; else one step */
	bool verbose;
	struct tracer *tracer;   /* --trace, or NULL */
	struct wlog_entry *log;
	size_t nlog, caplog;
	bool log_oom;
};

/* 16 MiB of RAM; 20 address bits for the 8086 set, 24 (A20 open) for the
 * 80286 set.  Returns 0, or -1 when the host has no memory for it. */
int runner_init(struct runner *r, const struct cpu_model_info *model, bool run_to_hlt);
void runner_free(struct runner *r);
/* Turns the instruction tracer on (output on stdout); -1 if it cannot. */
int runner_set_trace(struct runner *r, bool on);

/* Runs one test, undoes its memory writes, and returns whether it passed.
 * mask is the metadata's flags mask for the test's opcode.  With r->verbose
 * a failing test is printed with every difference. */
bool runner_run(struct runner *r, const struct vtest *t, uint16_t mask, const char *file);

#endif
