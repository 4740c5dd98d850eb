/* x87 and MMX instructions through the interpreter: loads and stores of
 * every format, arithmetic, compares, the stack faults and the tag word,
 * FSTENV/FLDENV/FSAVE/FRSTOR layouts, FXSAVE/FXRSTOR, pending exceptions
 * (#MF with CR0.NE = 1, FERR# with NE = 0), CR0.EM/TS, and MMX with its
 * aliasing of the x87 registers.  Real mode, 16-bit code, a Pentium II. */
#include <string.h>

#include "exec-common.h"

TestSuite(x87, .init = exec_setup, .fini = exec_teardown);
TestSuite(mmx, .init = exec_setup, .fini = exec_teardown);

static void put32(uint32_t off, uint32_t v) { mmu_write32(&m.mmu, data_lin(off), v); }
static void put16(uint32_t off, uint16_t v) { mmu_write16(&m.mmu, data_lin(off), v); }
static void put64(uint32_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}
static uint32_t get32(uint32_t off) { return mem32(&m, data_lin(off)); }
static uint16_t get16(uint32_t off) { return mem16(&m, data_lin(off)); }
static uint64_t get64(uint32_t off) { return get32(off) | (uint64_t)get32(off + 4) << 32; }

static f80 st_(unsigned i) { return c->fpu.r[(c->fpu.top + i) & 7]; }
static uint16_t sw(void) { return x87_get_sw(&c->fpu); }

Test(x87, load_arith_store)
{
	/* fld dword [0] ; fadd dword [4] ; fstp dword [8] ;
	 * fild word [12] ; fimul word [14] ; fistp dword [16] */
	LOAD(0xd9, 0x06, 0x00, 0x00, 0xd8, 0x06, 0x04, 0x00, 0xd9, 0x1e, 0x08, 0x00,
	     0xdf, 0x06, 0x0c, 0x00, 0xde, 0x0e, 0x0e, 0x00, 0xdb, 0x1e, 0x10, 0x00);
	put32(0, 0x3FC00000);   /* 1.5 */
	put32(4, 0x40100000);   /* 2.25 */
	put16(12, (uint16_t)-300);
	put16(14, 1000);
	steps(6);
	cr_expect_eq(get32(8), 0x40700000, "1.5 + 2.25 = 3.75");
	cr_expect_eq(get32(16), (uint32_t)-300000);
	cr_expect_eq(c->fpu.valid, 0, "everything popped");
	cr_expect_eq(sw() & 0x3FFF, 0);
	cr_expect_eq(c->fpu.fop, 0x31E, "FOP of FISTP m32: DB /3 with ModR/M 1E");
	cr_expect_eq(c->fpu.fdp, 16);
}

Test(x87, bcd_round_trip)
{
	LOAD(0xdf, 0x26, 0x20, 0x00, 0xdf, 0x36, 0x30, 0x00);   /* fbld [20h] ; fbstp [30h] */
	static const uint8_t bcd[10] = { 0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0x65, 0x87, 0x80 };
	mem_write(&m, data_lin(0x20), bcd, 10);
	steps(1);
	cr_expect_eq(st_(0).sig, 876543210987654321ull << __builtin_clzll(876543210987654321ull));
	cr_expect_eq(st_(0).se >> 15, 1);
	steps(1);
	for (int k = 0; k < 10; k++)
		cr_expect_eq(mem8(&m, data_lin(0x30 + k)), bcd[k]);
}

Test(x87, stack_overflow_and_underflow)
{
	/* nine FLD1 then FNSTSW AX */
	LOAD(0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8,
	     0xd9, 0xe8, 0xd9, 0xe8, 0xdf, 0xe0);
	steps(10);
	cr_expect_eq(ax() & 0x3FFF & ~0x3800, FSW_IE | FSW_SF | FSW_C1, "overflow: IE SF C1, sw=%04x", ax());
	cr_expect_eq(st_(0).se, 0xFFFF, "masked: ST0 is the indefinite");
	cr_expect_eq(st_(0).sig, 0xC000000000000000ull);
	cr_expect_eq(c->fpu.valid, 0xFF);
}

