/* The physical address map: RAM, the BIOS ROM, the A20 gate, and the page
 * marks (code pages, page-table pages) that send writes to the slow path. */
#include "mmu-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The part of the BIOS image visible below 1 MiB: its last 128 KiB, as on a
 * PC (E0000-FFFFF); the whole image sits at the top of the address bus. */
#define ROM_LOW_MAX (128u << 10)

int mmu_init(struct mmu *m, uint32_t ram_size)
{
	memset(m, 0, sizeof *m);
	size_t map = ram_size ? ram_size : 4096;
	/* MAP_NORESERVE: the host commits pages only when the guest touches them. */
	void *p = mmap(NULL, map, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	m->code_bits = calloc(1u << 17, 1); /* 2^20 pages, one bit each */
	m->pt_bits = calloc(1u << 17, 1);
	m->pt_version = calloc(1u << 20, sizeof *m->pt_version);
	if (!m->code_bits || !m->pt_bits || !m->pt_version) {
		munmap(p, map);
		mmu_free(m);
		errno = ENOMEM;
		return -1;
	}
	m->ram = p;
	m->ram_size = ram_size;
	m->a20_mask = ~0u;
	m->bus_mask = ~0u;
	mmu_flush_tlb(m, true);
	mmu_set_shadow(m, true);
	return 0;
}

void mmu_free(struct mmu *m)
{
	if (m->ram)
		munmap(m->ram, m->ram_size ? m->ram_size : 4096);
	m->ram = NULL;
	free(m->code_bits);
	free(m->pt_bits);
	free(m->pt_version);
	m->code_bits = m->pt_bits = NULL;
	m->pt_version = NULL;
	mmu_set_shadow(m, false);
}

void mmu_set_rom(struct mmu *m, const uint8_t *rom, uint32_t size)
{
	m->rom = rom;
	m->rom_size = size;
	mmu_flush_tlb(m, true);
}

void mmu_set_a20(struct mmu *m, bool open)
{
	m->a20_mask = open ? ~0u : ~(1u << 20);
	mmu_flush_tlb(m, true);
}

void mmu_set_bus_width(struct mmu *m, unsigned bits)
{
	m->bus_mask = bits >= 32 ? ~0u : (1u << bits) - 1;
	mmu_flush_tlb(m, true);
}

/* The ROM byte at pa, if the ROM shadows pa: the top of the address bus
 * (the reset vector's reach) and the last 128 KiB below 1 MiB. */
static const uint8_t *rom_byte(const struct mmu *m, uint32_t pa)
{
	if (!m->rom)
		return NULL;
	uint32_t top = m->bus_mask;
	if (pa > top - m->rom_size)
		return &m->rom[pa - (top - m->rom_size + 1)];
	uint32_t low = m->rom_size < ROM_LOW_MAX ? m->rom_size : ROM_LOW_MAX;
	if (pa >= 0x100000u - low && pa < 0x100000u)
		return &m->rom[m->rom_size - (0x100000u - pa)];
	return NULL;
}

uint8_t *phys_ram_page(const struct mmu *m, uint32_t pa)
{
	pa &= ~0xFFFu;
	if ((pa >= 0xA0000 && pa < 0x100000) || pa >= m->ram_size)
		return NULL;
	if (m->rom && pa + 0xFFF > m->bus_mask - m->rom_size)
		return NULL;
	return m->ram + pa;
}

uint8_t phys_read8(struct mmu *m, uint32_t pa)
{
	const uint8_t *r = rom_byte(m, pa);
	if (r)
		return *r;
	if (pa < m->ram_size)
		return m->ram[pa];
	return 0xFF;
}

uint32_t phys_read32(struct mmu *m, uint32_t pa)
{
	return phys_read8(m, pa) | (uint32_t)phys_read8(m, pa + 1) << 8 |
	       (uint32_t)phys_read8(m, pa + 2) << 16 | (uint32_t)phys_read8(m, pa + 3) << 24;
}

uint64_t phys_read64(struct mmu *m, uint32_t pa)
{
	return phys_read32(m, pa) | (uint64_t)phys_read32(m, pa + 4) << 32;
}

void phys_write32_raw(struct mmu *m, uint32_t pa, uint32_t v)
{
	if (pa + 3 < m->ram_size && !rom_byte(m, pa))
		for (int k = 0; k < 4; k++)
			m->ram[pa + k] = (uint8_t)(v >> (8 * k));
}

void mmu_mark_code(struct mmu *m, uint32_t pa)
{
	if (page_bit(m->code_bits, pa))
		return;
	page_bit_set(m->code_bits, pa);
	/* Writes to the page must now leave the fast path. */
	for (int u = 0; u < 2; u++)
		for (int k = 0; k < TLB_SIZE; k++)
			if (m->tlb[u][k].pa_page == (pa & ~0xFFFu))
				m->tlb[u][k].tag_write = TLB_NONE;
}

void mmu_unmark_code(struct mmu *m, uint32_t pa)
{
	m->code_bits[pa >> 15] &= (uint8_t)~(1u << ((pa >> 12) & 7));
}

void phys_write8(struct mmu *m, uint32_t pa, uint8_t v)
{
	if (rom_byte(m, pa) || pa >= m->ram_size)
		return;
	if (page_bit(m->code_bits, pa) && m->code_write)
		m->code_write(m->code_opaque, pa);
	if (page_bit(m->pt_bits, pa))
		tlb_pt_written(m, pa);
	if (m->write_hook)
		m->write_hook(m->hook_opaque, pa, m->ram[pa], v);
	m->ram[pa] = v;
}
