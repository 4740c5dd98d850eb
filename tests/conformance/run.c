/* Running one conformance test and comparing the machine with the vector
 * (the procedure of ../shared/conformance/README.md, "How to run one test"). */
#include "runner.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A 286 test is the instruction, maybe an interrupt entry, then HLT.  A REP
 * string is one step, so a few steps suffice; more is a hang. */
enum { MAX_STEPS = 200 };

static void write_hook(void *opaque, uint32_t paddr, uint8_t old, uint8_t val)
{
	struct runner *r = opaque;
	(void)val;
	if (r->nlog == r->caplog) {
		size_t cap = r->caplog ? r->caplog * 2 : 4096;
		struct wlog_entry *nl = realloc(r->log, cap * sizeof *nl);
		if (!nl) {
			r->log_oom = true;
			return;
		}
		r->log = nl;
		r->caplog = cap;
	}
	r->log[r->nlog++] = (struct wlog_entry){ paddr, old };
}

int runner_init(struct runner *r, const struct cpu_model_info *model, bool run_to_hlt)
{
	memset(r, 0, sizeof *r);
	if (mmu_init(&r->mmu, 16u << 20))
		return -1;
	/* The 8086 wraps at 1 MiB; the 286 vectors use all 24 address bits. */
	mmu_set_bus_width(&r->mmu, run_to_hlt ? 24 : 20);
	mmu_set_a20(&r->mmu, true);
	bus_init(&r->bus);  /* no devices: IN reads all ones, as the vectors expect */
	r->model = model;
	r->run_to_hlt = run_to_hlt;
	r->mmu.write_hook = write_hook;
	r->mmu.hook_opaque = r;
	return 0;
}

/* --trace: cpu/trace.c's Capstone tracer, on stdout with the results. */
int runner_set_trace(struct runner *r, bool on)
{
	if (on && !r->tracer)
		r->tracer = tracer_new(stdout);
	return on && !r->tracer ? -1 : 0;
}

void runner_free(struct runner *r)
{
	tracer_free(r->tracer);
	r->tracer = NULL;
	mmu_free(&r->mmu);
	free(r->log);
	r->log = NULL;
}

static uint16_t reg_value(struct cpu *c, int r)
{
	switch (r) {
	case V_AX: return (uint16_t)c->r[R_EAX];
	case V_BX: return (uint16_t)c->r[R_EBX];
	case V_CX: return (uint16_t)c->r[R_ECX];
	case V_DX: return (uint16_t)c->r[R_EDX];
	case V_CS: return c->seg[SEG_CS].sel;
	case V_SS: return c->seg[SEG_SS].sel;
	case V_DS: return c->seg[SEG_DS].sel;
	case V_ES: return c->seg[SEG_ES].sel;
	case V_SP: return (uint16_t)c->r[R_ESP];
	case V_BP: return (uint16_t)c->r[R_EBP];
	case V_SI: return (uint16_t)c->r[R_ESI];
	case V_DI: return (uint16_t)c->r[R_EDI];
	case V_IP: return (uint16_t)c->eip;
	default:   return (uint16_t)cpu_get_flags(c);
	}
}

