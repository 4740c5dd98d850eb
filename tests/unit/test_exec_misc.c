/* Instruction families: MOVZX/MOVSX/BSWAP/CMOVcc/SETcc/XADD/CMPXCHG/
 * CMPXCHG8B, the stack (PUSH/POP/PUSHA/POPA/ENTER/LEAVE), CPUID, RDTSC,
 * RDMSR/WRMSR and LOCK.  Real mode, 16-bit code. */
#include <string.h>

#include "exec-common.h"

TestSuite(mov, .init = exec_setup, .fini = exec_teardown);
TestSuite(atomic, .init = exec_setup, .fini = exec_teardown);
TestSuite(stack, .init = exec_setup, .fini = exec_teardown);
TestSuite(system, .init = exec_setup, .fini = exec_teardown);

Test(mov, movzx_movsx)
{
	/* movzx ax,bl ; movsx ecx,bx ; movsx dx,byte [0] ; movzx esi,word [0] */
	LOAD(0x0F, 0xB6, 0xC3, 0x66, 0x0F, 0xBF, 0xCB, 0x0F, 0xBE, 0x16, 0x00, 0x00,
	     0x66, 0x0F, 0xB7, 0x36, 0x00, 0x00);
	c->r[R_EAX] = 0xFFFFFFFF;
	c->r[R_EBX] = 0x8081;
	mmu_write16(&m.mmu, data_lin(0), 0x80F0);
	steps(1);
	cr_expect_eq(c->r[R_EAX], 0xFFFF0081, "16-bit destination: the top half stays");
	steps(1);
	cr_expect_eq(c->r[R_ECX], 0xFFFF8081);
	steps(1);
	cr_expect_eq(reg16(R_EDX), 0xFFF0);
	steps(1);
	cr_expect_eq(c->r[R_ESI], 0x80F0);
}

Test(mov, bswap)
{
	LOAD(0x66, 0x0F, 0xC8, 0x66, 0x0F, 0xCF); /* bswap eax ; bswap edi */
	c->r[R_EAX] = 0x12345678;
	c->r[R_EDI] = 0x000000FF;
	steps(2);
	cr_expect_eq(c->r[R_EAX], 0x78563412);
	cr_expect_eq(c->r[R_EDI], 0xFF000000);
}

Test(mov, cmovcc_setcc)
{
	/* cmp ax,bx ; cmovl cx,dx ; cmovge si,dx ; setl al ; setz ah */
	LOAD(0x39, 0xD8, 0x0F, 0x4C, 0xCA, 0x0F, 0x4D, 0xF2, 0x0F, 0x9C, 0xC0, 0x0F, 0x94, 0xC4);
	c->r[R_EAX] = 0xFFFF; /* -1 < 1 */
	c->r[R_EBX] = 1;
	c->r[R_ECX] = 0x1111;
	c->r[R_EDX] = 0x2222;
	c->r[R_ESI] = 0x3333;
	steps(5);
	cr_expect_eq(reg16(R_ECX), 0x2222);
	cr_expect_eq(reg16(R_ESI), 0x3333);
	cr_expect_eq(ax(), 0x0001);
}

/* CMOVcc reads its memory source whatever the condition (SDM Vol 2
 * CMOVcc): a source past the limit faults even when not taken. */
Test(mov, cmov_reads_source_when_false)
{
	LOAD(0x0F, 0x40, 0x07); /* cmovo ax,[bx] with OF = 0, BX = FFFFh */
	c->r[R_EBX] = 0xFFFF;
	step_expect_vector(EX_GP);
}

Test(mov, xchg_xlat_cbw_cwd)
{
	/* xchg ax,bx ; xlat ; cbw ; cwd */
	LOAD(0x93, 0xD7, 0x98, 0x99);
	c->r[R_EAX] = 0x0010;
	c->r[R_EBX] = 0x0100;
	mmu_write8(&m.mmu, data_lin(0x0110), 0x99);
	steps(1);
	cr_expect_eq(ax(), 0x0100);
	cr_expect_eq(reg16(R_EBX), 0x0010);
	c->r[R_EBX] = 0x0100;
	c->r[R_EAX] = 0x0010;
	steps(1);
	cr_expect_eq(ax(), 0x0099);
	steps(2);
	cr_expect_eq(ax(), 0xFF99);
	cr_expect_eq(reg16(R_EDX), 0xFFFF);
}

