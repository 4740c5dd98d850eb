/* The x87 instruction layer against the host's x87: random sequences of
 * register-form x87 instructions (D8-DF with mod = 3: arithmetic, compares,
 * FXCH, FLD/FST/FSTP ST(i), FFREE(P), FINCSTP/FDECSTP, FCHS, FABS, FTST,
 * FXAM, the constants, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1,
 * FNCLEX, FNINIT, ...) from random states (registers of every class, empty
 * and full stacks, every RC and PC, all exceptions masked) run on the host
 * and through the interpreter; the control, status and tag words and all
 * eight registers must agree bit for bit afterwards.  This covers what the
 * f80 comparison cannot: TOP, the tag word, stack overflow and underflow,
 * C0-C3 and the order of operands.  The transcendentals are left out (not
 * bit-exact by design) as are FCMOVcc (they read the host's EFLAGS).
 * x86-64 hosts only. */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "exec-common.h"

#ifdef AMBER_LONG_TESTS
#define SEQUENCES 200000
#else
#define SEQUENCES 5000
#endif
#define SEQ_LEN 12

#if defined(__x86_64__)

TestSuite(x87_host, .init = exec_setup, .fini = exec_teardown);

static uint64_t rs = 0x243F6A8885A308D3ull;
static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1Dull;
}
static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

static f80 rand_value(void)
{
	uint64_t sig = rnd() | 1ull << 63;
	uint16_t s = (uint16_t)(rndn(2) << 15);
	switch (rndn(16)) {
	case 0: return (f80){ 0, s };
	case 1: return (f80){ 1ull << 63, (uint16_t)(s | 0x7FFF) };
	case 2: return (f80){ sig | 1ull << 62, (uint16_t)(s | 0x7FFF) };
	case 3: return (f80){ sig & ~(1ull << 62), (uint16_t)(s | 0x7FFF) };
	case 4: return (f80){ sig >> (1 + rndn(63)), s };
	case 5: return (f80){ sig, (uint16_t)(s | rndn(0x7FFF)) };   /* anything, J set */
	case 6: return (f80){ sig & ~0ull << rndn(64), (uint16_t)(s | (16383 + rndn(80))) };
	default: return (f80){ sig & ~0ull << rndn(64), (uint16_t)(s | (16383 - 40 + rndn(100))) };
	}
}

static bool with_fcmov;

/* The register-form opcodes worth running (second byte C0-FF). */
static bool wanted(uint8_t op, uint8_t modrm)
{
	if (op == 0xDA && modrm < 0xE0 && !with_fcmov)   /* FCMOVcc read EFLAGS */
		return false;
	if (op == 0xDB && modrm < 0xE0 && !with_fcmov)
		return false;
	if (op == 0xD9 && modrm >= 0xF0) {   /* keep the exact ones */
		static const uint8_t ok[] = { 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xFA, 0xFC, 0xFD };
		for (unsigned k = 0; k < sizeof ok; k++)
			if (modrm == ok[k])
				return true;
		return false;
	}
	if (op == 0xDF && modrm == 0xE0)   /* FNSTSW AX */
		return false;
	return true;
}

struct op2 { uint8_t b[2]; };
static struct op2 ops[512];
static unsigned nops;

/* Keeps the encodings the interpreter runs without #UD on a Pentium II. */
static void collect_ops(void)
{
	nops = 0;
	for (unsigned op = 0xD8; op <= 0xDF; op++) {
		for (unsigned modrm = 0xC0; modrm <= 0xFF; modrm++) {
			if (!wanted((uint8_t)op, (uint8_t)modrm))
				continue;
			uint8_t code[2] = { (uint8_t)op, (uint8_t)modrm };
			load(code, 2);
			x87_reset(&c->fpu);
			c->last_vector = -1;
			machine_run(&m, 1);
			if (c->last_vector == EX_UD)
				continue;
			ops[nops++] = (struct op2){ { (uint8_t)op, (uint8_t)modrm } };
		}
	}
}

/* The 108-byte FSAVE image (32-bit layout) of a state. */
struct image {
	uint16_t cw, r0, sw, r1, tw, r2;
	uint32_t fip, fcs_fop, fdp, fds;
	uint8_t regs[80];
} __attribute__((packed));

static void image_from(struct image *im, const struct x87 *x)
{
	memset(im, 0, sizeof *im);
	im->cw = x->cw;
	im->sw = x87_get_sw(x);
	im->tw = x87_get_tw(x);
	for (unsigned k = 0; k < 8; k++) {
		f80 v = x->r[(x->top + k) & 7];
		memcpy(im->regs + 10 * k, &v.sig, 8);
		memcpy(im->regs + 10 * k + 8, &v.se, 2);
	}
}

