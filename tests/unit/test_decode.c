/* Decoder table tests: prefixes, ModR/M/SIB/displacement forms, immediates,
 * groups, the 0F map, the length limit, truncated input and the differences
 * between CPU generations.  References are to the Intel SDM Vol 2 (chapter
 * 2, "Instruction Format", and appendix A, the opcode map). */
#include <criterion/criterion.h>
#include <string.h>

#include "decode.h"
#include "exec.h"

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Decodes exactly n bytes: an instruction that needs more says DECODE_MORE. */
static enum decode_status dec(struct insn *i, uint8_t gen, bool code32, const uint8_t *b,
                              unsigned n)
{
	uint8_t max = gen == GEN_8086 ? 0 : gen == GEN_286 ? 10 : 15;
	struct decode_mode m = { .code32 = code32, .gen = gen, .max_len = max };
	return decode_insn(b, n, &m, i);
}

/* Decodes and checks the status and the length (= all n bytes). */
static struct insn ok(uint8_t gen, bool code32, const uint8_t *b, unsigned n)
{
	struct insn i;
	cr_assert_eq(dec(&i, gen, code32, b, n), DECODE_OK, "%u bytes from %02x", n, b[0]);
	cr_assert_eq(i.len, n, "length of %02x %02x...: %u, want %u", b[0], n > 1 ? b[1] : 0,
	             i.len, n);
	return i;
}

#define OK16(...) ok(GEN_686, false, BYTES(__VA_ARGS__))
#define OK32(...) ok(GEN_686, true, BYTES(__VA_ARGS__))

static bool is_ud(const struct insn *i)
{
	return i->def == &opdef_ud || i->def->exec == exec_ud;
}

/* ---- prefixes (SDM Vol 2 §2.1.1) ---- */

Test(prefix, segment_overrides)
{
	static const struct { uint8_t b; uint8_t seg; } t[] = {
		{ 0x26, SEG_ES }, { 0x2E, SEG_CS }, { 0x36, SEG_SS },
		{ 0x3E, SEG_DS }, { 0x64, SEG_FS }, { 0x65, SEG_GS },
	};
	for (unsigned k = 0; k < 6; k++) {
		uint8_t b[3] = { t[k].b, 0x8B, 0x07 }; /* mov ax,[bx] */
		struct insn i = ok(GEN_686, false, b, 3);
		cr_expect_eq(i.seg, t[k].seg);
		cr_expect_eq(i.nprefix, 1);
		cr_expect_eq(i.ea_seg, SEG_DS, "the default segment is kept apart");
	}
	struct insn i = OK16(0x8B, 0x07);
	cr_expect_eq(i.seg, SEG_NONE);
}

Test(prefix, last_segment_override_wins)
{
	struct insn i = OK16(0x2E, 0x3E, 0x36, 0x8B, 0x07);
	cr_expect_eq(i.seg, SEG_SS);
	cr_expect_eq(i.nprefix, 3);
	i = OK32(0x65, 0x26, 0x8B, 0x00);
	cr_expect_eq(i.seg, SEG_ES);
}

Test(prefix, operand_size)
{
	struct insn i = OK16(0x66, 0xB8, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.osize, 4);
	cr_expect_eq(i.width, 4);
	cr_expect_eq(i.imm, 0x12345678u);
	i = OK32(0x66, 0xB8, 0x34, 0x12);
	cr_expect_eq(i.osize, 2);
	cr_expect_eq(i.imm, 0x1234);
	/* Repeated: still just a toggle away from the default. */
	i = OK16(0x66, 0x66, 0x05, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.osize, 4);
	cr_expect_eq(i.asize, 2, "66h leaves the address size alone");
	/* Byte operations keep their width. */
	i = OK16(0x66, 0x04, 0x12);
	cr_expect_eq(i.width, 1);
}

Test(prefix, address_size)
{
	/* 16-bit code, 67h: 32-bit addressing with a SIB byte. */
	struct insn i = OK16(0x67, 0x8B, 0x04, 0x24); /* mov ax,[esp] */
	cr_expect_eq(i.asize, 4);
	cr_expect_eq(i.osize, 2);
	cr_expect(i.has_sib);
	cr_expect_eq(i.ea_base, 4); /* ESP */
	cr_expect_eq(i.ea_seg, SEG_SS);
	/* 32-bit code, 67h: 16-bit addressing, [bp+si+disp8]. */
	i = OK32(0x67, 0x8B, 0x42, 0x10);
	cr_expect_eq(i.asize, 2);
	cr_expect_eq(i.ea_base, 5);
	cr_expect_eq(i.ea_index, 6);
	cr_expect_eq(i.ea_seg, SEG_SS);
	cr_expect_eq(i.disp, 0x10);
}

