/* Protected mode basics: entering it the way a boot loader does (LGDT,
 * CR0.PE, a far jump), descriptor loads and their faults, limits, IDT
 * interrupt gates with IRETD, error codes, and a 16-bit code segment.
 * SDM Vol 3 chapters 3 (segmentation), 5 (protection), 6 (interrupts), 9.9
 * (mode switching). */
#include <stdio.h>
#include <string.h>

#include "exec-common.h"
#include "exec.h"

enum {
	GDT = 0x800, IDT = 0x1000, GDTR = 0x10100, STUBS = 0x61000, CODE32 = 0x70000,
	SEL_CODE32 = 0x08, SEL_DATA32 = 0x10, SEL_CODE16 = 0x18, SEL_DATA_SMALL = 0x20,
	SEL_DATA_RO = 0x28, SEL_DATA_NP = 0x30, SEL_DATA_DPL3 = 0x38,
	SEL_CODE_R3 = 0x40, SEL_DATA_R3 = 0x48, SEL_TSS = 0x50, SEL_EXPDOWN = 0x58,
	SEL_CODE_XO = 0x60, SEL_PAST_GDT = 0x68, GDT_LIMIT = 0x67, TSS = 0x3000, TSS_LIMIT = 0x68 + 0x20,
};

static void put_desc(unsigned sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint8_t d[8] = {
		(uint8_t)limit, (uint8_t)(limit >> 8), (uint8_t)base, (uint8_t)(base >> 8),
		(uint8_t)(base >> 16), access, (uint8_t)(flags << 4 | ((limit >> 16) & 0xF)),
		(uint8_t)(base >> 24),
	};
	mem_write(&m, GDT + sel, d, 8);
}

/* A 32-bit interrupt gate (type Eh) to SEL_CODE32:off. */
static void put_gate(int vector, uint32_t off, uint8_t type_attr)
{
	uint8_t g[8] = { (uint8_t)off, (uint8_t)(off >> 8), SEL_CODE32, 0, 0, type_attr,
	                 (uint8_t)(off >> 16), (uint8_t)(off >> 24) };
	mem_write(&m, IDT + 8 * (uint32_t)vector, g, 8);
}

/* Builds the tables and runs the real-mode entry sequence:
 *   lgdt cs:[0100h] ; mov eax,cr0 ; or al,1 ; mov cr0,eax ;
 *   jmp dword 08h:CODE32 ; (32-bit) mov ax,10h ; mov ds,ax ; mov es,ax ;
 *   mov ss,ax ; mov esp,90000h ; lidt [idtr]
 * Every exception vector goes to a HLT at STUBS + 16 * v. */
static void pm_setup(void)
{
	exec_setup();
	put_desc(SEL_CODE32, 0, 0xFFFFF, 0x9A, 0xC);
	put_desc(SEL_DATA32, 0, 0xFFFFF, 0x92, 0xC);
	put_desc(SEL_CODE16, 0x10000, 0xFFFF, 0x9A, 0x0);
	put_desc(SEL_DATA_SMALL, 0x30000, 0x0FFF, 0x92, 0x4);
	put_desc(SEL_DATA_RO, 0x30000, 0xFFFF, 0x90, 0x4);
	put_desc(SEL_DATA_NP, 0x30000, 0xFFFF, 0x12, 0x4);
	put_desc(SEL_DATA_DPL3, 0x30000, 0xFFFF, 0xF2, 0x4);
	put_desc(SEL_CODE_R3, 0, 0xFFFFF, 0xFA, 0xC);
	put_desc(SEL_DATA_R3, 0, 0xFFFFF, 0xF2, 0xC);
	put_desc(SEL_TSS, TSS, TSS_LIMIT, 0x89, 0x0);
	put_desc(SEL_EXPDOWN, 0x30000, 0x0FFF, 0x96, 0x0);
	put_desc(SEL_CODE_XO, 0, 0xFFFFF, 0x98, 0xC);
	uint8_t gdtr[6] = { GDT_LIMIT, 0, GDT & 0xFF, GDT >> 8, 0, 0 };
	mem_write(&m, GDTR, gdtr, 6);
	uint8_t idtr[6] = { 0xFF, 0x03, IDT & 0xFF, IDT >> 8, 0, 0 }; /* 128 gates */
	mem_write(&m, GDTR + 8, idtr, 6);
	for (int v = 0; v < 128; v++) {
		put_gate(v, STUBS + 16 * (uint32_t)v, 0x8E);
		mmu_write8(&m.mmu, STUBS + 16 * (uint32_t)v, 0xF4);
	}
	LOAD(0x2E, 0x0F, 0x01, 0x16, 0x00, 0x01, /* lgdt cs:[0100h] */
	     0x0F, 0x20, 0xC0, 0x0C, 0x01, 0x0F, 0x22, 0xC0,
	     0x66, 0xEA, CODE32 & 0xFF, (CODE32 >> 8) & 0xFF, (CODE32 >> 16) & 0xFF, 0x00,
	     SEL_CODE32, 0x00);
	static const uint8_t pm[] = {
		0x66, 0xB8, SEL_DATA32, 0x00, 0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0,
		0xBC, 0x00, 0x00, 0x09, 0x00,
		0x0F, 0x01, 0x1D, (GDTR + 8) & 0xFF, ((GDTR + 8) >> 8) & 0xFF, (GDTR + 8) >> 16, 0,
	};
	mem_write(&m, CODE32, pm, sizeof pm);
	steps(5);
	cr_assert(c->pmode);
	cr_assert(c->code32);
	cr_assert_eq(c->eip, CODE32);
	steps(6);
	cr_assert(c->stack32);
	cr_assert_eq(c->r[R_ESP], 0x90000);
	cr_assert_eq(c->idtr.base, IDT);
}

