/* The decoder against Capstone: instruction lengths of random byte
 * sequences in 16-bit and 32-bit mode (an i686, GEN_686, 15-byte limit).
 *
 * A sequence is compared when Capstone decodes it and amber decodes it to
 * an instruction it executes (not the #UD entry: opdef_ud or a table entry
 * whose handler is exec_ud, which covers the SSE/MMX rows amber sizes but
 * does not run yet, and C4/C5 with mod == 3, which an i686 reads as LES/LDS
 * with a register operand, #UD, and an AVX CPU as a VEX prefix).
 *
 * Where Capstone 4 reads the bytes differently from the Intel SDM, the
 * class is listed in cs_quirks[] below with the SDM's reading, and skipped
 * explicitly.  Every other disagreement fails the test.
 *
 * The sequences skipped as amber #UD that Capstone decodes were audited
 * (every opcode x ModR/M, with and without LOCK) and are #UD on a Pentium II
 * per the SDM: SSE, SSE2, SSSE3 and the SSE integer additions to MMX
 * (PSHUFW PINSRW PEXTRW PMOVMSKB PMINUB PAVGB PSADBW MOVNTQ MASKMOVQ ...:
 * CPUID.1:EDX.SSE = 0); AMD's SYSCALL SYSRET FEMMS PREFETCHW (0F 05 07 0E
 * 0D); VMX/SMX (0F 01 C1.., 0F 78/79, 0F 37); VIA PadLock (0F A6/A7); RSM
 * outside SMM (0F AA); UD0 UD1 UD2; TSX XABORT/XBEGIN (C6/C7 F8); C4/C5 with
 * mod = 3; LOCK on a register destination or a non-lockable instruction
 * (Capstone accepts F0 02 00 "lock add al,[eax]"; SDM Vol 2 LOCK: #UD).
 *
 * Three streams per mode, each from a fixed seed (deterministic):
 *   - uniform: 15 random bytes, until 1,000,000 sequences were compared
 *     (10,000,000 with -Dlong_tests=true);
 *   - prefixed: up to four prefixes (66 67 F0 F2 F3 and segments) and the
 *     0F escape half the time, so the two-byte map and the prefix rules get
 *     the attention the uniform stream gives the one-byte map;
 *   - sweep: every opcode of both maps under every subset of
 *     {66, 67, F2, F3, F0}, with random ModR/M, SIB, displacement and
 *     immediate bytes. */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "exec.h"
#include "machine.h"

#ifdef AMBER_LONG_TESTS
#define UNIFORM_TARGET 10000000L
#else
#define UNIFORM_TARGET 1000000L
#endif
#define PREFIXED_TARGET 200000L
#define SWEEP_SAMPLES 24

static uint64_t rng_state;

/* splitmix64 */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void fill_random(uint8_t *b, unsigned n)
{
	for (unsigned k = 0; k < n; k += 8) {
		uint64_t v = rnd();
		for (unsigned j = 0; j < 8 && k + j < n; j++)
			b[k + j] = (uint8_t)(v >> (8 * j));
	}
}

/* ---- where Capstone 4 departs from the SDM ---- */

static bool has_prefix(const uint8_t *b, const struct insn *i, uint8_t p)
{
	for (unsigned k = 0; k < i->nprefix; k++)
		if (b[k] == p)
			return true;
	return false;
}

/* CALL rel with 66h and F2h/F3h in 32-bit mode.  SDM Vol 2 CALL: "E8 cw
 * CALL rel16" — in 32-bit mode the 66h prefix selects the 16-bit operand
 * size, so the displacement is 2 bytes (66 F2 E8 cw = 5 bytes).  F2h/F3h
 * do not change the operand size (F2h is the MPX BND prefix, which an
 * i686 does not have, and BND does not change the operand size either,
 * SDM Vol 1 §17.5).  Capstone 4.0.2 reads "bnd call rel32" / "call rel32":
 * with F2h or F3h present it drops the 66h and takes 4 bytes. */
static bool quirk_call_rep_o16(const uint8_t *b, const struct insn *i, bool code32)
{
	return code32 && i->op == 0xE8 && has_prefix(b, i, 0x66) &&
	       (has_prefix(b, i, 0xF2) || has_prefix(b, i, 0xF3));
}

struct cs_quirk {
	const char *what;
	const char *sdm;
	bool (*match)(const uint8_t *b, const struct insn *i, bool code32);
	long hits[2]; /* by mode: 16, 32 */
};

