/* Test vectors: reading the gzip'ed JSON files, turning a test object into a
 * struct vtest, and the metadata's undefined-flag masks. */
#include "vectors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* EFLAGS bits (cpu.h has them too; this file stays free of the core). */
enum { FLAG_CF = 1 << 0, FLAG_OF = 1 << 11 };

const char *const vreg_names[V_NREGS] = {
	"ax", "bx", "cx", "dx", "cs", "ss", "ds", "es",
	"sp", "bp", "si", "di", "ip", "flags",
};

char *vec_read_gz(const char *path, size_t *len, char *err, size_t errlen)
{
	gzFile f = gzopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
		return NULL;
	}
	gzbuffer(f, 1 << 18);
	size_t cap = 1 << 22, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (!buf) {
			snprintf(err, errlen, "%s: out of memory", path);
			gzclose(f);
			return NULL;
		}
		int got = gzread(f, buf + n, (unsigned)(cap - n));
		if (got < 0) {
			int zerr;
			snprintf(err, errlen, "%s: %s", path, gzerror(f, &zerr));
			free(buf);
			gzclose(f);
			return NULL;
		}
		n += (size_t)got;
		if (got == 0)
			break;
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	gzclose(f);
	*len = n;
	return buf;
}

/* Registers: every one in "initial"; in "final" only those that changed. */
static int load_regs(const struct json *regs, uint16_t *out, bool all,
                     char *err, size_t errlen)
{
	for (int r = 0; r < V_NREGS; r++) {
		int64_t v = json_get_num(regs, vreg_names[r], -1);
		if (v < 0) {
			if (!all)
				continue;
			snprintf(err, errlen, "initial register %s missing", vreg_names[r]);
			return -1;
		}
		out[r] = (uint16_t)v;
	}
	return 0;
}

static int load_ram(const struct json *ram, struct ram_list *l, char *err, size_t errlen)
{
	l->n = 0;
	if (!ram)
		return 0;
	if (ram->type != JSON_ARRAY) {
		snprintf(err, errlen, "ram is not an array");
		return -1;
	}
	if (l->cap < ram->len) {
		struct ram_byte *nb = realloc(l->b, ram->len * sizeof *nb);
		if (!nb) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		l->b = nb;
		l->cap = ram->len;
	}
	for (const struct json *e = ram->u.kid; e; e = e->next) {
		const struct json *a = e->type == JSON_ARRAY ? e->u.kid : NULL;
		if (!a || !a->next || a->type != JSON_NUMBER || a->next->type != JSON_NUMBER) {
			snprintf(err, errlen, "ram entry is not [address, byte]");
			return -1;
		}
		l->b[l->n].addr = (uint32_t)a->u.num;
		l->b[l->n].val = (uint8_t)a->next->u.num;
		l->n++;
	}
	return 0;
}

/* Prefix bytes the generators put before an opcode; the ModR/M byte, when
 * the opcode has one, follows the opcode. */
static int find_modrm_reg(const uint8_t *b, unsigned n)
{
	unsigned i = 0;
	while (i < n && (b[i] == 0x26 || b[i] == 0x2E || b[i] == 0x36 || b[i] == 0x3E ||
	                 b[i] == 0xF0 || b[i] == 0xF1 || b[i] == 0xF2 || b[i] == 0xF3))
		i++;
	return i + 1 < n ? (b[i + 1] >> 3) & 7 : -1;
}

int vtest_from_json(const struct json *obj, long pos, struct vtest *t,
                    char *err, size_t errlen)
{
	const struct json *init = json_get(obj, "initial");
	const struct json *fin = json_get(obj, "final");
	const struct json *bytes = json_get(obj, "bytes");
	if (!init || !fin || !bytes || bytes->type != JSON_ARRAY) {
		snprintf(err, errlen, "test %ld: initial, final or bytes missing", pos);
		return -1;
	}
	t->index = (long)json_get_num(obj, "idx", json_get_num(obj, "test_num", pos));
	t->name = json_get_str(obj, "name");
	t->hash = json_get_str(obj, "hash");
	if (!t->hash)
		t->hash = json_get_str(obj, "test_hash");
	t->nbytes = 0;
	for (const struct json *b = bytes->u.kid; b && t->nbytes < sizeof t->bytes; b = b->next)
		t->bytes[t->nbytes++] = (uint8_t)b->u.num;
	t->modrm_reg = find_modrm_reg(t->bytes, t->nbytes);

	if (load_regs(json_get(init, "regs"), t->init, true, err, errlen))
		return -1;
	memcpy(t->expect, t->init, sizeof t->expect);
	if (load_regs(json_get(fin, "regs"), t->expect, false, err, errlen))
		return -1;
	if (load_ram(json_get(init, "ram"), &t->iram, err, errlen) ||
	    load_ram(json_get(fin, "ram"), &t->fram, err, errlen))
		return -1;

	const struct json *exc = json_get(obj, "exception");
	t->has_exc = exc != NULL;
	t->exc_num = (int)json_get_num(exc, "number", -1);
	t->exc_flag_addr = (uint32_t)json_get_num(exc, "flag_address", 0);
	return 0;
}

