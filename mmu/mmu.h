/* mmu — every guest memory access goes through here.
 *
 * The CPU calls the mmu_* functions with linear addresses.  They go through
 * the softmmu TLB (tlb.c: per privilege, tags per access kind, a host
 * pointer for plain RAM); a miss asks the shadow page tables (shadow.c:
 * translations cached per guest address space, kept coherent by tracing
 * writes to page-table pages), then the page walker (walk.c: 32-bit paging
 * with PSE and PGE, PAE), and lands in the physical map (phys.c: RAM, the
 * BIOS ROM, the A20 gate). */
#ifndef AMBER_MMU_H
#define AMBER_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmu;
struct shadow;

/* A hook that sees every byte the guest writes (slow path only; NULL when
 * nobody watches).  Used by the conformance runner to catch stray writes and,
 * later, by debugger watchpoints. */
typedef void mmu_write_hook(void *opaque, uint32_t paddr, uint8_t old, uint8_t val);

enum mmu_access { ACC_READ, ACC_WRITE, ACC_EXEC };

/* #PF error code bits (SDM Vol 3 §4.7). */
enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8 };

#define TLB_SIZE 256
#define TLB_NONE 1u   /* a tag no page-aligned address matches */

/* One TLB entry: the page's linear address in the tag of each access kind
 * it may take the fast path for, and where the page lives. */
struct tlb_entry {
	uint32_t tag_read, tag_write, tag_exec;
	uint32_t lpage;       /* linear page of the slow-path permissions below */
	bool can_read, can_write; /* allowed, fast path or not */
	bool unbacked;        /* no memory there (PAE beyond 4 GiB): the open bus */
	uint32_t pa_page;     /* physical page address */
	uint8_t *host;        /* host address of the page if plain RAM, else NULL */
	uint32_t pt_page;     /* physical pages of the page-table entries used */
	uint32_t pd_page;
	bool global;
};

struct mmu_stats {
	uint64_t tlb_fills;   /* TLB misses */
	uint64_t walks;       /* guest page-table walks */
	uint64_t shadow_hits; /* misses answered by the shadow cache */
	uint64_t cr3_loads;
};

struct mmu {
	uint8_t *ram;          /* guest RAM, one contiguous host mapping */
	uint32_t ram_size;
	const uint8_t *rom;    /* BIOS image (not owned), read-only to the guest */
	uint32_t rom_size;
	uint32_t a20_mask;     /* ~0 with A20 open, ~(1 << 20) with it closed */
	uint32_t bus_mask;     /* address pins of the CPU model: 20, 24 or 32 bits */
	mmu_write_hook *write_hook;
	void *hook_opaque;
	/* A hook that sees every byte the guest reads as data (not fetches,
	 * not page walks): debugger read and access watchpoints.  While it is
	 * set no data read takes the fast path; set it, then mmu_flush_tlb.
	 * NULL when nobody watches. */
	void (*read_hook)(void *opaque, uint32_t paddr);
	void *read_opaque;
	/* With a hook set, the physical pages whose accesses leave the fast
	 * path for it: NULL means every page (the conformance runner's write
	 * hook); the debugger names only its watched pages.  When the answer
	 * for a page changes, mmu_flush_tlb. */
	bool (*hook_page)(void *opaque, uint32_t pa_page);
	void *hook_page_opaque;
	/* Pages that hold decoded (later: translated) code, one bit per 4 KiB
	 * physical page: a write there calls code_write so the decoded copy
	 * is dropped (self-modifying code, loaders, page reuse). */
	uint8_t *code_bits;
	void (*code_write)(void *opaque, uint32_t paddr);
	void *code_opaque;

	/* Paging, as the CPU's control registers configure it. */
	bool paging, wp, pse, pge, pae;
	uint32_t cr3;
	uint64_t pdpte[4];     /* PAE: the PDPTE registers loaded with CR3 */
	const uint8_t *cpl;    /* the CPU's CPL: 3 makes ordinary accesses user accesses */
	/* Raises #PF; does not return. */
	void (*page_fault)(void *opaque, uint32_t la, uint32_t error);
	void *fault_opaque;

