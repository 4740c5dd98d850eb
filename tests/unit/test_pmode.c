/* Protected mode, V86 mode and task switches (issue 3, points 1-3): GDT,
 * IDT and TSS structures built in guest RAM, small code sequences run
 * through the interpreter, the results read back from the state and the
 * stacks.  Paging stays off: linear = physical.
 *
 * Layout:
 *   0x1000 GDT          0x2300 16-bit call-gate target
 *   0x3000 TSS B (386)  0x3100 TSS C (286)   0x3200 TSS D (386, V86 task)
 *   0x3800 LDT          0x4000 IDT (256 gates)
 *   0x7000 ring-0 stack top (TSS A ESP0)     0x8000 ring-3 stack top
 *   0x10000 TSS A (386, redirection bitmap and I/O bitmap)
 *   0x20000 ring-0 code  0x21000 ring-3 code  0x22000 call-gate target
 *   0x30000 handlers: vector v at 0x30000 + 16v (HLT)
 *   0x40000 V86 code (4000:0000), 0x5FFFE V86 stack (5000:FFFE),
 *   0x60000 V86 handler (6000:0000) */
#include <criterion/criterion.h>

#include "cpu-internal.h"
#include "machine.h"

enum {
	GDT = 0x1000, IDT = 0x4000, LDT = 0x3800,
	TSS_A = 0x10000, TSS_B = 0x3000, TSS_C = 0x3100, TSS_D = 0x3200,
	STACK0 = 0x7000, STACK3 = 0x8000,
	CODE0 = 0x20000, CODE3 = 0x21000, GATE_TARGET = 0x22000, GATE16_TARGET = 0x2300,
	HANDLERS = 0x30000,
	V86_CS = 0x4000, V86_SS = 0x5000, V86_HANDLER_CS = 0x6000,
	TSS_A_IOMAP = 0x88, /* redirection bitmap at 0x68..0x87 */
	TSS_A_LIMIT = TSS_A_IOMAP + 0x2000,
};

/* Selectors. */
enum {
	S_CODE0 = 0x08, S_DATA0 = 0x10, S_CODE3 = 0x1B, S_DATA3 = 0x23,
	S_TSS_A = 0x28, S_TSS_B = 0x30, S_TSS_C = 0x38,
	S_CALL32 = 0x40, S_CALL16 = 0x48, S_TASKGATE = 0x50, S_CODE16 = 0x58,
	S_RODATA3 = 0x63, S_XCODE0 = 0x68, S_NPDATA0 = 0x70, S_LDT = 0x78,
	S_SMALL3 = 0x83, S_EXPDOWN0 = 0x88, S_NPCODE0 = 0xA0, S_TSS_D = 0xA8,
	S_CALL32_J = 0xB0, S_CODE1 = 0xB9, S_CALL_R1 = 0xC0, S_CONF0 = 0xC8, S_DATA1 = 0xD1, GDT_ENTRIES = 27,
};

static struct machine m;
static struct cpu *c;

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xF) << 48 |
	       (uint64_t)(flags & 0xF) << 52 | (uint64_t)(base >> 24) << 56;
}

static uint64_t gate_desc(uint16_t sel, uint32_t off, uint8_t access, unsigned params)
{
	return (uint64_t)(off & 0xFFFF) | (uint64_t)sel << 16 | (uint64_t)(params & 0x1F) << 32 |
	       (uint64_t)access << 40 | (uint64_t)(off >> 16) << 48;
}

static void put64(uint32_t a, uint64_t v) { mem_write(&m, a, &v, 8); }
static void put32(uint32_t a, uint32_t v) { mem_write(&m, a, &v, 4); }
static void put16(uint32_t a, uint16_t v) { mem_write(&m, a, &v, 2); }
static void put8(uint32_t a, uint8_t v) { mem_write(&m, a, &v, 1); }

static void set_gdt(uint16_t sel, uint64_t d) { put64(GDT + (sel & 0xFFF8), d); }
static void set_idt(int v, uint64_t d) { put64(IDT + 8 * v, d); }
static uint8_t gdt_access(uint16_t sel) { return mem8(&m, GDT + (sel & 0xFFF8) + 5); }

/* A 386 TSS for a flat ring-0 task starting at eip. */
static void tss32_task(uint32_t base, uint32_t eip, uint32_t esp)
{
	for (uint32_t k = 0; k < 0x68; k += 4)
		put32(base + k, 0);
	put32(base + 0x20, eip);
	put32(base + 0x24, 0x2);
	put32(base + 0x38, esp);
	put16(base + 0x48, S_DATA0);
	put16(base + 0x4C, S_CODE0);
	put16(base + 0x50, S_DATA0);
	put16(base + 0x54, S_DATA0);
	put16(base + 0x58, S_DATA0);
	put16(base + 0x5C, S_DATA0);
	put16(base + 0x66, 0x68);
}

/* Loads segment register seg from the GDT as the CPU would (no checks). */
static void load(int seg, uint16_t sel)
{
	uint64_t d;
	cr_assert_eq(mmu_debug_read(&m.mmu, GDT + (sel & 0xFFF8), &d, 8), 0);
	c->seg[seg] = (sel & 0xFFFC) ? desc_to_cache(d, sel) : seg_null(sel);
}

static void ring0(uint32_t eip)
{
	c->state = CPU_RUNNING;
	c->cpl = 0;
	load(SEG_CS, S_CODE0);
	for (int s = 0; s < 6; s++)
		if (s != SEG_CS)
			load(s, S_DATA0);
	c->code32 = c->stack32 = c->dmode.code32 = true;
	c->eip = eip;
	c->r[R_ESP] = STACK0;
}

static void ring3(uint32_t eip)
{
	c->state = CPU_RUNNING;
	c->cpl = 3;
	load(SEG_CS, S_CODE3);
	for (int s = 0; s < 6; s++)
		if (s != SEG_CS)
			load(s, S_DATA3);
	c->code32 = c->stack32 = c->dmode.code32 = true;
	c->eip = eip;
	c->r[R_ESP] = STACK3;
}

