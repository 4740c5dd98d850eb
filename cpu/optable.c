/* The opcode tables: one entry per opcode of the one-byte and 0F maps, with
 * its operand forms (named as in the Intel SDM Vol 2 Appendix A opcode map),
 * the generation that introduced it and its handler.  The decoder, the
 * interpreter and the tracer all read these tables; nothing else knows an
 * opcode's shape. */
#include "decode.h"
#include "exec.h"

/* name, flags, immediate, width, first generation, handler */
#define OP(n, f, im, w, g, fn) { n, f, im, w, g, 0, fn, 0 }
/* A group: ModR/M.reg selects one of eight entries of tbl. */
#define GRP(n, f, im, w, g, tbl) { n, (f) | F_MODRM | F_GROUP, im, w, g, 0, 0, tbl }
#define UD { "(bad)", 0, I_NONE, W_NONE, GEN_8086, 0, exec_ud, 0 }
#define UDM { "(bad)", F_MODRM, I_NONE, W_NONE, GEN_8086, 0, exec_ud, 0 }

const struct opdef opdef_ud = UD;
const struct opdef opdef_pop_cs = OP("pop", F_MODE, I_NONE, W_W, GEN_8086, exec_pop_cs);

#define M F_MODRM
#define L F_LOCKABLE
#define B F_BRANCH
#define S F_STRING

/* ALU family rows: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  eAX,Iz */
#define ALU_ROW(n) ALU_ROW_L(n, L)
#define ALU_ROW_L(n, lk) \
	OP(n, M | (lk), I_NONE, W_B, GEN_8086, exec_alu_e_g), \
	OP(n, M | (lk), I_NONE, W_V, GEN_8086, exec_alu_e_g), \
	OP(n, M, I_NONE, W_B, GEN_8086, exec_alu_g_e), \
	OP(n, M, I_NONE, W_V, GEN_8086, exec_alu_g_e), \
	OP(n, 0, I_B, W_B, GEN_8086, exec_alu_a_i), \
	OP(n, 0, I_V, W_V, GEN_8086, exec_alu_a_i)

#define X8(e) e, e, e, e, e, e, e, e

/* Group 1 (80-83): ADD OR ADC SBB AND SUB XOR CMP; CMP cannot be locked. */
static const struct opdef grp1[8] = {
	OP("add", L, 0, 0, GEN_8086, exec_alu_e_i), OP("or", L, 0, 0, GEN_8086, exec_alu_e_i),
	OP("adc", L, 0, 0, GEN_8086, exec_alu_e_i), OP("sbb", L, 0, 0, GEN_8086, exec_alu_e_i),
	OP("and", L, 0, 0, GEN_8086, exec_alu_e_i), OP("sub", L, 0, 0, GEN_8086, exec_alu_e_i),
	OP("xor", L, 0, 0, GEN_8086, exec_alu_e_i), OP("cmp", 0, 0, 0, GEN_8086, exec_alu_e_i),
};

/* Group 1A (8F): POP Ev; the 8086 ignores reg, later CPUs raise #UD. */
static const struct opdef grp1a[8] = {
	OP("pop", 0, 0, 0, GEN_8086, exec_pop_e),
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
	{ "pop", 0, 0, 0, GEN_8086, GEN_286, exec_pop_e, 0 },
};

/* Group 2 (C0 C1 D0-D3): ROL ROR RCL RCR SHL SHR SAL/SETMO SAR.  /6 is an
 * alias of SHL from the 80186 on; the 8086 runs SETMO there. */
#define SHIFT_GRP(fn) { \
	OP("rol", 0, 0, 0, GEN_8086, fn), OP("ror", 0, 0, 0, GEN_8086, fn), \
	OP("rcl", 0, 0, 0, GEN_8086, fn), OP("rcr", 0, 0, 0, GEN_8086, fn), \
	OP("shl", 0, 0, 0, GEN_8086, fn), OP("shr", 0, 0, 0, GEN_8086, fn), \
	OP("sal", 0, 0, 0, GEN_8086, fn), OP("sar", 0, 0, 0, GEN_8086, fn) }
static const struct opdef grp2_i[8] = SHIFT_GRP(exec_shift_i);
static const struct opdef grp2_1[8] = SHIFT_GRP(exec_shift_1);
static const struct opdef grp2_cl[8] = SHIFT_GRP(exec_shift_cl);

