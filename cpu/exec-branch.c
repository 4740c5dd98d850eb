/* Control transfers: Jcc, JMP, CALL, RET, LOOP/JCXZ, INT/INTO/INT3/IRET,
 * and BOUND (which raises #BR). */
#include "cpu-internal.h"

/* A near branch: the target is truncated to the operand size and must lie
 * inside CS (SDM Vol 2 JMP: #GP(0) beyond the limit). */
static void near_branch(struct cpu *c, const struct insn *i, uint32_t target)
{
	if (i->osize == 2)
		target &= 0xFFFF;
	if (model_checks_limits(c) && target > c->seg[SEG_CS].limit)
		cpu_gp0(c);
	c->eip = target;
}

static uint32_t rel_imm(const struct insn *i)
{
	return (i->def->imm == I_B) ? sext(i->imm, 1) : i->imm;
}

void exec_jcc(struct cpu *c, struct insn *i)
{
	if (cpu_cond(c, i->op & 0xF))
		near_branch(c, i, c->eip + rel_imm(i));
}

void exec_jmp_rel(struct cpu *c, struct insn *i)
{
	near_branch(c, i, c->eip + rel_imm(i));
}

void exec_jmp_e(struct cpu *c, struct insn *i)
{
	near_branch(c, i, rm_read(c, i, i->osize));
}

void exec_call_rel(struct cpu *c, struct insn *i)
{
	uint32_t target = c->eip + rel_imm(i);
	cpu_push(c, i->osize, c->eip);
	near_branch(c, i, target);
}

void exec_call_e(struct cpu *c, struct insn *i)
{
	uint32_t target = rm_read(c, i, i->osize);
	cpu_push(c, i->osize, c->eip);
	near_branch(c, i, target);
}

void exec_ret(struct cpu *c, struct insn *i)
{
	uint32_t target = cpu_pop(c, i->osize);
	if (i->op == 0xC2)
		cpu_stack_adjust(c, i->imm & 0xFFFF);
	near_branch(c, i, target);
}

static bool v86(const struct cpu *c)
{
	return c->flags & FL_VM;
}

/* A gate or TSS named by a far JMP/CALL: visible at CPL and RPL, present. */
static void check_far_system(struct cpu *c, uint16_t sel, unsigned a)
{
	if (A_DPL(a) < c->cpl || A_DPL(a) < (sel & 3u))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
}

/* A task named by a TSS descriptor or a task gate (SDM Vol 2 JMP/CALL,
 * TASK-GATE and TASK-STATE-SEGMENT). */
static void far_to_task(struct cpu *c, uint16_t sel, uint64_t d, bool call)
{
	unsigned a = D_ACC(d);
	check_far_system(c, sel, a);
	uint16_t tss = sel;
	if (A_TYPE(a) == DT_TASK) {
		tss = (d >> 16) & 0xFFFF;
		if ((tss & 4) || !desc_fetch(c, tss, &d))
			cpu_fault(c, EX_GP, tss & 0xFFFC);
		a = D_ACC(d);
		if (A_S(a) || (A_TYPE(a) != DT_TSS16 && A_TYPE(a) != DT_TSS32) ||
		    !sys_type_exists(c, A_TYPE(a)))
			cpu_fault(c, EX_GP, tss & 0xFFFC);
		if (!A_P(a))
			cpu_fault(c, EX_NP, tss & 0xFFFC);
	} else if (sel & 4) {
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	}
	task_switch(c, tss, d, call ? TASK_CALL : TASK_JMP, c->eip, false, 0);
}

/* Through a call gate (SDM Vol 3 §5.8.3-5.8.5): a CALL to a more privileged
 * nonconforming segment switches to the TSS stack of that level and copies
 * the gate's parameter count of words or dwords; everything pushed has the
 * gate's size. */
