; x87.asm — the x87 and MMX guest test (issue 4).
;
; A 64 KiB BIOS image (nasm -f bin), real mode, for a CPU with an x87 and
; MMX (-cpu pentium2).  It runs every vector of x87-vectors.inc: loads the
; control word, B then A onto the x87 stack (so ST0 = A, ST1 = B; both are
; also in memory), calls the vector's snippet, and compares the 10-byte
; result and the status word (C0-C3 and the exception flags) with what the
; host's x87 gave for the same snippet (tests/guests/x87-gen.c made the
; file).  It prints a line per failing vector, then
;   "x87: N vectors, F failed" and "RESULT: PASS" or "RESULT: FAIL"
; on the debug console (port E9h), and exits through isa-debug-exit (port
; F4h) with status 33 (pass) or 35 (fail).  Also runs under
;   qemu-system-i386 -cpu pentium2 -bios x87.bin -display none \
;       -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04
; (where the expected values are real hardware's only as far as qemu's
; softfloat x87 is).

	cpu 686
	bits 16
	org 0				; F000:0000-F000:FFFF

DEBUGCON	equ 0xE9
DEBUG_EXIT	equ 0xF4

; Scratch in RAM, segment 0.
A		equ 0x600
B		equ 0x610
RES		equ 0x620
SW		equ 0x630
CW		equ 0x632
FAILS		equ 0x634
VEC		equ 0x636		; offset of the current vector in the ROM
INDEX		equ 0x638
STATUS_MASK	equ 0x473F

; A vector: op (byte), pad, cw (word), A (10), B (10), RES (10), SW (word)
V_OP		equ 0
V_CW		equ 2
V_A		equ 4
V_B		equ 14
V_RES		equ 24
V_SW		equ 34
V_SIZE		equ 36

start:
	cli
	cld
	xor ax, ax
	mov ss, ax
	mov sp, 0x7000
	mov ds, ax
	mov es, ax
	mov eax, cr0			; the x87 native: EM = 0, MP = 1, NE = 1
	and eax, ~(1 << 2)
	or eax, (1 << 1) | (1 << 5)
	mov cr0, eax
	mov word [FAILS], 0
	mov word [INDEX], 0
	mov word [VEC], vectors

.next:
	mov si, [VEC]
	cmp si, vectors_end
	jae .done
	; copy A and B to RAM, clear RES
	mov di, A
	lea si, [si + V_A]
	mov cx, 10
	cs rep movsb
	mov si, [VEC]
	mov di, B
	lea si, [si + V_B]
	mov cx, 10
	cs rep movsb
	mov di, RES
	xor al, al
	mov cx, 16
	rep stosb
	mov word [SW], 0
	mov si, [VEC]
	mov ax, [cs:si + V_CW]
	mov [CW], ax
	fninit
	fldcw [CW]
	fld tword [B]
	fld tword [A]
	mov bl, [cs:si + V_OP]
	xor bh, bh
	add bx, bx
	call [cs:op_table + bx]
	fninit
	; compare
	mov si, [VEC]
	lea si, [si + V_RES]
	mov di, RES
	mov cx, 10
	cs repe cmpsb
	jne .fail
	mov si, [VEC]
	mov ax, [SW]
	and ax, STATUS_MASK
	cmp ax, [cs:si + V_SW]
	jne .fail
.advance:
	add word [VEC], V_SIZE
	inc word [INDEX]
	jmp .next

.fail:
	inc word [FAILS]
	mov si, msg_fail
	call puts
	mov ax, [INDEX]
	call puthex16
	mov si, msg_op
	call puts
	mov si, [VEC]
	mov al, [cs:si + V_OP]
	xor ah, ah
	call puthex16
	mov si, msg_got
	call puts
	mov si, RES + 10
	mov cx, 10
.got:
	dec si
	mov al, [si]
	call puthex8
	loop .got
	mov al, ' '
	out DEBUGCON, al
	mov ax, [SW]
	and ax, STATUS_MASK
	call puthex16
	mov si, msg_want
	call puts
	mov si, [VEC]
	add si, V_RES + 10
	mov cx, 10
.want:
	dec si
	mov al, [cs:si]
	call puthex8
	loop .want
	mov al, ' '
	out DEBUGCON, al
	mov si, [VEC]
	mov ax, [cs:si + V_SW]
	call puthex16
	mov al, 10
	out DEBUGCON, al
	jmp .advance

.done:
	mov si, msg_sum
	call puts
	mov ax, [INDEX]
	call putdec
	mov si, msg_vectors
	call puts
	mov ax, [FAILS]
	call putdec
	mov si, msg_failed
	call puts
	cmp word [FAILS], 0
	jne .bad
	mov si, msg_pass
	call puts
	mov al, 0x10
	out DEBUG_EXIT, al
	hlt
.bad:
	mov si, msg_bad
	call puts
	mov al, 0x11
	out DEBUG_EXIT, al
	hlt

; puts: the zero-terminated string at CS:SI.
puts:
	mov al, [cs:si]
	inc si
	test al, al
	jz .end
	out DEBUGCON, al
	jmp puts
.end:
	ret

puthex16:
	push ax
	mov al, ah
	call puthex8
	pop ax
puthex8:
	push ax
	shr al, 4
	call .nib
	pop ax
	and al, 15
.nib:
	and al, 15
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '9' - 1
.out:
	out DEBUGCON, al
	ret

; putdec: AX in decimal.
putdec:
	xor cx, cx
	mov bx, 10
.div:
	xor dx, dx
	div bx
	push dx
	inc cx
	test ax, ax
	jnz .div
.pr:
	pop ax
	add al, '0'
	out DEBUGCON, al
	loop .pr
	ret

msg_fail	db "FAIL vector ", 0
msg_op		db " op ", 0
msg_got		db ": got ", 0
msg_want	db ", want ", 0
msg_sum		db "x87: ", 0
msg_vectors	db " vectors, ", 0
msg_failed	db " failed", 10, 0
msg_pass	db "RESULT: PASS", 10, 0
msg_bad		db "RESULT: FAIL", 10, 0

%include "x87-vectors.inc"

	times 0xFFF0 - ($ - $$) db 0xFF
reset:
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
