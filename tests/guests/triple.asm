; triple.asm — a guest that triple-faults: an empty real-mode IVT (IDTR
; limit 0), then INT 3: #GP, #DF, shutdown.  amber stops with status 2.
	cpu 286
	bits 16
	org 0
start:
	xor ax, ax
	mov ss, ax
	mov sp, 0x7000
	mov ds, ax
	mov word [0x600], 0		; limit 0, base 0
	mov word [0x602], 0
	mov word [0x604], 0
	mov al, 'T'
	out 0xE9, al
	mov al, 10
	out 0xE9, al
	lidt [0x600]
	int 3
	hlt

	times 0xFFF0 - ($ - $$) db 0xFF
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
