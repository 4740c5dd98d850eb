/* device — what every hw/ device shares: the class and instance header, IRQ
 * lines as objects, and saved state declared as a versioned field table
 * that one generic serialiser writes and reads for every device.
 *
 * A device is a const struct device_class plus an instance struct whose
 * first member is a struct device.  The class names the device, creates it
 * from a struct device_env (the bus, the clock, its IRQ lines) and its own
 * configuration, resets and destroys it, and describes its saved state.
 *
 * A machine keeps its devices in a struct device_set, in creation order;
 * device_set_save() writes them all into one byte buffer:
 *
 *   "AMBERSTA"  u32 format version  u32 device count
 *   per device: u8 id length, id, u32 state version, u32 payload length, payload
 *
 * every number little-endian; the payload is the device's fields in table
 * order at fixed widths.  device_set_load() checks the whole buffer (magic,
 * format, every device present once, versions, exact lengths) before it
 * changes anything, and if a device's post_load hook rejects its values the
 * machine is put back as it was.  Bad input is an error message, never a
 * crash. */
#ifndef AMBER_DEVICE_H
#define AMBER_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;
struct clock;

/* ---- IRQ lines ---------------------------------------------------------
 *
 * A line belongs to whoever receives it (the PIC owns its 16 inputs, the
 * CPU glue owns INTR); a device that drives a line keeps a pointer to it and
 * calls irq_set_level().  A NULL line is allowed and goes nowhere. */

typedef void irq_handler_fn(void *opaque, int n, bool level);

struct irq_line {
	irq_handler_fn *handler;
	void *opaque;
	int n;      /* which input of the receiver */
	bool level; /* the level last driven */
};

void irq_line_init(struct irq_line *l, irq_handler_fn *handler, void *opaque, int n);
void irq_set_level(struct irq_line *l, bool level);
static inline void irq_raise(struct irq_line *l) { irq_set_level(l, true); }
static inline void irq_lower(struct irq_line *l) { irq_set_level(l, false); }
/* A rising then a falling edge, for edge-triggered inputs. */
static inline void irq_pulse(struct irq_line *l)
{
	irq_set_level(l, true);
	irq_set_level(l, false);
}

/* ---- state description ------------------------------------------------- */

enum state_type {
	ST_U8, ST_U16, ST_U32, ST_U64, ST_I32, ST_I64,
	ST_BOOL,   /* 1 byte on the wire, 0 or 1 */
	ST_TIMER,  /* a struct timer: its deadline (i64 ns, -1 when idle) */
	ST_STRUCT, /* nested: count elements of sub, stride bytes apart */
};

struct state_desc;

struct state_field {
	const char *name;
	uint8_t type;       /* enum state_type */
	uint32_t since;     /* the state version that added the field */
	size_t offset;
	size_t count;       /* array elements (1 for a scalar) */
	size_t stride;      /* bytes between elements */
	const struct state_desc *sub; /* ST_STRUCT */
};

struct state_desc {
	const char *name;
	uint32_t version;     /* what save writes */
	uint32_t min_version; /* the oldest load accepts */
	const struct state_field *fields;
	size_t nfields;
	/* Either may be NULL.  pre_save brings the instance up to date (e.g. a
	 * lazily computed counter); post_load checks what was loaded (indices
	 * in range, modes that exist) and rebuilds derived state.  post_load
	 * returns 0, or -1 with a message in err. */
	void (*pre_save)(void *obj);
	int (*post_load)(void *obj, uint32_t version, char *err, size_t errlen);
};

/* A compile-time check that a member has the size the table says. */
#define STATE_CHECK_(type, m, sz) \
	(0 * sizeof(char[(sizeof(((type *)0)->m) == (sz)) ? 1 : -1]))
#define STATE_ELEM_(type, m) (sizeof(((type *)0)->m[0]))

