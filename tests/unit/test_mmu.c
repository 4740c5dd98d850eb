/* The page walker, the softmmu TLB and the shadow page-table cache, driven
 * directly through the mmu interface (no CPU): page tables are built in
 * guest RAM, faults come back through the page-fault hook. */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>

#include "mmu.h"

enum { P = 1, W = 2, U = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100 };
enum { CR0_PG = 1u << 31, CR0_WP = 1 << 16, CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_PGE = 1 << 7 };

static struct mmu m;
static uint8_t cpl;
static jmp_buf fault_jb;
static uint32_t fault_la, fault_err;
static int faults;

static void on_fault(void *opaque, uint32_t la, uint32_t err)
{
	(void)opaque;
	fault_la = la;
	fault_err = err;
	faults++;
	longjmp(fault_jb, 1);
}

static void setup(void)
{
	cr_assert_eq(mmu_init(&m, 16u << 20), 0);
	m.cpl = &cpl;
	m.page_fault = on_fault;
	cpl = 0;
	faults = 0;
}

static void teardown(void)
{
	mmu_free(&m);
}

static void put32(uint32_t pa, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		phys_write8(&m, pa + k, (uint8_t)(v >> (8 * k)));
}

static uint32_t get32(uint32_t pa)
{
	uint32_t v = 0;
	for (int k = 0; k < 4; k++)
		v |= (uint32_t)phys_read8(&m, pa + k) << (8 * k);
	return v;
}

/* Page directory at 0x10000, one page table at 0x11000 covering 0-4 MiB. */
#define PD 0x10000u
#define PT 0x11000u

static void map4k(uint32_t pd, uint32_t pt, uint32_t la, uint32_t pa, uint32_t flags)
{
	put32(pd + (la >> 22) * 4, pt | P | W | U);
	put32(pt + ((la >> 12) & 0x3FF) * 4, pa | flags);
}

/* Runs an access; returns the #PF error code + 1, or 0 when it did not fault. */
#define TRY(expr) (setjmp(fault_jb) ? (int)fault_err + 1 : ((expr), 0))

TestSuite(mmu, .init = setup, .fini = teardown);

Test(mmu, walk_4k_and_accessed_dirty)
{
	map4k(PD, PT, 0x400000 - 0x1000, 0x200000, P | W);
	map4k(PD, PT, 0x5000, 0x300000, P | W);
	put32(0x300010, 0xCAFEBABE);
	cr_assert_eq(mmu_set_paging(&m, CR0_PG, PD, 0), 0);
	cr_assert_eq(mmu_read32(&m, 0x5010), 0xCAFEBABE);
	uint32_t pte = get32(PT + 5 * 4);
	cr_assert(pte & A, "the walk sets A");
	cr_assert(!(pte & D), "a read does not set D");
	cr_assert(get32(PD) & A, "the PDE gets A too");
	mmu_write32(&m, 0x5020, 0x12345678);
	cr_assert(get32(PT + 5 * 4) & D, "a write sets D");
	cr_assert_eq(get32(0x300020), 0x12345678);
}

Test(mmu, not_present_fault_code_and_address)
{
	map4k(PD, PT, 0x5000, 0x300000, P | W);
	mmu_set_paging(&m, CR0_PG, PD, 0);
	cr_assert_eq(TRY(mmu_read8(&m, 0x6004)), 0 + 1, "not present, read, supervisor");
	cr_assert_eq(fault_la, 0x6004);
	cpl = 3;
	cr_assert_eq(TRY(mmu_write8(&m, 0x7000, 1)), (PF_W | PF_U) + 1);
	cr_assert_eq(TRY(mmu_read8(&m, 0x800000)), PF_U + 1, "no page table at all");
}

Test(mmu, user_supervisor_and_wp)
{
	map4k(PD, PT, 0x5000, 0x300000, P);         /* supervisor, read-only */
	map4k(PD, PT, 0x6000, 0x301000, P | U);     /* user, read-only */
	mmu_set_paging(&m, CR0_PG, PD, 0);
	cr_assert_eq(TRY(mmu_write8(&m, 0x5000, 1)), 0, "supervisor writes read-only pages without WP");
	mmu_set_paging(&m, CR0_PG | CR0_WP, PD, 0);
	cr_assert_eq(TRY(mmu_write8(&m, 0x5000, 1)), (PF_P | PF_W) + 1, "WP protects them");
	cpl = 3;
	cr_assert_eq(TRY(mmu_read8(&m, 0x5000)), (PF_P | PF_U) + 1, "user may not read a supervisor page");
	cr_assert_eq(TRY(mmu_read8(&m, 0x6000)), 0);
	cr_assert_eq(TRY(mmu_write8(&m, 0x6000, 1)), (PF_P | PF_W | PF_U) + 1);
	cr_assert_eq(TRY(mmu_sys_read8(&m, 0x5000)), 0, "implicit supervisor accesses at CPL 3");
}

