/* The stack: PUSH/POP of every operand kind, PUSHA/POPA, PUSHF/POPF,
 * ENTER/LEAVE.  The stack pointer is SP or ESP by SS.B (stack32). */
#include "cpu-internal.h"

static void set_sp(struct cpu *c, uint32_t sp)
{
	if (c->stack32)
		c->r[R_ESP] = sp;
	else
		c->r[R_ESP] = (c->r[R_ESP] & 0xFFFF0000u) | (sp & 0xFFFF);
}

void cpu_push(struct cpu *c, unsigned size, uint32_t v)
{
	uint32_t sp = (c->r[R_ESP] - size) & stack_mask(c);
	seg_write(c, SEG_SS, sp, size, v);
	set_sp(c, sp);
}

uint32_t cpu_pop(struct cpu *c, unsigned size)
{
	uint32_t sp = c->r[R_ESP] & stack_mask(c);
	uint32_t v = seg_read(c, SEG_SS, sp, size);
	set_sp(c, sp + size);
	return v;
}

uint32_t cpu_stack_peek(struct cpu *c, uint32_t off, unsigned size)
{
	return seg_read(c, SEG_SS, (c->r[R_ESP] + off) & stack_mask(c), size);
}

void cpu_stack_adjust(struct cpu *c, int32_t delta)
{
	set_sp(c, (c->r[R_ESP] + (uint32_t)delta) & stack_mask(c));
}

void exec_push_r(struct cpu *c, struct insn *i)
{
	unsigned r = i->op & 7;
	uint32_t v = reg_get(c, r, i->width);
	/* The 8086 pushes SP as it is after the decrement. */
	if (r == R_ESP && !model_push_sp_old(c))
		v = (v - 2) & 0xFFFF;
	cpu_push(c, i->width, v);
}

void exec_pop_r(struct cpu *c, struct insn *i)
{
	uint32_t v = cpu_pop(c, i->width);
	reg_set(c, i->op & 7, i->width, v);
}

static unsigned sreg_of_op(const struct insn *i)
{
	switch (i->op) {
	case 0x1A0: case 0x1A1: return SEG_FS;
	case 0x1A8: case 0x1A9: return SEG_GS;
	default: return (i->op >> 3) & 3;
	}
}

/* With a 32-bit operand size the selector is pushed zero-extended, one of
 * the two behaviours the SDM allows (PUSH, Vol 2). */
void exec_push_sreg(struct cpu *c, struct insn *i)
{
	cpu_push(c, i->osize, c->seg[sreg_of_op(i)].sel);
}

void exec_pop_sreg(struct cpu *c, struct insn *i)
{
	unsigned s = sreg_of_op(i);
	cpu_load_seg(c, s, cpu_pop(c, i->osize));
	if (s == SEG_SS)
		c->inhibit_irq = c->inhibit_debug = true;
}

/* 0F on the 8086: POP CS. */
void exec_pop_cs(struct cpu *c, struct insn *i)
{
	(void)i;
	uint16_t sel = cpu_pop(c, 2);
	cpu_load_seg(c, SEG_CS, sel);
}

void exec_push_i(struct cpu *c, struct insn *i)
{
	cpu_push(c, i->osize, i->op == 0x6A ? sext(i->imm, 1) : i->imm);
}

void exec_push_e(struct cpu *c, struct insn *i)
{
	uint32_t v = rm_read(c, i, i->osize);
	if (i->mod == 3 && i->rm == R_ESP && !model_push_sp_old(c))
		v = (v - 2) & 0xFFFF;
	cpu_push(c, i->osize, v);
}

/* POP Ev computes a (E)SP-based address after the pop (SDM Vol 2 POP). */
void exec_pop_e(struct cpu *c, struct insn *i)
{
	uint32_t v = cpu_pop(c, i->osize);
	rm_write(c, i, i->osize, v);
}

void exec_pusha(struct cpu *c, struct insn *i)
{
	uint32_t sp = reg_get(c, R_ESP, i->osize);
	for (unsigned r = R_EAX; r <= R_EDI; r++)
		cpu_push(c, i->osize, r == R_ESP ? sp : reg_get(c, r, i->osize));
}

void exec_popa(struct cpu *c, struct insn *i)
{
	for (int r = R_EDI; r >= (int)R_EAX; r--) {
		uint32_t v = cpu_pop(c, i->osize);
		if (r != R_ESP)
			reg_set(c, r, i->osize, v);
	}
}

