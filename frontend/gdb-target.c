/* gdb-target — registers and target.xml.
 *
 * The core feature is gdb's own i386 one (gdb/features/i386/32bit-core.xml):
 * gdb's i386 architecture insists on all 32 of its registers, the x87 ones
 * included, so they are always described; a CPU model without an x87 shows
 * the FNINIT state there.  SSE is not described (the CPU has none yet).
 * The control registers are a feature of amber's own, which gdb shows as
 * $cr0 $cr2 $cr3 $cr4 (info registers system). */
#include "gdb-target.h"

#include <string.h>

#include "cpu.h"
#include "mmu.h"

static const uint8_t gdb_seg_order[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };

unsigned gdb_reg_size(int n)
{
	if (n < 0 || n >= GDB_REG_COUNT)
		return 0;
	if (n >= GDB_REG_ST0 && n < GDB_REG_ST0 + 8)
		return 10;
	return 4;
}

unsigned gdb_regs_size(void)
{
	unsigned s = 0;
	for (int n = 0; n < GDB_REG_COUNT; n++)
		s += gdb_reg_size(n);
	return s;
}

static void put32(uint8_t *b, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		b[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get32(const uint8_t *b)
{
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool real_segments(const struct cpu *c)
{
	return !c->pmode || (c->flags & FL_VM);
}

unsigned gdb_reg_read(struct cpu *c, const struct gdb_view *v, int n, uint8_t *buf)
{
	unsigned size = gdb_reg_size(n);
	if (!size)
		return 0;
	if (n < 8) {
		put32(buf, c->r[n]);
	} else if (n == GDB_REG_EIP) {
		put32(buf, v->linear_pc ? c->seg[SEG_CS].base + c->eip : c->eip);
	} else if (n == GDB_REG_EFLAGS) {
		put32(buf, cpu_get_flags(c));
	} else if (n < GDB_REG_ST0) {
		put32(buf, c->seg[gdb_seg_order[n - GDB_REG_CS]].sel);
	} else if (n < GDB_REG_FCTRL) {
		const f80 *r = &c->fpu.r[(c->fpu.top + (n - GDB_REG_ST0)) & 7];
		for (int k = 0; k < 8; k++)
			buf[k] = (uint8_t)(r->sig >> (8 * k));
		buf[8] = (uint8_t)r->se;
		buf[9] = (uint8_t)(r->se >> 8);
	} else if (n < GDB_REG_CR0) {
		const struct x87 *x = &c->fpu;
		uint32_t val[8] = { x->cw, x87_get_sw(x), x87_get_tw(x), x->fcs, x->fip,
		                    x->fds, x->fdp, x->fop };
		put32(buf, val[n - GDB_REG_FCTRL]);
	} else {
		uint32_t val[4] = { c->cr0, c->cr2, c->cr3, c->cr4 };
		put32(buf, val[n - GDB_REG_CR0]);
	}
	return size;
}

/* Control registers: CR2 freely; CR0, CR3 and CR4 through the mmu, which
 * refuses PAE tables with reserved bits.  Switching CR0.PE from the
 * debugger would leave the segment caches of the other mode, so it is
 * refused. */
static int write_cr(struct cpu *c, int k, uint32_t val)
{
	uint32_t cr[4] = { c->cr0, c->cr2, c->cr3, c->cr4 };
	cr[k] = val;
	if (k == 1) {
		c->cr2 = val;
		return 0;
	}
	if ((cr[0] ^ c->cr0) & 1)
		return -1;
	if ((cr[0] & 0x80000000u) && !(cr[0] & 1))
		return -1;
	if (mmu_set_paging(c->mmu, cr[0], cr[2], cr[3]) < 0) {
		mmu_set_paging(c->mmu, c->cr0, c->cr3, c->cr4);
		return -1;
	}
	c->cr0 = cr[0];
	c->cr3 = cr[2];
	c->cr4 = cr[3];
	cpu_flush_decoded(c);
	return 0;
}

int gdb_reg_write(struct cpu *c, const struct gdb_view *v, int n, const uint8_t *buf)
{
	if (!gdb_reg_size(n))
		return -1;
	uint32_t val = get32(buf);
	if (n < 8) {
		c->r[n] = val;
	} else if (n == GDB_REG_EIP) {
		uint32_t off = v->linear_pc ? val - c->seg[SEG_CS].base : val;
		/* A linear pc beyond the reach of CS in real mode: CS:IP with
		 * CS = the 64 KiB block of the address, so CS*16+IP is it. */
		if (v->linear_pc && real_segments(c) && off > 0xFFFF && val <= 0xFFFFF) {
			cpu_load_seg_real(c, SEG_CS, (uint16_t)((val >> 4) & 0xF000));
			off = val & 0xFFFF;
		}
		c->eip = c->code32 ? off : off & 0xFFFF;
	} else if (n == GDB_REG_EFLAGS) {
		cpu_set_flags(c, val);
	} else if (n < GDB_REG_ST0) {
		int s = gdb_seg_order[n - GDB_REG_CS];
		uint16_t sel = (uint16_t)val;
		if (sel == c->seg[s].sel)
			return 0;
		/* A protected-mode selector needs a descriptor load with all its
		 * checks: not something a register write should do. */
		if (!real_segments(c) || val > 0xFFFF)
			return -1;
		cpu_load_seg_real(c, s, sel);
	} else if (n < GDB_REG_FCTRL) {
		f80 *r = &c->fpu.r[(c->fpu.top + (n - GDB_REG_ST0)) & 7];
		uint64_t sig = 0;
		for (int k = 0; k < 8; k++)
			sig |= (uint64_t)buf[k] << (8 * k);
		r->sig = sig;
		r->se = (uint16_t)(buf[8] | buf[9] << 8);
	} else if (n < GDB_REG_CR0) {
		struct x87 *x = &c->fpu;
		switch (n - GDB_REG_FCTRL) {
		case 0: x->cw = (uint16_t)val; break;
		case 1: x87_set_sw(x, (uint16_t)val); break;
		case 2: x87_set_tw(x, (uint16_t)val); break;
		case 3: x->fcs = (uint16_t)val; break;
		case 4: x->fip = val; break;
		case 5: x->fds = (uint16_t)val; break;
		case 6: x->fdp = val; break;
		default: x->fop = (uint16_t)(val & 0x7FF); break;
		}
		x87_update_es(x);
	} else {
		return write_cr(c, n - GDB_REG_CR0, val);
	}
	return 0;
}

#define XML_HEAD \
	"<?xml version=\"1.0\"?>\n" \
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n" \
	"<target version=\"1.0\">\n"

#define XML_BODY \
	"<feature name=\"org.gnu.gdb.i386.core\">\n" \
	"<flags id=\"i386_eflags\" size=\"4\">\n" \
	"<field name=\"\" start=\"22\" end=\"31\"/>\n" \
	"<field name=\"CF\" start=\"0\" end=\"0\"/>\n" \
	"<field name=\"\" start=\"1\" end=\"1\"/>\n" \
	"<field name=\"PF\" start=\"2\" end=\"2\"/>\n" \
	"<field name=\"AF\" start=\"4\" end=\"4\"/>\n" \
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>\n" \
	"<field name=\"SF\" start=\"7\" end=\"7\"/>\n" \
	"<field name=\"TF\" start=\"8\" end=\"8\"/>\n" \
	"<field name=\"IF\" start=\"9\" end=\"9\"/>\n" \
	"<field name=\"DF\" start=\"10\" end=\"10\"/>\n" \
	"<field name=\"OF\" start=\"11\" end=\"11\"/>\n" \
	"<field name=\"NT\" start=\"14\" end=\"14\"/>\n" \
	"<field name=\"RF\" start=\"16\" end=\"16\"/>\n" \
	"<field name=\"VM\" start=\"17\" end=\"17\"/>\n" \
	"<field name=\"AC\" start=\"18\" end=\"18\"/>\n" \
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>\n" \
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>\n" \
	"<field name=\"ID\" start=\"21\" end=\"21\"/>\n" \
	"</flags>\n" \
	"<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>\n" \
	"<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>\n" \
	"<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>\n" \
	"<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>\n" \
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n" \
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n" \
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n" \
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n" \
	"</feature>\n" \
	"<feature name=\"org.amber.i386.sys\">\n" \
	"<reg name=\"cr0\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n" \
	"<reg name=\"cr2\" bitsize=\"32\" type=\"data_ptr\" group=\"system\"/>\n" \
	"<reg name=\"cr3\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n" \
	"<reg name=\"cr4\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n" \
	"</feature>\n" \
	"</target>\n"

static const char xml_i386[] = XML_HEAD "<architecture>i386</architecture>\n" XML_BODY;
static const char xml_i8086[] = XML_HEAD "<architecture>i8086</architecture>\n" XML_BODY;

const char *gdb_target_xml(bool i8086, size_t *len)
{
	*len = i8086 ? sizeof xml_i8086 - 1 : sizeof xml_i386 - 1;
	return i8086 ? xml_i8086 : xml_i386;
}
