/* The unit tests' tiny machine (see machine.h). */
#include "machine.h"

#include <stdlib.h>
#include <string.h>

void machine_init(struct machine *m, const char *model)
{
	memset(m, 0, sizeof *m);
	if (mmu_init(&m->mmu, MACHINE_RAM) != 0)
		abort();
	bus_init(&m->bus);
	machine_reset(m, model);
}

void machine_reset(struct machine *m, const char *model)
{
	const struct cpu_model_info *info = cpu_model_find(model);
	if (!info)
		abort();
	/* A test may have left paging on; the tables below are written
	 * through linear addresses. */
	mmu_set_paging(&m->mmu, 0, 0, 0);
	cpu_init(&m->cpu, info, &m->mmu, &m->bus);
	struct cpu *c = &m->cpu;
	cpu_load_seg_real(c, SEG_CS, MACHINE_CODE_SEG);
	cpu_load_seg_real(c, SEG_SS, MACHINE_STACK_SEG);
	cpu_load_seg_real(c, SEG_DS, MACHINE_DATA_SEG);
	cpu_load_seg_real(c, SEG_ES, MACHINE_DATA_SEG);
	cpu_load_seg_real(c, SEG_FS, MACHINE_DATA_SEG);
	cpu_load_seg_real(c, SEG_GS, MACHINE_DATA_SEG);
	c->eip = 0;
	c->r[R_ESP] = 0xFFFE;
	c->flags = info->flags_fixed1;
	c->lf.op = LF_NONE;
	for (int v = 0; v < 256; v++)
		machine_set_ivt(m, v, handler_off(v));
}

void machine_free(struct machine *m)
{
	mmu_free(&m->mmu);
}

void machine_flat32(struct machine *m, uint32_t eip, uint32_t esp)
{
	struct cpu *c = &m->cpu;
	for (int s = 0; s < 6; s++) {
		c->seg[s].base = 0;
		c->seg[s].sel = 0;
		c->seg[s].limit = 0xFFFFFFFFu;
		c->seg[s].attr = (s == SEG_CS ? 0x9B : 0x93) | 0xC00; /* G, D/B */
	}
	c->code32 = c->stack32 = true;
	c->dmode.code32 = true;
	c->eip = eip;
	c->r[R_ESP] = esp;
}

void mem_write(struct machine *m, uint32_t la, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t k = 0; k < n; k++)
		mmu_write8(&m->mmu, la + (uint32_t)k, b[k]);
}

uint8_t mem8(struct machine *m, uint32_t la) { return mmu_read8(&m->mmu, la); }
uint16_t mem16(struct machine *m, uint32_t la) { return mmu_read16(&m->mmu, la); }
uint32_t mem32(struct machine *m, uint32_t la) { return mmu_read32(&m->mmu, la); }

void machine_code(struct machine *m, uint16_t seg, uint32_t ip, const uint8_t *bytes, size_t n)
{
	cpu_load_seg_real(&m->cpu, SEG_CS, seg);
	m->cpu.eip = ip;
	mem_write(m, lin(seg, ip), bytes, n);
}

void machine_code_flat(struct machine *m, uint32_t la, const uint8_t *bytes, size_t n)
{
	m->cpu.eip = la;
	mem_write(m, la, bytes, n);
}

void machine_set_ivt(struct machine *m, int vector, uint16_t off)
{
	uint8_t e[4] = { off & 0xFF, off >> 8, MACHINE_HANDLER_SEG & 0xFF, MACHINE_HANDLER_SEG >> 8 };
	mem_write(m, (uint32_t)vector * 4, e, 4);
	static const uint8_t hlt = 0xF4;
	mem_write(m, lin(MACHINE_HANDLER_SEG, off), &hlt, 1);
}

uint64_t machine_run(struct machine *m, uint64_t n)
{
	return cpu_run(&m->cpu, n);
}