static struct cs_quirk cs_quirks[] = {
	{ "66 F2/F3 E8 in 32-bit mode: Capstone decodes CALL rel32",
	  "SDM Vol 2 CALL: 66h makes it CALL rel16 (E8 cw); F2h/F3h do not change the "
	  "operand size", quirk_call_rep_o16, { 0, 0 } },
};
#define N_QUIRKS (sizeof cs_quirks / sizeof cs_quirks[0])

/* ---- the comparison ---- */

struct tally {
	long seen, compared, agreed, cs_invalid, amber_ud, quirk_skipped, disagreed;
};

struct ctx {
	csh cs;
	cs_insn *ci;
	struct decode_mode mode;
	struct tally t;
};

static void ctx_open_gen(struct ctx *x, bool code32, uint8_t gen)
{
	memset(x, 0, sizeof *x);
	cr_assert_eq(cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &x->cs), CS_ERR_OK);
	x->ci = cs_malloc(x->cs);
	x->mode = (struct decode_mode){ .code32 = code32, .gen = gen, .max_len = 15 };
	for (unsigned q = 0; q < N_QUIRKS; q++)
		cs_quirks[q].hits[code32] = 0;
}

static void ctx_open(struct ctx *x, bool code32)
{
	ctx_open_gen(x, code32, GEN_686);
}

static void ctx_close(struct ctx *x)
{
	cs_free(x->ci, 1);
	cs_close(&x->cs);
}

static void hex(char *out, const uint8_t *b, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		sprintf(out + 2 * k, "%02x", b[k]);
}

static void compare_one(struct ctx *x, const uint8_t *b)
{
	struct insn in;
	const uint8_t *p = b;
	size_t size = 15;
	uint64_t addr = 0;

	x->t.seen++;
	enum decode_status st = decode_insn(b, 15, &x->mode, &in);
	if (!cs_disasm_iter(x->cs, &p, &size, &addr, x->ci)) {
		x->t.cs_invalid++;
		return;
	}
	if (st == DECODE_OK && (in.def == &opdef_ud || in.def->exec == exec_ud)) {
		x->t.amber_ud++;
		return;
	}
	if (st == DECODE_OK) {
		for (unsigned q = 0; q < N_QUIRKS; q++) {
			if (cs_quirks[q].match(b, &in, x->mode.code32)) {
				cs_quirks[q].hits[x->mode.code32]++;
				x->t.quirk_skipped++;
				return;
			}
		}
	}
	x->t.compared++;
	if (st == DECODE_OK && in.len == x->ci->size) {
		x->t.agreed++;
		return;
	}
	if (x->t.disagreed++ < 20) {
		char h[31];
		hex(h, b, 15);
		cr_log_error("%d-bit %s: amber %s len %u, capstone len %u (%s %s)",
		             x->mode.code32 ? 32 : 16, h,
		             st == DECODE_OK ? "ok" : st == DECODE_MORE ? "MORE" : "TOO_LONG",
		             st == DECODE_OK ? in.len : 0, x->ci->size, x->ci->mnemonic,
		             x->ci->op_str);
	}
}

static void report(const char *stream, const struct ctx *x)
{
	const struct tally *t = &x->t;
	cr_log_info("%s %d-bit: %ld sequences, %ld compared, %ld agree, %ld disagree; "
	            "skipped: %ld Capstone-invalid, %ld amber #UD, %ld known Capstone quirks",
	            stream, x->mode.code32 ? 32 : 16, t->seen, t->compared, t->agreed,
	            t->disagreed, t->cs_invalid, t->amber_ud, t->quirk_skipped);
	for (unsigned q = 0; q < N_QUIRKS; q++)
		if (cs_quirks[q].hits[x->mode.code32])
			cr_log_info("  quirk \"%s\": %ld skipped (%s)", cs_quirks[q].what,
			            cs_quirks[q].hits[x->mode.code32], cs_quirks[q].sdm);
}

static void run_uniform(bool code32)
{
	struct ctx x;
	ctx_open(&x, code32);
	rng_state = code32 ? 0xA3B1C2D3E4F50617ull : 0x0123456789ABCDEFull;
	while (x.t.compared < UNIFORM_TARGET) {
		uint8_t b[16];
		fill_random(b, 15);
		compare_one(&x, b);
	}
	report("uniform", &x);
	cr_expect_geq(x.t.compared, UNIFORM_TARGET);
	cr_expect_eq(x.t.disagreed, 0, "%ld unexplained length disagreements", x.t.disagreed);
	ctx_close(&x);
}

static const uint8_t prefixes[] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67,
                                    0xF0, 0xF2, 0xF3 };

