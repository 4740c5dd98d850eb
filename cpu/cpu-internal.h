/* Helpers shared by the interpreter's files: register and operand access,
 * segmented memory, the stack, lazy flags, faults.  Internal to cpu/. */
#ifndef AMBER_CPU_INTERNAL_H
#define AMBER_CPU_INTERNAL_H

#include "cpu.h"
#include "model.h"
#include "mmu.h"
#include "bus.h"

#define NORETURN _Noreturn

static inline uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static inline uint32_t sign_bit(unsigned size)
{
	return 1u << (8 * size - 1);
}

static inline uint32_t sext(uint32_t v, unsigned size)
{
	return size == 1 ? (uint32_t)(int8_t)v : size == 2 ? (uint32_t)(int16_t)v : v;
}

/* Registers by encoding: for byte size, 4-7 are AH CH DH BH. */
static inline uint32_t reg_get(const struct cpu *c, unsigned r, unsigned size)
{
	if (size == 1)
		return r < 4 ? c->r[r] & 0xFF : (c->r[r - 4] >> 8) & 0xFF;
	return size == 2 ? c->r[r] & 0xFFFF : c->r[r];
}

static inline void reg_set(struct cpu *c, unsigned r, unsigned size, uint32_t v)
{
	if (size == 1) {
		if (r < 4)
			c->r[r] = (c->r[r] & ~0xFFu) | (v & 0xFF);
		else
			c->r[r - 4] = (c->r[r - 4] & ~0xFF00u) | ((v & 0xFF) << 8);
	} else if (size == 2) {
		c->r[r] = (c->r[r] & ~0xFFFFu) | (v & 0xFFFF);
	} else {
		c->r[r] = v;
	}
}

/* ---- faults (interp.c) ---- */
/* Raises an exception: leaves the instruction through the one fault path. */
NORETURN void cpu_fault(struct cpu *c, int vector, uint32_t error);
NORETURN void cpu_fault_noerr(struct cpu *c, int vector);
#define cpu_ud(c) cpu_fault_noerr((c), EX_UD)
#define cpu_gp0(c) cpu_fault((c), EX_GP, 0)
/* Delivers an interrupt or exception now (real mode: through the IVT).
 * return_eip is what is pushed. */
void cpu_interrupt(struct cpu *c, int vector, uint32_t return_eip, bool soft,
                   bool has_error, uint32_t error);
/* INT n (int_n), INT3, INTO: in V86 mode INT n is IOPL-sensitive and,
 * with CR4.VME, redirected by the TSS bitmap (intr.c). */
void cpu_soft_interrupt(struct cpu *c, int vector, bool int_n);
/* From here on a fault keeps the registers as they are and only rewinds
 * EIP: a REP string instruction restarts with its completed iterations
 * done (SDM Vol 2 REP). */
static inline void cpu_fault_keeps_progress(struct cpu *c)
{
	c->keep_progress = true;
}

/* ---- memory through segments (ea.c) ---- */
uint32_t seg_read(struct cpu *c, unsigned seg, uint32_t off, unsigned size);
void seg_write(struct cpu *c, unsigned seg, uint32_t off, unsigned size, uint32_t v);
/* Checks that [off, off+size) is accessible for writing (or reading),
 * faulting as the access would; for instructions that must not leave a
 * partial result. */
void seg_check(struct cpu *c, unsigned seg, uint32_t off, unsigned size, bool write);
bool seg_in_limit(const struct cpu *c, unsigned seg, uint32_t off, unsigned size);
/* Computes the effective address of i's memory operand into c->ea_off and
 * c->ea_seg (segment override applied). */
void ea_compute(struct cpu *c, const struct insn *i);
/* The r/m operand of width size (register or memory). */
uint32_t rm_read(struct cpu *c, const struct insn *i, unsigned size);
void rm_write(struct cpu *c, const struct insn *i, unsigned size, uint32_t v);
/* Read-modify-write: rm_read_rmw computes the EA once; rm_write reuses it. */
uint32_t fetch_code(struct cpu *c, uint32_t off, unsigned size);

