; pm-smc.asm — self-modifying code (an i686 sees every store to code at
; once: SDM Vol 3 §8.1.3): code copied to RAM and changed while it runs —
; an immediate rewritten between calls, the immediate of the very next
; instruction rewritten in a loop, an opcode toggled in a loop, REP STOSB
; over the bytes right after it, an instruction that straddles a page
; boundary changed on its second page; in real mode too.  With paging: the
; same page through a second linear alias (write through one, run through
; the other), a PTE pointed at other code (INVLPG) and a CR3 switch that
; maps other code at the same linear address.

%define TEST_NAME "pm-smc"
%include "pm.inc"

CODE		equ 0x30000		; RAM copies of the templates
CODE_LOOP	equ 0x30100
CODE_OP		equ 0x30200
CODE_STOS	equ 0x30300
CODE_SPLIT	equ 0x31FFD		; mov eax, imm32 across 31000h/32000h
CODE_B		equ 0x34000		; other code for the alias to map
CODE_C		equ 0x35000
ALIAS		equ 0x400000
PT1		equ 0x12000		; 400000h-7FFFFFh, first address space
PD2		equ 0x13000		; the second address space
PT2		equ 0x14000
N		equ 100

; COPY dst, template, template_end
%macro COPY 3
	mov esi, %2
	mov edi, %1
	mov ecx, %3 - %2
	rep movsb
%endmacro

	bits 16
real_main:
	; Real mode: the routine at 2000:0000 (mov ax, imm16; retf).
	push ds
	push es
	mov ax, 0x2000
	mov es, ax
	xor di, di
	mov si, R(t16)
	mov cx, t16_end - t16
	cs rep movsb
	call 0x2000:0
	mov bx, ax
	mov word [es:1], 0x2222
	call 0x2000:0
	pop es
	pop ds
	CHECK16 "real mode: first call", bx, 0x1111
	CHECK16 "real mode: after rewriting the immediate", ax, 0x2222
	ENTER_PM main

t16:
	mov ax, 0x1111
	retf
t16_end:

	bits 32
main:
	PRINT "pm-smc: protected mode, paging off", 10
	call smc_suite
	PRINT "pm-smc: paging on", 10
	call paging_identity
	call paging_on
	call smc_suite

	; --- aliases.
	mov edi, PT1
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov dword [PT1], CODE | PTE_P | PTE_W | PTE_U
	mov dword [PD_BASE + 4], PT1 | PTE_P | PTE_W | PTE_U
	COPY CODE, t_imm, t_imm_end
	mov dword [CODE + 1], 0x11111111
	call CODE
	CHECK "alias: run at the physical address", eax, 0x11111111
	mov eax, ALIAS
	call eax
	CHECK "alias: run through the alias", eax, 0x11111111
	mov dword [ALIAS + 1], 0x22222222
	call CODE
	CHECK "alias: written through the alias, run at the original", eax, 0x22222222
	mov dword [CODE + 1], 0x33333333
	mov eax, ALIAS
	call eax
	CHECK "alias: written at the original, run through the alias", eax, 0x33333333
	; the loop through the alias
	COPY CODE_LOOP, t_loop, t_loop_end
	mov edi, ALIAS + (CODE_LOOP - CODE)
	mov ecx, N
	xor ebx, ebx
	call edi
	CHECK "alias: the next instruction's immediate, in a loop", ebx, N * (N + 1) / 2

	; --- the PTE pointed at other code, INVLPG.
	COPY CODE_B, t_imm, t_imm_end
	mov dword [CODE_B + 1], 0x44444444
	mov dword [PT1], CODE_B | PTE_P | PTE_W | PTE_U
	invlpg [ALIAS]
	mov eax, ALIAS
	call eax
	CHECK "PTE changed + INVLPG: the alias runs the new page", eax, 0x44444444

	; --- a second address space maps other code at ALIAS.
	COPY CODE_C, t_imm, t_imm_end
	mov dword [CODE_C + 1], 0x55555555
	mov edi, PD2
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov edi, PT2
	mov ecx, 1024
	rep stosd
	mov dword [PT2], CODE_C | PTE_P | PTE_W | PTE_U
	mov dword [PD2], PT0_BASE | PTE_P | PTE_W | PTE_U
	mov dword [PD2 + 4], PT2 | PTE_P | PTE_W | PTE_U
	mov eax, PD2
	mov cr3, eax
	mov eax, ALIAS
	call eax
	CHECK "CR3 switch: the other address space's code", eax, 0x55555555
	mov eax, PD_BASE
	mov cr3, eax
	mov eax, ALIAS
	call eax
	CHECK "CR3 switch back: the first address space's code", eax, 0x44444444
	mov dword [CODE_B + 1], 0x66666666
	mov eax, ALIAS
	call eax
	CHECK "CR3 switch back: then written at the physical address", eax, 0x66666666
	call paging_off
	jmp finish

