/* Internal to mmu/: the pieces the TLB, the walker and the shadow cache share. */
#ifndef AMBER_MMU_INTERNAL_H
#define AMBER_MMU_INTERNAL_H

#include "mmu.h"

static inline uint32_t to_phys(const struct mmu *m, uint32_t la)
{
	return la & m->a20_mask & m->bus_mask;
}

static inline bool page_bit(const uint8_t *bits, uint32_t pa)
{
	return (bits[pa >> 15] >> ((pa >> 12) & 7)) & 1;
}

static inline void page_bit_set(uint8_t *bits, uint32_t pa)
{
	bits[pa >> 15] |= (uint8_t)(1u << ((pa >> 12) & 7));
}

/* phys.c */
/* The host address of the plain-RAM page at pa (no ROM, no hole), or NULL. */
uint8_t *phys_ram_page(const struct mmu *m, uint32_t pa);
uint32_t phys_read32(struct mmu *m, uint32_t pa);
uint64_t phys_read64(struct mmu *m, uint32_t pa);
/* A page-table update by the walker itself (A/D bits): no hooks. */
void phys_write32_raw(struct mmu *m, uint32_t pa, uint32_t v);

/* A translation: what the walker found and the shadow cache keeps. */
struct xlate {
	uint32_t pa_page;
	uint32_t pt_page, pd_page;   /* page-table pages it was read from */
	bool user_ok, write_ok;      /* U/S and R/W combined over the levels */
	bool dirty;                  /* D already set: writes need no walk */
	bool global;
	bool unbacked;               /* beyond 4 GiB (PAE): no memory there */
};

/* walk.c: walks the guest's tables for an access; on a violation calls the
 * page-fault hook (does not return).  Sets A (and D for writes). */
void walk(struct mmu *m, uint32_t la, enum mmu_access acc, bool user, struct xlate *x);
/* Loads the PAE PDPTEs from CR3; -1 when a present one has reserved bits. */
int walk_load_pdptes(struct mmu *m);
/* Does x allow the access? */
bool xlate_allows(const struct mmu *m, const struct xlate *x, enum mmu_access acc, bool user);

/* shadow.c */
struct shadow *shadow_new(void);
void shadow_free(struct shadow *s);
/* Selects (or creates, evicting the least recently used) the space of cr3. */
void shadow_switch(struct shadow *s, uint32_t cr3);
bool shadow_lookup(struct shadow *s, const struct mmu *m, uint32_t la, struct xlate *x);
void shadow_insert(struct shadow *s, const struct mmu *m, uint32_t la, const struct xlate *x);
void shadow_invalidate_page(struct shadow *s, uint32_t la);
void shadow_clear(struct shadow *s);

/* tlb.c */
/* A guest write reached a page holding page tables. */
void tlb_pt_written(struct mmu *m, uint32_t pa);

#endif
