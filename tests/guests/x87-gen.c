/* x87-gen — writes tests/guests/x87-vectors.inc, the checked-in data of the
 * x87 guest test (x87.asm): one code snippet per x87/MMX operation, a table
 * of them, and test vectors whose expected results and status words come
 * from running the very same snippets on the host's x87 (x86-64 only).
 *
 *   cc -O1 -o x87-gen tests/guests/x87-gen.c && ./x87-gen > tests/guests/x87-vectors.inc
 *
 * A snippet is written once, in GAS Intel syntax against the host's
 * registers (rdi = A, rsi = B, rdx = RES, rcx = SW); the guest's NASM form
 * is derived by text substitution.  On entry ST0 = A and ST1 = B (both also
 * in memory); a snippet runs its operation, stores the status word to SW
 * right after it (before any store can change C1), and leaves its result in
 * RES (10 bytes, zero-filled first). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if !defined(__x86_64__)
int main(void)
{
	fprintf(stderr, "x87-gen needs an x86-64 host (it runs the host's x87)\n");
	return 1;
}
#else

#define STSW "fnstsw word ptr [rcx]\n"
#define ST80 "fstp tbyte ptr [rdx]\n"
#define MMX2(insn) "movq mm0, qword ptr [rdi]\nmovq mm1, qword ptr [rsi]\n" insn "\n" STSW \
	"movq qword ptr [rdx], mm0\nemms\n"

/* name, kind (0 x87 with two operands, 1 MMX), snippet */
#define OPS(X) \
	X(fadd, 0, "fadd st(0), st(1)\n" STSW ST80) \
	X(fsub, 0, "fsub st(0), st(1)\n" STSW ST80) \
	X(fsubr, 0, "fsubr st(0), st(1)\n" STSW ST80) \
	X(fmul, 0, "fmul st(0), st(1)\n" STSW ST80) \
	X(fdiv, 0, "fdiv st(0), st(1)\n" STSW ST80) \
	X(fdivr, 0, "fdivr st(0), st(1)\n" STSW ST80) \
	X(faddp, 0, "faddp st(1), st(0)\n" STSW ST80) \
	X(fsubp, 0, "fsubp st(1), st(0)\n" STSW ST80) \
	X(fdivrp, 0, "fdivrp st(1), st(0)\n" STSW ST80) \
	X(fsqrt, 0, "fsqrt\n" STSW ST80) \
	X(frndint, 0, "frndint\n" STSW ST80) \
	X(fscale, 0, "fscale\n" STSW ST80) \
	X(fprem, 0, "fprem\n" STSW ST80) \
	X(fprem1, 0, "fprem1\n" STSW ST80) \
	X(fxtract, 0, "fxtract\n" STSW ST80) \
	X(fxtract_exp, 0, "fxtract\nfstp st(0)\n" STSW ST80) \
	X(fchs, 0, "fchs\n" STSW ST80) \
	X(fabs, 0, "fabs\n" STSW ST80) \
	X(fcom, 0, "fcom st(1)\n" STSW) \
	X(fucom, 0, "fucom st(1)\n" STSW) \
	X(ftst, 0, "ftst\n" STSW) \
	X(fxam, 0, "fxam\n" STSW) \
	X(fxch, 0, "fxch st(1)\n" STSW ST80) \
	X(fldpi, 0, "fldpi\n" STSW ST80) \
	X(fldl2t, 0, "fldl2t\n" STSW ST80) \
	X(fldl2e, 0, "fldl2e\n" STSW ST80) \
	X(fldlg2, 0, "fldlg2\n" STSW ST80) \
	X(fldln2, 0, "fldln2\n" STSW ST80) \
	X(fst32, 0, "fst dword ptr [rdx]\n" STSW) \
	X(fst64, 0, "fst qword ptr [rdx]\n" STSW) \
	X(fist16, 0, "fist word ptr [rdx]\n" STSW) \
	X(fist32, 0, "fist dword ptr [rdx]\n" STSW) \
	X(fistp64, 0, "fistp qword ptr [rdx]\n" STSW) \
	X(fbstp, 0, "fbstp tbyte ptr [rdx]\n" STSW) \
	X(fld32, 0, "fld dword ptr [rsi]\n" STSW ST80) \
	X(fld64, 0, "fld qword ptr [rsi]\n" STSW ST80) \
	X(fild16, 0, "fild word ptr [rsi]\n" STSW ST80) \
	X(fild32, 0, "fild dword ptr [rsi]\n" STSW ST80) \
	X(fild64, 0, "fild qword ptr [rsi]\n" STSW ST80) \
	X(fadd32, 0, "fadd dword ptr [rsi]\n" STSW ST80) \
	X(fmul64, 0, "fmul qword ptr [rsi]\n" STSW ST80) \
	X(fisub16, 0, "fisub word ptr [rsi]\n" STSW ST80) \
	X(fidivr32, 0, "fidivr dword ptr [rsi]\n" STSW ST80) \
	X(fcom32, 0, "fcom dword ptr [rsi]\n" STSW) \
	X(ficom16, 0, "ficom word ptr [rsi]\n" STSW) \
	X(paddb, 1, MMX2("paddb mm0, mm1")) \
	X(paddw, 1, MMX2("paddw mm0, mm1")) \
	X(paddd, 1, MMX2("paddd mm0, mm1")) \
	X(paddsb, 1, MMX2("paddsb mm0, mm1")) \
	X(paddsw, 1, MMX2("paddsw mm0, mm1")) \
	X(paddusb, 1, MMX2("paddusb mm0, mm1")) \
	X(paddusw, 1, MMX2("paddusw mm0, mm1")) \
	X(psubb, 1, MMX2("psubb mm0, mm1")) \
	X(psubw, 1, MMX2("psubw mm0, mm1")) \
	X(psubd, 1, MMX2("psubd mm0, mm1")) \
	X(psubsb, 1, MMX2("psubsb mm0, mm1")) \
	X(psubsw, 1, MMX2("psubsw mm0, mm1")) \
	X(psubusb, 1, MMX2("psubusb mm0, mm1")) \
	X(psubusw, 1, MMX2("psubusw mm0, mm1")) \
	X(pmullw, 1, MMX2("pmullw mm0, mm1")) \
	X(pmulhw, 1, MMX2("pmulhw mm0, mm1")) \
	X(pmaddwd, 1, MMX2("pmaddwd mm0, mm1")) \
	X(pcmpeqb, 1, MMX2("pcmpeqb mm0, mm1")) \
	X(pcmpeqw, 1, MMX2("pcmpeqw mm0, mm1")) \
	X(pcmpeqd, 1, MMX2("pcmpeqd mm0, mm1")) \
	X(pcmpgtb, 1, MMX2("pcmpgtb mm0, mm1")) \
	X(pcmpgtw, 1, MMX2("pcmpgtw mm0, mm1")) \
	X(pcmpgtd, 1, MMX2("pcmpgtd mm0, mm1")) \
	X(packsswb, 1, MMX2("packsswb mm0, mm1")) \
	X(packssdw, 1, MMX2("packssdw mm0, mm1")) \
	X(packuswb, 1, MMX2("packuswb mm0, mm1")) \
	X(punpcklbw, 1, MMX2("punpcklbw mm0, mm1")) \
	X(punpcklwd, 1, MMX2("punpcklwd mm0, mm1")) \
	X(punpckldq, 1, MMX2("punpckldq mm0, mm1")) \
	X(punpckhbw, 1, MMX2("punpckhbw mm0, mm1")) \
	X(punpckhwd, 1, MMX2("punpckhwd mm0, mm1")) \
	X(punpckhdq, 1, MMX2("punpckhdq mm0, mm1")) \
	X(pand, 1, MMX2("pand mm0, mm1")) \
	X(pandn, 1, MMX2("pandn mm0, mm1")) \
	X(por, 1, MMX2("por mm0, mm1")) \
	X(pxor, 1, MMX2("pxor mm0, mm1")) \
	X(psllw, 1, MMX2("psllw mm0, mm1")) \
	X(pslld, 1, MMX2("pslld mm0, mm1")) \
	X(psllq, 1, MMX2("psllq mm0, mm1")) \
	X(psrlw, 1, MMX2("psrlw mm0, mm1")) \
	X(psrld, 1, MMX2("psrld mm0, mm1")) \
	X(psrlq, 1, MMX2("psrlq mm0, mm1")) \
	X(psraw, 1, MMX2("psraw mm0, mm1")) \
	X(psrad, 1, MMX2("psrad mm0, mm1")) \
	X(psllw_i, 1, MMX2("psllw mm0, 5")) \
	X(psrad_i, 1, MMX2("psrad mm0, 17")) \
	X(psrlq_i, 1, MMX2("psrlq mm0, 33")) \
	X(movd_mem, 1, MMX2("movd dword ptr [rdx+4], mm1")) \
	X(movd_load, 1, MMX2("movd mm0, dword ptr [rsi+2]"))