TestSuite(pmode, .init = pm_setup, .fini = exec_teardown);

/* Writes 32-bit code at CODE32 + 0x100 and points EIP there. */
static void pm_code(const uint8_t *b, size_t n)
{
	mem_write(&m, CODE32 + 0x100, b, n);
	c->eip = CODE32 + 0x100;
}
#define PM_CODE(...) pm_code(BYTES(__VA_ARGS__))

/* Runs one instruction that must raise vector v with error code err (or
 * none, err < 0); checks the 32-bit frame (SDM Vol 3 Figure 6-4). */
static void pm_expect_fault(int v, int64_t err, uint32_t fault_eip)
{
	uint32_t esp = c->r[R_ESP];
	machine_run(&m, 1);
	cr_assert_eq(c->last_vector, v, "vector %d, want %d", c->last_vector, v);
	cr_assert_eq(c->eip, STUBS + 16 * (uint32_t)v);
	uint32_t sp = c->r[R_ESP];
	if (err >= 0) {
		cr_expect_eq(sp, esp - 16);
		cr_expect_eq(mem32(&m, sp), (uint32_t)err, "error code %x, want %x", mem32(&m, sp),
		             (uint32_t)err);
		sp += 4;
	} else {
		cr_expect_eq(sp, esp - 12);
	}
	cr_expect_eq(mem32(&m, sp), fault_eip, "pushed EIP %x, want %x", mem32(&m, sp), fault_eip);
	cr_expect_eq(mem32(&m, sp + 4) & 0xFFFF, SEL_CODE32);
}

Test(pmode, entered_flat)
{
	cr_expect_eq(c->cpl, 0);
	cr_expect_eq(c->seg[SEG_DS].base, 0);
	cr_expect_eq(c->seg[SEG_DS].limit, 0xFFFFFFFFu, "G=1: limit scaled to 4 GiB");
	cr_expect_eq(c->seg[SEG_CS].sel, SEL_CODE32);
	/* Loading a descriptor sets its accessed bit (SDM Vol 3 §3.4.5.1). */
	cr_expect(mem8(&m, GDT + SEL_DATA32 + 5) & 1);
	cr_expect(mem8(&m, GDT + SEL_CODE32 + 5) & 1);
	PM_CODE(0xC7, 0x05, 0x00, 0x00, 0x05, 0x00, 0x78, 0x56, 0x34, 0x12); /* mov dword [50000h],... */
	steps(1);
	cr_expect_eq(mem32(&m, 0x50000), 0x12345678);
}

Test(pmode, interrupt_gate_and_iretd)
{
	put_gate(0x40, 0x62000, 0x8E);
	mmu_write8(&m.mmu, 0x62000, 0xCF); /* iretd */
	PM_CODE(0xFB, 0xCD, 0x40, 0x90); /* sti ; int 40h ; nop */
	steps(1);
	machine_run(&m, 1);
	cr_assert_eq(c->last_vector, 0x40);
	cr_expect_eq(c->eip, 0x62000);
	cr_expect_eq(c->r[R_ESP], 0x90000 - 12);
	cr_expect_eq(mem32(&m, 0x90000 - 12), CODE32 + 0x103);
	cr_expect_eq(mem32(&m, 0x90000 - 8), SEL_CODE32);
	cr_expect(mem32(&m, 0x90000 - 4) & FL_IF);
	cr_expect_not(flags() & FL_IF, "an interrupt gate clears IF");
	machine_run(&m, 1);
	cr_expect_eq(c->eip, CODE32 + 0x103);
	cr_expect_eq(c->r[R_ESP], 0x90000);
	cr_expect(flags() & FL_IF);
}

