/* A tiny machine for the unit tests: one CPU, RAM, an empty I/O bus.
 *
 * Real-mode layout used by the tests (all inside the first MiB):
 *   0000:0000  the IVT
 *   1000:0000  code (MACHINE_CODE_SEG)
 *   2000:FFFE  the stack (SS = MACHINE_STACK_SEG, SP = FFFE)
 *   3000:0000  data (DS = ES = MACHINE_DATA_SEG)
 *   4000:0000  interrupt handlers (machine_set_ivt points vectors here) */
#ifndef AMBER_TEST_MACHINE_H
#define AMBER_TEST_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "cpu.h"
#include "mmu.h"

enum {
	MACHINE_RAM = 2u << 20,
	MACHINE_CODE_SEG = 0x1000,
	MACHINE_STACK_SEG = 0x2000,
	MACHINE_DATA_SEG = 0x3000,
	MACHINE_HANDLER_SEG = 0x4000,
};

struct machine {
	struct mmu mmu;
	struct bus bus;
	struct cpu cpu;
};

/* Sets up RAM and the CPU (model by -cpu name) in the real-mode layout
 * above, with CS:IP = 1000:0000 and EFLAGS = the model's fixed bits. */
void machine_init(struct machine *m, const char *model);
void machine_free(struct machine *m);
/* A fresh CPU (cpu_init) in the same layout, the IVT rewritten; RAM is
 * otherwise kept. */
void machine_reset(struct machine *m, const char *model);

/* Flat 32-bit code: CS, DS, ES, SS with base 0, limit FFFFFFFF and the
 * D/B bits set, EIP = eip, ESP = esp.  Still real mode (no descriptors):
 * it is the decode and execute paths the tests want, not segmentation. */
void machine_flat32(struct machine *m, uint32_t eip, uint32_t esp);

/* Writes bytes at CS:IP (CS = seg) and points CS:IP there. */
void machine_code(struct machine *m, uint16_t seg, uint32_t ip, const uint8_t *bytes, size_t n);
/* The same at a linear address, for flat code; EIP = la. */
void machine_code_flat(struct machine *m, uint32_t la, const uint8_t *bytes, size_t n);

/* Bytes for a test: BYTES(0x90, 0xF4) expands to a pointer and a count. */
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* machine_init points every IVT entry v at MACHINE_HANDLER_SEG:(4 * v),
 * where a HLT is: an interrupt or exception stops the run there, and
 * c->last_vector tells which it was. */
static inline uint16_t handler_off(int vector)
{
	return (uint16_t)(vector * 4);
}

/* Points IVT entry vector at MACHINE_HANDLER_SEG:off, where a HLT is written. */
void machine_set_ivt(struct machine *m, int vector, uint16_t off);

/* Runs up to n instructions; returns the number executed. */
uint64_t machine_run(struct machine *m, uint64_t n);

/* Linear memory helpers. */
void mem_write(struct machine *m, uint32_t la, const void *p, size_t n);
uint8_t mem8(struct machine *m, uint32_t la);
uint16_t mem16(struct machine *m, uint32_t la);
uint32_t mem32(struct machine *m, uint32_t la);

/* The linear address of seg:off in the real-mode layout. */
static inline uint32_t lin(uint16_t seg, uint32_t off)
{
	return ((uint32_t)seg << 4) + off;
}

#endif