Test(mmu, pse_4m_pages)
{
	put32(PD + 2 * 4, 0x00C00000 | P | W | PS);  /* 8-12 MiB -> 12-16 MiB */
	put32(0xC12345, 0x11223344);
	mmu_set_paging(&m, CR0_PG, PD, CR4_PSE);
	cr_assert_eq(mmu_read32(&m, 0x812345), 0x11223344);
	mmu_write8(&m, 0x800000, 7);
	cr_assert(get32(PD + 8) & D, "D lands in the 4 MiB PDE");
}

Test(mmu, tlb_hit_needs_no_walk_and_invlpg_drops)
{
	map4k(PD, PT, 0x5000, 0x300000, P | W);
	mmu_set_paging(&m, CR0_PG, PD, 0);
	mmu_read8(&m, 0x5000);
	uint64_t w = m.stats.walks, f = m.stats.tlb_fills;
	mmu_read8(&m, 0x5001);
	mmu_write8(&m, 0x5002, 1);  /* D set by a walk once */
	mmu_write8(&m, 0x5003, 1);
	cr_assert_eq(m.stats.tlb_fills - f, 1, "one fill for the first write only");
	mmu_invlpg(&m, 0x5000);
	w = m.stats.walks;
	mmu_read8(&m, 0x5000);
	cr_assert_eq(m.stats.walks - w, 1, "INVLPG forces a new walk");
}

Test(mmu, pte_write_seen_by_next_access_without_invlpg)
{
	map4k(PD, PT, 0x5000, 0x300000, P | W);
	put32(0x300000, 0xAAAA0000);
	put32(0x301000, 0xBBBB0000);
	mmu_set_paging(&m, CR0_PG, PD, 0);
	cr_assert_eq(mmu_read32(&m, 0x5000), 0xAAAA0000);
	/* The guest rewrites its PTE through a linear mapping of the table. */
	map4k(PD, PT, 0x7000, PT, P | W);
	mmu_write32(&m, 0x7000 + 5 * 4, 0x301000 | P | W);
	cr_assert_eq(mmu_read32(&m, 0x5000), 0xBBBB0000, "no stale translation after a PTE write");
	mmu_write32(&m, 0x7000 + 5 * 4, 0);
	cr_assert_eq(TRY(mmu_read32(&m, 0x5000)), 0 + 1, "a cleared PTE faults at once");
}

Test(mmu, pde_and_directory_writes_are_seen)
{
	map4k(PD, PT, 0x5000, 0x300000, P | W);
	map4k(PD, PT, 0x6000, PD, P | W);            /* the directory, mapped */
	put32(0x12000 + 5 * 4, 0x302000 | P | W);    /* a second table */
	put32(0x300000, 1);
	put32(0x302000, 2);
	mmu_set_paging(&m, CR0_PG, PD, 0);
	cr_assert_eq(mmu_read32(&m, 0x5000), 1);
	mmu_write32(&m, 0x6000, 0x12000 | P | W);     /* PDE 0 -> the second table */
	cr_assert_eq(mmu_read32(&m, 0x5000), 2, "a PDE write is seen by the next access");
}

Test(mmu, recent_cr3_needs_no_walk)
{
	/* Two address spaces mapping 0x5000 differently. */
	map4k(PD, PT, 0x5000, 0x300000, P | W | A | D);
	map4k(0x20000, 0x21000, 0x5000, 0x301000, P | W | A | D);
	put32(0x300000, 1);
	put32(0x301000, 2);
	mmu_set_paging(&m, CR0_PG, PD, 0);
	cr_assert_eq(mmu_read32(&m, 0x5000), 1);
	mmu_set_paging(&m, CR0_PG, 0x20000, 0);
	cr_assert_eq(mmu_read32(&m, 0x5000), 2);
	uint64_t w = m.stats.walks;
	mmu_set_paging(&m, CR0_PG, PD, 0);
	cr_assert_eq(mmu_read32(&m, 0x5000), 1);
	mmu_set_paging(&m, CR0_PG, 0x20000, 0);
	cr_assert_eq(mmu_read32(&m, 0x5000), 2);
	cr_assert_eq(m.stats.walks, w, "switching back to a recent CR3 walks nothing");
	cr_assert_geq(m.stats.shadow_hits, 2);
}

