/* System instructions: HLT, CLI/STI, IN/OUT, CPUID, RDTSC, MSRs, control
 * and debug registers, the descriptor-table registers, LLDT/LTR, VERR/VERW,
 * LAR/LSL, ARPL, SYSENTER/SYSEXIT. */
#include "cpu-internal.h"

enum {
	MSR_TSC = 0x10,
	MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
	CPUID_SEP = 1 << 11,
	CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
	CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1u << 31,
	CR4_TSD = 1 << 2, CR4_PCE = 1 << 8,
};

static unsigned iopl(const struct cpu *c)
{
	return (c->flags >> 12) & 3;
}

/* Protected-mode I/O permission: CPL <= IOPL, or the TSS bitmap allows
 * every byte of the access (SDM Vol 1 §19.5). */
static void io_check(struct cpu *c, uint16_t port, unsigned size)
{
	if (!c->pmode || (c->cpl <= iopl(c) && !(c->flags & FL_VM)))
		return;
	if ((c->tr.attr & 0xF) != 0xB && (c->tr.attr & 0xF) != 0x9)
		cpu_gp0(c);
	if (c->tr.limit < 0x67)
		cpu_gp0(c);
	uint32_t map = mmu_sys_read16(c->mmu, c->tr.base + 0x66);
	uint32_t byte = map + port / 8;
	if (byte + 1 > c->tr.limit)
		cpu_gp0(c);
	uint16_t bits = mmu_sys_read16(c->mmu, c->tr.base + byte);
	if ((bits >> (port & 7)) & ((1u << size) - 1))
		cpu_gp0(c);
}

uint32_t cpu_io_in(struct cpu *c, uint16_t port, unsigned size)
{
	io_check(c, port, size);
	return c->bus ? bus_in(c->bus, port, size) : size_mask(size);
}

void cpu_io_out(struct cpu *c, uint16_t port, unsigned size, uint32_t v)
{
	io_check(c, port, size);
	if (c->bus)
		bus_out(c->bus, port, v & size_mask(size), size);
}

void exec_in(struct cpu *c, struct insn *i)
{
	uint16_t port = (i->op & 8) ? c->r[R_EDX] & 0xFFFF : i->imm & 0xFF;
	reg_set(c, R_EAX, i->width, cpu_io_in(c, port, i->width));
}

void exec_out(struct cpu *c, struct insn *i)
{
	uint16_t port = (i->op & 8) ? c->r[R_EDX] & 0xFFFF : i->imm & 0xFF;
	cpu_io_out(c, port, i->width, reg_get(c, R_EAX, i->width));
}

void exec_hlt(struct cpu *c, struct insn *i)
{
	(void)i;
	c->state = CPU_HALTED;
}

/* CLI and STI where CPL > IOPL: virtual-interrupt flags with CR4.VME in
 * V86 mode or CR4.PVI at CPL 3, #GP(0) otherwise (SDM Vol 2 CLI/STI,
 * Vol 3 §20.4).  Returns true when VIF is what changes. */
static bool virtual_if(struct cpu *c)
{
	if (!c->pmode || c->cpl <= iopl(c))
		return false;
	bool vme = (c->flags & FL_VM) ? (c->cr4 & 1) : c->cpl == 3 && (c->cr4 & 2);
	if (!vme)
		cpu_gp0(c);
	return true;
}

void exec_cli(struct cpu *c, struct insn *i)
{
	(void)i;
	c->flags &= virtual_if(c) ? ~(uint32_t)FL_VIF : ~(uint32_t)FL_IF;
}

/* STI: interrupts are recognised only after the next instruction. */
void exec_sti(struct cpu *c, struct insn *i)
{
	(void)i;
	if (virtual_if(c)) {
		if (c->flags & FL_VIP)
			cpu_gp0(c);
		c->flags |= FL_VIF;
		return;
	}
	if (!(c->flags & FL_IF))
		c->inhibit_irq = true;
	c->flags |= FL_IF;
}

