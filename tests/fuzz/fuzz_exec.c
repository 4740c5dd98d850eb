/* fuzz_exec — a libFuzzer target that runs random bytes as guest code.
 *
 * Input: one selector byte, then the code.
 *   selector bits 0-1  mode: 0 real mode, 1 flat 32-bit protected mode,
 *                      2 16-bit protected mode, 3 virtual-8086 mode
 *   selector bits 2-4  CPU model (index into cpu_models, modulo the count;
 *                      raised to the 286 or 386 when the mode needs it)
 *   selector bit 5     REP bursts: 0 runs MAX_STEPS instructions with
 *                      CPU_PENDING_STEP set, so a REP string does one
 *                      iteration per step; 1 runs BURST_STEPS instructions
 *                      and lets a REP string run its whole burst
 *   selector bit 6     paging on (modes 1-3 on a 386 or later): the first
 *                      4 MiB identity-mapped with 4 KiB user-writable pages
 *   selector bit 7     modes 1-2: start in ring 3; mode 3: IOPL 3
 *   The general registers but ESP are seeded from the last bytes of the
 *   input, so the fuzzer explores operand values too.
 *
 * The machine: 1 MiB of RAM, no ROM, a bus with no devices.  The code is
 * copied to linear 0x10000; every IVT entry and IDT gate (DPL 3, ring-0
 * target) points there, and a TSS holds the ring-0 stack, so an exception
 * restarts the code instead of ending the run.  The CPU steps a bounded
 * number of instructions (see bit 5), or until it halts or shuts down; the
 * bound keeps one input well under libFuzzer's -timeout.  Any sanitizer
 * report, crash or hang is a finding; a guest that misbehaves is not.
 *
 * AMBER_FUZZ_TRACE=1 in the environment traces every instruction on stderr
 * (cpu/trace.c), to read what one input does:
 *   AMBER_FUZZ_TRACE=1 build-fuzz/tests/fuzz/fuzz_exec crash-FILE */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "cpu.h"
#include "mmu.h"

enum {
	RAM_SIZE    = 1u << 20,
	GDT_BASE    = 0x0800,
	IDT_BASE    = 0x1000,
	TSS32_BASE  = 0x1800,
	TSS16_BASE  = 0x1900,
	PD_BASE     = 0x3000,      /* page directory */
	PT_BASE     = 0x4000,      /* the page table of the first 4 MiB */
	CODE_BASE   = 0x10000,     /* linear address of the code */
	CODE_MAX    = 0x10000,     /* at most 64 KiB of code */
	DATA_BASE   = 0x20000,     /* 16-bit data segments start here */
	STACK0_BASE = 0x70000,     /* ring-0 stack segment (16-bit modes) */
	STACK_BASE  = 0x80000,     /* the stack segment */
	STACK_TOP   = 0xFFF0,      /* initial SP / ESP0 offset in its segment */
	MAX_STEPS   = 4000,
	BURST_STEPS = 100,         /* x REP_BURST (4096) string iterations at most */
};

/* GDT selectors (RPL 0). */
enum {
	SEL_CODE32 = 0x08, SEL_DATA32 = 0x10, SEL_CODE16 = 0x18, SEL_DATA16 = 0x20,
	SEL_STACK16 = 0x28, SEL_STACK0_16 = 0x30, SEL_UCODE32 = 0x38, SEL_UDATA32 = 0x40,
	SEL_UCODE16 = 0x48, SEL_UDATA16 = 0x50, SEL_USTACK16 = 0x58, SEL_TSS32 = 0x60,
	SEL_TSS16 = 0x68, GDT_ENTRIES = 14,
};

static struct cpu cpu;   /* large (the decoded-instruction cache): not on the stack */
static struct mmu mmu;
static struct bus bus;

/* An interrupt gate: type 0xE (32-bit) or 0x6 (16-bit), DPL 3, present. */
static uint64_t gate(uint16_t sel, uint32_t off, bool gate32)
{
	uint8_t type = gate32 ? 0xEE : 0xE6;
	return (uint64_t)(off & 0xFFFF) | (uint64_t)sel << 16 | (uint64_t)type << 40 |
	       (uint64_t)(gate32 ? off >> 16 : 0) << 48;
}

static void put16(uint32_t pa, uint16_t v)
{
	mmu.ram[pa] = (uint8_t)v;
	mmu.ram[pa + 1] = (uint8_t)(v >> 8);
}

static void put32(uint32_t pa, uint32_t v)
{
	put16(pa, (uint16_t)v);
	put16(pa + 2, (uint16_t)(v >> 16));
}

static void put64(uint32_t pa, uint64_t v)
{
	put32(pa, (uint32_t)v);
	put32(pa + 4, (uint32_t)(v >> 32));
}

