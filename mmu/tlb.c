/* The softmmu TLB and the linear access functions.  The fast path is
 * "index, compare, add": the entry of the page in the TLB of the current
 * privilege, its tag for the access kind, and the host address of the page.
 * Everything else — ROM, unbacked addresses, pages holding code or page
 * tables, watched pages, accesses crossing a page — takes the slow path. */
#include "mmu-internal.h"

#include <string.h>

static inline bool user_mode(const struct mmu *m)
{
	return m->cpl && *m->cpl == 3;
}

static inline struct tlb_entry *tlb_slot(struct mmu *m, uint32_t la, bool user)
{
	return &m->tlb[user][(la >> 12) & (TLB_SIZE - 1)];
}

static void tlb_drop(struct tlb_entry *e)
{
	e->tag_read = e->tag_write = e->tag_exec = TLB_NONE;
	e->lpage = TLB_NONE;
	e->can_read = e->can_write = false;
	e->pa_page = e->pt_page = e->pd_page = TLB_NONE;
	e->global = false;
}

void mmu_flush_tlb(struct mmu *m, bool global_too)
{
	m->map_gen++;
	for (int u = 0; u < 2; u++)
		for (int k = 0; k < TLB_SIZE; k++)
			if (global_too || !m->tlb[u][k].global)
				tlb_drop(&m->tlb[u][k]);
}

/* A write to a page holding page-table entries: every translation derived
 * from that page is dropped, in the TLB and in the shadow cache (through
 * the page's version), so the very next access sees the new entry. */
void tlb_pt_written(struct mmu *m, uint32_t pa)
{
	uint32_t page = pa & ~0xFFFu;
	m->pt_version[pa >> 12]++;
	if (!m->paging)
		return;
	m->map_gen++;
	for (int u = 0; u < 2; u++)
		for (int k = 0; k < TLB_SIZE; k++) {
			struct tlb_entry *e = &m->tlb[u][k];
			if (e->pt_page == page || e->pd_page == page)
				tlb_drop(e);
		}
}

bool xlate_allows(const struct mmu *m, const struct xlate *x, enum mmu_access acc, bool user)
{
	if (user && !x->user_ok)
		return false;
	if (acc == ACC_WRITE && !x->write_ok && (user || m->wp))
		return false;
	return true;
}

/* Translates la for acc at the given privilege, filling the TLB entry.
 * Returns the entry.  Faults (through m->page_fault) as the walk demands. */
static struct tlb_entry *tlb_fill(struct mmu *m, uint32_t la, enum mmu_access acc, bool user)
{
	struct xlate x = { .user_ok = true, .write_ok = true, .dirty = true,
	                   .pt_page = TLB_NONE, .pd_page = TLB_NONE };
	uint32_t lpage = la & ~0xFFFu;
	m->stats.tlb_fills++;
	if (!m->paging) {
		x.pa_page = to_phys(m, lpage);
	} else {
		bool hit = m->shadow && shadow_lookup(m->shadow, m, la, &x);
		/* A cached translation answers only what it allows without a
		 * walk: a first write must walk to set the dirty bit. */
		if (hit && xlate_allows(m, &x, acc, user) && (acc != ACC_WRITE || x.dirty)) {
			m->stats.shadow_hits++;
		} else {
			walk(m, la, acc, user, &x);
			if (m->shadow)
				shadow_insert(m->shadow, m, la, &x);
		}
	}
	struct tlb_entry *e = tlb_slot(m, la, user);
	e->lpage = lpage;
	e->unbacked = x.unbacked;
	e->can_read = xlate_allows(m, &x, ACC_READ, user);
	e->can_write = xlate_allows(m, &x, ACC_WRITE, user) && x.dirty;
	e->pa_page = x.pa_page;
	e->pt_page = x.pt_page;
	e->pd_page = x.pd_page;
	e->global = x.global;
	e->host = x.unbacked ? NULL : phys_ram_page(m, x.pa_page);
	bool hooked = (m->read_hook || m->write_hook) &&
	              (!m->hook_page || m->hook_page(m->hook_page_opaque, x.pa_page));
	e->tag_read = e->can_read && !(m->read_hook && hooked) ? lpage : TLB_NONE;
	e->tag_exec = e->can_read ? lpage : TLB_NONE;
	/* Writes take the fast path only to plain, untraced RAM whose
	 * dirty bit is already set. */
	bool fast_write = e->can_write && e->host &&
	                  !(m->write_hook && hooked) && !page_bit(m->code_bits, x.pa_page) &&
	                  !page_bit(m->pt_bits, x.pa_page);
	e->tag_write = fast_write ? lpage : TLB_NONE;
	return e;
}