/* V86 mode with IOPL < 3: PUSHF/POPF fault, unless CR4.VME lets their
 * 16-bit forms work on VIF (SDM Vol 3 §20.4.3, Vol 2 PUSHF/POPF). */
static bool v86_virtual_flags(struct cpu *c, const struct insn *i)
{
	if (!(c->flags & FL_VM) || ((c->flags >> 12) & 3) == 3)
		return false;
	if (!(c->cr4 & 1) || i->osize != 2)
		cpu_gp0(c);
	return true;
}

void exec_pushf(struct cpu *c, struct insn *i)
{
	uint32_t f = cpu_get_flags(c) & ~(uint32_t)(FL_VM | FL_RF);
	if (v86_virtual_flags(c, i)) /* VIF shows as IF, IOPL as 3 */
		f = (f & ~(uint32_t)FL_IF) | FL_IOPL | ((c->flags & FL_VIF) ? FL_IF : 0);
	cpu_push(c, i->osize, f);
}

/* The flags POPF and IRET may change in the current mode and privilege
 * (SDM Vol 2 POPF, Table 4-15). */
uint32_t flags_loadable(const struct cpu *c, unsigned size)
{
	uint32_t m = c->model->flags_writable & ~(uint32_t)(FL_VM | FL_VIF | FL_VIP | FL_RF);
	if (c->pmode) {
		if (c->cpl > 0)
			m &= ~(uint32_t)FL_IOPL;
		if (c->cpl > ((c->flags >> 12) & 3))
			m &= ~(uint32_t)FL_IF;
	} else if (c->model->gen == GEN_286) {
		/* The 80286 in real mode cannot set IOPL or NT. */
		m &= ~(uint32_t)(FL_IOPL | FL_NT);
	}
	if (size == 2)
		m &= 0xFFFF;
	return m;
}

void cpu_load_flags(struct cpu *c, uint32_t v, uint32_t mask)
{
	flags_materialize(c);
	c->flags = (c->flags & ~mask) | (v & mask);
	c->flags = (c->flags & ~(uint32_t)0x8028) | c->model->flags_fixed1;
	if (c->model->gen == GEN_286 && !c->pmode)
		c->flags &= ~(uint32_t)(FL_IOPL | FL_NT);
}

void exec_popf(struct cpu *c, struct insn *i)
{
	if (v86_virtual_flags(c, i)) {
		uint32_t v = cpu_stack_peek(c, 0, 2);
		if ((v & FL_TF) || ((v & FL_IF) && (c->flags & FL_VIP)))
			cpu_gp0(c);
		cpu_stack_adjust(c, 2);
		/* IF and IOPL are not loadable here (flags_loadable); VIF is. */
		cpu_load_flags(c, v, flags_loadable(c, 2));
		c->flags = (v & FL_IF) ? c->flags | FL_VIF : c->flags & ~(uint32_t)FL_VIF;
		return;
	}
	uint32_t v = cpu_pop(c, i->osize);
	cpu_load_flags(c, v, flags_loadable(c, i->osize));
}

void exec_enter(struct cpu *c, struct insn *i)
{
	unsigned size = i->osize, level = i->imm2 & 31;
	uint32_t sm = stack_mask(c);
	cpu_push(c, size, reg_get(c, R_EBP, size));
	/* FrameTemp is ESP or SP by operand size, not by stack size (SDM ENTER). */
	uint32_t frame = reg_get(c, R_ESP, size);
	uint32_t bp = c->r[R_EBP];
	if (level > 0) {
		for (unsigned k = 1; k < level; k++) {
			bp = (bp & ~sm) | ((bp - size) & sm);
			cpu_push(c, size, seg_read(c, SEG_SS, bp & sm, size));
		}
		cpu_push(c, size, frame);
	}
	reg_set(c, R_EBP, size, frame);
	cpu_stack_adjust(c, -(int32_t)(i->imm & 0xFFFF));
}

void exec_leave(struct cpu *c, struct insn *i)
{
	uint32_t bp = c->r[R_EBP] & stack_mask(c);
	uint32_t v = seg_read(c, SEG_SS, bp, i->osize);
	set_sp(c, bp + i->osize);
	reg_set(c, R_EBP, i->osize, v);
}