/* CPUID reports exactly what the model table says amber implements. */
void exec_cpuid(struct cpu *c, struct insn *i)
{
	(void)i;
	const struct cpu_model_info *m = c->model;
	if (!m->cpuid_family)
		cpu_ud(c);
	uint32_t leaf = c->r[R_EAX];
	if (leaf > 1)
		leaf = 1; /* beyond the highest leaf: that leaf's data (Intel) */
	if (leaf == 0) {
		c->r[R_EAX] = 1;
		c->r[R_EBX] = 0x756E6547; /* "Genu" */
		c->r[R_EDX] = 0x49656E69; /* "ineI" */
		c->r[R_ECX] = 0x6C65746E; /* "ntel" */
	} else {
		c->r[R_EAX] = m->cpuid_family << 8 | m->cpuid_model << 4 | m->cpuid_stepping;
		c->r[R_EBX] = 0;
		c->r[R_ECX] = 0;
		c->r[R_EDX] = m->cpuid_features;
	}
}

/* The TSC runs at the model's clock rate off the virtual clock, so it
 * follows real time by default and the instruction count with -icount. */
#define TSC_MHZ 400
static uint64_t tsc_now(const struct cpu *c)
{
	if (c->time_ns)
		return c->tsc + (uint64_t)c->time_ns(c->time_opaque) * TSC_MHZ / 1000;
	return c->tsc + c->icount;
}

void exec_rdtsc(struct cpu *c, struct insn *i)
{
	(void)i;
	if ((c->cr4 & CR4_TSD) && c->cpl > 0 && c->pmode)
		cpu_gp0(c);
	uint64_t t = tsc_now(c);
	c->r[R_EAX] = (uint32_t)t;
	c->r[R_EDX] = (uint32_t)(t >> 32);
}

static bool has_sep(const struct cpu *c)
{
	return c->model->cpuid_features & CPUID_SEP;
}

/* The P6 memory type range registers (SDM Vol 3 §11.11): storage with
 * the architectural checks; amber's memory has no cache to type.
 * MTRRcap: 8 variable ranges, the fixed ranges, write-combining. */
enum { MSR_MTRRCAP = 0xFE, MSR_MTRR_DEF_TYPE = 0x2FF, MTRRCAP_P6 = 0x508 };
static const uint16_t mtrr_fixed_msr[11] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26A, 0x26B, 0x26C, 0x26D, 0x26E, 0x26F,
};
#define MTRR_PHYS_MASK 0xFFFFFF000ull   /* 36-bit physical addresses */

static bool has_mtrr(const struct cpu *c)
{
	return c->model->cpuid_features & (1u << 12);
}

