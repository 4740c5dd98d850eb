/* Instruction families: ALU, INC/DEC, MUL/IMUL/DIV/IDIV, BCD, SHLD/SHRD,
 * BT/BTS/BTR/BTC, BSF/BSR.  Real mode, 16-bit code (66h for 32-bit
 * operands).  Flag exactness over many operands is test_flags.c's job;
 * these are focused checks of each handler's data path. */
#include "exec-common.h"

TestSuite(alu, .init = exec_setup, .fini = exec_teardown);
TestSuite(muldiv, .init = exec_setup, .fini = exec_teardown);
TestSuite(bcd, .init = exec_setup, .fini = exec_teardown);
TestSuite(bits, .init = exec_setup, .fini = exec_teardown);

Test(alu, register_and_memory_forms)
{
	/* add ax,bx ; sub byte [bx+si+2],5 ; adc cx,[0100h] ; xor dx,dx */
	LOAD(0x01, 0xD8, 0x80, 0x68, 0x02, 0x05, 0x13, 0x0E, 0x00, 0x01, 0x31, 0xD2);
	c->r[R_EAX] = 0x1234;
	c->r[R_EBX] = 0x1111;
	c->r[R_ESI] = 0x0010;
	c->r[R_ECX] = 0x0001;
	c->r[R_EDX] = 0x5555;
	mmu_write8(&m.mmu, data_lin(0x1111 + 0x10 + 2), 0x03);
	mmu_write16(&m.mmu, data_lin(0x100), 0xFFFF);
	steps(1);
	cr_expect_eq(ax(), 0x2345);
	steps(1);
	cr_expect_eq(mem8(&m, data_lin(0x1123)), 0xFE);
	cr_expect(flags() & FL_CF, "3 - 5 borrows");
	steps(1); /* 1 + FFFF + CF */
	cr_expect_eq(reg16(R_ECX), 0x0001);
	cr_expect(flags() & FL_CF);
	steps(1);
	cr_expect_eq(reg16(R_EDX), 0);
	cr_expect_eq(flags() & (FL_ZF | FL_CF | FL_PF), FL_ZF | FL_PF);
	cr_expect_eq(c->eip, 12);
}

Test(alu, byte_registers_ah_bh)
{
	/* add ah,bh (02 E7: reg 4 = AH, rm 7 = BH) */
	LOAD(0x02, 0xE7);
	c->r[R_EAX] = 0x12345678;
	c->r[R_EBX] = 0x0000F000;
	steps(1);
	cr_expect_eq(c->r[R_EAX], 0x12344678);
	cr_expect(flags() & FL_CF);
}

Test(alu, cmp_and_test_write_nothing)
{
	LOAD(0x39, 0xD8, 0x85, 0xD8, 0x3C, 0x7F); /* cmp ax,bx ; test ax,bx ; cmp al,7Fh */
	c->r[R_EAX] = 0x8000;
	c->r[R_EBX] = 0x0001;
	steps(1);
	cr_expect_eq(ax(), 0x8000);
	cr_expect(flags() & FL_OF, "8000h - 1 overflows");
	steps(2);
	cr_expect_eq(ax(), 0x8000);
	cr_expect(flags() & FL_CF, "0 < 7Fh");
}

/* INC and DEC leave CF as it was (SDM Vol 2 INC/DEC). */
Test(alu, inc_dec_preserve_cf)
{
	/* stc ; inc ax ; clc ; dec bx ; stc ; inc byte [0] */
	LOAD(0xF9, 0x40, 0xF8, 0x4B, 0xF9, 0xFE, 0x06, 0x00, 0x00);
	c->r[R_EAX] = 0xFFFF;
	c->r[R_EBX] = 0;
	mmu_write8(&m.mmu, data_lin(0), 0x7F);
	steps(2);
	cr_expect_eq(ax(), 0);
	cr_expect_eq(flags() & (FL_CF | FL_ZF | FL_AF), FL_CF | FL_ZF | FL_AF);
	steps(2);
	cr_expect_eq(reg16(R_EBX), 0xFFFF);
	cr_expect_eq(flags() & (FL_CF | FL_SF), FL_SF);
	steps(2);
	cr_expect_eq(mem8(&m, data_lin(0)), 0x80);
	cr_expect_eq(flags() & (FL_CF | FL_OF), FL_CF | FL_OF);
}