static void setup_model(const char *model)
{
	machine_init(&m, model);
	c = &m.cpu;
	set_gdt(0x00, 0);
	set_gdt(S_CODE0, seg_desc(0, 0xFFFFF, 0x9B, 0xC));
	set_gdt(S_DATA0, seg_desc(0, 0xFFFFF, 0x93, 0xC));
	set_gdt(S_CODE3, seg_desc(0, 0xFFFFF, 0xFB, 0xC));
	set_gdt(S_DATA3, seg_desc(0, 0xFFFFF, 0xF3, 0xC));
	set_gdt(S_TSS_A, seg_desc(TSS_A, TSS_A_LIMIT, 0x8B, 0)); /* busy: the current task */
	set_gdt(S_TSS_B, seg_desc(TSS_B, 0x67, 0x89, 0));
	set_gdt(S_TSS_C, seg_desc(TSS_C, 0x2B, 0x81, 0));
	set_gdt(S_CALL32, gate_desc(S_CODE0, GATE_TARGET, 0xEC, 2));
	set_gdt(S_CALL16, gate_desc(S_CODE16, GATE16_TARGET, 0xE4, 1));
	set_gdt(S_TASKGATE, gate_desc(S_TSS_B, 0, 0xE5, 0));
	set_gdt(S_CODE16, seg_desc(0, 0xFFFFF, 0x9B, 0x8));
	set_gdt(S_RODATA3, seg_desc(0, 0xFFFFF, 0xF1, 0xC));
	set_gdt(S_XCODE0, seg_desc(0, 0xFFFFF, 0x99, 0xC));
	set_gdt(S_NPDATA0, seg_desc(0, 0xFFFFF, 0x13, 0xC));
	set_gdt(S_LDT, seg_desc(LDT, 0x3F, 0x82, 0));
	set_gdt(S_SMALL3, seg_desc(0, 0xFFF, 0xF3, 0x4));
	set_gdt(S_EXPDOWN0, seg_desc(0, 0xFFF, 0x97, 0x4));
	set_gdt(S_NPCODE0, seg_desc(0, 0xFFFFF, 0x1B, 0xC));
	set_gdt(S_TSS_D, seg_desc(TSS_D, 0x67, 0x89, 0));
	set_gdt(S_CALL32_J, gate_desc(S_CODE0, GATE_TARGET, 0xEC, 0));
	set_gdt(S_CODE1, seg_desc(0, 0xFFFFF, 0xBB, 0xC));
	set_gdt(S_CALL_R1, gate_desc(S_CODE1, GATE_TARGET, 0xEC, 0));
	set_gdt(S_CONF0, seg_desc(0, 0xFFFFF, 0x9F, 0xC));
	set_gdt(S_DATA1, seg_desc(0, 0xFFF, 0xB3, 0x4));
	for (int v = 0; v < 256; v++) {
		set_idt(v, gate_desc(S_CODE0, HANDLERS + 16 * v, 0xEE, 0));
		put8(HANDLERS + 16 * v, 0xF4);
	}
	/* TSS A: ring-0 stack, redirection bitmap (all redirected), I/O
	 * bitmap (all ports allowed) and its closing FFh byte. */
	for (uint32_t k = 0; k <= TSS_A_LIMIT; k += 4)
		put32(TSS_A + k, 0);
	put32(TSS_A + 4, STACK0);
	put16(TSS_A + 8, S_DATA0);
	put16(TSS_A + 0x66, TSS_A_IOMAP);
	put8(TSS_A + TSS_A_LIMIT, 0xFF);

	c->pmode = true;
	c->cr0 |= 1;
	c->gdtr.base = GDT;
	c->gdtr.limit = GDT_ENTRIES * 8 - 1;
	c->idtr.base = IDT;
	c->idtr.limit = 256 * 8 - 1;
	c->ldtr = (struct segment){ 0 };
	c->tr = desc_to_cache(seg_desc(TSS_A, TSS_A_LIMIT, 0x8B, 0), S_TSS_A);
	c->flags = 0x2;
	ring0(CODE0);
}

static void setup(void)
{
	setup_model("pentium2");
}

static void teardown(void)
{
	machine_free(&m);
}

TestSuite(pmode, .init = setup, .fini = teardown);

static void code(uint32_t at, const uint8_t *b, size_t n)
{
	mem_write(&m, at, b, n);
}
#define CODE(at, ...) code((at), BYTES(__VA_ARGS__))

/* Runs until a handler's HLT stops the CPU; checks that vector v was taken
 * with CS:EIP at its handler and returns the error code on the stack. */
static uint32_t run_to_vector(int v, unsigned max)
{
	c->last_vector = -1;
	machine_run(&m, max + 8); /* the handler's HLT stops the run */
	cr_assert_eq(c->last_vector, v, "vector %d, want %d", c->last_vector, v);
	cr_assert_eq(c->state, CPU_HALTED);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE0);
	cr_assert_eq(c->eip, (uint32_t)(HANDLERS + 16 * v + 1));
	return mem32(&m, c->seg[SEG_SS].base + c->r[R_ESP]);
}

static void run_clean(unsigned n)
{
	c->last_vector = -1;
	uint64_t done = machine_run(&m, n);
	cr_assert_eq(c->last_vector, -1, "unexpected vector %d (error %x)", c->last_vector,
	             mem32(&m, c->seg[SEG_SS].base + c->r[R_ESP]));
	cr_assert_eq(done, n);
}

static uint32_t stack(unsigned k)
{
	return mem32(&m, c->seg[SEG_SS].base + c->r[R_ESP] + 4 * k);
}

/* ---- segment loads and access rights ---- */

/* mov ax, sel; mov <seg>, ax */
static void mov_seg(uint32_t at, uint16_t sel, uint8_t sreg)
{
	CODE(at, 0x66, 0xB8, sel & 0xFF, sel >> 8, 0x8E, 0xC0 | sreg << 3);
}

Test(pmode, mov_ds_not_present_is_np)
{
	mov_seg(CODE0, S_NPDATA0, SEG_DS);
	cr_assert_eq(run_to_vector(EX_NP, 3), S_NPDATA0);
	cr_assert_eq(c->r[R_ESP], STACK0 - 16);
}

Test(pmode, mov_ds_system_descriptor_is_gp_sel)
{
	mov_seg(CODE0, S_TSS_B, SEG_DS);
	cr_assert_eq(run_to_vector(EX_GP, 3), S_TSS_B);
}

Test(pmode, mov_ds_beyond_gdt_is_gp_sel)
{
	mov_seg(CODE0, GDT_ENTRIES * 8 + 3, SEG_DS);
	cr_assert_eq(run_to_vector(EX_GP, 3), GDT_ENTRIES * 8);
}

Test(pmode, mov_ds_execute_only_code_is_gp)
{
	mov_seg(CODE0, S_XCODE0, SEG_DS);
	cr_assert_eq(run_to_vector(EX_GP, 3), S_XCODE0);
}

Test(pmode, mov_ds_ring0_data_from_ring3_is_gp)
{
	ring3(CODE3);
	mov_seg(CODE3, S_DATA0, SEG_DS);
	cr_assert_eq(run_to_vector(EX_GP, 3), S_DATA0);
}

Test(pmode, mov_ss_not_present_is_ss)
{
	mov_seg(CODE0, S_NPDATA0, SEG_SS);
	cr_assert_eq(run_to_vector(EX_SS, 3), S_NPDATA0);
}

Test(pmode, mov_ss_null_and_readonly_are_gp)
{
	mov_seg(CODE0, 0, SEG_SS);
	cr_assert_eq(run_to_vector(EX_GP, 3), 0);
	ring3(CODE3);
	mov_seg(CODE3, S_RODATA3, SEG_SS);
	cr_assert_eq(run_to_vector(EX_GP, 3), S_RODATA3 & 0xFFFC);
}

Test(pmode, ldt_selector_uses_the_ldt)
{
	put64(LDT + 8, seg_desc(0x12340, 0xFFFF, 0x93, 0));
	/* lldt ax (ax = S_LDT); mov ds, 0x0C */
	CODE(CODE0, 0x66, 0xB8, S_LDT, 0x00, 0x0F, 0x00, 0xD0,
	     0x66, 0xB8, 0x0C, 0x00, 0x8E, 0xD8);
	run_clean(4);
	cr_assert_eq(c->seg[SEG_DS].base, 0x12340);
	cr_assert_eq(c->seg[SEG_DS].limit, 0xFFFF);
	cr_assert(mem8(&m, LDT + 8 + 5) & 1, "accessed bit set");
}

Test(pmode, null_ds_access_is_gp0)
{
	mov_seg(CODE0, 0, SEG_DS);
	CODE(CODE0 + 6, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00); /* mov eax, [0x100] */
	cr_assert_eq(run_to_vector(EX_GP, 4), 0);
	cr_assert_eq(stack(1), CODE0 + 6);
}

Test(pmode, write_to_readonly_data_is_gp0)
{
	ring3(CODE3);
	load(SEG_DS, S_RODATA3);
	CODE(CODE3, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00,  /* mov eax, [0x100]: fine */
	     0x89, 0x05, 0x00, 0x01, 0x00, 0x00);        /* mov [0x100], eax */
	cr_assert_eq(run_to_vector(EX_GP, 4), 0);
	cr_assert_eq(stack(1), CODE3 + 6);
}

