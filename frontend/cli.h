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

enum rtc_base_kind {
	RTC_BASE_DEFAULT,   /* the host's UTC, or RTC_FIXED_DATE with -icount */
	RTC_BASE_UTC,       /* -rtc base=utc */
	RTC_BASE_LOCALTIME, /* -rtc base=localtime */
	RTC_BASE_DATE,      /* -rtc base=YYYY-MM-DDTHH:MM:SS */
};

/* 2000-01-01T00:00:00, the date of deterministic runs. */
#define RTC_FIXED_DATE 946684800

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
	bool icount;           /* -icount: deterministic virtual time */
	unsigned icount_shift; /* one instruction = 2^shift ns */
	enum rtc_base_kind rtc_base;
	int64_t rtc_date;      /* RTC_BASE_DATE: seconds since 1970 */
	const char *gdb_dev; /* -gdb DEV, or "tcp::1234" for -s; NULL: no stub */
	bool gdb_wait;       /* -S: start halted, for the debugger */
};

/* Parses argv into *o.  Returns CLI_RUN, CLI_EXIT_OK, or -1 after printing
 * one "amber: ..." line on stderr. */
int cli_parse(int argc, char **argv, struct cli_options *o);

#endif
