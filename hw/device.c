/* device — IRQ lines, the device set and the generic state serialiser (see
 * device.h). */
#include "device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* ---- IRQ lines --------------------------------------------------------- */

void irq_line_init(struct irq_line *l, irq_handler_fn *handler, void *opaque, int n)
{
	l->handler = handler;
	l->opaque = opaque;
	l->n = n;
	l->level = false;
}

void irq_set_level(struct irq_line *l, bool level)
{
	if (!l)
		return;
	l->level = level;
	if (l->handler)
		l->handler(l->opaque, l->n, level);
}

/* ---- the byte buffer --------------------------------------------------- */

void state_buf_free(struct state_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

static void put(struct state_buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_le(struct state_buf *b, uint64_t v, unsigned width)
{
	uint8_t tmp[8];
	for (unsigned i = 0; i < width; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	put(b, tmp, width);
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- fields ------------------------------------------------------------ */

static unsigned wire_width(enum state_type t)
{
	switch (t) {
	case ST_U8:
	case ST_BOOL: return 1;
	case ST_U16: return 2;
	case ST_U32:
	case ST_I32: return 4;
	case ST_U64:
	case ST_I64:
	case ST_TIMER: return 8;
	case ST_STRUCT: break;
	}
	return 0;
}

static size_t fields_size(const struct state_desc *d, uint32_t version)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct state_field *f = &d->fields[i];
		if (f->since > version)
			continue;
		if (f->type == ST_STRUCT)
			n += f->count * fields_size(f->sub, version);
		else
			n += f->count * wire_width(f->type);
	}
	return n;
}

size_t state_size(const struct state_desc *d, uint32_t version)
{
	return fields_size(d, version);
}

static void write_fields(struct state_buf *b, const struct state_desc *d, const uint8_t *obj,
                         uint32_t version)
{
	for (size_t i = 0; i < d->nfields; i++) {
		const struct state_field *f = &d->fields[i];
		if (f->since > version)
			continue;
		for (size_t k = 0; k < f->count; k++) {
			const uint8_t *p = obj + f->offset + k * f->stride;
			uint64_t v = 0;
			switch ((enum state_type)f->type) {
			case ST_U8: v = *p; break;
			case ST_BOOL: v = *(const bool *)p; break;
			case ST_U16: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
			case ST_U32:
			case ST_I32: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
			case ST_U64:
			case ST_I64: memcpy(&v, p, 8); break;
			case ST_TIMER: v = (uint64_t)((const struct timer *)p)->expire; break;
			case ST_STRUCT: write_fields(b, f->sub, p, version); continue;
			}
			put_le(b, v, wire_width(f->type));
		}
	}
}

void state_write(struct state_buf *b, const struct state_desc *d, const void *obj)
{
	if (d->pre_save)
		d->pre_save((void *)obj);
	write_fields(b, d, obj, d->version);
}

/* Reads the fields; p holds exactly fields_size(d, version) bytes. */
static int read_fields(const uint8_t **pp, const struct state_desc *d, uint8_t *obj,
                       uint32_t version, char *err, size_t errlen)
{
	for (size_t i = 0; i < d->nfields; i++) {
		const struct state_field *f = &d->fields[i];
		if (f->since > version)
			continue;
		for (size_t k = 0; k < f->count; k++) {
			uint8_t *p = obj + f->offset + k * f->stride;
			if (f->type == ST_STRUCT) {
				if (read_fields(pp, f->sub, p, version, err, errlen) < 0)
					return -1;
				continue;
			}
			unsigned w = wire_width(f->type);
			uint64_t v = get_le(*pp, w);
			*pp += w;
			switch ((enum state_type)f->type) {
			case ST_U8: *p = (uint8_t)v; break;
			case ST_BOOL:
				if (v > 1) {
					snprintf(err, errlen, "%s: field %s is %llu, not a boolean",
					         d->name, f->name, (unsigned long long)v);
					return -1;
				}
				*(bool *)p = v != 0;
				break;
			case ST_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
			case ST_U32:
			case ST_I32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
			case ST_U64:
			case ST_I64: memcpy(p, &v, 8); break;
			case ST_TIMER: {
				int64_t e = (int64_t)v;
				if (e < -1) {
					snprintf(err, errlen, "%s: timer %s has deadline %lld",
					         d->name, f->name, (long long)e);
					return -1;
				}
				timer_mod((struct timer *)p, e);
				break;
			}
			case ST_STRUCT: break;
			}
		}
	}
	return 0;
}

int state_read(const uint8_t *p, const struct state_desc *d, uint32_t version, void *obj,
               char *err, size_t errlen)
{
	if (version < d->min_version || version > d->version) {
		snprintf(err, errlen, "%s: state version %u, this amber loads %u to %u", d->name,
		         version, d->min_version, d->version);
		return -1;
	}
	if (read_fields(&p, d, obj, version, err, errlen) < 0)
		return -1;
	if (d->post_load)
		return d->post_load(obj, version, err, errlen);
	return 0;
}

/* ---- devices ----------------------------------------------------------- */

void device_init(struct device *d, const struct device_class *cls)
{
	d->cls = cls;
	snprintf(d->id, sizeof d->id, "%s", cls->name);
}

void device_set_init(struct device_set *s) { memset(s, 0, sizeof *s); }

struct device *device_set_find(struct device_set *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->dev[i]->id, id) == 0)
			return s->dev[i];
	return NULL;
}