Test(prefix, lock)
{
	struct insn i = OK16(0xF0, 0x01, 0x07); /* lock add [bx],ax */
	cr_expect(i.lock);
	cr_expect_not(is_ud(&i));
	/* LOCK with a register destination or on a non-lockable instruction
	 * is #UD (SDM Vol 2 LOCK). */
	i = OK16(0xF0, 0x01, 0xC0);
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xF0, 0x90);
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xF0, 0x8B, 0x07); /* mov is not lockable */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xF0, 0x0F, 0xC7, 0x0F); /* lock cmpxchg8b [bx] */
	cr_expect_not(is_ud(&i));
	i = OK32(0xF0, 0x0F, 0xBA, 0x28, 0x05); /* lock bts dword [eax],5 */
	cr_expect_not(is_ud(&i));
	i = OK32(0xF0, 0x0F, 0xBA, 0x20, 0x05); /* lock bt: not lockable */
	cr_expect_eq(i.def, &opdef_ud);
}

/* LOCK CMP is #UD: CMP is not in the SDM's list of lockable instructions
 * (Vol 2 LOCK: ADD ADC AND BTC BTR BTS CMPXCHG CMPXCHG8B DEC INC NEG NOT OR
 * SBB SUB XOR XADD XCHG), in any of its forms. */
Test(prefix, lock_cmp_is_ud)
{
	struct insn i = OK16(0xF0, 0x38, 0x07);
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xF0, 0x39, 0x07);
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xF0, 0x80, 0x3F, 0x01); /* 80 /7: group 1 gets it right */
	cr_expect_eq(i.def, &opdef_ud);
}

Test(prefix, rep_last_one_counts)
{
	struct insn i = OK16(0xF3, 0xF2, 0xA4);
	cr_expect_eq(i.rep, 0xF2);
	i = OK16(0xF2, 0xF3, 0xA6);
	cr_expect_eq(i.rep, 0xF3);
	i = OK16(0xF3, 0xF3, 0xF3, 0xA5);
	cr_expect_eq(i.rep, 0xF3);
	cr_expect_eq(i.nprefix, 3);
	cr_expect_eq(i.width, 2);
	i = OK32(0xF3, 0x66, 0x2E, 0xA5);
	cr_expect_eq(i.rep, 0xF3);
	cr_expect_eq(i.width, 2);
	cr_expect_eq(i.seg, SEG_CS);
}

/* ---- ModR/M, SIB and displacements (SDM Vol 2 Tables 2-1, 2-2, 2-3) ---- */

Test(modrm, forms_16)
{
	/* rm: base, index, default segment */
	static const uint8_t base[8] = { 3, 3, 5, 5, EA_NONE, EA_NONE, 5, 3 };
	static const uint8_t index[8] = { 6, 7, 6, 7, 6, 7, EA_NONE, EA_NONE };
	for (unsigned mod = 0; mod < 3; mod++) {
		for (unsigned rm = 0; rm < 8; rm++) {
			uint8_t b[5] = { 0x8B, (uint8_t)(mod << 6 | 2 << 3 | rm), 0xFE, 0x7F, 0x90 };
			bool direct = mod == 0 && rm == 6;
			unsigned dlen = direct ? 2 : mod;
			struct insn i = ok(GEN_686, false, b, 2 + dlen);
			cr_expect_eq(i.reg, 2);
			cr_expect_eq(i.ea_base, direct ? EA_NONE : base[rm], "mod %u rm %u", mod, rm);
			cr_expect_eq(i.ea_index, index[rm], "mod %u rm %u", mod, rm);
			cr_expect_eq(i.ea_seg, (!direct && base[rm] == 5) ? SEG_SS : SEG_DS,
			             "mod %u rm %u", mod, rm);
			uint32_t want = dlen == 0 ? 0 : dlen == 1 ? 0xFFFFFFFEu : 0x7FFE;
			cr_expect_eq(i.disp, want, "mod %u rm %u: disp %x", mod, rm, i.disp);
			cr_expect_not(i.has_sib);
		}
	}
	struct insn i = OK16(0x8B, 0xC1); /* mov ax,cx */
	cr_expect_eq(i.mod, 3);
	cr_expect_eq(i.rm, 1);
}

