/* cpu — the architectural state of one x86 processor and the reference
 * interpreter that steps it.  The public interface of the cpu/ module. */
#ifndef AMBER_CPU_H
#define AMBER_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "fpu/x87.h"

struct mmu;
struct bus;

enum cpu_model {
	CPU_8086,
	CPU_80286,
	CPU_80386,
	CPU_80486,
	CPU_PENTIUM,
	CPU_PENTIUM2,
	CPU_MODEL_COUNT,
};

/* What sets one generation apart from another.  Every difference the
 * interpreter honours is a field here, read through the predicates in
 * cpu/model.h, not a scattered comparison of model numbers. */
struct cpu_model_info {
	const char *name;        /* -cpu name */
	const char *description;
	uint8_t gen;             /* enum cpu_gen */
	uint8_t bus_bits;        /* address pins: 20, 24 or 32 */
	uint8_t max_insn_len;    /* 0: no limit (8086) */
	uint32_t flags_fixed1;   /* EFLAGS bits that always read as 1 */
	uint32_t flags_writable; /* EFLAGS bits POPF/IRET can change (CPL 0) */
	uint32_t cpuid_family, cpuid_model, cpuid_stepping;
	uint32_t cpuid_features; /* CPUID.1:EDX; 0 with no CPUID */
	uint32_t cr4_valid;      /* CR4 bits the model has */
};

extern const struct cpu_model_info cpu_models[CPU_MODEL_COUNT];
/* Looks a model up by its -cpu name; NULL if there is none. */
const struct cpu_model_info *cpu_model_find(const char *name);

/* General registers in encoding order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };

/* EFLAGS bits. */
enum {
	FL_CF = 1 << 0, FL_PF = 1 << 2, FL_AF = 1 << 4, FL_ZF = 1 << 6,
	FL_SF = 1 << 7, FL_TF = 1 << 8, FL_IF = 1 << 9, FL_DF = 1 << 10,
	FL_OF = 1 << 11, FL_IOPL = 3 << 12, FL_NT = 1 << 14, FL_RF = 1 << 16,
	FL_VM = 1 << 17, FL_AC = 1 << 18, FL_VIF = 1 << 19, FL_VIP = 1 << 20,
	FL_ID = 1 << 21,
	FL_ARITH = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF,
};

/* Exception vectors. */
enum {
	EX_DE = 0, EX_DB = 1, EX_NMI = 2, EX_BP = 3, EX_OF = 4, EX_BR = 5,
	EX_UD = 6, EX_NM = 7, EX_DF = 8, EX_TS = 10, EX_NP = 11, EX_SS = 12,
	EX_GP = 13, EX_PF = 14, EX_MF = 16, EX_AC = 17,
};

/* A segment register with its descriptor cache. */
struct segment {
	uint32_t base;
	uint32_t limit;          /* byte-granular, already scaled */
	uint16_t sel;
	uint16_t attr;           /* descriptor access byte | flags nibble << 8 | SEGA_* */
};

/* Access rights precomputed at a protected-mode load, in attr bits the
 * descriptor does not use, so a data access tests one word (cpu/ea.c):
 * null selectors deny both, code denies writes, execute-only code and
 * system descriptors deny reads too.  Real and V86 loads clear them. */
enum { SEGA_NOREAD = 0x1000, SEGA_NOWRITE = 0x2000, SEGA_DENY = 0x3000 };

/* Lazy flags: the last flag-setting operation, kept as plain data so the
 * arithmetic flags are computed only when read (cpu/flags.c). */
enum lazy_op {
	LF_NONE,    /* cpu->flags holds every arithmetic flag */
	LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC, LF_NEG,
	LF_SHL, LF_SHR, LF_SAR,
	LF_OP_COUNT,
};