static void run_prefixed(bool code32)
{
	struct ctx x;
	ctx_open(&x, code32);
	rng_state = code32 ? 0x5EED0032ull : 0x5EED0016ull;
	while (x.t.compared < PREFIXED_TARGET) {
		uint8_t b[16];
		fill_random(b, 15);
		unsigned n = 0;
		while (n < 4 && (rnd() & 3) == 0)
			b[n++] = prefixes[rnd() % sizeof prefixes];
		if (rnd() & 1)
			b[n] = 0x0F;
		compare_one(&x, b);
	}
	report("prefixed", &x);
	cr_expect_eq(x.t.disagreed, 0, "%ld unexplained length disagreements", x.t.disagreed);
	ctx_close(&x);
}

static void run_sweep_gen(bool code32, uint8_t gen)
{
	static const uint8_t sweep_prefix[5] = { 0x66, 0x67, 0xF2, 0xF3, 0xF0 };
	struct ctx x;
	ctx_open_gen(&x, code32, gen);
	rng_state = code32 ? 0x5111E32ull : 0x5111E16ull;
	for (unsigned op = 0; op < 512; op++) {
		for (unsigned set = 0; set < 32; set++) {
			for (unsigned s = 0; s < SWEEP_SAMPLES; s++) {
				uint8_t b[16];
				unsigned n = 0;
				fill_random(b, 15);
				for (unsigned k = 0; k < 5; k++)
					if (set & (1u << k))
						b[n++] = sweep_prefix[k];
				if (op >= 256)
					b[n++] = 0x0F;
				b[n] = (uint8_t)op;
				compare_one(&x, b);
			}
		}
	}
	static const char *gens[] = { "sweep 8086", "sweep 186", "sweep 286", "sweep 386",
	                              "sweep 486", "sweep 586", "sweep 686" };
	report(gens[gen], &x);
	cr_expect_eq(x.t.disagreed, 0, "%ld unexplained length disagreements", x.t.disagreed);
	ctx_close(&x);
}

static void run_sweep(bool code32)
{
	run_sweep_gen(code32, GEN_686);
}

/* A million and more sequences take about a second per mode here. */
Test(capstone, uniform_16, .timeout = 300) { run_uniform(false); }
Test(capstone, uniform_32, .timeout = 300) { run_uniform(true); }
Test(capstone, prefixed_16, .timeout = 120) { run_prefixed(false); }
Test(capstone, prefixed_32, .timeout = 120) { run_prefixed(true); }
Test(capstone, sweep_16, .timeout = 120) { run_sweep(false); }
Test(capstone, sweep_32, .timeout = 120) { run_sweep(true); }

/* The 386, 486 and Pentium models: what they have must have the same
 * length as on the P6 (what they lack decodes to #UD and is skipped). */
Test(capstone, sweep_386_486_586, .timeout = 120)
{
	for (uint8_t gen = GEN_386; gen <= GEN_586; gen++) {
		run_sweep_gen(false, gen);
		run_sweep_gen(true, gen);
	}
}

/* ---- the other direction: bytes Capstone rejects and amber runs ----
 *
 * Not a length comparison (Capstone gives none), but every such class is
 * accounted for here so a decoder change that starts accepting something
 * new is seen.  Enumerated: every opcode of both maps with every ModR/M
 * byte, with and without LOCK. */

struct rejected_class {
	const char *what;
	bool (*match)(const struct insn *i);
	bool raises_ud;          /* checked by running the bytes */
	long hits;
};

/* SDM Vol 2 MOV (8C/8E): Sreg encodings 6 and 7 are reserved, #UD.  amber
 * decodes them to MOV and its handler raises #UD (cpu/exec-mov.c sreg_of). */
static bool rej_mov_sreg_reserved(const struct insn *i)
{
	return (i->op == 0x8C || i->op == 0x8E) && i->reg >= 6;
}

/* SDM Vol 2 Appendix A.5 (x87 opcode map): the reserved D8-DF encodings
 * still have a ModR/M byte, so their length is known; with no x87 amber's
 * exec_esc runs them as the FPU-less escape.  Capstone rejects them. */
static bool rej_x87_reserved(const struct insn *i)
{
	return i->op >= 0xD8 && i->op <= 0xDF && !i->lock;
}

/* SDM Vol 2 NOP ("0F 1F /0 NOP r/m16/32") and the reserved-NOP/hint rows
 * 0F 18-1F: register forms are valid NOPs; Capstone 4 rejects them (it
 * reads 0F 1A/1B as MPX and the rest as memory-only prefetches). */
