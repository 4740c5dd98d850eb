/* The small text lists the runner reads: exclusions (checked in), the
 * upstream revocation list, and pass-count baselines (checked in). */
#include "vectors.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void str_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Splits a line in place at tabs into at most max fields; strips the line
 * end.  Returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	line[strcspn(line, "\r\n")] = '\0';
	int n = 0;
	while (n < max) {
		f[n++] = line;
		char *tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static bool skip_line(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	return *line == '\0' || *line == '#';
}

/* file[:reg=A-B] — a whole opcode file, or the tests of it whose ModR/M reg
 * digit is in A..B (for files that mix defined and undefined reg forms). */
static int parse_file_spec(struct exclusion *e, const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
	if (flen == 0 || flen >= sizeof e->file)
		return -1;
	memcpy(e->file, spec, flen);
	e->file[flen] = '\0';
	e->reg_lo = e->reg_hi = -1;
	if (!colon)
		return 0;
	int lo, hi, used = 0;
	if (sscanf(colon, ":reg=%d-%d%n", &lo, &hi, &used) == 2 && !colon[used]) {
		/* a range */
	} else if (sscanf(colon, ":reg=%d%n", &lo, &used) == 1 && !colon[used]) {
		hi = lo;
	} else {
		return -1;
	}
	if (lo < 0 || hi > 7 || lo > hi)
		return -1;
	e->reg_lo = lo;
	e->reg_hi = hi;
	return 0;
}

int exclusions_load(struct exclusions *x, const char *path, char *err, size_t errlen)
{
	x->e = NULL;
	x->n = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[512];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (skip_line(line))
			continue;
		char *fld[3];
		struct exclusion e;
		if (split_tabs(line, fld, 3) != 3 || parse_file_spec(&e, fld[1]) ||
		    strlen(fld[0]) >= sizeof e.set) {
			snprintf(err, errlen, "%s:%d: expected set<TAB>file[:reg=A-B]<TAB>reason",
			         path, lineno);
			fclose(f);
			return -1;
		}
		str_copy(e.set, sizeof e.set, fld[0]);
		str_copy(e.reason, sizeof e.reason, fld[2]);
		struct exclusion *ne = realloc(x->e, (x->n + 1) * sizeof *ne);
		if (!ne) {
			fclose(f);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		x->e = ne;
		x->e[x->n++] = e;
	}
	fclose(f);
	return 0;
}

const struct exclusion *exclusions_find(const struct exclusions *x, const char *set,
                                        const char *file, int reg)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct exclusion *e = &x->e[i];
		if (strcmp(e->set, set) || strcmp(e->file, file))
			continue;
		if (e->reg_lo < 0)
			return e;
		if (reg >= e->reg_lo && reg <= e->reg_hi)
			return e;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One hash per line; '#' lines are comments.  A missing file is empty. */
int strset_load_hashes(struct strset *h, const char *path)
{
	h->s = NULL;
	h->n = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		if (skip_line(line))
			continue;
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		p[strcspn(p, " \t\r\n")] = '\0';
		for (char *q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		char **ns = realloc(h->s, (h->n + 1) * sizeof *ns);
		if (!ns || !(ns[h->n] = strdup(p))) {
			h->s = ns ? ns : h->s;
			fclose(f);
			return -1;
		}
		h->s = ns;
		h->n++;
	}
	fclose(f);
	if (h->n)
		qsort(h->s, h->n, sizeof *h->s, cmp_str);
	return 0;
}

bool strset_has(const struct strset *h, const char *s)
{
	return h->n && s && bsearch(&s, h->s, h->n, sizeof *h->s, cmp_str);
}

void strset_free(struct strset *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->s[i]);
	free(h->s);
	h->s = NULL;
	h->n = 0;
}

/* "file <TAB> passed" per line; '#' lines are comments. */
int baseline_load(struct baseline *b, const char *path, char *err, size_t errlen)
{
	b->e = NULL;
	b->n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[256];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (skip_line(line))
			continue;
		char *fld[2], *end = NULL;
		long passed = -1;
		if (split_tabs(line, fld, 2) == 2)
			passed = strtol(fld[1], &end, 10);
		if (passed < 0 || !end || *end || strlen(fld[0]) >= sizeof b->e->file) {
			snprintf(err, errlen, "%s:%d: expected file<TAB>passed", path, lineno);
			fclose(f);
			return -1;
		}
		void *ne = realloc(b->e, (b->n + 1) * sizeof *b->e);
		if (!ne) {
			fclose(f);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		b->e = ne;
		str_copy(b->e[b->n].file, sizeof b->e[b->n].file, fld[0]);
		b->e[b->n].passed = passed;
		b->n++;
	}
	fclose(f);
	return 0;
}

long baseline_get(const struct baseline *b, const char *file)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->e[i].file, file))
			return b->e[i].passed;
	return -1;
}