/* ---- the stack (exec-stack.c) ---- */
void cpu_push(struct cpu *c, unsigned size, uint32_t v);
uint32_t cpu_pop(struct cpu *c, unsigned size);
/* Reads the stack at SP + off without moving SP. */
uint32_t cpu_stack_peek(struct cpu *c, uint32_t off, unsigned size);
void cpu_stack_adjust(struct cpu *c, int32_t delta);
static inline uint32_t stack_mask(const struct cpu *c)
{
	return c->stack32 ? 0xFFFFFFFFu : 0xFFFFu;
}

/* ---- segment loads (exec-system.c) ---- */
/* Loads a segment register as a MOV/POP would in the current mode. */
void cpu_load_seg(struct cpu *c, unsigned seg, uint16_t sel);
/* Far transfer: loads CS:EIP (real mode for now; protected mode grows here). */
void cpu_jump_far(struct cpu *c, uint16_t sel, uint32_t eip);

/* ---- lazy flags (flags.c) ---- */
void flags_materialize(struct cpu *c);
bool flag_cf(const struct cpu *c);
bool flag_pf(const struct cpu *c);
bool flag_af(const struct cpu *c);
bool flag_zf(const struct cpu *c);
bool flag_sf(const struct cpu *c);
bool flag_of(const struct cpu *c);
/* Condition code cc (0-15, as in Jcc/SETcc/CMOVcc). */
bool cpu_cond(const struct cpu *c, unsigned cc);
bool parity8(uint32_t v);

static inline void lazy_set(struct cpu *c, enum lazy_op op, unsigned size,
                            uint32_t dst, uint32_t src, uint32_t res)
{
	c->lf.op = op;
	c->lf.size = size;
	c->lf.dst = dst;
	c->lf.src = src;
	c->lf.res = res & size_mask(size);
}

/* Sets the arithmetic flags directly (bits of FL_ARITH in mask from v). */
void flags_set_arith(struct cpu *c, uint32_t mask, uint32_t v);
/* Sets SF, ZF and PF from a result and clears or sets the others from v. */
void flags_szp(struct cpu *c, uint32_t res, unsigned size, uint32_t others_mask,
               uint32_t others);

