/* Flag instructions, the coprocessor escapes and WAIT, #UD, hint NOPs. */
#include "cpu-internal.h"
#include "exec.h"

/* CMC CLC STC CLD STD (F5 F8 F9 FC FD). */
void exec_flag_op(struct cpu *c, struct insn *i)
{
	switch (i->op) {
	case 0xF5: flags_set_arith(c, FL_CF, flag_cf(c) ? 0 : FL_CF); break;
	case 0xF8: flags_set_arith(c, FL_CF, 0); break;
	case 0xF9: flags_set_arith(c, FL_CF, FL_CF); break;
	case 0xFC: c->flags &= ~(uint32_t)FL_DF; break;
	default: c->flags |= FL_DF; break;
	}
}

/* Bytes of the memory operand of an x87 instruction (SDM Vol 2 x87 opcode
 * map); environment and state images are taken in their 16-bit forms. */
static unsigned esc_operand_size(const struct insn *i)
{
	static const uint8_t sizes[8][8] = {
		/* D8 */ { 4, 4, 4, 4, 4, 4, 4, 4 },
		/* D9 */ { 4, 4, 4, 4, 14, 2, 14, 2 },
		/* DA */ { 4, 4, 4, 4, 4, 4, 4, 4 },
		/* DB */ { 4, 4, 4, 4, 1, 10, 1, 10 },
		/* DC */ { 8, 8, 8, 8, 8, 8, 8, 8 },
		/* DD */ { 8, 8, 8, 8, 94, 1, 94, 2 },
		/* DE */ { 2, 2, 2, 2, 2, 2, 2, 2 },
		/* DF */ { 2, 2, 2, 2, 10, 8, 10, 8 },
	};
	return sizes[i->op & 7][i->reg];
}

/* D8-DF: #NM when CR0.EM or CR0.TS asks for emulation (SDM Vol 3 §2.5,
 * Table 2-2); then, with an x87 (the model reports CPUID.FPU), exec_x87
 * runs it.  With no coprocessor nothing answers and the instruction has no
 * effect (the memory operand is not touched), which is how software
 * detects that no FPU is present. */
void exec_esc(struct cpu *c, struct insn *i)
{
	if (model_is_8086(c))
		return;
	if (c->cr0 & 0xC)
		cpu_fault_noerr(c, EX_NM);
	if (X87_PRESENT(c->model)) {
		exec_x87(c, i);
		return;
	}
	/* The CPU still checks the memory operand against its segment limit
	 * before the coprocessor would take it (286 vectors: FSUB [SI] with
	 * SI=FFFFh raises #GP). */
	if (i->mod != 3) {
		ea_compute(c, i);
		seg_check(c, c->ea_seg, c->ea_off, esc_operand_size(i), false);
	}
}

/* WAIT: #NM when CR0.MP and CR0.TS are both set. */
void exec_wait(struct cpu *c, struct insn *i)
{
	(void)i;
	if (!model_is_8086(c) && (c->cr0 & 0xA) == 0xA)
		cpu_fault_noerr(c, EX_NM);
	if (X87_PRESENT(c->model))
		x87_check_pending(c);
}

void exec_ud(struct cpu *c, struct insn *i)
{
	(void)i;
	cpu_ud(c);
}

/* 0F 18-1F: prefetch hints and the multi-byte NOP; they read nothing. */
void exec_hint_nop(struct cpu *c, struct insn *i)
{
	(void)c;
	(void)i;
}
