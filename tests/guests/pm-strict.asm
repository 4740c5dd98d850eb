; pm-strict.asm — protected-mode checks that qemu-system-i386's TCG does
; not make (qemu 7.2), so this ROM fails under qemu by design and is the
; SDM's word against it:
;   - segment limit checks on ordinary data and stack accesses, #GP(0) /
;     #SS(0) (SDM Vol 3 §5.3 "Limit Checking"; qemu checks limits only for
;     descriptor-table and gate accesses, not for MOV or PUSH);
;   - a null DS used for an access, #GP(0) (SDM Vol 3 §5.4.1, §3.4.2);
;   - a write through a code segment, #GP(0) (SDM Vol 3 §5.4, "Type
;     Checking");
;   - MOV CR0 with PG = 1 and PE = 0, #GP(0) (SDM Vol 2 MOV CR, "Protected
;     Mode Exceptions");
;   - LOCK on an instruction that is not lockable, #UD (SDM Vol 2 LOCK);
;   - alignment checks: CR0.AM, EFLAGS.AC, CPL 3, #AC(0) (SDM Vol 3
;     §6.15, "Interrupt 17");
;   - the P bit of a #PF error code for a reserved bit in a present PAE
;     entry (SDM Vol 3 §4.7): qemu reports 0Ah, not 0Bh;
;   - near JMP, CALL and RET to an EIP past the CS limit, #GP(0) (SDM Vol 2
;     JMP/CALL/RET, "IF tempEIP is beyond code segment limit"): qemu runs on.
; Expected under qemu 7.2: every TRY below prints "no exception" and the
; MOV CR0 one enables paging without PE (the ROM then ends with an
; unexpected #PF or a triple fault).  Under amber every line must PASS.

%define TEST_NAME "pm-strict"
%include "pm.inc"

SEL_SS32K	equ 0x50		; a stack segment, limit 7FFFh
SEL_DS4K	equ 0x60		; a data segment, limit FFFh
SEL_SS3K	equ 0x68		; a ring 3 stack segment, limit 7FFFh
SEL_XD		equ 0x70		; an expand-down data segment, limit FFFh
SEL_SMALLCS	equ 0x78		; 32-bit code, base F0000h, limit FFFFh
PDPT		equ 0x18000
PAE_PD		equ 0x19000
PAE_PT		equ 0x1A000

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-strict: ring 0, flat, paging off", 10
	SET_DESC SEL_SS32K, 0, 0x7FFF, 0x93, 0x40
	SET_DESC SEL_DS4K, 0, 0xFFF, 0x93, 0x40
	SET_DESC SEL_SS3K, 0, 0x7FFF, 0xF3, 0x40
	SET_DESC SEL_XD, 0, 0xFFF, 0x97, 0x40		; expand-down, B = 1

	; Limits.
	TRY "#SS: [EBP] beyond the SS limit", 12, 0, .ss
	mov ax, SEL_SS32K
	mov ss, ax
	mov ebp, 0x9000
.ss:	mov eax, [ebp]
	ENDTRY
	TRY "#SS: ring 3 PUSH beyond the SS limit", 12, 0, .ss3
	RING3 0x0002
	mov ax, SEL_SS3K | 3
	mov ss, ax
	mov esp, 0x8002
.ss3:	push eax
	RING0
	ENDTRY
	CHECK "#SS from ring 3: SS in the frame", dword [got_ss], SEL_SS3K | 3
	CHECK "#SS from ring 3: ESP in the frame", dword [got_esp], 0x8002
	TRY "#GP: beyond the DS limit", 13, 0, .gp2
	mov ax, SEL_DS4K
	mov ds, ax
.gp2:	mov eax, [0x1000]
	ENDTRY
	TRY "#GP: a dword straddling the DS limit", 13, 0, .gp3
	mov ax, SEL_DS4K
	mov ds, ax
.gp3:	mov eax, [0xFFE]
	ENDTRY
	mov dword [got_count], 0
	mov ax, SEL_DS4K
	mov ds, ax
	mov eax, [0xFFC]		; the last dword: no fault
	mov ax, SEL_XD
	mov es, ax
	mov eax, [es:0x1000]		; expand-down: above the limit is valid
	mov eax, [es:0xFFFFFFFC]
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	CHECK "accesses inside the limits: no exception", dword [got_count], 0
	TRY "#GP: expand-down segment, at its limit", 13, 0, .xd
	mov ax, SEL_XD
	mov es, ax
.xd:	mov eax, [es:0xFFF]
	ENDTRY

	; Null and type checks.
	TRY "#GP: access through a null DS", 13, 0, .gp1
	xor eax, eax
	mov ds, ax
.gp1:	mov eax, [ebx]
	ENDTRY
	TRY "#GP: write through CS", 13, 0, .gp4
	mov ebx, test_vars
.gp4:	mov [cs:ebx], eax
	ENDTRY

	; LOCK.
	TRY "#UD: LOCK MOV", 6, NOERR, .ud2
.ud2:	db 0xF0, 0x89, 0xC0		; lock mov eax, eax
	ENDTRY
	TRY "#UD: LOCK ADD with a register destination", 6, NOERR, .ud3
.ud3:	db 0xF0, 0x01, 0xC0		; lock add eax, eax
	ENDTRY

	; #AC: CR0.AM = 1, EFLAGS.AC = 1, ring 3, a misaligned access.
	mov eax, cr0
	or eax, 0x40000
	mov cr0, eax
	mov dword [got_count], 0
	mov eax, [test_vars + 1]	; ring 0: no check
	RING3 0x40002
	mov eax, [test_vars + 4]	; aligned: nothing
	mov ax, [test_vars + 2]
	RING0
	CHECK "#AC: aligned ring 3 accesses, misaligned ring 0 ones pass", dword [got_count], 0
	TRY "#AC: ring 3 dword read at an odd address", 17, 0, .ac1
	RING3 0x40002
.ac1:	mov eax, [test_vars + 1]
	RING0
	ENDTRY
	TRY "#AC: ring 3 word write at an odd address", 17, 0, .ac2
	RING3 0x40002
.ac2:	mov word [test_vars + 3], 0
	RING0
	ENDTRY
	mov dword [got_count], 0
	RING3 0x00002			; EFLAGS.AC = 0: no check
	mov eax, [test_vars + 1]
	RING0
	CHECK "#AC: EFLAGS.AC = 0 disables the check", dword [got_count], 0
	mov eax, cr0
	and eax, ~0x40000
	mov cr0, eax

	; A reserved bit in a PAE PTE: #PF with P = 1 (the entry is present:
	; SDM Vol 3 §4.7, "P flag ... 0 if there is no translation ... because
	; the P flag was 0"); qemu 7.2 reports 0Ah.
	mov edi, PDPT
	mov ecx, (PAE_PT + 0x1000 - PDPT) / 4
	xor eax, eax
	rep stosd
	mov dword [PDPT], PAE_PD | PTE_P
	mov dword [PAE_PD], PAE_PT | PTE_P | PTE_W | PTE_U
	mov edi, PAE_PT
	mov eax, PTE_P | PTE_W | PTE_U
	mov ecx, 512
.pae_pte:
	mov [edi], eax
	add edi, 8
	add eax, 0x1000
	loop .pae_pte
	mov dword [PAE_PT + (0x102000 >> 12) * 8 + 4], 0x000F0000	; bits 48-51
	mov eax, cr4
	or eax, 0x20
	mov cr4, eax
	mov eax, PDPT
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	TRY "PAE: a reserved bit in a present PTE: #PF(P|W|RSVD)", 14, 0x0B, .rsvd, 0x102000
.rsvd:	mov dword [0x102000], 0
	ENDTRY
	call paging_off
	mov eax, cr4
	and eax, ~0x20
	mov cr4, eax

	; Last: qemu enables paging here (CR3 = 0) and dies of a triple fault.
	TRY "#GP: MOV CR0 with PG = 1, PE = 0", 13, 0, .gp8
	mov eax, 0x80000000
.gp8:	mov cr0, eax
	ENDTRY

	; CS limit on near transfers (qemu runs on past the limit: these come
	; after the MOV CR0 above, which ends qemu's run anyway).
	SET_DESC SEL_SMALLCS, 0xF0000, 0xFFFF, 0x9B, 0x40
	TRY "near JMP beyond the CS limit: #GP(0)", 13, 0, R(cs_jmp)
	jmp SEL_SMALLCS:R(cs_jmp)
	ENDTRY
	CHECK "near JMP beyond the CS limit: CS in the frame", dword [got_cs], SEL_SMALLCS
	TRY "near CALL beyond the CS limit: #GP(0)", 13, 0, R(cs_call)
	jmp SEL_SMALLCS:R(cs_call)
	ENDTRY
	TRY "RET beyond the CS limit: #GP(0)", 13, 0, R(cs_ret)
	jmp SEL_SMALLCS:R(cs_ret_setup)
	ENDTRY
	jmp finish

; Run through SEL_SMALLCS (base F0000h, limit FFFFh, 32-bit): each
; transfer's target, 10010h, is past the limit.
cs_jmp:
	jmp dword 0xF0000 + 0x10010
cs_call:
	call dword 0xF0000 + 0x10010
cs_ret_setup:
	push dword 0x10010
cs_ret:
	ret

	ROM_END
