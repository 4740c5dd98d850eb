/* --trace: each executed instruction with Capstone's disassembly, followed
 * by the registers it changed. */
#include "cpu-internal.h"

#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

struct tracer {
	FILE *out;
	csh cs16, cs32;
	bool ok16, ok32;
	bool have_prev;
	uint32_t r[8], eip, flags;
	uint16_t sel[6];
};

struct tracer *tracer_new(FILE *out)
{
	struct tracer *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->out = out;
	t->ok16 = cs_open(CS_ARCH_X86, CS_MODE_16, &t->cs16) == CS_ERR_OK;
	t->ok32 = cs_open(CS_ARCH_X86, CS_MODE_32, &t->cs32) == CS_ERR_OK;
	return t;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	if (t->ok16)
		cs_close(&t->cs16);
	if (t->ok32)
		cs_close(&t->cs32);
	free(t);
}

static const char *const reg_names[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* Prints what changed since the last instruction was shown. */
void tracer_flush(struct tracer *t, struct cpu *c)
{
	if (!t->have_prev)
		return;
	uint32_t flags = cpu_get_flags(c);
	bool any = false;
	for (int r = 0; r < 8; r++) {
		if (c->r[r] != t->r[r]) {
			fprintf(t->out, "%s %s=%08x", any ? "" : "    ;", reg_names[r], c->r[r]);
			any = true;
		}
	}
	for (int s = 0; s < 6; s++) {
		if (c->seg[s].sel != t->sel[s]) {
			fprintf(t->out, "%s %s=%04x", any ? "" : "    ;", seg_names[s], c->seg[s].sel);
			any = true;
		}
	}
	if (flags != t->flags) {
		fprintf(t->out, "%s eflags=%08x", any ? "" : "    ;", flags);
		any = true;
	}
	if (any)
		fputc('\n', t->out);
	t->have_prev = false;
}

void tracer_hook(void *opaque, struct cpu *c, const struct insn *i, uint32_t cs_base,
                 uint32_t eip)
{
	struct tracer *t = opaque;
	tracer_flush(t, c);
	uint8_t bytes[16];
	unsigned n = i->len < sizeof bytes ? i->len : sizeof bytes;
	uint32_t ipmask = c->code32 ? 0xFFFFFFFFu : 0xFFFFu;
	for (unsigned k = 0; k < n; k++)
		if (mmu_debug_read(c->mmu, cs_base + ((eip + k) & ipmask), &bytes[k], 1) < 0)
			bytes[k] = 0;
	fprintf(t->out, "%04x:%08x  ", c->seg[SEG_CS].sel, eip);
	for (unsigned k = 0; k < 8; k++) {
		if (k < n)
			fprintf(t->out, "%02x", bytes[k]);
		else
			fputs("  ", t->out);
	}
	fputs(n > 8 ? "+ " : "  ", t->out);
	bool ok = c->code32 ? t->ok32 : t->ok16;
	cs_insn *ci = NULL;
	size_t count = ok ? cs_disasm(c->code32 ? t->cs32 : t->cs16, bytes, n, eip, 1, &ci) : 0;
	if (count == 1)
		fprintf(t->out, "%s %s\n", ci->mnemonic, ci->op_str);
	else
		fprintf(t->out, "%s\n", i->def->name);
	if (ci)
		cs_free(ci, count);
	memcpy(t->r, c->r, sizeof t->r);
	t->eip = c->eip;
	t->flags = cpu_get_flags(c);
	for (int s = 0; s < 6; s++)
		t->sel[s] = c->seg[s].sel;
	t->have_prev = true;
}