Test(pmode, write_through_cs_is_gp0_read_of_execute_only_is_gp0)
{
	CODE(CODE0, 0x2E, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00); /* mov cs:[0x100], eax */
	cr_assert_eq(run_to_vector(EX_GP, 3), 0);
	ring0(CODE0 + 0x100);
	load(SEG_CS, S_XCODE0);
	CODE(CODE0 + 0x100, 0x90, 0x2E, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00); /* nop; mov eax, cs:[0x100] */
	run_clean(1); /* execute-only code still executes */
	cr_assert_eq(run_to_vector(EX_GP, 3), 0);
}

Test(pmode, limit_and_expand_down)
{
	ring3(CODE3);
	load(SEG_DS, S_SMALL3);
	CODE(CODE3, 0x8B, 0x05, 0xFC, 0x0F, 0x00, 0x00,  /* mov eax, [0xFFC]: last dword */
	     0x8B, 0x05, 0xFE, 0x0F, 0x00, 0x00);        /* mov eax, [0xFFE]: crosses */
	run_clean(1);
	cr_assert_eq(run_to_vector(EX_GP, 3), 0);
	ring0(CODE0);
	load(SEG_ES, S_EXPDOWN0);
	CODE(CODE0, 0x26, 0x8B, 0x05, 0x00, 0x20, 0x00, 0x00,  /* mov eax, es:[0x2000] */
	     0x26, 0x8B, 0x05, 0x00, 0x08, 0x00, 0x00);        /* mov eax, es:[0x800] */
	run_clean(1);
	cr_assert_eq(run_to_vector(EX_GP, 3), 0);
}

Test(pmode, stack_limit_is_ss0)
{
	ring3(CODE3);
	load(SEG_SS, S_SMALL3);
	c->r[R_ESP] = 0x1000;
	CODE(CODE3, 0x50, 0x50); /* push eax twice: the first fits */
	c->r[R_ESP] = 0x4;
	cr_assert_eq(run_to_vector(EX_SS, 4) , 0);
}

Test(pmode, alignment_check_at_cpl3)
{
	c->cr0 |= 1u << 18;
	ring3(CODE3);
	c->flags |= FL_AC;
	CODE(CODE3, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00,  /* aligned */
	     0x8B, 0x05, 0x01, 0x01, 0x00, 0x00);        /* misaligned */
	run_clean(1);
	cr_assert_eq(run_to_vector(EX_AC, 3), 0);
	cr_assert_eq(stack(1), CODE3 + 6);
}

Test(pmode, no_alignment_check_at_cpl0_or_without_am)
{
	c->flags |= FL_AC;
	c->cr0 |= 1u << 18;
	CODE(CODE0, 0x8B, 0x05, 0x01, 0x01, 0x00, 0x00);
	run_clean(1);
	c->cr0 &= ~(1u << 18);
	ring3(CODE3);
	c->flags |= FL_AC;
	CODE(CODE3, 0x8B, 0x05, 0x01, 0x01, 0x00, 0x00);
	run_clean(1);
}

/* ---- call gates, RETF, interrupts, IRET ---- */

Test(pmode, call_gate_to_ring0_copies_parameters_and_retf_returns)
{
	ring3(CODE3);
	/* push 0x11111111; push 0x22222222; call 0x43:0; nop */
	CODE(CODE3, 0x68, 0x11, 0x11, 0x11, 0x11, 0x68, 0x22, 0x22, 0x22, 0x22,
	     0x9A, 0, 0, 0, 0, S_CALL32 | 3, 0, 0x90);
	CODE(GATE_TARGET, 0xCA, 0x08, 0x00); /* retf 8 */
	run_clean(3);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE0);
	cr_assert_eq(c->seg[SEG_SS].sel, S_DATA0);
	cr_assert_eq(c->eip, GATE_TARGET);
	cr_assert_eq(c->r[R_ESP], STACK0 - 24);
	cr_assert_eq(stack(0), CODE3 + 17);
	cr_assert_eq(stack(1), S_CODE3);
	cr_assert_eq(stack(2), 0x22222222);
	cr_assert_eq(stack(3), 0x11111111);
	cr_assert_eq(stack(4), STACK3 - 8);
	cr_assert_eq(stack(5), S_DATA3);
	run_clean(1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE3);
	cr_assert_eq(c->seg[SEG_SS].sel, S_DATA3);
	cr_assert_eq(c->r[R_ESP], STACK3);
	cr_assert_eq(c->eip, CODE3 + 17);
	cr_assert_eq(c->seg[SEG_DS].sel, S_DATA3, "DPL 3 data stays");
}

Test(pmode, call_gate_286_pushes_words)
{
	ring3(CODE3);
	/* push word 0x1234; call 0x4B:0 */
	CODE(CODE3, 0x66, 0x68, 0x34, 0x12, 0x9A, 0, 0, 0, 0, S_CALL16 | 3, 0);
	CODE(GATE16_TARGET, 0x90);
	run_clean(2);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE16);
	cr_assert_eq(c->code32, false);
	cr_assert_eq(c->eip, GATE16_TARGET);
	cr_assert_eq(c->r[R_ESP], STACK0 - 10);
	uint32_t sp = c->r[R_ESP];
	cr_assert_eq(mem16(&m, sp), (CODE3 + 11) & 0xFFFF);
	cr_assert_eq(mem16(&m, sp + 2), S_CODE3);
	cr_assert_eq(mem16(&m, sp + 4), 0x1234);
	cr_assert_eq(mem16(&m, sp + 6), (STACK3 - 2) & 0xFFFF);
	cr_assert_eq(mem16(&m, sp + 8), S_DATA3);
}

Test(pmode, call_gate_dpl_below_cpl_is_gp_gate)
{
	set_gdt(S_CALL32, gate_desc(S_CODE0, GATE_TARGET, 0x8C, 0)); /* DPL 0 */
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CALL32 | 3, 0);
	cr_assert_eq(run_to_vector(EX_GP, 2), S_CALL32);
}

Test(pmode, call_gate_not_present_is_np_gate)
{
	set_gdt(S_CALL32, gate_desc(S_CODE0, GATE_TARGET, 0x6C, 0));
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CALL32 | 3, 0);
	cr_assert_eq(run_to_vector(EX_NP, 2), S_CALL32);
}

Test(pmode, call_gate_target_not_present_is_np_cs)
{
	set_gdt(S_CALL32, gate_desc(S_NPCODE0, GATE_TARGET, 0xEC, 0));
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CALL32 | 3, 0);
	cr_assert_eq(run_to_vector(EX_NP, 2), S_NPCODE0);
}

Test(pmode, call_gate_bad_tss_stack_is_ts)
{
	/* A gate to ring 1 whose TSS stack (SS1) names a code segment; the
	 * #TS itself is delivered on the good ring-0 stack. */
	put16(TSS_A + 0x10, S_CODE0);
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CALL_R1 | 3, 0);
	cr_assert_eq(run_to_vector(EX_TS, 2), S_CODE0);
}

Test(pmode, jmp_through_call_gate_to_inner_level_is_gp)
{
	ring3(CODE3);
	CODE(CODE3, 0xEA, 0, 0, 0, 0, S_CALL32_J | 3, 0);
	cr_assert_eq(run_to_vector(EX_GP, 2), S_CODE0);
}

Test(pmode, jmp_through_call_gate_same_level)
{
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_CALL32_J, 0);
	CODE(GATE_TARGET, 0x90);
	run_clean(1);
	cr_assert_eq(c->eip, GATE_TARGET);
	cr_assert_eq(c->r[R_ESP], STACK0);
}

Test(pmode, far_call_to_nonconforming_other_level_is_gp)
{
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CODE0, 0);
	cr_assert_eq(run_to_vector(EX_GP, 2), S_CODE0);
}

