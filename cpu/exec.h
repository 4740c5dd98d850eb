/* The instruction handlers named by cpu/optable.c, one per instruction (a
 * family shares a helper).  Internal to cpu/. */
#ifndef AMBER_EXEC_H
#define AMBER_EXEC_H

#include "decode.h"

#define X(fn) exec_fn fn;
#define EXEC_HANDLERS(X) \
	/* exec-alu.c */ \
	X(exec_alu_e_g) X(exec_alu_g_e) X(exec_alu_a_i) X(exec_alu_e_i) \
	X(exec_test_e_g) X(exec_test_a_i) X(exec_test_e_i) \
	X(exec_inc_r) X(exec_dec_r) X(exec_inc_e) X(exec_dec_e) \
	X(exec_not) X(exec_neg) X(exec_xadd) X(exec_cmpxchg) X(exec_cmpxchg8b) \
	/* exec-shift.c */ \
	X(exec_shift_1) X(exec_shift_cl) X(exec_shift_i) \
	X(exec_shld_i) X(exec_shld_cl) X(exec_shrd_i) X(exec_shrd_cl) \
	/* exec-muldiv.c */ \
	X(exec_mul) X(exec_imul1) X(exec_div) X(exec_idiv) \
	X(exec_imul_g_e) X(exec_imul_g_e_i) \
	/* exec-bcd.c */ \
	X(exec_daa) X(exec_das) X(exec_aaa) X(exec_aas) X(exec_aam) X(exec_aad) \
	X(exec_salc) \
	/* exec-mov.c */ \
	X(exec_mov_e_g) X(exec_mov_g_e) X(exec_mov_e_s) X(exec_mov_s_e) \
	X(exec_mov_a_o) X(exec_mov_o_a) X(exec_mov_r_i) X(exec_mov_e_i) \
	X(exec_lea) X(exec_xchg_e_g) X(exec_xchg_a_r) X(exec_nop) \
	X(exec_cbw) X(exec_cwd) X(exec_lahf) X(exec_sahf) X(exec_xlat) \
	X(exec_movzx) X(exec_movsx) X(exec_bswap) X(exec_cmovcc) X(exec_setcc) \
	X(exec_lxs) \
	/* exec-stack.c */ \
	X(exec_push_r) X(exec_pop_r) X(exec_push_sreg) X(exec_pop_sreg) \
	X(exec_push_i) X(exec_push_e) X(exec_pop_e) X(exec_pusha) X(exec_popa) \
	X(exec_pushf) X(exec_popf) X(exec_enter) X(exec_leave) \
	/* exec-branch.c */ \
	X(exec_jcc) X(exec_jmp_rel) X(exec_jmp_far) X(exec_jmp_e) X(exec_jmp_m) \
	X(exec_call_rel) X(exec_call_far) X(exec_call_e) X(exec_call_m) \
	X(exec_ret) X(exec_retf) X(exec_loop) X(exec_jcxz) \
	X(exec_int3) X(exec_int) X(exec_into) X(exec_int1) X(exec_iret) \
	X(exec_bound) \
	/* exec-string.c */ \
	X(exec_movs) X(exec_cmps) X(exec_stos) X(exec_lods) X(exec_scas) \
	X(exec_ins) X(exec_outs) \
	/* exec-bit.c */ \
	X(exec_bt_e_g) X(exec_bt_e_i) X(exec_bsf) X(exec_bsr) \
	/* exec-system.c */ \
	X(exec_hlt) X(exec_cli) X(exec_sti) X(exec_in) X(exec_out) \
	X(exec_cpuid) X(exec_rdtsc) X(exec_rdmsr) X(exec_wrmsr) X(exec_rdpmc) \
	X(exec_mov_r_cr) X(exec_mov_cr_r) X(exec_mov_r_dr) X(exec_mov_dr_r) \
	X(exec_clts) X(exec_invd) X(exec_lmsw) X(exec_smsw) \
	X(exec_sgdt) X(exec_sidt) X(exec_lgdt) X(exec_lidt) X(exec_invlpg) \
	X(exec_sldt) X(exec_str) X(exec_lldt) X(exec_ltr) X(exec_verr) X(exec_verw) \
	X(exec_lar) X(exec_lsl) X(exec_arpl) X(exec_sysenter) X(exec_sysexit) \
	/* exec-misc.c */ \
	X(exec_flag_op) X(exec_esc) X(exec_wait) X(exec_ud) X(exec_pop_cs) \
	X(exec_hint_nop) \
	/* exec-x87.c, exec-mmx.c */ \
	X(exec_x87) X(exec_fxsave) X(exec_mmx)

EXEC_HANDLERS(X)
#undef X

#endif