/* Group 3 (F6 F7): TEST Ib/Iz (/1 is an undocumented alias), NOT NEG MUL IMUL DIV IDIV. */
#define GRP3(imm) { \
	OP("test", 0, imm, 0, GEN_8086, exec_test_e_i), OP("test", 0, imm, 0, GEN_8086, exec_test_e_i), \
	OP("not", L, 0, 0, GEN_8086, exec_not), OP("neg", L, 0, 0, GEN_8086, exec_neg), \
	OP("mul", 0, 0, 0, GEN_8086, exec_mul), OP("imul", 0, 0, 0, GEN_8086, exec_imul1), \
	OP("div", 0, 0, 0, GEN_8086, exec_div), OP("idiv", 0, 0, 0, GEN_8086, exec_idiv) }
static const struct opdef grp3_b[8] = GRP3(I_B);
static const struct opdef grp3_v[8] = GRP3(I_V);

/* Group 4 (FE): INC/DEC Eb. */
static const struct opdef grp4[8] = {
	OP("inc", L, 0, 0, GEN_8086, exec_inc_e), OP("dec", L, 0, 0, GEN_8086, exec_dec_e),
	UDM, UDM, UDM, UDM, UDM, UDM,
};

/* Group 5 (FF). */
static const struct opdef grp5[8] = {
	OP("inc", L, 0, 0, GEN_8086, exec_inc_e), OP("dec", L, 0, 0, GEN_8086, exec_dec_e),
	OP("call", B, 0, 0, GEN_8086, exec_call_e), OP("callf", B | F_MEMONLY, 0, 0, GEN_8086, exec_call_m),
	OP("jmp", B, 0, 0, GEN_8086, exec_jmp_e), OP("jmpf", B | F_MEMONLY, 0, 0, GEN_8086, exec_jmp_m),
	OP("push", 0, 0, 0, GEN_8086, exec_push_e),
	{ "push", 0, 0, 0, GEN_8086, GEN_186, exec_push_e, 0 }, /* 8086: /7 is PUSH too */
};

/* Group 11 (C6 C7): MOV Eb/Ev, imm; the 8086 ignores reg. */
#define GRP11(imm) { OP("mov", 0, imm, 0, GEN_8086, exec_mov_e_i), \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 }, \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 }, \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 }, \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 }, \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 }, \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 }, \
	{ "mov", 0, imm, 0, GEN_8086, GEN_286, exec_mov_e_i, 0 } }
static const struct opdef grp11_b[8] = GRP11(I_B);
static const struct opdef grp11_v[8] = GRP11(I_V);

#define X87 OP("esc", M | F_X87, I_NONE, W_NONE, GEN_8086, exec_esc)
#define SEGP(n) OP(n, F_PREFIX, I_NONE, W_NONE, GEN_8086, 0)

