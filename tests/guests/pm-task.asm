; pm-task.asm — hardware task switches (SDM Vol 3 §7.3): a JMP to a TSS
; descriptor and back, a CALL through a task gate and the IRET (NT = 1)
; that returns, an INT through a task gate in the IDT, a CALL to a 286 TSS,
; a CALL to a busy task (#GP), and a #DF through a task gate (a kernel
; stack overflow, as i386 Linux handles it).  Checked each time: TR, the busy bits of
; both descriptors, NT, the back link, the registers saved in the old TSS
; and loaded from the new one.

%define TEST_NAME "pm-task"
%include "pm.inc"

SEL_TSSB	equ 0x40		; 32-bit TSS B at TSSB
SEL_GATEB	equ 0x48		; task gate -> SEL_TSSB
SEL_TSSC	equ 0x50		; 32-bit TSS C (INT 50h's task gate)
SEL_TSSD	equ 0x58		; 286 TSS D
TSSA		equ TSS_BASE		; the main TSS, selector 28h
TSSB		equ 0x3100
TSSC		equ 0x3200
TSSD		equ 0x3300
VEC_TASK	equ 0x50
STACKB		equ 0xC000
STACKC		equ 0xD000
STACKD		equ 0xE000
MARK		equ 0x20000		; words the tasks write
SEL_TSSDF	equ 0x60		; the #DF task
TSSDF		equ 0x3400
STACKDF		equ 0xF000
STACK_NP	equ 0x1F000		; a not-present stack page

; init_tss32 TSS, EIP, ESP, EAX — a flat ring 0 task.
%macro INIT_TSS32 4
	mov edi, %1
	mov ecx, 0x68 / 4
	xor eax, eax
	rep stosd
	mov dword [%1 + 0x20], %2	; EIP
	mov dword [%1 + 0x24], 2	; EFLAGS
	mov dword [%1 + 0x28], %4	; EAX
	mov dword [%1 + 0x38], %3	; ESP
	mov dword [%1 + 0x4C], SEL_CODE32
	mov dword [%1 + 0x48], SEL_DATA32
	mov dword [%1 + 0x50], SEL_DATA32
	mov dword [%1 + 0x54], SEL_DATA32
	mov dword [%1 + 0x58], SEL_DATA32
	mov dword [%1 + 0x5C], SEL_DATA32
	mov word [%1 + 0x66], 0x68	; no I/O bitmap
%endmacro

; TYPE sel -> EAX: the access byte of a GDT descriptor.
%macro TYPE 1
	movzx eax, byte [GDT_BASE + (%1) + 5]
%endmacro

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-task: task A (the main TSS, 28h)", 10
	INIT_TSS32 TSSB, task_b, STACKB, 0x11111111
	INIT_TSS32 TSSC, task_c, STACKC, 0x33333333
	SET_DESC SEL_TSSB, TSSB, 0x67, 0x89, 0x00
	SET_DESC SEL_TSSC, TSSC, 0x67, 0x89, 0x00
	SET_DESC SEL_TSSD, TSSD, 0x2B, 0x81, 0x00	; 286 TSS, available
	; The task gate: selector in bytes 2-3, access 85h.
	mov dword [GDT_BASE + SEL_GATEB], SEL_TSSB << 16
	mov dword [GDT_BASE + SEL_GATEB + 4], 0x8500
	SET_GATE VEC_TASK, 0, SEL_TSSC, GATE_TASK
	; The 286 TSS: IP, FLAGS, AX, SP, ES, CS, SS, DS.
	mov edi, TSSD
	mov ecx, 0x2C / 4
	xor eax, eax
	rep stosd
	mov word [TSSD + 0x0E], R(task_d)
	mov word [TSSD + 0x10], 2
	mov word [TSSD + 0x12], 0x2860
	mov word [TSSD + 0x1A], STACKD
	mov word [TSSD + 0x22], SEL_DATA32
	mov word [TSSD + 0x24], SEL_CODE16
	mov word [TSSD + 0x26], SEL_DATA32
	mov word [TSSD + 0x28], SEL_DATA32

	str ax
	movzx eax, ax
	CHECK "A: STR after LTR", eax, SEL_TSS
	TYPE SEL_TSS
	CHECK "A: LTR marked the TSS busy", eax, 0x8B

	; --- JMP to TSS B.
	mov eax, 0xA0A0A0A0
	mov esi, 0x5A5A5A5A
	jmp SEL_TSSB:0
a_after_jmp:
	; B jumped back: A's registers come from its TSS.
	mov [MARK + 0x10], eax
	mov [MARK + 0x14], esi
	PRINT "pm-task: back in A after B's JMP", 10
	CHECK "A after JMP back: EAX from TSS A", dword [MARK + 0x10], 0xA0A0A0A0
	CHECK "A after JMP back: ESI from TSS A", dword [MARK + 0x14], 0x5A5A5A5A
	str ax
	movzx eax, ax
	CHECK "A after JMP back: TR", eax, SEL_TSS
	TYPE SEL_TSS
	CHECK "A after JMP back: A busy", eax, 0x8B
	TYPE SEL_TSSB
	CHECK "A after JMP back: B not busy", eax, 0x89
	CHECK "A after JMP back: TSS B's saved EIP", dword [TSSB + 0x20], b_after_jmp
	CHECK "A after JMP back: TSS B's saved EBX", dword [TSSB + 0x34], 0xB0B0B0B0

	; --- CALL through the task gate: B resumes after its JMP.
	mov eax, 0xA1A1A1A1
	call SEL_GATEB:0
a_after_call:
	mov [MARK + 0x10], eax
	PRINT "pm-task: back in A after B's IRET", 10
	CHECK "A after IRET: EAX from TSS A", dword [MARK + 0x10], 0xA1A1A1A1
	pushfd
	pop eax
	and eax, 0x4000
	CHECK "A after IRET: NT = 0", eax, 0
	TYPE SEL_TSS
	CHECK "A after IRET: A busy", eax, 0x8B
	TYPE SEL_TSSB
	CHECK "A after IRET: B not busy", eax, 0x89
	mov eax, [TSSB + 0x24]
	and eax, 0x4000
	CHECK "A after IRET: NT clear in TSS B's saved EFLAGS", eax, 0
	CHECK "A after IRET: TSS B's back link", dword [TSSB], SEL_TSS
	CHECK "A after IRET: B ran after the CALL", dword [MARK + 0x20], 0xB1

	; --- INT 50h through a task gate in the IDT.
	int VEC_TASK
	PRINT "pm-task: back in A after task C", 10
	CHECK "A after INT task gate: C ran", dword [MARK + 0x30], 0xC0
	TYPE SEL_TSSC
	CHECK "A after INT task gate: C not busy", eax, 0x89
	CHECK "A after INT task gate: TSS C's back link", dword [TSSC], SEL_TSS

	; --- CALL to the 286 TSS D.
	call SEL_TSSD:0
	PRINT "pm-task: back in A after the 286 task", 10
	movzx eax, word [MARK + 0x40]
	CHECK "A after 286 task: D ran", eax, 0x286
	movzx eax, word [MARK + 0x42]
	CHECK "A after 286 task: AX from the 286 TSS", eax, 0x2860
	movzx eax, word [MARK + 0x44]
	CHECK "A after 286 task: TR in D", eax, SEL_TSSD
	movzx eax, word [MARK + 0x46]
	CHECK "A after 286 task: NT in D", eax, 0x4000
	TYPE SEL_TSSD
	CHECK "A after 286 task: D not busy (type 1)", eax, 0x81
	movzx eax, word [TSSD]
	CHECK "A after 286 task: TSS D's back link", eax, SEL_TSS

	; --- CALL to a busy TSS: #GP(selector).
	TRY "CALL to the busy TSS A: #GP(28h)", 13, SEL_TSS, .busy
.busy:	call SEL_TSS:0
	ENDTRY
	; --- JMP to a busy TSS through a task gate whose TSS is A.
	mov dword [GDT_BASE + SEL_GATEB], SEL_TSS << 16
	TRY "JMP through a task gate to the busy TSS A: #GP(28h)", 13, SEL_TSS, .busy2
.busy2:	jmp SEL_GATEB:0
	ENDTRY

	; --- a kernel stack overflow: #PF on a PUSH, #PF again delivering it
	; on the same stack -> #DF, which goes through a task gate to a task
	; with its own stack.  The rest of the test runs in that task.
	call paging_identity
	and dword [PT0_BASE + (STACK_NP >> 12) * 4], ~PTE_P
	call paging_on
	INIT_TSS32 TSSDF, task_df, STACKDF, 0
	mov dword [TSSDF + 0x1C], PD_BASE		; CR3
	SET_DESC SEL_TSSDF, TSSDF, 0x67, 0x89, 0x00
	SET_GATE 8, 0, SEL_TSSDF, GATE_TASK
	PRINT "pm-task: a PUSH on a not-present stack page", 10
	mov esp, STACK_NP + 0x1000
	push eax
	PRINT "FAIL: the PUSH did not fault", 10
	jmp finish

task_df:
	PRINT "pm-task: task DF (#DF through a task gate)", 10
	pop eax				; the error code
	CHECK "DF: error code 0", eax, 0
	mov eax, esp
	CHECK "DF: its own stack", eax, STACKDF
	str ax
	movzx eax, ax
	CHECK "DF: TR", eax, SEL_TSSDF
	CHECK "DF: back link = A", dword [TSSDF], SEL_TSS
	pushfd
	pop eax
	and eax, 0x4000
	CHECK "DF: NT = 1", eax, 0x4000
	mov eax, cr2
	CHECK "DF: CR2 = the stack page", eax, STACK_NP + 0xFFC
	CHECK "DF: TSS A's saved ESP", dword [TSSA + 0x38], STACK_NP + 0x1000
	TYPE SEL_TSS
	CHECK "DF: A still busy", eax, 0x8B
	call paging_off
	jmp finish

; Task B: first entered by A's JMP, then resumed by A's CALL.
task_b:
	mov [MARK], eax
	PRINT "pm-task: task B (JMP)", 10
	CHECK "B: EAX from TSS B", dword [MARK], 0x11111111
	mov eax, esp
	CHECK "B: ESP from TSS B", eax, STACKB
	str ax
	movzx eax, ax
	CHECK "B: TR", eax, SEL_TSSB
	TYPE SEL_TSSB
	CHECK "B: B busy", eax, 0x8B
	TYPE SEL_TSS
	CHECK "B: A not busy after a JMP", eax, 0x89
	pushfd
	pop eax
	and eax, 0x4000
	CHECK "B: NT = 0 after a JMP", eax, 0
	CHECK "B: TSS A's saved EAX", dword [TSSA + 0x28], 0xA0A0A0A0
	CHECK "B: TSS A's saved ESI", dword [TSSA + 0x40], 0x5A5A5A5A
	CHECK "B: TSS A's saved EIP", dword [TSSA + 0x20], a_after_jmp
	CHECK "B: TSS B's back link untouched by a JMP", dword [TSSB], 0
	mov ebx, 0xB0B0B0B0
	jmp SEL_TSS:0
b_after_jmp:
	PRINT "pm-task: task B (CALL through a task gate)", 10
	mov dword [MARK + 0x20], 0xB1
	pushfd
	pop eax
	and eax, 0x4000
	CHECK "B: NT = 1 after a CALL", eax, 0x4000
	CHECK "B: back link = A", dword [TSSB], SEL_TSS
	TYPE SEL_TSS
	CHECK "B: A still busy after a CALL", eax, 0x8B
	TYPE SEL_TSSB
	CHECK "B: B busy", eax, 0x8B
	CHECK "B: TSS A's saved EIP", dword [TSSA + 0x20], a_after_call
	iretd
	PRINT "FAIL: B ran past its IRET", 10
	jmp finish

; Task C: INT 50h's task gate.
task_c:
	mov dword [MARK + 0x30], 0xC0
	PRINT "pm-task: task C (INT through a task gate)", 10
	pushfd
	pop eax
	and eax, 0x4000
	CHECK "C: NT = 1", eax, 0x4000
	TYPE SEL_TSSC
	CHECK "C: C busy", eax, 0x8B
	TYPE SEL_TSS
	CHECK "C: A still busy", eax, 0x8B
	iretd

; Task D: a 286 TSS, 16-bit code (CS = 18h, base F0000h).
	bits 16
task_d:
	mov word [dword MARK + 0x40], 0x286
	mov [dword MARK + 0x42], ax
	str ax
	mov [dword MARK + 0x44], ax
	pushf
	pop ax
	and ax, 0x4000
	mov [dword MARK + 0x46], ax
	iret
	bits 32

	ROM_END