Test(atomic, xadd)
{
	LOAD(0x0F, 0xC1, 0xD8, 0xF0, 0x0F, 0xC0, 0x1E, 0x00, 0x00); /* xadd ax,bx ; lock xadd [0],bl */
	c->r[R_EAX] = 1;
	c->r[R_EBX] = 2;
	steps(1);
	cr_expect_eq(ax(), 3);
	cr_expect_eq(reg16(R_EBX), 1);
	mmu_write8(&m.mmu, data_lin(0), 0xFF);
	steps(1);
	cr_expect_eq(mem8(&m, data_lin(0)), 0x00);
	cr_expect_eq(reg16(R_EBX) & 0xFF, 0xFF);
	cr_expect(flags() & FL_CF);
}

Test(atomic, cmpxchg)
{
	LOAD(0x0F, 0xB1, 0x1E, 0x00, 0x01); /* cmpxchg [0100h],bx */
	mmu_write16(&m.mmu, data_lin(0x100), 0x1234);
	c->r[R_EAX] = 0x1234;
	c->r[R_EBX] = 0x5678;
	steps(1);
	cr_expect_eq(mem16(&m, data_lin(0x100)), 0x5678);
	cr_expect(flags() & FL_ZF);
	LOAD(0x0F, 0xB1, 0x1E, 0x00, 0x01);
	c->r[R_EAX] = 0x1111;
	steps(1);
	cr_expect_eq(mem16(&m, data_lin(0x100)), 0x5678);
	cr_expect_eq(ax(), 0x5678);
	cr_expect_not(flags() & FL_ZF);
	cr_expect(flags() & FL_CF, "flags as CMP 1111h,5678h");
}

Test(atomic, cmpxchg8b)
{
	LOAD(0x0F, 0xC7, 0x0E, 0x00, 0x01); /* cmpxchg8b [0100h] */
	mmu_write32(&m.mmu, data_lin(0x100), 0x11111111);
	mmu_write32(&m.mmu, data_lin(0x104), 0x22222222);
	c->r[R_EAX] = 0x11111111;
	c->r[R_EDX] = 0x22222222;
	c->r[R_EBX] = 0xAAAAAAAA;
	c->r[R_ECX] = 0xBBBBBBBB;
	steps(1);
	cr_expect_eq(mem32(&m, data_lin(0x100)), 0xAAAAAAAA);
	cr_expect_eq(mem32(&m, data_lin(0x104)), 0xBBBBBBBB);
	cr_expect(flags() & FL_ZF);
	LOAD(0x0F, 0xC7, 0x0E, 0x00, 0x01);
	steps(1);
	cr_expect_eq(c->r[R_EAX], 0xAAAAAAAA);
	cr_expect_eq(c->r[R_EDX], 0xBBBBBBBB);
	cr_expect_not(flags() & FL_ZF);
}

/* ---- the stack ---- */

Test(stack, push_pop)
{
	/* push ax ; push sp ; pop cx ; pop bx ; push -2 (6A) ; pop dx */
	LOAD(0x50, 0x54, 0x59, 0x5B, 0x6A, 0xFE, 0x5A);
	c->r[R_EAX] = 0xBEEF;
	steps(2);
	cr_expect_eq(reg16(R_ESP), 0xFFFA);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFA)), 0xFFFC, "PUSH SP pushes SP before the push (286+)");
	steps(2);
	cr_expect_eq(reg16(R_ECX), 0xFFFC);
	cr_expect_eq(reg16(R_EBX), 0xBEEF);
	cr_expect_eq(reg16(R_ESP), 0xFFFE);
	steps(2);
	cr_expect_eq(reg16(R_EDX), 0xFFFE, "PUSH Ib sign-extends");
}