Test(pmode, trap_gate_keeps_if)
{
	put_gate(0x41, 0x62000, 0x8F);
	mmu_write8(&m.mmu, 0x62000, 0xCF);
	PM_CODE(0xFB, 0xCD, 0x41);
	steps(1);
	machine_run(&m, 1);
	cr_assert_eq(c->last_vector, 0x41);
	cr_expect(flags() & FL_IF, "a trap gate leaves IF alone");
}

/* A null selector loads into DS/ES/FS/GS; using it is #GP(0) (SDM Vol 3
 * §3.4.2). */
Test(pmode, null_selector_use_faults)
{
	PM_CODE(0x31, 0xC0, 0x8E, 0xC0, 0x26, 0x8B, 0x00); /* xor eax,eax ; mov es,ax ; mov eax,es:[eax] */
	steps(2);
	cr_expect_eq(c->seg[SEG_ES].sel, 0);
	pm_expect_fault(EX_GP, 0, CODE32 + 0x104);
}

/* Selector past the GDT limit: #GP(selector); not present: #NP(selector);
 * a read-only segment into SS, or null into SS: #GP (SDM Vol 2 MOV). */
Test(pmode, selector_load_faults)
{
	PM_CODE(0x66, 0xB8, SEL_PAST_GDT, 0x00, 0x8E, 0xD8); /* mov ax,58h ; mov ds,ax */
	steps(1);
	pm_expect_fault(EX_GP, SEL_PAST_GDT, CODE32 + 0x104);
	cr_expect_eq(c->seg[SEG_DS].sel, SEL_DATA32, "DS unchanged");
	exec_teardown();
	pm_setup();
	PM_CODE(0x66, 0xB8, SEL_DATA_NP, 0x00, 0x8E, 0xD8);
	steps(1);
	pm_expect_fault(EX_NP, SEL_DATA_NP, CODE32 + 0x104);
	exec_teardown();
	pm_setup();
	PM_CODE(0x66, 0xB8, SEL_DATA_RO, 0x00, 0x8E, 0xD0); /* mov ss,ax */
	steps(1);
	pm_expect_fault(EX_GP, SEL_DATA_RO, CODE32 + 0x104);
	exec_teardown();
	pm_setup();
	PM_CODE(0x31, 0xC0, 0x8E, 0xD0); /* mov ss, null */
	steps(1);
	pm_expect_fault(EX_GP, 0, CODE32 + 0x102);
	exec_teardown();
	pm_setup();
	PM_CODE(0x66, 0xB8, SEL_DATA_DPL3, 0x00, 0x8E, 0xD0); /* SS with DPL 3 at CPL 0 */
	steps(1);
	pm_expect_fault(EX_GP, SEL_DATA_DPL3, CODE32 + 0x104);
	exec_teardown();
	pm_setup();
	PM_CODE(0x66, 0xB8, SEL_CODE32, 0x00, 0x8E, 0xC0); /* a readable code segment: fine */
	steps(2);
	cr_expect_eq(c->seg[SEG_ES].sel, SEL_CODE32);
}

/* Writing through a segment that is not writable is #GP(0): a code segment
 * or a read-only data segment (SDM Vol 2 MOV, Protected Mode Exceptions:
 * "#GP(0) If the destination operand is in a non-writable segment"; Vol 3
 * §5.6). */
Test(pmode, write_to_code_segment)
{
	PM_CODE(0x66, 0xB8, SEL_CODE32, 0x00, 0x8E, 0xC0, 0x26, 0x89, 0x00);
	c->r[R_EAX] = 0;
	steps(2);
	pm_expect_fault(EX_GP, 0, CODE32 + 0x106);
}