Test(modrm, forms_32)
{
	struct insn i = OK32(0x8B, 0x00); /* [eax] */
	cr_expect_eq(i.ea_base, 0);
	cr_expect_eq(i.ea_index, EA_NONE);
	cr_expect_eq(i.ea_seg, SEG_DS);
	i = OK32(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12); /* [disp32] */
	cr_expect_eq(i.ea_base, EA_NONE);
	cr_expect_eq(i.disp, 0x12345678u);
	i = OK32(0x8B, 0x45, 0x00); /* [ebp+0]: SS */
	cr_expect_eq(i.ea_base, 5);
	cr_expect_eq(i.ea_seg, SEG_SS);
	i = OK32(0x8B, 0x40, 0x80); /* [eax-128] */
	cr_expect_eq(i.disp, 0xFFFFFF80u);
	i = OK32(0x8B, 0x80, 0x78, 0x56, 0x34, 0x12); /* [eax+disp32] */
	cr_expect_eq(i.disp, 0x12345678u);
	i = OK32(0x3E, 0x8B, 0x45, 0x00); /* ds:[ebp]: override, default kept */
	cr_expect_eq(i.seg, SEG_DS);
	cr_expect_eq(i.ea_seg, SEG_SS);
}

Test(modrm, sib)
{
	struct insn i = OK32(0x8B, 0x04, 0x24); /* [esp] */
	cr_expect(i.has_sib);
	cr_expect_eq(i.ea_base, 4);
	cr_expect_eq(i.ea_index, EA_NONE, "index 100b is none");
	cr_expect_eq(i.ea_seg, SEG_SS);
	i = OK32(0x8B, 0x44, 0x8D, 0x10); /* [ebp+ecx*4+10h] */
	cr_expect_eq(i.ea_base, 5);
	cr_expect_eq(i.ea_index, 1);
	cr_expect_eq(i.ea_scale, 2);
	cr_expect_eq(i.ea_seg, SEG_SS);
	cr_expect_eq(i.disp, 0x10);
	i = OK32(0x8B, 0x04, 0xCD, 0x78, 0x56, 0x34, 0x12); /* [ecx*8+disp32] */
	cr_expect_eq(i.ea_base, EA_NONE);
	cr_expect_eq(i.ea_index, 1);
	cr_expect_eq(i.ea_scale, 3);
	cr_expect_eq(i.ea_seg, SEG_DS);
	cr_expect_eq(i.disp, 0x12345678u);
	i = OK32(0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12); /* [disp32], no index */
	cr_expect_eq(i.ea_base, EA_NONE);
	cr_expect_eq(i.ea_index, EA_NONE);
	i = OK32(0x8B, 0x84, 0x1E, 0x78, 0x56, 0x34, 0x12); /* [esi+ebx+disp32] */
	cr_expect_eq(i.ea_base, 6);
	cr_expect_eq(i.ea_index, 3);
	cr_expect_eq(i.ea_scale, 0);
	i = OK32(0x8B, 0x44, 0x65, 0xF0); /* [ebp+disp8], index 100b: none */
	cr_expect_eq(i.ea_base, 5);
	cr_expect_eq(i.ea_index, EA_NONE);
	cr_expect_eq(i.disp, 0xFFFFFFF0u);
	cr_expect_eq(i.ea_seg, SEG_SS);
	i = OK32(0x8B, 0x0C, 0x20); /* [eax] through a SIB byte (index none) */
	cr_expect_eq(i.ea_base, 0);
	cr_expect_eq(i.ea_seg, SEG_DS);
}

/* ---- immediates (SDM Vol 2 Appendix A.2.2 operand codes) ---- */

