/* json — a small in-place JSON parser for the conformance vectors.
 *
 * The vector files are large (up to ~9 MB of text each, 650 of them), so the
 * parser works in place: strings are unescaped inside the caller's buffer and
 * nodes come from a reusable arena of fixed blocks, so a whole file parses
 * with almost no allocation after the first one.  The tree is plain data:
 * arrays and objects are linked lists of their children. */
#ifndef AMBER_CONF_JSON_H
#define AMBER_CONF_JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING,
	JSON_ARRAY, JSON_OBJECT,
};

struct json {
	const char *key;        /* member name inside an object, else NULL */
	struct json *next;      /* next element or member of the parent */
	union {
		struct json *kid;   /* first element or member */
		const char *str;    /* NUL-terminated, unescaped */
		int64_t num;        /* numbers are truncated to integers */
	} u;
	uint32_t len;           /* element/member count, or string length */
	uint8_t type;           /* enum json_type */
};

struct json_block;

/* A parser with its node arena.  Zero-initialise, then call json_parse as
 * often as needed; each call frees the previous tree. */
struct json_doc {
	struct json *root;
	struct json_block *blocks;  /* arena, kept between parses */
	struct json_block *cur;
	size_t used;                /* nodes used in *cur */
	char err[160];
};

/* Parses text[0..len) (text[len] must be writable, it becomes NUL).  Returns
 * 0, or -1 with d->err set. */
int json_parse(struct json_doc *d, char *text, size_t len);
void json_free(struct json_doc *d);

/* Member of an object by name, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* Number member (or dflt when missing or not a number). */
int64_t json_get_num(const struct json *obj, const char *key, int64_t dflt);
/* String member, or NULL. */
const char *json_get_str(const struct json *obj, const char *key);

#endif