Test(pmode, interrupt_gate_from_ring3_switches_stacks)
{
	ring3(CODE3);
	c->flags |= FL_IF;
	CODE(CODE3, 0xCD, 0x40);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, 0x40);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->seg[SEG_SS].sel, S_DATA0);
	cr_assert_eq(c->r[R_ESP], STACK0 - 20);
	cr_assert_eq(stack(0), CODE3 + 2);
	cr_assert_eq(stack(1), S_CODE3);
	cr_assert(stack(2) & FL_IF);
	cr_assert_eq(stack(3), STACK3);
	cr_assert_eq(stack(4), S_DATA3);
	cr_assert_eq(c->flags & FL_IF, 0, "interrupt gate clears IF");
}

Test(pmode, trap_gate_keeps_if_same_level_frame)
{
	set_idt(0x40, gate_desc(S_CODE0, HANDLERS + 16 * 0x40, 0xEF, 0));
	c->flags |= FL_IF;
	CODE(CODE0, 0xCD, 0x40);
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, 0x40);
	cr_assert_eq(c->r[R_ESP], STACK0 - 12);
	cr_assert(c->flags & FL_IF);
}

Test(pmode, int_through_gate_with_dpl0_from_ring3_is_gp_idt)
{
	set_idt(0x41, gate_desc(S_CODE0, HANDLERS, 0x8E, 0));
	ring3(CODE3);
	CODE(CODE3, 0xCD, 0x41);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0x41 * 8 + 2);
}

Test(pmode, iret_to_ring3_nulls_ring0_data_segments)
{
	/* push 0x23; push 0x8000; push 0x202; push 0x1B; push CODE3; iretd */
	CODE(CODE0, 0x6A, S_DATA3, 0x68, 0x00, 0x80, 0, 0, 0x68, 0x02, 0x02, 0, 0,
	     0x6A, S_CODE3, 0x68, CODE3 & 0xFF, (CODE3 >> 8) & 0xFF, CODE3 >> 16, 0, 0xCF);
	CODE(CODE3, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00); /* mov eax, [0x100] */
	run_clean(6);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE3);
	cr_assert_eq(c->seg[SEG_SS].sel, S_DATA3);
	cr_assert_eq(c->r[R_ESP], STACK3);
	cr_assert_eq(c->eip, CODE3);
	cr_assert(c->flags & FL_IF);
	cr_assert_eq(c->seg[SEG_DS].sel, 0);
	cr_assert_eq(c->seg[SEG_ES].sel, 0);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
}

Test(pmode, iret_at_cpl3_cannot_change_iopl_or_if)
{
	ring3(CODE3);
	/* push 0x3202 (IOPL 3, IF); push 0x1B; push CODE3+0x10; iretd */
	CODE(CODE3, 0x68, 0x02, 0x32, 0, 0, 0x6A, S_CODE3,
	     0x68, (CODE3 + 0x10) & 0xFF, ((CODE3 + 0x10) >> 8) & 0xFF, CODE3 >> 16, 0, 0xCF);
	run_clean(4);
	cr_assert_eq(c->eip, CODE3 + 0x10);
	cr_assert_eq(c->flags & (FL_IOPL | FL_IF), 0);
}

Test(pmode, retf_to_inner_level_is_gp)
{
	ring3(CODE3);
	CODE(CODE3, 0x6A, S_CODE0, 0x68, 0, 0, 0, 0, 0xCB); /* push 8; push 0; retf */
	cr_assert_eq(run_to_vector(EX_GP, 3), S_CODE0);
}

/* ---- exceptions: error codes, EXT, #DF, triple fault ---- */

Test(pmode, not_present_idt_gate_is_np_with_idt_bit)
{
	set_idt(0x42, gate_desc(S_CODE0, HANDLERS, 0x6E, 0));
	CODE(CODE0, 0xCD, 0x42);
	cr_assert_eq(run_to_vector(EX_NP, 2), 0x42 * 8 + 2);
}

static int ack_vector;
static int ack(void *opaque)
{
	struct cpu *cpu = opaque;
	cpu_set_irq(cpu, false);
	return ack_vector;
}

Test(pmode, external_interrupt_fault_sets_ext)
{
	set_idt(0x60, gate_desc(S_CODE0, HANDLERS, 0x6E, 0)); /* not present */
	c->irq_ack = ack;
	c->irq_opaque = c;
	ack_vector = 0x60;
	c->flags |= FL_IF;
	CODE(CODE0, 0x90, 0x90);
	cpu_set_irq(c, true);
	uint32_t err = run_to_vector(EX_NP, 3);
	cr_assert_eq(err, 0x60 * 8 + 2 + 1);
	cr_assert_eq(stack(1), CODE0, "returns to the interrupted instruction");
}

Test(pmode, fault_during_exception_delivery_sets_ext)
{
	/* #UD's gate names a not-present code segment: #NP(sel | EXT), which
	 * after a benign #UD is delivered serially. */
	set_idt(EX_UD, gate_desc(S_NPCODE0, HANDLERS, 0x8E, 0));
	CODE(CODE0, 0x0F, 0x0B); /* ud2 */
	cr_assert_eq(run_to_vector(EX_NP, 2), S_NPCODE0 | 1);
}

Test(pmode, contributory_during_contributory_is_double_fault)
{
	set_idt(EX_GP, gate_desc(S_CODE0, HANDLERS, 0x0E, 0)); /* #GP gate not present */
	mov_seg(CODE0, S_TSS_B, SEG_DS);
	cr_assert_eq(run_to_vector(EX_DF, 3), 0);
	cr_assert_eq(stack(1), CODE0 + 4, "#DF returns to the faulting instruction");
}

Test(pmode, fault_during_double_fault_is_shutdown)
{
	set_idt(EX_GP, gate_desc(S_CODE0, HANDLERS, 0x0E, 0));
	set_idt(EX_DF, gate_desc(S_CODE0, HANDLERS, 0x0E, 0));
	mov_seg(CODE0, S_TSS_B, SEG_DS);
	machine_run(&m, 3);
	cr_assert_eq(c->state, CPU_SHUTDOWN);
}

Test(pmode, empty_idt_triple_faults)
{
	c->idtr.limit = 0;
	CODE(CODE0, 0x0F, 0x0B);
	machine_run(&m, 5);
	cr_assert_eq(c->state, CPU_SHUTDOWN);
}

Test(pmode, stack_fault_on_ring0_stack_during_delivery_is_df)
{
	/* The ring-0 stack has no room: #SS(SS0) while delivering #GP. */
	put32(TSS_A + 4, 4);
	ring3(CODE3);
	CODE(CODE3, 0xFA); /* cli at CPL 3, IOPL 0: #GP(0) */
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->state, CPU_SHUTDOWN, "the #DF frame does not fit either");
}

/* ---- I/O permission ---- */

Test(pmode, io_bitmap_decides_at_cpl3)
{
	ring3(CODE3);
	CODE(CODE3, 0xE4, 0x60, 0xE4, 0x61); /* in al, 0x60; in al, 0x61 */
	put8(TSS_A + TSS_A_IOMAP + 0x61 / 8, 1u << (0x61 & 7));
	run_clean(1);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
	c->flags |= FL_IOPL;
	ring3(CODE3 + 2);
	c->flags |= FL_IOPL;
	run_clean(1); /* CPL <= IOPL: no bitmap */
}

Test(pmode, cli_at_cpl3_iopl0_is_gp_pvi_uses_vif)
{
	ring3(CODE3);
	c->flags |= FL_IF;
	CODE(CODE3, 0xFA, 0xFB); /* cli; sti */
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
	ring3(CODE3);
	c->cr4 |= 2; /* PVI */
	c->flags = 0x2 | FL_IF | FL_VIF;
	run_clean(1);
	cr_assert_eq(c->flags & (FL_IF | FL_VIF), FL_IF);
	run_clean(1);
	cr_assert_eq(c->flags & (FL_IF | FL_VIF), FL_IF | FL_VIF);
}

