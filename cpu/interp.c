/* The reference interpreter: fetch, decode, execute, and the one path by
 * which faults leave an instruction. */
#include "cpu-internal.h"

#include <string.h>

/* The 8086 knows no instruction length limit; amber stops reading prefixes
 * after this many bytes. */
#define INSN_BUF_MAX 32

static void icache_page_written(void *opaque, uint32_t paddr);

/* The mmu's page-fault hook: CR2 gets the linear address (SDM Vol 3 §4.7). */
static NORETURN void page_fault(void *opaque, uint32_t la, uint32_t error)
{
	struct cpu *c = opaque;
	c->cr2 = la;
	cpu_fault(c, EX_PF, error);
}

void cpu_init(struct cpu *c, const struct cpu_model_info *model,
              struct mmu *mmu, struct bus *bus)
{
	memset(c, 0, sizeof *c);
	c->model = model;
	c->mmu = mmu;
	c->bus = bus;
	mmu->code_write = icache_page_written;
	mmu->code_opaque = c;
	mmu->cpl = &c->cpl;
	mmu->page_fault = page_fault;
	mmu->fault_opaque = c;
	mmu_set_bus_width(mmu, model->bus_bits);
	cpu_reset(c);
}

static void seg_set_real(struct segment *s, uint16_t sel)
{
	s->sel = sel;
	s->base = (uint32_t)sel << 4;
}

void cpu_load_seg_real(struct cpu *c, int seg, uint16_t sel)
{
	seg_set_real(&c->seg[seg], sel);
}

/* SDM Vol 3 §9.1.1, Table 9-1: the processor state after reset. */
void cpu_reset(struct cpu *c)
{
	memset(c->r, 0, sizeof c->r);
	if (c->model->gen >= GEN_386)
		c->r[R_EDX] = c->model->cpuid_family ? c->model->cpuid_family << 8 |
		              c->model->cpuid_model << 4 | c->model->cpuid_stepping : 0x0303;
	c->lf.op = LF_NONE;
	c->flags = c->model->flags_fixed1;
	for (int s = 0; s < 6; s++) {
		c->seg[s] = (struct segment){ .base = 0, .limit = 0xFFFF, .sel = 0, .attr = 0x93 };
	}
	c->seg[SEG_CS].attr = 0x9B;
	c->seg[SEG_CS].sel = 0xF000;
	/* The CS base points at the top of the address space until the first
	 * far jump, so the first fetch reads the BIOS ROM's last 16 bytes. */
	c->seg[SEG_CS].base = c->model->gen >= GEN_386 ? 0xFFFF0000u :
	                      c->model->gen == GEN_286 ? 0xFF0000u : 0xF0000u;
	c->eip = 0xFFF0;
	c->cpl = 0;
	c->pmode = c->code32 = c->stack32 = false;
	c->cr0 = c->model->gen >= GEN_486 ? 0x60000010 : c->model->gen == GEN_386 ? 0x10 :
	         c->model->gen == GEN_286 ? 0xFFF0 : 0;
	c->cr2 = c->cr3 = c->cr4 = 0;
	cpu_set_paging(c, c->cr0, 0, 0); /* reset turns paging off (SDM Vol 3 Table 9-1) */
	c->gdtr.base = c->idtr.base = 0;
	c->gdtr.limit = c->idtr.limit = 0xFFFF;
	c->ldtr = (struct segment){ .limit = 0xFFFF, .attr = 0x82 };
	c->tr = (struct segment){ .limit = 0xFFFF, .attr = 0x8B };
	memset(c->dr, 0, sizeof c->dr);
	c->dr[6] = 0xFFFF0FF0;
	c->dr[7] = 0x400;
	c->tsc = 0;
	x87_reset(&c->fpu);
	c->state = CPU_RUNNING;
	c->pending = 0;
	c->inhibit_irq = false;
	c->fault_depth = 0;
	c->last_vector = -1;
	cpu_flush_decoded(c);
	c->dmode = (struct decode_mode){ .code32 = false, .gen = c->model->gen,
	                                 .max_len = c->model->max_insn_len };
}

void cpu_set_irq(struct cpu *c, bool level)
{
	c->intr = level;
}

static void snapshot_save(struct cpu *c)
{
	struct cpu_snapshot *s = &c->snap;
	memcpy(s->r, c->r, sizeof s->r);
	s->eip = c->eip;
	s->flags = c->flags;
	s->lf = c->lf;
	memcpy(s->seg, c->seg, sizeof s->seg);
	s->cpl = c->cpl;
	s->pmode = c->pmode;
	s->code32 = c->code32;
	s->stack32 = c->stack32;
}

