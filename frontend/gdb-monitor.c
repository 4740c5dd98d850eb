/* gdb-monitor — the stub's monitor commands (gdb's "monitor CMD", the
 * qRcmd packet): state gdb's register view cannot show, and the stub's
 * settings.  "monitor help" lists them. */
#include "gdbstub-internal.h"

#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "mmu.h"

static const char *const seg_names[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };

/* A descriptor cache in words: type, DPL, present, size, granularity. */
static void show_segment(struct gdb_text *o, const char *name, const struct segment *s,
                         bool system)
{
	unsigned a = s->attr;
	gdb_text_printf(o, "%-4s%04x base=%08x limit=%08x attr=%04x", name, s->sel, s->base,
	                s->limit, a);
	static const char *const sys_types[16] = {
		"reserved", "TSS16", "LDT", "TSS16-busy", "call16", "task", "int16", "trap16",
		"reserved", "TSS32", "reserved", "TSS32-busy", "call32", "reserved", "int32",
		"trap32",
	};
	if (!((a >> 4) & 1) || system)
		gdb_text_printf(o, " %s", sys_types[a & 15]);
	else if (a & 8)
		gdb_text_printf(o, " code%s%s%s", (a & 2) ? " readable" : " exec-only",
		                (a & 4) ? " conforming" : "", (a & 1) ? " accessed" : "");
	else
		gdb_text_printf(o, " data%s%s%s", (a & 2) ? " writable" : " read-only",
		                (a & 4) ? " expand-down" : "", (a & 1) ? " accessed" : "");
	gdb_text_printf(o, " dpl=%u%s%s%s\n", (a >> 5) & 3, (a & 0x80) ? " present" : " not-present",
	                (a & 0x400) ? " 32-bit" : " 16-bit", (a & 0x800) ? " G=4K" : "");
}

static void info_registers(struct gdbstub *g, struct gdb_text *o)
{
	struct cpu *c = g->t.cpu;
	static const char *const rn[8] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };
	for (int r = 0; r < 8; r++)
		gdb_text_printf(o, "%s=%08x%s", rn[r], c->r[r], r % 4 == 3 ? "\n" : " ");
	uint32_t f = cpu_get_flags(c);
	gdb_text_printf(o, "EIP=%08x EFL=%08x [", c->eip, f);
	static const struct { uint32_t bit; char ch; } fl[] = {
		{ FL_ID, 'I' }, { FL_VIP, 'P' }, { FL_VIF, 'F' }, { FL_AC, 'A' }, { FL_VM, 'V' },
		{ FL_RF, 'R' }, { FL_NT, 'N' }, { FL_OF, 'O' }, { FL_DF, 'D' }, { FL_IF, 'I' },
		{ FL_TF, 'T' }, { FL_SF, 'S' }, { FL_ZF, 'Z' }, { FL_AF, 'A' }, { FL_PF, 'P' },
		{ FL_CF, 'C' },
	};
	for (size_t k = 0; k < sizeof fl / sizeof fl[0]; k++)
		gdb_text_printf(o, "%c", (f & fl[k].bit) ? fl[k].ch : '-');
	const char *mode = !c->pmode ? "real" : (f & FL_VM) ? "v86" : "protected";
	gdb_text_printf(o, "] IOPL=%u CPL=%u %s mode, %s code, %s stack\n", (f >> 12) & 3, c->cpl,
	                mode, c->code32 ? "32-bit" : "16-bit", c->stack32 ? "32-bit" : "16-bit");
	gdb_text_printf(o, "linear pc=%08x\n", c->seg[SEG_CS].base + c->eip);
	for (int s = 0; s < 6; s++)
		show_segment(o, seg_names[s], &c->seg[s], false);
	show_segment(o, "LDT", &c->ldtr, true);
	show_segment(o, "TR", &c->tr, true);
	gdb_text_printf(o, "GDT     base=%08x limit=%04x\n", c->gdtr.base, c->gdtr.limit);
	gdb_text_printf(o, "IDT     base=%08x limit=%04x\n", c->idtr.base, c->idtr.limit);
	gdb_text_printf(o, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", c->cr0, c->cr2, c->cr3, c->cr4);
	gdb_text_printf(o, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x DR6=%08x DR7=%08x\n", c->dr[0],
	                c->dr[1], c->dr[2], c->dr[3], c->dr[6], c->dr[7]);
	gdb_text_printf(o, "FCW=%04x FSW=%04x FTW=%04x FOP=%03x FIP=%04x:%08x FDP=%04x:%08x\n",
	                c->fpu.cw, x87_get_sw(&c->fpu), x87_get_tw(&c->fpu), c->fpu.fop, c->fpu.fcs,
	                c->fpu.fip, c->fpu.fds, c->fpu.fdp);
	static const char *const st[3] = { "running", "halted", "shutdown" };
	gdb_text_printf(o, "model=%s state=%s icount=%llu intr=%d last_vector=%d\n", c->model->name,
	                st[c->state], (unsigned long long)c->icount, c->intr, c->last_vector);
}