; smc_suite: the tests that need no alias (run without and with paging).
smc_suite:
	COPY CODE, t_imm, t_imm_end
	call CODE
	CHECK "rewrite an immediate between calls: first", eax, 0x11111111
	mov dword [CODE + 1], 0x22222222
	call CODE
	CHECK "rewrite an immediate between calls: second", eax, 0x22222222
	mov byte [CODE], 0xB9		; mov ecx, imm32
	mov ecx, 0
	mov eax, 0x77
	call CODE
	CHECK "rewrite an opcode between calls", ecx, 0x22222222
	mov byte [CODE], 0xB8		; back to mov eax, imm32; made hot
	mov dword [CODE + 1], 0x12121212
	mov ecx, 20000
.hot:	call CODE
	loop .hot
	mov dword [CODE + 1], 0x34343434
	call CODE
	CHECK "rewrite an immediate after 20000 calls", eax, 0x34343434

	COPY CODE_LOOP, t_loop, t_loop_end
	mov edi, CODE_LOOP
	mov ecx, N
	xor ebx, ebx
	call edi
	CHECK "the next instruction's immediate, in a loop", ebx, N * (N + 1) / 2
	mov edi, CODE_LOOP		; again: the copy now holds imm = 1
	mov ecx, N
	xor ebx, ebx
	call edi
	CHECK "the same loop, run again", ebx, N * (N + 1) / 2

	COPY CODE_OP, t_op, t_op_end
	mov edi, CODE_OP
	mov ecx, N
	xor edx, edx
	call edi
	CHECK "toggle the next instruction's opcode (NOP / INC EDX), in a loop", edx, N / 2

	COPY CODE_STOS, t_stos, t_stos_end
	mov edi, CODE_STOS
	call edi
	CHECK "REP STOSB over the bytes right after it", eax, 0x600D

	COPY CODE_SPLIT, t_imm, t_imm_end
	call CODE_SPLIT
	CHECK "an instruction across two pages: first", eax, 0x11111111
	mov byte [CODE_SPLIT + 4], 0x99	; its last byte, on the second page
	call CODE_SPLIT
	CHECK "an instruction across two pages: second page rewritten", eax, 0x99111111
	ret

; The templates (position-independent; EDI = the copy's address).
t_imm:
	mov eax, 0x11111111
	ret
t_imm_end:

; EBX += ECX for ECX = N..1, by rewriting the ADD's immediate each time.
t_loop:
.top:
	mov [edi + (.imm - t_loop) + 2], ecx
.imm:	add ebx, strict dword 0x12345678
	loop .top
	ret
t_loop_end:

; EDX += 1 for each odd ECX, by writing INC EDX or NOP before running it.
t_op:
.top:
	mov eax, ecx
	and eax, 1
	mov al, [edi + (.tab - t_op) + eax]
	mov [edi + (.op - t_op)], al
.op:	nop
	loop .top
	ret
.tab:	db 0x90, 0x42
t_op_end:

; REP STOSB turns the MOV EAX, 0BADh after it into NOPs.
t_stos:
	mov eax, 0x600D
	push edi
	push eax
	lea edi, [edi + (.patch - t_stos)]
	mov ecx, .patch_end - .patch
	mov al, 0x90
	rep stosb
	pop eax
	pop edi
.patch:
	mov eax, 0xBAD
.patch_end:
	ret
t_stos_end:

	ROM_END