const struct opdef optable_1byte[256] = {
	/* 00 */ ALU_ROW("add"), OP("push", 0, 0, W_W, GEN_8086, exec_push_sreg), OP("pop", 0, 0, W_W, GEN_8086, exec_pop_sreg),
	/* 08 */ ALU_ROW("or"), OP("push", 0, 0, W_W, GEN_8086, exec_push_sreg),
	         OP("0f", F_ESC_0F, 0, 0, GEN_286, 0),
	/* 10 */ ALU_ROW("adc"), OP("push", 0, 0, W_W, GEN_8086, exec_push_sreg), OP("pop", 0, 0, W_W, GEN_8086, exec_pop_sreg),
	/* 18 */ ALU_ROW("sbb"), OP("push", 0, 0, W_W, GEN_8086, exec_push_sreg), OP("pop", 0, 0, W_W, GEN_8086, exec_pop_sreg),
	/* 20 */ ALU_ROW("and"), SEGP("es"), OP("daa", 0, 0, W_B, GEN_8086, exec_daa),
	/* 28 */ ALU_ROW("sub"), SEGP("cs"), OP("das", 0, 0, W_B, GEN_8086, exec_das),
	/* 30 */ ALU_ROW("xor"), SEGP("ss"), OP("aaa", 0, 0, W_B, GEN_8086, exec_aaa),
	/* 38 */ ALU_ROW_L("cmp", 0), SEGP("ds"), OP("aas", 0, 0, W_B, GEN_8086, exec_aas),
	/* 40 */ X8(OP("inc", 0, 0, W_V, GEN_8086, exec_inc_r)),
	/* 48 */ X8(OP("dec", 0, 0, W_V, GEN_8086, exec_dec_r)),
	/* 50 */ X8(OP("push", 0, 0, W_V, GEN_8086, exec_push_r)),
	/* 58 */ X8(OP("pop", 0, 0, W_V, GEN_8086, exec_pop_r)),
	/* 60 */ OP("pusha", 0, 0, W_V, GEN_186, exec_pusha), OP("popa", 0, 0, W_V, GEN_186, exec_popa),
	         OP("bound", M | F_MEMONLY, 0, W_V, GEN_186, exec_bound), OP("arpl", M, 0, W_W, GEN_286, exec_arpl),
	         { "fs", F_PREFIX, 0, 0, GEN_386, 0, 0, 0 }, { "gs", F_PREFIX, 0, 0, GEN_386, 0, 0, 0 },
	         { "o16/o32", F_PREFIX, 0, 0, GEN_386, 0, 0, 0 }, { "a16/a32", F_PREFIX, 0, 0, GEN_386, 0, 0, 0 },
	/* 68 */ OP("push", 0, I_V, W_V, GEN_186, exec_push_i), OP("imul", M, I_V, W_V, GEN_186, exec_imul_g_e_i),
	         OP("push", 0, I_B, W_V, GEN_186, exec_push_i), OP("imul", M, I_B, W_V, GEN_186, exec_imul_g_e_i),
	         OP("insb", S | F_IO, 0, W_B, GEN_186, exec_ins), OP("ins", S | F_IO, 0, W_V, GEN_186, exec_ins),
	         OP("outsb", S | F_IO, 0, W_B, GEN_186, exec_outs), OP("outs", S | F_IO, 0, W_V, GEN_186, exec_outs),
	/* 70 */ X8(OP("jcc", B, I_B, W_NONE, GEN_8086, exec_jcc)),
	/* 78 */ X8(OP("jcc", B, I_B, W_NONE, GEN_8086, exec_jcc)),
	/* 80 */ GRP("grp1", 0, I_B, W_B, GEN_8086, grp1), GRP("grp1", 0, I_V, W_V, GEN_8086, grp1),
	         GRP("grp1", 0, I_B, W_B, GEN_8086, grp1), GRP("grp1", 0, I_B, W_V, GEN_8086, grp1),
	         OP("test", M, 0, W_B, GEN_8086, exec_test_e_g), OP("test", M, 0, W_V, GEN_8086, exec_test_e_g),
	         OP("xchg", M | L, 0, W_B, GEN_8086, exec_xchg_e_g), OP("xchg", M | L, 0, W_V, GEN_8086, exec_xchg_e_g),
	/* 88 */ OP("mov", M, 0, W_B, GEN_8086, exec_mov_e_g), OP("mov", M, 0, W_V, GEN_8086, exec_mov_e_g),
	         OP("mov", M, 0, W_B, GEN_8086, exec_mov_g_e), OP("mov", M, 0, W_V, GEN_8086, exec_mov_g_e),
	         OP("mov", M, 0, W_V, GEN_8086, exec_mov_e_s), OP("lea", M | F_MEMONLY, 0, W_V, GEN_8086, exec_lea),
	         OP("mov", M, 0, W_W, GEN_8086, exec_mov_s_e), GRP("grp1a", 0, 0, W_V, GEN_8086, grp1a),
	/* 90 */ OP("nop", 0, 0, W_V, GEN_8086, exec_nop),
	         OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r), OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r),
	         OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r), OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r),
	         OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r), OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r),
	         OP("xchg", 0, 0, W_V, GEN_8086, exec_xchg_a_r),
	/* 98 */ OP("cbw", 0, 0, W_V, GEN_8086, exec_cbw), OP("cwd", 0, 0, W_V, GEN_8086, exec_cwd),
	         OP("callf", B, I_AP, W_V, GEN_8086, exec_call_far), OP("wait", 0, 0, 0, GEN_8086, exec_wait),
	         OP("pushf", 0, 0, W_V, GEN_8086, exec_pushf), OP("popf", F_MODE, 0, W_V, GEN_8086, exec_popf),
	         OP("sahf", 0, 0, W_B, GEN_8086, exec_sahf), OP("lahf", 0, 0, W_B, GEN_8086, exec_lahf),
	/* A0 */ OP("mov", 0, I_O, W_B, GEN_8086, exec_mov_a_o), OP("mov", 0, I_O, W_V, GEN_8086, exec_mov_a_o),
	         OP("mov", 0, I_O, W_B, GEN_8086, exec_mov_o_a), OP("mov", 0, I_O, W_V, GEN_8086, exec_mov_o_a),
	         OP("movsb", S, 0, W_B, GEN_8086, exec_movs), OP("movs", S, 0, W_V, GEN_8086, exec_movs),
	         OP("cmpsb", S, 0, W_B, GEN_8086, exec_cmps), OP("cmps", S, 0, W_V, GEN_8086, exec_cmps),
	/* A8 */ OP("test", 0, I_B, W_B, GEN_8086, exec_test_a_i), OP("test", 0, I_V, W_V, GEN_8086, exec_test_a_i),
	         OP("stosb", S, 0, W_B, GEN_8086, exec_stos), OP("stos", S, 0, W_V, GEN_8086, exec_stos),
	         OP("lodsb", S, 0, W_B, GEN_8086, exec_lods), OP("lods", S, 0, W_V, GEN_8086, exec_lods),
	         OP("scasb", S, 0, W_B, GEN_8086, exec_scas), OP("scas", S, 0, W_V, GEN_8086, exec_scas),
	/* B0 */ X8(OP("mov", 0, I_B, W_B, GEN_8086, exec_mov_r_i)),
	/* B8 */ X8(OP("mov", 0, I_V, W_V, GEN_8086, exec_mov_r_i)),
	/* C0 */ GRP("grp2", 0, I_B, W_B, GEN_186, grp2_i), GRP("grp2", 0, I_B, W_V, GEN_186, grp2_i),
	         OP("ret", B, I_W, W_V, GEN_8086, exec_ret), OP("ret", B, 0, W_V, GEN_8086, exec_ret),
	         OP("les", M | F_MEMONLY, 0, W_V, GEN_8086, exec_lxs), OP("lds", M | F_MEMONLY, 0, W_V, GEN_8086, exec_lxs),
	         GRP("grp11", 0, I_B, W_B, GEN_8086, grp11_b), GRP("grp11", 0, I_V, W_V, GEN_8086, grp11_v),
	/* C8 */ OP("enter", 0, I_WB, W_V, GEN_186, exec_enter), OP("leave", 0, 0, W_V, GEN_186, exec_leave),
	         OP("retf", B | F_MODE, I_W, W_V, GEN_8086, exec_retf), OP("retf", B | F_MODE, 0, W_V, GEN_8086, exec_retf),
	         OP("int3", B, 0, 0, GEN_8086, exec_int3), OP("int", B, I_B, 0, GEN_8086, exec_int),
	         OP("into", B, 0, 0, GEN_8086, exec_into), OP("iret", B | F_MODE, 0, W_V, GEN_8086, exec_iret),
	/* D0 */ GRP("grp2", 0, 0, W_B, GEN_8086, grp2_1), GRP("grp2", 0, 0, W_V, GEN_8086, grp2_1),
	         GRP("grp2", 0, 0, W_B, GEN_8086, grp2_cl), GRP("grp2", 0, 0, W_V, GEN_8086, grp2_cl),
	         OP("aam", 0, I_B, W_B, GEN_8086, exec_aam), OP("aad", 0, I_B, W_B, GEN_8086, exec_aad),
	         OP("salc", 0, 0, W_B, GEN_8086, exec_salc), OP("xlat", 0, 0, W_B, GEN_8086, exec_xlat),
	/* D8 */ X8(X87),
	/* E0 */ OP("loopne", B, I_B, 0, GEN_8086, exec_loop), OP("loope", B, I_B, 0, GEN_8086, exec_loop),
	         OP("loop", B, I_B, 0, GEN_8086, exec_loop), OP("jcxz", B, I_B, 0, GEN_8086, exec_jcxz),
	         OP("in", F_IO, I_B, W_B, GEN_8086, exec_in), OP("in", F_IO, I_B, W_V, GEN_8086, exec_in),
	         OP("out", F_IO, I_B, W_B, GEN_8086, exec_out), OP("out", F_IO, I_B, W_V, GEN_8086, exec_out),
	/* E8 */ OP("call", B, I_V, W_V, GEN_8086, exec_call_rel), OP("jmp", B, I_V, W_V, GEN_8086, exec_jmp_rel),
	         OP("jmpf", B | F_MODE, I_AP, W_V, GEN_8086, exec_jmp_far), OP("jmp", B, I_B, W_V, GEN_8086, exec_jmp_rel),
	         OP("in", F_IO, 0, W_B, GEN_8086, exec_in), OP("in", F_IO, 0, W_V, GEN_8086, exec_in),
	         OP("out", F_IO, 0, W_B, GEN_8086, exec_out), OP("out", F_IO, 0, W_V, GEN_8086, exec_out),
	/* F0 */ OP("lock", F_PREFIX, 0, 0, GEN_8086, 0), OP("int1", B, 0, 0, GEN_386, exec_int1),
	         OP("repne", F_PREFIX, 0, 0, GEN_8086, 0), OP("rep", F_PREFIX, 0, 0, GEN_8086, 0),
	         OP("hlt", B | F_PRIV, 0, 0, GEN_8086, exec_hlt), OP("cmc", 0, 0, 0, GEN_8086, exec_flag_op),
	         GRP("grp3", 0, 0, W_B, GEN_8086, grp3_b), GRP("grp3", 0, 0, W_V, GEN_8086, grp3_v),
	/* F8 */ OP("clc", 0, 0, 0, GEN_8086, exec_flag_op), OP("stc", 0, 0, 0, GEN_8086, exec_flag_op),
	         OP("cli", 0, 0, 0, GEN_8086, exec_cli), OP("sti", 0, 0, 0, GEN_8086, exec_sti),
	         OP("cld", 0, 0, 0, GEN_8086, exec_flag_op), OP("std", 0, 0, 0, GEN_8086, exec_flag_op),
	         GRP("grp4", 0, 0, W_B, GEN_8086, grp4), GRP("grp5", 0, 0, W_V, GEN_8086, grp5),
};

