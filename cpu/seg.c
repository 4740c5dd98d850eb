/* Segment register loads and far transfers: real mode, V86 and protected
 * mode descriptors (SDM Vol 3 §3.4, §5.5-5.8). */
#include "cpu-internal.h"

static bool v86(const struct cpu *c)
{
	return c->flags & FL_VM;
}

bool desc_fetch(struct cpu *c, uint16_t sel, uint64_t *d)
{
	uint32_t base, limit;
	if (sel & 4) {
		/* The cache decides, not the selector: after reset LDTR is a
		 * valid table at 0 (SDM Vol 3 Table 9-1); LLDT 0 makes it invalid. */
		if (!(c->ldtr.attr & 0x80))
			return false;
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	} else {
		base = c->gdtr.base;
		limit = c->gdtr.limit;
	}
	uint32_t off = sel & 0xFFF8;
	if (off + 7 > limit)
		return false;
	*d = mmu_sys_read32(c->mmu, base + off) |
	     (uint64_t)mmu_sys_read32(c->mmu, base + off + 4) << 32;
	return true;
}

uint64_t desc_load(struct cpu *c, uint16_t sel, int vector)
{
	uint64_t d;
	if (!desc_fetch(c, sel, &d))
		cpu_fault(c, vector, sel & 0xFFFC);
	return d;
}

uint64_t desc_read(struct cpu *c, uint16_t sel)
{
	return desc_load(c, sel, EX_GP);
}

static uint32_t desc_addr(const struct cpu *c, uint16_t sel)
{
	return ((sel & 4) ? c->ldtr.base : c->gdtr.base) + (sel & 0xFFF8);
}

void desc_set_accessed(struct cpu *c, uint16_t sel)
{
	uint32_t a = desc_addr(c, sel) + 5;
	uint8_t v = mmu_sys_read8(c->mmu, a);
	if (!(v & 1))
		mmu_sys_write8(c->mmu, a, v | 1);
}

void desc_set_busy(struct cpu *c, uint16_t sel, bool busy)
{
	uint32_t a = c->gdtr.base + (sel & 0xFFF8) + 5;
	uint8_t v = mmu_sys_read8(c->mmu, a);
	mmu_sys_write8(c->mmu, a, busy ? v | 2 : v & ~2u);
}

/* The rights a data access needs (cpu/ea.c tests them). */
static uint16_t access_bits(unsigned a)
{
	if (!A_S(a))
		return SEGA_DENY;
	if (A_CODE(a))
		return (a & 0x2) ? SEGA_NOWRITE : SEGA_DENY;
	return (a & 0x2) ? 0 : SEGA_NOWRITE;
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
	s.attr |= access_bits(s.attr & 0xFF);
	return s;
}

struct segment seg_null(uint16_t sel)
{
	return (struct segment){ .sel = sel, .attr = SEGA_DENY };
}

static void set_stack_size(struct cpu *c)
{
	c->stack32 = c->pmode && !v86(c) && (c->seg[SEG_SS].attr & 0x400);
}

void seg_load_real(struct cpu *c, unsigned seg, uint16_t sel)
{
	struct segment *s = &c->seg[seg];
	s->sel = sel;
	s->base = (uint32_t)sel << 4;
	s->attr &= ~(uint16_t)SEGA_DENY;
	if (v86(c)) {
		s->limit = 0xFFFF;
		s->attr = seg == SEG_CS ? 0xFB : 0xF3;
	}
	if (seg == SEG_SS)
		set_stack_size(c);
	if (seg == SEG_CS) {
		c->code32 = c->dmode.code32 = false;
		if (v86(c))
			c->cpl = 3;
	}
}