Test(imm, forms)
{
	struct insn i = OK16(0x04, 0x12); /* add al,Ib */
	cr_expect_eq(i.imm, 0x12);
	i = OK16(0xC2, 0x34, 0x12); /* ret Iw */
	cr_expect_eq(i.imm, 0x1234);
	i = OK32(0xC2, 0x34, 0x12); /* Iw stays a word in 32-bit code */
	i = OK16(0x05, 0x34, 0x12); /* add ax,Iv */
	cr_expect_eq(i.imm, 0x1234);
	i = OK32(0x05, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.imm, 0x12345678u);
	i = OK16(0x6A, 0xFF); /* push Ib: zero-extended here, signed by the handler */
	cr_expect_eq(i.imm, 0xFF);
	i = OK16(0x83, 0xC0, 0xFF); /* group 1, Ib on a word */
	cr_expect_eq(i.width, 2);
	i = OK16(0x81, 0xC0, 0x34, 0x12);
	i = OK32(0x81, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.disp, 0x12345678u);
	cr_expect_eq(i.imm, 0x12345678u);
	i = OK16(0x69, 0xC0, 0x34, 0x12); /* imul Gv,Ev,Iv */
	i = OK16(0x6B, 0xC0, 0x12);
	i = OK16(0xC7, 0x06, 0x34, 0x12, 0x78, 0x56); /* mov word [1234h],5678h */
	cr_expect_eq(i.disp, 0x1234);
	cr_expect_eq(i.imm, 0x5678);
	i = OK16(0xE8, 0x34, 0x12); /* call Jz */
	i = OK32(0xE8, 0x78, 0x56, 0x34, 0x12);
	i = OK32(0x66, 0xE8, 0x34, 0x12);
	i = OK16(0x0F, 0x84, 0x34, 0x12); /* jz Jz */
	i = OK32(0x0F, 0x84, 0x78, 0x56, 0x34, 0x12);
	i = OK16(0xEB, 0xFE);
}

Test(imm, far_pointer_ap)
{
	struct insn i = OK16(0xEA, 0x34, 0x12, 0x00, 0xF0);
	cr_expect_eq(i.imm, 0x1234);
	cr_expect_eq(i.imm2, 0xF000);
	i = OK32(0x9A, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00);
	cr_expect_eq(i.imm, 0x12345678u);
	cr_expect_eq(i.imm2, 8);
	i = OK32(0x66, 0xEA, 0x34, 0x12, 0x08, 0x00);
	cr_expect_eq(i.imm, 0x1234);
	cr_expect_eq(i.imm2, 8);
	i = OK16(0x66, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00);
	cr_expect_eq(i.imm, 0x12345678u);
}

/* Ob/Ov (moffs): the offset has the address size, not the operand size. */
Test(imm, moffs)
{
	struct insn i = OK16(0xA0, 0x34, 0x12);
	cr_expect_eq(i.imm, 0x1234);
	cr_expect_eq(i.width, 1);
	i = OK16(0x67, 0xA1, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.imm, 0x12345678u);
	cr_expect_eq(i.width, 2);
	i = OK32(0xA3, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.width, 4);
	i = OK32(0x66, 0xA1, 0x78, 0x56, 0x34, 0x12);
	cr_expect_eq(i.width, 2);
	i = OK32(0x67, 0x66, 0xA1, 0x34, 0x12);
	cr_expect_eq(i.imm, 0x1234);
}

Test(imm, enter_iw_ib)
{
	struct insn i = OK16(0xC8, 0x34, 0x12, 0x05);
	cr_expect_eq(i.imm, 0x1234);
	cr_expect_eq(i.imm2, 5);
	i = OK32(0xC8, 0x00, 0x01, 0x00);
	cr_expect_eq(i.imm, 0x100);
	i = OK32(0x66, 0xC8, 0x00, 0x01, 0x1F);
	cr_expect_eq(i.osize, 2);
	cr_expect_eq(i.imm2, 0x1F);
}

/* ---- groups: ModR/M.reg selects the entry and may bring an immediate ---- */

