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

/* Far CALL to sel:off; the pushed CS and EIP have the operand size. */
static void call_far(struct cpu *c, const struct insn *i, uint16_t sel, uint32_t off)
{
	uint16_t cs = c->seg[SEG_CS].sel;
	uint32_t ret = c->eip;
	if (!c->pmode || (c->flags & FL_VM)) {
		cpu_push(c, i->osize, cs);
		cpu_push(c, i->osize, ret);
		cpu_jump_far(c, sel, off);
		return;
	}
	uint64_t d = check_code_target(c, sel);
	struct segment s = desc_to_cache(d, sel);
	if (off > s.limit)
		cpu_gp0(c);
	cpu_push(c, i->osize, cs);
	cpu_push(c, i->osize, ret);
	cpu_load_cs(c, sel, d, c->cpl);
	c->eip = off;
}

void exec_call_far(struct cpu *c, struct insn *i)
{
	call_far(c, i, i->imm2, i->imm);
}

void exec_jmp_far(struct cpu *c, struct insn *i)
{
	cpu_jump_far(c, i->imm2, i->imm);
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
	call_far(c, i, sel, off);
}

void exec_jmp_m(struct cpu *c, struct insn *i)
{
	uint16_t sel;
	uint32_t off;
	far_pointer(c, i, &sel, &off);
	cpu_jump_far(c, sel, off);
}

/* RETF, with a return to an outer privilege level in protected mode
 * (SDM Vol 3 §5.8.6). */
void exec_retf(struct cpu *c, struct insn *i)
{
	unsigned sz = i->osize;
	uint32_t release = i->op == 0xCA ? (i->imm & 0xFFFF) : 0;
	uint32_t off = cpu_stack_peek(c, 0, sz);
	uint16_t sel = cpu_stack_peek(c, sz, 2);
	if (!c->pmode || (c->flags & FL_VM)) {
		cpu_stack_adjust(c, 2 * sz + release);
		cpu_jump_far(c, sel, off);
		return;
	}
	unsigned rpl = sel & 3;
	if ((sel & 0xFFFC) == 0 || rpl < c->cpl)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	uint64_t d = desc_read(c, sel);
	unsigned a = (d >> 40) & 0xFF, dpl = (a >> 5) & 3;
	if (!(a & 0x10) || !(a & 0x8) || ((a & 0x4) ? dpl > rpl : dpl != rpl))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!(a & 0x80))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	if (rpl == c->cpl) {
		cpu_stack_adjust(c, 2 * sz + release);
		cpu_load_cs(c, sel, d, rpl);
		c->eip = off;
		return;
	}
	uint32_t esp = cpu_stack_peek(c, 2 * sz + release, sz);
	uint16_t ss = cpu_stack_peek(c, 3 * sz + release, 2);
	cpu_load_cs(c, sel, d, rpl);
	c->eip = off;
	cpu_load_seg(c, SEG_SS, ss);
	c->r[R_ESP] = c->stack32 ? esp + release : (c->r[R_ESP] & 0xFFFF0000u) | ((esp + release) & 0xFFFF);
	/* Data segments the outer level may not use become null (SDM RET). */
	for (int s = 0; s < 6; s++) {
		if (s == SEG_CS || s == SEG_SS)
			continue;
		unsigned sa = c->seg[s].attr;
		bool conforming_code = (sa & 0x1C) == 0x1C;
		if (!conforming_code && ((sa >> 5) & 3) < c->cpl)
			c->seg[s] = (struct segment){ 0 };
	}
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

/* INT n in V86 mode with IOPL < 3 goes to the monitor as #GP(0). */
static void soft_int(struct cpu *c, int vector)
{
	if ((c->flags & FL_VM) && ((c->flags >> 12) & 3) < 3)
		cpu_gp0(c);
	cpu_interrupt(c, vector, c->eip, true, false, 0);
}

void exec_int3(struct cpu *c, struct insn *i)
{
	(void)i;
	soft_int(c, EX_BP);
}

void exec_int(struct cpu *c, struct insn *i)
{
	soft_int(c, i->imm & 0xFF);
}

void exec_into(struct cpu *c, struct insn *i)
{
	(void)i;
	if (flag_of(c))
		soft_int(c, EX_OF);
}

/* ICEBP (F1): a #DB that is delivered like an external event. */
void exec_int1(struct cpu *c, struct insn *i)
{
	(void)i;
	cpu_interrupt(c, EX_DB, c->eip, false, false, 0);
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
	if (c->flags & FL_VM) {
		if (((c->flags >> 12) & 3) < 3)
			cpu_gp0(c);
		uint32_t ip = cpu_stack_peek(c, 0, sz);
		uint16_t cs = cpu_stack_peek(c, sz, 2);
		uint32_t fl = cpu_stack_peek(c, 2 * sz, sz);
		cpu_stack_adjust(c, 3 * sz);
		cpu_jump_far(c, cs, ip);
		cpu_load_flags(c, fl, flags_loadable(c, sz) & ~(uint32_t)FL_IOPL);
		return;
	}
	if (c->flags & FL_NT)
		cpu_fault(c, EX_GP, 0); /* task return: comes with task switching */
	uint32_t off = cpu_stack_peek(c, 0, sz);
	uint16_t sel = cpu_stack_peek(c, sz, 2);
	uint32_t fl = cpu_stack_peek(c, 2 * sz, sz);
	if ((fl & FL_VM) && sz == 4 && c->cpl == 0)
		cpu_fault(c, EX_GP, 0); /* return to V86: comes with V86 mode */
	uint32_t mask = flags_loadable(c, sz);
	unsigned rpl = sel & 3;
	if ((sel & 0xFFFC) == 0 || rpl < c->cpl)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	uint64_t d = desc_read(c, sel);
	unsigned a = (d >> 40) & 0xFF, dpl = (a >> 5) & 3;
	if (!(a & 0x10) || !(a & 0x8) || ((a & 0x4) ? dpl > rpl : dpl != rpl))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!(a & 0x80))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	if (rpl == c->cpl) {
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
	c->eip = off;
	cpu_load_seg(c, SEG_SS, ss);
	c->r[R_ESP] = c->stack32 ? esp : (c->r[R_ESP] & 0xFFFF0000u) | (esp & 0xFFFF);
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