/* Memory types: UC WC WT WP WB (0 1 4 5 6); the rest is reserved. */
static bool mtrr_type_ok(unsigned t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* The register an MTRR MSR number names, or NULL. */
static uint64_t *mtrr_reg(struct cpu *c, uint32_t msr)
{
	if (!has_mtrr(c))
		return NULL;
	if (msr == MSR_MTRR_DEF_TYPE)
		return &c->mtrr.def_type;
	if (msr >= 0x200 && msr < 0x210)
		return msr & 1 ? &c->mtrr.mask[(msr - 0x200) / 2] : &c->mtrr.base[(msr - 0x200) / 2];
	for (unsigned k = 0; k < 11; k++)
		if (mtrr_fixed_msr[k] == msr)
			return &c->mtrr.fixed[k];
	return NULL;
}

/* WRMSR to an MTRR: #GP for reserved bits or memory types. */
static void mtrr_write(struct cpu *c, uint32_t msr, uint64_t v, uint64_t *r)
{
	bool ok;
	if (msr == MSR_MTRR_DEF_TYPE) {
		ok = !(v & ~0xCFFull) && mtrr_type_ok(v & 0xFF);
	} else if (msr >= 0x200 && msr < 0x210) {
		if (msr & 1)
			ok = !(v & ~(MTRR_PHYS_MASK | 0x800));
		else
			ok = !(v & ~(MTRR_PHYS_MASK | 0xFF)) && mtrr_type_ok(v & 0xFF);
	} else {
		ok = true;
		for (unsigned b = 0; b < 64; b += 8)
			ok = ok && mtrr_type_ok((v >> b) & 0xFF);
	}
	if (!ok)
		cpu_gp0(c);
	*r = v;
}

void exec_rdmsr(struct cpu *c, struct insn *i)
{
	(void)i;
	uint64_t v;
	switch (c->r[R_ECX]) {
	case MSR_TSC: v = tsc_now(c); break;
	case MSR_SYSENTER_CS: if (!has_sep(c)) cpu_gp0(c); v = c->sysenter_cs; break;
	case MSR_SYSENTER_ESP: if (!has_sep(c)) cpu_gp0(c); v = c->sysenter_esp; break;
	case MSR_SYSENTER_EIP: if (!has_sep(c)) cpu_gp0(c); v = c->sysenter_eip; break;
	case MSR_MTRRCAP: if (!has_mtrr(c)) cpu_gp0(c); v = MTRRCAP_P6; break;
	default: {
		uint64_t *r = mtrr_reg(c, c->r[R_ECX]);
		if (!r)
			cpu_gp0(c);
		v = *r;
	}
	}
	c->r[R_EAX] = (uint32_t)v;
	c->r[R_EDX] = (uint32_t)(v >> 32);
}

void exec_wrmsr(struct cpu *c, struct insn *i)
{
	(void)i;
	uint64_t v = (uint64_t)c->r[R_EDX] << 32 | c->r[R_EAX];
	switch (c->r[R_ECX]) {
	case MSR_TSC: c->tsc = 0; c->tsc = v - tsc_now(c); break;
	case MSR_SYSENTER_CS: if (!has_sep(c)) cpu_gp0(c); c->sysenter_cs = (uint32_t)v; break;
	case MSR_SYSENTER_ESP: if (!has_sep(c)) cpu_gp0(c); c->sysenter_esp = (uint32_t)v; break;
	case MSR_SYSENTER_EIP: if (!has_sep(c)) cpu_gp0(c); c->sysenter_eip = (uint32_t)v; break;
	default: {
		uint64_t *r = mtrr_reg(c, c->r[R_ECX]);
		if (!r)   /* MTRRcap is read-only: #GP too */
			cpu_gp0(c);
		mtrr_write(c, c->r[R_ECX], v, r);
	}
	}
}

/* No performance counters are modelled: both P6 counters read zero. */
void exec_rdpmc(struct cpu *c, struct insn *i)
{
	(void)i;
	if (c->r[R_ECX] > 1 || (c->pmode && c->cpl > 0 && !(c->cr4 & CR4_PCE)))
		cpu_gp0(c);
	c->r[R_EAX] = c->r[R_EDX] = 0;
}

/* Sets CR0 and the mode bits that follow from it. */
static void set_cr0(struct cpu *c, uint32_t v)
{
	if ((v & CR0_PG) && !(v & CR0_PE))
		cpu_gp0(c);
	if ((v & CR0_NW) && !(v & CR0_CD))
		cpu_gp0(c);
	if (c->model->gen >= GEN_486)
		v |= CR0_ET;
	else
		v &= CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_PG;
	if (cpu_set_paging(c, v, c->cr3, c->cr4) < 0)
		cpu_gp0(c);
	c->cr0 = v;
	c->pmode = v & CR0_PE;
	if (!c->pmode)
		c->cpl = 0;
}

void exec_mov_r_cr(struct cpu *c, struct insn *i)
{
	uint32_t v;
	switch (i->reg) {
	case 0: v = c->cr0; break;
	case 2: v = c->cr2; break;
	case 3: v = c->cr3; break;
	case 4: if (c->model->gen < GEN_586) cpu_ud(c); v = c->cr4; break;
	default: cpu_ud(c);
	}
	c->r[i->rm] = v;
}

void exec_mov_cr_r(struct cpu *c, struct insn *i)
{
	uint32_t v = c->r[i->rm];
	switch (i->reg) {
	case 0: set_cr0(c, v); break;
	case 2: c->cr2 = v; break;
	case 3:
		cpu_load_cr3(c, v);
		break;
	case 4:
		if (c->model->gen < GEN_586)
			cpu_ud(c);
		if (v & ~c->model->cr4_valid)
			cpu_gp0(c);
		if (cpu_set_paging(c, c->cr0, c->cr3, v) < 0)
			cpu_gp0(c);
		c->cr4 = v;
		break;
	default: cpu_ud(c);
	}
}

/* DR4/DR5 are aliases of DR6/DR7 while CR4.DE is clear (SDM Vol 3 §17.2.2). */
static unsigned dr_index(struct cpu *c, unsigned n)
{
	if (n == 4 || n == 5) {
		if (c->cr4 & 0x8)
			cpu_ud(c);
		n += 2;
	}
	return n;
}

void exec_mov_r_dr(struct cpu *c, struct insn *i)
{
	c->r[i->rm] = c->dr[dr_index(c, i->reg)];
}

void exec_mov_dr_r(struct cpu *c, struct insn *i)
{
	unsigned n = dr_index(c, i->reg);
	uint32_t v = c->r[i->rm];
	if (n == 6)
		v = (v & 0xE00F) | 0xFFFF0FF0;
	else if (n == 7)
		v = (v & ~0xD800u) | 0x400;
	c->dr[n] = v;
}

void exec_clts(struct cpu *c, struct insn *i)
{
	(void)i;
	c->cr0 &= ~(uint32_t)CR0_TS;
}

/* No caches are modelled, so there is nothing to write back. */
void exec_invd(struct cpu *c, struct insn *i)
{
	(void)c;
	(void)i;
}

/* LMSW loads PE MP EM TS; it can set PE but never clear it. */
void exec_lmsw(struct cpu *c, struct insn *i)
{
	uint32_t v = rm_read(c, i, 2) & 0xF;
	if (c->cr0 & CR0_PE)
		v |= CR0_PE;
	set_cr0(c, (c->cr0 & ~0xFu) | v);
}

void exec_smsw(struct cpu *c, struct insn *i)
{
	rm_write(c, i, i->mod == 3 ? i->osize : 2, c->cr0 & (i->mod == 3 && i->osize == 4 ? ~0u : 0xFFFF));
}

/* SGDT/SIDT store a 16-bit limit and a 32-bit base; the 286 stores a
 * 24-bit base with FFh above it (SDM Vol 2 SGDT). */
static void store_dtr(struct cpu *c, struct insn *i, uint16_t limit, uint32_t base)
{
	ea_compute(c, i);
	if (c->model->gen == GEN_286)
		base |= 0xFF000000u;
	seg_check(c, c->ea_seg, c->ea_off, 6, true);
	seg_write(c, c->ea_seg, c->ea_off, 2, limit);
	seg_write(c, c->ea_seg, (c->ea_off + 2) & addr_mask(i), 4, base);
}

static void load_dtr(struct cpu *c, struct insn *i, uint16_t *limit, uint32_t *base)
{
	ea_compute(c, i);
	uint16_t l = seg_read(c, c->ea_seg, c->ea_off, 2);
	uint32_t b = seg_read(c, c->ea_seg, (c->ea_off + 2) & addr_mask(i), 4);
	*limit = l;
	*base = i->osize == 2 ? b & 0xFFFFFF : b;
}

void exec_sgdt(struct cpu *c, struct insn *i) { store_dtr(c, i, c->gdtr.limit, c->gdtr.base); }
void exec_sidt(struct cpu *c, struct insn *i) { store_dtr(c, i, c->idtr.limit, c->idtr.base); }
void exec_lgdt(struct cpu *c, struct insn *i) { load_dtr(c, i, &c->gdtr.limit, &c->gdtr.base); }
void exec_lidt(struct cpu *c, struct insn *i) { load_dtr(c, i, &c->idtr.limit, &c->idtr.base); }

void exec_invlpg(struct cpu *c, struct insn *i)
{
	ea_compute(c, i);
	mmu_invlpg(c->mmu, c->seg[c->ea_seg].base + c->ea_off);
}

/* Tells the mmu about CR0/CR3/CR4 as they are about to be; -1 when a PAE
 * PDPTE has reserved bits set (the caller raises #GP(0)). */
int cpu_set_paging(struct cpu *c, uint32_t cr0, uint32_t cr3, uint32_t cr4)
{
	return mmu_set_paging(c->mmu, c->model->gen >= GEN_386 ? cr0 : 0, cr3, cr4);
}

/* MOV CR3 and task switches: the PDBR with the flushes a load implies. */
void cpu_load_cr3(struct cpu *c, uint32_t v)
{
	if (cpu_set_paging(c, c->cr0, v, c->cr4) < 0)
		cpu_gp0(c);
	c->cr3 = v;
}

/* These exist only in protected mode; real and V86 mode raise #UD. */
static void require_pmode(struct cpu *c)
{
	if (!c->pmode || (c->flags & FL_VM))
		cpu_ud(c);
}

void exec_sldt(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	rm_write(c, i, i->mod == 3 ? i->osize : 2, c->ldtr.sel);
}

void exec_str(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	rm_write(c, i, i->mod == 3 ? i->osize : 2, c->tr.sel);
}

void exec_lldt(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	if (c->cpl)
		cpu_gp0(c);
	uint16_t sel = rm_read(c, i, 2);
	if ((sel & 0xFFFC) == 0) {
		c->ldtr = (struct segment){ .sel = sel };
		return;
	}
	if (sel & 4)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	uint64_t d = desc_read(c, sel);
	unsigned a = (d >> 40) & 0xFF;
	if ((a & 0x1F) != 0x02)
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!(a & 0x80))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	c->ldtr = desc_to_cache(d, sel);
}