static void far_via_call_gate(struct cpu *c, uint16_t gsel, uint64_t g, bool call)
{
	unsigned ga = D_ACC(g);
	check_far_system(c, gsel, ga);
	bool gate32 = A_TYPE(ga) == DT_CALL32;
	unsigned psize = gate32 ? 4 : 2;
	uint16_t sel = (g >> 16) & 0xFFFF;
	uint32_t target = (uint32_t)(g & 0xFFFF) | (gate32 ? (uint32_t)(g >> 48) << 16 : 0);
	if ((sel & 0xFFFC) == 0)
		cpu_gp0(c);
	uint64_t d = desc_read(c, sel);
	unsigned a = D_ACC(d), dpl = A_DPL(a);
	if (!A_CODE(a) || dpl > c->cpl)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!call && !A_CONFORMING(a) && dpl != c->cpl)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	if (target > desc_to_cache(d, sel).limit)
		cpu_gp0(c);
	uint16_t old_cs = c->seg[SEG_CS].sel;
	uint32_t ret = c->eip;
	unsigned cpl = c->cpl;
	if (call && !A_CONFORMING(a) && dpl < c->cpl) {
		unsigned n = (g >> 32) & 0x1F;
		uint32_t params[32];
		uint16_t old_ss = c->seg[SEG_SS].sel;
		uint32_t old_esp = c->r[R_ESP];
		for (unsigned k = 0; k < n; k++)
			params[k] = cpu_stack_peek(c, k * psize, psize);
		stack_switch_inner(c, dpl, (4 + n) * psize);
		c->cpl = cpl = dpl; /* the new stack is written at the new level */
		cpu_push(c, psize, old_ss);
		cpu_push(c, psize, old_esp);
		for (unsigned k = n; k-- > 0;)
			cpu_push(c, psize, params[k]);
	}
	if (call) {
		cpu_push(c, psize, old_cs);
		cpu_push(c, psize, ret);
	}
	cpu_load_cs(c, sel, d, cpl);
	c->eip = target;
}

/* Far JMP and CALL (SDM Vol 2 CALL/JMP): real and V86 mode load CS as a
 * paragraph; protected mode goes to a code segment, through a call gate,
 * or to another task. */
static void far_transfer(struct cpu *c, const struct insn *i, uint16_t sel, uint32_t off,
                         bool call)
{
	if (!c->pmode || v86(c)) {
		if (call) {
			cpu_push(c, i->osize, c->seg[SEG_CS].sel);
			cpu_push(c, i->osize, c->eip);
		}
		cpu_jump_far(c, sel, off);
		return;
	}
	if ((sel & 0xFFFC) == 0)
		cpu_gp0(c);
	uint64_t d = desc_read(c, sel);
	unsigned a = D_ACC(d);
	if (A_S(a)) {
		d = check_code_target(c, sel);
		if (off > desc_to_cache(d, sel).limit)
			cpu_gp0(c);
		if (call) {
			cpu_push(c, i->osize, c->seg[SEG_CS].sel);
			cpu_push(c, i->osize, c->eip);
		}
		cpu_load_cs(c, sel, d, c->cpl);
		c->eip = off;
		return;
	}
	if (!sys_type_exists(c, A_TYPE(a)))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	switch (A_TYPE(a)) {
	case DT_CALL16: case DT_CALL32:
		far_via_call_gate(c, sel, d, call);
		return;
	case DT_TASK: case DT_TSS16: case DT_TSS32:
		far_to_task(c, sel, d, call);
		return;
	default: /* busy TSSs, LDTs, interrupt and trap gates */
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	}
}

void exec_call_far(struct cpu *c, struct insn *i)
{
	far_transfer(c, i, i->imm2, i->imm, true);
}

void exec_jmp_far(struct cpu *c, struct insn *i)
{
	far_transfer(c, i, i->imm2, i->imm, false);
}

/* The far pointer of FF /3 and FF /5: offset, then selector. */
static void far_pointer(struct cpu *c, const struct insn *i, uint16_t *sel, uint32_t *off)
{
	ea_compute(c, i);
	*off = seg_read(c, c->ea_seg, c->ea_off, i->osize);
	*sel = seg_read(c, c->ea_seg, (c->ea_off + i->osize) & addr_mask(i), 2);
}

void exec_call_m(struct cpu *c, struct insn *i)
{
	uint16_t sel;
	uint32_t off;
	far_pointer(c, i, &sel, &off);
	far_transfer(c, i, sel, off, true);
}

void exec_jmp_m(struct cpu *c, struct insn *i)
{
	uint16_t sel;
	uint32_t off;
	far_pointer(c, i, &sel, &off);
	far_transfer(c, i, sel, off, false);
}

/* The return CS of a protected-mode RETF or IRET (SDM Vol 2 RET, IRET):
 * a present code segment whose privilege matches its RPL, no more
 * privileged than CPL; returns its descriptor. */
static uint64_t check_return_cs(struct cpu *c, uint16_t sel)
{
	unsigned rpl = sel & 3;
	if ((sel & 0xFFFC) == 0)
		cpu_gp0(c);
	uint64_t d = desc_read(c, sel);
	unsigned a = D_ACC(d), dpl = A_DPL(a);
	if (!A_CODE(a) || rpl < c->cpl || (A_CONFORMING(a) ? dpl > rpl : dpl != rpl))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	return d;
}

/* The outer stack of a return to a less privileged level: SS checked as a
 * MOV SS at the new CPL (#GP, #SS), ESP from the old stack. */
