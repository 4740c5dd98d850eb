/* Internal to the gdb stub: the session state shared by gdbstub.c (the
 * protocol, breakpoints, watchpoints) and gdb-monitor.c (qRcmd). */
#ifndef AMBER_GDBSTUB_INTERNAL_H
#define AMBER_GDBSTUB_INTERNAL_H

#include <stdio.h>

#include "gdb-packet.h"
#include "gdb-target.h"
#include "gdbstub.h"

#define GDB_MAX_BREAKPOINTS 1024 /* a power of two: open addressing */
#define GDB_MAX_WATCHPOINTS 32

enum gdb_bp_kind { BP_SW = 1, BP_HW = 2 };
enum gdb_watch_kind { WATCH_WRITE = 2, WATCH_READ = 3, WATCH_ACCESS = 4 };

struct gdb_watch {
	uint8_t kind;            /* enum gdb_watch_kind */
	uint8_t len;             /* 1, 2, 4 or 8 */
	uint32_t lin;            /* the watched linear address */
	int64_t phys[8];         /* each byte's physical address, -1 unmapped */
};

/* A growable text buffer for monitor output. */
struct gdb_text {
	char *s;
	size_t len, cap;
	bool full;               /* output was cut at GDB_TEXT_MAX */
};
#define GDB_TEXT_MAX (1u << 20)

struct gdbstub {
	struct gdbstub_target t;
	int lfd;                 /* listening socket, -1 none */
	int fd;                  /* the debugger's connection, -1 none */
	uint16_t port;
	bool attached;           /* a debugger session (fd, or the fuzzer's null one) */
	bool wait_attach;        /* -S: run nothing before the first resume */
	bool killed;
	bool noack;              /* QStartNoAckMode */
	bool sandbox;            /* the fuzzer's session: no files (monitor trace) */

	/* Run control. */
	bool running;            /* resumed: the guest may run */
	bool stepping;           /* ... one instruction */
	bool skip_armed;         /* the first breakpoint check of a resume ... */
	uint32_t skip_lin;       /* ... ignores the breakpoint at the resume address */
	uint8_t bp_hit;          /* enum gdb_bp_kind of the breakpoint that stopped the run */
	struct gdb_watch *watch_hit;
	uint32_t watch_hit_addr;
	bool halt_reported, shutdown_reported;
	char stop_reply[64];

	/* Settings (monitor). */
	bool phys;               /* memory packets use physical addresses */
	struct gdb_view view;    /* how registers look now (gdb_update_view) */
	int real;                /* monitor real: REAL_AUTO, REAL_ON, REAL_OFF */
	bool step_irq;           /* interrupts may be taken during a step */
	struct tracer *tracer;   /* monitor trace on */
	FILE *trace_file;

	/* Breakpoints: a set of linear addresses (open addressing) with a
	 * bitmap of their low 16 bits as a quick filter. */
	uint32_t bp_addr[GDB_MAX_BREAKPOINTS];
	uint8_t bp_kind[GDB_MAX_BREAKPOINTS]; /* 0: free slot; bits: enum gdb_bp_kind */
	unsigned nbp;
	uint8_t bp_filter[8192];

	struct gdb_watch watch[GDB_MAX_WATCHPOINTS];
	unsigned nwatch;
	uint32_t watch_map_gen;  /* the mmu map generation they were translated in */

	struct gdb_rx rx;
	char reply[GDB_PACKET_MAX + 1];
	char frame[GDB_PACKET_MAX + 8];
	size_t frame_len;        /* the last packet sent, for a '-' */
};

enum { REAL_AUTO, REAL_ON, REAL_OFF };

/* Recomputes g->view: with monitor real on, or auto while the CPU is in
 * real or V86 mode, pc is the linear address CS.base + EIP. */
void gdb_update_view(struct gdbstub *g);
/* The CPU is in real or V86 mode. */
bool gdb_real_segments(const struct gdbstub *g);

/* Sends one packet (data of len bytes, framed here). */
void gdb_send(struct gdbstub *g, const char *data, size_t len);
void gdb_send_str(struct gdbstub *g, const char *s);

void gdb_text_printf(struct gdb_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gdb_text_free(struct gdb_text *t);

/* gdb-monitor.c: runs one monitor command (qRcmd), output into out. */
void gdb_monitor(struct gdbstub *g, const char *cmd, struct gdb_text *out);
/* Stops the tracer, if on. */
void gdb_trace_off(struct gdbstub *g);

#endif