void exec_ltr(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	if (c->cpl)
		cpu_gp0(c);
	uint16_t sel = rm_read(c, i, 2);
	if ((sel & 0xFFFC) == 0 || (sel & 4))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	uint64_t d = desc_read(c, sel);
	unsigned a = (d >> 40) & 0xFF;
	if (((a & 0x1F) != 0x01 && (a & 0x1F) != 0x09) || !sys_type_exists(c, a & 0xF))
		cpu_fault(c, EX_GP, sel & 0xFFFC);
	if (!(a & 0x80))
		cpu_fault(c, EX_NP, sel & 0xFFFC);
	/* Mark the TSS busy in its descriptor. */
	uint32_t at = c->gdtr.base + (sel & 0xFFF8) + 5;
	mmu_sys_write8(c->mmu, at, mmu_sys_read8(c->mmu, at) | 2);
	c->tr = desc_to_cache(d | (2ull << 40), sel);
}

/* Is the descriptor of sel visible at CPL/RPL for LAR/LSL/VERR/VERW?
 * Returns its access byte, or -1. */
static int visible_desc(struct cpu *c, uint16_t sel, uint64_t *dout)
{
	if ((sel & 0xFFFC) == 0)
		return -1;
	uint32_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
	uint32_t limit = (sel & 4) ? c->ldtr.limit : c->gdtr.limit;
	if ((sel & 0xFFF8) + 7u > limit)
		return -1;
	uint64_t d = mmu_sys_read32(c->mmu, base + (sel & 0xFFF8)) |
	             (uint64_t)mmu_sys_read32(c->mmu, base + (sel & 0xFFF8) + 4) << 32;
	unsigned a = (d >> 40) & 0xFF, dpl = (a >> 5) & 3;
	bool conforming = (a & 0x1C) == 0x1C;
	if (!conforming && (dpl < c->cpl || dpl < (sel & 3u)))
		return -1;
	*dout = d;
	return (int)a;
}