static uint32_t pread32(struct mmu *m, uint32_t pa)
{
	return phys_read8(m, pa) | (uint32_t)phys_read8(m, pa + 1) << 8 |
	       (uint32_t)phys_read8(m, pa + 2) << 16 | (uint32_t)phys_read8(m, pa + 3) << 24;
}

static uint64_t pread64(struct mmu *m, uint32_t pa)
{
	return pread32(m, pa) | (uint64_t)pread32(m, pa + 4) << 32;
}

/* Page mappings in ascending linear order, merged into runs (info mem) or
 * one line per mapping (info tlb). */
struct walker {
	struct gdb_text *o;
	bool runs;
	unsigned lines;
	bool have;                  /* a run is open */
	uint64_t start, end;        /* linear [start, end) */
	uint64_t pa_next;           /* physical address the run continues at */
	unsigned flags;             /* U/S, R/W (after combining levels) */
};

#define WALK_MAX_LINES 4096

static void run_flush(struct walker *w)
{
	if (!w->have)
		return;
	if (w->lines++ < WALK_MAX_LINES)
		gdb_text_printf(w->o, "%08llx-%08llx %08llx %c%c%c\n", (unsigned long long)w->start,
		                (unsigned long long)w->end, (unsigned long long)(w->end - w->start),
		                (w->flags & 4) ? 'u' : '-', 'r', (w->flags & 2) ? 'w' : '-');
	w->have = false;
}

static void mapping(struct walker *w, uint64_t la, uint64_t pa, uint64_t size, unsigned flags)
{
	if (!w->runs) {
		if (w->lines++ < WALK_MAX_LINES)
			gdb_text_printf(w->o, "%08llx: %09llx %s %c%c%s\n", (unsigned long long)la,
			                (unsigned long long)pa,
			                size == 4096 ? "4K" : size == (2u << 20) ? "2M" : "4M",
			                (flags & 4) ? 'u' : 's', (flags & 2) ? 'w' : 'r',
			                (flags & 0x100) ? " global" : "");
		return;
	}
	flags &= 6;
	if (w->have && w->end == la && w->flags == flags) {
		w->end = la + size;
		return;
	}
	run_flush(w);
	w->have = true;
	w->start = la;
	w->end = la + size;
	w->pa_next = pa + size;
	w->flags = flags;
}