Test(x87, underflow_empty_operand)
{
	LOAD(0xd8, 0xc1, 0xdf, 0xe0);   /* fadd st0,st1 on an empty stack ; fnstsw ax */
	steps(2);
	cr_expect_eq(ax() & ~0x3800, FSW_IE | FSW_SF, "underflow: IE SF, C1 = 0 (sw %04x)", ax());
	cr_expect_eq(c->fpu.valid, 1u << 0, "ST0 = R0 written with the indefinite");
}

Test(x87, compares)
{
	/* fld dword [0] (2.0) ; fld dword [4] (1.0) ; fcom st1 ; fnstsw ax ;
	 * fcomi st0,st1 ; fucomip st0,st1 ; fcompp */
	LOAD(0xd9, 0x06, 0x00, 0x00, 0xd9, 0x06, 0x04, 0x00, 0xd8, 0xd1, 0xdf, 0xe0,
	     0xdb, 0xf1, 0xdf, 0xe9, 0xde, 0xd9);
	put32(0, 0x40000000);
	put32(4, 0x3F800000);
	steps(4);
	cr_expect_eq(ax() & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C0, "1 < 2: C0");
	steps(1);
	cr_expect_eq(flags() & (FL_CF | FL_ZF | FL_PF), FL_CF);
	steps(1);
	cr_expect_eq(c->fpu.valid, 1u << 7, "FUCOMIP popped one");
	steps(1);
	cr_expect_eq(c->fpu.valid, 0);
	cr_expect_eq(sw() & FSW_IE, FSW_IE, "FCOMPP of one register underflows");
}

Test(x87, fxam_classes)
{
	LOAD(0xd9, 0xe5, 0xdf, 0xe0, 0xd9, 0xee, 0xd9, 0xe5, 0xdf, 0xe0);
	steps(2);
	cr_expect_eq(ax() & (FSW_C0 | FSW_C2 | FSW_C3), FSW_C3 | FSW_C0, "empty");
	steps(3);
	cr_expect_eq(ax() & (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3), FSW_C3, "+0");
}

Test(x87, constants)
{
	LOAD(0xd9, 0xeb, 0xd9, 0xe9, 0xd9, 0xea, 0xd9, 0xec, 0xd9, 0xed, 0xd9, 0xee, 0xd9, 0xe8);
	steps(7);
	cr_expect_eq(st_(6).sig, 0xC90FDAA22168C235ull, "pi rounded to nearest");
	cr_expect_eq(st_(6).se, 0x4000);
	cr_expect_eq(st_(5).sig, 0xD49A784BCD1B8AFEull, "log2(10)");
	cr_expect_eq(st_(4).sig, 0xB8AA3B295C17F0BCull, "log2(e)");
	cr_expect_eq(st_(3).sig, 0x9A209A84FBCFF799ull, "log10(2)");
	cr_expect_eq(st_(2).sig, 0xB17217F7D1CF79ACull, "ln(2)");
	cr_expect_eq(st_(1).sig, 0);
	cr_expect_eq(st_(0).sig, 0x8000000000000000ull);
	cr_expect_eq(st_(0).se, 0x3FFF);
}