static void load_state(struct runner *r, const struct vtest *t)
{
	struct cpu *c = &r->cpu;
	static const uint8_t gpr[] = {
		[V_AX] = R_EAX, [V_BX] = R_EBX, [V_CX] = R_ECX, [V_DX] = R_EDX,
		[V_SP] = R_ESP, [V_BP] = R_EBP, [V_SI] = R_ESI, [V_DI] = R_EDI,
	};
	static const int vr[] = { V_AX, V_BX, V_CX, V_DX, V_SP, V_BP, V_SI, V_DI };

	cpu_init(c, r->model, &r->mmu, &r->bus);
	for (unsigned k = 0; k < sizeof vr / sizeof vr[0]; k++)
		c->r[gpr[vr[k]]] = t->init[vr[k]];
	cpu_load_seg_real(c, SEG_ES, t->init[V_ES]);
	cpu_load_seg_real(c, SEG_CS, t->init[V_CS]);
	cpu_load_seg_real(c, SEG_SS, t->init[V_SS]);
	cpu_load_seg_real(c, SEG_DS, t->init[V_DS]);
	c->eip = t->init[V_IP];
	/* Real mode on the 286 cannot hold IOPL/NT: the vectors' initial values
	 * are random there and the final ones show them clear. */
	uint16_t fl = t->init[V_FLAGS];
	if (r->run_to_hlt)
		fl = (fl & 0x0FFF) | 0x0002;
	cpu_set_flags(c, fl);
	c->last_vector = -1;
	c->state = CPU_RUNNING;
	c->trace = r->tracer ? tracer_hook : NULL;
	c->trace_opaque = r->tracer;
	for (size_t k = 0; k < t->iram.n; k++)
		phys_write8(&r->mmu, t->iram.b[k].addr, t->iram.b[k].val);
}

/* Differences are printed under one header line, written on the first. */
struct check {
	struct runner *r;
	const struct vtest *t;
	const char *file;
	int ndiff;
};