typedef void host_fn(const struct image *in, struct image *out);

static uint8_t *page;

/* Runs the first n instructions of code from state x on the host and in
 * amber; true when the results agree. */
static bool run_both(const struct x87 *x, const uint8_t *code, unsigned n, struct image *want,
                     struct image *got)
{
	struct image in;
	image_from(&in, x);
	/* Host: frstor [rdi] ; sequence ; fnsave [rsi] ; fninit ; ret */
	uint8_t *p = page;
	*p++ = 0xDD; *p++ = 0x27;
	memcpy(p, code, 2 * n);
	p += 2 * n;
	*p++ = 0xDD; *p++ = 0x36;
	*p++ = 0xDB; *p++ = 0xE3;
	*p++ = 0xC3;
	__builtin___clear_cache((char *)page, (char *)p);
	((host_fn *)(void *)page)(&in, want);

	load(code, 2 * n);
	c->fpu = *x;
	c->last_vector = -1;
	machine_run(&m, n);
	cr_assert_eq(c->last_vector, -1, "no exception in the sequence");
	image_from(got, &c->fpu);
	return want->cw == got->cw && want->sw == got->sw && want->tw == got->tw &&
	       !memcmp(want->regs, got->regs, 80);
}

Test(x87_host, random_sequences)
{
	collect_ops();
	cr_log_info("%u register-form encodings", nops);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED, "an executable page for the host sequence");
	unsigned long bad = 0, insns = 0;
	for (int s = 0; s < SEQUENCES; s++) {
		/* A random starting state. */
		struct x87 x;
		x87_reset(&x);
		x.cw = (uint16_t)(0x037F & ~0x0F00) | (uint16_t)(rndn(4) << 10) |
		       (uint16_t)((const uint16_t[]){ 0, 2, 3 }[rndn(3)] << 8);
		x.top = (uint8_t)rndn(8);
		x.valid = (uint8_t)(rndn(4) == 0 ? 0xFF : rndn(4) == 0 ? 0 : rnd());
		for (unsigned k = 0; k < 8; k++)
			x.r[k] = rand_value();
		struct image in, want, got;
		image_from(&in, &x);

		uint8_t code[2 * SEQ_LEN];
		for (unsigned k = 0; k < SEQ_LEN; k++)
			memcpy(code + 2 * k, ops[rndn(nops)].b, 2);
		bool same = run_both(&x, code, SEQ_LEN, &want, &got);
		insns += SEQ_LEN;
		if (!same && bad < 8) {
			/* Report the shortest prefix that disagrees. */
			for (unsigned n = 1; n <= SEQ_LEN; n++) {
				if (!run_both(&x, code, n, &want, &got)) {
					cr_log_error("first disagreement at instruction %u: %02x %02x", n,
					             code[2 * n - 2], code[2 * n - 1]);
					break;
				}
			}
		}
		if (!same && bad++ < 8) {
			char h[3 * sizeof code + 1];
			for (unsigned k = 0; k < sizeof code; k++)
				sprintf(h + 3 * k, "%02x ", code[k]);
			cr_log_error("sequence %s: cw %04x/%04x sw %04x/%04x tw %04x/%04x (host/amber)",
			             h, want.cw, got.cw, want.sw, got.sw, want.tw, got.tw);
			cr_log_error("  start: cw %04x sw %04x tw %04x", in.cw, in.sw, in.tw);
			for (unsigned k = 0; k < 8; k++) {
				uint64_t a, b, i0;
				uint16_t ae, be, ie;
				memcpy(&a, want.regs + 10 * k, 8);
				memcpy(&ae, want.regs + 10 * k + 8, 2);
				memcpy(&b, got.regs + 10 * k, 8);
				memcpy(&be, got.regs + 10 * k + 8, 2);
				memcpy(&i0, in.regs + 10 * k, 8);
				memcpy(&ie, in.regs + 10 * k + 8, 2);
				cr_log_error("  st%u: in %04x:%016llx host %04x:%016llx amber %04x:%016llx%s", k,
				             ie, (unsigned long long)i0, ae, (unsigned long long)a, be,
				             (unsigned long long)b, (a != b || ae != be) ? "  <--" : "");
			}
		}
	}
	munmap(page, 4096);
	printf("x87 sequences vs host: %d sequences, %lu instructions, %lu disagree\n",
	       SEQUENCES, insns, bad);
	cr_expect_eq(bad, 0, "%lu of %d sequences disagree with the host x87", bad, SEQUENCES);
}