/* FNSTENV/FLDENV and FNSAVE/FRSTOR in the 16-bit real-mode layout. */
Test(x87, env_and_save_real16)
{
	/* fld1 ; fldpi ; fnstenv [40h] ; fninit ; fldenv [40h] ; fnsave [80h] ; frstor [80h] */
	LOAD(0xd9, 0xe8, 0xd9, 0xeb, 0xd9, 0x36, 0x40, 0x00, 0xdb, 0xe3, 0xd9, 0x26, 0x40, 0x00,
	     0xdd, 0x36, 0x80, 0x00, 0xdd, 0x26, 0x80, 0x00);
	steps(3);
	cr_expect_eq(get16(0x40), 0x037F, "CW");
	cr_expect_eq(get16(0x42), 6 << 11, "SW: TOP = 6");
	cr_expect_eq(get16(0x44), 0x0FFF, "TW: R6 R7 valid, the rest empty");
	uint32_t fip = lin(MACHINE_CODE_SEG, 2);
	cr_expect_eq(get16(0x46), fip & 0xFFFF, "FIP[15:0] of FLDPI (linear)");
	cr_expect_eq(get16(0x48), ((fip >> 16) << 12) | 0x1EB, "FIP[19:16], FOP = D9 EB");
	cr_expect_eq(c->fpu.cw, 0x037F | 0x3F, "FNSTENV masks every exception");
	steps(2);
	cr_expect_eq(c->fpu.valid, 0xC0);
	cr_expect_eq(c->fpu.top, 6);
	steps(1);
	cr_expect_eq(get16(0x80 + 14 + 8), 0x4000, "ST0 = pi at offset 14");
	cr_expect_eq(get16(0x80 + 24 + 8), 0x3FFF, "ST1 = 1.0");
	cr_expect_eq(c->fpu.valid, 0, "FNSAVE reinitialises");
	steps(1);
	cr_expect_eq(c->fpu.valid, 0xC0);
	cr_expect_eq(st_(0).sig, 0xC90FDAA22168C235ull);
}

Test(x87, env_save_real32)
{
	/* o32 fnstenv [40h] ; o32 fnsave [80h] ; o32 frstor [80h] */
	LOAD(0x66, 0xd9, 0x36, 0x40, 0x00, 0x66, 0xdd, 0x36, 0x80, 0x00, 0x66, 0xdd, 0x26, 0x80, 0x00);
	c->fpu.r[7] = F80_MAKE(0, 0x3FFF, 0x8000000000000000ull);
	c->fpu.valid = 0x80;
	c->fpu.top = 7;
	steps(1);
	cr_expect_eq(get32(0x40), 0xFFFF037F);
	cr_expect_eq(get32(0x44), 0xFFFF0000 | 7 << 11);
	cr_expect_eq(get32(0x48), 0xFFFF3FFF, "TW: R7 valid (00)");
	steps(2);
	cr_expect_eq(get16(0x80 + 28 + 8), 0x3FFF, "registers from offset 28");
	cr_expect_eq(c->fpu.valid, 0x80);
	cr_expect_eq(c->fpu.top, 7);
}

Test(x87, fxsave_fxrstor)
{
	/* fxsave [100h] ; fninit ; fxrstor [100h] ; fxsave [108h] (misaligned) */
	LOAD(0x0f, 0xae, 0x06, 0x00, 0x01, 0xdb, 0xe3, 0x0f, 0xae, 0x0e, 0x00, 0x01,
	     0x0f, 0xae, 0x06, 0x08, 0x01);
	c->fpu.r[3] = F80_MAKE(1, 0x4001, 0xA000000000000000ull);
	c->fpu.valid = 0x08;
	c->fpu.top = 3;
	c->fpu.cw = 0x027F;
	steps(1);
	cr_expect_eq(get16(0x100), 0x027F);
	cr_expect_eq(get16(0x102), 3 << 11);
	cr_expect_eq(mem8(&m, data_lin(0x104)), 0x08, "abridged tag: R3");
	cr_expect_eq(get16(0x100 + 32 + 8), 0xC001, "ST0 at 32");
	steps(2);
	cr_expect_eq(c->fpu.cw, 0x027F);
	cr_expect_eq(c->fpu.valid, 0x08);
	cr_expect_eq(c->fpu.top, 3);
	cr_expect_eq(st_(0).sig, 0xA000000000000000ull);
	step_expect_vector(EX_GP);
}

