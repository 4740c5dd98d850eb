/* A recursive-descent JSON parser, in place, for the conformance vectors. */
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK_NODES = 1 << 16, MAX_DEPTH = 64 };

struct json_block {
	struct json_block *next;
	struct json node[BLOCK_NODES];
};

struct parser {
	struct json_doc *d;
	char *p, *end;
	char *text;
};

static int fail(struct parser *ps, const char *what)
{
	snprintf(ps->d->err, sizeof ps->d->err, "JSON error at byte %ld: %s",
	         (long)(ps->p - ps->text), what);
	return -1;
}

/* Nodes never move: blocks are chained, not reallocated, so pointers into the
 * tree stay valid while it grows. */
static struct json *new_node(struct parser *ps)
{
	struct json_doc *d = ps->d;
	if (!d->cur || d->used == BLOCK_NODES) {
		struct json_block *b = d->cur ? d->cur->next : d->blocks;
		if (!b) {
			b = malloc(sizeof *b);
			if (!b)
				return NULL;
			b->next = NULL;
			if (d->cur)
				d->cur->next = b;
			else
				d->blocks = b;
		}
		d->cur = b;
		d->used = 0;
	}
	struct json *n = &d->cur->node[d->used++];
	memset(n, 0, sizeof *n);
	return n;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' ||
	                           *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9') return ch - '0';
	if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
	return -1;
}

/* Unescapes the string starting after the opening quote, in place; returns
 * its start and length.  Only \uXXXX of the Basic Multilingual Plane is
 * needed here (names are ASCII); surrogates pass through as-is. */
static int parse_string(struct parser *ps, const char **out, uint32_t *len)
{
	char *start = ++ps->p, *w = start;
	for (;;) {
		if (ps->p >= ps->end)
			return fail(ps, "unterminated string");
		char ch = *ps->p++;
		if (ch == '"')
			break;
		if (ch != '\\') {
			*w++ = ch;
			continue;
		}
		if (ps->p >= ps->end)
			return fail(ps, "bad escape");
		ch = *ps->p++;
		switch (ch) {
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned v = 0;
			for (int k = 0; k < 4; k++) {
				int h = ps->p < ps->end ? hexval(*ps->p++) : -1;
				if (h < 0)
					return fail(ps, "bad \\u escape");
				v = v << 4 | (unsigned)h;
			}
			if (v < 0x80) {
				*w++ = (char)v;
			} else if (v < 0x800) {
				*w++ = (char)(0xC0 | v >> 6);
				*w++ = (char)(0x80 | (v & 0x3F));
			} else {
				*w++ = (char)(0xE0 | v >> 12);
				*w++ = (char)(0x80 | (v >> 6 & 0x3F));
				*w++ = (char)(0x80 | (v & 0x3F));
			}
			break;
		}
		default: *w++ = ch; break;  /* \" \\ \/ */
		}
	}
	*w = '\0';  /* the write cursor is always behind the read cursor */
	*out = start;
	*len = (uint32_t)(w - start);
	return 0;
}

/* The vectors hold only unsigned integers; fractions and exponents are
 * accepted and truncated so any valid JSON still parses. */
static int parse_number(struct parser *ps, struct json *n)
{
	char *s = ps->p;
	bool neg = *s == '-';
	int64_t v = 0;
	char *q = s + neg;
	if (q >= ps->end || *q < '0' || *q > '9')
		return fail(ps, "bad number");
	while (q < ps->end && *q >= '0' && *q <= '9')
		v = v * 10 + (*q++ - '0');
	if (q < ps->end && (*q == '.' || *q == 'e' || *q == 'E')) {
		double dv = strtod(s, &q);
		v = (int64_t)dv;
		neg = false;
	}
	n->type = JSON_NUMBER;
	n->u.num = neg ? -v : v;
	ps->p = q;
	return 0;
}

static int parse_value(struct parser *ps, struct json *n, int depth);

/* Arrays and objects: children are linked in order. */
static int parse_container(struct parser *ps, struct json *n, int depth)
{
	bool obj = *ps->p == '{';
	char close = obj ? '}' : ']';
	struct json **link = &n->u.kid;
	n->type = obj ? JSON_OBJECT : JSON_ARRAY;
	if (depth >= MAX_DEPTH)
		return fail(ps, "nesting too deep");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct json *kid = new_node(ps);
		if (!kid)
			return fail(ps, "out of memory");
		skip_ws(ps);
		if (obj) {
			uint32_t klen;
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			if (parse_string(ps, &kid->key, &klen))
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
			skip_ws(ps);
		}
		if (parse_value(ps, kid, depth + 1))
			return -1;
		*link = kid;
		link = &kid->next;
		n->len++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		return fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int literal(struct parser *ps, struct json *n, const char *word, int type)
{
	size_t l = strlen(word);
	if ((size_t)(ps->end - ps->p) < l || memcmp(ps->p, word, l))
		return fail(ps, "unexpected character");
	ps->p += l;
	n->type = (uint8_t)type;
	return 0;
}

static int parse_value(struct parser *ps, struct json *n, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, n, depth);
	case '"':
		n->type = JSON_STRING;
		return parse_string(ps, &n->u.str, &n->len);
	case 't': return literal(ps, n, "true", JSON_TRUE);
	case 'f': return literal(ps, n, "false", JSON_FALSE);
	case 'n': return literal(ps, n, "null", JSON_NULL);
	default:
		return parse_number(ps, n);
	}
}

int json_parse(struct json_doc *d, char *text, size_t len)
{
	struct parser ps = { d, text, text + len, text };
	text[len] = '\0';
	d->cur = NULL;
	d->used = 0;
	d->err[0] = '\0';
	d->root = new_node(&ps);
	if (!d->root)
		return fail(&ps, "out of memory");
	if (parse_value(&ps, d->root, 0))
		return -1;
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, "trailing characters");
	return 0;
}

void json_free(struct json_doc *d)
{
	struct json_block *b = d->blocks;
	while (b) {
		struct json_block *next = b->next;
		free(b);
		b = next;
	}
	memset(d, 0, sizeof *d);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *k = obj->u.kid; k; k = k->next)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

int64_t json_get_num(const struct json *obj, const char *key, int64_t dflt)
{
	const struct json *v = json_get(obj, key);
	return v && v->type == JSON_NUMBER ? v->u.num : dflt;
}

const char *json_get_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);
	return v && v->type == JSON_STRING ? v->u.str : NULL;
}