/* ---- memory forms ----
 * The same with memory operands: every load, store and memory-operand
 * arithmetic form (m16/m32/m64 integers, m32/m64/m80 reals, FBSTP,
 * FNSTSW/FNSTCW m16) on a 64-byte buffer of random bytes, addressed as
 * [rbx+disp8] on the host and [bx+disp8] in 16-bit guest code; the x87
 * state and the buffer must agree afterwards.  Left out: the environment
 * images (their layout depends on the mode), FLDCW (it could unmask an
 * exception on the host), FISTTP (SSE3).  FBLD runs on random bytes: even
 * invalid digits give the host's value. */

static bool mem_wanted(unsigned op, unsigned reg)
{
	switch (op) {
	case 0xD9: return reg == 0 || reg == 2 || reg == 3 || reg == 7;
	case 0xDB: return reg == 0 || reg == 2 || reg == 3 || reg == 5 || reg == 7;
	case 0xDD: return reg == 0 || reg == 2 || reg == 3 || reg == 7;
	case 0xDF: return reg != 1;
	default: return true;   /* D8 DA DC DE: arithmetic and compares */
	}
}

#define BUF 64

typedef void host_mem_fn(const struct image *in, struct image *out, uint8_t *buf);

Test(x87_host, memory_forms)
{
	collect_ops();
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	unsigned long bad = 0, insns = 0;
	for (int s = 0; s < SEQUENCES; s++) {
		struct x87 x;
		x87_reset(&x);
		x.cw = (uint16_t)(0x037F & ~0x0F00) | (uint16_t)(rndn(4) << 10) |
		       (uint16_t)((const uint16_t[]){ 0, 2, 3 }[rndn(3)] << 8);
		x.top = (uint8_t)rndn(8);
		x.valid = (uint8_t)(rndn(4) == 0 ? 0xFF : rndn(4) == 0 ? 0 : rnd());
		for (unsigned k = 0; k < 8; k++)
			x.r[k] = rand_value();
		uint8_t buf[BUF], hbuf[BUF];
		for (unsigned k = 0; k < BUF; k += 10) {
			f80 v = rand_value();
			uint8_t t[10];
			memcpy(t, &v.sig, 8);
			memcpy(t + 8, &v.se, 2);
			memcpy(buf + k, t, k + 10 <= BUF ? 10 : BUF - k);
		}
		for (unsigned k = 0; k < BUF; k++)
			if (rndn(8) == 0)
				buf[k] = (uint8_t)rnd();
		memcpy(hbuf, buf, BUF);

		/* A sequence of 3-byte memory forms and 2-byte register forms. */
		uint8_t hcode[3 * SEQ_LEN], gcode[3 * SEQ_LEN];
		unsigned hn = 0, gn = 0, n = 0;
		while (n < SEQ_LEN) {
			if (rndn(2)) {
				memcpy(hcode + hn, ops[rndn(nops)].b, 2);
				memcpy(gcode + gn, hcode + hn, 2);
				hn += 2;
				gn += 2;
			} else {
				unsigned op = 0xD8 + rndn(8), reg = rndn(8);
				if (!mem_wanted(op, reg))
					continue;
				uint8_t disp = (uint8_t)rndn(BUF - 10 + 1);
				hcode[hn++] = (uint8_t)op;
				hcode[hn++] = (uint8_t)(0x40 | reg << 3 | 3);   /* [rbx+disp8] */
				hcode[hn++] = disp;
				gcode[gn++] = (uint8_t)op;
				gcode[gn++] = (uint8_t)(0x40 | reg << 3 | 7);   /* [bx+disp8] */
				gcode[gn++] = disp;
			}
			n++;
		}
		struct image in, want, got;
		image_from(&in, &x);
		uint8_t *p = page;
		*p++ = 0x53;                                /* push rbx */
		*p++ = 0x48; *p++ = 0x89; *p++ = 0xD3;      /* mov rbx, rdx */
		*p++ = 0xDD; *p++ = 0x27;                   /* frstor [rdi] */
		memcpy(p, hcode, hn);
		p += hn;
		*p++ = 0xDD; *p++ = 0x36;                   /* fnsave [rsi] */
		*p++ = 0xDB; *p++ = 0xE3;                   /* fninit */
		*p++ = 0x5B;                                /* pop rbx */
		*p++ = 0xC3;
		__builtin___clear_cache((char *)page, (char *)p);
		((host_mem_fn *)(void *)page)(&in, &want, hbuf);

		load(gcode, gn);
		mem_write(&m, data_lin(0x100), buf, BUF);
		c->r[R_EBX] = 0x100;
		c->fpu = x;
		c->last_vector = -1;
		machine_run(&m, SEQ_LEN);
		cr_assert_eq(c->last_vector, -1, "no exception in the sequence");
		image_from(&got, &c->fpu);
		uint8_t gbuf[BUF];
		for (unsigned k = 0; k < BUF; k++)
			gbuf[k] = mem8(&m, data_lin(0x100 + k));
		insns += SEQ_LEN;
		bool same = want.cw == got.cw && want.sw == got.sw && want.tw == got.tw &&
		            !memcmp(want.regs, got.regs, 80) && !memcmp(hbuf, gbuf, BUF);
		if (!same && bad++ < 6) {
			char h[3 * sizeof gcode + 1] = "";
			for (unsigned k = 0; k < gn; k++)
				sprintf(h + 3 * k, "%02x ", gcode[k]);
			cr_log_error("sequence %s: cw %04x/%04x sw %04x/%04x tw %04x/%04x (host/amber)%s",
			             h, want.cw, got.cw, want.sw, got.sw, want.tw, got.tw,
			             memcmp(hbuf, gbuf, BUF) ? " memory differs" : "");
			for (unsigned k = 0; k < BUF; k++)
				if (hbuf[k] != gbuf[k])
					cr_log_error("  buf[%u]: in %02x host %02x amber %02x", k, buf[k], hbuf[k],
					             gbuf[k]);
			for (unsigned k = 0; k < 8; k++)
				if (memcmp(want.regs + 10 * k, got.regs + 10 * k, 10)) {
					uint64_t a, b;
					uint16_t ae, be;
					memcpy(&a, want.regs + 10 * k, 8);
					memcpy(&ae, want.regs + 10 * k + 8, 2);
					memcpy(&b, got.regs + 10 * k, 8);
					memcpy(&be, got.regs + 10 * k + 8, 2);
					cr_log_error("  st%u: host %04x:%016llx amber %04x:%016llx", k, ae,
					             (unsigned long long)a, be, (unsigned long long)b);
				}
		}
	}
	munmap(page, 4096);
	printf("x87 memory-form sequences vs host: %d sequences, %lu instructions, %lu disagree\n",
	       SEQUENCES, insns, bad);
	cr_expect_eq(bad, 0, "%lu of %d sequences disagree with the host x87", bad, SEQUENCES);
}