Test(alu, not_neg)
{
	LOAD(0xF7, 0xD0, 0xF7, 0xDB); /* not ax ; neg bx */
	c->r[R_EAX] = 0x00FF;
	c->r[R_EBX] = 0x0001;
	steps(1);
	cr_expect_eq(ax(), 0xFF00);
	steps(1);
	cr_expect_eq(reg16(R_EBX), 0xFFFF);
	cr_expect(flags() & FL_CF);
}

/* ---- MUL IMUL DIV IDIV (SDM Vol 2) ---- */

Test(muldiv, mul)
{
	/* mul bl ; mul bx ; mul ebx */
	LOAD(0xF6, 0xE3, 0xF7, 0xE3, 0x66, 0xF7, 0xE3);
	c->r[R_EAX] = 0x80;
	c->r[R_EBX] = 2;
	steps(1);
	cr_expect_eq(ax(), 0x100);
	cr_expect_eq(flags() & (FL_CF | FL_OF), FL_CF | FL_OF, "AH is not zero");
	c->r[R_EAX] = 0x8000;
	steps(1);
	cr_expect_eq(reg16(R_EDX), 1);
	cr_expect_eq(ax(), 0);
	c->r[R_EAX] = 0x80000001;
	c->r[R_EBX] = 2;
	steps(1);
	cr_expect_eq(c->r[R_EDX], 1);
	cr_expect_eq(c->r[R_EAX], 2);
	c->r[R_EAX] = 3;
	LOAD(0xF6, 0xE3);
	steps(1);
	cr_expect_eq(ax(), 6);
	cr_expect_eq(flags() & (FL_CF | FL_OF), 0);
}

Test(muldiv, imul_forms)
{
	/* imul bl ; imul ax,bx,-3 (6B) ; imul cx,bx (0F AF) ; imul ax,bx,1000h (69) */
	LOAD(0xF6, 0xEB, 0x6B, 0xC3, 0xFD, 0x0F, 0xAF, 0xCB, 0x69, 0xC3, 0x00, 0x10);
	c->r[R_EAX] = 0xFE; /* -2 */
	c->r[R_EBX] = 3;
	steps(1);
	cr_expect_eq(ax(), 0xFFFA);
	cr_expect_eq(flags() & (FL_CF | FL_OF), 0, "-6 fits in AL");
	c->r[R_EBX] = 0x1000;
	steps(1);
	cr_expect_eq(ax(), (uint16_t)(0x1000 * -3));
	cr_expect_eq(flags() & (FL_CF | FL_OF), 0);
	c->r[R_ECX] = 0x10;
	steps(1);
	cr_expect_eq(reg16(R_ECX), 0);
	cr_expect_eq(flags() & (FL_CF | FL_OF), FL_CF | FL_OF, "10000h does not fit");
	c->r[R_EBX] = 0xFFFF;
	steps(1);
	cr_expect_eq(ax(), 0xF000);
	cr_expect_eq(flags() & (FL_CF | FL_OF), 0, "-1000h fits");
}

Test(muldiv, div_idiv)
{
	/* div bl ; div bx ; idiv bl ; idiv ebx */
	LOAD(0xF6, 0xF3, 0xF7, 0xF3, 0xF6, 0xFB, 0x66, 0xF7, 0xFB);
	c->r[R_EAX] = 1000;
	c->r[R_EBX] = 7;
	steps(1);
	cr_expect_eq(ax() & 0xFF, 142);
	cr_expect_eq(ax() >> 8, 6);
	c->r[R_EDX] = 1;
	c->r[R_EAX] = 0x0005; /* 10005h / 7 */
	steps(1);
	cr_expect_eq(ax(), 0x10005 / 7);
	cr_expect_eq(reg16(R_EDX), 0x10005 % 7);
	c->r[R_EAX] = (uint16_t)-7;
	c->r[R_EBX] = 2;
	steps(1);
	cr_expect_eq(ax() & 0xFF, (uint8_t)-3, "rounds toward zero");
	cr_expect_eq(ax() >> 8, (uint8_t)-1, "the remainder has the dividend's sign");
	c->r[R_EDX] = 0xFFFFFFFF;
	c->r[R_EAX] = (uint32_t)-100;
	c->r[R_EBX] = 7;
	steps(1);
	cr_expect_eq(c->r[R_EAX], (uint32_t)-14);
	cr_expect_eq(c->r[R_EDX], (uint32_t)-2);
}

