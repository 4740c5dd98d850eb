; pm-iopl.asm — I/O privilege (SDM Vol 1 §19.5, Vol 3 §20.2.8): at CPL 3
; with IOPL 0 every IN/OUT/INS/OUTS checks the TSS I/O permission bitmap,
; bit by bit for word and dword accesses (also across a bitmap byte), with
; the ports past the bitmap's end byte or the TSS limit denied; IOPL 3
; skips the bitmap; V86 mode always uses it; POPF at CPL 3 leaves IF and
; IOPL alone when it may not change them; CLI/STI follow IOPL.
; Ports used: 7Dh-80h (POST/DMA page registers: harmless) and 100h-108h.

%define TEST_NAME "pm-iopl"
%include "pm.inc"

BITMAP		equ TSS_BASE + 0x68	; ports 0-FFh; the FFh end byte at +20h
RES		equ 0x20000

; DENY port / ALLOW port — its bit in the main TSS bitmap (a register bit
; offset: an immediate one is taken modulo 32).
%macro DENY 1
	mov eax, %1
	bts [BITMAP], eax
%endmacro
%macro ALLOW 1
	mov eax, %1
	btr [BITMAP], eax
%endmacro

; IO3 'name', eflags, {setup}..., {instruction} — the instruction at ring 3
; must raise #GP(0).
%macro IO3 3-*
	TRY %1, 13, 0, %%f
	RING3 %2
%rep %0 - 3
%rotate 1
	%2
%endrep
%rotate 1
%%f:	%2
	RING0
	ENDTRY
%endmacro

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-iopl: ring 3, IOPL 0", 10
	; Allowed accesses: none may fault.
	mov dword [got_count], 0
	RING3 0x0002
	in al, 0x80
	in ax, 0x7F
	in eax, 0x7D
	out 0x80, al
	mov dx, 0x80
	in al, dx
	mov edi, RES
	mov ecx, 2
	rep insb
	mov esi, RES
	mov ecx, 2
	rep outsb
	RING0
	CHECK "ring 3, IOPL 0: IN/OUT/INS/OUTS on allowed ports", dword [got_count], 0

	DENY 0x80
	IO3 "bitmap: IN AL, 80h denied", 0x0002, {in al, 0x80}
	IO3 "bitmap: OUT 80h, AL denied", 0x0002, {out 0x80, al}
	IO3 "bitmap: IN AX, 7Fh (80h across the bitmap byte) denied", 0x0002, {in ax, 0x7F}
	IO3 "bitmap: IN EAX, 7Dh (7Dh-80h) denied", 0x0002, {in eax, 0x7D}
	IO3 "bitmap: IN AL, DX (DX = 80h) denied", 0x0002, {mov dx, 0x80}, {in al, dx}
	IO3 "bitmap: REP INSB from 80h denied", 0x0002, {mov dx, 0x80}, {mov edi, RES}, {mov ecx, 2}, {rep insb}
	IO3 "bitmap: OUTSB to 80h denied", 0x0002, {mov dx, 0x80}, {mov esi, RES}, {outsb}
	mov dword [got_count], 0
	RING3 0x0002
	in al, 0x7F			; 7Fh alone is still allowed
	in ax, 0x7E
	RING0
	CHECK "bitmap: 7Eh-7Fh still allowed", dword [got_count], 0
	IO3 "bitmap: port 100h (the end byte) denied", 0x0002, {mov dx, 0x100}, {in al, dx}
	IO3 "bitmap: port 108h (past the TSS limit) denied", 0x0002, {mov dx, 0x108}, {in al, dx}
	IO3 "bitmap: IN AX, FFh (100h in the end byte) denied", 0x0002, {mov dx, 0xFF}, {in ax, dx}

	; IOPL 3: no bitmap.
	mov dword [got_count], 0
	RING3 0x3002
	in al, 0x80
	mov dx, 0x108
	in al, dx
	cli
	sti
	cli
	RING0
	CHECK "ring 3, IOPL 3: denied ports, CLI and STI run", dword [got_count], 0

	; POPF at CPL 3.
	RING3 0x0002			; IF = 0, IOPL 0
	pushfd
	or dword [esp], 0x3200		; IF = 1, IOPL = 3
	popfd				; neither may change: no fault either
	pushfd
	pop eax
	mov [RES + 0x10], eax
	RING0
	mov eax, [RES + 0x10]
	and eax, 0x3200
	CHECK "ring 3, IOPL 0: POPF changes neither IF nor IOPL", eax, 0
	RING3 0x3202			; IOPL 3: IF may change, IOPL not
	pushfd
	and dword [esp], ~0x3200	; IF = 0, IOPL = 0
	popfd
	pushfd
	pop eax
	mov [RES + 0x14], eax
	RING0
	mov eax, [RES + 0x14]
	and eax, 0x3200
	CHECK "ring 3, IOPL 3: POPF clears IF, not IOPL", eax, 0x3000
	pushfd
	or dword [esp], 0x3000
	popfd
	pushfd
	pop eax
	and eax, 0x3000
	CHECK "ring 0: POPF sets IOPL", eax, 0x3000
	push dword 2
	popfd

	; V86 mode with IOPL 3: the bitmap still decides I/O.
	TRY "V86, IOPL 3: 7Fh allowed, then 80h denied by the bitmap", 13, 0, R(v86_io)
	push dword 0			; GS
	push dword 0			; FS
	push dword 0			; DS
	push dword 0			; ES
	push dword 0			; SS
	push dword 0xD000		; ESP
	push dword 0x00023002		; VM, IOPL 3
	push dword 0xF000
	push dword R(v86_io_first)
	iretd
	ENDTRY
	mov eax, [got_eflags]
	and eax, 0x00020000
	CHECK "V86: the #GP came from V86 mode", eax, 0x00020000
	ALLOW 0x80
	jmp finish

	bits 16
v86_io_first:
	in al, 0x7F
v86_io:
	in al, 0x80
	hlt
	bits 32

	ROM_END