static void snapshot_restore(struct cpu *c)
{
	const struct cpu_snapshot *s = &c->snap;
	memcpy(c->r, s->r, sizeof s->r);
	c->eip = s->eip;
	c->flags = s->flags;
	c->lf = s->lf;
	memcpy(c->seg, s->seg, sizeof s->seg);
	c->cpl = s->cpl;
	c->pmode = s->pmode;
	c->code32 = s->code32;
	c->stack32 = s->stack32;
	c->dmode.code32 = s->code32;
}

void cpu_commit_state(struct cpu *c)
{
	snapshot_save(c);
	c->insn_eip = c->eip;
	c->next_eip = c->eip;
	c->keep_progress = false;
}

void cpu_fault(struct cpu *c, int vector, uint32_t error)
{
	c->fault_vector = vector;
	c->fault_error = error;
	c->fault_has_error = true;
	longjmp(*c->fault_jmp, 1);
}

void cpu_fault_noerr(struct cpu *c, int vector)
{
	c->fault_vector = vector;
	c->fault_error = 0;
	c->fault_has_error = false;
	longjmp(*c->fault_jmp, 1);
}

/* Exceptions that push an error code in protected mode (SDM Vol 3 §6.13). */
static bool vector_has_error(int v)
{
	return v == EX_DF || v == EX_TS || v == EX_NP || v == EX_SS || v == EX_GP ||
	       v == EX_PF || v == EX_AC;
}

/* Contributory exceptions for the double-fault rule (SDM Vol 3 Table 6-5). */
static bool contributory(int v)
{
	return v == EX_DE || v == EX_TS || v == EX_NP || v == EX_SS || v == EX_GP;
}

/* Faults whose error code is a selector error code (SDM Vol 3 §6.13). */
static bool selector_error(int v)
{
	return v == EX_TS || v == EX_NP || v == EX_SS || v == EX_GP;
}

/* The fault path: the state returns to the start of the instruction (or of
 * the current REP iteration), then the exception is delivered.  A fault
 * while delivering an exception follows SDM Vol 3 Table 6-5: contributory
 * after contributory, or contributory or #PF after #PF, becomes #DF; a
 * benign pair is delivered serially; a contributory fault or #PF while
 * delivering #DF shuts the CPU down (triple fault).  While an external
 * event (an exception or an IRQ) is being delivered, selector error codes
 * get EXT set. */
static void handle_fault(struct cpu *c)
{
	int v = c->fault_vector;
	if (c->event_ext && c->fault_has_error && selector_error(v))
		c->fault_error |= 1;
	c->event_ext = false;
	if (c->keep_progress)
		c->eip = c->insn_eip;
	else
		snapshot_restore(c);
	c->keep_progress = false;
	uint32_t ret = model_fault_restarts(c) ? c->insn_eip : c->next_eip;
	if (c->fault_depth > 0) {
		int first = c->fault_depth_vector;
		bool serious = contributory(v) || v == EX_PF;
		if ((first == EX_DF && (serious || !c->pmode)) || c->fault_depth > 4) {
			c->state = CPU_SHUTDOWN;
			c->fault_depth = 0;
			return;
		}
		if (model_has_32bit(c) || c->model->gen == GEN_286) {
			bool df = (contributory(first) && contributory(v)) ||
			          (first == EX_PF && serious);
			if (df || !c->pmode) {
				v = EX_DF;
				c->fault_error = 0;
				c->fault_has_error = true;
			}
		}
	}
	c->fault_depth++;
	c->fault_depth_vector = v;
	bool err = c->pmode && vector_has_error(v);
	cpu_interrupt(c, v, ret, false, err, c->fault_error);
	c->fault_depth = 0;
}

void cpu_flush_decoded(struct cpu *c)
{
	for (int k = 0; k < ICACHE_ENTRIES; k++)
		c->icache[k].valid = false;
}

/* The mmu's code-write hook: drop the entries read from that page. */
static void icache_page_written(void *opaque, uint32_t paddr)
{
	struct cpu *c = opaque;
	uint32_t page = paddr >> 12;
	for (int k = 0; k < ICACHE_ENTRIES; k++) {
		struct icache_entry *e = &c->icache[k];
		if (e->valid && (e->phys_first >> 12 == page || e->phys_last >> 12 == page))
			e->valid = false;
	}
	mmu_unmark_code(c->mmu, paddr);
}

static inline struct icache_entry *icache_slot(struct cpu *c, uint32_t lin)
{
	return &c->icache[(lin ^ (lin >> 11)) & (ICACHE_ENTRIES - 1)];
}