void vtest_free(struct vtest *t)
{
	free(t->iram.b);
	free(t->fram.b);
	memset(t, 0, sizeof *t);
}

static void copy_status(char *dst, const struct json *e)
{
	const char *s = json_get_str(e, "status");
	str_copy(dst, 16, s ? s : "normal");
}

/* No "flags-mask" means every flag is defined. */
static uint16_t entry_mask(const struct json *e)
{
	return (uint16_t)json_get_num(e, "flags-mask", 0xFFFF);
}

int vmeta_load(struct vmeta *m, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = vec_read_gz(path, &len, err, errlen);
	if (!text)
		return -1;
	struct json_doc d = {0};
	memset(m, 0, sizeof *m);
	if (json_parse(&d, text, len)) {
		snprintf(err, errlen, "%s: %s", path, d.err);
		json_free(&d);
		free(text);
		return -1;
	}
	const char *cpu = json_get_str(d.root, "cpu");
	str_copy(m->cpu, sizeof m->cpu, cpu ? cpu : "");
	const struct json *ops = json_get(d.root, "opcodes");
	for (const struct json *e = ops ? ops->u.kid : NULL; e; e = e->next) {
		/* Two-byte keys ("0F00") are 0F-map opcodes no file here uses. */
		char *end;
		long op = strtol(e->key, &end, 16);
		if (strlen(e->key) != 2 || *end || op < 0 || op > 255)
			continue;
		struct vmeta_entry *v = &m->op[op];
		v->present = true;
		v->mask = entry_mask(e);
		copy_status(v->status, e);
		const struct json *regs = json_get(e, "reg");
		for (int r = 0; r < 8; r++) {
			v->reg[r].mask = v->mask;
			str_copy(v->reg[r].status, sizeof v->reg[r].status, v->status);
		}
		for (const struct json *r = regs ? regs->u.kid : NULL; r; r = r->next) {
			int digit = r->key[0] - '0';
			if (digit < 0 || digit > 7 || r->key[1])
				continue;
			v->has_reg = true;
			v->reg[digit].mask = entry_mask(r);
			copy_status(v->reg[digit].status, r);
		}
	}
	json_free(&d);
	free(text);
	if (!ops) {
		snprintf(err, errlen, "%s: no \"opcodes\" object", path);
		return -1;
	}
	return 0;
}

uint16_t vmeta_mask(const struct vmeta *m, int op, int reg)
{
	const struct vmeta_entry *v = &m->op[op & 0xFF];
	if (!v->present)
		return 0xFFFF;
	if (!v->has_reg)
		return v->mask;
	if (reg >= 0 && reg < 8)
		return v->reg[reg].mask;
	/* Reg digit unknown: hide every flag some form leaves undefined. */
	uint16_t mask = 0xFFFF;
	for (int r = 0; r < 8; r++)
		mask &= v->reg[r].mask;
	return mask;
}

uint16_t vtest_shift_mask(uint16_t mask, int op, const struct vtest *t, unsigned count_mask)
{
	unsigned count;
	if (op == 0xD2 || op == 0xD3)
		count = t->init[V_CX] & 0xFF;
	else if ((op == 0xC0 || op == 0xC1) && count_mask == 0x1F && t->nbytes >= 2)
		count = t->bytes[t->nbytes - 2];  /* the imm8 before the closing HLT */
	else
		return mask;
	count &= count_mask;
	if (count == 0)
		return 0xFFFF;
	if (count == 1)
		return mask | FLAG_OF | FLAG_CF;
	return mask;
}