/* #DE: division by zero and a quotient too large; the fault restarts the
 * instruction (286+) and leaves the registers as they were. */
Test(muldiv, divide_error)
{
	LOAD(0xF6, 0xF3); /* div bl */
	c->r[R_EAX] = 0x1234;
	c->r[R_EBX] = 0;
	step_expect_vector(EX_DE);
	cr_expect_eq(ax(), 0x1234);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFE - 6)), 0, "IP of the DIV itself");
	exec_teardown();
	exec_setup();
	LOAD(0xF6, 0xF3);
	c->r[R_EAX] = 0x1000;
	c->r[R_EBX] = 1; /* 1000h / 1 does not fit AL */
	step_expect_vector(EX_DE);
	cr_expect_eq(ax(), 0x1000);
	exec_teardown();
	exec_setup();
	LOAD(0xF6, 0xFB); /* idiv bl: -32768 / 2 = -16384 does not fit */
	c->r[R_EAX] = 0x8000;
	c->r[R_EBX] = 2;
	step_expect_vector(EX_DE);
}

/* IDIV: the most negative quotient is accepted from the 80286 on. */
Test(muldiv, idiv_most_negative_quotient)
{
	LOAD(0xF6, 0xFB); /* idiv bl: -256 / 2 = -128 */
	c->r[R_EAX] = 0xFF00;
	c->r[R_EBX] = 2;
	steps(1);
	cr_expect_eq(ax() & 0xFF, 0x80);
}

/* The 8086 pushes the address after DIV for #DE (its only fault). */
Test(muldiv, divide_error_8086_pushes_next_ip)
{
	exec_teardown();
	exec_setup_model("8086");
	LOAD(0xF6, 0xF3);
	c->r[R_EAX] = 0x1234;
	c->r[R_EBX] = 0;
	step_expect_vector(EX_DE);
	cr_expect_eq(mem16(&m, stack_lin(0xFFFE - 6)), 2);
}

/* ---- BCD (SDM Vol 2 DAA DAS AAA AAS AAM AAD) ---- */

Test(bcd, daa_das)
{
	/* add al,35h ; daa */
	LOAD(0x04, 0x35, 0x27);
	c->r[R_EAX] = 0x79;
	steps(2);
	cr_expect_eq(ax() & 0xFF, 0x14);
	cr_expect(flags() & FL_CF);
	/* sub al,35h ; das: 14h - 35h = -21 -> 79 with borrow */
	LOAD(0x2C, 0x35, 0x2F);
	c->r[R_EAX] = 0x14;
	steps(2);
	cr_expect_eq(ax() & 0xFF, 0x79);
	cr_expect(flags() & FL_CF);
}

Test(bcd, aaa_aas)
{
	/* add al,bl ; aaa: 9 + 8 = 17 -> AH+1, AL=7 */
	LOAD(0x00, 0xD8, 0x37);
	c->r[R_EAX] = 0x0009;
	c->r[R_EBX] = 0x08;
	steps(2);
	cr_expect_eq(ax(), 0x0107);
	cr_expect_eq(flags() & (FL_CF | FL_AF), FL_CF | FL_AF);
	/* sub al,bl ; aas: 3 - 8 -> AH-1, AL=5 */
	LOAD(0x28, 0xD8, 0x3F);
	c->r[R_EAX] = 0x0203;
	steps(2);
	cr_expect_eq(ax(), 0x0105);
	cr_expect(flags() & FL_CF);
}

Test(bcd, aam_aad)
{
	LOAD(0xD4, 0x0A, 0xD5, 0x0A, 0xD4, 0x10); /* aam ; aad ; aam 16 */
	c->r[R_EAX] = 0x3F;
	steps(1);
	cr_expect_eq(ax(), 0x0603);
	steps(1);
	cr_expect_eq(ax(), 0x003F);
	steps(1);
	cr_expect_eq(ax(), 0x030F);
	LOAD(0xD4, 0x00); /* aam 0: #DE */
	step_expect_vector(EX_DE);
}

/* ---- SHLD SHRD (SDM Vol 2) ---- */

