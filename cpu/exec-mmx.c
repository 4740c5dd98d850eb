/* MMX (SDM Vol 1 ch. 9, Vol 2): the 0F 60-7F and D1-FE instructions of
 * the Pentium MMX / Pentium II.  MM0-MM7 are the significands of the x87
 * physical registers R0-R7; every MMX instruction but EMMS sets TOP to 0
 * and tags all registers valid, and a write also sets the register's
 * sign/exponent field to all ones (§9.5.1).  CR0.EM → #UD, CR0.TS → #NM,
 * and a pending unmasked x87 exception is delivered first (§9.5.3). */
#include "cpu-internal.h"
#include "exec.h"

enum { CPUID_MMX = 1 << 23, CR0_EM = 4, CR0_TS = 8 };

static uint64_t mm_get(const struct cpu *c, unsigned n)
{
	return c->fpu.r[n & 7].sig;
}

static void mm_set(struct cpu *c, unsigned n, uint64_t v)
{
	c->fpu.r[n & 7].sig = v;
	c->fpu.r[n & 7].se = 0xFFFF;
}

/* The mm/m64 source operand. */
static uint64_t src_q(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return mm_get(c, i->rm);
	ea_compute(c, i);
	uint64_t lo = seg_read(c, c->ea_seg, c->ea_off, 4);
	return lo | (uint64_t)seg_read(c, c->ea_seg, (c->ea_off + 4) & addr_mask(i), 4) << 32;
}

/* ---- lanes ---- */

enum lane_op {
	L_ADD, L_ADDS, L_ADDUS, L_SUB, L_SUBS, L_SUBUS, L_CMPEQ, L_CMPGT, L_MULL, L_MULH,
};

static int64_t sat_s(int64_t v, unsigned bits)
{
	int64_t hi = (INT64_C(1) << (bits - 1)) - 1, lo = -hi - 1;
	return v > hi ? hi : v < lo ? lo : v;
}

static int64_t sat_u(int64_t v, unsigned bits)
{
	int64_t hi = (INT64_C(1) << bits) - 1;
	return v > hi ? hi : v < 0 ? 0 : v;
}

static uint64_t lanes(uint64_t a, uint64_t b, unsigned bits, enum lane_op op)
{
	uint64_t r = 0, m = bits == 64 ? ~0ull : (1ull << bits) - 1;
	for (unsigned s = 0; s < 64; s += bits) {
		uint64_t ua = (a >> s) & m, ub = (b >> s) & m;
		int64_t sa = (int64_t)(ua << (64 - bits)) >> (64 - bits);
		int64_t sb = (int64_t)(ub << (64 - bits)) >> (64 - bits);
		int64_t v;
		switch (op) {
		case L_ADD: v = (int64_t)(ua + ub); break;
		case L_ADDS: v = sat_s(sa + sb, bits); break;
		case L_ADDUS: v = sat_u((int64_t)(ua + ub), bits); break;
		case L_SUB: v = (int64_t)(ua - ub); break;
		case L_SUBS: v = sat_s(sa - sb, bits); break;
		case L_SUBUS: v = sat_u((int64_t)ua - (int64_t)ub, bits); break;
		case L_CMPEQ: v = ua == ub ? -1 : 0; break;
		case L_CMPGT: v = sa > sb ? -1 : 0; break;
		case L_MULL: v = sa * sb; break;
		default: v = (sa * sb) >> 16; break;   /* L_MULH: words only */
		}
		r |= ((uint64_t)v & m) << s;
	}
	return r;
}

/* PUNPCKL / PUNPCKH: interleave the low (high) halves' lanes of a and b. */
static uint64_t unpack(uint64_t a, uint64_t b, unsigned bits, bool high)
{
	uint64_t r = 0, m = (1ull << bits) - 1;
	unsigned base = high ? 32 : 0;
	for (unsigned k = 0; k < 32 / bits; k++) {
		r |= ((a >> (base + k * bits)) & m) << (2 * k * bits);
		r |= ((b >> (base + k * bits)) & m) << ((2 * k + 1) * bits);
	}
	return r;
}