Test(group, selection)
{
	struct insn i = OK16(0xF6, 0xC0, 0x12); /* test al,12h: group 3 /0 has Ib */
	cr_expect_eq(i.def->exec, exec_test_e_i);
	cr_expect_eq(i.imm, 0x12);
	i = OK16(0xF6, 0xC8, 0x12); /* /1: the undocumented TEST alias */
	cr_expect_eq(i.def->exec, exec_test_e_i);
	i = OK16(0xF6, 0xD0); /* not al: no immediate */
	cr_expect_eq(i.def->exec, exec_not);
	i = OK16(0xF7, 0xC3, 0x34, 0x12); /* test bx,Iv */
	cr_expect_eq(i.width, 2);
	i = OK32(0xF7, 0xC3, 0x78, 0x56, 0x34, 0x12);
	i = OK32(0xF7, 0x3C, 0x24); /* idiv dword [esp] */
	cr_expect_eq(i.def->exec, exec_idiv);
	i = OK16(0xFF, 0xD0); /* call ax */
	cr_expect_eq(i.def->exec, exec_call_e);
	i = OK16(0xFF, 0x1F); /* call far [bx] */
	cr_expect_eq(i.def->exec, exec_call_m);
	i = OK16(0xFF, 0xD8); /* call far with a register: #UD */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xFF, 0x36, 0x34, 0x12); /* push word [1234h] */
	cr_expect_eq(i.def->exec, exec_push_e);
	i = OK16(0xFE, 0xC0);
	cr_expect_eq(i.def->exec, exec_inc_e);
	i = OK16(0xFE, 0xD0); /* FE /2: #UD */
	cr_expect(is_ud(&i));
	i = OK16(0xC0, 0xE0, 0x03); /* shl al,3 */
	cr_expect_eq(i.def->exec, exec_shift_i);
	cr_expect_eq(i.reg, 4);
	i = OK16(0xD3, 0xF8); /* sar ax,cl */
	cr_expect_eq(i.def->exec, exec_shift_cl);
	i = OK16(0x80, 0x3F, 0x01); /* cmp byte [bx],1 */
	cr_expect_eq(i.def->exec, exec_alu_e_i);
	i = OK16(0x8F, 0x06, 0x34, 0x12); /* pop word [1234h] */
	cr_expect_eq(i.def->exec, exec_pop_e);
}

/* What a generation does not have decodes to the #UD entry with the
 * length later CPUs give it, so a fetch never reads the wrong bytes. */
Test(group, ud_entries_keep_length)
{
	struct insn i = OK16(0xC6, 0xC8, 0x12); /* C6 /1 has Ib */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xC7, 0x4F, 0x02, 0x34, 0x12); /* C7 /1 [bx+2],Iw */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0x8F, 0x4F, 0x02); /* 8F /1 */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0x8D, 0xC0); /* lea ax,ax */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xC4, 0xC0); /* les ax,ax: #UD on an i686 (VEX only on AVX CPUs) */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK16(0xC4, 0x07); /* les ax,[bx] */
	cr_expect_eq(i.def->exec, exec_lxs);
	i = OK16(0x62, 0xC0); /* bound with a register */
	cr_expect_eq(i.def, &opdef_ud);
}

/* ---- the 0F map ---- */