/* Byte-granular limit 0FFFh: the last dword that fits is at 0FFCh. */
Test(pmode, segment_limit)
{
	PM_CODE(0x66, 0xB8, SEL_DATA_SMALL, 0x00, 0x8E, 0xD8, /* mov ds,20h */
	        0xA1, 0xFC, 0x0F, 0x00, 0x00,                  /* mov eax,[0FFCh] */
	        0xA1, 0xFD, 0x0F, 0x00, 0x00);                 /* mov eax,[0FFDh] */
	mmu_write32(&m.mmu, 0x30FFC, 0xCAFEBABE);
	steps(3);
	cr_expect_eq(c->r[R_EAX], 0xCAFEBABE);
	pm_expect_fault(EX_GP, 0, CODE32 + 0x10B);
	cr_expect_eq(c->r[R_EAX], 0xCAFEBABE);
}

/* Writing through a read-only data segment: #GP(0). */
Test(pmode, read_only_segment)
{
	PM_CODE(0x66, 0xB8, SEL_DATA_RO, 0x00, 0x8E, 0xC0, 0x26, 0x8B, 0x00, 0x26, 0x89, 0x00);
	c->r[R_EAX] = 0;
	steps(2);
	c->r[R_EAX] = 0x10;
	steps(1); /* reading is fine */
	pm_expect_fault(EX_GP, 0, CODE32 + 0x109);
}

/* A far jump to a 16-bit code segment: the default sizes become 16-bit. */
Test(pmode, code16_segment)
{
	PM_CODE(0xEA, 0x00, 0x02, 0x00, 0x00, SEL_CODE16, 0x00); /* jmp 18h:0200h */
	mmu_write8(&m.mmu, 0x10200, 0xB8); /* mov ax,1234h (16-bit) */
	mmu_write8(&m.mmu, 0x10201, 0x34);
	mmu_write8(&m.mmu, 0x10202, 0x12);
	mmu_write8(&m.mmu, 0x10203, 0x90);
	c->r[R_EAX] = 0xFFFFFFFF;
	steps(1);
	cr_expect_not(c->code32);
	cr_expect_eq(c->seg[SEG_CS].base, 0x10000);
	steps(1);
	cr_expect_eq(c->r[R_EAX], 0xFFFF1234);
	cr_expect_eq(c->eip, 0x203);
}

/* A far jump past the target's limit: #GP(0), CS unchanged. */
Test(pmode, far_jump_past_limit)
{
	PM_CODE(0xEA, 0x00, 0x00, 0x01, 0x00, SEL_CODE16, 0x00); /* jmp 18h:10000h */
	pm_expect_fault(EX_GP, 0, CODE32 + 0x100);
}

/* Back to real mode: clear PE, far jump, and the segment registers take
 * real-mode bases again (SDM Vol 3 §9.9.2). */
Test(pmode, back_to_real_mode)
{
	/* jmp 18h:0300h (16-bit code, limit FFFFh) ; then mov eax,cr0 ;
	 * and al,0FEh ; mov cr0,eax ; jmp 1000h:0400h */
	PM_CODE(0xEA, 0x00, 0x03, 0x00, 0x00, SEL_CODE16, 0x00);
	static const uint8_t code16[] = { 0x0F, 0x20, 0xC0, 0x24, 0xFE, 0x0F, 0x22, 0xC0,
	                                  0xEA, 0x00, 0x04, 0x00, 0x10 };
	mem_write(&m, 0x10300, code16, sizeof code16);
	static const uint8_t real[] = { 0xB8, 0x00, 0x30, 0x8E, 0xD8, 0xA1, 0x00, 0x00 };
	mem_write(&m, 0x10400, real, sizeof real); /* mov ax,3000h ; mov ds,ax ; mov ax,[0] */
	mmu_write16(&m.mmu, 0x30000, 0xBEEF);
	steps(5);
	cr_expect_not(c->pmode);
	cr_expect_eq(c->seg[SEG_CS].sel, 0x1000);
	cr_expect_eq(c->seg[SEG_CS].base, 0x10000);
	cr_expect_eq(c->eip, 0x400);
	steps(3);
	cr_expect_eq(c->seg[SEG_DS].base, 0x30000);
	cr_expect_eq(c->r[R_EAX] & 0xFFFF, 0xBEEF);
}

/* #UD in protected mode pushes no error code; #DE neither. */
Test(pmode, faults_without_error_code)
{
	PM_CODE(0x0F, 0x0B); /* ud2 */
	pm_expect_fault(EX_UD, -1, CODE32 + 0x100);
	exec_teardown();
	pm_setup();
	PM_CODE(0x31, 0xC9, 0xF7, 0xF1); /* xor ecx,ecx ; div ecx */
	steps(1);
	pm_expect_fault(EX_DE, -1, CODE32 + 0x102);
}

