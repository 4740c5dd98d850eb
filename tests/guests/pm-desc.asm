; pm-desc.asm — descriptors and the instructions that read them (SDM Vol 3
; ch. 3 and 5, Vol 2 LAR/LSL/VERR/VERW/ARPL): the accessed bit set by a
; segment load, an LDT (LLDT/SLDT, a load through TI = 1, #GP with no LDT),
; LAR and LSL on segments, system descriptors, gates, null and out-of-range
; selectors and from ring 3, granularity in LSL, VERR/VERW by type and
; privilege, ARPL, SGDT/SIDT/STR, and the #GP of loading a system or an
; execute-only descriptor into DS, or into SS a segment whose RPL or DPL
; is not the CPL or that is read-only.

%define TEST_NAME "pm-desc"
%include "pm.inc"

SEL_LDTD	equ 0x40		; the LDT descriptor (GDT)
SEL_DATA_NA	equ 0x48		; data, accessed bit clear
SEL_XO		equ 0x50		; execute-only code
SEL_RO		equ 0x58		; read-only data, limit 1234h (bytes)
SEL_G0		equ 0x60		; data, G = 1, limit 0: 0FFFh
SEL_XD		equ 0x68		; expand-down data, limit 0FFFh
SEL_CONF	equ 0x70		; conforming readable code, DPL 0
SEL_RCODE	equ 0x78		; readable code, DPL 0
SEL_LDT_DATA	equ 0x04 | 3		; LDT entry 0, RPL 3: data, DPL 3
SEL_LDT_CODE	equ 0x0C		; LDT entry 1: code, DPL 0
LDT_BASE	equ 0x3800
SEL_IGATE	equ 0x80		; an interrupt gate in the GDT (LAR: invalid)
SEL_CGATE	equ 0x88		; a call gate, DPL 3 (LAR: valid)
RES		equ 0x20000

; LARR / LSLR sel, off -> [RES + off]: the result, or -1 (LAR) / EEEEEEEEh
; (LSL) when ZF = 0.
%macro LARR 2
	mov eax, %1
	mov ebx, 0xFFFFFFFF
	lar ebx, eax
	jz %%ok
	mov ebx, 0xFFFFFFFF
%%ok:
	mov [RES + %2], ebx
%endmacro
%macro LSLR 2
	mov eax, %1
	mov ebx, 0xFFFFFFFF
	lsl ebx, eax
	jz %%ok
	mov ebx, 0xEEEEEEEE
%%ok:
	mov [RES + %2], ebx
%endmacro
; VERx op, sel, off -> [RES + off] = 1 if ZF
%macro VER 3
	mov eax, %2
	%1 ax
	setz al
	movzx eax, al
	mov [RES + %3], eax
%endmacro

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-desc: ring 0", 10
	SET_DESC SEL_DATA_NA, 0, 0xFFFFF, 0x92, 0xC0
	SET_DESC SEL_XO, 0, 0xFFFFF, 0x98, 0xC0
	SET_DESC SEL_RO, 0, 0x1234, 0x90, 0x40
	SET_DESC SEL_G0, 0, 0, 0x92, 0xC0
	SET_DESC SEL_XD, 0, 0xFFF, 0x96, 0x40
	SET_DESC SEL_CONF, 0, 0xFFFFF, 0x9E, 0xC0
	SET_DESC SEL_RCODE, 0, 0xFFFFF, 0x9A, 0xC0
	SET_DESC SEL_LDTD, LDT_BASE, 0x17, 0x82, 0x00
	SET_DESC LDT_BASE - GDT_BASE + 0, 0, 0xFFFFF, 0xF3, 0xC0	; LDT[0]
	SET_DESC LDT_BASE - GDT_BASE + 8, 0, 0xFFFFF, 0x9B, 0xC0	; LDT[1]
	mov dword [GDT_BASE + SEL_IGATE], SEL_CODE32 << 16
	mov dword [GDT_BASE + SEL_IGATE + 4], 0x8E00
	mov dword [GDT_BASE + SEL_CGATE], SEL_CODE32 << 16
	mov dword [GDT_BASE + SEL_CGATE + 4], 0xEC00

	; --- the accessed bit.
	movzx eax, byte [GDT_BASE + SEL_DATA_NA + 5]
	CHECK "descriptor with A = 0", eax, 0x92
	mov ax, SEL_DATA_NA
	mov es, ax
	movzx eax, byte [GDT_BASE + SEL_DATA_NA + 5]
	CHECK "MOV ES sets the accessed bit", eax, 0x93
	mov ax, SEL_DATA32
	mov es, ax

	; --- SGDT, SIDT, STR.
	sgdt [RES + 0x200]
	movzx eax, word [RES + 0x200]
	CHECK "SGDT: limit", eax, GDT_LIMIT
	CHECK "SGDT: base", dword [RES + 0x202], GDT_BASE
	sidt [RES + 0x210]
	movzx eax, word [RES + 0x210]
	CHECK "SIDT: limit", eax, IDT_LIMIT
	CHECK "SIDT: base", dword [RES + 0x212], IDT_BASE
	xor eax, eax
	str eax
	CHECK "STR r32: the selector, upper bits zero", eax, SEL_TSS

	; --- LDT.
	TRY "a TI = 1 selector with a null LDTR: #GP(selector)", 13, SEL_LDT_DATA & ~3, .noldt
	mov ax, SEL_LDT_DATA
.noldt:	mov ds, ax
	ENDTRY
	mov ax, SEL_LDTD
	lldt ax
	sldt ax
	movzx eax, ax
	CHECK "LLDT, SLDT", eax, SEL_LDTD
	mov dword [RES + 0x300], 0x1D71D7
	mov ax, SEL_LDT_DATA
	mov fs, ax
	CHECK "a load through the LDT (FS = 07h)", dword [fs:RES + 0x300], 0x1D71D7
	mov eax, fs
	CHECK "FS keeps the LDT selector", eax, SEL_LDT_DATA
	LSLR SEL_LDTD, 0x310
	CHECK "LSL of the LDT descriptor", dword [RES + 0x310], 0x17
	call SEL_LDT_CODE:ldt_code
	CHECK "a far CALL into an LDT code segment: CS = 0Ch", eax, SEL_LDT_CODE
	TRY "LLDT with a data segment: #GP(selector)", 13, SEL_DATA32, .lldt
	mov ax, SEL_DATA32
.lldt:	lldt ax
	ENDTRY

	; --- LAR.
	LARR SEL_DATA32, 0x00
	LARR SEL_CODE32, 0x04
	LARR SEL_TSS, 0x08
	LARR SEL_LDTD, 0x0C
	LARR SEL_CGATE, 0x10
	LARR SEL_IGATE, 0x14
	LARR 0, 0x18
	LARR 0x1F8, 0x1C			; inside the limit, all zero
	LARR 0x200, 0x20			; beyond the GDT limit
	LARR SEL_LDT_DATA, 0x24
	mov eax, [RES + 0x00]
	and eax, 0x00F0FF00
	CHECK "LAR: flat data", eax, 0x00C09300
	mov eax, [RES + 0x04]
	and eax, 0x00F0FF00
	CHECK "LAR: flat code", eax, 0x00C09B00
	mov eax, [RES + 0x08]
	and eax, 0x00F0FF00
	CHECK "LAR: the busy TSS", eax, 0x00008B00
	mov eax, [RES + 0x0C]
	and eax, 0x00F0FF00
	CHECK "LAR: the LDT", eax, 0x00008200
	mov eax, [RES + 0x10]
	and eax, 0x00F0FF00
	CHECK "LAR: a call gate", eax, 0x0000EC00
	CHECK "LAR: an interrupt gate in the GDT: ZF = 0", dword [RES + 0x14], -1
	CHECK "LAR: null: ZF = 0", dword [RES + 0x18], -1
	CHECK "LAR: an empty descriptor: ZF = 0", dword [RES + 0x1C], -1
	CHECK "LAR: beyond the GDT limit: ZF = 0", dword [RES + 0x20], -1
	mov eax, [RES + 0x24]
	and eax, 0x00F0FF00
	CHECK "LAR: an LDT selector", eax, 0x00C0F300

	; --- LSL.
	LSLR SEL_DATA32, 0x40
	LSLR SEL_TSS, 0x44
	LSLR SEL_RO, 0x48
	LSLR SEL_G0, 0x4C
	LSLR SEL_XD, 0x50
	LSLR SEL_CGATE, 0x54
	LSLR 0, 0x58
	CHECK "LSL: G = 1, limit FFFFFh", dword [RES + 0x40], 0xFFFFFFFF
	CHECK "LSL: the TSS", dword [RES + 0x44], TSS_LIMIT
	CHECK "LSL: byte granular", dword [RES + 0x48], 0x1234
	CHECK "LSL: G = 1, limit 0", dword [RES + 0x4C], 0xFFF
	CHECK "LSL: expand-down, the raw limit", dword [RES + 0x50], 0xFFF
	CHECK "LSL: a call gate: ZF = 0", dword [RES + 0x54], 0xEEEEEEEE
	CHECK "LSL: null: ZF = 0", dword [RES + 0x58], 0xEEEEEEEE

	; --- VERR, VERW.
	VER verr, SEL_DATA32, 0x60
	VER verw, SEL_DATA32, 0x64
	VER verr, SEL_RO, 0x68
	VER verw, SEL_RO, 0x6C
	VER verr, SEL_XO, 0x70
	VER verr, SEL_RCODE, 0x74
	VER verw, SEL_RCODE, 0x78
	VER verr, SEL_TSS, 0x7C
	VER verr, 0, 0x80
	CHECK "VERR: data", dword [RES + 0x60], 1
	CHECK "VERW: writable data", dword [RES + 0x64], 1
	CHECK "VERR: read-only data", dword [RES + 0x68], 1
	CHECK "VERW: read-only data", dword [RES + 0x6C], 0
	CHECK "VERR: execute-only code", dword [RES + 0x70], 0
	CHECK "VERR: readable code", dword [RES + 0x74], 1
	CHECK "VERW: code", dword [RES + 0x78], 0
	CHECK "VERR: a TSS", dword [RES + 0x7C], 0
	CHECK "VERR: null", dword [RES + 0x80], 0

	; --- ARPL.
	mov ax, 0x10
	mov bx, 0x33
	arpl ax, bx
	setz cl
	movzx ecx, cl
	movzx eax, ax
	CHECK "ARPL: RPL raised to 3", eax, 0x13
	CHECK "ARPL: ZF = 1", ecx, 1
	mov ax, 0x13
	mov bx, 0x30
	arpl ax, bx
	setz cl
	movzx ecx, cl
	movzx eax, ax
	CHECK "ARPL: RPL already higher: unchanged", eax, 0x13
	CHECK "ARPL: ZF = 0", ecx, 0

	; --- loads DS may not make.
	TRY "MOV DS, a TSS: #GP(selector)", 13, SEL_TSS, .tss
	mov ax, SEL_TSS
.tss:	mov ds, ax
	ENDTRY
	TRY "MOV DS, execute-only code: #GP(selector)", 13, SEL_XO, .xo
	mov ax, SEL_XO
.xo:	mov ds, ax
	ENDTRY
	TRY "MOV DS, RPL 3 to a DPL 0 segment at ring 0: #GP(selector)", 13, SEL_DATA32, .rpl
	mov ax, SEL_DATA32 | 3
.rpl:	mov ds, ax
	ENDTRY
	TRY "MOV SS, RPL 3 at ring 0: #GP(selector)", 13, SEL_DATA32, .ssrpl
	mov ax, SEL_DATA32 | 3
.ssrpl:	mov ss, ax
	ENDTRY
	TRY "MOV SS, a DPL 3 segment at ring 0: #GP(selector)", 13, SEL_DATA3 & ~3, .ssdpl
	mov ax, SEL_DATA3 & ~3
.ssdpl:	mov ss, ax
	ENDTRY
	TRY "MOV SS, a read-only segment: #GP(selector)", 13, SEL_RO, .ssro
	mov ax, SEL_RO
.ssro:	mov ss, ax
	ENDTRY
	mov dword [got_count], 0
	mov ax, SEL_RCODE
	mov es, ax
	mov eax, [es:RES + 0x300]
	mov bx, SEL_DATA32
	mov es, bx
	CHECK "MOV ES, readable code, then a read", eax, 0x1D71D7
	CHECK "MOV ES, readable code: no exception", dword [got_count], 0

	; --- ring 3.
	RING3 0x0002
	PRINT "pm-desc: ring 3", 10
	LARR SEL_DATA32, 0x90		; DPL 0: not visible from ring 3
	LARR SEL_CONF, 0x94		; conforming: visible
	LARR SEL_DATA3, 0x98
	LSLR SEL_DATA32, 0x9C
	VER verr, SEL_DATA32, 0xA0
	VER verr, SEL_CONF | 3, 0xA4
	VER verw, SEL_DATA3, 0xA8
	mov ax, SEL_CONF | 3		; conforming readable code: any DPL
	mov es, ax
	mov eax, [es:RES + 0x300]
	mov [RES + 0xAC], eax
	RING0
	CHECK "ring 3 LAR of a DPL 0 segment: ZF = 0", dword [RES + 0x90], -1
	mov eax, [RES + 0x94]
	and eax, 0x00F0FF00
	CHECK "ring 3 LAR of conforming code", eax, 0x00C09E00
	mov eax, [RES + 0x98]
	and eax, 0x00F0FF00
	CHECK "ring 3 LAR of its own data", eax, 0x00C0F300
	CHECK "ring 3 LSL of a DPL 0 segment: ZF = 0", dword [RES + 0x9C], 0xEEEEEEEE
	CHECK "ring 3 VERR of a DPL 0 segment", dword [RES + 0xA0], 0
	CHECK "ring 3 VERR of conforming readable code", dword [RES + 0xA4], 1
	CHECK "ring 3 VERW of its own data", dword [RES + 0xA8], 1
	CHECK "ring 3 MOV ES, conforming code of DPL 0, read", dword [RES + 0xAC], 0x1D71D7
	TRY "ring 3 MOV DS, a DPL 0 data segment: #GP(selector)", 13, SEL_DATA_NA, .r3
	RING3 0x0002
	mov ax, SEL_DATA_NA | 3
.r3:	mov ds, ax
	RING0
	ENDTRY
	jmp finish

; Reached through LDT entry 1.
ldt_code:
	mov eax, cs
	retf

	ROM_END
