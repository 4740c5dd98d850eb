/* Named predicates over the CPU model table: every difference between
 * generations that the interpreter honours is asked here. */
#ifndef AMBER_MODEL_H
#define AMBER_MODEL_H

#include "cpu.h"

static inline bool model_is_8086(const struct cpu *c) { return c->model->gen == GEN_8086; }
/* 80186+: shift and rotate counts are masked to 5 bits (SDM Vol 2 SAL/SAR/SHL/SHR). */
static inline bool model_masks_shift_count(const struct cpu *c) { return c->model->gen >= GEN_186; }
/* 80286+: PUSH SP pushes SP as it was before the push. */
static inline bool model_push_sp_old(const struct cpu *c) { return c->model->gen >= GEN_286; }
/* 80286+: faults push the address of the faulting instruction; the 8086
 * pushes the next one (for divide error, its only fault). */
static inline bool model_fault_restarts(const struct cpu *c) { return c->model->gen >= GEN_286; }
/* 80286+: an access that runs past a segment's limit (a word at offset
 * FFFFh in real mode) faults; the 8086 wraps inside the segment. */
static inline bool model_checks_limits(const struct cpu *c) { return c->model->gen >= GEN_286; }
/* 80286: a stack-segment limit violation in real mode raises #GP, not #SS
 * (the 286 real-mode vectors: POP/POPA at SP=FFFFh take vector 13). */
static inline bool model_real_stack_fault_is_gp(const struct cpu *c) { return c->model->gen == GEN_286; }
/* 80286+: IDIV accepts the most negative quotient (-128/-32768); the 8086
 * raises #DE for it. */
static inline bool model_idiv_min_quotient(const struct cpu *c) { return c->model->gen >= GEN_286; }
/* 8086: a REP prefix on IDIV/IMUL negates the result (microcode quirk). */
static inline bool model_rep_negates_mul(const struct cpu *c) { return c->model->gen == GEN_8086; }
/* 8086: D0-D3 /6 is SETMO/SETMOC (all ones), not SAL. */
static inline bool model_has_setmo(const struct cpu *c) { return c->model->gen == GEN_8086; }
/* 386+: the 32-bit registers, FS/GS and the 66h/67h prefixes exist. */
static inline bool model_has_32bit(const struct cpu *c) { return c->model->gen >= GEN_386; }
/* 80286: a string instruction's limit fault is reported after the pointer
 * of the faulting access (SI or DI) has advanced (286 real-mode vectors:
 * MOVSW at SI=FFFFh faults with SI=0001h). */
static inline bool model_string_fault_advances(const struct cpu *c) { return c->model->gen == GEN_286; }

#endif