Test(stack, push_pop_32_and_memory)
{
	/* push eax ; pop dword [0] ; push word [0] ; pop es */
	LOAD(0x66, 0x50, 0x66, 0x8F, 0x06, 0x00, 0x00, 0xFF, 0x36, 0x00, 0x00, 0x07);
	c->r[R_EAX] = 0x12345678;
	steps(2);
	cr_expect_eq(mem32(&m, data_lin(0)), 0x12345678);
	cr_expect_eq(reg16(R_ESP), 0xFFFE);
	steps(2);
	cr_expect_eq(c->seg[SEG_ES].sel, 0x5678);
	cr_expect_eq(c->seg[SEG_ES].base, 0x56780);
}

Test(stack, pusha_popa)
{
	LOAD(0x60, 0x61); /* pusha ; popa */
	for (int r = 0; r < 8; r++)
		c->r[r] = r == R_ESP ? 0xFFFE : 0x1000 + (uint32_t)r;
	steps(1);
	cr_expect_eq(reg16(R_ESP), 0xFFFE - 16);
	/* Pushed in the order AX CX DX BX SP(original) BP SI DI. */
	for (int r = 0; r < 8; r++)
		cr_expect_eq(mem16(&m, stack_lin(0xFFFE - 2 - 2 * (uint32_t)r)),
		             r == R_ESP ? 0xFFFE : 0x1000 + r, "slot %d", r);
	for (int r = 0; r < 8; r++)
		if (r != R_ESP)
			c->r[r] = 0;
	mmu_write16(&m.mmu, stack_lin(0xFFFE - 10), 0x4444); /* the SP slot: skipped */
	steps(1);
	for (int r = 0; r < 8; r++)
		cr_expect_eq(reg16(r), r == R_ESP ? 0xFFFE : 0x1000 + r, "register %d", r);
}

Test(stack, enter_leave)
{
	/* enter 8,0 ; leave ; enter 4,1 ; leave */
	LOAD(0xC8, 0x08, 0x00, 0x00, 0xC9, 0xC8, 0x04, 0x00, 0x01, 0xC9);
	c->r[R_EBP] = 0xAAAA;
	steps(1);
	cr_expect_eq(reg16(R_EBP), 0xFFFC);
	cr_expect_eq(reg16(R_ESP), 0xFFFC - 8);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFC)), 0xAAAA);
	steps(1);
	cr_expect_eq(reg16(R_EBP), 0xAAAA);
	cr_expect_eq(reg16(R_ESP), 0xFFFE);
	steps(1); /* level 1: the new frame pointer is pushed as well */
	cr_expect_eq(reg16(R_EBP), 0xFFFC);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFA)), 0xFFFC);
	cr_expect_eq(reg16(R_ESP), 0xFFFA - 4);
	steps(1);
	cr_expect_eq(reg16(R_EBP), 0xAAAA);
	cr_expect_eq(reg16(R_ESP), 0xFFFE);
}

/* ---- CPUID RDTSC MSRs LOCK ---- */

Test(system, cpuid)
{
	LOAD(0x66, 0x31, 0xC0, 0x0F, 0xA2, 0x66, 0xB8, 0x01, 0x00, 0x00, 0x00, 0x0F, 0xA2);
	steps(2);
	cr_expect_eq(c->r[R_EBX], 0x756E6547);
	cr_expect_eq(c->r[R_EDX], 0x49656E69);
	cr_expect_eq(c->r[R_ECX], 0x6C65746E);
	cr_expect_geq(c->r[R_EAX], 1);
	steps(2);
	cr_expect_eq((c->r[R_EAX] >> 8) & 0xF, 6, "family 6");
	cr_expect(c->r[R_EDX] & (1u << 15), "CMOV");
	cr_expect(c->r[R_EDX] & (1u << 8), "CX8");
	cr_expect(c->r[R_EDX] & (1u << 4), "TSC");
}