static void diff(struct check *k, const char *fmt, ...)
{
	if (k->ndiff++ == 0 && k->r->verbose) {
		const struct vtest *t = k->t;
		printf("FAIL %s #%ld %s:", k->file, t->index, t->name ? t->name : "");
		for (unsigned i = 0; i < t->nbytes; i++)
			printf(" %02X", t->bytes[i]);
		printf("\n  initial:");
		for (int i = 0; i < V_NREGS; i++)
			printf(" %s=%04X", vreg_names[i], t->init[i]);
		printf("\n");
	}
	if (!k->r->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static void flag_names(uint16_t bits, char *out, size_t len)
{
	static const struct { uint16_t bit; const char *name; } f[] = {
		{ FL_CF, "CF" }, { FL_PF, "PF" }, { FL_AF, "AF" }, { FL_ZF, "ZF" },
		{ FL_SF, "SF" }, { FL_TF, "TF" }, { FL_IF, "IF" }, { FL_DF, "DF" },
		{ FL_OF, "OF" }, { 0x3000, "IOPL" }, { FL_NT, "NT" }, { 0x8000, "b15" },
		{ 0x0002, "b1" }, { 0x0028, "b3/b5" },
	};
	size_t n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
		if ((bits & f[i].bit) && n + 8 < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "", f[i].name);
}

/* The two bytes of the FLAGS image an interrupt pushed: compared under the
 * flags mask like the register. */
static uint8_t byte_mask(uint32_t addr, bool has_flags, uint32_t flags_addr,
                         uint32_t amask, uint16_t mask)
{
	if (!has_flags)
		return 0xFF;
	if (addr == (flags_addr & amask))
		return (uint8_t)mask;
	if (addr == ((flags_addr + 1) & amask))
		return (uint8_t)(mask >> 8);
	return 0xFF;
}

static bool in_final_ram(const struct vtest *t, uint32_t addr)
{
	for (size_t i = 0; i < t->fram.n; i++)
		if (t->fram.b[i].addr == addr)
			return true;
	return false;
}

static void compare(struct check *k, uint16_t mask, size_t log_start)
{
	struct runner *r = k->r;
	struct cpu *c = &r->cpu;
	const struct vtest *t = k->t;

	for (int i = 0; i < V_FLAGS; i++) {
		uint16_t got = reg_value(c, i);
		if (got != t->expect[i])
			diff(k, "%s: expected %04X, got %04X", vreg_names[i], t->expect[i], got);
	}
	uint16_t fl = reg_value(c, V_FLAGS);
	if ((fl & mask) != (t->expect[V_FLAGS] & mask)) {
		char names[96];
		flag_names((fl ^ t->expect[V_FLAGS]) & mask, names, sizeof names);
		diff(k, "flags: expected %04X, got %04X (mask %04X; differ: %s)",
		     t->expect[V_FLAGS], fl, mask, names);
	}

	/* Where the pushed FLAGS image is: the vector says so on the 286; on the
	 * 8086 the core says where it pushed it. */
	uint32_t amask = r->mmu.bus_mask & r->mmu.a20_mask;
	bool has_flags = false;
	uint32_t flags_addr = 0;
	if (t->has_exc) {
		/* flag_address is the even address of the bus word; with an odd SP
		 * (258 tests) the FLAGS image starts one byte above it.  The frame
		 * starts at the initial SP: 286 faults restore SP first. */
		has_flags = true;
		flags_addr = t->exc_flag_addr | (t->init[V_SP] & 1);
	} else if (!r->run_to_hlt && c->last_vector != -1) {
		has_flags = true;
		flags_addr = c->last_flags_addr;
	}

	for (size_t i = 0; i < t->fram.n; i++) {
		uint32_t a = t->fram.b[i].addr;
		uint8_t m = byte_mask(a, has_flags, flags_addr, amask, mask);
		uint8_t got = phys_read8(&r->mmu, a);
		if ((got & m) != (t->fram.b[i].val & m))
			diff(k, "mem[%06X]: expected %02X, got %02X%s", a, t->fram.b[i].val, got,
			     m != 0xFF ? " (pushed FLAGS, masked)" : "");
	}

	/* A byte the core changed that final.ram does not list: a stray write
	 * (an extra string iteration, a wrong address, a wrong-width store). */
	for (size_t i = log_start; i < r->nlog; i++) {
		uint32_t a = r->log[i].addr;
		bool first = true;
		for (size_t j = log_start; j < i && first; j++)
			first = r->log[j].addr != a;
		if (!first || in_final_ram(t, a))
			continue;
		uint8_t m = byte_mask(a, has_flags, flags_addr, amask, mask);
		uint8_t now = phys_read8(&r->mmu, a);
		if ((now & m) != (r->log[i].old & m))
			diff(k, "stray write mem[%06X]: was %02X, now %02X (not in final.ram)",
			     a, r->log[i].old, now);
	}
}

bool runner_run(struct runner *r, const struct vtest *t, uint16_t mask, const char *file)
{
	struct cpu *c = &r->cpu;
	struct check k = { r, t, file, 0 };

	r->nlog = 0;
	r->log_oom = false;
	if (r->tracer)
		printf("TEST %s #%ld %s\n", file, t->index, t->name ? t->name : "");
	load_state(r, t);
	size_t log_start = r->nlog;

	int steps = 0;
	if (r->run_to_hlt) {
		while (c->state == CPU_RUNNING && steps < MAX_STEPS) {
			cpu_step(c);
			steps++;
		}
	} else {
		cpu_step(c);
		steps = 1;
	}
	if (r->tracer)
		tracer_flush(r->tracer, c);  /* the last instruction's changes */
	fflush(stdout);

	if (r->run_to_hlt && c->state == CPU_RUNNING)
		diff(&k, "no HLT after %d steps (hang)", steps);
	if (c->state == CPU_SHUTDOWN)
		diff(&k, "shutdown (triple fault) after %d steps", steps);
	if (r->log_oom)
		diff(&k, "write log out of memory");
	compare(&k, mask, log_start);
	/* A hint only: the registers and memory decide the verdict. */
	if (k.ndiff && r->verbose && t->has_exc && c->last_vector != t->exc_num)
		printf("  note: the vector expects exception %d; the core's last was %d\n",
		       t->exc_num, c->last_vector);

	/* Undo every write, the test's setup included, newest first: memory is
	 * all zero again without clearing 16 MiB per test. */
	mmu_write_hook *hook = r->mmu.write_hook;
	r->mmu.write_hook = NULL;
	for (size_t i = r->nlog; i-- > 0;)
		phys_write8(&r->mmu, r->log[i].addr, r->log[i].old);
	r->mmu.write_hook = hook;
	r->nlog = 0;
	return k.ndiff == 0;
}