int device_set_add(struct device_set *s, struct device *d)
{
	if (s->n == DEVICE_SET_MAX || device_set_find(s, d->id))
		return -1;
	s->dev[s->n++] = d;
	return 0;
}

void device_set_reset(struct device_set *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->dev[i]->cls->reset)
			s->dev[i]->cls->reset(s->dev[i]);
}

void device_set_destroy(struct device_set *s)
{
	for (int i = s->n - 1; i >= 0; i--)
		if (s->dev[i]->cls->destroy)
			s->dev[i]->cls->destroy(s->dev[i]);
	s->n = 0;
}

/* One device: u8 id length, id, u32 version, u32 payload length, payload. */
static void write_device(struct state_buf *b, struct device *d)
{
	const struct state_desc *sd = d->cls->state;
	size_t idlen = strlen(d->id);
	put_le(b, idlen, 1);
	put(b, d->id, idlen);
	put_le(b, sd ? sd->version : 0, 4);
	put_le(b, sd ? state_size(sd, sd->version) : 0, 4);
	if (sd)
		state_write(b, sd, d);
}

int device_save(struct device *d, struct state_buf *b)
{
	write_device(b, d);
	return b->oom ? -1 : 0;
}

int device_set_save(struct device_set *s, struct state_buf *b)
{
	put(b, DEVICE_STATE_MAGIC, 8);
	put_le(b, DEVICE_STATE_FORMAT, 4);
	put_le(b, (uint64_t)s->n, 4);
	for (int i = 0; i < s->n; i++)
		write_device(b, s->dev[i]);
	return b->oom ? -1 : 0;
}

/* A device record, checked but not applied. */
struct record {
	char id[256];
	uint32_t version;
	const uint8_t *payload;
	uint32_t len;
};

/* Parses the record at *off; checks only that it lies within the buffer. */
static int parse_record(const uint8_t *p, size_t len, size_t *off, struct record *r, char *err,
                        size_t errlen)
{
	size_t o = *off;
	if (o + 1 > len)
		goto truncated;
	size_t idlen = p[o++];
	if (o + idlen + 8 > len)
		goto truncated;
	memcpy(r->id, p + o, idlen);
	r->id[idlen] = '\0';
	o += idlen;
	r->version = (uint32_t)get_le(p + o, 4);
	r->len = (uint32_t)get_le(p + o + 4, 4);
	o += 8;
	if (r->len > len - o) {
		snprintf(err, errlen, "state: device '%s' needs %u bytes, %zu are left (truncated)",
		         r->id, r->len, len - o);
		return -1;
	}
	r->payload = p + o;
	*off = o + r->len;
	return 0;
truncated:
	snprintf(err, errlen, "state: truncated at byte %zu of %zu", o, len);
	return -1;
}

/* Checks a record against the device it names. */
static int check_record(struct device *d, const struct record *r, char *err, size_t errlen)
{
	const struct state_desc *sd = d->cls->state;
	if (!sd) {
		if (r->len != 0) {
			snprintf(err, errlen, "state: device '%s' has no state, the record has %u bytes",
			         d->id, r->len);
			return -1;
		}
		return 0;
	}
	if (r->version < sd->min_version || r->version > sd->version) {
		snprintf(err, errlen, "state: device '%s' has state version %u, this amber loads %u to %u",
		         d->id, r->version, sd->min_version, sd->version);
		return -1;
	}
	size_t want = state_size(sd, r->version);
	if (r->len != want) {
		snprintf(err, errlen, "state: device '%s' version %u is %zu bytes, the record has %u",
		         d->id, r->version, want, r->len);
		return -1;
	}
	return 0;
}