#define HOSTFN(name, kind, text) \
	static void host_##name(uint8_t *a, uint8_t *b, uint8_t *res, uint16_t *sw) \
	{ \
		__asm__ volatile(".intel_syntax noprefix\n" text ".att_syntax prefix\n" \
		                 : : "D"(a), "S"(b), "d"(res), "c"(sw) : "memory"); \
	}
OPS(HOSTFN)

struct op {
	const char *name;
	int kind;
	const char *text;
	void (*host)(uint8_t *, uint8_t *, uint8_t *, uint16_t *);
};
#define OPENTRY(name, kind, text) { #name, kind, text, host_##name },
static const struct op ops[] = { OPS(OPENTRY) };
#define NOPS (sizeof ops / sizeof *ops)

/* ---- operands ---- */

static uint64_t rs = 0x0123456789ABCDEFull;
static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1Dull;
}
static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

static void put80(uint8_t *p, uint64_t sig, uint16_t se)
{
	memcpy(p, &sig, 8);
	memcpy(p + 8, &se, 2);
}

/* An operand for op: an f80 of some class, or raw bits for loads and MMX. */
static void operand(uint8_t *p, const struct op *o, bool second)
{
	uint64_t sig = rnd() | 1ull << 63;
	uint16_t s = (uint16_t)(rndn(2) << 15);
	if (o->kind == 1 || (second && strncmp(o->name, "fld", 3) == 0) ||
	    (second && strncmp(o->name, "fi", 2) == 0 && strcmp(o->name, "fist16") != 0)) {
		uint64_t v = rnd();
		if (rndn(4) == 0)
			v &= 0x8080808080808080ull | (rnd() & 0x7F7F7F7F7F7F7F7Full);
		if (second && strcmp(o->name, "fld32") == 0 && rndn(4) == 0)
			v = (v & 0x807FFFFFull) | (rndn(2) ? 0x7F800000 : 0);
		put80(p, v, (uint16_t)rnd());
		return;
	}
	if (strcmp(o->name, "fbstp") == 0 || strncmp(o->name, "fist", 4) == 0) {
		put80(p, sig & ~0ull << rndn(40), (uint16_t)(s | (16383 + rndn(66))));
		return;
	}
	switch (rndn(12)) {
	case 0: put80(p, 0, s); return;
	case 1: put80(p, 1ull << 63, (uint16_t)(s | 0x7FFF)); return;
	case 2: put80(p, sig | 1ull << 62, (uint16_t)(s | 0x7FFF)); return;
	case 3: put80(p, (sig & ~(1ull << 62)) | 1, (uint16_t)(s | 0x7FFF)); return;
	case 4: put80(p, sig >> (1 + rndn(63)), s); return;
	case 5: put80(p, sig, (uint16_t)(s | (1 + rndn(0x7FFE)))); return;
	case 6: put80(p, sig & ~0ull << rndn(64), (uint16_t)(s | (16383 - 64 + rndn(128)))); return;
	default: put80(p, sig, (uint16_t)(s | (16383 - 20 + rndn(40)))); return;
	}
}