/* ---- task switches ---- */

Test(pmode, jmp_to_tss_switches_tasks)
{
	tss32_task(TSS_B, CODE0 + 0x100, 0x6000);
	put32(TSS_B + 0x28, 0xAAAA5555); /* EAX */
	put32(TSS_B + 0x1C, 0x9000);     /* CR3 */
	c->r[R_EBX] = 0x12345678;
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_TSS_B, 0);
	CODE(CODE0 + 0x100, 0x90);
	run_clean(1);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert_eq(c->eip, CODE0 + 0x100);
	cr_assert_eq(c->r[R_EAX], 0xAAAA5555);
	cr_assert_eq(c->r[R_ESP], 0x6000);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE0);
	cr_assert_eq(gdt_access(S_TSS_A) & 0xF, 0x9, "old task no longer busy");
	cr_assert_eq(gdt_access(S_TSS_B) & 0xF, 0xB, "new task busy");
	cr_assert_eq(mem32(&m, TSS_A + 0x20), CODE0 + 7, "old EIP saved");
	cr_assert_eq(mem32(&m, TSS_A + 0x34), 0x12345678, "old EBX saved");
	cr_assert_eq(mem16(&m, TSS_B), 0, "no back link on JMP");
	cr_assert_eq(c->flags & FL_NT, 0);
	cr_assert(c->cr0 & 8, "CR0.TS set");
	cr_assert_eq(c->cr3, 0x9000, "CR3 from the new TSS");
}

Test(pmode, call_to_task_gate_then_iret_returns)
{
	tss32_task(TSS_B, CODE0 + 0x100, 0x6000);
	CODE(CODE0, 0x9A, 0, 0, 0, 0, S_TASKGATE, 0, 0x90);
	CODE(CODE0 + 0x100, 0xCF); /* iretd */
	run_clean(1);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert(c->flags & FL_NT);
	cr_assert_eq(mem16(&m, TSS_B), S_TSS_A, "back link");
	cr_assert_eq(gdt_access(S_TSS_A) & 0xF, 0xB, "caller stays busy");
	cr_assert_eq(gdt_access(S_TSS_B) & 0xF, 0xB);
	run_clean(1);
	cr_assert_eq(c->tr.sel, S_TSS_A);
	cr_assert_eq(c->eip, CODE0 + 7);
	cr_assert_eq(c->r[R_ESP], STACK0);
	cr_assert_eq(gdt_access(S_TSS_B) & 0xF, 0x9, "returned-from task not busy");
	cr_assert_eq(gdt_access(S_TSS_A) & 0xF, 0xB);
	cr_assert_eq(mem32(&m, TSS_B + 0x24) & FL_NT, 0, "NT cleared in the saved image");
}

Test(pmode, call_to_busy_tss_is_gp)
{
	CODE(CODE0, 0x9A, 0, 0, 0, 0, S_TSS_A, 0);
	cr_assert_eq(run_to_vector(EX_GP, 2), S_TSS_A);
}

Test(pmode, tss_limit_too_small_is_ts)
{
	set_gdt(S_TSS_B, seg_desc(TSS_B, 0x50, 0x89, 0));
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_TSS_B, 0);
	cr_assert_eq(run_to_vector(EX_TS, 2), S_TSS_B);
}

Test(pmode, exception_through_task_gate_pushes_error_in_new_task)
{
	tss32_task(TSS_B, HANDLERS, 0x6000);
	set_idt(EX_GP, gate_desc(S_TSS_B, 0, 0x85, 0));
	mov_seg(CODE0, S_TSS_C, SEG_DS);
	c->last_vector = -1;
	machine_run(&m, 3);
	cr_assert_eq(c->last_vector, EX_GP);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert_eq(c->r[R_ESP], 0x5FFC);
	cr_assert_eq(mem32(&m, 0x5FFC), S_TSS_C);
	cr_assert_eq(mem16(&m, TSS_B), S_TSS_A);
	cr_assert_eq(mem32(&m, TSS_A + 0x20), CODE0 + 4, "the faulting instruction is saved");
}

Test(pmode, task_with_absent_ds_faults_in_new_task)
{
	tss32_task(TSS_B, CODE0 + 0x100, 0x6000);
	put16(TSS_B + 0x54, S_NPDATA0); /* DS not present: #NP after the commit point */
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_TSS_B, 0);
	uint32_t err = run_to_vector(EX_NP, 2);
	cr_assert_eq(err, S_NPDATA0);
	cr_assert_eq(c->tr.sel, S_TSS_B, "the switch committed");
	cr_assert_eq(c->r[R_ESP], 0x6000 - 16);
	cr_assert_eq(stack(1), CODE0 + 0x100, "the new task's EIP");
	cr_assert_eq(gdt_access(S_TSS_A) & 0xF, 0x9);
}

Test(pmode, switch_to_286_task)
{
	for (uint32_t k = 0; k < 0x2C; k += 2)
		put16(TSS_C + k, 0);
	put16(TSS_C + 0x0E, GATE16_TARGET); /* IP */
	put16(TSS_C + 0x10, 0x0002);
	put16(TSS_C + 0x12, 0x1234); /* AX */
	put16(TSS_C + 0x1A, 0x5000); /* SP */
	put16(TSS_C + 0x22, S_DATA0);
	put16(TSS_C + 0x24, S_CODE16);
	put16(TSS_C + 0x26, S_DATA0);
	put16(TSS_C + 0x28, S_DATA0);
	CODE(CODE0, 0x9A, 0, 0, 0, 0, S_TSS_C, 0);
	CODE(GATE16_TARGET, 0x90);
	run_clean(1);
	cr_assert_eq(c->tr.sel, S_TSS_C);
	cr_assert_eq(c->eip, GATE16_TARGET);
	cr_assert_eq(c->r[R_EAX] & 0xFFFF, 0x1234);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE16);
	cr_assert_eq(c->code32, false);
	cr_assert_eq(mem16(&m, TSS_C), S_TSS_A);
	cr_assert_eq(gdt_access(S_TSS_C) & 0xF, 0x3);
	cr_assert(c->flags & FL_NT);
}

/* ---- V86 mode ---- */

/* IRETD from ring 0 into V86 at 4000:ip with stack 5000:FFFE. */
static void enter_v86(uint16_t ip, uint32_t eflags)
{
	uint32_t sp = STACK0 - 36;
	uint32_t frame[9] = { ip, V86_CS, eflags | FL_VM | 2, 0xFFFE, V86_SS,
	                      0x1111, 0x2222, 0x3333, 0x4444 };
	mem_write(&m, sp, frame, sizeof frame);
	c->r[R_ESP] = sp;
	CODE(CODE0, 0xCF);
	run_clean(1);
	cr_assert(c->flags & FL_VM);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[SEG_CS].base, V86_CS << 4);
	cr_assert_eq(c->eip, ip);
	cr_assert_eq(c->r[R_ESP], 0xFFFE);
	cr_assert_eq(c->seg[SEG_ES].sel, 0x1111);
	cr_assert_eq(c->seg[SEG_DS].base, 0x22220);
	cr_assert_eq(c->seg[SEG_GS].sel, 0x4444);
	cr_assert_eq(c->stack32, false);
	cr_assert_eq(c->code32, false);
}

static void v86_code(uint16_t ip, const uint8_t *b, size_t n)
{
	mem_write(&m, (V86_CS << 4) + ip, b, n);
}
#define V86_CODE(ip, ...) v86_code((ip), BYTES(__VA_ARGS__))