/* The physical address of la for acc (slow path; may fault).  Returns
 * false for an unbacked address (the open bus). */
static bool translate(struct mmu *m, uint32_t la, enum mmu_access acc, bool user, uint32_t *pa)
{
	struct tlb_entry *e = tlb_slot(m, la, user);
	bool ok = e->lpage == (la & ~0xFFFu) && (acc == ACC_WRITE ? e->can_write : e->can_read);
	if (!ok)
		e = tlb_fill(m, la, acc, user);
	*pa = e->pa_page | (la & 0xFFF);
	return !e->unbacked;
}

static inline uint8_t *fast(struct mmu *m, uint32_t la, unsigned size, enum mmu_access acc,
                            bool user)
{
	struct tlb_entry *e = tlb_slot(m, la, user);
	uint32_t tag = acc == ACC_WRITE ? e->tag_write : acc == ACC_READ ? e->tag_read : e->tag_exec;
	if (tag == (la & ~0xFFFu) && e->host && (la & 0xFFF) + size <= 0x1000)
		return e->host + (la & 0xFFF);
	return NULL;
}

/* Translates both pages of an access before touching memory, so a fault
 * on the second page leaves nothing half-done. */
static void translate_span(struct mmu *m, uint32_t la, unsigned size, enum mmu_access acc,
                           bool user, uint32_t pa[4], bool ok[4])
{
	uint32_t pa0, pa1 = 0;
	bool ok0 = translate(m, la, acc, user, &pa0), ok1 = ok0;
	bool cross = (la & 0xFFF) + size > 0x1000;
	if (cross)
		ok1 = translate(m, (la | 0xFFF) + 1, acc, user, &pa1);
	for (unsigned k = 0; k < size; k++) {
		bool second = cross && (((la + k) ^ la) & ~0xFFFu);
		pa[k] = second ? (pa1 & ~0xFFFu) + ((la + k) & 0xFFF) : pa0 + k;
		ok[k] = second ? ok1 : ok0;
	}
}

static uint32_t read_slow(struct mmu *m, uint32_t la, unsigned size, enum mmu_access acc, bool user)
{
	uint32_t pa[4], v = 0;
	bool ok[4];
	translate_span(m, la, size, acc, user, pa, ok);
	if (acc == ACC_READ && m->read_hook)
		for (unsigned k = 0; k < size; k++)
			if (ok[k])
				m->read_hook(m->read_opaque, pa[k]);
	for (unsigned k = 0; k < size; k++)
		v |= (uint32_t)(ok[k] ? phys_read8(m, pa[k]) : 0xFF) << (8 * k);
	return v;
}

static void write_slow(struct mmu *m, uint32_t la, unsigned size, uint32_t v, bool user)
{
	uint32_t pa[4];
	bool ok[4];
	translate_span(m, la, size, ACC_WRITE, user, pa, ok);
	for (unsigned k = 0; k < size; k++)
		if (ok[k])
			phys_write8(m, pa[k], (uint8_t)(v >> (8 * k)));
}

static inline uint32_t load(const uint8_t *p, unsigned size)
{
	uint32_t v = p[0];
	if (size > 1)
		v |= (uint32_t)p[1] << 8;
	if (size > 2)
		v |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return v;
}

