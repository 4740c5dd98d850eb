/* The table-driven decoder: prefixes, opcode maps, ModR/M, SIB, displacement
 * and immediates.  Everything opcode-specific comes from cpu/optable.c. */
#include "decode.h"

#include <string.h>

/* Bytes the 8086 reads as another opcode (it decodes only some bits of
 * these): 60-6F are Jcc, C0/C1/C8/C9 are the RET forms, F1 is LOCK, 0F is
 * POP CS.  From the 80186 on they are new instructions. */
static uint8_t alias_8086(uint8_t b)
{
	if (b >= 0x60 && b <= 0x6F)
		return b + 0x10;
	switch (b) {
	case 0xC0: return 0xC2;
	case 0xC1: return 0xC3;
	case 0xC8: return 0xCA;
	case 0xC9: return 0xCB;
	case 0xF1: return 0xF0;
	}
	return b;
}

/* The 16-bit ModR/M forms (SDM Vol 2 Table 2-1): base, index, default segment. */
static const uint8_t ea16_base[8] = { 3, 3, 5, 5, EA_NONE, EA_NONE, 5, 3 };
static const uint8_t ea16_index[8] = { 6, 7, 6, 7, 6, 7, EA_NONE, EA_NONE };

static uint32_t le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned k = 0; k < n; k++)
		v |= (uint32_t)p[k] << (8 * k);
	return v;
}

static uint32_t sext8(uint32_t v)
{
	return (uint32_t)(int32_t)(int8_t)v;
}

static unsigned imm_bytes(uint8_t form, const struct insn *i)
{
	switch (form) {
	case I_B: return 1;
	case I_W: return 2;
	case I_V: return i->osize;
	case I_AP: return i->osize + 2;
	case I_O: return i->asize;
	case I_WB: return 3;
	}
	return 0;
}

/* Decodes the memory operand after the ModR/M byte at bytes[*n - 1]. */
static enum decode_status decode_ea(const uint8_t *bytes, unsigned avail, unsigned *n,
                                    struct insn *i)
{
	unsigned dsize = 0;
	i->ea_scale = 0;
	if (i->asize == 2) {
		i->ea_base = ea16_base[i->rm];
		i->ea_index = ea16_index[i->rm];
		if (i->mod == 0 && i->rm == 6) {
			i->ea_base = EA_NONE;
			dsize = 2;
		} else if (i->mod == 1) {
			dsize = 1;
		} else if (i->mod == 2) {
			dsize = 2;
		}
		i->ea_seg = (i->ea_base == 5) ? SEG_SS : SEG_DS;
	} else {
		i->ea_base = i->rm;
		i->ea_index = EA_NONE;
		if (i->rm == 4) {
			if (*n >= avail)
				return DECODE_MORE;
			i->sib = bytes[(*n)++];
			i->has_sib = 1;
			i->ea_base = i->sib & 7;
			i->ea_index = (i->sib >> 3) & 7;
			i->ea_scale = i->sib >> 6;
			if (i->ea_index == 4)
				i->ea_index = EA_NONE;
			if (i->ea_base == 5 && i->mod == 0) {
				i->ea_base = EA_NONE;
				dsize = 4;
			}
		} else if (i->rm == 5 && i->mod == 0) {
			i->ea_base = EA_NONE;
			dsize = 4;
		}
		if (i->mod == 1)
			dsize = 1;
		else if (i->mod == 2)
			dsize = 4;
		i->ea_seg = (i->ea_base == 4 || i->ea_base == 5) ? SEG_SS : SEG_DS;
	}
	if (*n + dsize > avail)
		return DECODE_MORE;
	i->disp = le(bytes + *n, dsize);
	if (dsize == 1)
		i->disp = sext8(i->disp);
	*n += dsize;
	return DECODE_OK;
}

static bool gen_has(const struct opdef *d, uint8_t gen)
{
	return gen >= d->gen && !(d->ungen && gen >= d->ungen);
}

