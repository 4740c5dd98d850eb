; halt.asm — a guest that prints a line and halts with interrupts off:
; nothing can wake it, so amber stops with status 0.
	cpu 8086
	bits 16
	org 0
start:
	cli
	mov al, 'H'
	out 0xE9, al
	mov al, 10
	out 0xE9, al
	hlt

	times 0xFFF0 - ($ - $$) db 0xFF
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