Test(mmu, shadow_off_walks_again)
{
	mmu_set_shadow(&m, false);
	map4k(PD, PT, 0x5000, 0x300000, P | W | A | D);
	map4k(0x20000, 0x21000, 0x5000, 0x301000, P | W | A | D);
	mmu_set_paging(&m, CR0_PG, PD, 0);
	mmu_read32(&m, 0x5000);
	mmu_set_paging(&m, CR0_PG, 0x20000, 0);
	mmu_read32(&m, 0x5000);
	uint64_t w = m.stats.walks;
	mmu_set_paging(&m, CR0_PG, PD, 0);
	mmu_read32(&m, 0x5000);
	cr_assert_eq(m.stats.walks - w, 1);
}

Test(mmu, cr3_reload_keeps_global_pages)
{
	map4k(PD, PT, 0x5000, 0x300000, P | W | G);
	map4k(PD, PT, 0x6000, 0x301000, P | W);
	mmu_set_paging(&m, CR0_PG, PD, CR4_PGE);
	mmu_read8(&m, 0x5000);
	mmu_read8(&m, 0x6000);
	mmu_set_shadow(&m, false);
	mmu_set_paging(&m, CR0_PG, PD, CR4_PGE); /* reload */
	uint64_t f = m.stats.tlb_fills;
	mmu_read8(&m, 0x5000);
	cr_assert_eq(m.stats.tlb_fills, f, "the global page stays in the TLB");
	mmu_read8(&m, 0x6000);
	cr_assert_eq(m.stats.tlb_fills - f, 1, "the other one is gone");
}

Test(mmu, page_crossing_write_faulting_on_second_page_writes_nothing)
{
	map4k(PD, PT, 0x5000, 0x300000, P | W);
	map4k(PD, PT, 0x6000, 0x301000, P);  /* read-only */
	mmu_set_paging(&m, CR0_PG | CR0_WP, PD, 0);
	put32(0x300FFC, 0x11111111);
	cr_assert_eq(TRY(mmu_write32(&m, 0x5FFE, 0xAABBCCDD)), (PF_P | PF_W) + 1);
	cr_assert_eq(fault_la, 0x6000);
	cr_assert_eq(get32(0x300FFC), 0x11111111, "the first page was not written");
	cr_assert_eq(mmu_read16(&m, 0x5FFF) & 0xFF, 0x11, "a crossing read works");
}

Test(mmu, pae_walk_and_pdpte_rules)
{
	/* PDPT at 0x30000 (32-byte aligned), PD at 0x31000, PT at 0x32000. */
	put32(0x30000, 0x31000 | P);
	put32(0x31000 + 0 * 8, 0x32000 | P | W);
	put32(0x32000 + 5 * 8, 0x300000 | P | W);
	put32(0x31000 + 1 * 8, 0x600000 | P | W | PS); /* 2-4 MiB -> a 2 MiB page */
	put32(0x300000, 0x55);
	put32(0x612345, 0x66);
	cr_assert_eq(mmu_set_paging(&m, CR0_PG, 0x30000, CR4_PAE), 0);
	cr_assert_eq(mmu_read8(&m, 0x5000), 0x55);
	cr_assert_eq(mmu_read8(&m, 0x212345), 0x66);
	cr_assert_eq(TRY(mmu_read8(&m, 0x40000000)), 0 + 1, "PDPTE 1 not present");
	/* A reserved bit in a present PDPTE makes the CR3 load fail (#GP). */
	put32(0x40000, 0x31000 | P | 0x2);
	cr_assert_eq(mmu_set_paging(&m, CR0_PG, 0x40000, CR4_PAE), -1);
	/* A reserved bit in a PTE is a #PF with RSVD. */
	put32(0x32000 + 6 * 8 + 4, 0x80000000);
	put32(0x32000 + 6 * 8, 0x301000 | P | W);
	cr_assert_eq(TRY(mmu_read8(&m, 0x6000)), (PF_P | PF_RSVD) + 1);
}