#define STATE_SCALAR_(type, m, t, sz, v) \
	{ #m, t, v, offsetof(type, m) + STATE_CHECK_(type, m, sz), 1, sz, NULL }
#define STATE_ARRAY_(type, m, n, t, sz, v) \
	{ #m, t, v, offsetof(type, m) + STATE_CHECK_(type, m, (sz) * (n)), n, sz, NULL }

#define STATE_U8(type, m)   STATE_SCALAR_(type, m, ST_U8, 1, 0)
#define STATE_U16(type, m)  STATE_SCALAR_(type, m, ST_U16, 2, 0)
#define STATE_U32(type, m)  STATE_SCALAR_(type, m, ST_U32, 4, 0)
#define STATE_U64(type, m)  STATE_SCALAR_(type, m, ST_U64, 8, 0)
#define STATE_I32(type, m)  STATE_SCALAR_(type, m, ST_I32, 4, 0)
#define STATE_I64(type, m)  STATE_SCALAR_(type, m, ST_I64, 8, 0)
#define STATE_BOOL(type, m) STATE_SCALAR_(type, m, ST_BOOL, sizeof(bool), 0)
#define STATE_U8_ARRAY(type, m, n)  STATE_ARRAY_(type, m, n, ST_U8, 1, 0)
#define STATE_U16_ARRAY(type, m, n) STATE_ARRAY_(type, m, n, ST_U16, 2, 0)
#define STATE_TIMER(type, m) \
	{ #m, ST_TIMER, 0, offsetof(type, m) + STATE_CHECK_(type, m, sizeof(struct timer)), 1, \
	  sizeof(struct timer), NULL }
/* n elements of an array member whose element type has the table sub. */
#define STATE_STRUCT_ARRAY(type, m, n, sub) \
	{ #m, ST_STRUCT, 0, offsetof(type, m) + STATE_CHECK_(type, m, STATE_ELEM_(type, m) * (n)), \
	  n, STATE_ELEM_(type, m), &(sub) }
/* A field added in version v: states of older versions leave it alone. */
#define STATE_U8_SINCE(type, m, v)  STATE_SCALAR_(type, m, ST_U8, 1, v)
#define STATE_U32_SINCE(type, m, v) STATE_SCALAR_(type, m, ST_U32, 4, v)
#define STATE_I64_SINCE(type, m, v) STATE_SCALAR_(type, m, ST_I64, 8, v)

#define STATE_FIELDS(arr) (arr), (sizeof(arr) / sizeof((arr)[0]))

/* A growable byte buffer.  On allocation failure it stops growing and sets
 * oom; the writer checks once at the end. */
struct state_buf {
	uint8_t *data;
	size_t len, cap;
	bool oom;
};

void state_buf_free(struct state_buf *b);

/* One object's fields (no header), at desc->version. */
void state_write(struct state_buf *b, const struct state_desc *d, const void *obj);
/* The payload length of a state of version v. */
size_t state_size(const struct state_desc *d, uint32_t version);
/* Reads exactly state_size(d, version) bytes into obj and runs post_load.
 * Returns 0 or -1 with a message. */
int state_read(const uint8_t *p, const struct state_desc *d, uint32_t version, void *obj,
               char *err, size_t errlen);

/* ---- devices ----------------------------------------------------------- */

/* What a device is given at creation.  irq[] are the lines the device
 * drives, in the order its header documents. */
struct device_env {
	struct bus *bus;
	struct clock *clock;
	struct irq_line *irq[4];
};

struct device;

struct device_class {
	const char *name;
	/* config is the device's own configuration struct (NULL: defaults).
	 * Returns NULL with a message in err. */
	struct device *(*create)(const struct device_env *env, const void *config, char *err,
	                         size_t errlen);
	void (*destroy)(struct device *d);
	void (*reset)(struct device *d); /* NULL: nothing to reset */
	const struct state_desc *state;  /* NULL: nothing to save */
};

/* The first member of every device instance. */
struct device {
	const struct device_class *cls;
	char id[24]; /* unique within a machine; the class name by default */
};

void device_init(struct device *d, const struct device_class *cls);

#define DEVICE_SET_MAX 64

/* A machine's devices, in creation (and save, load and reset) order. */
struct device_set {
	struct device *dev[DEVICE_SET_MAX];
	int n;
};

void device_set_init(struct device_set *s);
/* Returns 0, or -1 when the set is full or the id is taken. */
int device_set_add(struct device_set *s, struct device *d);
struct device *device_set_find(struct device_set *s, const char *id);
void device_set_reset(struct device_set *s);
/* Destroys every device, last created first, and empties the set. */
void device_set_destroy(struct device_set *s);

#define DEVICE_STATE_MAGIC "AMBERSTA"
#define DEVICE_STATE_FORMAT 1

/* Appends every device's state to b.  Returns 0, or -1 out of memory. */
int device_set_save(struct device_set *s, struct state_buf *b);
/* Loads a buffer written by device_set_save.  Returns 0, or -1 with a
 * message in err and every device unchanged. */
int device_set_load(struct device_set *s, const uint8_t *p, size_t len, char *err,
                    size_t errlen);

/* The state of one device alone (tests, debugging), without the set header
 * but with the device header. */
int device_save(struct device *d, struct state_buf *b);
int device_load(struct device *d, const uint8_t *p, size_t len, char *err, size_t errlen);

#endif
