/* decode — bytes and mode in, a plain struct insn out.  Pure: no CPU state,
 * no memory access.  Driven by the opcode tables in cpu/optable.c, the single
 * source of truth that the interpreter, the tracer and (later) the translator
 * all read. */
#ifndef AMBER_DECODE_H
#define AMBER_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct insn;

typedef void exec_fn(struct cpu *c, struct insn *i);

/* Operand-form flags of an opcode entry, named after the Intel manual's
 * operand codes where one exists. */
enum {
	F_MODRM   = 1 << 0,  /* has a ModR/M byte */
	F_GROUP   = 1 << 1,  /* ModR/M.reg selects an entry of .group */
	F_PREFIX  = 1 << 2,  /* a prefix byte, not an instruction */
	F_LOCKABLE    = 1 << 3,  /* LOCK allowed (with a memory destination) */
	F_MEMONLY = 1 << 4,  /* register form is #UD (LEA, LES, BOUND, ...) */
	F_REGONLY = 1 << 5,  /* memory form is #UD (MOV CRn, ...) */
	F_ESC_0F  = 1 << 6,  /* the 0F escape into the two-byte map */
	F_STRING  = 1 << 7,  /* string instruction: REP prefixes apply */
	F_BRANCH  = 1 << 8,  /* ends a basic block (control transfer) */
	F_X87     = 1 << 9,  /* D8-DF coprocessor escape */
	F_IO      = 1 << 10, /* IN/OUT/INS/OUTS: IOPL-checked in protected mode */
	F_PRIV    = 1 << 11, /* CPL 0 only in protected mode */
	F_MODE    = 1 << 12, /* may change mode, paging or code size: ends a block */
	F_MAP38   = 1 << 13, /* 0F 38: a third opcode byte, then ModR/M */
	F_MAP3A   = 1 << 14, /* 0F 3A: a third opcode byte, ModR/M and Ib */
	F_NOMEM   = 1 << 15, /* memory form is #UD, mod kept (MMX shifts by Ib) */
};

/* Immediate forms. */
enum imm_form {
	I_NONE,
	I_B,     /* Ib / Jb: one byte */
	I_W,     /* Iw: two bytes */
	I_V,     /* Iv / Iz / Jz: two or four bytes by operand size */
	I_AP,    /* Ap: far pointer, offset (Iv) then selector (Iw) */
	I_O,     /* Ob/Ov moffs: two or four bytes by address size */
	I_WB,    /* ENTER: Iw then Ib */
};

/* Operand width of the instruction's main operand. */
enum op_width {
	W_NONE,
	W_B,     /* byte */
	W_V,     /* word or dword by operand size */
	W_W,     /* always a word */
	W_D,     /* always a dword */
};

/* CPU generations, oldest first: an opcode exists from .gen on. */
enum cpu_gen { GEN_8086, GEN_186, GEN_286, GEN_386, GEN_486, GEN_586, GEN_686 };

struct opdef {
	const char *name;
	uint16_t flags;
	uint8_t imm;             /* enum imm_form */
	uint8_t width;           /* enum op_width */
	uint8_t gen;             /* enum cpu_gen: first generation that has it */
	uint8_t ungen;           /* first generation that no longer has it (0: all do) */
	exec_fn *exec;
	const struct opdef *group; /* F_GROUP: 8 entries by ModR/M.reg */
};

/* What the decoder needs to know of the machine. */
struct decode_mode {
	bool code32;        /* default operand and address size is 32 bits */
	uint8_t gen;        /* enum cpu_gen of the CPU model */
	uint8_t max_len;    /* longest legal instruction; 0 = no limit (8086) */
};

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 0xFF };
enum { EA_NONE = 0xFF };

struct insn {
	const struct opdef *def; /* the entry executed (after group selection) */
	uint16_t op;             /* opcode: 0x000-0x0FF one-byte map, 0x1xx for 0F xx */
	uint8_t len;             /* total length in bytes, prefixes included */
	uint8_t nprefix;         /* number of prefix bytes */
	uint8_t osize;           /* operand size of the instruction: 2 or 4 */
	uint8_t asize;           /* address size: 2 or 4 */
	uint8_t width;           /* main operand width in bytes: 1, 2 or 4 (0: none) */
	uint8_t seg;             /* segment override, or SEG_NONE */
	uint8_t rep;             /* 0, 0xF2 (REPNE) or 0xF3 (REP/REPE) */
	bool lock;
	bool has_modrm, has_sib;
	uint8_t modrm, mod, reg, rm, sib;
	/* Effective address (memory forms): base and index registers or EA_NONE,
	 * scale as a shift count, default segment (SS for BP/SP-based forms). */
	uint8_t ea_base, ea_index, ea_scale, ea_seg;
	uint32_t disp;
	uint32_t imm;            /* first immediate, zero-extended */
	uint32_t imm2;           /* second immediate (Ap selector, ENTER level) */
};

enum decode_status {
	DECODE_OK = 0,
	DECODE_MORE,     /* needs more bytes than avail: fetch byte [avail] and retry */
	DECODE_TOO_LONG, /* longer than mode->max_len */
};

/* Decodes one instruction from bytes[0..avail).  On DECODE_OK *out is
 * complete.  An opcode this generation does not have still decodes (with the
 * #UD-raising entry), so the length is always known. */
enum decode_status decode_insn(const uint8_t *bytes, unsigned avail,
                               const struct decode_mode *mode, struct insn *out);

/* The opcode tables (cpu/optable.c). */
extern const struct opdef optable_1byte[256];
extern const struct opdef optable_0f[256];
/* The entry for an opcode the CPU generation does not have. */
extern const struct opdef opdef_ud;
/* 0F on the 8086, before it became the two-byte escape. */
extern const struct opdef opdef_pop_cs;

#endif