/* ---- the 0F map ---- */

/* Group 6 (0F 00). */
static const struct opdef grp6[8] = {
	OP("sldt", 0, 0, W_W, GEN_286, exec_sldt), OP("str", 0, 0, W_W, GEN_286, exec_str),
	OP("lldt", 0, 0, W_W, GEN_286, exec_lldt), OP("ltr", 0, 0, W_W, GEN_286, exec_ltr), /* #UD in V86 first; they check CPL */
	OP("verr", 0, 0, W_W, GEN_286, exec_verr), OP("verw", 0, 0, W_W, GEN_286, exec_verw),
	UDM, UDM,
};

/* Group 7 (0F 01). */
static const struct opdef grp7[8] = {
	OP("sgdt", F_MEMONLY, 0, 0, GEN_286, exec_sgdt), OP("sidt", F_MEMONLY, 0, 0, GEN_286, exec_sidt),
	OP("lgdt", F_MEMONLY | F_PRIV, 0, 0, GEN_286, exec_lgdt), OP("lidt", F_MEMONLY | F_PRIV, 0, 0, GEN_286, exec_lidt),
	OP("smsw", 0, 0, W_W, GEN_286, exec_smsw), UDM,
	OP("lmsw", F_PRIV | F_MODE, 0, W_W, GEN_286, exec_lmsw), OP("invlpg", F_MEMONLY | F_PRIV, 0, 0, GEN_486, exec_invlpg),
};