/* Reads the instruction at CS:EIP into buf, one byte at a time as the
 * decoder asks, so a fetch fault happens only for bytes the instruction
 * really has. */
/* The class of an 8086 prefix byte: a later byte of the same class
 * overrides an earlier one (LOCK just repeats). */
static int prefix_class_8086(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2E: case 0x36: case 0x3E: return 0;
	case 0xF0: case 0xF1: return 1;
	default: return 2; /* F2 F3 */
	}
}

/* The 8086 has no length limit: when the buffer fills with prefixes, drop
 * one that a later prefix of its class overrides (there always is one in a
 * buffer this long) and remember it for the length. */
static void drop_redundant_prefix(uint8_t *buf, unsigned *avail)
{
	for (unsigned k = 0; k < *avail; k++)
		for (unsigned j = k + 1; j < *avail; j++)
			if (prefix_class_8086(buf[k]) == prefix_class_8086(buf[j])) {
				memmove(buf + k, buf + k + 1, *avail - k - 1);
				(*avail)--;
				return;
			}
}

static void fetch_decode(struct cpu *c, struct insn *i)
{
	uint8_t buf[INSN_BUF_MAX];
	unsigned avail = 0, dropped = 0;
	uint32_t ipmask = c->code32 ? 0xFFFFFFFFu : 0xFFFFu;
	uint32_t lin = c->seg[SEG_CS].base + c->eip;
	/* Fast path: 16 bytes inside the segment and the page are read at
	 * once; near a limit or page end, bytes come one at a time so only
	 * bytes the instruction really has can fault. */
	if ((lin & 0xFFF) <= 0x1000 - 16 && c->eip <= ipmask - 15 &&
	    (!model_checks_limits(c) || c->eip + 15 <= c->seg[SEG_CS].limit)) {
		for (; avail < 16; avail++)
			buf[avail] = mmu_fetch8(c->mmu, lin + avail);
	}
	for (;;) {
		enum decode_status st = decode_insn(buf, avail, &c->dmode, i);
		if (st == DECODE_OK) {
			i->len += dropped;
			i->nprefix += dropped;
			return;
		}
		if (st == DECODE_MORE && avail == INSN_BUF_MAX && model_is_8086(c)) {
			drop_redundant_prefix(buf, &avail);
			dropped++;
		}
		/* Longer than the model's limit: #GP(0) (SDM Vol 2 §2.3.11;
		 * the 80286 too, as its vectors show for 11-byte forms). */
		if (st == DECODE_TOO_LONG || avail == INSN_BUF_MAX)
			cpu_fault(c, EX_GP, 0);
		uint32_t off = c->eip + avail + dropped;
		buf[avail++] = model_checks_limits(c) && c->code32 == false && off > 0xFFFF
		               ? (uint8_t)fetch_code(c, off, 1)  /* past the limit: faults */
		               : (uint8_t)fetch_code(c, off & ipmask, 1);
	}
}

/* Is the entry's translation still what the mmu gives for a fetch now?
 * Checked once per mmu map generation and privilege. */
static bool icache_mapping_ok(struct cpu *c, struct icache_entry *e, uint32_t lin)
{
	bool user = c->cpl == 3;
	if (e->map_gen == c->mmu->map_gen && e->user == user)
		return true;
	if (mmu_translate_exec(c->mmu, lin) != e->phys_first)
		return false;
	if (e->phys_last >> 12 != e->phys_first >> 12 &&
	    mmu_translate_exec(c->mmu, lin + e->insn.len - 1) != e->phys_last)
		return false;
	e->map_gen = c->mmu->map_gen;
	e->user = user;
	return true;
}

/* Keeps a decoded instruction unless it wraps around the 64 KiB IP space
 * (its bytes are not contiguous then). */
static void icache_fill(struct cpu *c, struct icache_entry *e, uint32_t lin,
                        const struct insn *i)
{
	if (!c->code32 && c->eip + i->len > 0x10000)
		return;
	e->valid = true;
	e->lin = lin;
	e->code32 = c->code32;
	e->phys_first = mmu_translate_exec(c->mmu, lin);
	e->phys_last = mmu_translate_exec(c->mmu, lin + i->len - 1);
	e->map_gen = c->mmu->map_gen;
	e->user = c->cpl == 3;
	e->insn = *i;
	mmu_mark_code(c->mmu, e->phys_first);
	mmu_mark_code(c->mmu, e->phys_last);
}

static void deliver_irq(struct cpu *c)
{
	int vector = c->irq_ack ? c->irq_ack(c->irq_opaque) : -1;
	c->state = CPU_RUNNING;
	if (vector < 0)
		return;
	/* A fault while delivering it returns to, and restarts, the
	 * interrupted instruction. */
	cpu_commit_state(c);
	cpu_interrupt(c, vector, c->eip, false, false, 0);
}

