/* Shared fixture of the instruction-family tests: a Pentium II in real mode
 * (machine.h's layout), code at 1000:0000, every vector trapping to a HLT. */
#ifndef AMBER_TEST_EXEC_COMMON_H
#define AMBER_TEST_EXEC_COMMON_H

#include <criterion/criterion.h>

#include "machine.h"

static struct machine m;
static struct cpu *c;

static inline void exec_setup_model(const char *model)
{
	machine_init(&m, model);
	c = &m.cpu;
}

static inline void exec_setup(void)
{
	exec_setup_model("pentium2");
}

static inline void exec_teardown(void)
{
	machine_free(&m);
}

/* Loads code at 1000:0000 and points CS:IP there. */
static inline void load(const uint8_t *b, size_t n)
{
	machine_code(&m, MACHINE_CODE_SEG, 0, b, n);
}
#define LOAD(...) load(BYTES(__VA_ARGS__))

/* Runs n instructions, one step each (a step runs a whole REP string; a
 * longer cpu_run budget counts REP iterations), and checks that n ran and
 * no interrupt was taken. */
static inline void steps(uint64_t n)
{
	uint64_t done = 0;
	for (uint64_t k = 0; k < n; k++)
		done += machine_run(&m, 1);
	cr_assert_eq(c->last_vector, -1, "unexpected vector %d", c->last_vector);
	cr_assert_eq(done, n);
}

/* Runs one instruction that must raise vector v: CS:IP is then the handler. */
static inline void step_expect_vector(int v)
{
	machine_run(&m, 1);
	cr_assert_eq(c->last_vector, v, "vector %d, want %d", c->last_vector, v);
	cr_assert_eq(c->seg[SEG_CS].sel, MACHINE_HANDLER_SEG);
	cr_assert_eq(c->eip, handler_off(v));
}

static inline uint16_t ax(void) { return c->r[R_EAX] & 0xFFFF; }
static inline uint16_t reg16(int r) { return c->r[r] & 0xFFFF; }
static inline uint32_t flags(void) { return cpu_get_flags(c); }
static inline uint32_t data_lin(uint32_t off) { return lin(MACHINE_DATA_SEG, off); }
static inline uint32_t stack_lin(uint32_t off) { return lin(MACHINE_STACK_SEG, off); }

#endif