static bool rej_hint_nop_register(const struct insn *i)
{
	return i->op >= 0x118 && i->op <= 0x11F && i->mod == 3;
}

static struct rejected_class rejected_classes[] = {
	{ "MOV Sreg with reg 6/7 (#UD at execution)", rej_mov_sreg_reserved, true, 0 },
	{ "reserved x87 encodings (ModR/M length)", rej_x87_reserved, false, 0 },
	{ "0F 18-1F register forms (hint NOPs)", rej_hint_nop_register, false, 0 },
};
#define N_REJECTED (sizeof rejected_classes / sizeof rejected_classes[0])

/* Runs the 15 bytes once on a Pentium II (16-bit code in real mode, or
 * flat 32-bit code) and returns the vector raised, -1 for none. */
static int run_bytes(struct machine *mc, bool code32, const uint8_t *b)
{
	machine_reset(mc, "pentium2");
	if (code32) {
		machine_flat32(mc, 0x20000, 0x90000);
		machine_code_flat(mc, 0x20000, b, 15);
	} else {
		machine_code(mc, MACHINE_CODE_SEG, 0, b, 15);
	}
	machine_run(mc, 1);
	return mc->cpu.last_vector;
}

static void run_rejected(bool code32)
{
	static struct machine mc;
	machine_init(&mc, "pentium2");
	struct ctx x;
	long unexplained = 0, total = 0;
	ctx_open(&x, code32);
	for (unsigned q = 0; q < N_REJECTED; q++)
		rejected_classes[q].hits = 0;
	for (unsigned lock = 0; lock < 2; lock++) {
		for (unsigned op = 0; op < 512; op++) {
			for (unsigned modrm = 0; modrm < 256; modrm++) {
				uint8_t b[16];
				unsigned n = 0;
				memset(b, 0x11, sizeof b);
				if (lock)
					b[n++] = 0xF0;
				if (op >= 256)
					b[n++] = 0x0F;
				b[n++] = (uint8_t)op;
				b[n++] = (uint8_t)modrm;
				struct insn in;
				const uint8_t *p = b;
				size_t size = 15;
				uint64_t addr = 0;
				if (decode_insn(b, 15, &x.mode, &in) != DECODE_OK ||
				    in.def == &opdef_ud || in.def->exec == exec_ud ||
				    (in.def->flags & F_PREFIX))
					continue;
				if (cs_disasm_iter(x.cs, &p, &size, &addr, x.ci))
					continue;
				total++;
				unsigned q;
				for (q = 0; q < N_REJECTED; q++) {
					if (rejected_classes[q].match(&in)) {
						rejected_classes[q].hits++;
						break;
					}
				}
				if (q < N_REJECTED && rejected_classes[q].raises_ud) {
					int v = run_bytes(&mc, code32, b);
					char h[31];
					hex(h, b, 15);
					cr_expect_eq(v, EX_UD, "%d-bit %s (%s): vector %d, not #UD",
					             code32 ? 32 : 16, h, rejected_classes[q].what, v);
				}
				if (q == N_REJECTED && unexplained++ < 20) {
					char h[31];
					hex(h, b, 15);
					cr_log_error("%d-bit %s: amber runs it (len %u), Capstone rejects it",
					             code32 ? 32 : 16, h, in.len);
				}
			}
		}
	}
	cr_log_info("rejected by Capstone, run by amber, %d-bit: %ld", code32 ? 32 : 16, total);
	for (unsigned q = 0; q < N_REJECTED; q++)
		cr_log_info("  %s: %ld", rejected_classes[q].what, rejected_classes[q].hits);
	cr_expect_eq(unexplained, 0, "%ld unexplained", unexplained);
	ctx_close(&x);
	machine_free(&mc);
}

Test(capstone, rejected_16) { run_rejected(false); }
Test(capstone, rejected_32) { run_rejected(true); }

/* The quirk really is Capstone's: the bytes of its one listed class, read
 * by amber as the SDM reads them. */
Test(capstone, quirk_call_o16_is_rel16)
{
	static const uint8_t b[15] = { 0x66, 0xF2, 0xE8, 0x34, 0x12, 0x90 };
	struct decode_mode m = { .code32 = true, .gen = GEN_686, .max_len = 15 };
	struct insn in;
	cr_assert_eq(decode_insn(b, 15, &m, &in), DECODE_OK);
	cr_expect_eq(in.len, 5);
	cr_expect_eq(in.osize, 2);
	cr_expect_eq(in.imm, 0x1234);
	cr_expect_eq(in.rep, 0xF2);
}
