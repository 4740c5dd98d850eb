/* x87 — the floating-point unit's architectural state (SDM Vol 1 ch. 8):
 * eight 80-bit physical registers (which MMX aliases, §9.5), the control,
 * status and tag words, and the last-instruction pointers FSTENV saves. */
#ifndef AMBER_X87_H
#define AMBER_X87_H

#include <stdbool.h>
#include <stdint.h>

#include "f80.h"

/* Status word bits (TOP, bits 13:11, lives in struct x87.top). */
enum {
	FSW_IE = 0x0001, FSW_DE = 0x0002, FSW_ZE = 0x0004, FSW_OE = 0x0008,
	FSW_UE = 0x0010, FSW_PE = 0x0020, FSW_SF = 0x0040, FSW_ES = 0x0080,
	FSW_C0 = 0x0100, FSW_C1 = 0x0200, FSW_C2 = 0x0400, FSW_C3 = 0x4000,
	FSW_B = 0x8000,
	FSW_EXC = 0x003F, FSW_CC = FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3,
};

struct x87 {
	f80 r[8];            /* physical registers R0-R7; ST(i) is r[(top + i) & 7] */
	uint16_t cw;         /* control word */
	uint16_t sw;         /* status word without TOP */
	uint8_t top;
	uint8_t valid;       /* bit n: R n is not empty (the abridged tag word) */
	uint16_t fop;        /* last non-control opcode: 11 bits */
	uint32_t fip, fdp;   /* last non-control instruction and operand offsets */
	uint16_t fcs, fds;   /* and their selectors */
	/* The FERR# output: an unmasked exception is pending (ES).  With
	 * CR0.NE = 0 the PC routes it to IRQ13; with CR0.NE = 1 the CPU raises
	 * #MF itself at the next waiting x87/MMX instruction. */
	bool ferr;
};

/* FNINIT: CW 037Fh, SW 0, every register empty (contents kept),
 * pointers cleared. */
void x87_reset(struct x87 *x);
/* The status word with TOP. */
uint16_t x87_get_sw(const struct x87 *x);
void x87_set_sw(struct x87 *x, uint16_t sw);
/* The full tag word (SDM Vol 1 Figure 8-7), computed from the contents. */
uint16_t x87_get_tw(const struct x87 *x);
/* Loads a full tag word: only "empty" (11b) is kept. */
void x87_set_tw(struct x87 *x, uint16_t tw);
/* Recomputes ES, B and FERR# from the flags and the masks. */
void x87_update_es(struct x87 *x);

struct cpu;
/* A waiting x87 or MMX instruction (or WAIT) with an unmasked exception
 * pending: #MF when CR0.NE = 1 (cpu/exec-x87.c). */
void x87_check_pending(struct cpu *c);
/* Whether the model has an x87 (CPUID.1:EDX.FPU, bit 0). */
#define X87_PRESENT(model) ((model)->cpuid_features & 1)

#endif
