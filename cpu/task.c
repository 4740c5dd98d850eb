/* Hardware task switches through 286 and 386 TSSs, by JMP, CALL, INT
 * (task gates) and IRET with NT (SDM Vol 3 §7.3). */
#include "cpu-internal.h"

/* Where the state lives in each TSS format (SDM Vol 3 Figures 7-2, 7-11). */
enum {
	T32_CR3 = 0x1C, T32_EIP = 0x20, T32_EFLAGS = 0x24, T32_REGS = 0x28, T32_SEGS = 0x48,
	T32_LDT = 0x60, T32_TRAP = 0x64, T32_MIN_LIMIT = 0x67, T32_SAVE_LIMIT = 0x5F,
	T16_IP = 0x0E, T16_FLAGS = 0x10, T16_REGS = 0x12, T16_SEGS = 0x22, T16_LDT = 0x2A,
	T16_MIN_LIMIT = 0x2B, T16_SAVE_LIMIT = 0x29,
	CR0_TS = 8,
};

struct task_state {
	uint32_t eip, eflags, cr3;
	uint32_t r[8];
	uint16_t seg[6];         /* ES CS SS DS FS GS */
	uint16_t ldt;
};

static void read_state(struct cpu *c, uint32_t base, bool t32, struct task_state *s)
{
	struct mmu *m = c->mmu;
	if (t32) {
		s->cr3 = mmu_sys_read32(m, base + T32_CR3);
		s->eip = mmu_sys_read32(m, base + T32_EIP);
		s->eflags = mmu_sys_read32(m, base + T32_EFLAGS);
		for (int k = 0; k < 8; k++)
			s->r[k] = mmu_sys_read32(m, base + T32_REGS + 4 * k);
		for (int k = 0; k < 6; k++)
			s->seg[k] = mmu_sys_read16(m, base + T32_SEGS + 4 * k);
		s->ldt = mmu_sys_read16(m, base + T32_LDT);
	} else {
		s->cr3 = c->cr3;
		s->eip = mmu_sys_read16(m, base + T16_IP);
		s->eflags = mmu_sys_read16(m, base + T16_FLAGS);
		/* The upper halves of the registers read as ones after a switch
		 * to a 286 task (as Bochs models the 386's behaviour). */
		for (int k = 0; k < 8; k++)
			s->r[k] = 0xFFFF0000u | mmu_sys_read16(m, base + T16_REGS + 2 * k);
		for (int k = 0; k < 4; k++)
			s->seg[k] = mmu_sys_read16(m, base + T16_SEGS + 2 * k);
		s->seg[SEG_FS] = s->seg[SEG_GS] = 0;
		s->ldt = mmu_sys_read16(m, base + T16_LDT);
	}
}

/* Saves the outgoing task's dynamic fields (not CR3 or the LDT selector). */
static void write_state(struct cpu *c, uint32_t base, bool t32, uint32_t eip, uint32_t eflags)
{
	struct mmu *m = c->mmu;
	if (t32) {
		mmu_sys_write32(m, base + T32_EIP, eip);
		mmu_sys_write32(m, base + T32_EFLAGS, eflags);
		for (int k = 0; k < 8; k++)
			mmu_sys_write32(m, base + T32_REGS + 4 * k, c->r[k]);
		for (int k = 0; k < 6; k++)
			mmu_sys_write16(m, base + T32_SEGS + 4 * k, c->seg[k].sel);
	} else {
		mmu_sys_write16(m, base + T16_IP, eip);
		mmu_sys_write16(m, base + T16_FLAGS, eflags);
		for (int k = 0; k < 8; k++)
			mmu_sys_write16(m, base + T16_REGS + 2 * k, c->r[k]);
		for (int k = 0; k < 4; k++)
			mmu_sys_write16(m, base + T16_SEGS + 2 * k, c->seg[k].sel);
	}
}

/* The new task's LDT: null, or a present LDT descriptor in the GDT;
 * anything else is #TS(selector) (SDM Vol 3 Table 7-1). */
static void load_task_ldt(struct cpu *c, uint16_t sel)
{
	if ((sel & 0xFFFC) == 0) {
		c->ldtr = (struct segment){ .sel = sel };
		return;
	}
	uint64_t d;
	if ((sel & 4) || !desc_fetch(c, sel, &d))
		cpu_fault(c, EX_TS, sel & 0xFFFC);
	unsigned a = D_ACC(d);
	if (A_S(a) || A_TYPE(a) != DT_LDT || !A_P(a))
		cpu_fault(c, EX_TS, sel & 0xFFFC);
	c->ldtr = desc_to_cache(d, sel);
}

/* The new task's CS: a code segment whose privilege fits its RPL, the new
 * CPL (#TS), and present (#NP). */
