/* mmu — every guest memory access goes through here.
 *
 * Today: the physical map (one contiguous RAM mapping, a ROM image mapped at
 * the top of the first MiB and of the 4 GiB space, the A20 gate) and the
 * address-bus width of the CPU model.  Paging, the softmmu TLB and shadow page
 * tables come later behind the same interface: the CPU only ever calls the
 * mmu_* functions below with linear addresses. */
#ifndef AMBER_MMU_H
#define AMBER_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmu;

/* A hook that sees every byte the guest writes (slow path only; NULL when
 * nobody watches).  Used by the conformance runner to catch stray writes and,
 * later, by debugger watchpoints. */
typedef void mmu_write_hook(void *opaque, uint32_t paddr, uint8_t old, uint8_t val);

struct mmu {
	uint8_t *ram;          /* guest RAM, one contiguous host mapping */
	uint32_t ram_size;
	const uint8_t *rom;    /* BIOS image (not owned), read-only to the guest */
	uint32_t rom_size;
	uint32_t a20_mask;     /* ~0 with A20 open, ~(1 << 20) with it closed */
	uint32_t bus_mask;     /* address pins of the CPU model: 20, 24 or 32 bits */
	mmu_write_hook *write_hook;
	void *hook_opaque;
	/* Pages that hold decoded (later: translated) code, one bit per 4 KiB
	 * physical page: a write there calls code_write so the decoded copy
	 * is dropped (self-modifying code, loaders, page reuse). */
	uint8_t *code_bits;
	void (*code_write)(void *opaque, uint32_t paddr);
	void *code_opaque;
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

/* Marks the page of paddr as holding decoded code. */
void mmu_mark_code(struct mmu *m, uint32_t paddr);
void mmu_unmark_code(struct mmu *m, uint32_t paddr);
/* The physical address a linear one reaches (no paging yet). */
uint32_t mmu_translate(const struct mmu *m, uint32_t la);

/* Physical accesses.  Unbacked addresses read as all ones and ignore writes,
 * as an open PC bus does. */
uint8_t phys_read8(struct mmu *m, uint32_t pa);
void phys_write8(struct mmu *m, uint32_t pa, uint8_t v);

/* Linear accesses (no paging yet: linear == physical after the A20 gate and
 * the bus width).  Multi-byte accesses are little-endian and may cross pages. */
uint8_t mmu_read8(struct mmu *m, uint32_t la);
uint16_t mmu_read16(struct mmu *m, uint32_t la);
uint32_t mmu_read32(struct mmu *m, uint32_t la);
void mmu_write8(struct mmu *m, uint32_t la, uint8_t v);
void mmu_write16(struct mmu *m, uint32_t la, uint16_t v);
void mmu_write32(struct mmu *m, uint32_t la, uint32_t v);

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