Test(map0f, entries)
{
	struct insn i = OK16(0x0F, 0xA2);
	cr_expect_eq(i.def->exec, exec_cpuid);
	cr_expect_eq(i.op, 0x1A2);
	i = OK16(0x0F, 0x31);
	cr_expect_eq(i.def->exec, exec_rdtsc);
	i = OK16(0x0F, 0xB6, 0xC3); /* movzx ax,bl */
	cr_expect_eq(i.def->exec, exec_movzx);
	cr_expect_eq(i.width, 1);
	cr_expect_eq(i.osize, 2);
	i = OK32(0x0F, 0xBF, 0x07); /* movsx eax,word [edi] */
	cr_expect_eq(i.width, 2);
	cr_expect_eq(i.osize, 4);
	i = OK32(0x0F, 0xC9); /* bswap ecx */
	cr_expect_eq(i.def->exec, exec_bswap);
	i = OK32(0x0F, 0x4F, 0xC1);
	cr_expect_eq(i.def->exec, exec_cmovcc);
	i = OK32(0x0F, 0x9C, 0x00);
	cr_expect_eq(i.def->exec, exec_setcc);
	i = OK32(0x0F, 0xA4, 0xC8, 0x04); /* shld eax,ecx,4 */
	cr_expect_eq(i.def->exec, exec_shld_i);
	cr_expect_eq(i.imm, 4);
	i = OK32(0x0F, 0xAD, 0xC8);
	cr_expect_eq(i.def->exec, exec_shrd_cl);
	i = OK32(0x0F, 0xBA, 0xE0, 0x05); /* bt eax,5 */
	cr_expect_eq(i.def->exec, exec_bt_e_i);
	i = OK32(0x0F, 0xBA, 0xC0, 0x05); /* 0F BA /0: #UD, Ib still counted */
	cr_expect(is_ud(&i));
	i = OK32(0x0F, 0xC7, 0x0E); /* cmpxchg8b [esi] */
	cr_expect_eq(i.def->exec, exec_cmpxchg8b);
	i = OK32(0x0F, 0xC7, 0xC8); /* register form: #UD */
	cr_expect_eq(i.def, &opdef_ud);
	i = OK32(0x0F, 0xB1, 0x0B);
	cr_expect_eq(i.def->exec, exec_cmpxchg);
	i = OK32(0x0F, 0xC1, 0xC8);
	cr_expect_eq(i.def->exec, exec_xadd);
	i = OK16(0x0F, 0x0B); /* ud2 */
	cr_expect(is_ud(&i));
	i = OK16(0x0F, 0x1F, 0x00); /* nop Ev */
	cr_expect_eq(i.def->exec, exec_hint_nop);
	i = OK32(0x0F, 0x38, 0x00, 0xC1); /* three-byte map: ModR/M after the third byte */
	cr_expect(is_ud(&i));
	i = OK32(0x0F, 0x3A, 0x0F, 0xC1, 0x08); /* 0F 3A: and an Ib */
	cr_expect(is_ud(&i));
	i = OK32(0x0F, 0x70, 0xC1, 0x08); /* pshufw: Ib */
}

/* MOV to/from CRn ignores mod (SDM Vol 2 MOV—Move to/from Control
 * Registers): 0F 20 05 is MOV EBP,CR0 (reg 0, rm 5), with no displacement. */
Test(map0f, mov_cr_ignores_mod)
{
	struct insn i = OK32(0x0F, 0x20, 0x05);
	cr_expect_eq(i.mod, 3);
	cr_expect_eq(i.rm, 5);
	cr_expect_eq(i.def->exec, exec_mov_r_cr);
	i = OK16(0x0F, 0x22, 0x86); /* 16-bit mod 2 rm 6: still no displacement */
	cr_expect_eq(i.def->exec, exec_mov_cr_r);
	cr_expect_eq(i.reg, 0);
	cr_expect_eq(i.rm, 6);
}

/* ---- length limit and truncated input ---- */

Test(limit, fifteen_bytes)
{
	uint8_t b[32];
	struct insn i;
	memset(b, 0x26, sizeof b);
	b[14] = 0x90;
	cr_expect_eq(dec(&i, GEN_686, false, b, 15), DECODE_OK);
	cr_expect_eq(i.len, 15);
	cr_expect_eq(i.nprefix, 14);
	b[14] = 0x26;
	b[15] = 0x90;
	cr_expect_eq(dec(&i, GEN_686, false, b, 16), DECODE_TOO_LONG);
	cr_expect_eq(dec(&i, GEN_686, false, b, 32), DECODE_TOO_LONG);
	/* An 11-byte instruction with four prefixes is 15; with five, 16. */
	static const uint8_t tail[11] = { 0x81, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12,
	                                  0x78, 0x56, 0x34, 0x12 };
	memset(b, 0x3E, 5);
	memcpy(b + 4, tail, 11);
	cr_expect_eq(dec(&i, GEN_686, true, b, 15), DECODE_OK);
	cr_expect_eq(i.len, 15);
	b[4] = 0x3E;
	memcpy(b + 5, tail, 11);
	cr_expect_eq(dec(&i, GEN_686, true, b, 16), DECODE_TOO_LONG);
	/* With the 16th byte missing the decoder may ask for it (the
	 * interpreter's fetch then reads one byte past the limit) or know
	 * already that the instruction is too long. */
	enum decode_status st = dec(&i, GEN_686, true, b, 15);
	cr_expect(st == DECODE_MORE || st == DECODE_TOO_LONG);
}

Test(limit, model_286_is_ten)
{
	uint8_t b[16];
	struct insn i;
	memset(b, 0x2E, sizeof b);
	b[9] = 0x90;
	cr_expect_eq(dec(&i, GEN_286, false, b, 10), DECODE_OK);
	b[9] = 0x2E;
	b[10] = 0x90;
	cr_expect_eq(dec(&i, GEN_286, false, b, 11), DECODE_TOO_LONG);
}