static void load_task_cs(struct cpu *c, uint16_t sel)
{
	unsigned rpl = sel & 3;
	if ((sel & 0xFFFC) == 0)
		cpu_fault(c, EX_TS, 0);
	uint64_t d = desc_load(c, sel, EX_TS);
	unsigned a = D_ACC(d), dpl = A_DPL(a);
	if (!A_CODE(a) || (A_CONFORMING(a) ? dpl > rpl : dpl != rpl))
		cpu_fault(c, EX_TS, sel & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	cpu_load_cs(c, sel, d, rpl);
}

void task_switch(struct cpu *c, uint16_t sel, uint64_t d, enum task_reason why,
                 uint32_t ret_eip, bool has_error, uint32_t error)
{
	bool t32 = D_ACC(d) & 0x8;
	bool o32 = c->tr.attr & 0x8;
	struct segment ntss = desc_to_cache(d, sel);
	if (ntss.limit < (t32 ? T32_MIN_LIMIT : T16_MIN_LIMIT))
		cpu_fault(c, EX_TS, sel & 0xFFFC);
	if (c->tr.limit < (o32 ? T32_SAVE_LIMIT : T16_SAVE_LIMIT))
		cpu_fault(c, EX_TS, c->tr.sel & 0xFFFC);

	struct task_state ns;
	read_state(c, ntss.base, t32, &ns);

	/* Save the outgoing task; IRET leaves it with NT clear, JMP and IRET
	 * leave it not busy. */
	uint32_t eflags = cpu_get_flags(c);
	if (why == TASK_IRET)
		eflags &= ~(uint32_t)FL_NT;
	write_state(c, c->tr.base, o32, ret_eip, eflags);
	if (why == TASK_JMP || why == TASK_IRET)
		desc_set_busy(c, c->tr.sel, false);
	/* CALL and INT nest: the back link names the old task and NT is set. */
	if (why == TASK_CALL || why == TASK_INT) {
		mmu_sys_write16(c->mmu, ntss.base, c->tr.sel);
		ns.eflags |= FL_NT;
	}
	if (why != TASK_IRET)
		desc_set_busy(c, sel, true);
	c->tr = desc_to_cache(d | (2ull << 40), sel);
	c->tr.attr &= ~(uint16_t)SEGA_DENY;
	c->cr0 |= CR0_TS;
	c->dr[7] &= ~0x155u; /* the local breakpoint enables (SDM Vol 3 §17.2.4) */

	/* The commit point: from here on a fault is taken in the new task
	 * (SDM Vol 3 §7.3 step 13), so its state is set before the segment
	 * descriptors are checked. */
	cpu_set_flags(c, ns.eflags);
	for (int k = 0; k < 8; k++)
		c->r[k] = ns.r[k];
	c->eip = ns.eip;
	bool vm = c->flags & FL_VM;
	c->cpl = vm ? 3 : ns.seg[SEG_CS] & 3;
	c->ldtr = (struct segment){ .sel = ns.ldt };
	for (int k = 0; k < 6; k++)
		c->seg[k] = seg_null(ns.seg[k]);
	c->code32 = c->dmode.code32 = false;
	c->stack32 = false;
	if (vm)
		for (int k = 0; k < 6; k++)
			seg_load_real(c, k, ns.seg[k]);
	cpu_commit_state(c);
	if (t32)
		cpu_load_cr3(c, ns.cr3); /* flushes what a MOV CR3 flushes */

	/* Each descriptor that loads stays loaded if a later one faults. */
	load_task_ldt(c, ns.ldt);
	if (!vm) {
		load_task_cs(c, ns.seg[SEG_CS]);
		cpu_commit_state(c);
		seg_load_checked(c, SEG_SS, ns.seg[SEG_SS], c->cpl, EX_TS);
		cpu_commit_state(c);
		static const uint8_t data_segs[4] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
		for (int k = 0; k < 4; k++) {
			seg_load_checked(c, data_segs[k], ns.seg[data_segs[k]], c->cpl, EX_TS);
			cpu_commit_state(c);
		}
	}
	if (c->eip > c->seg[SEG_CS].limit)
		cpu_gp0(c);
	if (has_error)
		cpu_push(c, t32 ? 4 : 2, error);
	/* The debug trap flag of a 386 TSS: #DB with DR6.BT before the new
	 * task's first instruction (SDM Vol 3 §17.3.1.5). */
	if (t32 && (mmu_sys_read16(c->mmu, ntss.base + T32_TRAP) & 1)) {
		c->dr[6] |= 0x8000;
		cpu_interrupt(c, EX_DB, c->eip, false, false, 0);
	}
}