/* PACKSSWB / PACKSSDW / PACKUSWB: a's lanes then b's, narrowed with saturation. */
static uint64_t pack(uint64_t a, uint64_t b, unsigned from, bool sign)
{
	uint64_t r = 0;
	unsigned to = from / 2, n = 64 / from;
	uint64_t m = (1ull << from) - 1;
	for (unsigned k = 0; k < 2 * n; k++) {
		uint64_t src = k < n ? a : b;
		uint64_t u = (src >> ((k % n) * from)) & m;
		int64_t v = (int64_t)(u << (64 - from)) >> (64 - from);
		v = sign ? sat_s(v, to) : sat_u(v, to);
		r |= ((uint64_t)v & ((1ull << to) - 1)) << (k * to);
	}
	return r;
}

static uint64_t pmaddwd(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	for (unsigned k = 0; k < 2; k++) {
		int32_t s = 0;
		for (unsigned h = 0; h < 2; h++) {
			unsigned sh = 32 * k + 16 * h;
			/* -32768 * -32768 twice wraps to 80000000h, as the hardware gives */
			s = (int32_t)((uint32_t)s + (uint32_t)((int32_t)(int16_t)(a >> sh) *
			                                       (int32_t)(int16_t)(b >> sh)));
		}
		r |= (uint64_t)(uint32_t)s << (32 * k);
	}
	return r;
}

/* PSRL / PSRA / PSLL by count (counts past the lane width: all zeros, or
 * all sign bits for PSRA). */
enum { SH_RL, SH_RA, SH_LL };
static uint64_t shift(uint64_t a, unsigned bits, int kind, uint64_t count)
{
	uint64_t r = 0, m = bits == 64 ? ~0ull : (1ull << bits) - 1;
	for (unsigned s = 0; s < 64; s += bits) {
		uint64_t u = (a >> s) & m, v;
		int64_t sv = (int64_t)(u << (64 - bits)) >> (64 - bits);
		if (count >= bits)
			v = kind == SH_RA ? (uint64_t)(sv < 0 ? -1 : 0) : 0;
		else if (kind == SH_RL)
			v = u >> count;
		else if (kind == SH_RA)
			v = (uint64_t)(sv >> count);
		else
			v = u << count;
		r |= (v & m) << s;
	}
	return r;
}

