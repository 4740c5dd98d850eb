; pmswitch.asm — the guest of the gdb end-to-end tests (tests/gdb/).
;
; A 64 KiB BIOS image: real mode at F000:FFF0, a real-mode loop that
; writes a word at 0000:0500, the switch to flat 32-bit protected mode,
; a "kernel" routine at a protected-mode address that adds to a dword at
; 2000h (the watchpoint target), then "gdb-pm: done" on the debug console
; and exit status 67 through isa-debug-exit ((21h << 1) | 1).
;
; Then it turns paging on (0-4 MiB mapped 1:1, nothing else).  Built with
; -DSPIN, it then spins until a debugger clears the dword at 3000h (the
; tests that attach to a running guest).
; Labels the tests break at are at fixed offsets (ORG directives below), so
; the .gdb scripts name plain addresses.

	cpu 386
	bits 16
	org 0

DEBUGCON	equ 0xE9
DEBUG_EXIT	equ 0xF4
ROM_BASE	equ 0xF0000

start:					; F000:0000 = linear F0000
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7000
	mov word [0x500], 0x1234
	mov cx, 3
.rloop:					; F0013
	inc word [0x500]
	loop .rloop
	mov dword [0x3000], 0
	mov word [6 * 4], ud_handler	; #UD: the handler skips the UD2
	mov word [6 * 4 + 2], 0xF000
	mov ax, 0x0600
	mov es, ax
	xor di, di
	mov cx, 4
	mov al, 0xAA

	times 0x40 - ($ - $$) db 0x90
ud_site:				; F0040: faults; stepi lands in the handler
	ud2
	times 0x50 - ($ - $$) db 0x90
rep_site:				; F0050: stepi does one iteration
	rep stosb
	lgdt [cs:gdtr]
	mov eax, cr0
	or al, 1
	times 0x60 - ($ - $$) db 0x90
mode_switch:				; F0060
	mov cr0, eax			; the mode switch
	jmp dword 0x08:(ROM_BASE + pm32)

	times 0x80 - ($ - $$) db 0x90
ud_handler:				; F0080
	push bp
	mov bp, sp
	add word [bp + 2], 2
	pop bp
	iret

	times 0x100 - ($ - $$) db 0x90
	bits 32
pm32:					; F0100: the first protected-mode instruction
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, 0x9000
	mov dword [0x2000], 0
%ifdef SPIN
	mov dword [0x3000], 1
%endif
	call kernel_main
	jmp paging_on

	times 0x200 - ($ - $$) db 0x90
kernel_main:				; F0200: the protected-mode "kernel"
	mov ecx, 10
.add:
	add dword [0x2000], 7		; F0205: the watched write
	loop .add
	ret

	times 0x300 - ($ - $$) db 0x90
; Paging: a page directory at 10000h whose first entry maps 0-4 MiB 1:1
; through the page table at 11000h, and whose second maps 4-8 MiB through
; the same table (an alias); nothing else is mapped.
paging_on:				; F0300
	mov edi, 0x10000
	mov ecx, 2048
	xor eax, eax
	rep stosd			; clears the directory and the table
	mov dword [0x10000], 0x11003	; present, writable
	mov dword [0x10004], 0x11003	; 4-8 MiB: an alias of 0-4 MiB
	mov edi, 0x11000
	mov eax, 0x003			; present, writable
	mov ecx, 1024
.pte:
	stosd
	add eax, 0x1000
	loop .pte
	mov eax, 0x10000
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	times 0x360 - ($ - $$) db 0x90
alias_write:				; F0360: writes 2000h through its alias
	mov dword [0x402000], 0x55
	jmp paged

	times 0x400 - ($ - $$) db 0x90
paged:					; F0400: paging is on
.spin:					; -DSPIN: a debugger clears [3000h] to let it go on
	cmp dword [0x3000], 0
	jne .spin
	mov esi, ROM_BASE + msg
.puts:
	lodsb
	test al, al
	jz .exit
	out DEBUGCON, al
	jmp .puts
.exit:
	mov al, 0x21
	out DEBUG_EXIT, al
.dead:
	hlt
	jmp .dead

msg:	db "gdb-pm: done", 10, 0

	align 8
gdt:
	dq 0
	dq 0x00CF9A000000FFFF		; 08h: flat 32-bit code
	dq 0x00CF92000000FFFF		; 10h: flat data
gdt_end:
gdtr:
	dw gdt_end - gdt - 1
	dd ROM_BASE + gdt

	times 0xFFF0 - ($ - $$) db 0xFF
	bits 16
reset:					; F000:FFF0
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