/* ---- unmasked exceptions ----
 * One instruction (register or memory form) from a random state with a
 * random set of exceptions unmasked: what an unmasked IE, DE, ZE, OE, UE
 * or PE does to the destination, the stack and the status word (ES, B),
 * against the host.  One instruction only: the host would take the
 * pending exception at the next waiting one (FNSAVE does not wait). */
Test(x87_host, unmasked_single)
{
	collect_ops();
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	unsigned long bad = 0, cases = 0;
	for (int s = 0; s < 8 * SEQUENCES; s++) {
		struct x87 x;
		x87_reset(&x);
		x.cw = (uint16_t)((rnd() & 0x3F) | 0x40 | rndn(4) << 10 |
		                  (const uint16_t[]){ 0, 2, 3 }[rndn(3)] << 8);
		x.top = (uint8_t)rndn(8);
		x.valid = (uint8_t)(rndn(4) == 0 ? 0xFF : rndn(4) == 0 ? 0 : rnd());
		for (unsigned k = 0; k < 8; k++)
			x.r[k] = rand_value();
		uint8_t buf[BUF], hbuf[BUF];
		for (unsigned k = 0; k < BUF; k += 10) {
			f80 v = rand_value();
			uint8_t t[10];
			memcpy(t, &v.sig, 8);
			memcpy(t + 8, &v.se, 2);
			memcpy(buf + k, t, k + 10 <= BUF ? 10 : BUF - k);
		}
		memcpy(hbuf, buf, BUF);
		uint8_t hcode[3], gcode[3];
		unsigned len;
		if (rndn(2)) {
			memcpy(hcode, ops[rndn(nops)].b, 2);
			memcpy(gcode, hcode, 2);
			len = 2;
		} else {
			unsigned op, reg;
			do {
				op = 0xD8 + rndn(8);
				reg = rndn(8);
			} while (!mem_wanted(op, reg));
			uint8_t disp = (uint8_t)rndn(BUF - 10 + 1);
			hcode[0] = gcode[0] = (uint8_t)op;
			hcode[1] = (uint8_t)(0x40 | reg << 3 | 3);
			gcode[1] = (uint8_t)(0x40 | reg << 3 | 7);
			hcode[2] = gcode[2] = disp;
			len = 3;
		}
		struct image in, want, got;
		image_from(&in, &x);
		uint8_t *p = page;
		*p++ = 0x53;
		*p++ = 0x48; *p++ = 0x89; *p++ = 0xD3;
		*p++ = 0xDD; *p++ = 0x27;
		memcpy(p, hcode, len);
		p += len;
		*p++ = 0xDD; *p++ = 0x36;
		*p++ = 0xDB; *p++ = 0xE3;
		*p++ = 0x5B;
		*p++ = 0xC3;
		__builtin___clear_cache((char *)page, (char *)p);
		((host_mem_fn *)(void *)page)(&in, &want, hbuf);

		load(gcode, len);
		mem_write(&m, data_lin(0x100), buf, BUF);
		c->r[R_EBX] = 0x100;
		c->cr0 |= 0x20;   /* NE: nothing is delivered before the next x87 instruction */
		c->fpu = x;
		c->last_vector = -1;
		machine_run(&m, 1);
		cr_assert_eq(c->last_vector, -1, "no exception");
		image_from(&got, &c->fpu);
		uint8_t gbuf[BUF];
		for (unsigned k = 0; k < BUF; k++)
			gbuf[k] = mem8(&m, data_lin(0x100 + k));
		cases++;
		bool same = want.cw == got.cw && want.sw == got.sw && want.tw == got.tw &&
		            !memcmp(want.regs, got.regs, 80) && !memcmp(hbuf, gbuf, BUF);
		if (!same && bad++ < 10) {
			cr_log_error("insn %02x %02x %02x: cw %04x sw %04x/%04x tw %04x/%04x (host/amber)%s",
			             gcode[0], gcode[1], len == 3 ? gcode[2] : 0, want.cw, want.sw, got.sw,
			             want.tw, got.tw, memcmp(hbuf, gbuf, BUF) ? " memory differs" : "");
			for (unsigned k = 0; k < 8; k++) {
				uint64_t a, b, i0;
				uint16_t ae, be, ie;
				memcpy(&a, want.regs + 10 * k, 8);
				memcpy(&ae, want.regs + 10 * k + 8, 2);
				memcpy(&b, got.regs + 10 * k, 8);
				memcpy(&be, got.regs + 10 * k + 8, 2);
				memcpy(&i0, in.regs + 10 * k, 8);
				memcpy(&ie, in.regs + 10 * k + 8, 2);
				if (a != b || ae != be || k < 2)
					cr_log_error("  st%u: in %04x:%016llx host %04x:%016llx amber %04x:%016llx", k,
					             ie, (unsigned long long)i0, ae, (unsigned long long)a, be,
					             (unsigned long long)b);
			}
		}
	}
	munmap(page, 4096);
	printf("x87 single instructions with unmasked exceptions vs host: %lu cases, %lu disagree\n",
	       cases, bad);
	cr_expect_eq(bad, 0, "%lu of %lu cases disagree with the host x87", bad, cases);
}

