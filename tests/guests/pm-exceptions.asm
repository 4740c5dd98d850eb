; pm-exceptions.asm — every protected-mode exception a test can raise on
; purpose, each checked for its vector, its error code (or that it pushes
; none), the EIP it reports (the faulting instruction for faults, the next
; one for traps) and, for #PF, CR2: #DE #DB #BP #OF #BR #UD #NM #DF #TS #NP
; #SS #GP #PF.  See lib/pm.inc for TRY/ENDTRY and the output.
; The checks qemu's TCG does not make (segment limits and types on ordinary
; accesses, #AC, LOCK #UD) are in pm-strict.asm.

%define TEST_NAME "pm-exceptions"
%include "pm.inc"

SEL_SMALLTSS	equ 0x40		; a TSS descriptor with limit 50h < 67h
SEL_NP		equ 0x48		; a data segment, not present
SEL_SSNP	equ 0x58		; a stack segment, not present
SEL_DPL0DATA	equ 0x10
SEL_BEYOND	equ 0x200		; past the GDT limit (1FFh)
VEC_DPL0	equ 0x30		; an interrupt gate with DPL 0

PG_NP		equ 0x200000		; pages of the #PF tests
PG_RO		equ 0x201000
PG_SUP		equ 0x202000

; PRIV3 'name', {setup}..., {instruction} — the last instruction, at ring 3
; with IOPL 0, must raise #GP(0).
%macro PRIV3 2-*
	TRY %1, 13, 0, %%f
	RING3 0x0002
%rep %0 - 2
%rotate 1
	%1
%endrep
%rotate 1
%%f:	%1
	RING0
	ENDTRY
%endmacro

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-exceptions: ring 0, flat, paging off", 10
	SET_DESC SEL_SMALLTSS, 0x3400, 0x50, 0x89, 0x00
	SET_DESC SEL_NP, 0, 0xFFFFF, 0x73, 0xC0		; P = 0, DPL 3
	SET_DESC SEL_SSNP, 0, 0xFFFFF, 0x13, 0xC0
	SET_GATE VEC_DPL0, exc_stubs + 16 * VEC_DPL0, SEL_CODE32, GATE_INT0

	; #DE: DIV by zero (fault).
	TRY "#DE: DIV ECX with ECX = 0", 0, NOERR, .de
	xor edx, edx
	mov eax, 1
	xor ecx, ecx
.de:	div ecx
	ENDTRY
	TRY "#DE: IDIV quotient overflow (-80000000h / -1)", 0, NOERR, .de2
	mov eax, 0x80000000
	cdq
	mov ecx, -1
.de2:	idiv ecx
	ENDTRY

	; #DB: single step (trap after the instruction that follows POPF).
	xor eax, eax
	mov dr6, eax
	TRY "#DB: single step (TF)", 1, NOERR, .db_after
	pushfd
	or dword [esp], 0x100
	popfd
	nop
.db_after:
	nop
	ENDTRY
	mov eax, dr6
	and eax, 0x4000
	CHECK "#DB: DR6.BS", eax, 0x4000

	; #BP, #OF: traps, EIP after the instruction.
	TRY "#BP: INT3", 3, NOERR, .bp_after
	int3
.bp_after:
	ENDTRY
	TRY "#OF: INTO with OF = 1", 4, NOERR, .of_after
	mov al, 0x7F
	add al, 1
	into
.of_after:
	ENDTRY
	mov al, 1
	add al, 1
	mov dword [got_count], 0
	into				; OF = 0: nothing
	CHECK "INTO with OF = 0: no exception", dword [got_count], 0

	; #BR: BOUND out of range (fault).
	mov dword [test_vars], 10
	mov dword [test_vars + 4], 20
	mov eax, 15
	mov dword [got_count], 0
	bound eax, [test_vars]		; in range: nothing
	CHECK "BOUND in range: no exception", dword [got_count], 0
	TRY "#BR: BOUND with the index above the upper bound", 5, NOERR, .br
	mov eax, 21
.br:	bound eax, [test_vars]
	ENDTRY

	; #UD.
	TRY "#UD: UD2", 6, NOERR, .ud
.ud:	ud2
	ENDTRY

	; #NM: an x87 instruction with CR0.TS = 1.
	mov eax, cr0
	or eax, 8
	mov cr0, eax
	TRY "#NM: FNINIT with CR0.TS = 1", 7, NOERR, .nm
