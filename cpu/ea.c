/* Effective addresses, operands and memory accesses through segments, with
 * the limit checks of the CPU model. */
#include "cpu-internal.h"

void ea_compute(struct cpu *c, const struct insn *i)
{
	uint32_t off = i->disp;
	if (i->ea_base != EA_NONE)
		off += c->r[i->ea_base];
	if (i->ea_index != EA_NONE)
		off += c->r[i->ea_index] << i->ea_scale;
	c->ea_off = off & addr_mask(i);
	c->ea_seg = seg_or(i, i->ea_seg);
	c->ea_valid = true;
}

/* The stack segment faults with #SS, every other with #GP (SDM Vol 3 §6.15);
 * the 80286 in real mode raises #GP for both. */
static NORETURN void limit_fault(struct cpu *c, unsigned seg)
{
	bool ss = seg == SEG_SS && !(model_real_stack_fault_is_gp(c) && !c->pmode);
	cpu_fault(c, ss ? EX_SS : EX_GP, 0);
}

/* Is [off, off+size) inside the segment? Expand-down data segments hold the
 * offsets above the limit (SDM Vol 3 §3.4.5.1). */
static bool in_limit(const struct segment *s, uint32_t off, unsigned size)
{
	uint32_t last = off + size - 1;
	if ((s->attr & 0x1C) == 0x14) { /* data, expand-down */
		uint32_t top = (s->attr & 0x400) ? 0xFFFFFFFFu : 0xFFFFu;
		return off > s->limit && last <= top && last >= off;
	}
	return last >= off && last <= s->limit;
}

/* A data access the segment's type forbids (SEGA_* bits, set only by
 * protected-mode loads): a null selector, a write to code or read-only
 * data, a read of execute-only code.  #GP(0), or #SS(0) for SS (SDM Vol 3
 * §5.5, §6.15).  Real and V86 mode do not check types. */
static void access_check(struct cpu *c, unsigned seg, uint16_t deny)
{
	if ((c->seg[seg].attr & deny) && c->pmode && !(c->flags & FL_VM))
		cpu_fault(c, seg == SEG_SS ? EX_SS : EX_GP, 0);
}

/* Alignment check: CR0.AM, EFLAGS.AC and CPL 3 (V86 included) make a
 * misaligned data access raise #AC(0) (SDM Vol 3 §6.15, interrupt 17). */
static void align_check(struct cpu *c, uint32_t la, unsigned size)
{
	if ((c->flags & FL_AC) && c->cpl == 3 && (la & (size - 1)) && (c->cr0 & (1u << 18)))
		cpu_fault(c, EX_AC, 0);
}

bool seg_in_limit(const struct cpu *c, unsigned seg, uint32_t off, unsigned size)
{
	return !model_checks_limits(c) || in_limit(&c->seg[seg], off, size);
}

void seg_check(struct cpu *c, unsigned seg, uint32_t off, unsigned size, bool write)
{
	if (!model_checks_limits(c))
		return;
	access_check(c, seg, write ? SEGA_NOWRITE : SEGA_NOREAD);
	if (!in_limit(&c->seg[seg], off, size))
		limit_fault(c, seg);
}

/* The protected-mode checks of a data access (rights, limit, alignment),
 * then its linear address. */
static uint32_t seg_linear(struct cpu *c, unsigned seg, uint32_t off, unsigned size,
                           uint16_t deny)
{
	access_check(c, seg, deny);
	if (!in_limit(&c->seg[seg], off, size))
		limit_fault(c, seg);
	uint32_t la = c->seg[seg].base + off;
	align_check(c, la, size);
	return la;
}

uint32_t seg_read(struct cpu *c, unsigned seg, uint32_t off, unsigned size)
{
	const struct segment *s = &c->seg[seg];
	if (!model_checks_limits(c)) {
		/* The 8086 computes each byte's offset in 16 bits. */
		uint32_t v = 0;
		for (unsigned k = 0; k < size; k++)
			v |= (uint32_t)mmu_read8(c->mmu, s->base + ((off + k) & 0xFFFF)) << (8 * k);
		return v;
	}
	uint32_t la = seg_linear(c, seg, off, size, SEGA_NOREAD);
	switch (size) {
	case 1: return mmu_read8(c->mmu, la);
	case 2: return mmu_read16(c->mmu, la);
	default: return mmu_read32(c->mmu, la);
	}
}

void seg_write(struct cpu *c, unsigned seg, uint32_t off, unsigned size, uint32_t v)
{
	const struct segment *s = &c->seg[seg];
	if (!model_checks_limits(c)) {
		for (unsigned k = 0; k < size; k++)
			mmu_write8(c->mmu, s->base + ((off + k) & 0xFFFF), (v >> (8 * k)) & 0xFF);
		return;
	}
	uint32_t la = seg_linear(c, seg, off, size, SEGA_NOWRITE);
	switch (size) {
	case 1: mmu_write8(c->mmu, la, v); break;
	case 2: mmu_write16(c->mmu, la, v); break;
	default: mmu_write32(c->mmu, la, v); break;
	}
}

uint32_t rm_read(struct cpu *c, const struct insn *i, unsigned size)
{
	if (i->mod == 3)
		return reg_get(c, i->rm, size);
	if (!c->ea_valid)
		ea_compute(c, i);
	return seg_read(c, c->ea_seg, c->ea_off, size);
}

void rm_write(struct cpu *c, const struct insn *i, unsigned size, uint32_t v)
{
	if (i->mod == 3) {
		reg_set(c, i->rm, size, v);
		return;
	}
	if (!c->ea_valid)
		ea_compute(c, i);
	seg_write(c, c->ea_seg, c->ea_off, size, v);
}

/* An instruction fetch: CS limit as for a read, then an execute access. */
uint32_t fetch_code(struct cpu *c, uint32_t off, unsigned size)
{
	const struct segment *s = &c->seg[SEG_CS];
	if (!model_checks_limits(c))
		return mmu_fetch8(c->mmu, s->base + (off & 0xFFFF));
	if (!in_limit(s, off, size))
		limit_fault(c, SEG_CS);
	return mmu_fetch8(c->mmu, s->base + off);
}
