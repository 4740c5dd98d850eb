; pmswitch.asm — the guest of the gdb end-to-end tests (tests/gdb/).
;
; A 64 KiB BIOS image: real mode at F000:FFF0, a real-mode loop that
; writes a word at 0000:0500, the switch to flat 32-bit protected mode,
; a "kernel" routine at a protected-mode address that adds to a dword at
; 2000h (the watchpoint target), then "gdb-pm: done" on the debug console
; and exit status 67 through isa-debug-exit ((21h << 1) | 1).
;
; When the dword at 3000h is nonzero at the end, the guest first spins
; until a debugger clears it (the attach-to-a-running-guest test).
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
	lgdt [cs:gdtr]
	mov eax, cr0
	or al, 1
	mov cr0, eax			; the mode switch
	jmp dword 0x08:(ROM_BASE + pm32)

	times 0x100 - ($ - $$) db 0x90
	bits 32
pm32:					; F0100: the first protected-mode instruction
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, 0x9000
	mov dword [0x2000], 0
	call kernel_main
.spin:					; a debugger clears [3000h] to let it go on
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

	times 0x200 - ($ - $$) db 0x90
kernel_main:				; F0200: the protected-mode "kernel"
	mov ecx, 10
.add:
	add dword [0x2000], 7		; F0205: the watched write
	loop .add
	ret

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
