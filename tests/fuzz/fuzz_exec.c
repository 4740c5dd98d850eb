/* fuzz_exec — a libFuzzer target that runs random bytes as guest code.
 *
 * Input: one selector byte, then the code.
 *   selector bits 0-1  mode: 0 real mode, 1 flat 32-bit protected mode,
 *                      2 16-bit protected mode, 3 real mode with the
 *                      registers seeded from the input
 *   selector bits 2-4  CPU model (index into cpu_models, modulo the count;
 *                      raised to the 286 or 386 when the mode needs it)
 *   selector bit 5     REP bursts: 0 runs MAX_STEPS instructions with
 *                      cpu->pending set, so a REP string does one
 *                      iteration per step; 1 runs BURST_STEPS instructions
 *                      and lets a REP string run its whole burst
 *
 * The machine: 1 MiB of RAM, no ROM, a bus with no devices.  The code is
 * copied to linear 0x10000 and every IVT entry and IDT gate points there, so
 * an exception restarts the code instead of ending the run.  The CPU steps
 * a bounded number of instructions (see bit 5), or until it halts or shuts
 * down; the bound keeps one input well under libFuzzer's -timeout.  Any
 * sanitizer report, crash or hang is a finding; a guest that misbehaves is
 * not. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bus.h"
#include "cpu.h"
#include "mmu.h"

enum {
	RAM_SIZE  = 1u << 20,
	CODE_BASE = 0x10000,       /* linear address of the code */
	CODE_MAX  = 0x10000,       /* at most 64 KiB of code */
	GDT_BASE  = 0x0800,
	IDT_BASE  = 0x1000,
	DATA_BASE = 0x20000,       /* 16-bit data segments start here */
	STACK_TOP = 0x8FFF0,       /* linear top of the stack */
	MAX_STEPS = 4000,
	BURST_STEPS = 100,        /* x REP_BURST (4096) string iterations at most */
};

/* GDT selectors. */
enum { SEL_CODE32 = 0x08, SEL_DATA32 = 0x10, SEL_CODE16 = 0x18, SEL_DATA16 = 0x20,
       SEL_STACK16 = 0x28, GDT_ENTRIES = 6 };

static struct cpu cpu;   /* large (the decoded-instruction cache): not on the stack */
static struct mmu mmu;
static struct bus bus;

static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xF) << 48 |
	       (uint64_t)(flags & 0xF) << 52 | (uint64_t)(base >> 24) << 56;
}

/* An interrupt gate: type 0xE (32-bit) or 0x6 (16-bit), DPL 3, present. */
static uint64_t gate(uint16_t sel, uint32_t off, bool gate32)
{
	uint8_t type = gate32 ? 0xEE : 0xE6;
	return (uint64_t)(off & 0xFFFF) | (uint64_t)sel << 16 | (uint64_t)type << 40 |
	       (uint64_t)(gate32 ? off >> 16 : 0) << 48;
}

static void put64(uint32_t pa, uint64_t v)
{
	for (int k = 0; k < 8; k++)
		mmu.ram[pa + k] = (uint8_t)(v >> (8 * k));
}

static void set_seg(int s, uint16_t sel, uint32_t base, uint32_t limit, uint16_t attr)
{
	cpu.seg[s] = (struct segment){ .base = base, .limit = limit, .sel = sel, .attr = attr };
}

/* The tables every mode may reach: the IVT (real mode), a GDT and an IDT. */
static void build_tables(bool gate32)
{
	for (uint32_t v = 0; v < 256; v++) {
		/* IVT: vector v -> 1000:0000 (linear CODE_BASE). */
		mmu.ram[v * 4 + 0] = 0x00;
		mmu.ram[v * 4 + 1] = 0x00;
		mmu.ram[v * 4 + 2] = (uint8_t)(CODE_BASE >> 4);
		mmu.ram[v * 4 + 3] = (uint8_t)(CODE_BASE >> 12);
	}
	const uint64_t gdt[GDT_ENTRIES] = {
		0,
		descriptor(0, 0xFFFFF, 0x9B, 0xC),                 /* code32, flat */
		descriptor(0, 0xFFFFF, 0x93, 0xC),                 /* data32, flat */
		descriptor(CODE_BASE, 0xFFFF, 0x9B, 0x0),          /* code16 */
		descriptor(DATA_BASE, 0xFFFF, 0x93, 0x0),          /* data16 */
		descriptor(STACK_TOP & ~0xFFFFu, 0xFFFF, 0x93, 0), /* stack16 */
	};
	for (int k = 0; k < GDT_ENTRIES; k++)
		put64(GDT_BASE + 8 * k, gdt[k]);
	for (uint32_t v = 0; v < 256; v++)
		put64(IDT_BASE + 8 * v, gate32 ? gate(SEL_CODE32, CODE_BASE, true)
		                               : gate(SEL_CODE16, 0, false));
}

