/* gdbstub — gdb's remote serial protocol over TCP, so a real gdb can
 * debug the guest at the instruction level (-s, -gdb tcp::PORT, -S).
 * Usage and the gdb incantations: frontend/gdbstub.md.
 *
 * The machine loop calls gdbstub_run instead of cpu_run: it serves the
 * debugger while the guest is stopped (blocking), single-steps, runs with
 * breakpoints and watchpoints armed, and polls for Ctrl-C between chunks.
 * Nothing here touches the CPU's internals: breakpoints reach the CPU
 * through c->break_at, watchpoints through the mmu's read and write hooks,
 * memory through mmu_debug_read/write. */
#ifndef AMBER_GDBSTUB_H
#define AMBER_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;
struct mmu;
struct gdbstub;

struct gdbstub_target {
	struct cpu *cpu;
	struct mmu *mmu;
	/* monitor reset: resets the machine (NULL: the CPU only). */
	void (*reset)(void *opaque);
	void *opaque;
};

/* Parses qemu's -gdb device: "tcp::PORT" or "tcp:ADDR:PORT" (ADDR empty:
 * 127.0.0.1).  Returns 0, or -1 with a message "amber: ..." in err. */
int gdbstub_parse_dev(const char *dev, char *host, size_t hostlen, uint16_t *port, char *err,
                      size_t errlen);

/* A stub for the target; NULL when out of memory. */
struct gdbstub *gdbstub_new(const struct gdbstub_target *t);
void gdbstub_free(struct gdbstub *g);
/* Listens on host:port (port 0: any free port, see gdbstub_port).
 * Returns 0, or -1 with a message in err. */
int gdbstub_listen(struct gdbstub *g, const char *host, uint16_t port, char *err, size_t errlen);
uint16_t gdbstub_port(const struct gdbstub *g);
/* -S: the guest runs nothing until a debugger attached and resumed it. */
void gdbstub_start_halted(struct gdbstub *g);

/* Runs at most max instructions under the debugger's control (fewer when
 * a breakpoint, a watchpoint, a step or Ctrl-C stops the guest).  Blocks
 * while the debugger holds the guest stopped.  Returns the number run. */
uint64_t gdbstub_run(struct gdbstub *g, uint64_t max);
/* The debugger holds the guest stopped (the machine must not end now). */
bool gdbstub_stopped(const struct gdbstub *g);
/* The debugger asked amber to exit (k, vKill). */
bool gdbstub_killed(const struct gdbstub *g);
/* The machine ended with an exit status: gdb hears "W", the connection closes. */
void gdbstub_finish(struct gdbstub *g, int status);

/* For the fuzzer: a session without a socket (replies are discarded),
 * fed with bytes as if gdb had sent them.  gdbstub_run_chunk runs the
 * guest once without blocking when a packet resumed it. */
void gdbstub_attach_null(struct gdbstub *g);
void gdbstub_feed(struct gdbstub *g, const uint8_t *buf, size_t len);
uint64_t gdbstub_run_chunk(struct gdbstub *g, uint64_t max);

#endif