/* An unmasked exception is delivered at the next waiting x87 instruction:
 * #MF with CR0.NE = 1. */
Test(x87, pending_exception_mf)
{
	/* fldz ; fld1 ; fdiv st0,st1 (ZE, unmasked) ; fld1 */
	LOAD(0xd9, 0xee, 0xd9, 0xe8, 0xd8, 0xf1, 0xd9, 0xe8);
	c->cr0 |= 0x20;
	c->fpu.cw = 0x037B;   /* ZM clear */
	steps(3);
	cr_expect_eq(sw() & (FSW_ZE | FSW_ES | FSW_B), FSW_ZE | FSW_ES | FSW_B);
	cr_expect_eq(st_(0).se, 0x3FFF, "unmasked ZE: ST0 unchanged");
	cr_expect(c->fpu.ferr);
	step_expect_vector(EX_MF);
}

/* With CR0.NE = 0 the error goes out on FERR# (IRQ13 on a PC) and the
 * next instruction proceeds. */
Test(x87, pending_exception_ferr)
{
	LOAD(0xd9, 0xee, 0xd9, 0xe8, 0xd8, 0xf1, 0xd9, 0xe8);
	c->cr0 &= ~0x20u;
	c->fpu.cw = 0x037B;
	steps(4);
	cr_expect(c->fpu.ferr);
	cr_expect_eq(c->fpu.valid, 0xE0);
}

Test(x87, em_ts)
{
	LOAD(0xd9, 0xe8);   /* fld1 */
	c->cr0 |= 0x4;
	step_expect_vector(EX_NM);
}

Test(x87, wait_mp_ts)
{
	LOAD(0x9b);   /* fwait */
	c->cr0 |= 0xA;
	step_expect_vector(EX_NM);
}

Test(x87, fcmov)
{
	/* fld dword [0] (2) ; fld dword [4] (1) ; cmp ax,bx ; fcmovb st0,st1 ; fcmovnb st0,st1 */
	LOAD(0xd9, 0x06, 0x00, 0x00, 0xd9, 0x06, 0x04, 0x00, 0x39, 0xd8, 0xda, 0xc1, 0xdb, 0xc1);
	put32(0, 0x40000000);
	put32(4, 0x3F800000);
	c->r[R_EAX] = 5;
	c->r[R_EBX] = 7;   /* CF = 1 */
	steps(4);
	cr_expect_eq(st_(0).se, 0x4000, "FCMOVB taken");
	c->fpu.r[c->fpu.top] = F80_MAKE(0, 0x3FFF, 0x8000000000000000ull);
	steps(1);
	cr_expect_eq(st_(0).se, 0x3FFF, "FCMOVNB not taken");
}

Test(x87, sqrt_store_round)
{
	/* fld dword [0] ; fsqrt ; fst qword [8] ; fistp word [16] */
	LOAD(0xd9, 0x06, 0x00, 0x00, 0xd9, 0xfa, 0xdd, 0x16, 0x08, 0x00, 0xdf, 0x1e, 0x10, 0x00);
	put32(0, 0x40000000);
	steps(4);
	cr_expect_eq(get64(8), 0x3FF6A09E667F3BCDull, "sqrt(2) as a double");
	cr_expect_eq(get16(16), 1);
	cr_expect_eq(sw() & FSW_PE, FSW_PE);
}

Test(x87, fxch_ffree_incdec)
{
	/* fld1 ; fldz ; fxch st1 ; ffree st1 ; fincstp ; fdecstp ; fnstsw ax */
	LOAD(0xd9, 0xe8, 0xd9, 0xee, 0xd9, 0xc9, 0xdd, 0xc1, 0xd9, 0xf7, 0xd9, 0xf6, 0xdf, 0xe0);
	steps(3);
	cr_expect_eq(st_(0).se, 0x3FFF);
	cr_expect_eq(st_(1).se, 0);
	steps(1);
	cr_expect_eq(c->fpu.valid, 1u << 6, "ST1 (R7) freed");
	steps(3);
	cr_expect_eq((ax() >> 11) & 7, 6);
}