/* An IDT entry past the IDT limit: #GP(vector * 8 + 2 + EXT) (SDM Vol 3
 * §6.13: IDT bit set in the error code). */
Test(pmode, int_past_idt_limit)
{
	PM_CODE(0xCD, 0x90); /* int 90h: the IDT holds 128 gates */
	pm_expect_fault(EX_GP, 0x90 * 8 + 2, CODE32 + 0x100);
}

/* RESET clears CR0.PG (SDM Vol 3 §9.1.1, Table 9-1: CR0 = 60000010h), so
 * after cpu_reset the first fetch is not translated through the page
 * tables that were in use.  amber bug, reported: cpu_reset sets c->cr0 but
 * does not tell the mmu (mmu_set_paging), so a port-92h fast reset from a
 * paged guest keeps translating.  Enable when fixed. */
Test(pmode, reset_turns_paging_off)
{
	/* mov eax,80000001h ; mov cr3,ebx (an empty page directory) ; mov cr0,eax */
	PM_CODE(0xB8, 0x01, 0x00, 0x00, 0x80, 0x0F, 0x22, 0xDB, 0x0F, 0x22, 0xC0);
	c->r[R_EBX] = 0x80000;
	steps(3);
	cpu_reset(c);
	static const uint8_t nop_hlt[] = { 0x90, 0xF4 };
	for (unsigned k = 0; k < sizeof nop_hlt; k++)
		phys_write8(&m.mmu, 0x10000 + k, nop_hlt[k]);
	cpu_load_seg_real(c, SEG_CS, 0x1000);
	c->eip = 0;
	machine_run(&m, 1);
	cr_expect_eq(c->state, CPU_RUNNING, "state %d after reset", c->state);
	cr_expect_eq(c->last_vector, -1, "vector %d after reset", c->last_vector);
	cr_expect_eq(c->eip, 1);
}

/* ---- ring 3 ----
 *
 * A 32-bit TSS with SS0:ESP0 = 10h:80000h and an I/O bitmap for ports
 * 0-255 that allows only port 80h; LTR, then IRETD to ring 3 code at
 * CODE32 + 400h with SS:ESP = 4Bh:70000h. */
#define R3_EIP (CODE32 + 0x400)

static void to_ring3(void)
{
	uint8_t tss[TSS_LIMIT + 1];
	memset(tss, 0, sizeof tss);
	tss[4] = 0x00; tss[5] = 0x00; tss[6] = 0x08; /* ESP0 = 80000h */
	tss[8] = SEL_DATA32;                          /* SS0 */
	tss[0x66] = 0x68;                             /* I/O map base */
	memset(tss + 0x68, 0xFF, 0x20);
	tss[0x68 + 0x80 / 8] = 0xFE;                  /* port 80h allowed */
	mem_write(&m, TSS, tss, sizeof tss);
	/* mov ax,50h ; ltr ax ; push 4Bh ; push 70000h ; pushfd ; push 43h ;
	 * push R3_EIP ; iretd */
	PM_CODE(0x66, 0xB8, SEL_TSS, 0x00, 0x0F, 0x00, 0xD8,
	        0x6A, SEL_DATA_R3 | 3, 0x68, 0x00, 0x00, 0x07, 0x00, 0x9C, 0x6A, SEL_CODE_R3 | 3,
	        0x68, R3_EIP & 0xFF, (R3_EIP >> 8) & 0xFF, (R3_EIP >> 16) & 0xFF, 0x00, 0xCF);
	steps(8);
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->eip, R3_EIP);
	cr_assert_eq(c->seg[SEG_CS].sel, SEL_CODE_R3 | 3);
	cr_assert_eq(c->seg[SEG_SS].sel, SEL_DATA_R3 | 3);
	cr_assert_eq(c->r[R_ESP], 0x70000);
}

static void r3_code(const uint8_t *b, size_t n)
{
	mem_write(&m, R3_EIP, b, n);
}
#define R3_CODE(...) r3_code(BYTES(__VA_ARGS__))

/* A fault or interrupt from ring 3 into a ring-0 handler: the stack is
 * SS0:ESP0 from the TSS and holds SS ESP EFLAGS CS EIP (and the error
 * code), SDM Vol 3 Figure 6-4. */