/* The monitor's frame after a fault from V86 mode (with an error code). */
static void check_v86_frame(uint16_t ip, bool err)
{
	unsigned k = err ? 1 : 0;
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->flags & FL_VM, 0);
	cr_assert_eq(c->r[R_ESP], STACK0 - 36 - 4 * k);
	cr_assert_eq(stack(k + 0), ip);
	cr_assert_eq(stack(k + 1), V86_CS);
	cr_assert(stack(k + 2) & FL_VM);
	cr_assert_eq(stack(k + 3), 0xFFFE);
	cr_assert_eq(stack(k + 4), V86_SS);
	cr_assert_eq(stack(k + 5), 0x1111);
	cr_assert_eq(stack(k + 6), 0x2222);
	cr_assert_eq(stack(k + 7), 0x3333);
	cr_assert_eq(stack(k + 8), 0x4444);
	cr_assert_eq(c->seg[SEG_DS].sel, 0);
	cr_assert_eq(c->seg[SEG_GS].sel, 0);
}

Test(pmode, v86_int_with_iopl0_is_gp_to_monitor)
{
	V86_CODE(0, 0x90, 0xCD, 0x21);
	enter_v86(0, 0);
	cr_assert_eq(run_to_vector(EX_GP, 3), 0);
	check_v86_frame(1, true);
}

Test(pmode, v86_int_with_iopl3_goes_through_the_idt)
{
	V86_CODE(0, 0xCD, 0x40);
	enter_v86(0, FL_IOPL);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, 0x40);
	check_v86_frame(2, false);
}

Test(pmode, v86_int3_ignores_iopl)
{
	V86_CODE(0, 0xCC);
	enter_v86(0, 0);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, EX_BP);
	check_v86_frame(1, false);
}

Test(pmode, v86_iopl_sensitive_instructions)
{
	static const uint8_t ops[][2] = { { 0xFA }, { 0xFB }, { 0x9C }, { 0x9D }, { 0xCF } };
	for (unsigned k = 0; k < sizeof ops / sizeof *ops; k++) {
		ring0(CODE0);
		c->flags = 0x2;
		V86_CODE(0x10, ops[k][0]);
		enter_v86(0x10, 0);
		cr_assert_eq(run_to_vector(EX_GP, 2), 0, "opcode %02x", ops[k][0]);
		check_v86_frame(0x10, true);
	}
	/* With IOPL 3 they run. */
	ring0(CODE0);
	c->flags = 0x2;
	V86_CODE(0x20, 0xFA, 0x9C, 0x9D, 0xFB);
	enter_v86(0x20, FL_IOPL | FL_IF);
	run_clean(4);
	cr_assert(c->flags & FL_IF);
	cr_assert(c->flags & FL_VM);
	cr_assert_eq(c->flags & FL_IOPL, FL_IOPL);
}

Test(pmode, v86_fault_goes_to_monitor_and_iret_returns)
{
	/* The monitor's #GP handler: add esp, 4; iretd. */
	CODE(HANDLERS + 16 * EX_GP, 0x83, 0xC4, 0x04, 0xCF);
	V86_CODE(0, 0xFA, 0x90);
	enter_v86(0, 0);
	run_clean(0);
	c->last_vector = -1;
	machine_run(&m, 3); /* cli faults; add; iretd */
	cr_assert_eq(c->last_vector, EX_GP);
	cr_assert(c->flags & FL_VM);
	cr_assert_eq(c->eip, 0);
	cr_assert_eq(c->seg[SEG_DS].sel, 0x2222);
	cr_assert_eq(c->r[R_ESP], 0xFFFE);
}

Test(pmode, v86_io_uses_the_bitmap_whatever_iopl)
{
	V86_CODE(0, 0xE4, 0x60, 0xE4, 0x61);
	put8(TSS_A + TSS_A_IOMAP + 0x61 / 8, 1u << (0x61 & 7));
	enter_v86(0, FL_IOPL);
	run_clean(1);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
}

Test(pmode, vme_virtual_interrupt_flag)
{
	c->cr4 |= 1;
	V86_CODE(0, 0xFA, 0x9C, 0xFB, 0x9C); /* cli; pushf; sti; pushf */
	enter_v86(0, FL_IF);
	run_clean(2);
	cr_assert(c->flags & FL_IF, "IF itself does not change");
	cr_assert_eq(c->flags & FL_VIF, 0);
	uint16_t f = mem16(&m, (V86_SS << 4) + 0xFFFC);
	cr_assert_eq(f & FL_IF, 0, "PUSHF shows VIF as IF");
	cr_assert_eq(f & FL_IOPL, FL_IOPL, "and IOPL as 3");
	run_clean(2);
	cr_assert(c->flags & FL_VIF);
	cr_assert(mem16(&m, (V86_SS << 4) + 0xFFFA) & FL_IF);
}

Test(pmode, vme_sti_with_vip_is_gp)
{
	c->cr4 |= 1;
	V86_CODE(0, 0xFB);
	enter_v86(0, FL_VIP);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
}

Test(pmode, vme_popf_loads_vif)
{
	c->cr4 |= 1;
	V86_CODE(0, 0x9D);
	enter_v86(0, FL_IF);
	put16((V86_SS << 4) + 0xFFFE, FL_IF | 0x2 | FL_CF);
	run_clean(1);
	cr_assert(c->flags & FL_VIF);
	cr_assert(flag_cf(c));
}

Test(pmode, vme_int_redirected_to_the_v86_ivt)
{
	c->cr4 |= 1;
	put16(0x21 * 4, 0x0010);
	put16(0x21 * 4 + 2, V86_HANDLER_CS);
	V86_CODE(0, 0xCD, 0x21);
	enter_v86(0, FL_IF | FL_VIF);
	c->flags &= ~(uint32_t)FL_VIF; /* the virtual IF is clear */
	run_clean(0);
	c->last_vector = -1;
	machine_run(&m, 1);
	cr_assert_eq(c->last_vector, 0x21);
	cr_assert(c->flags & FL_VM);
	cr_assert_eq(c->seg[SEG_CS].sel, V86_HANDLER_CS);
	cr_assert_eq(c->eip, 0x10);
	cr_assert_eq(c->r[R_ESP], 0xFFF8);
	uint32_t ss = V86_SS << 4;
	cr_assert_eq(mem16(&m, ss + 0xFFF8), 2);
	cr_assert_eq(mem16(&m, ss + 0xFFFA), V86_CS);
	uint16_t f = mem16(&m, ss + 0xFFFC);
	cr_assert_eq(f & FL_IF, 0, "pushed IF is VIF");
	cr_assert_eq(f & FL_IOPL, FL_IOPL);
	cr_assert(c->flags & FL_IF, "IF untouched with IOPL < 3");
}

Test(pmode, vme_int_not_redirected_is_gp)
{
	c->cr4 |= 1;
	put8(TSS_A + TSS_A_IOMAP - 32 + 0x21 / 8, 1u << (0x21 & 7));
	V86_CODE(0, 0xCD, 0x21);
	enter_v86(0, 0);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
}

Test(pmode, task_switch_into_v86)
{
	tss32_task(TSS_D, 0x0005, 0xFFFE);
	put32(TSS_D + 0x24, FL_VM | 0x2);
	put16(TSS_D + 0x48, 0x1111);
	put16(TSS_D + 0x4C, V86_CS);
	put16(TSS_D + 0x50, V86_SS);
	put16(TSS_D + 0x54, 0x2222);
	V86_CODE(5, 0x90);
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_TSS_D, 0);
	run_clean(1);
	cr_assert(c->flags & FL_VM);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[SEG_CS].base, V86_CS << 4);
	cr_assert_eq(c->seg[SEG_DS].base, 0x22220);
	cr_assert_eq(c->eip, 5);
	run_clean(1);
}