static inline void store(uint8_t *p, unsigned size, uint32_t v)
{
	p[0] = (uint8_t)v;
	if (size > 1)
		p[1] = (uint8_t)(v >> 8);
	if (size > 2) {
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
	}
}

static inline uint32_t read_at(struct mmu *m, uint32_t la, unsigned size, enum mmu_access acc,
                               bool user)
{
	uint8_t *p = fast(m, la, size, acc, user);
	return p ? load(p, size) : read_slow(m, la, size, acc, user);
}

static inline void write_at(struct mmu *m, uint32_t la, unsigned size, uint32_t v, bool user)
{
	uint8_t *p = fast(m, la, size, ACC_WRITE, user);
	if (p)
		store(p, size, v);
	else
		write_slow(m, la, size, v, user);
}

uint8_t mmu_read8(struct mmu *m, uint32_t la) { return read_at(m, la, 1, ACC_READ, user_mode(m)); }
uint16_t mmu_read16(struct mmu *m, uint32_t la) { return read_at(m, la, 2, ACC_READ, user_mode(m)); }
uint32_t mmu_read32(struct mmu *m, uint32_t la) { return read_at(m, la, 4, ACC_READ, user_mode(m)); }
void mmu_write8(struct mmu *m, uint32_t la, uint8_t v) { write_at(m, la, 1, v, user_mode(m)); }
void mmu_write16(struct mmu *m, uint32_t la, uint16_t v) { write_at(m, la, 2, v, user_mode(m)); }
void mmu_write32(struct mmu *m, uint32_t la, uint32_t v) { write_at(m, la, 4, v, user_mode(m)); }
uint8_t mmu_fetch8(struct mmu *m, uint32_t la) { return read_at(m, la, 1, ACC_EXEC, user_mode(m)); }

uint8_t mmu_sys_read8(struct mmu *m, uint32_t la) { return read_at(m, la, 1, ACC_READ, false); }
uint16_t mmu_sys_read16(struct mmu *m, uint32_t la) { return read_at(m, la, 2, ACC_READ, false); }
uint32_t mmu_sys_read32(struct mmu *m, uint32_t la) { return read_at(m, la, 4, ACC_READ, false); }
void mmu_sys_write8(struct mmu *m, uint32_t la, uint8_t v) { write_at(m, la, 1, v, false); }
void mmu_sys_write16(struct mmu *m, uint32_t la, uint16_t v) { write_at(m, la, 2, v, false); }
void mmu_sys_write32(struct mmu *m, uint32_t la, uint32_t v) { write_at(m, la, 4, v, false); }

uint32_t mmu_translate_exec(struct mmu *m, uint32_t la)
{
	uint32_t pa;
	translate(m, la, ACC_EXEC, user_mode(m), &pa);
	return pa;
}

void mmu_invlpg(struct mmu *m, uint32_t la)
{
	m->map_gen++;
	for (int u = 0; u < 2; u++) {
		struct tlb_entry *e = tlb_slot(m, la, u);
		if (e->lpage == (la & ~0xFFFu))
			tlb_drop(e);
	}
	if (m->shadow)
		shadow_invalidate_page(m->shadow, la);
}

