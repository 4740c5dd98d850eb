; pm-switch.asm — the mode switches a DOS extender or a kernel makes:
; real mode -> protected mode (flat 32-bit) -> paging (identity map, 4 KiB
; pages) -> a virtual-8086 task entered by IRET with VM = 1, which runs
; real-mode code, prints through port E9h (the TSS I/O bitmap allows it)
; and comes back to the monitor with INT 40h through a DPL 3 interrupt gate
; -> V86 with IOPL 0: CLI and INT n fault to the monitor with #GP(0) ->
; exceptions in V86 (INT through a DPL 0 gate, #DE, #PF) to the monitor ->
; a V86 task entered by a JMP to its TSS (EFLAGS.VM = 1 in the TSS) ->
; a V86 monitor that emulates CLI/STI/PUSHF/POPF/INT n and IRETs back ->
; protected mode without paging -> real mode -> protected mode again for
; the summary.  A line at each stage; see lib/pm.inc for the output.

%define TEST_NAME "pm-switch"
%include "pm.inc"

V86_VEC		equ 0x40
V86_DS		equ 0x2000
V86_ES		equ 0x3000
V86_SS		equ 0x0000
V86_SP		equ 0xD000
PT1_BASE	equ 0x12000		; maps 400000h-7FFFFFh
ALIAS		equ 0x400000		; -> physical 20000h
V86_VEC2	equ 0x41
V86_VEC0	equ 0x30		; a DPL 0 gate: INT from V86 -> #GP
V86_NP		equ 0x50000		; a page made not present for V86

; V86_IRET eflags, entry — IRET to F000:entry in V86 mode (the usual
; segments and stack).
%macro V86_IRET 2
	push dword 0			; GS
	push dword 0			; FS
	push dword V86_DS		; DS
	push dword V86_ES		; ES
	push dword V86_SS		; SS
	push dword V86_SP		; ESP
	push dword %1			; EFLAGS
	push dword 0xF000		; CS
	push dword R(%2)		; EIP
	iretd
%endmacro
MON_COUNT	equ test_vars			; the V86 monitor's counters
MON_INTS	equ test_vars + 4
MON_VIF		equ test_vars + 8
SEL_TSSV	equ 0x40		; the V86 task's TSS
TSSV		equ 0x3100
STACKV0		equ 0x9800		; its ring 0 stack

	bits 16
real_main:
	PRINT16 "pm-switch: real mode", 10
	mov eax, cr0
	CHECK16 "real mode: CR0.PE = 0", ax, 0x0010 ; ET only
	ENTER_PM pm_main

	bits 32
pm_main:
	PRINT "pm-switch: protected mode, flat 32-bit", 10
	mov eax, cr0
	and eax, 0x80000001
	CHECK "protected mode: CR0.PE = 1, PG = 0", eax, 1
	mov eax, cs
	CHECK "protected mode: CS = 08h", eax, SEL_CODE32
	CHECK "32-bit operand size: MOV EAX, imm32", 0x12345678, 0x12345678
	str ax
	movzx eax, ax
	CHECK "TR = the main TSS", eax, SEL_TSS

	; --- paging: identity map of 0-4 MiB, plus 400000h -> 20000h.
	call paging_identity
	mov edi, PT1_BASE
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov dword [PT1_BASE], 0x20000 | PTE_P | PTE_W | PTE_U
	mov dword [PD_BASE + 4], PT1_BASE | PTE_P | PTE_W | PTE_U
	mov dword [0x20000], 0xCAFEF00D
	call paging_on
	PRINT "pm-switch: paging on (4 KiB pages, identity map)", 10
	mov eax, cr0
	and eax, 0x80000001
	CHECK "paging: CR0.PG = 1", eax, 0x80000001
	mov eax, cr3
	CHECK "paging: CR3", eax, PD_BASE
	CHECK "paging: an alias page reads the physical page", dword [ALIAS], 0xCAFEF00D
	mov dword [ALIAS + 4], 0x600DD00D
	CHECK "paging: a write through the alias lands there", dword [0x20004], 0x600DD00D

	; --- V86: IRET to F000:v86_code with VM = 1, IOPL 3.
	SET_GATE V86_VEC, v86_back, SEL_CODE32, GATE_INT3
	mov dword [0x20010], 0
	mov [r0_esp], esp
	push dword 0			; GS
	push dword 0			; FS
	push dword V86_DS		; DS
	push dword V86_ES		; ES
	push dword V86_SS		; SS
	push dword V86_SP		; ESP
	push dword 0x00023002		; EFLAGS: VM, IOPL 3
	push dword 0xF000		; CS
	push dword R(v86_code)		; EIP
	iretd

	bits 16
v86_code:
	PRINT16 "pm-switch: virtual-8086 mode", 10
	mov ax, 0x1234
	mov [0x10], ax			; DS = 2000h: linear 20010h
	mov ax, ds
	mov [0x12], ax
	mov bx, sp
	mov [0x14], bx
	mov ax, 0x3000
	push ax				; the V86 stack at 0:D000h
	pop es
	mov word [es:0x20], 0x5678	; linear 30020h
	mov ax, cs
	mov [0x16], ax
	pushf
	pop ax
	mov [0x18], ax			; FLAGS: IOPL 3 visible
	int V86_VEC
v86_stuck:				; not reached
	PRINT16 "FAIL: INT 40h returned to V86 code", 10
	hlt
	jmp v86_stuck

	bits 32
; The monitor: INT 40h from V86.  The frame holds EIP, CS, EFLAGS, ESP, SS,
; ES, DS, FS, GS; the CPU loaded null DS/ES/FS/GS and SS0:ESP0.
v86_back:
	mov eax, ds
	mov ebx, es
	mov ecx, ss
	mov edx, esp
	mov si, SEL_DATA32
	mov ds, si
	mov es, si
	mov fs, si
	mov gs, si
	PRINT "pm-switch: back in the monitor through INT 40h", 10
	CHECK "V86 -> monitor: DS nulled", eax, 0
	CHECK "V86 -> monitor: ES nulled", ebx, 0
	CHECK "V86 -> monitor: SS = SS0", ecx, SEL_DATA32
	CHECK "V86 -> monitor: ESP = ESP0 - 36", edx, STACK0_TSS - 36
	mov ebp, esp			; (CHECK pushes: no ESP operands)
	mov eax, [ebp + 8]
	and eax, 0x00023000
	CHECK "V86 -> monitor: EFLAGS.VM and IOPL in the frame", eax, 0x00023000
	movzx eax, word [ebp + 4]
	CHECK "V86 -> monitor: CS in the frame", eax, 0xF000
	CHECK "V86 -> monitor: EIP in the frame", dword [ebp], R(v86_stuck)
	CHECK "V86 -> monitor: SS:ESP in the frame", dword [ebp + 12], V86_SP
	CHECK "V86 -> monitor: DS in the frame", dword [ebp + 24], V86_DS
	CHECK "V86 -> monitor: ES in the frame", dword [ebp + 20], V86_ES
	movzx eax, word [0x20010]
	CHECK "V86: DS:10h is linear 20010h", eax, 0x1234
	movzx eax, word [0x20012]
	CHECK "V86: MOV AX, DS", eax, V86_DS
	movzx eax, word [0x20014]
	CHECK "V86: SP", eax, V86_SP
	movzx eax, word [0x30020]
	CHECK "V86: ES:20h is linear 30020h", eax, 0x5678
	movzx eax, word [0x20016]
	CHECK "V86: MOV AX, CS", eax, 0xF000
	movzx eax, word [0x20018]
	and eax, 0x3000
	CHECK "V86: PUSHF shows IOPL 3", eax, 0x3000
	mov esp, [r0_esp]

	; --- V86 with IOPL 0: CLI and INT n are IOPL-sensitive: #GP(0).
	TRY "V86, IOPL 0: CLI -> #GP(0)", 13, 0, R(v86_cli)
	push dword 0
	push dword 0
	push dword V86_DS
	push dword V86_ES
	push dword V86_SS
	push dword V86_SP
	push dword 0x00020002		; VM, IOPL 0
	push dword 0xF000
	push dword R(v86_cli)
	iretd
	ENDTRY
	mov eax, [got_eflags]
	and eax, 0x00020000
	CHECK "V86, IOPL 0: the #GP frame has VM = 1", eax, 0x00020000
	TRY "V86, IOPL 0: INT 40h -> #GP(0)", 13, 0, R(v86_int)
	push dword 0
	push dword 0
	push dword V86_DS
	push dword V86_ES
	push dword V86_SS
	push dword V86_SP
	push dword 0x00020002
	push dword 0xF000
	push dword R(v86_int)
	iretd
	ENDTRY

	; --- exceptions in V86 mode go to the monitor through the IDT.
	SET_GATE V86_VEC0, exc_stubs + 16 * V86_VEC0, SEL_CODE32, GATE_INT0
	TRY "V86, IOPL 3: INT 30h through a DPL 0 gate -> #GP(182h)", 13, V86_VEC0 * 8 + 2, R(v86_int30)
	V86_IRET 0x00023002, v86_int30
	ENDTRY
	TRY "V86: DIV by zero -> #DE", 0, NOERR, R(v86_de)
	V86_IRET 0x00023002, v86_de_setup
	ENDTRY
	and dword [PT0_BASE + (V86_NP >> 12) * 4], ~PTE_P
	invlpg [V86_NP]
	TRY "V86: a read of a not-present page -> #PF(U), CR2", 14, 4, R(v86_pf), V86_NP + 6
	V86_IRET 0x00023002, v86_pf_setup
	ENDTRY
	or dword [PT0_BASE + (V86_NP >> 12) * 4], PTE_P
	invlpg [V86_NP]

	; --- V86 entered by a task switch: a TSS with EFLAGS.VM = 1.
	mov edi, TSSV
	mov ecx, 0x100 / 4
	xor eax, eax
	rep stosd
	mov dword [TSSV + 0x04], STACKV0		; ESP0
	mov dword [TSSV + 0x08], SEL_DATA32		; SS0
	mov dword [TSSV + 0x1C], PD_BASE		; CR3
	mov dword [TSSV + 0x20], R(v86_task)		; EIP
	mov dword [TSSV + 0x24], 0x00023002		; EFLAGS: VM, IOPL 3
	mov dword [TSSV + 0x38], V86_SP			; ESP
	mov dword [TSSV + 0x48], V86_ES
	mov dword [TSSV + 0x4C], 0xF000			; CS
	mov dword [TSSV + 0x50], V86_SS
	mov dword [TSSV + 0x54], V86_DS
	mov word [TSSV + 0x66], 0x68			; I/O bitmap: ports 0-FFh
	mov byte [TSSV + 0x88], 0xFF
	SET_DESC SEL_TSSV, TSSV, 0x88, 0x89, 0x00
	SET_GATE V86_VEC2, v86_task_back, SEL_CODE32, GATE_INT3
	mov dword [0x20020], 0
	mov dword [TSS_BASE + 0x1C], PD_BASE		; task A's CR3 (never saved)
	jmp SEL_TSSV:0
	PRINT "pm-switch: back in task A", 10
	movzx eax, word [0x20020]
	CHECK "V86 task: ran its code (DS:20h)", eax, 0x7777
	CHECK "V86 task: the monitor saw VM = 1", dword [0x20024], 0x00020000
	CHECK "V86 task: the monitor ran in task 40h", dword [0x20028], SEL_TSSV
	CHECK "V86 task: the monitor's ESP = ESP0 - 36", dword [0x2002C], STACKV0 - 36
	str ax
	movzx eax, ax
	CHECK "V86 task: back in task A", eax, SEL_TSS
	mov eax, cr0
	and eax, 8
	CHECK "V86 task: the task switches set CR0.TS", eax, 8
	clts

	; --- a V86 monitor: IOPL 0, so CLI, STI, PUSHF, POPF and INT n fault
	; with #GP(0); the monitor emulates each and IRETs back to V86 mode,
	; until the V86 code's INT 0FFh ends the loop.
	SET_GATE 13, v86_monitor, SEL_CODE32, GATE_INT0
	mov dword [MON_COUNT], 0
	mov dword [MON_INTS], 0
	mov [r0_esp], esp
	push dword 0			; GS
	push dword 0			; FS
	push dword V86_DS		; DS
	push dword V86_ES		; ES
	push dword V86_SS		; SS
	push dword V86_SP		; ESP
	push dword 0x00020202		; VM, IOPL 0, IF = 1
	push dword 0xF000
	push dword R(v86_mon_code)
	iretd
v86_mon_done:
	mov esp, [r0_esp]
	SET_GATE 13, exc_stubs + 16 * 13, SEL_CODE32, GATE_INT0
	PRINT "pm-switch: the V86 monitor loop ended at INT 0FFh", 10
	CHECK "V86 monitor: instructions emulated", dword [MON_COUNT], 8
	CHECK "V86 monitor: INT n reflected (21h, 10h)", dword [MON_INTS], 0x2110
	movzx eax, word [0x20030]
	CHECK "V86 monitor: the V86 code ran between the faults", eax, 0x0C0D
	movzx eax, word [0x20032]
	CHECK "V86 monitor: PUSHF saw the virtual IF = 0 after CLI", eax, 0

	; --- protected mode without paging.
	call paging_off
	PRINT "pm-switch: protected mode, paging off", 10
	mov eax, cr0
	and eax, 0x80000001
	CHECK "paging off: CR0.PG = 0", eax, 1
	mov dword [ALIAS], 0xA11A5ED
	CHECK "paging off: 400000h is physical again", dword [ALIAS], 0xA11A5ED
	CHECK "paging off: 20000h unchanged", dword [0x20000], 0xCAFEF00D

	; --- back to real mode.
	LEAVE_PM
	PRINT16 "pm-switch: real mode again", 10
	mov eax, cr0
	CHECK16 "real mode again: CR0.PE = 0", ax, 0x0010
	mov ax, 0x2000
	mov es, ax
	mov word [es:0x40], 0xBEEF
	mov ax, 0x2004
	mov ds, ax
	CHECK16 "real mode again: DS = 2004h, DS:0 = 20040h", [0], 0xBEEF
	xor ax, ax
	mov ds, ax
	mov es, ax
	call 0xF000:R(far_proc)
	CHECK16 "real mode again: far CALL/RETF", bx, 0xF00D
	ENTER_PM pm_again

	bits 32
; INT 41h from the V86 task: record, then JMP back to task A.
v86_task_back:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov eax, [esp + 8]
	and eax, 0x00020000
	mov [0x20024], eax
	str ax
	movzx eax, ax
	mov [0x20028], eax
	mov [0x2002C], esp
	jmp SEL_TSS:0

; #GP from V86 code: emulate CLI, STI, PUSHF (16-bit, IF as the monitor
; keeps it), POPF, INT n (record n, step over it); end at INT 0FFh.
v86_monitor:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	test dword [esp + 12], 0x00020000	; EFLAGS.VM in the frame
	jz .not_v86
	inc dword [MON_COUNT]
	movzx ebx, word [esp + 8]	; CS
	shl ebx, 4
	add ebx, [esp + 4]		; + IP: the faulting instruction
	movzx eax, byte [ebx]
	cmp al, 0xFA
	je .cli
	cmp al, 0xFB
	je .sti
	cmp al, 0x9C
	je .pushf
	cmp al, 0x9D
	je .popf
	cmp al, 0xCD
	je .int
