; irqloop.asm — a guest for the step-irq test (tests/gdb/step-irq.gdb): the
; PIT's channel 0 raises IRQ0 every 100 ticks (84 us), the handler at F0200
; counts in the word at 0600h, and the loop at F0100 waits for 20 of them,
; then prints "irq: done" and exits with status 67.  Run with -icount so
; the interrupts come at the same instructions every time.
	cpu 386
	bits 16
	org 0

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7000
	mov word [0x600], 0
	mov word [8 * 4], irq0
	mov word [8 * 4 + 2], 0xF000
	mov al, 0x11			; ICW1: edge, cascade, ICW4
	out 0x20, al
	mov al, 0x08			; ICW2: vectors 08h-0Fh
	out 0x21, al
	mov al, 0x04			; ICW3
	out 0x21, al
	mov al, 0x01			; ICW4: 8086 mode
	out 0x21, al
	mov al, 0xFE			; only IRQ0
	out 0x21, al
	mov al, 0x34			; channel 0, lobyte/hibyte, mode 2
	out 0x43, al
	mov ax, 100
	out 0x40, al
	mov al, ah
	out 0x40, al
	sti

	times 0x100 - ($ - $$) db 0x90
waitloop:					; F0100
	cmp word [0x600], 20
	jb waitloop
	cli
	mov si, msg
.puts:
	cs lodsb
	test al, al
	jz .exit
	out 0xE9, al
	jmp .puts
.exit:
	mov al, 0x21
	out 0xF4, al
	hlt

	times 0x200 - ($ - $$) db 0x90
irq0:					; F0200
	inc word [0x600]
	push ax
	mov al, 0x20			; EOI
	out 0x20, al
	pop ax
	iret

msg:	db "irq: done", 10, 0

	times 0xFFF0 - ($ - $$) db 0xFF
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
