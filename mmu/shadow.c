/* Shadow page tables: translations cached per guest address space (keyed by
 * CR3), so a return to a recently used address space refills its TLB
 * without walking the guest's tables.  Coherence comes from write tracing:
 * every page a walk read page-table entries from is marked (phys.c), a
 * guest write there bumps the page's version (tlb.c), and an entry is valid
 * only while the versions of the pages it was derived from are unchanged. */
#include "mmu-internal.h"

#include <stdlib.h>
#include <string.h>

#define SHADOW_SPACES 8
#define SHADOW_ENTRIES 4096 /* per space, direct-mapped by linear page */

struct shadow_entry {
	uint32_t lpage;            /* linear page | 1 when empty */
	struct xlate x;
	uint32_t pt_version, pd_version;
};

struct shadow_space {
	uint32_t cr3;
	bool used;
	uint64_t last_use;
	struct shadow_entry e[SHADOW_ENTRIES];
};

struct shadow {
	struct shadow_space space[SHADOW_SPACES];
	struct shadow_space *cur;
	uint64_t clock;
};

static void space_clear(struct shadow_space *sp)
{
	for (int k = 0; k < SHADOW_ENTRIES; k++)
		sp->e[k].lpage = 1;
}

struct shadow *shadow_new(void)
{
	struct shadow *s = calloc(1, sizeof *s);
	if (s)
		shadow_clear(s);
	return s;
}

void shadow_free(struct shadow *s)
{
	free(s);
}

void shadow_clear(struct shadow *s)
{
	for (int k = 0; k < SHADOW_SPACES; k++) {
		space_clear(&s->space[k]);
		s->space[k].used = false;
	}
	s->cur = NULL;
}

void shadow_switch(struct shadow *s, uint32_t cr3)
{
	struct shadow_space *victim = &s->space[0];
	s->clock++;
	for (int k = 0; k < SHADOW_SPACES; k++) {
		struct shadow_space *sp = &s->space[k];
		if (sp->used && sp->cr3 == cr3) {
			sp->last_use = s->clock;
			s->cur = sp;
			return;
		}
		if (!sp->used || (victim->used && sp->last_use < victim->last_use))
			victim = sp;
	}
	space_clear(victim);
	victim->used = true;
	victim->cr3 = cr3;
	victim->last_use = s->clock;
	s->cur = victim;
}

static struct shadow_entry *slot(struct shadow_space *sp, uint32_t la)
{
	uint32_t n = la >> 12;
	return &sp->e[(n ^ (n >> 12)) & (SHADOW_ENTRIES - 1)];
}

bool shadow_lookup(struct shadow *s, const struct mmu *m, uint32_t la, struct xlate *x)
{
	if (!s->cur)
		return false;
	struct shadow_entry *e = slot(s->cur, la);
	if (e->lpage != (la & ~0xFFFu))
		return false;
	if (e->pt_version != m->pt_version[e->x.pt_page >> 12] ||
	    e->pd_version != m->pt_version[e->x.pd_page >> 12]) {
		e->lpage = 1; /* derived from a page the guest has written since */
		return false;
	}
	*x = e->x;
	return true;
}

void shadow_insert(struct shadow *s, const struct mmu *m, uint32_t la, const struct xlate *x)
{
	if (!s->cur)
		return;
	struct shadow_entry *e = slot(s->cur, la);
	e->lpage = la & ~0xFFFu;
	e->x = *x;
	e->pt_version = m->pt_version[x->pt_page >> 12];
	e->pd_version = m->pt_version[x->pd_page >> 12];
}

void shadow_invalidate_page(struct shadow *s, uint32_t la)
{
	for (int k = 0; k < SHADOW_SPACES; k++) {
		struct shadow_entry *e = slot(&s->space[k], la);
		if (e->lpage == (la & ~0xFFFu))
			e->lpage = 1;
	}
}
