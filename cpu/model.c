/* The CPU models amber can be: what each generation is, as data. */
#include "cpu.h"

#include <string.h>
#include <strings.h>

/* CPUID.1:EDX bits (SDM Vol 2, CPUID, Table 3-11). */
enum {
	CPUID_FPU = 1 << 0, CPUID_VME = 1 << 1, CPUID_DE = 1 << 2, CPUID_PSE = 1 << 3,
	CPUID_TSC = 1 << 4, CPUID_MSR = 1 << 5, CPUID_PAE = 1 << 6, CPUID_MCE = 1 << 7,
	CPUID_CX8 = 1 << 8, CPUID_APIC = 1 << 9, CPUID_SEP = 1 << 11, CPUID_MTRR = 1 << 12,
	CPUID_PGE = 1 << 13, CPUID_MCA = 1 << 14, CPUID_CMOV = 1 << 15,
	CPUID_MMX = 1 << 23, CPUID_FXSR = 1 << 24,
};

/* CR4 bits (SDM Vol 3 §2.5). */
enum {
	CR4_VME = 1 << 0, CR4_PVI = 1 << 1, CR4_TSD = 1 << 2, CR4_DE = 1 << 3,
	CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_MCE = 1 << 6, CR4_PGE = 1 << 7,
	CR4_PCE = 1 << 8,
};

/* Only what the interpreter implements is reported.  The x87 (FPU) is on
 * the 486 and later, MMX, FXSR and the MTRRs on the Pentium II (the P5
 * here is the one without MMX). */
const struct cpu_model_info cpu_models[CPU_MODEL_COUNT] = {
	[CPU_8086] = {
		.name = "8086", .description = "Intel 8086 (real mode, 20-bit bus)",
		.gen = GEN_8086, .bus_bits = 20, .max_insn_len = 0,
		.flags_fixed1 = 0xF002, .flags_writable = 0x0FD5,
	},
	[CPU_80286] = {
		.name = "286", .description = "Intel 80286 (24-bit bus)",
		.gen = GEN_286, .bus_bits = 24, .max_insn_len = 10,
		.flags_fixed1 = 0x0002, .flags_writable = 0x7FD5,
	},
	[CPU_80386] = {
		.name = "386", .description = "Intel 80386DX",
		.gen = GEN_386, .bus_bits = 32, .max_insn_len = 15,
		.flags_fixed1 = 0x0002, .flags_writable = 0x37FD5,
	},
	[CPU_80486] = {
		.name = "486", .description = "Intel 80486 (with CPUID)",
		.gen = GEN_486, .bus_bits = 32, .max_insn_len = 15,
		.flags_fixed1 = 0x0002, .flags_writable = 0x277FD5,
		.cpuid_family = 4, .cpuid_model = 1, .cpuid_stepping = 0,
		.cpuid_features = CPUID_FPU,
	},
	[CPU_PENTIUM] = {
		.name = "pentium", .description = "Intel Pentium (P5)",
		.gen = GEN_586, .bus_bits = 32, .max_insn_len = 15,
		.flags_fixed1 = 0x0002, .flags_writable = 0x3F7FD5,
		.cpuid_family = 5, .cpuid_model = 2, .cpuid_stepping = 12,
		.cpuid_features = CPUID_FPU | CPUID_VME | CPUID_PSE | CPUID_TSC | CPUID_MSR |
		                  CPUID_CX8,
		.cr4_valid = CR4_VME | CR4_PVI | CR4_PSE | CR4_TSD | CR4_DE,
	},
	[CPU_PENTIUM2] = {
		.name = "pentium2", .description = "Intel Pentium II (P6, default)",
		.gen = GEN_686, .bus_bits = 32, .max_insn_len = 15,
		.flags_fixed1 = 0x0002, .flags_writable = 0x3F7FD5,
		.cpuid_family = 6, .cpuid_model = 5, .cpuid_stepping = 2,
		.cpuid_features = CPUID_FPU | CPUID_VME | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_PAE |
		                  CPUID_CX8 | CPUID_SEP | CPUID_MTRR | CPUID_PGE | CPUID_CMOV |
		                  CPUID_MMX | CPUID_FXSR,
		.cr4_valid = CR4_VME | CR4_PVI | CR4_PSE | CR4_TSD | CR4_DE | CR4_PAE | CR4_PGE |
		             CR4_PCE,
	},
};

static const struct { const char *alias; enum cpu_model m; } model_aliases[] = {
	{ "80286", CPU_80286 }, { "80386", CPU_80386 }, { "80486", CPU_80486 },
	{ "i386", CPU_80386 }, { "i486", CPU_80486 }, { "8088", CPU_8086 },
	{ "pentiumpro", CPU_PENTIUM2 }, { "pentium-pro", CPU_PENTIUM2 },
	{ "p6", CPU_PENTIUM2 }, { "i686", CPU_PENTIUM2 },
};

const struct cpu_model_info *cpu_model_find(const char *name)
{
	for (int m = 0; m < CPU_MODEL_COUNT; m++)
		if (!strcasecmp(cpu_models[m].name, name))
			return &cpu_models[m];
	for (size_t k = 0; k < sizeof model_aliases / sizeof *model_aliases; k++)
		if (!strcasecmp(model_aliases[k].alias, name))
			return &cpu_models[model_aliases[k].m];
	return NULL;
}