struct lazy_flags {
	uint32_t res;     /* result, truncated to size */
	uint32_t dst;     /* first operand */
	uint32_t src;     /* second operand (carry-in folded in for ADC/SBB) */
	uint8_t op;       /* enum lazy_op */
	uint8_t size;     /* operand size in bytes */
	uint8_t carry;    /* ADC/SBB carry-in; shift: the last bit shifted out */
	uint8_t aux;      /* shift count for LF_SH*, so OF and AF are exact */
};

enum cpu_state {
	CPU_RUNNING,
	CPU_HALTED,
	CPU_SHUTDOWN,   /* triple fault */
};

/* What an instruction may change before it faults: restored on a fault so
 * exceptions are precise. */
struct cpu_snapshot {
	uint32_t r[8];
	uint32_t eip;
	uint32_t flags;
	struct lazy_flags lf;
	struct segment seg[6];
	uint8_t cpl;
	bool pmode, code32, stack32;
};

/* The decoded-instruction cache ("decode once", DESIGN.md): keyed as
 * translated blocks will be, by linear EIP and code size; entries are
 * dropped per physical page when the guest writes there. */
#define ICACHE_ENTRIES 2048
struct icache_entry {
	uint32_t lin;            /* linear address of the first byte */
	uint32_t phys_first, phys_last; /* physical pages it was read from */
	uint32_t map_gen;        /* mmu map generation its translation was checked in */
	bool valid;
	bool code32;
	bool user;               /* checked for a CPL-3 fetch */
	struct insn insn;
};

typedef void cpu_trace_fn(void *opaque, struct cpu *c, const struct insn *i,
                          uint32_t cs_base, uint32_t eip);

/* Hot fields first: generated code will reach them at small fixed offsets. */
struct cpu {
	uint32_t r[8];           /* EAX..EDI */
	uint32_t eip;
	uint32_t flags;          /* EFLAGS with the arithmetic bits stale while lf.op != LF_NONE */
	struct lazy_flags lf;
	struct segment seg[6];   /* ES CS SS DS FS GS */
	uint8_t cpl;
	bool pmode;              /* CR0.PE */
	bool code32;             /* CS.D */
	bool stack32;            /* SS.B */
	uint32_t pending;        /* something to do at the next boundary (IRQ, halt, stop) */

	uint32_t cr0, cr2, cr3, cr4;
	struct { uint32_t base; uint16_t limit; } gdtr, idtr;
	struct segment ldtr, tr;
	uint32_t dr[8];
	uint64_t tsc;            /* TSC offset: RDTSC = tsc + the time source's count */
	/* The virtual clock in ns (hw/clock), set by the machine; without it
	 * the TSC counts retired instructions. */
	int64_t (*time_ns)(void *opaque);
	void *time_opaque;
	uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
	struct x87 fpu;          /* x87 and MMX state (cpu/fpu/x87.h) */
	struct {                 /* P6 MTRRs (MSRs 2FFh, 250h-26Fh, 200h-20Fh) */
		uint64_t def_type, fixed[11], base[8], mask[8];
	} mtrr;

	const struct cpu_model_info *model;
	struct decode_mode dmode;
	struct mmu *mmu;
	struct bus *bus;
	enum cpu_state state;
	uint64_t icount;         /* instructions retired (each REP iteration counts) */
	uint64_t run_end;        /* cpu_run's budget ends at this icount */

	/* Interrupt request line: the PIC (later) answers cpu_irq_ack. */
	bool intr;
	int (*irq_ack)(void *opaque);
	void *irq_opaque;

	/* The instruction being executed: where it started, for precise faults. */
	uint32_t insn_eip;
	struct insn *cur;
	uint32_t ea_off;         /* effective address of the memory operand */
	uint8_t ea_seg;
	bool ea_valid;           /* ea_off/ea_seg computed for this instruction */
	bool keep_progress;      /* a fault rewinds only EIP (REP strings) */
	bool inhibit_irq;        /* after MOV SS / POP SS / STI: one instruction */
	bool inhibit_debug;      /* after MOV SS / POP SS: no single-step trap either */
	int fault_depth;         /* exceptions being delivered (for #DF, triple fault) */
	bool event_ext;          /* delivering an external event: faults set EXT in their error code */
	int fault_depth_vector;  /* the one being delivered */
	uint32_t next_eip;       /* EIP after the instruction */
	jmp_buf *fault_jmp;
	struct cpu_snapshot snap;
	int fault_vector;        /* the exception being raised */
	uint32_t fault_error;
	bool fault_has_error;