void seg_load_checked(struct cpu *c, unsigned seg, uint16_t sel, unsigned cpl, int bad)
{
	unsigned rpl = sel & 3;
	uint16_t err = sel & 0xFFFC;
	if (err == 0) {
		if (seg == SEG_SS)
			cpu_fault(c, bad, 0);
		c->seg[seg] = seg_null(sel);
		return;
	}
	uint64_t d = desc_load(c, sel, bad);
	unsigned a = D_ACC(d);
	if (seg == SEG_SS) {
		if (rpl != cpl || !A_WRITABLE(a) || A_DPL(a) != cpl)
			cpu_fault(c, bad, err);
		if (!A_P(a))
			cpu_fault(c, EX_SS, err);
	} else {
		if (!A_READABLE(a))
			cpu_fault(c, bad, err);
		if (!A_CONFORMING(a) && (A_DPL(a) < cpl || A_DPL(a) < rpl))
			cpu_fault(c, bad, err);
		if (!A_P(a))
			cpu_fault(c, EX_NP, err);
	}
	desc_set_accessed(c, sel);
	c->seg[seg] = desc_to_cache(d | (1ull << 40), sel);
	if (seg == SEG_SS)
		set_stack_size(c);
}

void cpu_load_seg(struct cpu *c, unsigned seg, uint16_t sel)
{
	if (!c->pmode || v86(c))
		seg_load_real(c, seg, sel);
	else
		seg_load_checked(c, seg, sel, c->cpl, EX_GP);
}

void seg_null_outer(struct cpu *c)
{
	static const uint8_t data_segs[4] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
	for (int k = 0; k < 4; k++) {
		struct segment *s = &c->seg[data_segs[k]];
		unsigned a = s->attr & 0xFF;
		if ((s->sel & 0xFFFC) == 0 || (s->attr & SEGA_DENY) == SEGA_DENY)
			continue; /* null already */
		if (!A_CONFORMING(a) && A_DPL(a) < c->cpl)
			*s = seg_null(0);
	}
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
	unsigned a = D_ACC(d);
	if (!A_CODE(a))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (A_CONFORMING(a) ? A_DPL(a) > c->cpl : ((sel & 3u) > c->cpl || A_DPL(a) != c->cpl))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!A_P(a))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	return d;
}

void cpu_jump_far(struct cpu *c, uint16_t sel, uint32_t eip)
{
	if (!c->pmode || v86(c)) {
		c->seg[SEG_CS].sel = sel;
		c->seg[SEG_CS].base = (uint32_t)sel << 4;
		c->seg[SEG_CS].attr &= ~(uint16_t)SEGA_DENY;
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

/* The ring-n stack from the current TSS (SDM Vol 3 §7.2.1, §7.6). */
void tss_stack(struct cpu *c, unsigned cpl, uint16_t *ss, uint32_t *esp)
{
	bool tss32 = (c->tr.attr & 0x8) != 0;
	uint32_t off = tss32 ? 4 + 8 * cpl : 2 + 4 * cpl;
	if (off + (tss32 ? 7 : 3) > c->tr.limit) /* as the SDM's INT pseudo-code reads it */
		cpu_fault(c, EX_TS, c->tr.sel & 0xFFFC);
	if (tss32) {
		*esp = mmu_sys_read32(c->mmu, c->tr.base + off);
		*ss = mmu_sys_read16(c->mmu, c->tr.base + off + 4);
	} else {
		*esp = mmu_sys_read16(c->mmu, c->tr.base + off);
		*ss = mmu_sys_read16(c->mmu, c->tr.base + off + 2);
	}
}

void stack_switch_inner(struct cpu *c, unsigned cpl, uint32_t frame)
{
	uint16_t ss;
	uint32_t esp;
	tss_stack(c, cpl, &ss, &esp);
	/* A bad new stack is an invalid TSS; an absent one is #SS (SDM Vol 3
	 * §6.12.1.1, Vol 2 CALL). */
	seg_load_checked(c, SEG_SS, ss, cpl, EX_TS);
	uint32_t mask = stack_mask(c);
	uint32_t top = esp & mask;
	if (frame && !seg_in_limit(c, SEG_SS, (top - frame) & mask, frame))
		cpu_fault(c, EX_SS, ss & 0xFFFC);
	c->r[R_ESP] = c->stack32 ? esp : (c->r[R_ESP] & 0xFFFF0000u) | (esp & 0xFFFF);
}