Test(x87, ldcw_stcw_clex)
{
	/* fldcw [0] ; fnstcw [2] ; fnclex ; fnstsw [4] */
	LOAD(0xd9, 0x2e, 0x00, 0x00, 0xd9, 0x3e, 0x02, 0x00, 0xdb, 0xe2, 0xdd, 0x3e, 0x04, 0x00);
	put16(0, 0x0C00);   /* everything unmasked, RC = chop */
	c->fpu.sw = FSW_PE;
	steps(1);
	cr_expect(c->fpu.sw & FSW_ES, "unmasking a raised flag sets ES");
	steps(1);
	cr_expect_eq(get16(2), 0x0C40, "bit 6 reads as one");
	steps(2);
	cr_expect_eq(get16(4), 0);
	cr_expect(!c->fpu.ferr);
}

Test(x87, no_fpu_on_386)
{
	exec_teardown();
	exec_setup_model("386");
	LOAD(0xd9, 0xe8);
	steps(1);
	cr_expect_eq(c->fpu.valid, 0, "no coprocessor: nothing happens");
}

/* ---- MMX ---- */

Test(mmx, arithmetic_and_aliasing)
{
	/* movq mm0,[0] ; movq mm1,[8] ; paddb mm0,mm1 ; psubusb mm1,[0] ;
	 * pmaddwd mm0,mm1 ; packsswb mm0,mm1 ; punpcklbw mm0,mm1 ; psllq mm0,4 ;
	 * movd eax,mm0 ; movq [10h],mm1 ; emms */
	LOAD(0x0f, 0x6f, 0x06, 0x00, 0x00, 0x0f, 0x6f, 0x0e, 0x08, 0x00, 0x0f, 0xfc, 0xc1, 0x0f, 0xd8,
	     0x0e, 0x00, 0x00, 0x0f, 0xf5, 0xc1, 0x0f, 0x63, 0xc1, 0x0f, 0x60, 0xc1, 0x0f, 0x73, 0xf0,
	     0x04, 0x0f, 0x7e, 0xc0, 0x0f, 0x7f, 0x0e, 0x10, 0x00, 0x0f, 0x77);
	put64(0, 0x80FF7F0102030405ull);
	put64(8, 0x8001810110203040ull);
	c->fpu.top = 5;
	steps(2);
	cr_expect_eq(c->fpu.top, 0, "MMX sets TOP = 0");
	cr_expect_eq(c->fpu.valid, 0xFF, "and tags every register valid");
	cr_expect_eq(c->fpu.r[0].se, 0xFFFF, "a write sets the exponent field to ones");
	steps(1);
	cr_expect_eq(c->fpu.r[0].sig, 0x0000000212233445ull, "PADDB wraps");
	steps(1);
	/* 80-80=0, 01-FF->0, 81-7F=2, 01-01=0, 10-02=0E, 20-03=1D, 30-04=2C, 40-05=3B */
	cr_expect_eq(c->fpu.r[1].sig, 0x000002000E1D2C3Bull, "PSUBUSB saturates at 0");
	steps(1);
	/* words of mm0: 0000 0002 1223 3445; mm1: 0000 0200 0E1D 2C3B */
	uint32_t lo = (uint32_t)(0x1223 * 0x0E1D + 0x3445 * 0x2C3B);
	uint32_t hi = (uint32_t)(0x0000 * 0x0000 + 0x0002 * 0x0200);
	cr_expect_eq(c->fpu.r[0].sig, (uint64_t)hi << 32 | lo, "PMADDWD");
	steps(6);
	cr_expect_eq(get64(0x10), c->fpu.r[1].sig);
	cr_expect_eq(c->r[R_EAX], (uint32_t)c->fpu.r[0].sig);
	cr_expect_eq(c->fpu.valid, 0, "EMMS empties every register");
}