static void set_zf(struct cpu *c, bool z)
{
	flags_set_arith(c, FL_ZF, z ? FL_ZF : 0);
}

void exec_verr(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	uint64_t d;
	int a = visible_desc(c, rm_read(c, i, 2), &d);
	set_zf(c, a >= 0 && (a & 0x10) && (!(a & 0x8) || (a & 0x2)));
}

void exec_verw(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	uint64_t d;
	int a = visible_desc(c, rm_read(c, i, 2), &d);
	set_zf(c, a >= 0 && (a & 0x10) && !(a & 0x8) && (a & 0x2));
}

/* System descriptor types LAR (and, without gates, LSL) accept. */
static bool lar_type_ok(unsigned a, bool lsl)
{
	if (a & 0x10)
		return true;
	switch (a & 0xF) {
	case 1: case 2: case 3: case 9: case 0xB: return true;
	case 4: case 5: case 0xC: return !lsl;
	}
	return false;
}

void exec_lar(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	uint64_t d;
	int a = visible_desc(c, rm_read(c, i, 2), &d);
	if (a < 0 || !lar_type_ok(a, false)) {
		set_zf(c, false);
		return;
	}
	reg_set(c, i->reg, i->osize, (uint32_t)(d >> 32) & 0x00F0FF00u);
	set_zf(c, true);
}