Test(limit, no_limit_on_8086)
{
	uint8_t b[40];
	struct insn i;
	memset(b, 0x26, sizeof b);
	b[39] = 0x90;
	cr_expect_eq(dec(&i, GEN_8086, false, b, 40), DECODE_OK);
	cr_expect_eq(i.len, 40);
}

/* Every proper prefix of a complete instruction asks for more bytes. */
Test(limit, truncated_input_wants_more)
{
	static const struct { bool c32; uint8_t n; uint8_t b[15]; } t[] = {
		{ false, 1, { 0x90 } },
		{ false, 3, { 0x26, 0x8B, 0x07 } },
		{ false, 4, { 0x8B, 0x87, 0x34, 0x12 } },
		{ false, 6, { 0xC7, 0x06, 0x34, 0x12, 0x78, 0x56 } },
		{ false, 5, { 0xEA, 0x34, 0x12, 0x00, 0xF0 } },
		{ false, 4, { 0xC8, 0x34, 0x12, 0x05 } },
		{ false, 6, { 0x67, 0xA1, 0x78, 0x56, 0x34, 0x12 } },
		{ true, 11, { 0x81, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12 } },
		{ true, 7, { 0x8B, 0x04, 0xCD, 0x78, 0x56, 0x34, 0x12 } },
		{ true, 6, { 0x0F, 0x84, 0x78, 0x56, 0x34, 0x12 } },
		{ true, 5, { 0x0F, 0x3A, 0x0F, 0xC1, 0x08 } },
		{ true, 4, { 0x0F, 0xBA, 0xE0, 0x05 } },
		{ true, 8, { 0x66, 0x67, 0xF3, 0x64, 0xC7, 0x00, 0x34, 0x12 } }, /* mov word fs:[bx+si],1234h */
	};
	for (unsigned k = 0; k < sizeof t / sizeof t[0]; k++) {
		struct insn i;
		unsigned n = t[k].n;
		cr_assert_eq(dec(&i, GEN_686, t[k].c32, t[k].b, n), DECODE_OK, "case %u", k);
		cr_expect_eq(i.len, n, "case %u", k);
		for (unsigned a = 0; a < n; a++)
			cr_expect_eq(dec(&i, GEN_686, t[k].c32, t[k].b, a), DECODE_MORE,
			             "case %u with %u bytes", k, a);
	}
}

/* ---- differences between generations ---- */

Test(model, aliases_8086)
{
	/* 60-6F are Jcc (70-7F) on the 8086. */
	struct insn i = ok(GEN_8086, false, BYTES(0x60, 0x05));
	cr_expect_eq(i.def->exec, exec_jcc);
	cr_expect_eq(i.op, 0x70);
	i = ok(GEN_8086, false, BYTES(0x6F, 0xFE));
	cr_expect_eq(i.op, 0x7F);
	/* C0/C1 are RET imm16/RET, C8/C9 are RETF imm16/RETF. */
	i = ok(GEN_8086, false, BYTES(0xC0, 0x34, 0x12));
	cr_expect_eq(i.def->exec, exec_ret);
	cr_expect_eq(i.imm, 0x1234);
	i = ok(GEN_8086, false, BYTES(0xC1));
	cr_expect_eq(i.def->exec, exec_ret);
	i = ok(GEN_8086, false, BYTES(0xC8, 0x02, 0x00));
	cr_expect_eq(i.def->exec, exec_retf);
	i = ok(GEN_8086, false, BYTES(0xC9));
	cr_expect_eq(i.def->exec, exec_retf);
	/* 0F is POP CS. */
	i = ok(GEN_8086, false, BYTES(0x0F));
	cr_expect_eq(i.def, &opdef_pop_cs);
	/* F1 is a second LOCK. */
	i = ok(GEN_8086, false, BYTES(0xF1, 0x01, 0x07));
	cr_expect(i.lock);
	cr_expect_eq(i.nprefix, 1);
	/* 8F /1 and FF /7 still run (the 8086 ignores reg there). */
	i = ok(GEN_8086, false, BYTES(0x8F, 0xC8));
	cr_expect_eq(i.def->exec, exec_pop_e);
	i = ok(GEN_8086, false, BYTES(0xFF, 0xF8));
	cr_expect_eq(i.def->exec, exec_push_e);
	/* The same bytes on later CPUs. */
	i = ok(GEN_286, false, BYTES(0x60));
	cr_expect_eq(i.def->exec, exec_pusha);
	i = ok(GEN_286, false, BYTES(0xC0, 0xE0, 0x03));
	cr_expect_eq(i.def->exec, exec_shift_i);
	i = ok(GEN_286, false, BYTES(0xC8, 0x02, 0x00, 0x00));
	cr_expect_eq(i.def->exec, exec_enter);
	i = ok(GEN_286, false, BYTES(0x8F, 0xC8));
	cr_expect_eq(i.def, &opdef_ud);
	i = ok(GEN_386, false, BYTES(0xF1));
	cr_expect_eq(i.def->exec, exec_int1);
}