static void r3_expect_fault(int v, int64_t err, uint32_t eip)
{
	machine_run(&m, 1);
	cr_assert_eq(c->last_vector, v, "vector %d, want %d", c->last_vector, v);
	cr_expect_eq(c->cpl, 0);
	cr_expect_eq(c->seg[SEG_SS].sel, SEL_DATA32);
	uint32_t sp = 0x80000 - 20;
	if (err >= 0) {
		sp -= 4;
		cr_expect_eq(mem32(&m, sp), (uint32_t)err, "error code %x, want %x", mem32(&m, sp),
		             (uint32_t)err);
	}
	cr_expect_eq(c->r[R_ESP], sp);
	sp += err >= 0 ? 4 : 0;
	cr_expect_eq(mem32(&m, sp), eip, "pushed EIP %x, want %x", mem32(&m, sp), eip);
	cr_expect_eq(mem32(&m, sp + 4), SEL_CODE_R3 | 3);
	cr_expect_eq(mem32(&m, sp + 12), 0x70000);
	cr_expect_eq(mem32(&m, sp + 16), SEL_DATA_R3 | 3);
}

Test(pmode, ring3_int_and_iret)
{
	put_gate(0x40, 0x62000, 0xEE); /* DPL 3 interrupt gate */
	mmu_write8(&m.mmu, 0x62000, 0xCF);
	to_ring3();
	R3_CODE(0xCD, 0x40, 0x90);
	r3_expect_fault(0x40, -1, R3_EIP + 2);
	cr_expect_eq(c->eip, 0x62000);
	machine_run(&m, 1); /* iretd to ring 3 */
	cr_expect_eq(c->cpl, 3);
	cr_expect_eq(c->eip, R3_EIP + 2);
	cr_expect_eq(c->r[R_ESP], 0x70000);
	cr_expect_eq(c->seg[SEG_SS].sel, SEL_DATA_R3 | 3);
}

/* IRET to an outer level nulls the data segment registers the outer level
 * may not use (SDM Vol 2 IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL: "IF
 * SegReg does not point to data or a non-conforming code segment or CPL >
 * segment descriptor DPL THEN SegReg <- NULL").  DS and ES hold the DPL 0
 * flat data segment here. */
Test(pmode, iret_to_ring3_nulls_data_segments)
{
	to_ring3();
	cr_expect_eq(c->seg[SEG_DS].sel, 0, "DS = %x", c->seg[SEG_DS].sel);
	cr_expect_eq(c->seg[SEG_ES].sel, 0, "ES = %x", c->seg[SEG_ES].sel);
}

/* Hardware exceptions go through DPL 0 gates from ring 3; INT n checks the
 * gate's DPL: #GP(vector * 8 + 2) (SDM Vol 3 §6.12.1.1). */
Test(pmode, ring3_int_through_dpl0_gate)
{
	to_ring3();
	R3_CODE(0xCD, 0x30);
	r3_expect_fault(EX_GP, 0x30 * 8 + 2, R3_EIP);
}

/* CLI, HLT, MOV CR0 at CPL 3 with IOPL 0: #GP(0) (SDM Vol 2 CLI, HLT,
 * MOV—Move to/from Control Registers). */
Test(pmode, ring3_cli)
{
	to_ring3();
	R3_CODE(0xFA);
	r3_expect_fault(EX_GP, 0, R3_EIP);
}

/* The rest of the CPL-0-only instructions (SDM Vol 3 §5.9, "Privileged
 * Instructions": LGDT LLDT LTR LIDT MOV CRn MOV DRn LMSW CLTS INVD WBINVD
 * INVLPG HLT RDMSR WRMSR ...): #GP(0) at CPL 3. */
static const struct { const char *name; uint8_t len; uint8_t b[6]; } priv_insns[] = {
	{ "hlt", 1, { 0xF4 } },
	{ "mov cr0,eax", 3, { 0x0F, 0x22, 0xC0 } },
	{ "mov eax,cr0", 3, { 0x0F, 0x20, 0xC0 } },
	{ "mov dr7,eax", 3, { 0x0F, 0x23, 0xF8 } },
	{ "lgdt [eax]", 3, { 0x0F, 0x01, 0x10 } },
	{ "lidt [eax]", 3, { 0x0F, 0x01, 0x18 } },
	{ "lmsw ax", 3, { 0x0F, 0x01, 0xF0 } },
	{ "lldt ax", 3, { 0x0F, 0x00, 0xD0 } },
	{ "ltr ax", 3, { 0x0F, 0x00, 0xD8 } },
	{ "clts", 2, { 0x0F, 0x06 } },
	{ "invd", 2, { 0x0F, 0x08 } },
	{ "wbinvd", 2, { 0x0F, 0x09 } },
	{ "invlpg [eax]", 3, { 0x0F, 0x01, 0x38 } },
	{ "rdmsr", 2, { 0x0F, 0x32 } },
	{ "wrmsr", 2, { 0x0F, 0x30 } },
};