/* One instruction.  Called with c->fault_jmp set. */
static void step_one(struct cpu *c)
{
	struct insn insn;
	bool tf = c->flags & FL_TF;

	snapshot_save(c);
	c->insn_eip = c->eip;
	c->ea_valid = false;
	c->keep_progress = false;
	uint32_t lin = c->seg[SEG_CS].base + c->eip;
	struct icache_entry *e = icache_slot(c, lin);
	/* A hit must still be the same physical bytes: the page may be mapped
	 * elsewhere now, or not at all (then the translation faults). */
	if (e->valid && e->lin == lin && e->code32 == c->code32 &&
	    (!model_checks_limits(c) || c->eip + e->insn.len - 1 <= c->seg[SEG_CS].limit) &&
	    icache_mapping_ok(c, e, lin)) {
		insn = e->insn;
	} else {
		fetch_decode(c, &insn);
		icache_fill(c, e, lin, &insn);
	}
	c->cur = &insn;
	c->next_eip = c->eip + insn.len;
	if (!c->code32)
		c->next_eip &= 0xFFFF;
	c->eip = c->next_eip;
	c->inhibit_irq = false;
	if (c->trace)
		c->trace(c->trace_opaque, c, &insn, c->seg[SEG_CS].base, c->insn_eip);
	/* Privileged instructions outside ring 0 (V86 runs at CPL 3): #GP(0)
	 * (SDM Vol 3 §5.9), before any operand is touched. */
	if ((insn.def->flags & F_PRIV) && c->cpl != 0) {
		if ((c->flags & FL_VM) && insn.op == 0x100)
			cpu_ud(c); /* LLDT/LTR do not exist in V86 mode (SDM Vol 2) */
		cpu_gp0(c);
	}
	insn.def->exec(c, &insn);
	c->icount++;
	/* Single-step trap after the instruction (SDM Vol 3 §17.3.1.4), held
	 * off for one instruction by MOV SS and POP SS (§6.8.3). */
	bool held = c->inhibit_debug;
	c->inhibit_debug = false;
	if (tf && c->state == CPU_RUNNING && !held) {
		c->dr[6] |= 0x4000;
		/* The instruction is done: a fault delivering the trap must not
		 * undo it. */
		cpu_commit_state(c);
		cpu_interrupt(c, EX_DB, c->eip, false, false, 0);
	}
}

uint64_t cpu_run(struct cpu *c, uint64_t max)
{
	jmp_buf jb;
	jmp_buf *outer = c->fault_jmp;
	volatile uint64_t n = 0;

	/* The budget is in retired instructions, REP iterations included, so
	 * a long REP string stops (restartably) when it is used up; a single
	 * step (max 1) runs a whole REP string, up to the burst limit. */
	c->run_end = max > 1 ? c->icount + max : UINT64_MAX;
	c->fault_jmp = &jb;
	if (setjmp(jb)) {
		handle_fault(c);
		n++;
	}
	while (n < max && (n == 0 || c->icount < c->run_end)) {
		if (c->state == CPU_SHUTDOWN)
			break;
		if (c->pending & CPU_PENDING_STOP) {
			c->pending &= ~(uint32_t)CPU_PENDING_STOP;
			break;
		}
		if (c->intr && (c->flags & FL_IF) && !c->inhibit_irq) {
			deliver_irq(c);
			continue;
		}
		if (c->state == CPU_HALTED)
			break;
		/* A debugger breakpoint (see struct cpu): stop before it. */
		if (c->break_at && c->break_at(c->break_opaque, c->seg[SEG_CS].base + c->eip))
			break;
		step_one(c);
		n++;
	}
	c->fault_jmp = outer;
	return n;
}

enum cpu_state cpu_step(struct cpu *c)
{
	cpu_run(c, 1);
	return c->state;
}

void cpu_dump(struct cpu *c, FILE *f)
{
	static const char *names[8] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };
	for (int r = 0; r < 8; r++)
		fprintf(f, "%s=%08x ", names[r], c->r[r]);
	fprintf(f, "EIP=%08x EFL=%08x\n", c->eip, cpu_get_flags(c));
	static const char *sn[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
	for (int s = 0; s < 6; s++)
		fprintf(f, "%s=%04x[%08x %08x %04x] ", sn[s], c->seg[s].sel, c->seg[s].base,
		        c->seg[s].limit, c->seg[s].attr);
	fprintf(f, "CR0=%08x CPL=%d\n", c->cr0, c->cpl);
}