enum decode_status decode_insn(const uint8_t *bytes, unsigned avail,
                               const struct decode_mode *mode, struct insn *i)
{
	const bool is8086 = mode->gen == GEN_8086;
	const struct opdef *d;
	unsigned n = 0;
	bool o32 = mode->code32, a32 = mode->code32;
	uint8_t b;

	memset(i, 0, sizeof *i);
	i->seg = SEG_NONE;
	i->ea_base = i->ea_index = EA_NONE;

	for (;;) {
		if (n >= avail)
			return DECODE_MORE;
		b = is8086 ? alias_8086(bytes[n]) : bytes[n];
		d = &optable_1byte[b];
		if (!(d->flags & F_PREFIX) || !gen_has(d, mode->gen))
			break;
		switch (b) {
		case 0x26: i->seg = SEG_ES; break;
		case 0x2E: i->seg = SEG_CS; break;
		case 0x36: i->seg = SEG_SS; break;
		case 0x3E: i->seg = SEG_DS; break;
		case 0x64: i->seg = SEG_FS; break;
		case 0x65: i->seg = SEG_GS; break;
		case 0x66: o32 = !mode->code32; break;
		case 0x67: a32 = !mode->code32; break;
		case 0xF0: i->lock = true; break;
		default: i->rep = b; break; /* F2, F3: the last one counts */
		}
		n++;
		if (mode->max_len && n >= mode->max_len)
			return DECODE_TOO_LONG;
	}
	i->nprefix = n;
	i->osize = o32 ? 4 : 2;
	i->asize = a32 ? 4 : 2;
	n++;
	i->op = b;
	if (is8086 && b == 0x0F) {
		d = &opdef_pop_cs;
	} else if (d->flags & F_ESC_0F) {
		if (!gen_has(d, mode->gen)) {
			d = &opdef_ud;
		} else {
			if (n >= avail)
				return DECODE_MORE;
			b = bytes[n++];
			i->op = 0x100 | b;
			d = &optable_0f[b];
			if (d->flags & (F_MAP38 | F_MAP3A)) {
				if (n >= avail)
					return DECODE_MORE;
				n++; /* the third opcode byte */
			}
		}
	}

	uint16_t flags = d->flags;
	uint8_t imm = d->imm, width = d->width;
	if (flags & (F_MODRM | F_MAP38 | F_MAP3A)) {
		if (n >= avail)
			return DECODE_MORE;
		i->has_modrm = true;
		i->modrm = bytes[n++];
		i->mod = i->modrm >> 6;
		i->reg = (i->modrm >> 3) & 7;
		i->rm = i->modrm & 7;
		if (flags & F_GROUP) {
			const struct opdef *sub = &d->group[i->reg];
			flags |= sub->flags;
			if (sub->imm)
				imm = sub->imm;
			if (sub->width)
				width = sub->width;
			d = sub;
		}
		if (flags & F_MAP3A)
			imm = I_B;
		/* MOV to and from control and debug registers ignore mod
		 * (SDM Vol 2, MOV—Move to/from Control Registers). */
		if (flags & F_REGONLY)
			i->mod = 3;
		if (i->mod != 3) {
			enum decode_status st = decode_ea(bytes, avail, &n, i);
			if (st != DECODE_OK)
				return st;
		}
	}

	unsigned isz = imm_bytes(imm, i);
	if (n + isz > avail)
		return DECODE_MORE;
	switch (imm) {
	case I_AP:
		i->imm = le(bytes + n, i->osize);
		i->imm2 = le(bytes + n + i->osize, 2);
		break;
	case I_WB:
		i->imm = le(bytes + n, 2);
		i->imm2 = bytes[n + 2];
		break;
	default:
		i->imm = le(bytes + n, isz);
		break;
	}
	n += isz;
	if (mode->max_len && n > mode->max_len)
		return DECODE_TOO_LONG;
	i->len = n;

	switch (width) {
	case W_B: i->width = 1; break;
	case W_V: i->width = i->osize; break;
	case W_W: i->width = 2; break;
	case W_D: i->width = 4; break;
	}

	/* What this generation lacks, or forbids, decodes to the #UD entry
	 * (the length above stays that of the instruction as later CPUs read
	 * it).  The 8086 has no #UD at all. */
	if (!is8086) {
		/* LOCK where it cannot apply is #UD from the 80386 on; the
		 * 80286 ignores it (its real-mode vectors run LOCK PUSH). */
		bool bad_lock = i->lock && mode->gen >= GEN_386 &&
		                (!(flags & F_LOCKABLE) || i->mod == 3);
		bool ud = !gen_has(d, mode->gen) ||
		          ((flags & F_MEMONLY) && i->mod == 3) ||
		          ((flags & F_NOMEM) && i->mod != 3) || bad_lock;
		if (ud)
			d = &opdef_ud;
	}
	i->def = d;
	return DECODE_OK;
}
