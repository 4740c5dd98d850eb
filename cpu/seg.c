/* Segment register loads and far transfers: real mode, V86 and protected
 * mode descriptors (SDM Vol 3 §3.4, §5.5-5.8). */
#include "cpu-internal.h"

/* Descriptor access-byte fields. */
#define D_TYPE(a)   ((a) & 0xF)
#define D_S(a)      (((a) >> 4) & 1)
#define D_DPL(a)    (((a) >> 5) & 3)
#define D_P(a)      (((a) >> 7) & 1)
#define D_CODE(a)   (D_S(a) && ((a) & 0x8))
#define D_CONFORMING(a) (D_CODE(a) && ((a) & 0x4))
#define D_READABLE(a) (!D_CODE(a) || ((a) & 0x2))
#define D_WRITABLE(a) (D_S(a) && !((a) & 0x8) && ((a) & 0x2))

static bool v86(const struct cpu *c)
{
	return c->flags & FL_VM;
}

/* Reads the 8-byte descriptor of sel from the GDT or LDT; #GP(sel) when it
 * lies beyond the table's limit. */
uint64_t desc_read(struct cpu *c, uint16_t sel)
{
	uint32_t base, limit;
	if (sel & 4) {
		base = c->ldtr.base;
		limit = c->ldtr.limit;
		if (!(c->ldtr.attr & 0x80))
			cpu_fault(c, EX_GP, sel & 0xFFFC);
	} else {
		base = c->gdtr.base;
		limit = c->gdtr.limit;
	}
	uint32_t off = sel & 0xFFF8;
	if (off + 7 > limit)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	return mmu_sys_read32(c->mmu, base + off) | (uint64_t)mmu_sys_read32(c->mmu, base + off + 4) << 32;
}

void desc_set_accessed(struct cpu *c, uint16_t sel)
{
	uint32_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
	uint32_t a = base + (sel & 0xFFF8) + 5;
	uint8_t v = mmu_sys_read8(c->mmu, a);
	if (!(v & 1))
		mmu_sys_write8(c->mmu, a, v | 1);
}

struct segment desc_to_cache(uint64_t d, uint16_t sel)
{
	struct segment s;
	s.sel = sel;
	s.base = (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)((d >> 56) & 0xFF) << 24;
	s.limit = (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16;
	s.attr = (uint16_t)(((d >> 40) & 0xFF) | ((d >> 52) & 0xF) << 8);
	if (s.attr & 0x800)
		s.limit = s.limit << 12 | 0xFFF;
	return s;
}

static void set_stack_size(struct cpu *c)
{
	c->stack32 = c->pmode && !v86(c) && (c->seg[SEG_SS].attr & 0x400);
}

void cpu_load_seg(struct cpu *c, unsigned seg, uint16_t sel)
{
	if (!c->pmode || v86(c)) {
		c->seg[seg].sel = sel;
		c->seg[seg].base = (uint32_t)sel << 4;
		if (v86(c)) {
			c->seg[seg].limit = 0xFFFF;
			c->seg[seg].attr = 0xF3;
		}
		if (seg == SEG_SS)
			set_stack_size(c);
		return;
	}
	unsigned rpl = sel & 3;
	if ((sel & 0xFFFC) == 0) {
		if (seg == SEG_SS)
			cpu_fault(c, EX_GP, 0);
		c->seg[seg] = (struct segment){ .sel = sel };
		return;
	}
	uint64_t d = desc_read(c, sel);
	uint16_t a = (d >> 40) & 0xFF;
	if (seg == SEG_SS) {
		if (rpl != c->cpl || !D_WRITABLE(a) || D_DPL(a) != c->cpl)
			cpu_fault(c, EX_GP, sel & 0xFFFC);
		if (!D_P(a))
			cpu_fault(c, EX_SS, sel & 0xFFFC);
	} else {
		if (!D_S(a) || !D_READABLE(a))
			cpu_fault(c, EX_GP, sel & 0xFFFC);
		if (!D_CONFORMING(a) && (D_DPL(a) < c->cpl || D_DPL(a) < rpl))
			cpu_fault(c, EX_GP, sel & 0xFFFC);
		if (!D_P(a))
			cpu_fault(c, EX_NP, sel & 0xFFFC);
	}
	desc_set_accessed(c, sel);
	c->seg[seg] = desc_to_cache(d | (1ull << 40), sel);
	if (seg == SEG_SS)
		set_stack_size(c);
}

/* Loads CS for a far JMP/CALL/RET/IRET to a code segment at privilege cpl. */
void cpu_load_cs(struct cpu *c, uint16_t sel, uint64_t d, unsigned cpl)
{
	desc_set_accessed(c, sel);
	c->seg[SEG_CS] = desc_to_cache(d | (1ull << 40), (sel & 0xFFFC) | cpl);
	c->cpl = cpl;
	c->code32 = (c->seg[SEG_CS].attr & 0x400) != 0;
	c->dmode.code32 = c->code32;
}

/* Checks a code-segment descriptor as the target of a direct far JMP/CALL
 * (SDM Vol 3 §5.8.1); returns the descriptor. */
uint64_t check_code_target(struct cpu *c, uint16_t sel)
{
	if ((sel & 0xFFFC) == 0)
		cpu_fault(c, EX_GP, 0);
	uint64_t d = desc_read(c, sel);
	uint16_t a = (d >> 40) & 0xFF;
	if (!D_CODE(a))
		cpu_fault(c, EX_GP, sel & 0xFFFC); /* gates and TSSs: protected-mode issue */
	if (D_CONFORMING(a) ? D_DPL(a) > c->cpl : ((sel & 3) > c->cpl || D_DPL(a) != c->cpl))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!D_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	return d;
}

void cpu_jump_far(struct cpu *c, uint16_t sel, uint32_t eip)
{
	if (!c->pmode || v86(c)) {
		c->seg[SEG_CS].sel = sel;
		c->seg[SEG_CS].base = (uint32_t)sel << 4;
		c->eip = eip;
		return;
	}
	uint64_t d = check_code_target(c, sel);
	struct segment s = desc_to_cache(d, sel);
	if (eip > s.limit)
		cpu_fault(c, EX_GP, 0);
	cpu_load_cs(c, sel, d, c->cpl);
	c->eip = eip;
}