/* ---- SYSENTER / SYSEXIT ---- */

Test(pmode, sysenter_sysexit)
{
	c->sysenter_cs = S_CODE0;
	c->sysenter_esp = STACK0;
	c->sysenter_eip = GATE_TARGET;
	ring3(CODE3);
	CODE(CODE3, 0x0F, 0x34);
	CODE(GATE_TARGET, 0x0F, 0x35);
	c->r[R_ECX] = STACK3 - 0x100;
	c->r[R_EDX] = CODE3 + 0x40;
	run_clean(1);
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CODE0);
	cr_assert_eq(c->seg[SEG_SS].sel, S_DATA0);
	cr_assert_eq(c->eip, GATE_TARGET);
	run_clean(1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[SEG_CS].sel, (S_CODE0 + 16) | 3);
	cr_assert_eq(c->seg[SEG_SS].sel, (S_CODE0 + 24) | 3);
	cr_assert_eq(c->eip, CODE3 + 0x40);
	cr_assert_eq(c->r[R_ESP], STACK3 - 0x100);
}

Test(pmode, sysexit_at_cpl3_is_gp)
{
	c->sysenter_cs = S_CODE0;
	ring3(CODE3);
	CODE(CODE3, 0x0F, 0x35);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
}

/* ---- more segmentation ---- */

Test(pmode, far_call_to_conforming_code_keeps_cpl)
{
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CONF0, 0);
	CODE(GATE_TARGET - 0x100, 0x90);
	CODE(CODE3, 0x9A, (GATE_TARGET - 0x100) & 0xFF, ((GATE_TARGET - 0x100) >> 8) & 0xFF,
	     (GATE_TARGET - 0x100) >> 16, 0, S_CONF0, 0);
	run_clean(1);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->seg[SEG_CS].sel, S_CONF0 | 3, "CS.RPL is the CPL");
	cr_assert_eq(c->seg[SEG_SS].sel, S_DATA3, "no stack switch");
	cr_assert_eq(c->r[R_ESP], STACK3 - 8);
}

Test(pmode, lar_lsl_verr_verw)
{
	ring3(CODE3);
	/* mov ax, S_RODATA3; lar ebx, ax; lsl ecx, ax; verr ax; (ZF) */
	CODE(CODE3, 0x66, 0xB8, S_RODATA3, 0x00, 0x0F, 0x02, 0xD8, 0x0F, 0x03, 0xC8,
	     0x0F, 0x00, 0xE0);
	run_clean(4);
	cr_assert_eq(c->r[R_EBX], 0x00C0F100 | 0x0000);
	cr_assert_eq(c->r[R_ECX], 0xFFFFFFFF);
	cr_assert(flag_zf(c), "readable");
	/* verw ax: read-only data is not writable */
	CODE(c->eip, 0x0F, 0x00, 0xE8);
	run_clean(1);
	cr_assert(!flag_zf(c));
	/* lar on a DPL 0 segment from CPL 3: ZF clear, no fault */
	CODE(c->eip, 0x66, 0xB8, S_DATA0, 0x00, 0x0F, 0x02, 0xD8);
	run_clean(2);
	cr_assert(!flag_zf(c));
	/* lsl on a call gate: not a valid type */
	CODE(c->eip, 0x66, 0xB8, S_CALL32 | 3, 0x00, 0x0F, 0x03, 0xC8);
	run_clean(2);
	cr_assert(!flag_zf(c));
}

Test(pmode, arpl_raises_rpl)
{
	/* mov ax, 0x10; mov bx, 0x23; arpl ax, bx */
	CODE(CODE0, 0x66, 0xB8, 0x10, 0x00, 0x66, 0xBB, 0x23, 0x00, 0x63, 0xD8);
	run_clean(3);
	cr_assert_eq(c->r[R_EAX] & 0xFFFF, 0x13);
	cr_assert(flag_zf(c));
}

Test(pmode, ltr_marks_busy_and_rejects_busy)
{
	c->tr = (struct segment){ 0 };
	/* mov ax, S_TSS_B; ltr ax; ltr ax */
	CODE(CODE0, 0x66, 0xB8, S_TSS_B, 0x00, 0x0F, 0x00, 0xD8, 0x0F, 0x00, 0xD8);
	run_clean(2);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert_eq(c->tr.base, TSS_B);
	cr_assert_eq(gdt_access(S_TSS_B) & 0xF, 0xB);
	cr_assert_eq(run_to_vector(EX_GP, 1), S_TSS_B);
}

Test(pmode, hardware_interrupt_with_bad_ring0_stack_is_ts_ext_through_task_gate)
{
	tss32_task(TSS_B, HANDLERS, 0x6000);
	set_idt(EX_TS, gate_desc(S_TSS_B, 0, 0x85, 0));
	put16(TSS_A + 8, S_RODATA3 & 0xFFFC); /* SS0: read-only, DPL 3 */
	c->irq_ack = ack;
	c->irq_opaque = c;
	ack_vector = 0x30;
	ring3(CODE3);
	c->flags |= FL_IF;
	CODE(CODE3, 0x90);
	cpu_set_irq(c, true);
	c->last_vector = -1;
	machine_run(&m, 3);
	cr_assert_eq(c->last_vector, EX_TS);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert_eq(mem32(&m, c->r[R_ESP]), (S_RODATA3 & 0xFFFC) | 1, "EXT set");
	cr_assert_eq(mem32(&m, TSS_A + 0x20), CODE3, "the interrupted instruction");
}

Test(pmode, cr4_vme_is_writable_and_reported)
{
	/* mov eax, 3; mov cr4, eax; mov eax, 1; cpuid */
	CODE(CODE0, 0xB8, 3, 0, 0, 0, 0x0F, 0x22, 0xE0, 0xB8, 1, 0, 0, 0, 0x0F, 0xA2);
	run_clean(4);
	cr_assert_eq(c->cr4 & 3, 3);
	cr_assert(c->r[R_EDX] & 2, "CPUID.1:EDX.VME");
}

Test(pmode, interrupt_from_v86_to_ring3_handler_is_gp)
{
	set_idt(0x40, gate_desc(S_CODE3, HANDLERS, 0xEE, 0));
	V86_CODE(0, 0xCD, 0x40);
	enter_v86(0, FL_IOPL);
	cr_assert_eq(run_to_vector(EX_GP, 2), S_CODE3 & 0xFFFC);
}

Test(pmode, v86_lldt_is_ud_and_hlt_is_gp)
{
	V86_CODE(0, 0x0F, 0x00, 0xD0, 0xF4); /* lldt ax; hlt */
	enter_v86(0, FL_IOPL);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, EX_UD);
	check_v86_frame(0, false);
	ring0(CODE0);
	c->flags = 0x2;
	enter_v86(3, FL_IOPL);
	cr_assert_eq(run_to_vector(EX_GP, 2), 0);
	check_v86_frame(3, true);
}

Test(pmode, tss_trap_bit_raises_db_in_the_new_task)
{
	tss32_task(TSS_B, CODE0 + 0x100, 0x6000);
	put16(TSS_B + 0x64, 1);
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_TSS_B, 0);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, EX_DB);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert(c->dr[6] & 0x8000, "DR6.BT");
	cr_assert_eq(mem32(&m, c->r[R_ESP]), CODE0 + 0x100);
}