static void ring3_priv(unsigned k)
{
	to_ring3();
	r3_code(priv_insns[k].b, priv_insns[k].len);
	c->r[R_EAX] = 0;
	c->r[R_ECX] = 0x10;
	machine_run(&m, 1);
	cr_expect_eq(c->last_vector, EX_GP, "%s at CPL 3: vector %d", priv_insns[k].name,
	             c->last_vector);
}

Test(pmode, ring3_privileged_instructions)
{
	for (unsigned k = 0; k < sizeof priv_insns / sizeof priv_insns[0]; k++) {
		exec_teardown();
		pm_setup();
		ring3_priv(k);
	}
}

/* IN/OUT at CPL 3 > IOPL: the TSS I/O bitmap decides (SDM Vol 1 §19.5.2). */
Test(pmode, ring3_io_bitmap)
{
	to_ring3();
	R3_CODE(0xE4, 0x80, 0xE4, 0x81);
	c->r[R_EAX] = 0;
	steps(1);
	cr_expect_eq(c->r[R_EAX] & 0xFF, 0xFF, "port 80h allowed (open bus reads FFh)");
	r3_expect_fault(EX_GP, 0, R3_EIP + 2);
}

/* Loading a DPL 0 data segment at CPL 3: #GP(selector). */
Test(pmode, ring3_segment_privilege)
{
	to_ring3();
	R3_CODE(0x66, 0xB8, SEL_DATA32, 0x00, 0x8E, 0xD8, 0x66, 0xB8, SEL_DATA_R3 | 3, 0x00,
	        0x8E, 0xD8);
	steps(1);
	r3_expect_fault(EX_GP, SEL_DATA32, R3_EIP + 4);
	exec_teardown();
	pm_setup();
	to_ring3();
	R3_CODE(0x66, 0xB8, SEL_DATA_R3 | 3, 0x00, 0x8E, 0xD8);
	steps(2);
	cr_expect_eq(c->seg[SEG_DS].sel, SEL_DATA_R3 | 3);
}

/* An expand-down data segment (B = 0) holds the offsets above its limit up
 * to FFFFh (SDM Vol 3 §3.4.5.1). */
Test(pmode, expand_down_segment)
{
	PM_CODE(0x66, 0xB8, SEL_EXPDOWN, 0x00, 0x8E, 0xC0,   /* mov es,58h */
	        0x26, 0x8B, 0x03,                            /* mov eax,es:[ebx] */
	        0x26, 0x8B, 0x03);
	mmu_write32(&m.mmu, 0x31000, 0x600DF00D);
	c->r[R_EBX] = 0x1000;
	steps(3);
	cr_expect_eq(c->r[R_EAX], 0x600DF00D, "offset limit + 1 is inside");
	c->r[R_EBX] = 0x0FFC;
	pm_expect_fault(EX_GP, 0, CODE32 + 0x109);
	exec_teardown();
	pm_setup();
	PM_CODE(0x66, 0xB8, SEL_EXPDOWN, 0x00, 0x8E, 0xC0, 0x26, 0x8B, 0x03);
	c->r[R_EBX] = 0xFFFE; /* a dword at FFFEh runs past FFFFh */
	steps(2);
	pm_expect_fault(EX_GP, 0, CODE32 + 0x106);
}

/* Reading through an execute-only code segment is #GP(0) (SDM Vol 2 MOV,
 * Protected Mode Exceptions: "If the source operand is in an execute-only
 * code segment"), and loading it into a data segment register too (SDM
 * Vol 2 MOV: "#GP(selector) ... segment is not a data or readable code
 * segment"). */
Test(pmode, execute_only_code_load)
{
	PM_CODE(0x66, 0xB8, SEL_CODE_XO, 0x00, 0x8E, 0xD8);
	steps(1);
	pm_expect_fault(EX_GP, SEL_CODE_XO, CODE32 + 0x104);
}

Test(pmode, execute_only_code_read)
{
	/* jmp 60h:CODE32+200h ; there: mov eax,cs:[ebx] */
	PM_CODE(0xEA, 0x00, 0x02, 0x07, 0x00, SEL_CODE_XO, 0x00);
	mem_write(&m, CODE32 + 0x200, (const uint8_t[]){ 0x2E, 0x8B, 0x03 }, 3);
	c->r[R_EBX] = 0x50000;
	steps(1);
	cr_assert_eq(c->seg[SEG_CS].sel, SEL_CODE_XO);
	machine_run(&m, 1);
	cr_expect_eq(c->last_vector, EX_GP);
}