.nm:	fninit
	ENDTRY
	clts
	mov dword [got_count], 0
	fninit
	CHECK "CLTS: FNINIT runs", dword [got_count], 0

	; #TS: a task switch to a TSS whose limit is below 67h.
	TRY "#TS: JMP to a TSS with limit 50h", 10, SEL_SMALLTSS, .ts
.ts:	jmp SEL_SMALLTSS:0
	ENDTRY

	; #NP: loading a not-present data segment.
	TRY "#NP: MOV DS, not-present segment", 11, SEL_NP, .np
	mov ax, SEL_NP
.np:	mov ds, ax
	ENDTRY
	TRY "#NP: MOV ES, not-present segment, RPL 3 (error code has no RPL)", 11, SEL_NP, .np2
	mov ax, SEL_NP | 3
.np2:	mov es, ax
	ENDTRY

	; #SS: SS not present (limits: pm-strict.asm).
	TRY "#SS: MOV SS, not-present segment", 12, SEL_SSNP, .ss2
	mov ax, SEL_SSNP
.ss2:	mov ss, ax
	ENDTRY

	; #GP, ring 0 (null, limit and type checks: pm-strict.asm).
	TRY "#GP: selector beyond the GDT limit", 13, SEL_BEYOND, .gp5
	mov ax, SEL_BEYOND
.gp5:	mov ds, ax
	ENDTRY
	TRY "#GP: MOV SS, code segment", 13, SEL_CODE32, .gp6
	mov ax, SEL_CODE32
.gp6:	mov ss, ax
	ENDTRY
	TRY "#GP: MOV SS, null", 13, 0, .gp7
	xor eax, eax
.gp7:	mov ss, ax
	ENDTRY
	TRY "#GP: INT through a gate beyond the IDT limit", 13, 0x81 * 8 + 2, .gp9
	lidt [small_idt]
.gp9:	int 0x81
	ENDTRY
	lidt [full_idt]

	; #GP, ring 3 (IOPL 0).
	TRY "#GP: ring 3 MOV DS, DPL 0 data segment", 13, SEL_DPL0DATA, .r1
	RING3 0x0002
	mov ax, SEL_DPL0DATA
.r1:	mov ds, ax
	RING0
	ENDTRY
	CHECK "#GP from ring 3: CS in the frame", dword [got_cs], SEL_CODE3
	CHECK "#GP from ring 3: SS in the frame", dword [got_ss], SEL_DATA3
	CHECK "#GP from ring 3: ESP in the frame", dword [got_esp], STACK3
	TRY "#GP: ring 3 CLI with IOPL 0", 13, 0, .r2
	RING3 0x0002
.r2:	cli
	RING0
	ENDTRY
	TRY "#GP: ring 3 MOV CR0", 13, 0, .r3
	RING3 0x0002
.r3:	mov eax, cr0
	RING0
	ENDTRY
	; The other CPL 0 instructions, each with operands that change
	; nothing should it run (so the rest of the test still can).
	sgdt [test_vars + 0x10]
	sidt [test_vars + 0x20]
	smsw [test_vars + 0x30]
	PRIV3 "#GP: ring 3 MOV EAX, DR7", {mov eax, dr7}
	PRIV3 "#GP: ring 3 MOV CR3, EAX", {mov eax, [test_vars + 0x40]}, {mov cr3, eax}
	PRIV3 "#GP: ring 3 CLTS", {clts}
	PRIV3 "#GP: ring 3 LMSW", {lmsw [test_vars + 0x30]}
	PRIV3 "#GP: ring 3 LGDT", {lgdt [test_vars + 0x10]}
	PRIV3 "#GP: ring 3 LIDT", {lidt [test_vars + 0x20]}
	PRIV3 "#GP: ring 3 LLDT", {xor eax, eax}, {lldt ax}
	PRIV3 "#GP: ring 3 INVLPG", {invlpg [test_vars]}
	PRIV3 "#GP: ring 3 WBINVD", {wbinvd}
	PRIV3 "#GP: ring 3 RDMSR", {mov ecx, 0x10}, {rdmsr}
	PRIV3 "#GP: ring 3 WRMSR", {mov ecx, 0x174}, {xor eax, eax}, {xor edx, edx}, {wrmsr}
	TRY "#GP: ring 3 INT 30h through a DPL 0 gate", 13, VEC_DPL0 * 8 + 2, .r4
	RING3 0x0002
.r4:	int VEC_DPL0
	RING0
	ENDTRY
	TRY "#GP: ring 3 IN from a port the bitmap denies (300h)", 13, 0, .r6
	RING3 0x0002
	mov dx, 0x300