static void setup_protected(bool code32)
{
	cpu.pmode = true;
	cpu.cr0 |= 1;
	cpu.gdtr.base = GDT_BASE;
	cpu.gdtr.limit = GDT_ENTRIES * 8 - 1;
	cpu.idtr.base = IDT_BASE;
	cpu.idtr.limit = 256 * 8 - 1;
	if (code32) {
		set_seg(SEG_CS, SEL_CODE32, 0, 0xFFFFFFFF, 0xC9B);
		for (int s = 0; s < 6; s++)
			if (s != SEG_CS)
				set_seg(s, SEL_DATA32, 0, 0xFFFFFFFF, 0xC93);
		cpu.eip = CODE_BASE;
		cpu.r[R_ESP] = STACK_TOP;
	} else {
		set_seg(SEG_CS, SEL_CODE16, CODE_BASE, 0xFFFF, 0x9B);
		for (int s = 0; s < 6; s++)
			if (s != SEG_CS && s != SEG_SS)
				set_seg(s, SEL_DATA16, DATA_BASE, 0xFFFF, 0x93);
		set_seg(SEG_SS, SEL_STACK16, STACK_TOP & ~0xFFFFu, 0xFFFF, 0x93);
		cpu.eip = 0;
		cpu.r[R_ESP] = STACK_TOP & 0xFFFF;
	}
	cpu.code32 = code32;
	cpu.stack32 = code32;
	cpu.dmode.code32 = code32;
}

static void setup_real(void)
{
	cpu_load_seg_real(&cpu, SEG_CS, CODE_BASE >> 4);
	cpu_load_seg_real(&cpu, SEG_DS, DATA_BASE >> 4);
	cpu_load_seg_real(&cpu, SEG_ES, DATA_BASE >> 4);
	cpu_load_seg_real(&cpu, SEG_SS, (STACK_TOP & ~0xFFFFu) >> 4);
	cpu.eip = 0;
	cpu.r[R_ESP] = STACK_TOP & 0xFFFF;
	/* The IVT is where the reset IDTR points: linear 0. */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned mode = data[0] & 3;
	unsigned model = (data[0] >> 2) & 7;
	bool bursts = (data[0] >> 5) & 1;
	data++;
	size--;
	if (size > CODE_MAX)
		size = CODE_MAX;

	if (model >= CPU_MODEL_COUNT)
		model %= CPU_MODEL_COUNT;
	if (mode == 1 && cpu_models[model].gen < GEN_386)
		model = CPU_80386;
	if (mode == 2 && cpu_models[model].gen < GEN_286)
		model = CPU_80286;

	if (mmu_init(&mmu, RAM_SIZE))
		return 0;
	mmu_set_a20(&mmu, true);
	bus_init(&bus);
	cpu_init(&cpu, &cpu_models[model], &mmu, &bus);

	build_tables(mode == 1);
	memcpy(mmu.ram + CODE_BASE, data, size);
	cpu_flush_decoded(&cpu);

	if (mode == 1 || mode == 2) {
		setup_protected(mode == 1);
	} else {
		setup_real();
		if (mode == 3) {
			/* Seed the registers from the last bytes of the input, so
			 * the fuzzer also explores operand values. */
			for (int r = 0; r < 8; r++) {
				if (r == R_ESP)
					continue;
				uint32_t v = 0;
				for (int k = 0; k < 4; k++)
					v = v << 8 | data[(size - 1 - (size_t)(r * 4 + k) % size)];
				cpu.r[r] = v;
			}
		}
	}

	/* cpu->pending makes a REP string stop after each iteration, as an
	 * interrupt would (cpu/exec-string.c); nothing else reads it yet. */
	cpu.pending = bursts ? 0 : 1;
	cpu_run(&cpu, bursts ? BURST_STEPS : MAX_STEPS);
	mmu_free(&mmu);
	return 0;
}