Test(mmx, pack_unpack_shift)
{
	/* packsswb mm0,mm1 ; punpcklbw mm0,mm1 ; psllq mm0,4 */
	LOAD(0x0f, 0x63, 0xc1, 0x0f, 0x60, 0xc1, 0x0f, 0x73, 0xf0, 0x04);
	c->fpu.r[0].sig = 0x7FFF8000007F0080ull;   /* words: 7FFF 8000 007F 0080 */
	c->fpu.r[1].sig = 0xFF80FF7F00010002ull;
	steps(1);
	/* a's words 0080 007F 8000 7FFF → 7F 7F 80 7F; b's 0002 0001 FF7F FF80 → 02 01 80 80 */
	cr_expect_eq(c->fpu.r[0].sig, 0x808001027F807F7Full);
	steps(1);
	cr_expect_eq(c->fpu.r[0].sig, 0x007F0180007F027Full, "PUNPCKLBW");
	steps(1);
	cr_expect_eq(c->fpu.r[0].sig, 0x07F0180007F027F0ull, "PSLLQ by 4");
}

Test(mmx, em_ud_ts_nm)
{
	LOAD(0x0f, 0x77);
	c->cr0 |= 0x4;
	step_expect_vector(EX_UD);
}

Test(mmx, ts_nm)
{
	LOAD(0x0f, 0x77);
	c->cr0 |= 0x8;
	step_expect_vector(EX_NM);
}

Test(mmx, not_on_pentium)
{
	exec_teardown();
	exec_setup_model("pentium");
	LOAD(0x0f, 0x77);
	step_expect_vector(EX_UD);
}

Test(mmx, shift_imm_memory_form_ud)
{
	LOAD(0x0f, 0x71, 0x16, 0x00, 0x00, 0x04);   /* psrlw [0],4: #UD */
	step_expect_vector(EX_UD);
}

/* ---- the P6 MTRRs ---- */

TestSuite(mtrr, .init = exec_setup, .fini = exec_teardown);

static void msr_op(bool write, uint32_t msr, uint64_t v)
{
	if (write)
		LOAD(0x0f, 0x30);
	else
		LOAD(0x0f, 0x32);
	c->r[R_ECX] = msr;
	c->r[R_EAX] = (uint32_t)v;
	c->r[R_EDX] = (uint32_t)(v >> 32);
}

static uint64_t edx_eax(void) { return (uint64_t)c->r[R_EDX] << 32 | c->r[R_EAX]; }

Test(mtrr, cap_and_def_type)
{
	msr_op(false, 0xFE, 0);
	steps(1);
	cr_expect_eq(edx_eax(), 0x508, "8 variable ranges, fixed ranges, WC");
	msr_op(true, 0x2FF, 0xC06);
	steps(1);
	msr_op(false, 0x2FF, 0);
	steps(1);
	cr_expect_eq(edx_eax(), 0xC06);
}

Test(mtrr, variable_and_fixed)
{
	msr_op(true, 0x200, 0xF0000006ull);       /* PhysBase0: F000_0000, WB */
	steps(1);
	msr_op(true, 0x201, 0xFF0000800ull);      /* PhysMask0: 256 MiB, valid */
	steps(1);
	msr_op(true, 0x268, 0x0505050505050505ull);   /* 4K_C0000: WP */
	steps(1);
	msr_op(false, 0x201, 0);
	steps(1);
	cr_expect_eq(edx_eax(), 0xFF0000800ull);
	msr_op(false, 0x268, 0);
	steps(1);
	cr_expect_eq(edx_eax(), 0x0505050505050505ull);
}

Test(mtrr, reserved_type_gp)
{
	msr_op(true, 0x2FF, 0x2);   /* type 2 is reserved */
	step_expect_vector(EX_GP);
}

Test(mtrr, reserved_bits_gp)
{
	msr_op(true, 0x201, 0x1000000000ull);   /* above 36 bits */
	step_expect_vector(EX_GP);
}