/* ---- EFLAGS: FCMOVcc and FCOMI/FUCOMI(P) ----
 * Register-form sequences including FCMOVcc, from random arithmetic flags;
 * the x87 state and the arithmetic flags must agree afterwards. */
typedef void host_fl_fn(const struct image *in, struct image *out, uint32_t *flags);

Test(x87_host, eflags_fcmov_fcomi)
{
	with_fcmov = true;
	collect_ops();
	with_fcmov = false;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	unsigned long bad = 0;
	for (int s = 0; s < SEQUENCES; s++) {
		struct x87 x;
		x87_reset(&x);
		x.cw = (uint16_t)(0x037F & ~0x0F00) | (uint16_t)(rndn(4) << 10) |
		       (uint16_t)((const uint16_t[]){ 0, 2, 3 }[rndn(3)] << 8);
		x.top = (uint8_t)rndn(8);
		x.valid = (uint8_t)(rndn(4) == 0 ? 0xFF : rndn(4) == 0 ? 0 : rnd());
		for (unsigned k = 0; k < 8; k++)
			x.r[k] = rand_value();
		uint32_t fl_in = (uint32_t)rnd() & FL_ARITH, fl_host = 0;
		uint8_t code[2 * SEQ_LEN];
		for (unsigned k = 0; k < SEQ_LEN; k++)
			memcpy(code + 2 * k, ops[rndn(nops)].b, 2);
		struct image in, want, got;
		image_from(&in, &x);
		uint8_t *p = page;
		*p++ = 0x68;                                   /* push imm32 */
		memcpy(p, &fl_in, 4);
		p += 4;
		*p++ = 0x9D;                                   /* popfq */
		*p++ = 0xDD; *p++ = 0x27;                      /* frstor [rdi] */
		memcpy(p, code, sizeof code);
		p += sizeof code;
		*p++ = 0xDD; *p++ = 0x36;                      /* fnsave [rsi] */
		*p++ = 0x9C;                                   /* pushfq */
		*p++ = 0x58;                                   /* pop rax */
		*p++ = 0x89; *p++ = 0x02;                      /* mov [rdx], eax */
		*p++ = 0xDB; *p++ = 0xE3;                      /* fninit */
		*p++ = 0xC3;
		__builtin___clear_cache((char *)page, (char *)p);
		((host_fl_fn *)(void *)page)(&in, &want, &fl_host);

		load(code, sizeof code);
		c->fpu = x;
		cpu_set_flags(c, (cpu_get_flags(c) & ~(uint32_t)FL_ARITH) | fl_in);
		c->last_vector = -1;
		machine_run(&m, SEQ_LEN);
		cr_assert_eq(c->last_vector, -1, "no exception in the sequence");
		image_from(&got, &c->fpu);
		uint32_t fl_got = cpu_get_flags(c) & FL_ARITH;
		fl_host &= FL_ARITH;
		bool same = want.cw == got.cw && want.sw == got.sw && want.tw == got.tw &&
		            !memcmp(want.regs, got.regs, 80) && fl_host == fl_got;
		if (!same && bad++ < 6) {
			char h[3 * sizeof code + 1];
			for (unsigned k = 0; k < sizeof code; k++)
				sprintf(h + 3 * k, "%02x ", code[k]);
			cr_log_error("sequence %s: flags %03x -> %03x/%03x sw %04x/%04x tw %04x/%04x%s", h,
			             fl_in, fl_host, fl_got, want.sw, got.sw, want.tw, got.tw,
			             memcmp(want.regs, got.regs, 80) ? " registers differ" : "");
		}
	}
	munmap(page, 4096);
	printf("x87 sequences with FCMOVcc/FCOMI and EFLAGS vs host: %d sequences, %lu disagree\n",
	       SEQUENCES, bad);
	cr_expect_eq(bad, 0, "%lu of %d sequences disagree with the host x87", bad, SEQUENCES);
}