Test(system, cpuid_absent_on_386)
{
	exec_teardown();
	exec_setup_model("386");
	LOAD(0x0F, 0xA2);
	step_expect_vector(EX_UD);
}

Test(system, rdtsc_counts_up)
{
	LOAD(0x0F, 0x31, 0x66, 0x89, 0xC6, 0x90, 0x90, 0x0F, 0x31); /* rdtsc ; mov esi,eax ; nop ; nop ; rdtsc */
	steps(5);
	cr_expect_gt(c->r[R_EAX], c->r[R_ESI]);
}

Test(system, msrs)
{
	/* wrmsr 174h (SYSENTER_CS) ; rdmsr back into EDX:EAX */
	LOAD(0x0F, 0x30, 0x66, 0x31, 0xC0, 0x66, 0x31, 0xD2, 0x0F, 0x32);
	c->r[R_ECX] = 0x174;
	c->r[R_EAX] = 0x0008;
	c->r[R_EDX] = 0;
	steps(4);
	cr_expect_eq(c->r[R_EAX], 8);
	LOAD(0x0F, 0x32); /* an MSR amber does not have: #GP(0) */
	c->r[R_ECX] = 0x12345;
	c->r[R_EAX] = 0x77;
	step_expect_vector(EX_GP);
	cr_expect_eq(c->r[R_EAX], 0x77);
}

/* LOCK on an instruction that cannot take it is #UD from the 386 on
 * (SDM Vol 2 LOCK); the 286 runs it (its real-mode vectors do). */
Test(system, lock_ud)
{
	LOAD(0xF0, 0x90);
	step_expect_vector(EX_UD);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFE - 6)), 0, "the IP of the prefix");
	exec_teardown();
	exec_setup();
	LOAD(0xF0, 0x01, 0xC0); /* lock add ax,ax: register destination */
	step_expect_vector(EX_UD);
	exec_teardown();
	exec_setup();
	LOAD(0xF0, 0x01, 0x07); /* lock add [bx],ax */
	steps(1);
	exec_teardown();
	exec_setup_model("286");
	LOAD(0xF0, 0x90);
	steps(1);
	cr_expect_eq(c->eip, 2);
}

/* ENTER with nesting levels: the outer frame pointers are copied, then the
 * new one pushed (SDM Vol 2 ENTER). */
Test(stack, enter_nested_levels)
{
	LOAD(0xC8, 0x02, 0x00, 0x03); /* enter 2,3 */
	c->r[R_EBP] = 0xFF00;
	mmu_write16(&m.mmu, stack_lin(0xFF00 - 2), 0x1111);
	mmu_write16(&m.mmu, stack_lin(0xFF00 - 4), 0x2222);
	steps(1);
	/* push bp ; push [bp-2] ; push [bp-4] ; push frame ; sub sp,2 */
	cr_expect_eq(mem16(&m, stack_lin(0xFFFC)), 0xFF00);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFA)), 0x1111);
	cr_expect_eq(mem16(&m, stack_lin(0xFFF8)), 0x2222);
	cr_expect_eq(mem16(&m, stack_lin(0xFFF6)), 0xFFFC);
	cr_expect_eq(reg16(R_EBP), 0xFFFC);
	cr_expect_eq(reg16(R_ESP), 0xFFF6 - 2);
}

/* POP SS holds off interrupts like MOV SS; PUSH/POP segment registers. */
Test(stack, push_pop_sreg)
{
	LOAD(0x1E, 0x07, 0x0F, 0xA0, 0x0F, 0xA9); /* push ds ; pop es ; push fs ; pop gs */
	cpu_load_seg_real(c, SEG_FS, 0x1234);
	steps(4);
	cr_expect_eq(c->seg[SEG_ES].sel, MACHINE_DATA_SEG);
	cr_expect_eq(c->seg[SEG_GS].sel, 0x1234);
	cr_expect_eq(c->seg[SEG_GS].base, 0x12340);
	cr_expect_eq(reg16(R_ESP), 0xFFFE);
}

