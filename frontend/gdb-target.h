/* gdb-target — the registers amber shows gdb and the target description
 * (target.xml) that names them; see frontend/gdbstub.md. */
#ifndef AMBER_GDB_TARGET_H
#define AMBER_GDB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;

/* Registers in gdb's numbering: the order of target.xml. */
enum {
	GDB_REG_EAX = 0,          /* eax ecx edx ebx esp ebp esi edi */
	GDB_REG_EIP = 8,
	GDB_REG_EFLAGS = 9,
	GDB_REG_CS = 10,          /* cs ss ds es fs gs */
	GDB_REG_ST0 = 16,         /* st0-st7, 10 bytes each */
	GDB_REG_FCTRL = 24,       /* fctrl fstat ftag fiseg fioff foseg fooff fop */
	GDB_REG_CR0 = 32,         /* cr0 cr2 cr3 cr4 (feature org.amber.i386.sys) */
	GDB_REG_COUNT = 36,
	GDB_REG_MAX_SIZE = 10,
};

/* How eip is shown: as EIP (flat) or as the linear address CS.base + EIP,
 * which in real and V86 mode is CS*16+IP (monitor real on). */
struct gdb_view {
	bool linear_pc;
};

/* The size in bytes of register n, or 0 when there is none. */
unsigned gdb_reg_size(int n);
/* Reads register n in target byte order (little-endian); returns its size,
 * 0 when there is no register n. */
unsigned gdb_reg_read(struct cpu *c, const struct gdb_view *v, int n, uint8_t *buf);
/* Writes register n from buf (gdb_reg_size(n) bytes).  Returns 0, or -1
 * when amber refuses the value (e.g. a new selector in protected mode, CR0.PE). */
int gdb_reg_write(struct cpu *c, const struct gdb_view *v, int n, const uint8_t *buf);
/* The size of the 'g' packet's register block. */
unsigned gdb_regs_size(void);

/* The target description: architecture "i386", or "i8086" so gdb
 * disassembles 16-bit code. */
const char *gdb_target_xml(bool i8086, size_t *len);

#endif