Test(bits, shld_shrd)
{
	/* shld ax,bx,4 ; shrd ax,bx,4 */
	LOAD(0x0F, 0xA4, 0xD8, 0x04, 0x0F, 0xAC, 0xD8, 0x04);
	c->r[R_EAX] = 0x1234;
	c->r[R_EBX] = 0xABCD;
	steps(1);
	cr_expect_eq(ax(), 0x234A);
	cr_expect(flags() & FL_CF, "bit 12 of 1234h was shifted out last");
	c->r[R_EAX] = 0x1234;
	steps(1);
	cr_expect_eq(ax(), 0xD123);
	cr_expect_not(flags() & FL_CF, "bit 3 of 1234h");
	/* shld eax,ebx,cl ; shrd eax,ebx,cl with CL = 8 */
	LOAD(0x66, 0x0F, 0xA5, 0xD8, 0x66, 0x0F, 0xAD, 0xD8);
	c->r[R_EAX] = 0x12345678;
	c->r[R_EBX] = 0x9ABCDEF0;
	c->r[R_ECX] = 8;
	steps(1);
	cr_expect_eq(c->r[R_EAX], 0x3456789A);
	c->r[R_EAX] = 0x12345678;
	steps(1);
	cr_expect_eq(c->r[R_EAX], 0xF0123456);
}

Test(bits, shld_count_zero_changes_nothing)
{
	LOAD(0xF9, 0x0F, 0xA5, 0xD8); /* stc ; shld ax,bx,cl with CL = 32 (masked to 0) */
	c->r[R_EAX] = 0x8001;
	c->r[R_EBX] = 0xFFFF;
	c->r[R_ECX] = 32;
	steps(2);
	cr_expect_eq(ax(), 0x8001);
	cr_expect(flags() & FL_CF);
}

/* ---- BT BTS BTR BTC BSF BSR ---- */

Test(bits, bt_family_register)
{
	/* bt ax,bx ; bts ax,5 ; btr ax,4 ; btc ax,15 */
	LOAD(0x0F, 0xA3, 0xD8, 0x0F, 0xBA, 0xE8, 0x05, 0x0F, 0xBA, 0xF0, 0x04,
	     0x0F, 0xBA, 0xF8, 0x0F);
	c->r[R_EAX] = 0x0010;
	c->r[R_EBX] = 4 + 16; /* the offset is taken modulo 16 for a register */
	steps(1);
	cr_expect(flags() & FL_CF);
	steps(1);
	cr_expect_eq(ax(), 0x0030);
	cr_expect_not(flags() & FL_CF);
	steps(1);
	cr_expect_eq(ax(), 0x0020);
	cr_expect(flags() & FL_CF);
	steps(1);
	cr_expect_eq(ax(), 0x8020);
	cr_expect_not(flags() & FL_CF);
}

/* A register bit offset with a memory operand addresses a bit string: the
 * offset may reach past the operand, also backwards (SDM Vol 2 BT). */
Test(bits, bt_memory_bit_string)
{
	/* bts word [0100h],bx ; bt word [0100h],bx with BX = -1 */
	LOAD(0x0F, 0xAB, 0x1E, 0x00, 0x01, 0x0F, 0xA3, 0x1E, 0x00, 0x01);
	c->r[R_EBX] = 17;
	steps(1);
	cr_expect_eq(mem8(&m, data_lin(0x102)), 0x02);
	cr_expect_not(flags() & FL_CF);
	c->r[R_EBX] = 0xFFFF; /* bit 7 of the byte at 00FFh */
	mmu_write8(&m.mmu, data_lin(0xFF), 0x80);
	steps(1);
	cr_expect(flags() & FL_CF);
}

Test(bits, bsf_bsr)
{
	/* bsf ax,bx ; bsr cx,bx */
	LOAD(0x0F, 0xBC, 0xC3, 0x0F, 0xBD, 0xCB);
	c->r[R_EBX] = 0x8010;
	steps(2);
	cr_expect_eq(ax(), 4);
	cr_expect_eq(reg16(R_ECX), 15);
	cr_expect_not(flags() & FL_ZF);
	LOAD(0x0F, 0xBC, 0xC3);
	c->r[R_EBX] = 0;
	steps(1);
	cr_expect(flags() & FL_ZF, "a zero source sets ZF (the destination is undefined)");
}