static void walk_tables(struct gdbstub *g, struct walker *w)
{
	struct mmu *m = g->t.mmu;
	if (!m->paging) {
		gdb_text_printf(w->o, "paging is off: linear = physical%s\n",
		                m->a20_mask != ~0u ? " (A20 closed)" : "");
		return;
	}
	if (m->pae) {
		for (unsigned i = 0; i < 4; i++) {
			uint64_t pdpte = m->pdpte[i];
			if (!(pdpte & 1))
				continue;
			for (unsigned j = 0; j < 512; j++) {
				uint64_t pde = pread64(m, (uint32_t)(pdpte & 0xFFFFF000u) + j * 8);
				if (!(pde & 1))
					continue;
				uint64_t la = (uint64_t)i << 30 | (uint64_t)j << 21;
				if (pde & 0x80) {
					mapping(w, la, pde & 0xFFFE00000ull, 2u << 20,
					        (pde & 6) | ((pde & 0x100) ? 0x100u : 0));
					continue;
				}
				for (unsigned k = 0; k < 512; k++) {
					uint64_t pte = pread64(m, (uint32_t)(pde & 0xFFFFF000u) + k * 8);
					if (pte & 1)
						mapping(w, la | (uint64_t)k << 12, pte & 0xFFFFFF000ull, 4096,
						        (unsigned)(pde & pte & 6) | ((pte & 0x100) ? 0x100u : 0));
				}
			}
		}
		return;
	}
	for (unsigned i = 0; i < 1024; i++) {
		uint32_t pde = pread32(m, (m->cr3 & ~0xFFFu) + i * 4);
		if (!(pde & 1))
			continue;
		uint64_t la = (uint64_t)i << 22;
		if ((pde & 0x80) && m->pse) {
			mapping(w, la, pde & 0xFFC00000u, 4u << 20, (pde & 6) | (pde & 0x100));
			continue;
		}
		for (unsigned k = 0; k < 1024; k++) {
			uint32_t pte = pread32(m, (pde & ~0xFFFu) + k * 4);
			if (pte & 1)
				mapping(w, la | (uint64_t)k << 12, pte & ~0xFFFu, 4096,
				        (pde & pte & 6) | (pte & 0x100));
		}
	}
}

static void info_pages(struct gdbstub *g, struct gdb_text *o, bool runs)
{
	struct walker w = { .o = o, .runs = runs };
	walk_tables(g, &w);
	run_flush(&w);
	if (w.lines > WALK_MAX_LINES)
		gdb_text_printf(o, "... %u more lines\n", w.lines - WALK_MAX_LINES);
}

/* amber's own softmmu TLB: what the fast path currently knows. */
static void info_softtlb(struct gdbstub *g, struct gdb_text *o)
{
	struct mmu *m = g->t.mmu;
	for (int u = 0; u < 2; u++)
		for (int k = 0; k < TLB_SIZE; k++) {
			const struct tlb_entry *e = &m->tlb[u][k];
			if (e->lpage == TLB_NONE)
				continue;
			gdb_text_printf(o, "%s[%3d] %08x -> %08x %c%c fast:%c%c%c%s%s\n",
			                u ? "user" : "sup ", k, e->lpage, e->pa_page,
			                e->can_read ? 'r' : '-', e->can_write ? 'w' : '-',
			                e->tag_read == e->lpage ? 'r' : '-',
			                e->tag_write == e->lpage ? 'w' : '-',
			                e->tag_exec == e->lpage ? 'x' : '-', e->host ? " ram" : "",
			                e->global ? " global" : "");
		}
}

void gdb_trace_off(struct gdbstub *g)
{
	if (!g->tracer)
		return;
	struct cpu *c = g->t.cpu;
	tracer_flush(g->tracer, c);
	if (c->trace == tracer_hook && c->trace_opaque == g->tracer) {
		c->trace = NULL;
		c->trace_opaque = NULL;
	}
	tracer_free(g->tracer);
	g->tracer = NULL;
	if (g->trace_file)
		fclose(g->trace_file);
	g->trace_file = NULL;
}

static void trace_on(struct gdbstub *g, const char *path, struct gdb_text *o)
{
	struct cpu *c = g->t.cpu;
	if (c->trace && !g->tracer) {
		gdb_text_printf(o, "another tracer is on (--trace)\n");
		return;
	}
	gdb_trace_off(g);
	if (g->sandbox) {
		gdb_text_printf(o, "trace: no files in this session\n");
		return;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		gdb_text_printf(o, "trace: cannot open %s\n", path);
		return;
	}
	g->tracer = tracer_new(f);
	if (!g->tracer) {
		fclose(f);
		gdb_text_printf(o, "trace: out of memory\n");
		return;
	}
	g->trace_file = f;
	c->trace = tracer_hook;
	c->trace_opaque = g->tracer;
	gdb_text_printf(o, "tracing to %s\n", path);
}