/* ---- the ALU family helper (exec-alu.c) ---- */
enum alu_kind { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
uint32_t alu(struct cpu *c, enum alu_kind k, unsigned size, uint32_t a, uint32_t b);

/* ---- I/O (exec-system.c) ---- */
uint32_t cpu_io_in(struct cpu *c, uint16_t port, unsigned size);
void cpu_io_out(struct cpu *c, uint16_t port, unsigned size, uint32_t v);

/* The address size mask of the instruction. */
static inline uint32_t addr_mask(const struct insn *i)
{
	return i->asize == 4 ? 0xFFFFFFFFu : 0xFFFFu;
}

/* The segment of a memory operand with the default seg_default. */
static inline unsigned seg_or(const struct insn *i, unsigned seg_default)
{
	return i->seg != SEG_NONE ? i->seg : seg_default;
}


/* ---- descriptors (seg.c) ---- */
/* Fields of a descriptor's access byte (SDM Vol 3 §3.4.5, §3.5). */
#define D_ACC(d)        ((unsigned)((d) >> 40) & 0xFF)
#define A_TYPE(a)       ((a) & 0xF)
#define A_S(a)          (((a) >> 4) & 1)
#define A_DPL(a)        (((a) >> 5) & 3)
#define A_P(a)          (((a) >> 7) & 1)
#define A_CODE(a)       (A_S(a) && ((a) & 0x8))
#define A_CONFORMING(a) (A_CODE(a) && ((a) & 0x4))
#define A_READABLE(a)   (A_S(a) && (!((a) & 0x8) || ((a) & 0x2)))
#define A_WRITABLE(a)   (A_S(a) && !((a) & 0x8) && ((a) & 0x2))
/* System descriptor types (S = 0). */
enum {
	DT_TSS16 = 1, DT_LDT = 2, DT_TSS16_BUSY = 3, DT_CALL16 = 4, DT_TASK = 5,
	DT_INT16 = 6, DT_TRAP16 = 7, DT_TSS32 = 9, DT_TSS32_BUSY = 0xB, DT_CALL32 = 0xC,
	DT_INT32 = 0xE, DT_TRAP32 = 0xF,
};
/* The 80286 knows only the 16-bit system types (no 386 TSS or gates). */
static inline bool sys_type_exists(const struct cpu *c, unsigned type)
{
	return !(type & 0x8) || c->model->gen >= GEN_386;
}
/* Reads the descriptor of sel from the GDT or LDT; false when it lies
 * beyond the table (or the LDT is null). */
bool desc_fetch(struct cpu *c, uint16_t sel, uint64_t *d);
/* The same, faulting with vector(sel) beyond the table; desc_read: #GP. */
uint64_t desc_load(struct cpu *c, uint16_t sel, int vector);
uint64_t desc_read(struct cpu *c, uint16_t sel);
void desc_set_accessed(struct cpu *c, uint16_t sel);
/* Sets or clears the busy bit of the TSS descriptor sel (in the GDT). */
void desc_set_busy(struct cpu *c, uint16_t sel, bool busy);
/* The descriptor cache of d, SEGA_* access bits included. */
struct segment desc_to_cache(uint64_t d, uint16_t sel);
/* A null selector's cache: every access faults. */
struct segment seg_null(uint16_t sel);
/* Loads a segment register as real and V86 mode do: base = sel << 4. */
void seg_load_real(struct cpu *c, unsigned seg, uint16_t sel);
/* Loads a data segment or SS in protected mode as privilege level cpl with
 * every check of SDM Vol 2 MOV; bad selectors fault with vector bad (#GP for
 * MOV/POP/RET/IRET, #TS for a task's segments and a gate's new stack),
 * absent ones with #NP (#SS for SS). */
void seg_load_checked(struct cpu *c, unsigned seg, uint16_t sel, unsigned cpl, int bad);
/* After a return to an outer level: data segments the new CPL may not use
 * become null (SDM Vol 2 RET, IRET). */
void seg_null_outer(struct cpu *c);
uint64_t check_code_target(struct cpu *c, uint16_t sel);
void cpu_load_cs(struct cpu *c, uint16_t sel, uint64_t d, unsigned cpl);
/* The SS:ESP of privilege level cpl in the current TSS. */
void tss_stack(struct cpu *c, unsigned cpl, uint16_t *ss, uint32_t *esp);
/* An inward call or interrupt: loads SS:ESP of level cpl from the TSS,
 * checked as SDM Vol 3 §5.8.5/§6.12.1 say (#TS, #SS), with room for frame
 * bytes.  The caller saved the old SS:ESP. */
void stack_switch_inner(struct cpu *c, unsigned cpl, uint32_t frame);

/* ---- task switches (task.c) ---- */
enum task_reason { TASK_JMP, TASK_CALL, TASK_INT, TASK_IRET };
/* Switches to the task whose TSS descriptor (sel, d) the caller found and
 * checked for privilege (SDM Vol 3 §7.3).  ret_eip is the EIP saved for the
 * old task; an INT through a task gate pushes error on the new stack. */
void task_switch(struct cpu *c, uint16_t sel, uint64_t d, enum task_reason why,
                 uint32_t ret_eip, bool has_error, uint32_t error);
/* The state so far becomes the one a fault returns to (a task switch past
 * its commit point: SDM Vol 3 §7.3 step 13). */
void cpu_commit_state(struct cpu *c);

/* ---- paging control (exec-system.c) ---- */
int cpu_set_paging(struct cpu *c, uint32_t cr0, uint32_t cr3, uint32_t cr4);
void cpu_load_cr3(struct cpu *c, uint32_t v);

/* ---- flags loads (exec-stack.c) ---- */
uint32_t flags_loadable(const struct cpu *c, unsigned size);
void cpu_load_flags(struct cpu *c, uint32_t v, uint32_t mask);

#endif
