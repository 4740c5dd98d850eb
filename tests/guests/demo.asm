; demo.asm — amber's demo and benchmark guest.
;
; A 64 KiB BIOS image (nasm -f bin), real mode, 8086 instructions only so
; every -cpu model runs it.  It loops over integer arithmetic, shifts and
; rotates, MUL/DIV/IMUL/IDIV, BCD adjust, string instructions (REP STOSW,
; REP MOVSB, backwards REP MOVSW, REPE CMPSB, REPNE SCASB, LODSB), near,
; indirect and far CALLs and RETs, folds every result into a 32-bit
; checksum, then
;   - prints "amber demo: checksum XXXXXXXX\n" on the debug console (port E9h)
;   - writes 10h to isa-debug-exit (port F4h): exit status (10h << 1) | 1 = 33.
; The same image gives the same line and status under amber and under
;   qemu-system-i386 -bios demo.bin -display none -debugcon stdio \
;       -device isa-debug-exit,iobase=0xf4,iosize=0x04
;
; ITER (default 128) is the number of outer rounds of 256 iterations each;
; bench/ assembles a bigger one with nasm -DITER=N.  Only results whose flags
; and values the manual defines feed the checksum, so every CPU model and
; qemu must agree.

	cpu 8086
	bits 16
	org 0				; the image is F000:0000-F000:FFFF

%ifndef ITER
%define ITER 128
%endif

DEBUGCON	equ 0xE9
DEBUG_EXIT	equ 0xF4
EXIT_VALUE	equ 0x10		; guest exit status 33
BUF_SEG		equ 0x1000		; string buffers at 10000h

; Variables in RAM at 0000:0500, addressed through SS (= 0) so DS and ES
; stay free for the string instructions.
CSUM_LO		equ 0x500
CSUM_HI		equ 0x502
COUNT		equ 0x504		; the iteration counter, wraps at 64 Ki
OUTER		equ 0x506
FARPTR		equ 0x508		; offset, segment of far_work
NEARPTR		equ 0x50C		; offset of strings

start:
	cli
	cld
	xor ax, ax
	mov ss, ax
	mov sp, 0x7000
	mov word [ss:CSUM_LO], 0x1234
	mov word [ss:CSUM_HI], 0x5678
	mov word [ss:COUNT], 0
	mov word [ss:OUTER], ITER
	mov word [ss:FARPTR], far_work
	mov word [ss:FARPTR + 2], 0xF000
	mov word [ss:NEARPTR], strings
	mov ax, BUF_SEG
	mov ds, ax
	mov es, ax

.outer:
	mov bp, 256
.inner:
	call arith			; direct near call
	call word [ss:NEARPTR]		; indirect near call through memory
	call far [ss:FARPTR]		; indirect far call through memory
	mov bx, bcd
	call bx				; indirect near call through a register
	call 0xF000:shifts		; direct far call
	inc word [ss:COUNT]
	dec bp
	jnz .inner
	dec word [ss:OUTER]
	jnz .outer

	; Report: "amber demo: checksum HHHHLLLL\n".
	push cs
	pop ds
	mov si, msg
.puts:
	lodsb
	test al, al
	jz .hex
	out DEBUGCON, al
	jmp .puts
.hex:
	mov ax, [ss:CSUM_HI]
	call puthex16
	mov ax, [ss:CSUM_LO]
	call puthex16
	mov al, 10
	out DEBUGCON, al

	mov al, EXIT_VALUE
	out DEBUG_EXIT, al
	; Only reached when there is no exit device: stop here for good.
.dead:
	cli
	hlt
	jmp .dead

; mix: folds AX into the checksum: rotate the 32-bit value left by one,
; XOR AX into the low word, add AX to the high word, then add the carry
; and a constant into the low word.  Preserves every register but flags.
mix:
	push bx
	push cx
	mov cx, [ss:CSUM_LO]
	mov bx, [ss:CSUM_HI]
	shl cx, 1
	rcl bx, 1
	adc cx, 0			; 32-bit ROL 1
	xor cx, ax
	add bx, ax
	adc cx, 0x9E37
	mov [ss:CSUM_LO], cx
	mov [ss:CSUM_HI], bx
	pop cx
	pop bx
	ret

; puthex16: prints AX as four hex digits on the debug console.
puthex16:
	mov cx, 4
.digit:
	push cx
	mov cl, 4
	rol ax, cl
	pop cx
	push ax
	and al, 0x0F
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '0' - 10
.out:
	out DEBUGCON, al
	pop ax
	loop .digit
	ret

; arith: add, sub, adc, sbb, neg, not, logic, the flags through LAHF and
; a LOOP of additions with carry.
arith:
	mov ax, [ss:COUNT]
	mov bx, ax
	mov cl, 3
	shl bx, cl
	xor bx, ax
	add bx, 0x3C5A
	lahf				; SF ZF AF PF CF of the ADD
	push ax
	mov al, ah
	xor ah, ah
	call mix
	pop ax
	mov dx, bx
	sub ax, dx
	sbb bx, 0x1111
	neg ax
	not bx
	call mix
	mov ax, bx
	call mix
	mov ax, [ss:COUNT]
	or ax, 0x8001
	and ax, 0xF0F3
	cmp ax, 0x8000
	lahf
	call mix
	; sum of (COUNT + k) with carries for k = 8..1
	mov cx, 8
	xor dx, dx
	mov bx, 0xFFF0