/* ---- output ---- */

static void print_snippet(const struct op *o)
{
	/* GAS Intel → NASM: drop "ptr", tbyte → tword, host registers → labels. */
	static const char *const from[] = { " ptr", "tbyte", "[rdi]", "[rsi]", "[rdx+4]", "[rsi+2]",
	                                    "[rdx]", "[rcx]", "st(1)", "st(0)" };
	static const char *const to[] = { "", "tword", "[A]", "[B]", "[RES+4]", "[B+2]", "[RES]",
	                                  "[SW]", "st1", "st0" };
	printf("op_%s:\n", o->name);
	const char *t = o->text;
	while (*t) {
		const char *nl = strchr(t, '\n');
		char line[128];
		size_t n = (size_t)(nl - t);
		memcpy(line, t, n);
		line[n] = 0;
		char out[256] = "";
		for (const char *q = line; *q;) {
			size_t k;
			for (k = 0; k < sizeof from / sizeof *from; k++) {
				size_t fl = strlen(from[k]);
				if (!strncmp(q, from[k], fl)) {
					strcat(out, to[k]);
					q += fl;
					break;
				}
			}
			if (k == sizeof from / sizeof *from) {
				size_t l = strlen(out);
				out[l] = *q++;
				out[l + 1] = 0;
			}
		}
		printf("\t%s\n", out);
		t = nl + 1;
	}
	printf("\tret\n");
}

