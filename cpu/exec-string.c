/* String instructions with REP/REPE/REPNE.  A REP string runs until its
 * count is exhausted, its condition fails, or an interrupt is pending; then
 * EIP stays on the instruction and it continues on the next step, as the
 * hardware's interruptible string instructions do (SDM Vol 2 REP). */
#include "cpu-internal.h"

/* Iterations run in one step before returning to the run loop, so timers and
 * the debugger are served during a long REP. */
#define REP_BURST 4096

enum str_kind { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

static void advance(struct cpu *c, const struct insn *i, unsigned r)
{
	uint32_t d = (c->flags & FL_DF) ? (uint32_t)-(int32_t)i->width : i->width;
	reg_set(c, r, i->asize, reg_get(c, r, i->asize) + d);
}

/* The 80286 reports a string element's limit fault late: the pointers its
 * microcode has already stepped (SI and/or DI, given as a mask of 1 << reg)
 * have advanced, and under REP, CX has been counted down cx_extra more
 * times (286 real-mode vectors: read faults 1, write faults 2). */
enum { P_SI = 1 << R_ESI, P_DI = 1 << R_EDI };

static void str_access(struct cpu *c, const struct insn *i, unsigned seg, uint32_t off,
                       unsigned advanced, unsigned cx_extra)
{
	if (!model_string_fault_advances(c) || seg_in_limit(c, seg, off, i->width))
		return;
	if (advanced & P_SI)
		advance(c, i, R_ESI);
	if (advanced & P_DI)
		advance(c, i, R_EDI);
	if (i->rep)
		reg_set(c, R_ECX, i->asize, reg_get(c, R_ECX, i->asize) - cx_extra);
	cpu_fault_keeps_progress(c);
	seg_check(c, seg, off, i->width, false);
}

/* One element; returns false when a REPE/REPNE condition ends the loop. */
static bool string_step(struct cpu *c, const struct insn *i, enum str_kind k)
{
	unsigned w = i->width, src = seg_or(i, SEG_DS);
	uint32_t si = reg_get(c, R_ESI, i->asize), di = reg_get(c, R_EDI, i->asize), v;
	switch (k) {
	case STR_MOVS:
		str_access(c, i, src, si, P_SI, 1);
		v = seg_read(c, src, si, w);
		str_access(c, i, SEG_ES, di, P_SI | P_DI, 2);
		seg_write(c, SEG_ES, di, w, v);
		advance(c, i, R_ESI);
		advance(c, i, R_EDI);
		return true;
	case STR_STOS:
		str_access(c, i, SEG_ES, di, P_DI, 2);
		seg_write(c, SEG_ES, di, w, reg_get(c, R_EAX, w));
		advance(c, i, R_EDI);
		return true;
	case STR_LODS:
		str_access(c, i, src, si, P_SI, 1);
		v = seg_read(c, src, si, w);
		reg_set(c, R_EAX, w, v);
		advance(c, i, R_ESI);
		return true;
	case STR_CMPS: {
		/* The 286 reads ES:[DI] first. */
		str_access(c, i, SEG_ES, di, P_DI, 0);
		uint32_t b = seg_read(c, SEG_ES, di, w);
		str_access(c, i, src, si, P_SI | P_DI, 1);
		uint32_t a = seg_read(c, src, si, w);
		alu(c, ALU_CMP, w, a, b);
		advance(c, i, R_ESI);
		advance(c, i, R_EDI);
		break;
	}
	case STR_SCAS:
		str_access(c, i, SEG_ES, di, P_DI, 1);
		alu(c, ALU_CMP, w, reg_get(c, R_EAX, w), seg_read(c, SEG_ES, di, w));
		advance(c, i, R_EDI);
		break;
	case STR_INS:
		/* The destination is checked before the port is read. */
		str_access(c, i, SEG_ES, di, P_DI, 2);
		seg_check(c, SEG_ES, di, w, true);
		v = cpu_io_in(c, c->r[R_EDX] & 0xFFFF, w);
		seg_write(c, SEG_ES, di, w, v);
		advance(c, i, R_EDI);
		return true;
	case STR_OUTS:
		str_access(c, i, src, si, P_SI, 1);
		v = seg_read(c, src, si, w);
		cpu_io_out(c, c->r[R_EDX] & 0xFFFF, w, v);
		advance(c, i, R_ESI);
		return true;
	}
	/* CMPS/SCAS: REPE continues while equal, REPNE while not. */
	return i->rep == 0xF3 ? flag_zf(c) : !flag_zf(c);
}

static void string_op(struct cpu *c, struct insn *i, enum str_kind k)
{
	if (!i->rep) {
		string_step(c, i, k);
		return;
	}
	cpu_fault_keeps_progress(c);
	/* Every iteration after the first counts as an instruction of its own,
	 * so the virtual clock and the run budget see a long REP's work. */
	for (unsigned n = 0;; n++) {
		uint32_t count = reg_get(c, R_ECX, i->asize);
		if (count == 0)
			return;
		if (n)
			c->icount++;
		bool go_on = string_step(c, i, k);
		count = (count - 1) & addr_mask(i);
		reg_set(c, R_ECX, i->asize, count);
		if (count == 0 || !go_on)
			return;
		if (n + 1 >= REP_BURST || c->icount + 1 >= c->run_end ||
		    (c->intr && (c->flags & FL_IF)) || c->pending) {
			c->eip = c->insn_eip; /* continue on the next step */
			return;
		}
	}
}

void exec_movs(struct cpu *c, struct insn *i) { string_op(c, i, STR_MOVS); }
void exec_cmps(struct cpu *c, struct insn *i) { string_op(c, i, STR_CMPS); }
void exec_stos(struct cpu *c, struct insn *i) { string_op(c, i, STR_STOS); }
void exec_lods(struct cpu *c, struct insn *i) { string_op(c, i, STR_LODS); }
void exec_scas(struct cpu *c, struct insn *i) { string_op(c, i, STR_SCAS); }
void exec_ins(struct cpu *c, struct insn *i) { string_op(c, i, STR_INS); }
void exec_outs(struct cpu *c, struct insn *i) { string_op(c, i, STR_OUTS); }