/* "on"/"off" settings; an empty argument shows the value. */
static void setting(struct gdb_text *o, const char *name, const char *arg, bool *v)
{
	if (!strcmp(arg, "on"))
		*v = true;
	else if (!strcmp(arg, "off"))
		*v = false;
	else if (*arg) {
		gdb_text_printf(o, "%s: on or off\n", name);
		return;
	}
	gdb_text_printf(o, "%s is %s\n", name, *v ? "on" : "off");
}

static const char help[] =
	"amber monitor commands:\n"
	"  info registers     every register with the full descriptor caches\n"
	"  info tlb           the guest's page mappings, page by page\n"
	"  info mem           the guest's page mappings as ranges\n"
	"  info softtlb       amber's softmmu TLB entries\n"
	"  linear | phys      memory packets use linear (default) or physical addresses\n"
	"  real [on|off|auto] pc is CS.base+EIP (CS*16+IP in real mode) when on,\n"
	"                     EIP when off; auto (default): on in real and V86 mode\n"
	"  step-irq [on|off]  take interrupts during stepi (default off)\n"
	"  trace on [FILE]    disassembled instruction trace to FILE (amber-trace.txt)\n"
	"  trace off\n"
	"  reset              reset the machine (the CPU to F000:FFF0)\n";

void gdb_monitor(struct gdbstub *g, const char *cmd, struct gdb_text *o)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", cmd);
	/* Words: verb and the rest, trimmed. */
	char *s = buf;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		s[--n] = '\0';
	char *arg = s + strcspn(s, " \t");
	if (*arg) {
		*arg++ = '\0';
		while (*arg == ' ' || *arg == '\t')
			arg++;
	}
	if (!strcmp(s, "help") || !*s) {
		gdb_text_printf(o, "%s", help);
	} else if (!strcmp(s, "info")) {
		if (!strcmp(arg, "registers") || !strcmp(arg, "reg") || !strcmp(arg, "r"))
			info_registers(g, o);
		else if (!strcmp(arg, "tlb"))
			info_pages(g, o, false);
		else if (!strcmp(arg, "mem"))
			info_pages(g, o, true);
		else if (!strcmp(arg, "softtlb"))
			info_softtlb(g, o);
		else
			gdb_text_printf(o, "info: registers, tlb, mem or softtlb\n");
	} else if (!strcmp(s, "phys")) {
		g->phys = true;
		gdb_text_printf(o, "memory addresses are physical\n");
	} else if (!strcmp(s, "linear")) {
		g->phys = false;
		gdb_text_printf(o, "memory addresses are linear\n");
	} else if (!strcmp(s, "real")) {
		static const char *const names[3] = { "auto", "on", "off" };
		int k = 0;
		while (k < 3 && strcmp(arg, names[k]))
			k++;
		if (k < 3)
			g->real = k;
		else if (*arg)
			gdb_text_printf(o, "real: on, off or auto\n");
		gdb_update_view(g);
		gdb_text_printf(o, "real is %s: pc is %s\n", names[g->real],
		                g->view.linear_pc ? "CS.base+EIP (linear)" : "EIP");
	} else if (!strcmp(s, "step-irq")) {
		setting(o, "step-irq", arg, &g->step_irq);
	} else if (!strcmp(s, "trace")) {
		if (!strcmp(arg, "off")) {
			gdb_trace_off(g);
			gdb_text_printf(o, "tracing off\n");
		} else if (!strncmp(arg, "on", 2) && (arg[2] == '\0' || arg[2] == ' ')) {
			const char *path = arg + 2;
			while (*path == ' ')
				path++;
			trace_on(g, *path ? path : "amber-trace.txt", o);
		} else {
			gdb_text_printf(o, "trace on [FILE] | trace off\n");
		}
	} else if (!strcmp(s, "reset")) {
		if (g->t.reset)
			g->t.reset(g->t.opaque);
		else
			cpu_reset(g->t.cpu);
		g->halt_reported = g->shutdown_reported = false;
		gdb_update_view(g);
		gdb_text_printf(o, "reset (gdb: maintenance flush register-cache)\n");
	} else {
		gdb_text_printf(o, "unknown command '%s' (monitor help)\n", s);
	}
}