/* Group 8 (0F BA): BT BTS BTR BTC Ev, Ib. */
static const struct opdef grp8[8] = {
	UDM, UDM, UDM, UDM,
	OP("bt", 0, 0, 0, GEN_386, exec_bt_e_i), OP("bts", L, 0, 0, GEN_386, exec_bt_e_i),
	OP("btr", L, 0, 0, GEN_386, exec_bt_e_i), OP("btc", L, 0, 0, GEN_386, exec_bt_e_i),
};

/* Group 9 (0F C7): CMPXCHG8B Mq. */
static const struct opdef grp9[8] = {
	UDM, OP("cmpxchg8b", L | F_MEMONLY, 0, W_D, GEN_586, exec_cmpxchg8b), UDM, UDM, UDM, UDM, UDM, UDM,
};

/* Opcodes amber decodes for their length but does not execute yet (x87 is
 * D8-DF; MMX/SSE live here): ModR/M, with or without an 8-bit immediate. */
#define VEC OP("(simd)", M, 0, 0, GEN_686, exec_ud)
#define VECI OP("(simd)", M, I_B, 0, GEN_686, exec_ud)
#define CMOV OP("cmovcc", M, 0, W_V, GEN_686, exec_cmovcc)
#define JCC OP("jcc", B, I_V, W_NONE, GEN_386, exec_jcc)
#define SETCC OP("setcc", M, 0, W_B, GEN_386, exec_setcc)
#define BSWAP OP("bswap", 0, 0, W_D, GEN_486, exec_bswap)
#define HINT OP("nop", M, 0, W_V, GEN_686, exec_hint_nop)
/* MMX (cpu/exec-mmx.c checks CPUID.MMX, so the P5 without it raises #UD). */
#define MMX OP("mmx", M, 0, 0, GEN_586, exec_mmx)
/* Groups 12-14 (0F 71-73): shifts by Ib, register forms only. */
#define MSH OP("mmx", F_NOMEM, 0, 0, GEN_586, exec_mmx)
static const struct opdef grp12[8] = { UDM, UDM, MSH, UDM, MSH, UDM, MSH, UDM };
static const struct opdef grp14[8] = { UDM, UDM, MSH, UDM, UDM, UDM, MSH, UDM };
/* Group 15 (0F AE): FXSAVE, FXRSTOR; the rest is SSE and later. */
static const struct opdef grp15[8] = {
	OP("fxsave", F_MEMONLY, 0, 0, GEN_686, exec_fxsave),
	OP("fxrstor", F_MEMONLY, 0, 0, GEN_686, exec_fxsave), UDM, UDM, UDM, UDM, UDM, UDM,
};
#define X4(e) e, e, e, e

