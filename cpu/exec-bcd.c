/* Decimal adjust: DAA DAS AAA AAS AAM AAD, and SALC.  SDM Vol 2 pseudocode;
 * where it leaves a flag undefined, amber sets it from the result as the
 * conformance vectors' CPUs do. */
#include "cpu-internal.h"

/* The 8086 compares AL with 9Fh instead of 99h for the high-digit
 * adjustment when AF is set on entry (8086 conformance vectors). */
static uint8_t high_limit(const struct cpu *c, bool af)
{
	return model_is_8086(c) && af ? 0x9F : 0x99;
}

void exec_daa(struct cpu *c, struct insn *i)
{
	(void)i;
	uint8_t al = c->r[R_EAX] & 0xFF, old_al = al;
	bool old_cf = flag_cf(c), af = flag_af(c), cf = false;
	uint8_t limit = high_limit(c, af);
	if ((al & 0xF) > 9 || af) {
		cf = old_cf || al > 0xF9;
		al += 6;
		af = true;
	} else {
		af = false;
	}
	if (old_al > limit || old_cf) {
		al += 0x60;
		cf = true;
	}
	reg_set(c, R_EAX, 1, al);
	/* OF is undefined; the hardware's adder leaves the signed overflow of
	 * the whole adjustment. */
	bool of = !(old_al & 0x80) && (al & 0x80);
	flags_szp(c, al, 1, FL_CF | FL_AF | FL_OF,
	          (cf ? FL_CF : 0) | (af ? FL_AF : 0) | (of ? FL_OF : 0));
}

void exec_das(struct cpu *c, struct insn *i)
{
	(void)i;
	uint8_t al = c->r[R_EAX] & 0xFF, old_al = al;
	bool old_cf = flag_cf(c), af = flag_af(c), cf = false;
	uint8_t limit = high_limit(c, af);
	if ((al & 0xF) > 9 || af) {
		/* The 8086 does not take the borrow of this step into CF. */
		cf = old_cf || (al < 6 && !model_is_8086(c));
		al -= 6;
		af = true;
	} else {
		af = false;
	}
	if (old_al > limit || old_cf) {
		al -= 0x60;
		cf = true;
	}
	reg_set(c, R_EAX, 1, al);
	bool of = (old_al & 0x80) && !(al & 0x80);
	flags_szp(c, al, 1, FL_CF | FL_AF | FL_OF,
	          (cf ? FL_CF : 0) | (af ? FL_AF : 0) | (of ? FL_OF : 0));
}

/* AAA/AAS: the 8086 adjusts AL and AH separately; the 80286 and later add
 * 106h to AX as a whole, so a carry out of AL reaches AH. */
static void ascii_adjust(struct cpu *c, bool sub)
{
	uint32_t ax = c->r[R_EAX] & 0xFFFF;
	uint8_t al = ax & 0xFF, ah = ax >> 8;
	bool adj = (al & 0xF) > 9 || flag_af(c);
	if (adj) {
		if (model_is_8086(c)) {
			al = sub ? al - 6 : al + 6;
			ah = sub ? ah - 1 : ah + 1;
		} else {
			ax = sub ? ax - 6 : ax + 0x106;
			if (sub)
				ax -= 0x100;
			al = ax & 0xFF;
			ah = (ax >> 8) & 0xFF;
		}
	}
	reg_set(c, R_EAX, 2, (uint32_t)ah << 8 | (al & 0xF));
	flags_szp(c, al, 1, FL_CF | FL_AF | FL_OF, adj ? FL_CF | FL_AF : 0);
}

void exec_aaa(struct cpu *c, struct insn *i)
{
	(void)i;
	ascii_adjust(c, false);
}

void exec_aas(struct cpu *c, struct insn *i)
{
	(void)i;
	ascii_adjust(c, true);
}

void exec_aam(struct cpu *c, struct insn *i)
{
	uint8_t base = i->imm & 0xFF, al = c->r[R_EAX] & 0xFF;
	if (base == 0)
		cpu_fault_noerr(c, EX_DE);
	uint8_t q = al / base, r = al % base;
	reg_set(c, R_EAX, 2, (uint32_t)q << 8 | r);
	lazy_set(c, LF_LOGIC, 1, r, r, r);
}

/* AAD: AL = AL + AH * base through the adder, whose flags remain. */
void exec_aad(struct cpu *c, struct insn *i)
{
	uint8_t base = i->imm & 0xFF;
	uint8_t al = c->r[R_EAX] & 0xFF, ah = (c->r[R_EAX] >> 8) & 0xFF;
	uint8_t prod = (uint8_t)(ah * base);
	uint8_t r = alu(c, ALU_ADD, 1, al, prod);
	reg_set(c, R_EAX, 2, r);
}

/* SALC (D6, undocumented): AL = CF ? FFh : 00h, flags unchanged. */
void exec_salc(struct cpu *c, struct insn *i)
{
	(void)i;
	reg_set(c, R_EAX, 1, flag_cf(c) ? 0xFF : 0);
}
