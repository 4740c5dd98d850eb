/* The physical address map: RAM, the BIOS ROM and the A20 gate. */
#include "mmu.h"

#include <errno.h>
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

void phys_write8(struct mmu *m, uint32_t pa, uint8_t v)
{
	if (rom_byte(m, pa) || pa >= m->ram_size)
		return;
	if (m->write_hook)
		m->write_hook(m->hook_opaque, pa, m->ram[pa], v);
	m->ram[pa] = v;
}

static inline uint32_t to_phys(const struct mmu *m, uint32_t la)
{
	return la & m->a20_mask & m->bus_mask;
}

uint8_t mmu_read8(struct mmu *m, uint32_t la)
{
	return phys_read8(m, to_phys(m, la));
}

uint16_t mmu_read16(struct mmu *m, uint32_t la)
{
	return mmu_read8(m, la) | (uint16_t)mmu_read8(m, la + 1) << 8;
}

uint32_t mmu_read32(struct mmu *m, uint32_t la)
{
	return mmu_read16(m, la) | (uint32_t)mmu_read16(m, la + 2) << 16;
}

void mmu_write8(struct mmu *m, uint32_t la, uint8_t v)
{
	phys_write8(m, to_phys(m, la), v);
}

void mmu_write16(struct mmu *m, uint32_t la, uint16_t v)
{
	mmu_write8(m, la, v & 0xFF);
	mmu_write8(m, la + 1, v >> 8);
}

void mmu_write32(struct mmu *m, uint32_t la, uint32_t v)
{
	mmu_write16(m, la, v & 0xFFFF);
	mmu_write16(m, la + 2, v >> 16);
}