/* An x87 escape with CR0.TS set raises #NM (SDM Vol 3 §2.5, Table 2-2):
 * how an OS switches FPU state lazily. */
Test(pmode, esc_with_ts_is_nm)
{
	/* mov eax,cr0 ; or al,8 ; mov cr0,eax ; fld1 */
	PM_CODE(0x0F, 0x20, 0xC0, 0x0C, 0x08, 0x0F, 0x22, 0xC0, 0xD9, 0xE8);
	steps(3);
	pm_expect_fault(EX_NM, -1, CODE32 + 0x108);
}

/* Precise faults at ring 3, as a property over random instructions: a
 * fault into the ring-0 handler leaves the general registers as before the
 * instruction and pushes SS:ESP, EFLAGS and CS:EIP of the faulting
 * instruction on the ring-0 stack (SDM Vol 3 §6.12.1, Figure 6-4). */
Test(pmode, precise_random_ring3, .timeout = 120)
{
	static const int fault_vectors[] = { EX_DE, EX_BR, EX_UD, EX_NM, EX_NP, EX_SS, EX_GP };
	uint64_t s = 0x5EED3;
	long faults = 0;
	for (unsigned n = 0; n < 6000; n++) {
		exec_teardown();
		pm_setup();
		to_ring3();
		uint8_t b[16];
		for (unsigned k = 0; k < 16; k++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b[k] = (uint8_t)(s >> 56);
		}
		if (n & 1)
			b[0] = 0x0F;
		struct insn in;
		if (decode_insn(b, 15, &c->dmode, &in) == DECODE_OK &&
		    (in.def->exec == exec_int || in.def->exec == exec_int3 ||
		     in.def->exec == exec_into || in.def->exec == exec_int1 ||
		     in.def->exec == exec_mov_cr_r))
			continue;
		r3_code(b, 15);
		for (int r = 0; r < 8; r++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			if (r != R_ESP)
				c->r[r] = (uint32_t)(s >> 32) & (r & 1 ? 0xFFFFFFFFu : 0x000FFFFFu);
		}
		uint32_t regs[8], fl = flags();
		memcpy(regs, c->r, sizeof regs);
		machine_run(&m, 1);
		int v = c->last_vector;
		bool is_fault = false;
		for (unsigned k = 0; k < sizeof fault_vectors / sizeof fault_vectors[0]; k++)
			is_fault |= v == fault_vectors[k];
		if (!is_fault)
			continue;
		faults++;
		char h[40];
		for (unsigned k = 0; k < 8; k++)
			sprintf(h + 3 * k, "%02x ", b[k]);
		cr_assert_eq(c->cpl, 0, "%s(vector %d)", h, v);
		for (int r = 0; r < 8; r++)
			if (r != R_ESP)
				cr_assert_eq(c->r[r], regs[r], "%s(vector %d): register %d is %08x, was %08x",
				             h, v, r, c->r[r], regs[r]);
		bool err = v == EX_NP || v == EX_SS || v == EX_GP;
		uint32_t sp = c->r[R_ESP] + (err ? 4 : 0);
		cr_assert_eq(sp, 0x80000 - 20, "%s(vector %d): ESP %08x", h, v, c->r[R_ESP]);
		cr_assert_eq(mem32(&m, sp), R3_EIP, "%s(vector %d): pushed EIP %08x", h, v, mem32(&m, sp));
		cr_assert_eq(mem32(&m, sp + 4), SEL_CODE_R3 | 3, "%s(vector %d): pushed CS", h, v);
		cr_assert_eq(mem32(&m, sp + 8) & (FL_ARITH | FL_DF), fl & (FL_ARITH | FL_DF),
		             "%s(vector %d): pushed EFLAGS %08x, were %08x", h, v, mem32(&m, sp + 8), fl);
		cr_assert_eq(mem32(&m, sp + 12), 0x70000, "%s(vector %d): pushed ESP", h, v);
		cr_assert_eq(mem32(&m, sp + 16), SEL_DATA_R3 | 3, "%s(vector %d): pushed SS", h, v);
	}
	cr_log_info("ring 3 precise faults checked: %ld", faults);
	cr_expect_gt(faults, 1000);
}