.r6:	in al, dx
	RING0
	ENDTRY
	mov dword [got_count], 0
	RING3 0x0002
	in al, 0x80			; the bitmap allows ports 0-FFh
	RING0
	CHECK "ring 3 IN from a port the bitmap allows", dword [got_count], 0

	; #DF: #GP while the #GP gate is not present -> #NP -> #DF(0).
	and byte [IDT_BASE + 13 * 8 + 5], 0x7F
	TRY "#DF: #GP with a not-present #GP gate", 8, 0, ANY
	mov ax, SEL_BEYOND
	mov ds, ax
	ENDTRY
	or byte [IDT_BASE + 13 * 8 + 5], 0x80

	; #PF: identity map, then pages not present, read-only, supervisor.
	call paging_identity
	and dword [PT0_BASE + (PG_NP >> 12) * 4], ~PTE_P
	and dword [PT0_BASE + (PG_RO >> 12) * 4], ~PTE_W
	and dword [PT0_BASE + (PG_SUP >> 12) * 4], ~PTE_U
	mov dword [PG_RO], 0x11111111
	mov dword [PG_RO + 8], 0x66666666
	mov dword [PG_SUP], 0x22222222
	call paging_on
	PRINT "pm-exceptions: paging on", 10
	TRY "#PF: read a not-present page", 14, 0, .pf1, PG_NP + 0x10
.pf1:	mov eax, [PG_NP + 0x10]
	ENDTRY
	TRY "#PF: write a not-present page", 14, 2, .pf2, PG_NP + 0x24
.pf2:	mov dword [PG_NP + 0x24], 0
	ENDTRY
	TRY "#PF: fetch from a not-present page", 14, 0, PG_NP, PG_NP
	mov eax, PG_NP
	jmp eax
	ENDTRY
	TRY "#PF: a dword write across into a not-present page", 14, 2, .pf3, PG_NP
.pf3:	mov dword [PG_NP - 2], 0x44444444
	ENDTRY
	CHECK "#PF: the write across the page left nothing behind", dword [PG_NP - 4], 0
	mov eax, cr0			; CR0.WP = 0: ring 0 writes read-only pages
	and eax, ~0x10000
	mov cr0, eax
	mov dword [PG_RO], 0x55555555
	CHECK "CR0.WP = 0: ring 0 writes a read-only page", dword [PG_RO], 0x55555555
	mov eax, cr0
	or eax, 0x10000
	mov cr0, eax
	TRY "#PF: CR0.WP = 1, ring 0 writes a read-only page", 14, 3, .pf4, PG_RO + 8
.pf4:	mov dword [PG_RO + 8], 0
	ENDTRY
	CHECK "#PF: the read-only page is unchanged", dword [PG_RO + 8], 0x66666666
	TRY "#PF: ring 3 reads a supervisor page", 14, 5, .pf5, PG_SUP + 0x100
	RING3 0x0002
.pf5:	mov eax, [PG_SUP + 0x100]
	RING0
	ENDTRY
	TRY "#PF: ring 3 writes a read-only page", 14, 7, .pf6, PG_RO + 0x200
	RING3 0x0002
.pf6:	mov dword [PG_RO + 0x200], 1
	RING0
	ENDTRY
	TRY "#PF: ring 3 reads a not-present page", 14, 4, .pf7, PG_NP + 0x300
	RING3 0x0002
.pf7:	mov al, [PG_NP + 0x300]
	RING0
	ENDTRY
	TRY "#PF: ring 3 fetches from a supervisor page", 14, 5, PG_SUP, PG_SUP
	RING3 0x0002
	mov eax, PG_SUP
	jmp eax
	ENDTRY
	TRY "#PF: ring 3 reads a dword across into a supervisor page", 14, 5, .pf8, PG_SUP
	RING3 0x0002
.pf8:	mov eax, [PG_SUP - 1]
	RING0
	ENDTRY
	call paging_off

	; Last: a CPU that lets ring 3 halt stops here for good.
	TRY "#GP: ring 3 HLT", 13, 0, .r5
	RING3 0x0002
.r5:	hlt
	RING0
	ENDTRY
	jmp finish

small_idt:
	dw 0x81 * 8 + 6			; vector 81h's gate is cut by the limit
	dd IDT_BASE
full_idt:
	dw IDT_LIMIT
	dd IDT_BASE

	ROM_END
