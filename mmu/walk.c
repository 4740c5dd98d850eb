/* The guest page-table walker: 32-bit paging with 4 KiB and 4 MiB (PSE)
 * pages and global pages, and PAE paging (SDM Vol 3 §4.3, §4.4).  Accessed
 * and dirty bits are written back as the hardware does: A on every level of
 * a successful walk, D on the final level for writes. */
#include "mmu-internal.h"

enum {
	PTE_P = 1 << 0, PTE_W = 1 << 1, PTE_U = 1 << 2, PTE_A = 1 << 5, PTE_D = 1 << 6,
	PTE_PS = 1 << 7, PTE_G = 1 << 8,
};

/* PAE: MAXPHYADDR is 36 (CPUID reports PAE with 36 physical bits), NX does
 * not exist (no EFER.NXE), so bits 63:36 are reserved in every entry. */
#define PAE_RSVD_HIGH 0xFFFFFFF000000000ull
#define PAE_ADDR 0x0000000FFFFFF000ull
#define PDPTE_RSVD (PAE_RSVD_HIGH | 0x1E6ull) /* bits 2:1 and 8:5 (SDM Table 4-8) */

/* Marks a page as holding page tables: writes to it leave the fast path so
 * the translations derived from it can be dropped. */
static void mark_pt(struct mmu *m, uint32_t pa)
{
	if (page_bit(m->pt_bits, pa))
		return;
	page_bit_set(m->pt_bits, pa);
	for (int u = 0; u < 2; u++)
		for (int k = 0; k < TLB_SIZE; k++)
			if (m->tlb[u][k].pa_page == (pa & ~0xFFFu))
				m->tlb[u][k].tag_write = TLB_NONE;
}

static void fault(struct mmu *m, uint32_t la, uint32_t err)
{
	m->page_fault(m->fault_opaque, la, err);
}

static uint32_t fault_code(enum mmu_access acc, bool user, bool present)
{
	return (present ? PF_P : 0) | (acc == ACC_WRITE ? PF_W : 0) | (user ? PF_U : 0);
}

int walk_load_pdptes(struct mmu *m)
{
	uint32_t base = m->cr3 & ~0x1Fu;
	uint64_t e[4];
	for (int k = 0; k < 4; k++) {
		e[k] = phys_read64(m, base + 8 * k);
		if ((e[k] & 1) && (e[k] & PDPTE_RSVD))
			return -1;
	}
	for (int k = 0; k < 4; k++)
		m->pdpte[k] = e[k];
	return 0;
}

/* Sets A (and D) in an entry if not yet set; the flags are in the low
 * dword of both entry formats. */
static void update_ad(struct mmu *m, uint32_t at, uint32_t e, uint32_t bits)
{
	if ((e & bits) != bits)
		phys_write32_raw(m, at, e | bits);
}

/* Reads the entry at `at` (4 or 8 bytes), traces its page, and raises a
 * not-present #PF if P is clear. */
static uint64_t read_entry(struct mmu *m, uint32_t at, bool wide, uint32_t la,
                           enum mmu_access acc, bool user, uint32_t *page)
{
	uint64_t e = wide ? phys_read64(m, at) : phys_read32(m, at);
	*page = at & ~0xFFFu;
	mark_pt(m, at);
	if (!(e & PTE_P))
		fault(m, la, fault_code(acc, user, false));
	return e;
}

/* The last level of a walk: the rights combined over the levels (dir is
 * the directory entry, the same as e for a large page), the permission
 * check, then A on every level and D on the last for a write (SDM Vol 3
 * §4.6, §4.8). */
static void leaf(struct mmu *m, uint32_t la, enum mmu_access acc, bool user, struct xlate *x,
                 uint32_t dir, uint32_t dir_at, uint32_t e, uint32_t e_at)
{
	x->user_ok = (dir & e & PTE_U) != 0;
	x->write_ok = (dir & e & PTE_W) != 0;
	x->global = m->pge && (e & PTE_G);
	if (!xlate_allows(m, x, acc, user))
		fault(m, la, fault_code(acc, user, true));
	if (dir_at != e_at)
		update_ad(m, dir_at, dir, PTE_A);
	update_ad(m, e_at, e, PTE_A | (acc == ACC_WRITE ? PTE_D : 0));
	x->dirty = (e & PTE_D) || acc == ACC_WRITE;
}

static void walk32(struct mmu *m, uint32_t la, enum mmu_access acc, bool user, struct xlate *x)
{
	uint32_t pde_at = (m->cr3 & ~0xFFFu) + (la >> 22) * 4;
	uint32_t pde = (uint32_t)read_entry(m, pde_at, false, la, acc, user, &x->pd_page);
	if ((pde & PTE_PS) && m->pse) {
		x->pa_page = (pde & 0xFFC00000u) | (la & 0x003FF000u);
		x->pt_page = x->pd_page;
		leaf(m, la, acc, user, x, pde, pde_at, pde, pde_at);
		return;
	}
	uint32_t pte_at = (pde & ~0xFFFu) + ((la >> 12) & 0x3FF) * 4;
	uint32_t pte = (uint32_t)read_entry(m, pte_at, false, la, acc, user, &x->pt_page);
	x->pa_page = pte & ~0xFFFu;
	leaf(m, la, acc, user, x, pde, pde_at, pte, pte_at);
}

/* Sets the physical page, or marks it unbacked beyond 4 GiB. */
static void set_pa(struct xlate *x, uint64_t pa)
{
	x->unbacked = pa > 0xFFFFFFFFull;
	x->pa_page = (uint32_t)pa & ~0xFFFu;
}

static void walk_pae(struct mmu *m, uint32_t la, enum mmu_access acc, bool user, struct xlate *x)
{
	uint64_t pdpte = m->pdpte[la >> 30];
	uint32_t rsvd = fault_code(acc, user, true) | PF_RSVD;
	if (!(pdpte & PTE_P))
		fault(m, la, fault_code(acc, user, false));
	uint32_t pde_at = (uint32_t)(pdpte & PAE_ADDR) + ((la >> 21) & 0x1FF) * 8;
	uint64_t pde = read_entry(m, pde_at, true, la, acc, user, &x->pd_page);
	if (pde & PTE_PS) {
		if (pde & (PAE_RSVD_HIGH | 0x1FE000ull)) /* bits 20:13 of a 2 MiB PDE */
			fault(m, la, rsvd);
		set_pa(x, (pde & 0xFFFE00000ull) | (la & 0x1FF000u));
		x->pt_page = x->pd_page;
		leaf(m, la, acc, user, x, (uint32_t)pde, pde_at, (uint32_t)pde, pde_at);
		return;
	}
	if (pde & PAE_RSVD_HIGH)
		fault(m, la, rsvd);
	uint32_t pte_at = (uint32_t)(pde & PAE_ADDR) + ((la >> 12) & 0x1FF) * 8;
	uint64_t pte = read_entry(m, pte_at, true, la, acc, user, &x->pt_page);
	if (pte & PAE_RSVD_HIGH)
		fault(m, la, rsvd);
	set_pa(x, pte & PAE_ADDR);
	leaf(m, la, acc, user, x, (uint32_t)pde, pde_at, (uint32_t)pte, pte_at);
}

void walk(struct mmu *m, uint32_t la, enum mmu_access acc, bool user, struct xlate *x)
{
	m->stats.walks++;
	x->unbacked = false;
	if (m->pae)
		walk_pae(m, la, acc, user, x);
	else
		walk32(m, la, acc, user, x);
	/* Physical addresses pass the A20 gate like any other. */
	x->pa_page = to_phys(m, x->pa_page);
}