/* ---- which encodings exist ----
 * Every register-form D8-DF encoding: #UD in amber (Pentium II) exactly
 * where the host raises SIGILL. */
static sigjmp_buf ill_jmp;
static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(ill_jmp, 1);
}

Test(x87_host, undefined_encodings)
{
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	struct sigaction sa = { 0 }, old;
	sa.sa_handler = on_sigill;
	sigaction(SIGILL, &sa, &old);
	unsigned bad = 0, undefined = 0;
	for (unsigned op = 0xD8; op <= 0xDF; op++) {
		for (unsigned modrm = 0xC0; modrm <= 0xFF; modrm++) {
			/* fninit ; fldz ; fldz ; the instruction ; fninit ; ret */
			const uint8_t code[] = { 0xDB, 0xE3, 0xD9, 0xEE, 0xD9, 0xEE, (uint8_t)op,
			                         (uint8_t)modrm, 0xDB, 0xE3, 0xC3 };
			memcpy(page, code, sizeof code);
			__builtin___clear_cache((char *)page, (char *)page + sizeof code);
			volatile bool host_ud = false;
			if (sigsetjmp(ill_jmp, 1))
				host_ud = true;
			else
				((void (*)(void))(void *)page)();
			uint8_t g[2] = { (uint8_t)op, (uint8_t)modrm };
			load(g, 2);
			x87_reset(&c->fpu);
			c->last_vector = -1;
			machine_run(&m, 1);
			bool amber_ud = c->last_vector == EX_UD;
			undefined += host_ud;
			if (host_ud != amber_ud && bad++ < 10)
				cr_log_error("%02x %02x: host %s, amber %s", op, modrm, host_ud ? "#UD" : "runs",
				             amber_ud ? "#UD" : "runs");
		}
	}
	sigaction(SIGILL, &old, NULL);
	munmap(page, 4096);
	printf("x87 register-form encodings: 512, %u undefined on the host, %u disagree\n",
	       undefined, bad);
	cr_expect_eq(bad, 0);
}

/* ---- MMX ----
 * Random sequences of every MMX instruction (register and [rbx+disp8] /
 * [bx+disp8] memory forms, the shift groups with random counts, MOVD and
 * MOVQ both ways, EMMS) from random register contents; the eight
 * registers (as the FSAVE image shows them: significand and exponent
 * field), the tag word, TOP and the buffer must agree with the host. */
static const uint8_t mmx_ops[] = {
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6F,
	0x74, 0x75, 0x76, 0xD1, 0xD2, 0xD3, 0xD5, 0xD8, 0xD9, 0xDB, 0xDC, 0xDD, 0xDF,
	0xE1, 0xE2, 0xE5, 0xE8, 0xE9, 0xEB, 0xEC, 0xED, 0xEF, 0xF1, 0xF2, 0xF3, 0xF5,
	0xF8, 0xF9, 0xFA, 0xFC, 0xFD, 0xFE,
};