int mmu_set_paging(struct mmu *m, uint32_t cr0, uint32_t cr3, uint32_t cr4)
{
	bool paging = (cr0 >> 31) & 1, wp = (cr0 >> 16) & 1;
	bool pse = (cr4 >> 4) & 1, pge = (cr4 >> 7) & 1, pae = (cr4 >> 5) & 1;
	bool mode_change = paging != m->paging || wp != m->wp || pse != m->pse ||
	                   pge != m->pge || pae != m->pae;
	bool cr3_change = cr3 != m->cr3;
	uint32_t old_cr3 = m->cr3;
	bool was_paging = m->paging, was_pae = m->pae;
	m->cr3 = cr3;
	m->pae = pae;
	if (paging && pae && (mode_change || cr3_change || !was_paging || !was_pae)) {
		if (walk_load_pdptes(m) < 0) {
			m->cr3 = old_cr3;
			m->pae = was_pae;
			return -1;
		}
	}
	m->paging = paging;
	m->wp = wp;
	m->pse = pse;
	m->pge = pge;
	m->stats.cr3_loads++;
	if (mode_change) {
		/* Changing the paging mode drops everything (SDM Vol 3 §4.10.4.1). */
		mmu_flush_tlb(m, true);
		if (m->shadow)
			shadow_clear(m->shadow);
		/* Nothing derives from the old tables any more: stop tracing
		 * writes to them (they may be ordinary memory now). */
		memset(m->pt_bits, 0, 1u << 17);
	} else {
		/* A CR3 load drops all but global translations. */
		mmu_flush_tlb(m, !pge);
	}
	if (m->shadow && m->paging)
		shadow_switch(m->shadow, cr3);
	return 0;
}

int64_t mmu_probe(struct mmu *m, uint32_t la)
{
	if (!m->paging)
		return to_phys(m, la);
	/* Walk without side effects: read the entries directly. */
	if (m->pae) {
		uint64_t pdpte = m->pdpte[la >> 30];
		if (!(pdpte & 1))
			return -1;
		uint64_t pde = phys_read64(m, (uint32_t)(pdpte & 0xFFFFF000u) + ((la >> 21) & 0x1FF) * 8);
		if (!(pde & 1))
			return -1;
		if (pde & 0x80)
			return (int64_t)((pde & 0xFFFE00000ull) | (la & 0x1FFFFF));
		uint64_t pte = phys_read64(m, (uint32_t)(pde & 0xFFFFF000u) + ((la >> 12) & 0x1FF) * 8);
		if (!(pte & 1))
			return -1;
		return (int64_t)((pte & 0xFFFFFF000ull) | (la & 0xFFF));
	}
	uint32_t pde = phys_read32(m, (m->cr3 & ~0xFFFu) + (la >> 22) * 4);
	if (!(pde & 1))
		return -1;
	if ((pde & 0x80) && m->pse)
		return (pde & 0xFFC00000u) | (la & 0x3FFFFF);
	uint32_t pte = phys_read32(m, (pde & ~0xFFFu) + ((la >> 12) & 0x3FF) * 4);
	if (!(pte & 1))
		return -1;
	return (pte & ~0xFFFu) | (la & 0xFFF);
}

int mmu_debug_read(struct mmu *m, uint32_t la, void *buf, uint32_t len)
{
	uint8_t *b = buf;
	for (uint32_t k = 0; k < len; k++) {
		int64_t pa = mmu_probe(m, la + k);
		if (pa < 0 || pa > 0xFFFFFFFF)
			return -1;
		b[k] = phys_read8(m, to_phys(m, (uint32_t)pa));
	}
	return 0;
}

int mmu_debug_write(struct mmu *m, uint32_t la, const void *buf, uint32_t len)
{
	const uint8_t *b = buf;
	for (uint32_t k = 0; k < len; k++) {
		int64_t pa = mmu_probe(m, la + k);
		if (pa < 0 || pa > 0xFFFFFFFF)
			return -1;
		/* Through the write path's hooks, so decoded code is dropped. */
		mmu_write_hook *hook = m->write_hook;
		m->write_hook = NULL;
		phys_write8(m, to_phys(m, (uint32_t)pa), b[k]);
		m->write_hook = hook;
	}
	return 0;
}

void mmu_set_shadow(struct mmu *m, bool on)
{
	if (on && !m->shadow) {
		m->shadow = shadow_new();
		if (m->shadow && m->paging)
			shadow_switch(m->shadow, m->cr3);
	} else if (!on && m->shadow) {
		shadow_free(m->shadow);
		m->shadow = NULL;
	}
}