	/* The last interrupt or exception delivered (for tests and the tracer). */
	int last_vector;         /* -1: none since cpu_clear_last_event */
	uint32_t last_flags_addr;/* linear address where FLAGS was pushed */

	cpu_trace_fn *trace;
	void *trace_opaque;

	/* The debugger's breakpoints (frontend/gdbstub.c): when set, cpu_run
	 * asks before each instruction whether its linear address
	 * (CS.base + EIP) is one and, if so, returns without executing it.
	 * Asked before the fetch, so no decoded (later: translated) copy of
	 * the code can hide a breakpoint: the translator must ask it before
	 * each instruction of a block, or end its blocks at breakpoints. */
	bool (*break_at)(void *opaque, uint32_t lin);
	void *break_opaque;

	struct icache_entry icache[ICACHE_ENTRIES];
};

void cpu_init(struct cpu *c, const struct cpu_model_info *model,
              struct mmu *mmu, struct bus *bus);
/* The reset state: CS:IP = F000:FFF0, CS base FFFF0000 (386+) or F0000. */
void cpu_reset(struct cpu *c);

/* Executes one instruction (a whole REP string unless an interrupt becomes
 * pending) or delivers one pending interrupt.  Returns the CPU state. */
enum cpu_state cpu_step(struct cpu *c);
/* Steps until max instructions retired, a HLT with interrupts off, or a
 * shutdown.  Returns the number executed. */
uint64_t cpu_run(struct cpu *c, uint64_t max);

uint32_t cpu_get_flags(struct cpu *c);
/* Loads EFLAGS (all bits, as a debugger or test harness does: no privilege
 * checks; fixed bits of the model applied). */
void cpu_set_flags(struct cpu *c, uint32_t v);
/* Loads a segment register as real mode (and V86) do: base = sel << 4. */
void cpu_load_seg_real(struct cpu *c, int seg, uint16_t sel);
void cpu_set_irq(struct cpu *c, bool level);
/* Bits of c->pending. */
enum {
	CPU_PENDING_STOP = 1 << 0, /* cpu_run returns before the next instruction */
	/* A debugger single-step (frontend/gdbstub.c): not a stop, but like any
	 * pending work it makes a REP string end its burst after one iteration,
	 * so a step is one iteration, as hardware's TF trap is. */
	CPU_PENDING_STEP = 1 << 1,
};
/* Makes cpu_run return at the next instruction boundary (a device asking
 * the machine to stop, a debugger interrupt). */
static inline void cpu_request_stop(struct cpu *c)
{
	c->pending |= CPU_PENDING_STOP;
}
/* Drops every decoded instruction (after a host-side write to guest code
 * that bypassed the mmu, e.g. loading a test's memory image). */
void cpu_flush_decoded(struct cpu *c);

/* The instruction tracer (--trace): Capstone disassembly of each executed
 * instruction and the registers it changed.  Install with
 * c->trace = tracer_hook, c->trace_opaque = tracer_new(stderr). */
struct tracer;
struct tracer *tracer_new(FILE *out);
void tracer_free(struct tracer *t);
void tracer_hook(void *opaque, struct cpu *c, const struct insn *i, uint32_t cs_base,
                 uint32_t eip);
/* Prints the changes of the last traced instruction. */
void tracer_flush(struct tracer *t, struct cpu *c);

/* Writes a one-line register summary. */
void cpu_dump(struct cpu *c, FILE *f);

#endif