#define VECTORS_PER_OP 6

int main(void)
{
	printf("; Generated by tests/guests/x87-gen.c on an x86-64 host: the expected\n"
	       "; results and status words are the host x87's.  Do not edit.\n\n");
	for (size_t k = 0; k < NOPS; k++)
		print_snippet(&ops[k]);
	printf("\nop_table:\n");
	for (size_t k = 0; k < NOPS; k++)
		printf("\tdw op_%s\t; %zu\n", ops[k].name, k);
	printf("\nop_kind:\n");
	for (size_t k = 0; k < NOPS; k++)
		printf("\tdb %d\n", ops[k].kind);
	static const uint16_t cws[] = { 0x037F, 0x007F, 0x027F, 0x077F, 0x0B7F, 0x0F7F, 0x0E7F };
	unsigned count = 0;
	printf("\nvectors:\t; op, cw, A (10), B (10), RES (10), SW\n");
	for (size_t k = 0; k < NOPS; k++) {
		for (int v = 0; v < VECTORS_PER_OP; v++) {
			const struct op *o = &ops[k];
			uint8_t a[16] = { 0 }, b[16] = { 0 }, res[16] = { 0 };
			uint16_t sw = 0, cw = cws[rndn(sizeof cws / sizeof *cws)];
			operand(a, o, false);
			operand(b, o, true);
			__asm__ volatile("fninit\n\tfldcw %0\n\tfldt %2\n\tfldt %1"
			                 : : "m"(cw), "m"(*(uint8_t(*)[10])a), "m"(*(uint8_t(*)[10])b));
			o->host(a, b, res, &sw);
			__asm__ volatile("fninit\n\temms");
			if (o->kind == 1)
				sw = 0;
			printf("\tdb %zu, 0\n\tdw 0x%04X\n\tdb ", k, cw);
			for (int i = 0; i < 10; i++)
				printf("0x%02X,", a[i]);
			for (int i = 0; i < 10; i++)
				printf("0x%02X,", b[i]);
			for (int i = 0; i < 10; i++)
				printf("0x%02X%s", res[i], i < 9 ? "," : "");
			printf("\n\tdw 0x%04X\t; %s\n", sw & 0x473F, o->name);
			count++;
		}
	}
	printf("vectors_end:\nVECTOR_COUNT equ %u\n", count);
	return 0;
}
#endif