Test(x87_host, mmx_sequences)
{
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	unsigned long bad = 0;
	for (int s = 0; s < SEQUENCES; s++) {
		struct x87 x;
		x87_reset(&x);
		x.top = (uint8_t)rndn(8);
		x.valid = (uint8_t)rnd();
		for (unsigned k = 0; k < 8; k++) {
			x.r[k] = rand_value();
			if (rndn(2))
				x.r[k].sig = rnd() & (rndn(2) ? 0x8080808080808080ull | (rnd() >> 1) : ~0ull);
		}
		uint8_t buf[BUF], hbuf[BUF];
		for (unsigned k = 0; k < BUF; k++)
			buf[k] = (uint8_t)(rndn(4) ? rnd() : rndn(2) ? 0x80 : 0x7F);
		memcpy(hbuf, buf, BUF);
		uint8_t hcode[5 * SEQ_LEN], gcode[5 * SEQ_LEN];
		unsigned hn = 0, gn = 0;
		for (unsigned n = 0; n < SEQ_LEN; n++) {
			unsigned kind = rndn(16), reg = rndn(8), rm = rndn(8);
			uint8_t disp = (uint8_t)rndn(BUF - 8 + 1);
			hcode[hn++] = gcode[gn++] = 0x0F;
			if (kind == 0) {   /* shift group by Ib */
				static const uint8_t grp[] = { 0x71, 0x72, 0x73 };
				unsigned g = rndn(3), r;
				do
					r = (const uint8_t[]){ 2, 4, 6 }[rndn(3)];
				while (g == 2 && r == 4);
				hcode[hn++] = gcode[gn++] = grp[g];
				hcode[hn++] = gcode[gn++] = (uint8_t)(0xC0 | r << 3 | rm);
				hcode[hn++] = gcode[gn++] = (uint8_t)(rndn(4) ? rndn(20) : rnd());
				continue;
			}
			uint8_t op;
			if (kind == 1)
				op = 0x77;   /* EMMS */
			else if (kind == 2)
				op = rndn(2) ? 0x6E : 0x7E;   /* MOVD, memory forms */
			else if (kind == 3)
				op = 0x7F;
			else
				op = mmx_ops[rndn(sizeof mmx_ops)];
			hcode[hn++] = gcode[gn++] = op;
			if (op == 0x77)
				continue;
			if (op == 0x6E || op == 0x7E || rndn(3) == 0) {
				hcode[hn++] = (uint8_t)(0x40 | reg << 3 | 3);
				gcode[gn++] = (uint8_t)(0x40 | reg << 3 | 7);
				hcode[hn++] = gcode[gn++] = disp;
			} else {
				hcode[hn++] = gcode[gn++] = (uint8_t)(0xC0 | reg << 3 | rm);
			}
		}
		struct image in, want, got;
		image_from(&in, &x);
		uint8_t *p = page;
		*p++ = 0x53;
		*p++ = 0x48; *p++ = 0x89; *p++ = 0xD3;
		*p++ = 0xDD; *p++ = 0x27;
		memcpy(p, hcode, hn);
		p += hn;
		*p++ = 0xDD; *p++ = 0x36;
		*p++ = 0xDB; *p++ = 0xE3;
		*p++ = 0x5B;
		*p++ = 0xC3;
		__builtin___clear_cache((char *)page, (char *)p);
		((host_mem_fn *)(void *)page)(&in, &want, hbuf);

		load(gcode, gn);
		mem_write(&m, data_lin(0x100), buf, BUF);
		c->r[R_EBX] = 0x100;
		c->fpu = x;
		c->last_vector = -1;
		machine_run(&m, SEQ_LEN);
		cr_assert_eq(c->last_vector, -1, "no exception in the sequence");
		image_from(&got, &c->fpu);
		uint8_t gbuf[BUF];
		for (unsigned k = 0; k < BUF; k++)
			gbuf[k] = mem8(&m, data_lin(0x100 + k));
		bool same = want.sw == got.sw && want.tw == got.tw && !memcmp(want.regs, got.regs, 80) &&
		            !memcmp(hbuf, gbuf, BUF);
		if (!same && bad++ < 6) {
			char h[3 * sizeof gcode + 1] = "";
			for (unsigned k = 0; k < gn; k++)
				sprintf(h + 3 * k, "%02x ", gcode[k]);
			cr_log_error("sequence %s: sw %04x/%04x tw %04x/%04x%s%s", h, want.sw, got.sw, want.tw,
			             got.tw, memcmp(want.regs, got.regs, 80) ? " registers differ" : "",
			             memcmp(hbuf, gbuf, BUF) ? " memory differs" : "");
		}
	}
	munmap(page, 4096);
	printf("MMX sequences vs host: %d sequences of %d instructions, %lu disagree\n", SEQUENCES,
	       SEQ_LEN, bad);
	cr_expect_eq(bad, 0, "%lu of %d sequences disagree with the host", bad, SEQUENCES);
}