static void load_outer_stack(struct cpu *c, uint16_t ss, uint32_t esp)
{
	seg_load_checked(c, SEG_SS, ss, c->cpl, EX_GP);
	c->r[R_ESP] = c->stack32 ? esp : (c->r[R_ESP] & 0xFFFF0000u) | (esp & 0xFFFF);
	seg_null_outer(c);
}

/* RETF, with a return to an outer privilege level in protected mode
 * (SDM Vol 3 §5.8.6). */
void exec_retf(struct cpu *c, struct insn *i)
{
	unsigned sz = i->osize;
	uint32_t release = i->op == 0xCA ? (i->imm & 0xFFFF) : 0;
	uint32_t off = cpu_stack_peek(c, 0, sz);
	uint16_t sel = cpu_stack_peek(c, sz, 2);
	if (!c->pmode || v86(c)) {
		cpu_stack_adjust(c, 2 * sz + release);
		cpu_jump_far(c, sel, off);
		return;
	}
	uint64_t d = check_return_cs(c, sel);
	unsigned rpl = sel & 3;
	if (rpl == c->cpl) {
		if (off > desc_to_cache(d, sel).limit)
			cpu_gp0(c);
		cpu_stack_adjust(c, 2 * sz + release);
		cpu_load_cs(c, sel, d, rpl);
		c->eip = off;
		return;
	}
	uint32_t esp = cpu_stack_peek(c, 2 * sz + release, sz);
	uint16_t ss = cpu_stack_peek(c, 3 * sz + release, 2);
	cpu_load_cs(c, sel, d, rpl);
	load_outer_stack(c, ss, esp + release);
	if (off > c->seg[SEG_CS].limit)
		cpu_gp0(c);
	c->eip = off;
}

void exec_loop(struct cpu *c, struct insn *i)
{
	uint32_t cx = (reg_get(c, R_ECX, i->asize) - 1) & addr_mask(i);
	reg_set(c, R_ECX, i->asize, cx);
	bool take = cx != 0;
	if (i->op == 0xE1)
		take = take && flag_zf(c);
	else if (i->op == 0xE0)
		take = take && !flag_zf(c);
	if (take)
		near_branch(c, i, c->eip + sext(i->imm, 1));
}

void exec_jcxz(struct cpu *c, struct insn *i)
{
	if (reg_get(c, R_ECX, i->asize) == 0)
		near_branch(c, i, c->eip + sext(i->imm, 1));
}

void exec_int3(struct cpu *c, struct insn *i)
{
	(void)i;
	cpu_soft_interrupt(c, EX_BP, false);
}

void exec_int(struct cpu *c, struct insn *i)
{
	cpu_soft_interrupt(c, i->imm & 0xFF, true);
}

void exec_into(struct cpu *c, struct insn *i)
{
	(void)i;
	if (flag_of(c))
		cpu_soft_interrupt(c, EX_OF, false);
}

/* ICEBP (F1): a #DB that is delivered like an external event. */
void exec_int1(struct cpu *c, struct insn *i)
{
	(void)i;
	cpu_interrupt(c, EX_DB, c->eip, false, false, 0);
}

static unsigned iopl(const struct cpu *c)
{
	return (c->flags >> 12) & 3;
}

/* IRET in V86 mode (SDM Vol 2 IRET, Vol 3 §20.4): IOPL 3 returns as in
 * real mode but keeps IOPL; with IOPL < 3 only CR4.VME's 16-bit form is
 * allowed, which moves the popped IF into VIF. */
static void iret_v86(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osize;
	bool vme = iopl(c) < 3;
	if (vme && (!(c->cr4 & 1) || sz != 2))
		cpu_gp0(c);
	uint32_t ip = cpu_stack_peek(c, 0, sz);
	uint16_t cs = cpu_stack_peek(c, sz, 2);
	uint32_t fl = cpu_stack_peek(c, 2 * sz, sz);
	if (vme && (((fl & FL_IF) && (c->flags & FL_VIP)) || (fl & FL_TF)))
		cpu_gp0(c);
	if (ip > 0xFFFF)
		cpu_gp0(c);
	cpu_stack_adjust(c, 3 * sz);
	seg_load_real(c, SEG_CS, cs);
	c->eip = ip;
	/* At CPL 3 IOPL stays; IF only loads with IOPL 3 (flags_loadable). */
	cpu_load_flags(c, fl, flags_loadable(c, sz));
	if (vme)
		c->flags = (fl & FL_IF) ? c->flags | FL_VIF : c->flags & ~(uint32_t)FL_VIF;
}

/* IRET at CPL 0 with VM set in the popped EFLAGS: the whole V86 frame
 * (EIP CS EFLAGS ESP SS ES DS FS GS) comes off the stack (SDM Vol 2 IRET,
 * RETURN-TO-VIRTUAL-8086-MODE). */