static const uint64_t gdt[GDT_ENTRIES] = {
	[SEL_CODE32 >> 3]    = 0x00CF9B000000FFFFull,  /* flat, 4 GiB */
	[SEL_DATA32 >> 3]    = 0x00CF93000000FFFFull,
	[SEL_CODE16 >> 3]    = 0x00009B010000FFFFull,  /* base CODE_BASE */
	[SEL_DATA16 >> 3]    = 0x000093020000FFFFull,  /* base DATA_BASE */
	[SEL_STACK16 >> 3]   = 0x000093080000FFFFull,  /* base STACK_BASE */
	[SEL_STACK0_16 >> 3] = 0x000093070000FFFFull,  /* base STACK0_BASE */
	[SEL_UCODE32 >> 3]   = 0x00CFFB000000FFFFull,  /* DPL 3 */
	[SEL_UDATA32 >> 3]   = 0x00CFF3000000FFFFull,
	[SEL_UCODE16 >> 3]   = 0x0000FB010000FFFFull,
	[SEL_UDATA16 >> 3]   = 0x0000F3020000FFFFull,
	[SEL_USTACK16 >> 3]  = 0x0000F3080000FFFFull,
	[SEL_TSS32 >> 3]     = 0x00008B0018000067ull,  /* busy 32-bit TSS at TSS32_BASE */
	[SEL_TSS16 >> 3]     = 0x000083001900002Bull,  /* busy 16-bit TSS at TSS16_BASE */
};

