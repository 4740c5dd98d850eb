/* cli — amber's command line, in the manner of qemu-system-i386. */
#ifndef AMBER_CLI_H
#define AMBER_CLI_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_model_info;

enum debugcon_kind {
	DEBUGCON_STDIO, /* default */
	DEBUGCON_FILE,  /* file:PATH */
	DEBUGCON_NULL,  /* the port exists, output is discarded */
	DEBUGCON_NONE,  /* no device at E9h */
};

enum cli_action {
	CLI_RUN,
	CLI_EXIT_OK, /* --help, --version, -cpu help, ... already printed */
};

struct cli_options {
	const char *bios;  /* -bios FILE (required to run) */
	uint32_t ram_size; /* -m, bytes */
	const struct cpu_model_info *model;
	enum debugcon_kind debugcon;
	const char *debugcon_path; /* DEBUGCON_FILE */
	uint16_t exit_iobase, exit_iosize;
	bool trace; /* --trace */
	bool stats; /* --stats */
	bool no_shadow; /* --no-shadow */
	const char *gdb_dev; /* -gdb DEV, or "tcp::1234" for -s; NULL: no stub */
	bool gdb_wait;       /* -S: start halted, for the debugger */
};

/* Parses argv into *o.  Returns CLI_RUN, CLI_EXIT_OK, or -1 after printing
 * one "amber: ..." line on stderr. */
int cli_parse(int argc, char **argv, struct cli_options *o);

#endif
