; paging.asm — amber's paging-heavy benchmark guest (issue 3, point 11).
;
; A 64 KiB BIOS image (nasm -f bin), standalone: real mode -> flat 32-bit
; protected mode -> paging.  Eight address spaces (page directories) each
; map the same 4 MiB window (linear 800000h-BFFFFFh) onto one 4 MiB pool
; of physical frames (1000000h-13FFFFFh) in a different order, so the
; same linear page is a different frame in each space.  Every round visits
; the eight spaces in turn: a CR3 load, every SWAP_EVERY rounds (default
; 8) two PTEs of the space's table swapped (with INVLPG of both pages:
; page-table writes the shadow cache must see), then 256 reads and writes,
; each on a different page (a TLB miss each, by design).  Every value read
; goes into a 32-bit checksum:
;   - prints "amber paging: checksum XXXXXXXX\n" on port E9h
;   - writes 10h to isa-debug-exit (port F4h): exit status 33.
; Any exception is a triple fault (no IDT): a run that does not print the
; checksum went wrong.  The same image gives the same line under amber and
;   qemu-system-i386 -bios paging.bin -display none -debugcon stdio \
;       -device isa-debug-exit,iobase=0xf4,iosize=0x04
; ITER (default 16) is the number of rounds: 8 CR3 loads and 2048 page
; touches each.  bench/run.py assembles it with -DITER=N.
; Needs 20 MiB of RAM (the default 128 MiB of amber and qemu is plenty).

	cpu 686
	bits 16
	org 0xF0000

%ifndef ITER
%define ITER 16
%endif
%ifndef SWAP_EVERY
%define SWAP_EVERY 8			; a power of two
%endif

DEBUGCON	equ 0xE9
DEBUG_EXIT	equ 0xF4
EXIT_VALUE	equ 0x10
NSPACES		equ 8
TOUCHES		equ 256			; page touches per space per round
STRIDE		equ 37			; odd: j * STRIDE visits distinct pages
WINDOW		equ 0x800000		; the 4 MiB window, PDE 2
POOL		equ 0x1000000		; 1024 frames
PDS		equ 0x200000		; 8 page directories
PT0		equ 0x208000		; identity map of 0-4 MiB, shared
PTS		equ 0x210000		; 8 page tables for the window
STACK		equ 0x7000
; Variables (low RAM, identity-mapped).
CSUM		equ 0x500
ROUND		equ 0x504
SPACE		equ 0x508

%define R(x) (((x) - $$) & 0xFFFF)

start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, STACK
	o32 lgdt [cs:R(gdt_desc)]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:pm32

	bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, STACK

	; The pool: dword n of the pool holds n * 9E3779B1h + 7F4A7C15h.
	mov edi, POOL
	mov ecx, 1024 * 1024
	mov eax, 0x7F4A7C15
.pool:
	stosd
	add eax, 0x9E3779B1
	loop .pool

	; PT0: 0-4 MiB onto itself.
	mov edi, PT0
	mov eax, 0x003
	mov ecx, 1024
.pt0:
	stosd
	add eax, 0x1000
	loop .pt0
	; Space k: PD k (PDE 0 = PT0, PDE 2 = PT k, the rest zero) and PT k:
	; page i -> frame (i * (8k + 5) + 37k + 11) mod 1024.  The tables are
	; below 4 MiB, so the code edits them through PT0's identity map.
	xor esi, esi			; k
.space:
	mov edi, esi
	shl edi, 12
	add edi, PDS
	push edi
	mov ecx, 1024
	xor eax, eax
	rep stosd
	pop edi
	mov dword [edi], PT0 | 3
	mov eax, esi
	shl eax, 12
	add eax, PTS | 3
	mov [edi + 2 * 4], eax
	mov eax, esi
	shl eax, 12
	lea edi, [eax + PTS]
	lea ebx, [esi * 8 + 5]		; multiplier
	imul edx, esi, 37
	add edx, 11			; offset
	xor ecx, ecx			; i
.pte:
	mov eax, ecx
	imul eax, ebx
	add eax, edx
	and eax, 1023
	shl eax, 12
	add eax, POOL | 3
	mov [edi + ecx * 4], eax
	inc ecx
	cmp ecx, 1024
	jb .pte
	inc esi
	cmp esi, NSPACES
	jb .space
	mov eax, PDS
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax

	mov dword [CSUM], 0x12345678
	mov dword [ROUND], 0
.round:
	mov dword [SPACE], 0
.sp:
	mov esi, [SPACE]
	mov eax, esi
	shl eax, 12
	add eax, PDS
	mov cr3, eax
	; Every SWAP_EVERY rounds: swap PT[r mod 1024] and PT[(7r + k) mod
	; 1024], INVLPG both pages.
	test dword [ROUND], SWAP_EVERY - 1
	jnz .touches
	mov eax, esi
	shl eax, 12
	lea edi, [eax + PTS]
	mov ebx, [ROUND]
	and ebx, 1023
	mov ecx, [ROUND]
	imul ecx, ecx, 7
	add ecx, esi
	and ecx, 1023
	mov eax, [edi + ebx * 4]
	mov edx, [edi + ecx * 4]
	mov [edi + ebx * 4], edx
	mov [edi + ecx * 4], eax
	shl ebx, 12
	invlpg [ebx + WINDOW]
	shl ecx, 12
	invlpg [ecx + WINDOW]
.touches:
	; 256 touches: page (j * STRIDE + r + 31k) mod 1024, dword (j + r) mod 1024.
	mov ebx, [CSUM]
	imul ebp, esi, 31
	add ebp, [ROUND]		; page index base
	mov edx, [ROUND]		; dword index base
	xor edi, edi			; j
.touch:
	mov eax, edi
	imul eax, eax, STRIDE
	add eax, ebp
	and eax, 1023
	mov ecx, eax			; page index
	shl eax, 12
	lea esi, [edx + edi]
	and esi, 1023
	lea eax, [eax + esi * 4 + WINDOW]
	mov esi, [eax]
	rol ebx, 5
	add esi, ecx
	xor ebx, esi
	xor [eax], ebx			; a write: dirty bits, write TLB entries
	inc edi
	cmp edi, TOUCHES
	jb .touch
	mov [CSUM], ebx
	inc dword [SPACE]
	cmp dword [SPACE], NSPACES
	jb .sp
	inc dword [ROUND]
	cmp dword [ROUND], ITER
	jb .round

	; Report.
	mov esi, msg
.puts:
	lodsb
	test al, al
	jz .hex
	out DEBUGCON, al
	jmp .puts
.hex:
	mov edx, [CSUM]
	mov ecx, 8
.digit:
	rol edx, 4
	mov al, dl
	and al, 0x0F
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '0' - 10
.out:
	out DEBUGCON, al
	loop .digit
	mov al, 10
	out DEBUGCON, al
	mov al, EXIT_VALUE
	out DEBUG_EXIT, al
.dead:
	hlt
	jmp .dead

msg:	db "amber paging: checksum ", 0

	align 8
gdt:
	dq 0
	dw 0xFFFF, 0x0000, 0x9B00, 0x00CF	; 08 code, flat (accessed preset)
	dw 0xFFFF, 0x0000, 0x9300, 0x00CF	; 10 data, flat
gdt_desc:
	dw gdt_desc - gdt - 1
	dd gdt

	bits 16
	times 0xFFF0 - ($ - $$) db 0xFF
	jmp 0xF000:R(start)			; F000:FFF0, the reset vector
	times 0x10000 - ($ - $$) db 0xFF