/* LOCK CMP must raise #UD (CMP is not lockable, SDM Vol 2 LOCK). */
Test(system, lock_cmp_ud)
{
	LOAD(0xF0, 0x39, 0x07); /* lock cmp [bx],ax */
	step_expect_vector(EX_UD);
}

/* POP with an ESP-based destination computes the address after ESP moved
 * (SDM Vol 2 POP); PUSH with an ESP-based source reads before it moves. */
Test(stack, pop_push_esp_based_memory)
{
	LOAD(0x67, 0x8F, 0x04, 0x24, 0x67, 0xFF, 0x34, 0x24); /* pop word [esp] ; push word [esp] */
	c->r[R_ESP] = 0xFFF0;
	mmu_write16(&m.mmu, stack_lin(0xFFF0), 0x1111);
	mmu_write16(&m.mmu, stack_lin(0xFFF2), 0x2222);
	steps(1);
	cr_expect_eq(reg16(R_ESP), 0xFFF2);
	cr_expect_eq(mem16(&m, stack_lin(0xFFF2)), 0x1111, "stored at the new top");
	steps(1);
	cr_expect_eq(reg16(R_ESP), 0xFFF0);
	cr_expect_eq(mem16(&m, stack_lin(0xFFF0)), 0x1111);
}

Test(stack, ret_imm_and_o32)
{
	/* push dword 12345678h ; push word 8 ; ret 4 (to 0008h, itself) */
	uint8_t code[16];
	memset(code, 0xF4, sizeof code);
	static const uint8_t a[] = { 0x66, 0x68, 0x78, 0x56, 0x34, 0x12, 0x6A, 0x08, 0xC2, 0x04, 0x00 };
	memcpy(code, a, sizeof a);
	load(code, sizeof code);
	steps(2);
	cr_expect_eq(reg16(R_ESP), 0xFFFE - 6);
	steps(1);
	cr_expect_eq(c->eip, 8, "RET imm16 popped the IP pushed by PUSH Ib");
	cr_expect_eq(reg16(R_ESP), 0xFFFE, "and released 4 more bytes");
}

/* ---- differences between models at execution ---- */

/* 8086: shift counts are not masked; the 80186 and later mask them to 5
 * bits (SDM Vol 2 SAL/SAR/SHL/SHR, IA-32 Architecture Compatibility). */
Test(system, shift_count_masking_by_model)
{
	LOAD(0xD2, 0xE0); /* shl al,cl with CL = 33 */
	c->r[R_EAX] = 0x81;
	c->r[R_ECX] = 33;
	steps(1);
	cr_expect_eq(ax() & 0xFF, 0x02, "masked to 1");
	exec_teardown();
	exec_setup_model("8086");
	LOAD(0xD2, 0xE0);
	c->r[R_EAX] = 0x81;
	c->r[R_ECX] = 33;
	steps(1);
	cr_expect_eq(ax() & 0xFF, 0x00, "33 single shifts");
}

/* D0-D3 /6: SAL on the 80186 and later, SETMO (all ones) on the 8086. */
Test(system, group2_reg6_by_model)
{
	LOAD(0xD0, 0xF0); /* /6 al,1 */
	c->r[R_EAX] = 0x41;
	steps(1);
	cr_expect_eq(ax() & 0xFF, 0x82);
	exec_teardown();
	exec_setup_model("8086");
	LOAD(0xD0, 0xF0);
	c->r[R_EAX] = 0x41;
	steps(1);
	cr_expect_eq(ax() & 0xFF, 0xFF);
}

/* 8086: POP CS (0F) loads CS; later CPUs read 0F as the two-byte escape. */
Test(system, pop_cs_8086)
{
	exec_teardown();
	exec_setup_model("8086");
	LOAD(0x0F); /* pop cs */
	mmu_write16(&m.mmu, stack_lin(0xFFFE), 0x5000);
	steps(1);
	cr_expect_eq(c->seg[SEG_CS].sel, 0x5000);
	cr_expect_eq(c->eip, 1);
}
