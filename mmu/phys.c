/* The physical address map: RAM, the BIOS ROM and the A20 gate. */
#include "mmu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int mmu_init(struct mmu *m, uint32_t ram_size)
{
	memset(m, 0, sizeof *m);
	/* MAP_NORESERVE: the host commits pages only when the guest touches them. */
	void *p = mmap(NULL, ram_size ? ram_size : 4096, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	m->code_bits = calloc(1u << 17, 1); /* 2^20 pages, one bit each */
	if (!m->code_bits) {
		munmap(p, ram_size ? ram_size : 4096);
		return -1;
	}
	m->ram = p;
	m->ram_size = ram_size;
	m->a20_mask = ~0u;
	m->bus_mask = ~0u;
	return 0;
}

void mmu_free(struct mmu *m)
{
	if (m->ram)
		munmap(m->ram, m->ram_size ? m->ram_size : 4096);
	m->ram = NULL;
	free(m->code_bits);
	m->code_bits = NULL;
}

void mmu_set_rom(struct mmu *m, const uint8_t *rom, uint32_t size)
{
	m->rom = rom;
	m->rom_size = size;
}

void mmu_set_a20(struct mmu *m, bool open)
{
	m->a20_mask = open ? ~0u : ~(1u << 20);
}

void mmu_set_bus_width(struct mmu *m, unsigned bits)
{
	m->bus_mask = bits >= 32 ? ~0u : (1u << bits) - 1;
}

/* The ROM shadows RAM in the last rom_size bytes below 1 MiB and below 4 GiB. */
static const uint8_t *rom_byte(const struct mmu *m, uint32_t pa)
{
	if (!m->rom)
		return NULL;
	if (pa >= 0x100000u - m->rom_size && pa < 0x100000u)
		return &m->rom[pa - (0x100000u - m->rom_size)];
	if (pa >= 0u - m->rom_size)
		return &m->rom[pa - (0u - m->rom_size)];
	return NULL;
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

void mmu_mark_code(struct mmu *m, uint32_t pa)
{
	m->code_bits[pa >> 15] |= (uint8_t)(1u << ((pa >> 12) & 7));
}

void mmu_unmark_code(struct mmu *m, uint32_t pa)
{
	m->code_bits[pa >> 15] &= (uint8_t)~(1u << ((pa >> 12) & 7));
}

static inline bool is_code(const struct mmu *m, uint32_t pa)
{
	return (m->code_bits[pa >> 15] >> ((pa >> 12) & 7)) & 1;
}

void phys_write8(struct mmu *m, uint32_t pa, uint8_t v)
{
	if (rom_byte(m, pa) || pa >= m->ram_size)
		return;
	if (is_code(m, pa) && m->code_write)
		m->code_write(m->code_opaque, pa);
	if (m->write_hook)
		m->write_hook(m->hook_opaque, pa, m->ram[pa], v);
	m->ram[pa] = v;
}

static inline uint32_t to_phys(const struct mmu *m, uint32_t la)
{
	return la & m->a20_mask & m->bus_mask;
}

uint32_t mmu_translate(const struct mmu *m, uint32_t la)
{
	return to_phys(m, la);
}

/* (A page never straddles the A20 or bus-width boundary, so one
 * translation serves every byte of an access inside a page.)
 * The host pointer for size bytes of plain RAM at pa, or NULL when the
 * access must take the slow path (ROM, the legacy hole at A0000-FFFFF,
 * beyond RAM, watched or code pages for writes, or a page crossing). */
static inline uint8_t *ram_ptr(const struct mmu *m, uint32_t pa, unsigned size, bool write)
{
	if (((pa & 0xFFF) + size) > 0x1000)
		return NULL;
	if ((pa >= 0xA0000 && pa < 0x100000) || pa >= m->ram_size)
		return NULL;
	if (pa >= 0u - m->rom_size && m->rom)
		return NULL;
	if (write && (m->write_hook || is_code(m, pa)))
		return NULL;
	return m->ram + pa;
}

uint8_t mmu_read8(struct mmu *m, uint32_t la)
{
	uint8_t *p = ram_ptr(m, to_phys(m, la), 1, false);
	return p ? *p : phys_read8(m, to_phys(m, la));
}

uint16_t mmu_read16(struct mmu *m, uint32_t la)
{
	uint8_t *p = ram_ptr(m, to_phys(m, la), 2, false);
	if (p)
		return (uint16_t)(p[0] | p[1] << 8);
	return mmu_read8(m, la) | (uint16_t)mmu_read8(m, la + 1) << 8;
}

uint32_t mmu_read32(struct mmu *m, uint32_t la)
{
	uint8_t *p = ram_ptr(m, to_phys(m, la), 4, false);
	if (p)
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return mmu_read16(m, la) | (uint32_t)mmu_read16(m, la + 2) << 16;
}

void mmu_write8(struct mmu *m, uint32_t la, uint8_t v)
{
	uint8_t *p = ram_ptr(m, to_phys(m, la), 1, true);
	if (p)
		*p = v;
	else
		phys_write8(m, to_phys(m, la), v);
}

void mmu_write16(struct mmu *m, uint32_t la, uint16_t v)
{
	uint8_t *p = ram_ptr(m, to_phys(m, la), 2, true);
	if (p) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		return;
	}
	mmu_write8(m, la, v & 0xFF);
	mmu_write8(m, la + 1, v >> 8);
}

void mmu_write32(struct mmu *m, uint32_t la, uint32_t v)
{
	uint8_t *p = ram_ptr(m, to_phys(m, la), 4, true);
	if (p) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
		return;
	}
	mmu_write16(m, la, v & 0xFFFF);
	mmu_write16(m, la + 2, v >> 16);
}

/* Without paging, privilege does not change a translation. */
uint8_t mmu_sys_read8(struct mmu *m, uint32_t la) { return mmu_read8(m, la); }
uint16_t mmu_sys_read16(struct mmu *m, uint32_t la) { return mmu_read16(m, la); }
uint32_t mmu_sys_read32(struct mmu *m, uint32_t la) { return mmu_read32(m, la); }
void mmu_sys_write8(struct mmu *m, uint32_t la, uint8_t v) { mmu_write8(m, la, v); }
void mmu_sys_write16(struct mmu *m, uint32_t la, uint16_t v) { mmu_write16(m, la, v); }
void mmu_sys_write32(struct mmu *m, uint32_t la, uint32_t v) { mmu_write32(m, la, v); }

int mmu_debug_read(struct mmu *m, uint32_t la, void *buf, uint32_t len)
{
	uint8_t *b = buf;
	for (uint32_t k = 0; k < len; k++)
		b[k] = phys_read8(m, to_phys(m, la + k));
	return 0;
}

int mmu_debug_write(struct mmu *m, uint32_t la, const void *buf, uint32_t len)
{
	const uint8_t *b = buf;
	for (uint32_t k = 0; k < len; k++) {
		uint32_t pa = to_phys(m, la + k);
		if (pa < m->ram_size && !rom_byte(m, pa)) {
			if (is_code(m, pa) && m->code_write)
				m->code_write(m->code_opaque, pa);
			m->ram[pa] = b[k];
		}
	}
	return 0;
}