static void iret_to_v86(struct cpu *c, uint32_t ip, uint16_t cs, uint32_t fl)
{
	uint32_t esp = cpu_stack_peek(c, 12, 4);
	uint16_t ss = cpu_stack_peek(c, 16, 2);
	uint16_t es = cpu_stack_peek(c, 20, 2);
	uint16_t ds = cpu_stack_peek(c, 24, 2);
	uint16_t fs = cpu_stack_peek(c, 28, 2);
	uint16_t gs = cpu_stack_peek(c, 32, 2);
	if (ip > 0xFFFF)
		cpu_gp0(c);
	cpu_load_flags(c, fl, c->model->flags_writable);
	seg_load_real(c, SEG_CS, cs);
	seg_load_real(c, SEG_SS, ss);
	seg_load_real(c, SEG_ES, es);
	seg_load_real(c, SEG_DS, ds);
	seg_load_real(c, SEG_FS, fs);
	seg_load_real(c, SEG_GS, gs);
	c->cpl = 3;
	c->r[R_ESP] = esp;
	c->eip = ip;
}

/* IRET with NT set: back to the task in the current TSS's link field,
 * which must be a busy TSS in the GDT (SDM Vol 2 IRET, TASK-RETURN). */
static void iret_task(struct cpu *c)
{
	uint16_t link = mmu_sys_read16(c->mmu, c->tr.base);
	uint64_t d;
	if ((link & 4) || !desc_fetch(c, link, &d))
		cpu_fault(c, EX_TS, link & 0xFFFC);
	unsigned a = D_ACC(d);
	if (A_S(a) || (A_TYPE(a) != DT_TSS16_BUSY && A_TYPE(a) != DT_TSS32_BUSY))
		cpu_fault(c, EX_TS, link & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, link & 0xFFFC);
	task_switch(c, link, d, TASK_IRET, c->eip, false, 0);
}

void exec_iret(struct cpu *c, struct insn *i)
{
	unsigned sz = i->osize;
	if (!c->pmode) {
		uint32_t ip = cpu_stack_peek(c, 0, sz);
		uint16_t cs = cpu_stack_peek(c, sz, 2);
		uint32_t fl = cpu_stack_peek(c, 2 * sz, sz);
		cpu_stack_adjust(c, 3 * sz);
		cpu_jump_far(c, cs, sz == 2 ? ip & 0xFFFF : ip);
		cpu_load_flags(c, fl, flags_loadable(c, sz));
		return;
	}
	if (v86(c)) {
		iret_v86(c, i);
		return;
	}
	if (c->flags & FL_NT) {
		iret_task(c);
		return;
	}
	uint32_t off = cpu_stack_peek(c, 0, sz);
	uint16_t sel = cpu_stack_peek(c, sz, 2);
	uint32_t fl = cpu_stack_peek(c, 2 * sz, sz);
	if ((fl & FL_VM) && sz == 4 && c->cpl == 0) {
		iret_to_v86(c, off, sel, fl);
		return;
	}
	/* What the old CPL may change: IOPL at 0, IF at CPL <= IOPL; a 32-bit
	 * IRET also loads RF, and at CPL 0 VIF and VIP. */
	uint32_t mask = flags_loadable(c, sz);
	if (sz == 4)
		mask |= FL_RF | (c->cpl == 0 ? (uint32_t)(FL_VIF | FL_VIP) : 0);
	mask &= c->model->flags_writable;
	uint64_t d = check_return_cs(c, sel);
	unsigned rpl = sel & 3;
	if (rpl == c->cpl) {
		if (off > desc_to_cache(d, sel).limit)
			cpu_gp0(c);
		cpu_stack_adjust(c, 3 * sz);
		cpu_load_cs(c, sel, d, rpl);
		c->eip = off;
		cpu_load_flags(c, fl, mask);
		return;
	}
	uint32_t esp = cpu_stack_peek(c, 3 * sz, sz);
	uint16_t ss = cpu_stack_peek(c, 4 * sz, 2);
	cpu_load_flags(c, fl, mask);
	cpu_load_cs(c, sel, d, rpl);
	load_outer_stack(c, ss, esp);
	if (off > c->seg[SEG_CS].limit)
		cpu_gp0(c);
	c->eip = off;
}

void exec_bound(struct cpu *c, struct insn *i)
{
	unsigned w = i->width;
	ea_compute(c, i);
	int32_t lo = (int32_t)sext(seg_read(c, c->ea_seg, c->ea_off, w), w);
	int32_t hi = (int32_t)sext(seg_read(c, c->ea_seg, (c->ea_off + w) & addr_mask(i), w), w);
	int32_t idx = (int32_t)sext(reg_get(c, i->reg, w), w);
	if (idx < lo || idx > hi)
		cpu_fault_noerr(c, EX_BR);
}