static int apply_record(struct device *d, const struct record *r, char *err, size_t errlen)
{
	if (!d->cls->state)
		return 0;
	return state_read(r->payload, d->cls->state, r->version, d, err, errlen);
}

int device_load(struct device *d, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	struct record r;
	size_t off = 0;
	if (parse_record(p, len, &off, &r, err, errlen) < 0)
		return -1;
	if (off != len) {
		snprintf(err, errlen, "state: %zu bytes after the record of '%s'", len - off, r.id);
		return -1;
	}
	if (strcmp(r.id, d->id) != 0) {
		snprintf(err, errlen, "state: the record is for '%s', not '%s'", r.id, d->id);
		return -1;
	}
	if (check_record(d, &r, err, errlen) < 0)
		return -1;
	struct state_buf backup = { 0 };
	if (device_save(d, &backup) < 0) {
		state_buf_free(&backup);
		snprintf(err, errlen, "state: out of memory");
		return -1;
	}
	int rc = apply_record(d, &r, err, errlen);
	if (rc < 0) {
		char ignored[64];
		struct record br;
		size_t boff = 0;
		if (parse_record(backup.data, backup.len, &boff, &br, ignored, sizeof ignored) == 0)
			apply_record(d, &br, ignored, sizeof ignored);
	}
	state_buf_free(&backup);
	return rc;
}

/* Applies every record of a checked buffer in the set's order. */
static int apply_all(struct device_set *s, const struct record *rec, const int *which, char *err,
                     size_t errlen)
{
	for (int i = 0; i < s->n; i++)
		if (apply_record(s->dev[i], &rec[which[i]], err, errlen) < 0)
			return -1;
	return 0;
}

/* Parses and checks a whole buffer: which[i] is the record of device i. */
static int check_all(struct device_set *s, const uint8_t *p, size_t len, struct record *rec,
                     int *which, char *err, size_t errlen)
{
	if (len < 16 || memcmp(p, DEVICE_STATE_MAGIC, 8) != 0) {
		snprintf(err, errlen, "state: not an amber device state (%s)",
		         len < 16 ? "too short" : "bad magic");
		return -1;
	}
	uint32_t format = (uint32_t)get_le(p + 8, 4);
	uint32_t count = (uint32_t)get_le(p + 12, 4);
	if (format != DEVICE_STATE_FORMAT) {
		snprintf(err, errlen, "state: format %u, this amber reads format %u", format,
		         DEVICE_STATE_FORMAT);
		return -1;
	}
	if (count != (uint32_t)s->n) {
		snprintf(err, errlen, "state: %u devices, this machine has %d", count, s->n);
		return -1;
	}
	for (int i = 0; i < s->n; i++)
		which[i] = -1;
	size_t off = 16;
	for (uint32_t k = 0; k < count; k++) {
		if (parse_record(p, len, &off, &rec[k], err, errlen) < 0)
			return -1;
		int i = 0;
		while (i < s->n && strcmp(s->dev[i]->id, rec[k].id) != 0)
			i++;
		if (i == s->n) {
			snprintf(err, errlen, "state: device '%s' is not in this machine", rec[k].id);
			return -1;
		}
		if (which[i] >= 0) {
			snprintf(err, errlen, "state: device '%s' appears twice", rec[k].id);
			return -1;
		}
		if (check_record(s->dev[i], &rec[k], err, errlen) < 0)
			return -1;
		which[i] = (int)k;
	}
	if (off != len) {
		snprintf(err, errlen, "state: %zu stray bytes at the end", len - off);
		return -1;
	}
	return 0;
}

int device_set_load(struct device_set *s, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	struct record *rec = calloc(2 * DEVICE_SET_MAX, sizeof *rec);
	int which[DEVICE_SET_MAX], bwhich[DEVICE_SET_MAX];
	if (!rec) {
		snprintf(err, errlen, "state: out of memory");
		return -1;
	}
	struct record *brec = rec + DEVICE_SET_MAX;
	struct state_buf backup = { 0 };
	int rc = check_all(s, p, len, rec, which, err, errlen);
	if (rc == 0 && device_set_save(s, &backup) < 0) {
		snprintf(err, errlen, "state: out of memory");
		rc = -1;
	} else if (rc == 0) {
		rc = apply_all(s, rec, which, err, errlen);
		if (rc < 0) {
			/* Put the machine back as it was; that state is known good. */
			char ignored[256];
			if (check_all(s, backup.data, backup.len, brec, bwhich, ignored,
			              sizeof ignored) == 0)
				apply_all(s, brec, bwhich, ignored, sizeof ignored);
		}
	}
	state_buf_free(&backup);
	free(rec);
	return rc;
}