/* ---- FXSAVE / FXRSTOR ----
 * FXSAVE of random states: FCW, FSW, the abridged tag byte and the eight
 * registers as the host writes them; then the image amber wrote, through
 * the host's FXRSTOR and amber's, must give the same state. */
Test(x87_host, fxsave_fxrstor)
{
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	static uint8_t hsave[512] __attribute__((aligned(16)));
	unsigned long bad = 0;
	for (int s = 0; s < SEQUENCES; s++) {
		struct x87 x;
		x87_reset(&x);
		x.cw = (uint16_t)(0x0040 | (rnd() & 0x0F3F));
		x.sw = (uint16_t)(rnd() & 0x473F);
		x87_update_es(&x);
		x.top = (uint8_t)rndn(8);
		x.valid = (uint8_t)rnd();
		for (unsigned k = 0; k < 8; k++)
			x.r[k] = rand_value();
		struct image in, want, got;
		image_from(&in, &x);
		/* host: frstor [rdi] ; fxsave [rdx] ; fninit ; ret */
		uint8_t *p = page;
		*p++ = 0xDD; *p++ = 0x27;
		*p++ = 0x0F; *p++ = 0xAE; *p++ = 0x02;
		*p++ = 0xDB; *p++ = 0xE3;
		*p++ = 0xC3;
		__builtin___clear_cache((char *)page, (char *)p);
		memset(hsave, 0, sizeof hsave);
		((host_mem_fn *)(void *)page)(&in, &want, hsave);

		/* amber: fxsave [bx] ; fninit ; fxrstor [bx] */
		LOAD(0x0f, 0xae, 0x07, 0xdb, 0xe3, 0x0f, 0xae, 0x0f);
		for (unsigned k = 0; k < 512; k += 4)
			mmu_write32(&m.mmu, data_lin(0x100 + k), 0);
		c->r[R_EBX] = 0x100;
		c->fpu = x;
		c->last_vector = -1;
		machine_run(&m, 1);
		uint8_t asave[512];
		for (unsigned k = 0; k < 512; k++)
			asave[k] = mem8(&m, data_lin(0x100 + k));
		bool same = !memcmp(hsave, asave, 6);
		for (unsigned k = 0; k < 8; k++)
			same = same && !memcmp(hsave + 32 + 16 * k, asave + 32 + 16 * k, 10);
		if (!same && bad++ < 6)
			cr_log_error("fxsave: fcw %02x%02x/%02x%02x fsw %02x%02x/%02x%02x ftw %02x/%02x", hsave[1],
			             hsave[0], asave[1], asave[0], hsave[3], hsave[2], asave[3], asave[2],
			             hsave[4], asave[4]);

		/* host: fxrstor [rdx] ; fnsave [rsi] ; fninit ; ret, with amber's image */
		p = page;
		*p++ = 0x0F; *p++ = 0xAE; *p++ = 0x0A;
		*p++ = 0xDD; *p++ = 0x36;
		*p++ = 0xDB; *p++ = 0xE3;
		*p++ = 0xC3;
		__builtin___clear_cache((char *)page, (char *)p);
		memcpy(hsave, asave, 512);
		memset(hsave + 24, 0, 8);   /* MXCSR: amber has no SSE and writes none */
		hsave[24] = 0x80;
		hsave[25] = 0x1F;
		((host_mem_fn *)(void *)page)(&in, &want, hsave);
		machine_run(&m, 2);
		cr_assert_eq(c->last_vector, -1);
		image_from(&got, &c->fpu);
		if ((want.cw != got.cw || want.sw != got.sw || want.tw != got.tw ||
		     memcmp(want.regs, got.regs, 80)) && bad++ < 6)
			cr_log_error("fxrstor: cw %04x/%04x sw %04x/%04x tw %04x/%04x", want.cw, got.cw,
			             want.sw, got.sw, want.tw, got.tw);
	}
	munmap(page, 4096);
	printf("FXSAVE/FXRSTOR vs host: %d states, %lu disagree\n", SEQUENCES, bad);
	cr_expect_eq(bad, 0);
}

#else

Test(x87_host, skipped)
{
	cr_skip_test("the host-x87 comparison needs an x86-64 host");
}

#endif