/* A segment cache as a load of sel (with its descriptor d) leaves it. */
static struct segment seg_cache(uint16_t sel, uint64_t d)
{
	uint32_t limit = (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16;
	uint16_t attr = (uint16_t)(((d >> 40) & 0xFF) | ((d >> 52) & 0xF) << 8);
	if (attr & 0x800)
		limit = limit << 12 | 0xFFF;
	return (struct segment){
		.base = (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)(d >> 56) << 24,
		.limit = limit, .sel = sel, .attr = attr,
	};
}

static void set_seg(int s, uint16_t sel)
{
	cpu.seg[s] = seg_cache(sel, gdt[sel >> 3] | 1ull << 40); /* accessed */
}


/* The IVT, the GDT, the IDT, both TSSs and the page tables. */
static void build_tables(bool gate32)
{
	for (uint32_t v = 0; v < 256; v++)
		put32(v * 4, (uint32_t)(CODE_BASE >> 4) << 16);  /* 1000:0000 */
	for (int k = 0; k < GDT_ENTRIES; k++)
		put64(GDT_BASE + 8 * k, gdt[k]);
	for (uint32_t v = 0; v < 256; v++)
		put64(IDT_BASE + 8 * v, gate32 ? gate(SEL_CODE32, CODE_BASE, true)
		                               : gate(SEL_CODE16, 0, false));
	put32(TSS32_BASE + 4, STACK0_BASE + STACK_TOP);    /* ESP0, flat */
	put16(TSS32_BASE + 8, SEL_DATA32);                 /* SS0 */
	put16(TSS32_BASE + 0x66, 0x68);                    /* no I/O bitmap */
	put16(TSS16_BASE + 2, STACK_TOP);                  /* SP0 */
	put16(TSS16_BASE + 4, SEL_STACK0_16);              /* SS0 */
	put32(PD_BASE, PT_BASE | 7);
	for (uint32_t p = 0; p < 1024; p++)
		put32(PT_BASE + 4 * p, p << 12 | 7);       /* present, writable, user */
}

/* Protected mode as if the code had set it up: code32 selects the flat
 * 32-bit segments (else the 16-bit ones), ring3 the DPL 3 ones. */
static void setup_protected(bool code32, bool ring3)
{
	cpu.pmode = true;
	cpu.cr0 |= 1;
	cpu.gdtr.base = GDT_BASE;
	cpu.gdtr.limit = GDT_ENTRIES * 8 - 1;
	cpu.idtr.base = IDT_BASE;
	cpu.idtr.limit = 256 * 8 - 1;
	uint16_t tss = code32 ? SEL_TSS32 : SEL_TSS16;
	cpu.tr = seg_cache(tss, gdt[tss >> 3]);
	unsigned rpl = ring3 ? 3 : 0;
	uint16_t cs, ds, ss;
	if (code32) {
		cs = ring3 ? SEL_UCODE32 : SEL_CODE32;
		ds = ss = ring3 ? SEL_UDATA32 : SEL_DATA32;
		cpu.eip = CODE_BASE;
		cpu.r[R_ESP] = STACK_BASE + STACK_TOP;
	} else {
		cs = ring3 ? SEL_UCODE16 : SEL_CODE16;
		ds = ring3 ? SEL_UDATA16 : SEL_DATA16;
		ss = ring3 ? SEL_USTACK16 : SEL_STACK16;
		cpu.eip = 0;
		cpu.r[R_ESP] = STACK_TOP;
	}
	for (int s = 0; s < 6; s++)
		set_seg(s, ds | rpl);
	set_seg(SEG_CS, cs | rpl);
	set_seg(SEG_SS, ss | rpl);
	cpu.cpl = (uint8_t)rpl;
	cpu.code32 = code32;
	cpu.stack32 = code32;
	cpu.dmode.code32 = code32;
}

static void setup_real(void)
{
	cpu_load_seg_real(&cpu, SEG_CS, CODE_BASE >> 4);
	cpu_load_seg_real(&cpu, SEG_DS, DATA_BASE >> 4);
	cpu_load_seg_real(&cpu, SEG_ES, DATA_BASE >> 4);
	cpu_load_seg_real(&cpu, SEG_SS, STACK_BASE >> 4);
	cpu.eip = 0;
	cpu.r[R_ESP] = STACK_TOP;
	/* The IVT is where the reset IDTR points: linear 0. */
}

/* Virtual-8086 mode: real-mode segments in ring 3 under a 32-bit
 * protected-mode IDT and TSS, as a V86 monitor would have left them. */
static void setup_v86(bool iopl3)
{
	setup_protected(true, false);
	static const uint16_t sels[6] = {
		[SEG_ES] = DATA_BASE >> 4, [SEG_CS] = CODE_BASE >> 4, [SEG_SS] = STACK_BASE >> 4,
		[SEG_DS] = DATA_BASE >> 4, [SEG_FS] = DATA_BASE >> 4, [SEG_GS] = DATA_BASE >> 4,
	};
	for (int s = 0; s < 6; s++)
		cpu.seg[s] = (struct segment){ .base = (uint32_t)sels[s] << 4, .limit = 0xFFFF,
		                               .sel = sels[s], .attr = 0xF3 };
	cpu.cpl = 3;
	cpu.code32 = cpu.stack32 = cpu.dmode.code32 = false;
	cpu.eip = 0;
	cpu.r[R_ESP] = STACK_TOP;
	cpu_set_flags(&cpu, cpu_get_flags(&cpu) | FL_VM | (iopl3 ? FL_IOPL : 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned mode = data[0] & 3;
	unsigned model = (data[0] >> 2) & 7;
	bool bursts = (data[0] >> 5) & 1;
	bool paging = (data[0] >> 6) & 1;
	bool bit7 = (data[0] >> 7) & 1;
	data++;
	size--;
	if (size > CODE_MAX)
		size = CODE_MAX;

	model %= CPU_MODEL_COUNT;
	if ((mode == 1 || mode == 3) && cpu_models[model].gen < GEN_386)
		model = CPU_80386;
	if (mode == 2 && cpu_models[model].gen < GEN_286)
		model = CPU_80286;
	if (cpu_models[model].gen < GEN_386)
		paging = false;

	if (mmu_init(&mmu, RAM_SIZE))
		return 0;
	mmu_set_a20(&mmu, true);
	bus_init(&bus);
	cpu_init(&cpu, &cpu_models[model], &mmu, &bus);

	build_tables(mode != 2);
	memcpy(mmu.ram + CODE_BASE, data, size);
	cpu_flush_decoded(&cpu);

	for (int r = 0; r < 8; r++) {
		uint32_t v = 0;
		for (int k = 0; k < 4; k++)
			v = v << 8 | data[size - 1 - (size_t)(r * 4 + k) % size];
		cpu.r[r] = v;
	}

	switch (mode) {
	case 0: setup_real(); break;
	case 1: setup_protected(true, bit7); break;
	case 2: setup_protected(false, bit7); break;
	case 3: setup_v86(bit7); break;
	}
	if (mode != 0 && paging) {
		cpu.cr0 |= 0x80000000u;
		cpu.cr3 = PD_BASE;
		mmu_set_paging(&mmu, cpu.cr0, cpu.cr3, cpu.cr4);
	}

	/* CPU_PENDING_STEP makes a REP string stop after each iteration, as
	 * a debugger's single step does (cpu/exec-string.c). */
	cpu.pending = bursts ? 0 : CPU_PENDING_STEP;
	struct tracer *tr = NULL;
	if (getenv("AMBER_FUZZ_TRACE")) {
		tr = tracer_new(stderr);
		cpu.trace = tracer_hook;
		cpu.trace_opaque = tr;
	}
	cpu_run(&cpu, bursts ? BURST_STEPS : MAX_STEPS);
	if (tr) {
		tracer_flush(tr, &cpu);
		fprintf(stderr, "fuzz_exec: state %d after %llu instructions, last vector %d\n",
		        (int)cpu.state, (unsigned long long)cpu.icount, cpu.last_vector);
		cpu_dump(&cpu, stderr);
		tracer_free(tr);
	}
	mmu_free(&mmu);
	return 0;
}