void exec_mmx(struct cpu *c, struct insn *i)
{
	struct x87 *x = &c->fpu;
	if (!(c->model->cpuid_features & CPUID_MMX) || (c->cr0 & CR0_EM))
		cpu_ud(c);
	if (c->cr0 & CR0_TS)
		cpu_fault_noerr(c, EX_NM);
	x87_check_pending(c);
	unsigned op = i->op & 0xFF, d = i->reg;
	if (op == 0x77) {   /* EMMS */
		x->valid = 0;
		return;
	}
	uint64_t a = mm_get(c, d), b = 0, r = 0;
	/* Operand reads (which may fault) come before any state change. */
	switch (op) {
	case 0x6E:   /* MOVD mm, r/m32 */
		r = rm_read(c, i, 4);
		break;
	case 0x7E:   /* MOVD r/m32, mm */
		rm_write(c, i, 4, (uint32_t)a);
		x->top = 0;
		x->valid = 0xFF;
		return;
	case 0x7F:   /* MOVQ mm/m64, mm */
		if (i->mod == 3) {
			x->top = 0;
			x->valid = 0xFF;
			mm_set(c, i->rm, a);
			return;
		}
		ea_compute(c, i);
		seg_check(c, c->ea_seg, c->ea_off, 8, true);
		seg_write(c, c->ea_seg, c->ea_off, 4, (uint32_t)a);
		seg_write(c, c->ea_seg, (c->ea_off + 4) & addr_mask(i), 4, (uint32_t)(a >> 32));
		x->top = 0;
		x->valid = 0xFF;
		return;
	case 0x71: case 0x72: case 0x73: {   /* shift groups: imm8 counts */
		static const int8_t kind[8] = { -1, -1, SH_RL, -1, SH_RA, -1, SH_LL, -1 };
		unsigned bits = op == 0x71 ? 16 : op == 0x72 ? 32 : 64;
		if (i->mod != 3 || kind[i->reg] < 0 || (op == 0x73 && i->reg == 4))
			cpu_ud(c);
		d = i->rm;
		r = shift(mm_get(c, d), bits, kind[i->reg], i->imm & 0xFF);
		goto done;
	}
	default:
		b = src_q(c, i);
		break;
	}
	switch (op) {
	case 0x6E: break;
	case 0x60: r = unpack(a, b, 8, false); break;
	case 0x61: r = unpack(a, b, 16, false); break;
	case 0x62: r = unpack(a, b, 32, false); break;
	case 0x63: r = pack(a, b, 16, true); break;
	case 0x64: r = lanes(a, b, 8, L_CMPGT); break;
	case 0x65: r = lanes(a, b, 16, L_CMPGT); break;
	case 0x66: r = lanes(a, b, 32, L_CMPGT); break;
	case 0x67: r = pack(a, b, 16, false); break;
	case 0x68: r = unpack(a, b, 8, true); break;
	case 0x69: r = unpack(a, b, 16, true); break;
	case 0x6A: r = unpack(a, b, 32, true); break;
	case 0x6B: r = pack(a, b, 32, true); break;
	case 0x6F: r = b; break;   /* MOVQ mm, mm/m64 */
	case 0x74: r = lanes(a, b, 8, L_CMPEQ); break;
	case 0x75: r = lanes(a, b, 16, L_CMPEQ); break;
	case 0x76: r = lanes(a, b, 32, L_CMPEQ); break;
	case 0xD1: r = shift(a, 16, SH_RL, b); break;
	case 0xD2: r = shift(a, 32, SH_RL, b); break;
	case 0xD3: r = shift(a, 64, SH_RL, b); break;
	case 0xD5: r = lanes(a, b, 16, L_MULL); break;
	case 0xD8: r = lanes(a, b, 8, L_SUBUS); break;
	case 0xD9: r = lanes(a, b, 16, L_SUBUS); break;
	case 0xDB: r = a & b; break;
	case 0xDC: r = lanes(a, b, 8, L_ADDUS); break;
	case 0xDD: r = lanes(a, b, 16, L_ADDUS); break;
	case 0xDF: r = ~a & b; break;
	case 0xE1: r = shift(a, 16, SH_RA, b); break;
	case 0xE2: r = shift(a, 32, SH_RA, b); break;
	case 0xE5: r = lanes(a, b, 16, L_MULH); break;
	case 0xE8: r = lanes(a, b, 8, L_SUBS); break;
	case 0xE9: r = lanes(a, b, 16, L_SUBS); break;
	case 0xEB: r = a | b; break;
	case 0xEC: r = lanes(a, b, 8, L_ADDS); break;
	case 0xED: r = lanes(a, b, 16, L_ADDS); break;
	case 0xEF: r = a ^ b; break;
	case 0xF1: r = shift(a, 16, SH_LL, b); break;
	case 0xF2: r = shift(a, 32, SH_LL, b); break;
	case 0xF3: r = shift(a, 64, SH_LL, b); break;
	case 0xF5: r = pmaddwd(a, b); break;
	case 0xF8: r = lanes(a, b, 8, L_SUB); break;
	case 0xF9: r = lanes(a, b, 16, L_SUB); break;
	case 0xFA: r = lanes(a, b, 32, L_SUB); break;
	case 0xFC: r = lanes(a, b, 8, L_ADD); break;
	case 0xFD: r = lanes(a, b, 16, L_ADD); break;
	case 0xFE: r = lanes(a, b, 32, L_ADD); break;
	default: cpu_ud(c);
	}
done:
	x->top = 0;
	x->valid = 0xFF;
	mm_set(c, d, r);
}