Test(model, no_32bit_prefixes_on_286)
{
	/* 64 65 66 67 are not prefixes before the 386: they decode as one-byte
	 * #UD opcodes and the byte after them is the next instruction. */
	for (uint8_t p = 0x64; p <= 0x67; p++) {
		uint8_t b[2] = { p, 0x90 };
		struct insn i;
		cr_assert_eq(dec(&i, GEN_286, false, b, 2), DECODE_OK);
		cr_expect_eq(i.len, 1, "%02x", p);
		cr_expect_eq(i.def, &opdef_ud, "%02x", p);
	}
	struct insn i = ok(GEN_386, false, BYTES(0x66, 0x90));
	cr_expect_eq(i.osize, 4);
	/* The 286 ignores LOCK where the 386 raises #UD. */
	i = ok(GEN_286, false, BYTES(0xF0, 0x90));
	cr_expect_neq(i.def, &opdef_ud);
	i = ok(GEN_386, false, BYTES(0xF0, 0x90));
	cr_expect_eq(i.def, &opdef_ud);
}

Test(model, later_opcodes_are_ud_with_length)
{
	static const struct { uint8_t gen, n; uint8_t b[6]; bool ud; } t[] = {
		{ GEN_286, 3, { 0x0F, 0xB6, 0xC0 }, true },      /* movzx: 386 */
		{ GEN_386, 3, { 0x0F, 0xB6, 0xC0 }, false },
		{ GEN_286, 4, { 0x0F, 0x84, 0x34, 0x12 }, true }, /* jcc rel16: 386 */
		{ GEN_386, 2, { 0x0F, 0xA2 }, true },            /* cpuid: 486 */
		{ GEN_486, 2, { 0x0F, 0xA2 }, false },
		{ GEN_386, 2, { 0x0F, 0xC8 }, true },            /* bswap: 486 */
		{ GEN_386, 3, { 0x0F, 0xB1, 0xC8 }, true },      /* cmpxchg: 486 */
		{ GEN_486, 3, { 0x0F, 0xC7, 0x08 }, true },      /* cmpxchg8b: 586 */
		{ GEN_586, 3, { 0x0F, 0xC7, 0x08 }, false },
		{ GEN_486, 2, { 0x0F, 0x31 }, true },            /* rdtsc: 586 */
		{ GEN_586, 3, { 0x0F, 0x44, 0xC0 }, true },      /* cmov: 686 */
		{ GEN_686, 3, { 0x0F, 0x44, 0xC0 }, false },
		{ GEN_586, 2, { 0x0F, 0x34 }, true },            /* sysenter: 686 */
		{ GEN_386, 3, { 0x0F, 0x01, 0x38 }, true },      /* invlpg: 486 */
		{ GEN_486, 3, { 0x0F, 0x01, 0x38 }, false },
		{ GEN_286, 1, { 0xF1 }, true },                  /* int1: 386 */
	};
	for (unsigned k = 0; k < sizeof t / sizeof t[0]; k++) {
		struct insn i;
		unsigned n = t[k].n;
		cr_assert_eq(dec(&i, t[k].gen, false, t[k].b, n), DECODE_OK, "case %u", k);
		cr_expect_eq(i.len, n, "case %u", k);
		cr_expect_eq(i.def == &opdef_ud, t[k].ud, "case %u", k);
	}
}