void exec_lsl(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	uint64_t d;
	int a = visible_desc(c, rm_read(c, i, 2), &d);
	if (a < 0 || !lar_type_ok(a, true)) {
		set_zf(c, false);
		return;
	}
	reg_set(c, i->reg, i->osize, desc_to_cache(d, 0).limit);
	set_zf(c, true);
}

void exec_arpl(struct cpu *c, struct insn *i)
{
	require_pmode(c);
	uint16_t d = rm_read(c, i, 2), s = reg_get(c, i->reg, 2);
	if ((d & 3) < (s & 3)) {
		rm_write(c, i, 2, (d & ~3u) | (s & 3));
		set_zf(c, true);
	} else {
		set_zf(c, false);
	}
}

/* SYSENTER/SYSEXIT load flat segments derived from SYSENTER_CS (SDM Vol 2). */
static void flat_seg(struct segment *s, uint16_t sel, uint16_t attr)
{
	*s = (struct segment){ .base = 0, .limit = 0xFFFFFFFFu, .sel = sel,
	                       .attr = attr | ((attr & 0x8) ? SEGA_NOWRITE : 0) };
}

void exec_sysenter(struct cpu *c, struct insn *i)
{
	(void)i;
	if (!c->pmode || (c->sysenter_cs & 0xFFFC) == 0)
		cpu_gp0(c);
	c->flags &= ~(uint32_t)(FL_VM | FL_IF | FL_RF);
	flat_seg(&c->seg[SEG_CS], c->sysenter_cs & 0xFFFC, 0xC9B);
	flat_seg(&c->seg[SEG_SS], (c->sysenter_cs + 8) & 0xFFFC, 0xC93);
	c->cpl = 0;
	c->code32 = c->stack32 = c->dmode.code32 = true;
	c->r[R_ESP] = c->sysenter_esp;
	c->eip = c->sysenter_eip;
}

void exec_sysexit(struct cpu *c, struct insn *i)
{
	(void)i;
	if (!c->pmode || c->cpl != 0 || (c->sysenter_cs & 0xFFFC) == 0)
		cpu_gp0(c);
	flat_seg(&c->seg[SEG_CS], ((c->sysenter_cs + 16) & 0xFFFC) | 3, 0xCFB);
	flat_seg(&c->seg[SEG_SS], ((c->sysenter_cs + 24) & 0xFFFC) | 3, 0xCF3);
	c->cpl = 3;
	c->code32 = c->stack32 = c->dmode.code32 = true;
	c->r[R_ESP] = c->r[R_ECX];
	c->eip = c->r[R_EDX];
}