const struct opdef optable_0f[256] = {
	/* 00 */ GRP("grp6", 0, 0, W_W, GEN_286, grp6), GRP("grp7", 0, 0, W_W, GEN_286, grp7),
	         OP("lar", M, 0, W_V, GEN_286, exec_lar), OP("lsl", M, 0, W_V, GEN_286, exec_lsl),
	         UD, UD, OP("clts", F_PRIV, 0, 0, GEN_286, exec_clts), UD,
	/* 08 */ OP("invd", F_PRIV, 0, 0, GEN_486, exec_invd), OP("wbinvd", F_PRIV, 0, 0, GEN_486, exec_invd),
	         UD, OP("ud2", 0, 0, 0, GEN_686, exec_ud), UD, UDM, UD, UD,
	/* 10 */ VEC, VEC, VEC, VEC, VEC, VEC, VEC, VEC,
	/* 18 */ HINT, HINT, HINT, HINT, HINT, HINT, HINT, HINT,
	/* 20 */ OP("mov", M | F_REGONLY | F_PRIV | F_MODE, 0, W_D, GEN_386, exec_mov_r_cr),
	         OP("mov", M | F_REGONLY | F_PRIV, 0, W_D, GEN_386, exec_mov_r_dr),
	         OP("mov", M | F_REGONLY | F_PRIV | F_MODE, 0, W_D, GEN_386, exec_mov_cr_r),
	         OP("mov", M | F_REGONLY | F_PRIV, 0, W_D, GEN_386, exec_mov_dr_r),
	         UDM, UD, UDM, UD,
	/* 28 */ VEC, VEC, VEC, VEC, VEC, VEC, VEC, VEC,
	/* 30 */ OP("wrmsr", F_PRIV, 0, 0, GEN_586, exec_wrmsr), OP("rdtsc", 0, 0, 0, GEN_586, exec_rdtsc),
	         OP("rdmsr", F_PRIV, 0, 0, GEN_586, exec_rdmsr), OP("rdpmc", 0, 0, 0, GEN_686, exec_rdpmc),
	         OP("sysenter", B | F_MODE, 0, 0, GEN_686, exec_sysenter), OP("sysexit", B | F_MODE | F_PRIV, 0, 0, GEN_686, exec_sysexit),
	         UD, UD,
	/* 38 */ OP("(0f38)", F_MAP38, 0, 0, GEN_686, exec_ud), UD, OP("(0f3a)", F_MAP3A, 0, 0, GEN_686, exec_ud), UD, UD, UD, UD, UD,
	/* 40 */ X8(CMOV), X8(CMOV),
	/* 50 */ X8(VEC), X8(VEC),
	/* 60 */ X8(MMX),
	/* 68 */ MMX, MMX, MMX, MMX, VEC, VEC, MMX, MMX,
	/* 70 */ VECI, GRP("grp12", 0, I_B, 0, GEN_586, grp12), GRP("grp13", 0, I_B, 0, GEN_586, grp12),
	         GRP("grp14", 0, I_B, 0, GEN_586, grp14), MMX, MMX, MMX, OP("emms", 0, 0, 0, GEN_586, exec_mmx),
	/* 78 */ UDM, UDM, UD, UD, VEC, VEC, MMX, MMX,
	/* 80 */ X8(JCC), X8(JCC),
	/* 90 */ X8(SETCC), X8(SETCC),
	/* A0 */ OP("push", 0, 0, W_W, GEN_386, exec_push_sreg), OP("pop", 0, 0, W_W, GEN_386, exec_pop_sreg),
	         OP("cpuid", 0, 0, 0, GEN_486, exec_cpuid), OP("bt", M, 0, W_V, GEN_386, exec_bt_e_g),
	         OP("shld", M, I_B, W_V, GEN_386, exec_shld_i), OP("shld", M, 0, W_V, GEN_386, exec_shld_cl),
	         UD, UD,
	/* A8 */ OP("push", 0, 0, W_W, GEN_386, exec_push_sreg), OP("pop", 0, 0, W_W, GEN_386, exec_pop_sreg),
	         UD, OP("bts", M | L, 0, W_V, GEN_386, exec_bt_e_g),
	         OP("shrd", M, I_B, W_V, GEN_386, exec_shrd_i), OP("shrd", M, 0, W_V, GEN_386, exec_shrd_cl),
	         GRP("grp15", 0, 0, 0, GEN_686, grp15), OP("imul", M, 0, W_V, GEN_386, exec_imul_g_e),
	/* B0 */ OP("cmpxchg", M | L, 0, W_B, GEN_486, exec_cmpxchg), OP("cmpxchg", M | L, 0, W_V, GEN_486, exec_cmpxchg),
	         OP("lss", M | F_MEMONLY, 0, W_V, GEN_386, exec_lxs), OP("btr", M | L, 0, W_V, GEN_386, exec_bt_e_g),
	         OP("lfs", M | F_MEMONLY, 0, W_V, GEN_386, exec_lxs), OP("lgs", M | F_MEMONLY, 0, W_V, GEN_386, exec_lxs),
	         OP("movzx", M, 0, W_B, GEN_386, exec_movzx), OP("movzx", M, 0, W_W, GEN_386, exec_movzx),
	/* B8 */ UDM, UDM, GRP("grp8", 0, I_B, W_V, GEN_386, grp8), OP("btc", M | L, 0, W_V, GEN_386, exec_bt_e_g),
	         OP("bsf", M, 0, W_V, GEN_386, exec_bsf), OP("bsr", M, 0, W_V, GEN_386, exec_bsr),
	         OP("movsx", M, 0, W_B, GEN_386, exec_movsx), OP("movsx", M, 0, W_W, GEN_386, exec_movsx),
	/* C0 */ OP("xadd", M | L, 0, W_B, GEN_486, exec_xadd), OP("xadd", M | L, 0, W_V, GEN_486, exec_xadd),
	         VECI, VEC, VECI, VECI, VECI, GRP("grp9", 0, 0, W_NONE, GEN_586, grp9),
	/* C8 */ X8(BSWAP),
	/* D0 */ VEC, MMX, MMX, MMX, VEC, MMX, VEC, VEC,
	/* D8 */ MMX, MMX, VEC, MMX, MMX, MMX, VEC, MMX,
	/* E0 */ VEC, MMX, MMX, VEC, VEC, MMX, VEC, VEC,
	/* E8 */ MMX, MMX, VEC, MMX, MMX, MMX, VEC, MMX,
	/* F0 */ VEC, MMX, MMX, MMX, VEC, MMX, VEC, VEC,
	/* F8 */ MMX, MMX, MMX, VEC, MMX, MMX, MMX, VEC,
};
