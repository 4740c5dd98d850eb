/* Interrupt and exception delivery: through the IVT in real mode, through
 * IDT gates in protected mode (SDM Vol 3 §6.12). */
#include "cpu-internal.h"

static void deliver_real(struct cpu *c, int vector, uint32_t return_eip)
{
	uint32_t off = (uint32_t)vector * 4;
	if (model_checks_limits(c) && off + 3 > c->idtr.limit)
		cpu_fault(c, EX_GP, off + 2);
	uint16_t ip = mmu_sys_read16(c->mmu, c->idtr.base + off);
	uint16_t cs = mmu_sys_read16(c->mmu, c->idtr.base + off + 2);
	uint32_t flags = cpu_get_flags(c);
	cpu_push(c, 2, flags);
	c->last_flags_addr = c->seg[SEG_SS].base + (c->r[R_ESP] & stack_mask(c));
	cpu_push(c, 2, c->seg[SEG_CS].sel);
	cpu_push(c, 2, return_eip);
	c->flags &= ~(uint32_t)(FL_IF | FL_TF | FL_AC);
	cpu_jump_far(c, cs, ip);
}

/* The ring-n stack from the current TSS (SDM Vol 3 §7.2.1, §7.6). */
static void tss_stack(struct cpu *c, unsigned dpl, uint16_t *ss, uint32_t *esp)
{
	bool tss32 = (c->tr.attr & 0x8) != 0;
	uint32_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
	if (off + (tss32 ? 5 : 3) > c->tr.limit)
		cpu_fault(c, EX_TS, c->tr.sel & 0xFFFC);
	if (tss32) {
		*esp = mmu_sys_read32(c->mmu, c->tr.base + off);
		*ss = mmu_sys_read16(c->mmu, c->tr.base + off + 4);
	} else {
		*esp = mmu_sys_read16(c->mmu, c->tr.base + off);
		*ss = mmu_sys_read16(c->mmu, c->tr.base + off + 2);
	}
}

static void deliver_protected(struct cpu *c, int vector, uint32_t return_eip, bool soft,
                              bool has_error, uint32_t error)
{
	uint32_t ext = soft ? 0 : 1;
	uint32_t gerr = (uint32_t)vector * 8 + 2 + ext;
	if ((uint32_t)vector * 8 + 7 > c->idtr.limit)
		cpu_fault(c, EX_GP, gerr);
	uint32_t ga = c->idtr.base + (uint32_t)vector * 8;
	uint64_t g = mmu_sys_read32(c->mmu, ga) | (uint64_t)mmu_sys_read32(c->mmu, ga + 4) << 32;
	unsigned type = (g >> 40) & 0xF, gdpl = (g >> 45) & 3;
	if (type != 0x6 && type != 0x7 && type != 0xE && type != 0xF)
		cpu_fault(c, EX_GP, gerr); /* task gates come with task switching */
	if (soft && gdpl < c->cpl)
		cpu_fault(c, EX_GP, gerr);
	if (!((g >> 47) & 1))
		cpu_fault(c, EX_NP, gerr);
	bool gate32 = type & 0x8;
	unsigned psize = gate32 ? 4 : 2;
	uint16_t sel = (g >> 16) & 0xFFFF;
	uint32_t target = (uint32_t)(g & 0xFFFF) | (gate32 ? (uint32_t)(g >> 48) << 16 : 0);

	if ((sel & 0xFFFC) == 0)
		cpu_fault(c, EX_GP, ext);
	uint64_t d = desc_read(c, sel);
	unsigned a = (d >> 40) & 0xFF, dpl = (a >> 5) & 3;
	if (!(a & 0x10) || !(a & 0x8) || dpl > c->cpl)
		cpu_fault(c, EX_GP, (sel & 0xFFFC) + ext);
	if (!(a & 0x80))
		cpu_fault(c, EX_NP, (sel & 0xFFFC) + ext);

	uint32_t flags = cpu_get_flags(c);
	uint16_t old_ss = c->seg[SEG_SS].sel, old_cs = c->seg[SEG_CS].sel;
	uint32_t old_esp = c->r[R_ESP];
	bool from_v86 = flags & FL_VM;
	unsigned new_cpl = (a & 0x4) ? c->cpl : dpl; /* conforming: stays */
	if (from_v86 && new_cpl != 0)
		cpu_fault(c, EX_GP, (sel & 0xFFFC) + ext);
	if (new_cpl < c->cpl || from_v86) {
		uint16_t ss;
		uint32_t esp;
		tss_stack(c, new_cpl, &ss, &esp);
		c->flags &= ~(uint32_t)FL_VM;
		c->cpl = new_cpl;
		cpu_load_seg(c, SEG_SS, ss);
		c->r[R_ESP] = esp;
		if (from_v86) {
			cpu_push(c, psize, c->seg[SEG_GS].sel);
			cpu_push(c, psize, c->seg[SEG_FS].sel);
			cpu_push(c, psize, c->seg[SEG_DS].sel);
			cpu_push(c, psize, c->seg[SEG_ES].sel);
			for (int s = 0; s < 6; s++)
				if (s != SEG_CS && s != SEG_SS)
					c->seg[s] = (struct segment){ 0 };
		}
		cpu_push(c, psize, old_ss);
		cpu_push(c, psize, old_esp);
	}
	cpu_push(c, psize, flags);
	c->last_flags_addr = c->seg[SEG_SS].base + (c->r[R_ESP] & stack_mask(c));
	cpu_push(c, psize, old_cs);
	cpu_push(c, psize, return_eip);
	if (has_error)
		cpu_push(c, psize, error);
	cpu_load_cs(c, sel, d, new_cpl);
	c->eip = gate32 ? target : target & 0xFFFF;
	c->flags &= ~(uint32_t)(FL_TF | FL_NT | FL_VM | FL_RF);
	if (!(type & 1))
		c->flags &= ~(uint32_t)FL_IF;
}

void cpu_interrupt(struct cpu *c, int vector, uint32_t return_eip, bool soft,
                   bool has_error, uint32_t error)
{
	if (c->pmode)
		deliver_protected(c, vector, return_eip, soft, has_error, error);
	else
		deliver_real(c, vector, return_eip);
	c->last_vector = vector;
	c->state = CPU_RUNNING;
}