.not_v86:
	jmp exc_stubs + 16 * 13		; not ours: report it
.cli:
	and dword [MON_VIF], 0
	jmp .step1
.sti:
	mov dword [MON_VIF], 0x200
	jmp .step1
.pushf:					; push FLAGS with the virtual IF
	movzx ecx, word [esp + 24]	; SS
	shl ecx, 4
	sub word [esp + 20], 2		; SP -= 2
	movzx eax, word [esp + 20]
	add ecx, eax
	mov eax, [esp + 12]
	and eax, ~0x200
	or eax, [MON_VIF]
	mov [ecx], ax
	jmp .step1
.popf:
	movzx ecx, word [esp + 24]
	shl ecx, 4
	movzx eax, word [esp + 20]
	add ecx, eax
	movzx eax, word [ecx]
	add word [esp + 20], 2
	and eax, 0x200
	mov [MON_VIF], eax
	jmp .step1
.int:
	movzx eax, byte [ebx + 1]
	cmp al, 0xFF
	je v86_mon_done
	shl dword [MON_INTS], 8
	or [MON_INTS], eax
	add dword [esp + 4], 2
	jmp .back
.step1:
	inc dword [esp + 4]
.back:
	add esp, 4			; the error code
	iretd

	bits 16
v86_mon_code:
	cli
	mov word [0x30], 0x0C00		; DS = 2000h: linear 20030h
	pushf
	pop ax
	and ax, 0x200
	mov [0x32], ax
	sti
	int 0x21
	or byte [0x30], 0x0D
	int 0x10
	pushf
	popf
	int 0xFF
	hlt

v86_task:
	PRINT16 "pm-switch: V86 task (entered by a task switch)", 10
	mov word [0x20], 0x7777
	int V86_VEC2
	hlt

v86_int30:
	int V86_VEC0
	hlt
v86_de_setup:
	xor bl, bl
	mov ax, 1
v86_de:
	div bl
	hlt
v86_pf_setup:
	mov ax, V86_NP >> 4
	mov ds, ax
v86_pf:
	mov al, [6]
	hlt

far_proc:
	mov bx, 0xF00D
	retf
v86_cli:
	cli
	hlt
v86_int:
	int V86_VEC
	hlt

	bits 32
pm_again:
	PRINT "pm-switch: protected mode again", 10
	mov eax, cr0
	and eax, 1
	CHECK "protected mode again: CR0.PE = 1", eax, 1
	jmp finish

	ROM_END
