/* vectors — the SingleStepTests files as plain C data: one test at a time
 * from the parsed JSON, the metadata (undefined-flag masks), and the
 * checked-in lists (exclusions, revocations, baselines). */
#ifndef AMBER_CONF_VECTORS_H
#define AMBER_CONF_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* Copies src into dst[len], cut to fit and always terminated. */
void str_copy(char *dst, size_t len, const char *src);

/* The 14 registers, in the order the test files list them. */
enum vreg {
	V_AX, V_BX, V_CX, V_DX, V_CS, V_SS, V_DS, V_ES,
	V_SP, V_BP, V_SI, V_DI, V_IP, V_FLAGS, V_NREGS,
};
extern const char *const vreg_names[V_NREGS];

struct ram_byte {
	uint32_t addr;
	uint8_t val;
};

struct ram_list {
	struct ram_byte *b;
	size_t n, cap;
};

struct vtest {
	long index;              /* test_num / idx, else the position in the file */
	const char *name;        /* disassembly, for messages */
	const char *hash;        /* test_hash / hash, or NULL */
	uint8_t bytes[32];
	unsigned nbytes;
	int modrm_reg;           /* ModR/M reg digit after prefixes and opcode; -1 */
	uint16_t init[V_NREGS];
	uint16_t expect[V_NREGS];/* final value, or the initial one when not listed */
	struct ram_list iram, fram;
	bool has_exc;            /* 286 "exception" key */
	int exc_num;
	uint32_t exc_flag_addr;
};

/* Reads a whole gzip file (plain files pass through zlib unchanged).
 * Returns a malloc'd buffer with one spare byte, or NULL with err set. */
char *vec_read_gz(const char *path, size_t *len, char *err, size_t errlen);

/* Fills *t from one test object; t's ram lists are reused buffers.  Returns 0
 * or -1 with err set. */
int vtest_from_json(const struct json *obj, long pos, struct vtest *t,
                    char *err, size_t errlen);
void vtest_free(struct vtest *t);

/* metadata.json: status and undefined-flag mask per opcode (and reg digit). */
struct vmeta_entry {
	bool present, has_reg;
	uint16_t mask;
	char status[16];
	struct { uint16_t mask; char status[16]; } reg[8];
};

struct vmeta {
	char cpu[16];            /* "8086", "286" */
	struct vmeta_entry op[256];
};

int vmeta_load(struct vmeta *m, const char *path, char *err, size_t errlen);
/* The flags mask of opcode op with ModR/M reg digit reg (-1: none known). */
uint16_t vmeta_mask(const struct vmeta *m, int op, int reg);

/* Narrows mask where the metadata is coarser than the chip (README "Known
 * weak spots"): shifts and rotates by CL (D2, D3) or imm8 (C0, C1) hide OF
 * for every count, but no flag changes at count 0 and OF and CF are defined
 * at count 1.  count_mask is 0x1F where the CPU masks the count (186+). */
uint16_t vtest_shift_mask(uint16_t mask, int op, const struct vtest *t, unsigned count_mask);

/* exclusions.tsv: "set <TAB> file[:reg=A-B] <TAB> reason". */
struct exclusion {
	char set[64];
	char file[16];
	int reg_lo, reg_hi;      /* ModR/M reg digits excluded; -1: the whole file */
	char reason[200];
};

struct exclusions {
	struct exclusion *e;
	size_t n;
};

/* A missing file is an empty list; a malformed line is an error. */
int exclusions_load(struct exclusions *x, const char *path, char *err, size_t errlen);
/* The exclusion that covers file/reg of set, or NULL.  reg -2 asks only for
 * whole-file exclusions. */
const struct exclusion *exclusions_find(const struct exclusions *x, const char *set,
                                        const char *file, int reg);

/* A sorted list of strings: revoked test hashes. */
struct strset {
	char **s;
	size_t n;
};

int strset_load_hashes(struct strset *h, const char *path);
bool strset_has(const struct strset *h, const char *s);
void strset_free(struct strset *h);

/* A baseline: pass count per file name. */
struct baseline {
	struct { char file[16]; long passed; } *e;
	size_t n;
};

int baseline_load(struct baseline *b, const char *path, char *err, size_t errlen);
/* The baseline count of file, or -1 when it has none. */
long baseline_get(const struct baseline *b, const char *file);

#endif
