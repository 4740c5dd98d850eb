/* Interrupt and exception delivery: through the IVT in real mode, through
 * IDT gates in protected and V86 mode (SDM Vol 3 §6.12), V86 software
 * interrupts with VME (SDM Vol 3 §20.3). */
#include "cpu-internal.h"

static unsigned iopl(const struct cpu *c)
{
	return (c->flags >> 12) & 3;
}

static void deliver_real(struct cpu *c, int vector, uint32_t return_eip)
{
	uint32_t off = (uint32_t)vector * 4;
	if (model_checks_limits(c) && off + 3 > c->idtr.limit)
		cpu_fault(c, EX_GP, off + 2);
	uint16_t ip = mmu_sys_read16(c->mmu, c->idtr.base + off);
	uint16_t cs = mmu_sys_read16(c->mmu, c->idtr.base + off + 2);
	uint32_t flags = cpu_get_flags(c);
	cpu_push(c, 2, flags);
	c->last_flags_addr = c->seg[SEG_SS].base + (c->r[R_ESP] & stack_mask(c));
	cpu_push(c, 2, c->seg[SEG_CS].sel);
	cpu_push(c, 2, return_eip);
	c->flags &= ~(uint32_t)(FL_IF | FL_TF | FL_AC);
	cpu_jump_far(c, cs, ip);
}

/* A task gate names an available TSS in the GDT (SDM Vol 2 INT, TASK-GATE). */
static void via_task_gate(struct cpu *c, uint64_t g, uint32_t return_eip, bool has_error,
                          uint32_t error)
{
	uint16_t tss = (g >> 16) & 0xFFFF;
	uint64_t d;
	if ((tss & 4) || !desc_fetch(c, tss, &d))
		cpu_fault(c, EX_GP, tss & 0xFFFC);
	unsigned a = D_ACC(d);
	if (A_S(a) || (A_TYPE(a) != DT_TSS16 && A_TYPE(a) != DT_TSS32) ||
	    !sys_type_exists(c, A_TYPE(a)))
		cpu_fault(c, EX_GP, tss & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, tss & 0xFFFC);
	task_switch(c, tss, d, TASK_INT, return_eip, has_error, error);
}

/* Error codes raised here leave out EXT: the fault path adds it while an
 * external event is being delivered (c->event_ext). */
static void deliver_protected(struct cpu *c, int vector, uint32_t return_eip, bool soft,
                              bool has_error, uint32_t error)
{
	uint32_t gerr = (uint32_t)vector * 8 + 2; /* IDT bit */
	if ((uint32_t)vector * 8 + 7 > c->idtr.limit)
		cpu_fault(c, EX_GP, gerr);
	uint32_t ga = c->idtr.base + (uint32_t)vector * 8;
	uint64_t g = mmu_sys_read32(c->mmu, ga) | (uint64_t)mmu_sys_read32(c->mmu, ga + 4) << 32;
	unsigned gacc = D_ACC(g), type = A_TYPE(gacc);
	if (A_S(gacc) || (type != DT_TASK && type != DT_INT16 && type != DT_TRAP16 &&
	                  type != DT_INT32 && type != DT_TRAP32) || !sys_type_exists(c, type))
		cpu_fault(c, EX_GP, gerr);
	if (soft && A_DPL(gacc) < c->cpl)
		cpu_fault(c, EX_GP, gerr);
	if (!A_P(gacc))
		cpu_fault(c, EX_NP, gerr);
	if (type == DT_TASK) {
		via_task_gate(c, g, return_eip, has_error, error);
		return;
	}
	bool gate32 = type & 0x8;
	unsigned psize = gate32 ? 4 : 2;
	uint16_t sel = (g >> 16) & 0xFFFF;
	uint32_t target = (uint32_t)(g & 0xFFFF) | (gate32 ? (uint32_t)(g >> 48) << 16 : 0);

	if ((sel & 0xFFFC) == 0)
		cpu_fault(c, EX_GP, 0);
	uint64_t d = desc_read(c, sel);
	unsigned a = D_ACC(d), dpl = A_DPL(a);
	if (!A_CODE(a) || dpl > c->cpl)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	if (target > desc_to_cache(d, sel).limit)
		cpu_fault(c, EX_GP, 0);

	uint32_t flags = cpu_get_flags(c);
	uint16_t old_ss = c->seg[SEG_SS].sel, old_cs = c->seg[SEG_CS].sel;
	uint32_t old_esp = c->r[R_ESP];
	bool from_v86 = flags & FL_VM;
	unsigned new_cpl = c->cpl;
	if (!A_CONFORMING(a) && dpl < c->cpl) {
		/* Inward: the stack of the new level from the TSS, with room
		 * for the whole frame (SDM Vol 3 §6.12.1). */
		if (from_v86 && dpl != 0)
			cpu_fault(c, EX_GP, sel & 0xFFFC);
		unsigned words = 5 + (has_error ? 1 : 0) + (from_v86 ? 4 : 0);
		c->flags &= ~(uint32_t)FL_VM;
		stack_switch_inner(c, dpl, words * psize);
		c->cpl = new_cpl = dpl; /* the new stack is written at the new level */
		if (from_v86) {
			cpu_push(c, psize, c->seg[SEG_GS].sel);
			cpu_push(c, psize, c->seg[SEG_FS].sel);
			cpu_push(c, psize, c->seg[SEG_DS].sel);
			cpu_push(c, psize, c->seg[SEG_ES].sel);
			c->seg[SEG_GS] = c->seg[SEG_FS] = seg_null(0);
			c->seg[SEG_DS] = c->seg[SEG_ES] = seg_null(0);
		}
		cpu_push(c, psize, old_ss);
		cpu_push(c, psize, old_esp);
	} else if (from_v86) {
		/* The V86 monitor runs at CPL 0 in a nonconforming segment. */
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	}
	cpu_push(c, psize, flags);
	c->last_flags_addr = c->seg[SEG_SS].base + (c->r[R_ESP] & stack_mask(c));
	cpu_push(c, psize, old_cs);
	cpu_push(c, psize, return_eip);
	if (has_error)
		cpu_push(c, psize, error);
	cpu_load_cs(c, sel, d, new_cpl);
	c->eip = target;
	c->flags &= ~(uint32_t)(FL_TF | FL_NT | FL_VM | FL_RF);
	if (!(type & 1))
		c->flags &= ~(uint32_t)FL_IF;
}