Test(mtrr, cap_read_only)
{
	msr_op(true, 0xFE, 0);
	step_expect_vector(EX_GP);
}

Test(mtrr, unknown_msr_gp)
{
	msr_op(false, 0x1B, 0);   /* APIC_BASE: no APIC reported */
	step_expect_vector(EX_GP);
}

Test(mtrr, none_on_pentium)
{
	exec_teardown();
	exec_setup_model("pentium");
	msr_op(false, 0x2FF, 0);
	step_expect_vector(EX_GP);
}

/* ---- more environment layouts and the waiting forms ---- */

/* FNSTENV in the protected-mode layouts: selectors instead of linear
 * pointers, the opcode beside FCS in the 32-bit form. */
Test(x87, env_protected_layouts)
{
	/* fld dword [0] ; fnstenv [40h] ; o32 fnstenv [80h] */
	LOAD(0xd9, 0x06, 0x00, 0x00, 0xd9, 0x36, 0x40, 0x00, 0x66, 0xd9, 0x36, 0x80, 0x00);
	put32(0, 0x3F800000);
	steps(1);
	c->pmode = true;   /* the layout follows CR0.PE (and EFLAGS.VM) */
	steps(2);
	c->pmode = false;
	cr_expect_eq(get16(0x40 + 6), 0, "16-bit: FIP offset");
	cr_expect_eq(get16(0x40 + 8), MACHINE_CODE_SEG, "16-bit: FCS");
	cr_expect_eq(get16(0x40 + 10), 0, "16-bit: FDP offset");
	cr_expect_eq(get16(0x40 + 12), MACHINE_DATA_SEG, "16-bit: FDS");
	cr_expect_eq(get32(0x80 + 12), 0, "32-bit: FIP");
	cr_expect_eq(get32(0x80 + 16), (uint32_t)0x106 << 16 | MACHINE_CODE_SEG, "FOP D9 06 : FCS");
	cr_expect_eq(get16(0x80 + 24), MACHINE_DATA_SEG, "32-bit: FDS");
}

/* FINIT is WAIT + FNINIT: the WAIT delivers a pending exception first;
 * FNINIT alone does not wait. */
Test(x87, finit_waits_fninit_does_not)
{
	LOAD(0x9b, 0xdb, 0xe3);   /* finit */
	c->cr0 |= 0x20;
	c->fpu.sw = FSW_ZE;
	c->fpu.cw = 0x037B;
	x87_update_es(&c->fpu);
	step_expect_vector(EX_MF);
}

Test(x87, fninit_does_not_wait)
{
	LOAD(0xdb, 0xe3);   /* fninit */
	c->cr0 |= 0x20;
	c->fpu.sw = FSW_ZE;
	c->fpu.cw = 0x037B;
	x87_update_es(&c->fpu);
	steps(1);
	cr_expect(!c->fpu.ferr);
	cr_expect_eq(c->fpu.cw, 0x037F);
}

/* MMX instructions take a pending x87 exception too. */
Test(mmx, pending_x87_exception)
{
	LOAD(0x0f, 0xef, 0xc0);   /* pxor mm0,mm0 */
	c->cr0 |= 0x20;
	c->fpu.sw = FSW_IE;
	c->fpu.cw = 0x037E;
	x87_update_es(&c->fpu);
	step_expect_vector(EX_MF);
}

/* A faulting store leaves the x87 as it was (precise exceptions). */
Test(x87, faulting_store_keeps_the_stack)
{
	LOAD(0xd9, 0xe8, 0xdd, 0x1f);   /* fld1 ; fstp qword [bx] with BX = FFFCh */
	c->r[R_EBX] = 0xFFFC;
	steps(1);
	step_expect_vector(EX_GP);
	cr_expect_eq(c->fpu.valid, 0x80, "ST0 still there");
	cr_expect_eq(c->fpu.top, 7);
}