	struct tlb_entry tlb[2][TLB_SIZE]; /* [user] */
	uint8_t *pt_bits;      /* pages holding guest page tables (traced) */
	uint32_t *pt_version;  /* per physical page: bumped on every write to it */
	struct shadow *shadow; /* NULL: no shadow cache (every miss walks) */
	struct mmu_stats stats;
	/* Bumped whenever a linear-to-physical mapping may have changed
	 * (flushes, INVLPG, page-table writes): a decoded instruction checked
	 * under the current generation needs no new translation. */
	uint32_t map_gen;
};

/* Sets up RAM of ram_size bytes (lazily committed by the host).  Returns 0, or
 * -1 with errno set when the host cannot provide it. */
int mmu_init(struct mmu *m, uint32_t ram_size);
void mmu_free(struct mmu *m);
/* Maps rom (size a multiple of 64 KiB up to 1 MiB, not copied) so its last
 * byte is at 0xFFFFF and at 0xFFFFFFFF. */
void mmu_set_rom(struct mmu *m, const uint8_t *rom, uint32_t size);
void mmu_set_a20(struct mmu *m, bool open);
void mmu_set_bus_width(struct mmu *m, unsigned bits);
/* Turns the shadow page-table cache on or off (on by default). */
void mmu_set_shadow(struct mmu *m, bool on);

/* The CPU's control registers changed: CR0.PG/WP, CR3, CR4.PSE/PGE/PAE.
 * Flushes what the architecture says a change flushes (a CR3 load keeps
 * global pages).  Returns -1 when PAE PDPTEs have reserved bits set (the
 * CPU raises #GP(0), SDM Vol 3 §4.4.1). */
int mmu_set_paging(struct mmu *m, uint32_t cr0, uint32_t cr3, uint32_t cr4);
void mmu_invlpg(struct mmu *m, uint32_t la);
void mmu_flush_tlb(struct mmu *m, bool global_too);

/* Marks the page of paddr as holding decoded code. */
void mmu_mark_code(struct mmu *m, uint32_t paddr);
void mmu_unmark_code(struct mmu *m, uint32_t paddr);
/* The physical address an instruction fetch at la reaches (may raise #PF). */
uint32_t mmu_translate_exec(struct mmu *m, uint32_t la);
/* The physical address la reaches now, without faulting; -1 when unmapped. */
int64_t mmu_probe(struct mmu *m, uint32_t la);

/* Physical accesses.  Unbacked addresses read as all ones and ignore writes,
 * as an open PC bus does. */
uint8_t phys_read8(struct mmu *m, uint32_t pa);
void phys_write8(struct mmu *m, uint32_t pa, uint8_t v);

/* Linear accesses at the CPU's privilege.  Multi-byte accesses are
 * little-endian and may cross pages; a write that faults on its second
 * page writes nothing. */
uint8_t mmu_read8(struct mmu *m, uint32_t la);
uint16_t mmu_read16(struct mmu *m, uint32_t la);
uint32_t mmu_read32(struct mmu *m, uint32_t la);
void mmu_write8(struct mmu *m, uint32_t la, uint8_t v);
void mmu_write16(struct mmu *m, uint32_t la, uint16_t v);
void mmu_write32(struct mmu *m, uint32_t la, uint32_t v);
/* Instruction fetch. */
uint8_t mmu_fetch8(struct mmu *m, uint32_t la);

/* Implicit supervisor accesses (descriptor tables, the IDT, the TSS): with
 * paging they are checked as CPL 0 accesses whatever the CPL is
 * (SDM Vol 3 §4.6.1). */
uint8_t mmu_sys_read8(struct mmu *m, uint32_t la);
uint16_t mmu_sys_read16(struct mmu *m, uint32_t la);
uint32_t mmu_sys_read32(struct mmu *m, uint32_t la);
void mmu_sys_write8(struct mmu *m, uint32_t la, uint8_t v);
void mmu_sys_write16(struct mmu *m, uint32_t la, uint16_t v);
void mmu_sys_write32(struct mmu *m, uint32_t la, uint32_t v);

/* Debugger and tracer accesses: no fault, no accessed/dirty bits, no
 * write hooks.  Return 0, or -1 when a byte of the range is not mapped. */
int mmu_debug_read(struct mmu *m, uint32_t la, void *buf, uint32_t len);
int mmu_debug_write(struct mmu *m, uint32_t la, const void *buf, uint32_t len);

#endif