void cpu_interrupt(struct cpu *c, int vector, uint32_t return_eip, bool soft,
                   bool has_error, uint32_t error)
{
	c->event_ext = !soft;
	if (c->pmode)
		deliver_protected(c, vector, return_eip, soft, has_error, error);
	else
		deliver_real(c, vector, return_eip);
	c->event_ext = false;
	c->last_vector = vector;
	c->state = CPU_RUNNING;
}

/* VME: the bit of vector in the TSS's software-interrupt redirection
 * bitmap, the 32 bytes below the I/O permission bitmap (SDM Vol 3 §20.3.3). */
static bool v86_int_redirected(struct cpu *c, int vector)
{
	if (A_TYPE(c->tr.attr) != DT_TSS32_BUSY || c->tr.limit < 0x67)
		cpu_gp0(c);
	uint32_t map = mmu_sys_read16(c->mmu, c->tr.base + 0x66);
	uint32_t off = map - 32 + (uint32_t)vector / 8;
	if (map < 32 || off > c->tr.limit)
		cpu_gp0(c);
	return !((mmu_sys_read8(c->mmu, c->tr.base + off) >> (vector & 7)) & 1);
}

/* Redirection to the V86 task's own IVT at linear 0 (SDM Vol 3 §20.3.3,
 * methods 5 and 6): with IOPL < 3 the pushed FLAGS carry VIF as IF and
 * IOPL 3, and VIF is what is cleared. */
static void v86_redirect(struct cpu *c, int vector)
{
	uint16_t ip = mmu_read16(c->mmu, (uint32_t)vector * 4);
	uint16_t cs = mmu_read16(c->mmu, (uint32_t)vector * 4 + 2);
	uint32_t f = cpu_get_flags(c) & 0xFFFF;
	if (iopl(c) < 3) {
		f |= FL_IOPL;
		f = (c->flags & FL_VIF) ? f | FL_IF : f & ~(uint32_t)FL_IF;
	}
	cpu_push(c, 2, f);
	c->last_flags_addr = c->seg[SEG_SS].base + (c->r[R_ESP] & stack_mask(c));
	cpu_push(c, 2, c->seg[SEG_CS].sel);
	cpu_push(c, 2, c->eip);
	seg_load_real(c, SEG_CS, cs);
	c->eip = ip;
	c->flags &= ~(uint32_t)(FL_TF | FL_RF | (iopl(c) == 3 ? FL_IF : FL_VIF));
	c->last_vector = vector;
}

void cpu_soft_interrupt(struct cpu *c, int vector, bool int_n)
{
	/* In V86 mode INT n is IOPL-sensitive and, with CR4.VME, may be
	 * redirected; INT3 and INTO always go through the IDT (SDM Vol 2 INT,
	 * Vol 3 Table 20-2). */
	if (int_n && c->pmode && (c->flags & FL_VM)) {
		if ((c->cr4 & 1) && v86_int_redirected(c, vector)) {
			v86_redirect(c, vector);
			return;
		}
		if (iopl(c) < 3)
			cpu_gp0(c);
	}
	cpu_interrupt(c, vector, c->eip, true, false, 0);
}
