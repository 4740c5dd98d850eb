/* itrace — --trace: "CS:EIP  bytes  mnemonic" for each instruction, read
 * through the cpu's trace hook just before the instruction executes. */
#include "itrace.h"

#include "cpu.h"
#include "mmu.h"

static void itrace_insn(void *opaque, struct cpu *c, const struct insn *i,
                        uint32_t cs_base, uint32_t eip)
{
	FILE *out = opaque;
	char bytes[3 * 16 + 1];
	unsigned n = i->len < 16 ? i->len : 16;
	for (unsigned k = 0; k < n; k++)
		snprintf(bytes + 3 * k, 4, "%02x ",
		         mmu_read8(c->mmu, cs_base + eip + k));
	bytes[3 * n] = '\0';
	fprintf(out, "%04X:%08X  %-30s %s\n", c->seg[SEG_CS].sel, eip, bytes,
	        i->def && i->def->name ? i->def->name : "?");
}

void frontend_trace_attach(struct cpu *c, FILE *out)
{
	c->trace = itrace_insn;
	c->trace_opaque = out;
}