Test(pmode, double_fault_through_task_gate)
{
	/* As Linux does: #DF goes to its own task with a good stack. */
	tss32_task(TSS_B, HANDLERS + 16 * EX_DF, 0x6000);
	set_idt(EX_DF, gate_desc(S_TSS_B, 0, 0x85, 0));
	put32(TSS_A + 4, 4); /* the ring-0 stack has no room */
	ring3(CODE3);
	CODE(CODE3, 0xFA); /* cli: #GP(0), whose delivery faults (#SS) */
	c->last_vector = -1;
	machine_run(&m, 3);
	cr_assert_eq(c->state, CPU_HALTED);
	cr_assert_eq(c->last_vector, EX_DF);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert_eq(c->r[R_ESP], 0x5FFC);
	cr_assert_eq(mem32(&m, 0x5FFC), 0, "#DF error code");
	cr_assert_eq(mem16(&m, TSS_B), S_TSS_A);
	cr_assert_eq(mem32(&m, TSS_A + 0x20), CODE3, "the faulting instruction");
	cr_assert_eq(mem16(&m, TSS_A + 0x4C), S_CODE3);
}

Test(pmode, i286_has_no_386_gates)
{
	machine_free(&m);
	setup_model("286");
	c->r[R_ESP] = 0x7000;
	c->flags = 0x2;
	set_idt(0x40, gate_desc(S_CODE16, 0x2300, 0xEE, 0)); /* a 386 interrupt gate */
	set_idt(EX_GP, gate_desc(S_CODE16, HANDLERS & 0xFFFF, 0x86, 0)); /* 286 gate */
	c->seg[SEG_CS] = desc_to_cache(seg_desc(0, 0xFFFF, 0x9B, 0), S_CODE16);
	c->code32 = c->dmode.code32 = false;
	c->stack32 = true;
	c->eip = 0x2000;
	CODE(0x2000, 0xCD, 0x40);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, EX_GP);
	cr_assert_eq(mem16(&m, c->r[R_ESP]), 0x40 * 8 + 2);
}

Test(pmode, ldt_selector_error_code_has_ti)
{
	put64(LDT + 8, seg_desc(0, 0xFFFF, 0x13, 0)); /* not present */
	c->ldtr = desc_to_cache(seg_desc(LDT, 0x3F, 0x82, 0), S_LDT);
	mov_seg(CODE0, 0x0C, SEG_DS);
	cr_assert_eq(run_to_vector(EX_NP, 3), 0x0C);
	ring0(CODE0);
	mov_seg(CODE0, 0x44, SEG_ES); /* beyond the LDT's limit */
	cr_assert_eq(run_to_vector(EX_GP, 3), 0x44);
}

Test(pmode, inner_stack_without_room_is_ss_sel)
{
	put32(TSS_A + 0x0C, 8);        /* ESP1 */
	put16(TSS_A + 0x10, S_DATA1);  /* SS1: limit 0xFFF */
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CALL_R1 | 3, 0);
	cr_assert_eq(run_to_vector(EX_SS, 2), S_DATA1 & 0xFFFC);
	cr_assert_eq(stack(1), CODE3, "nothing of the call remains");
	cr_assert_eq(stack(4), STACK3);
}

Test(pmode, vme_iret_loads_vif_from_if)
{
	c->cr4 |= 1;
	V86_CODE(0, 0xCF); /* iret (16-bit) */
	enter_v86(0, 0);
	uint32_t ss = V86_SS << 4;
	put16(ss + 0xFFFE - 6, 0x0100);
	put16(ss + 0xFFFE - 4, V86_CS);
	put16(ss + 0xFFFE - 2, FL_IF | FL_CF | 0x2);
	c->r[R_ESP] = 0xFFFE - 6;
	run_clean(1);
	cr_assert(c->flags & FL_VM);
	cr_assert_eq(c->eip, 0x100);
	cr_assert(c->flags & FL_VIF);
	cr_assert_eq(c->flags & FL_IF, 0);
	cr_assert(flag_cf(c));
	cr_assert_eq(c->flags & FL_IOPL, 0);
}

Test(pmode, fault_delivering_single_step_trap_keeps_the_instruction)
{
	set_idt(EX_DB, gate_desc(S_NPCODE0, HANDLERS, 0x8E, 0));
	c->flags |= FL_TF;
	CODE(CODE0, 0x40); /* inc eax */
	c->r[R_EAX] = 0;
	uint32_t err = run_to_vector(EX_NP, 1);
	cr_assert_eq(err, S_NPCODE0 | 1, "EXT: the trap is an external event");
	cr_assert_eq(c->r[R_EAX], 1, "INC done once");
	cr_assert_eq(stack(1), CODE0 + 1, "returns after the instruction");
}

/* ---- with paging: implicit accesses are supervisor accesses ---- */

/* Identity-maps the first 4 MiB with user pages, except the descriptor
 * tables, the TSSs and the ring-0 stack, which are supervisor-only. */
static void paging_on(void)
{
	enum { PD = 0x80000, PT = 0x81000 };
	put32(PD, PT | 0x7);
	for (uint32_t p = 0; p < 1024; p++) {
		uint32_t la = p << 12;
		bool sup = la < 0x8000 || (la >= TSS_A && la < TSS_A + 0x3000);
		if (la == 0x7000)
			sup = false; /* the ring-3 stack */
		put32(PT + 4 * p, la | (sup ? 0x3 : 0x7));
	}
	c->cr3 = PD;
	c->cr0 |= 0x80000000u;
	cr_assert_eq(cpu_set_paging(c, c->cr0, c->cr3, c->cr4), 0);
}

Test(pmode, paging_interrupt_from_ring3_uses_supervisor_pages)
{
	paging_on();
	ring3(CODE3);
	CODE(CODE3, 0xCD, 0x40, 0x8B, 0x05, 0x00, 0x10, 0x00, 0x00);
	c->last_vector = -1;
	machine_run(&m, 2);
	cr_assert_eq(c->last_vector, 0x40);
	cr_assert_eq(c->r[R_ESP], STACK0 - 20);
	cr_assert_eq(stack(0), CODE3 + 2);
	cr_assert_eq(stack(3), STACK3);
	/* the GDT page itself is out of reach at CPL 3 */
	ring3(CODE3 + 2);
	cr_assert_eq(run_to_vector(EX_PF, 1), 0x5, "user read of a supervisor page");
	cr_assert_eq(c->cr2, 0x1000);
}

Test(pmode, paging_call_gate_and_task_switch)
{
	paging_on();
	tss32_task(TSS_B, CODE0 + 0x100, 0x6000);
	put32(TSS_B + 0x1C, 0x80000);
	ring3(CODE3);
	CODE(CODE3, 0x9A, 0, 0, 0, 0, S_CALL32_J | 3, 0);
	CODE(GATE_TARGET, 0xEA, 0, 0, 0, 0, S_TSS_B, 0);
	CODE(CODE0 + 0x100, 0x90);
	run_clean(3);
	cr_assert_eq(c->tr.sel, S_TSS_B);
	cr_assert_eq(c->eip, CODE0 + 0x101);
	cr_assert_eq(mem32(&m, TSS_A + 0x38), STACK0 - 16, "saved ESP below the gate frame");
}

Test(pmode, iret_with_nt_to_an_available_tss_is_ts)
{
	put16(TSS_A, S_TSS_B); /* back link to a TSS that is not busy */
	c->flags |= FL_NT;
	CODE(CODE0, 0xCF);
	cr_assert_eq(run_to_vector(EX_TS, 1), S_TSS_B);
	cr_assert_eq(c->tr.sel, S_TSS_A);
}

Test(pmode, jmp_to_task_gate_naming_a_non_tss_is_gp)
{
	set_gdt(S_TASKGATE, gate_desc(S_DATA0, 0, 0xE5, 0));
	CODE(CODE0, 0xEA, 0, 0, 0, 0, S_TASKGATE, 0);
	cr_assert_eq(run_to_vector(EX_GP, 1), S_DATA0);
}