.sum:
	mov ax, cx
	add ax, [ss:COUNT]
	add bx, ax
	adc dx, 0
	inc dx
	dec bx
	loop .sum
	mov ax, dx
	call mix
	mov ax, bx
	call mix
	ret

; shifts (far): SHL/SHR/SAR/ROL/ROR/RCL/RCR by 1 and by CL (CL < 8), with
; the carry (defined for every nonzero count) folded in.
shifts:
	mov ax, [ss:COUNT]
	mov dx, ax
	mov cl, al
	and cl, 7
	inc cl				; 1..8
	ror dx, cl
	rcl dx, 1
	sar dx, cl
	adc dx, 0
	mov ax, dx
	call mix
	mov ax, [ss:COUNT]
	xor ax, 0xA5C3
	shl ax, cl
	adc ax, 0
	shr ax, 1
	rcr ax, 1
	rol ax, cl
	sbb ax, 0
	call mix
	mov ax, [ss:COUNT]
	mov bl, ah
	sar bl, 1
	shr al, cl
	rcl bl, cl
	adc al, bl
	call mix
	retf

; bcd: DAA, DAS, AAA, AAS, AAM and AAD on bytes of the counter.
bcd:
	mov ax, [ss:COUNT]
	mov bl, al
	and al, 0x99
	and bl, 0x49
	add al, bl
	daa
	lahf
	and ah, ~0x10			; AF is defined after DAA, but keep it simple
	call mix
	mov al, [ss:COUNT + 1]
	sub al, 0x17
	das
	xor ah, ah
	call mix
	mov ax, [ss:COUNT]
	and ax, 0x0F0F
	add al, 5
	aaa
	call mix
	mov ax, [ss:COUNT]
	and ax, 0x0707
	sub al, 9
	aas
	call mix
	mov ax, [ss:COUNT]
	aam
	call mix
	mov ax, [ss:COUNT]
	and ax, 0x0909
	aad
	call mix
	ret

; strings: buffers in BUF_SEG (DS = ES).
strings:
	mov ax, [ss:COUNT]
	xor di, di
	mov cx, 64
	rep stosw			; 0000-007F := COUNT, word-wise
	mov bx, ax
	and bx, 0x7F
	mov dl, ah
	xor dl, 0x5A
	mov [bx], dl			; one byte changed
	xor si, si
	mov di, 0x100
	mov cx, 128
	rep movsb			; 0100-017F := 0000-007F
	mov bx, ax
	mov cl, 3
	shr bx, cl
	and bx, 0x7F
	not byte [bx + 0x100]		; the copy differs in one byte
	xor si, si
	mov di, 0x100
	mov cx, 128
	repe cmpsb
	mov ax, cx
	lahf
	call mix
	mov ax, di
	call mix
	mov al, dl
	xor di, di
	mov cx, 128
	repne scasb
	mov ax, di
	call mix
	mov ax, cx
	call mix
	mov si, 0x40
	mov cx, 32
	xor dx, dx
.lods:
	lodsb
	xor ah, ah
	add dx, ax
	loop .lods
	mov ax, dx
	call mix
	std
	mov si, 0x17E
	mov di, 0x27E
	mov cx, 64
	rep movsw			; 0200-027F := 0100-017F, backwards
	cld
	mov ax, di
	call mix
	mov bx, [ss:COUNT]
	and bx, 0x7E
	mov ax, [bx + 0x200]
	call mix
	ret

; far_work (far): 16- and 8-bit MUL, DIV, IMUL, IDIV.  Only the results
; (not the flags, which DIV leaves undefined) go into the checksum.
far_work:
	push bx
	push cx
	push dx
	mov ax, [ss:COUNT]
	mov cx, 0xBEEF
	mul cx				; DX:AX = COUNT * BEEFh
	call mix
	mov ax, dx
	call mix
	mov ax, [ss:COUNT]
	mov bx, ax
	or bx, 0x0101			; divisor >= 101h > DX: no #DE
	mov dx, ax
	and dx, 0x00FF
	div bx
	call mix
	mov ax, dx
	call mix
	mov ax, [ss:COUNT]
	sub ax, 0x4000
	mov cx, -77
	imul cx
	mov bx, 1000
	idiv bx				; |quotient| <= 2523
	call mix
	mov ax, dx
	call mix
	mov ax, [ss:COUNT]
	mov bl, 13
	mul bl
	mov bl, 251
	div bl				; quotient <= 13
	call mix
	mov ax, [ss:COUNT]
	cbw
	mov bl, -7
	idiv bl				; |quotient| <= 18
	call mix
	mov ax, [ss:COUNT]
	mov al, ah
	mov bl, 0x9B
	imul bl
	call mix
	pop dx
	pop cx
	pop bx
	retf

msg:	db "amber demo: checksum ", 0

	times 0xFFF0 - ($ - $$) db 0xFF
reset:					; F000:FFF0, the reset vector
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
