; hw-pic.asm — the 8259A pair's less common paths from a guest, with the PIT
; (IRQ0, 1 kHz) and the RTC's periodic interrupt (IRQ8, 1024 Hz) as sources:
;   - a masked request waits in IRR; poll mode acknowledges it (80h, ISR 01h)
;   - fully nested priority: IRQ0 is taken before IRQ8 (via IR2); after a
;     "set priority" command (OCW2 C1h: IR1 lowest) IRQ8 comes first
;   - special mask mode: inside the IRQ0 handler, with IR0 masked and SMM
;     set, IRQ8 (lower priority) nests; the master's ISR reads 05h there;
;     specific EOIs (60h, 62h) end each level
;   - auto-EOI (ICW4 03h): nothing stays in service
; Prints on the debug console (port E9h), ends with "RESULT: PASS" and a
; write of 10h to isa-debug-exit (status 33); a failed check prints
; "FAIL: ..." and writes 11h (status 35).  qemu-system-i386 7.2 passes it
; with -cpu 486 (see hw-timer.asm for why):
;   qemu-system-i386 -cpu 486 -bios hw-pic.bin -display none \
;       -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04

	cpu 8086
	bits 16
	org 0

DEBUGCON	equ 0xE9
DEBUG_EXIT	equ 0xF4

MODE		equ 0x500	; 0 normal, 1 special-mask test, 2 auto-EOI test
COUNT		equ 0x502	; interrupts recorded
ISR0_SEEN	equ 0x504	; master ISR read in the IRQ0 handler
ISR8_SEEN	equ 0x506	; master ISR read in the IRQ8 handler
SPURIOUS	equ 0x508
ENTRIES		equ 0x510	; IRQ numbers in the order taken

start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7000
	mov word [MODE], 0
	mov word [COUNT], 0
	mov word [SPURIOUS], 0
	mov word [0x08 * 4], irq0
	mov word [0x08 * 4 + 2], 0xF000
	mov word [0x70 * 4], irq8
	mov word [0x70 * 4 + 2], 0xF000
	mov word [0x0F * 4], spurious
	mov word [0x0F * 4 + 2], 0xF000
	mov word [0x77 * 4], spurious
	mov word [0x77 * 4 + 2], 0xF000

	mov al, 0x11
	out 0x20, al
	out 0xA0, al
	mov al, 0x08
	out 0x21, al
	mov al, 0x70
	out 0xA1, al
	mov al, 0x04
	out 0x21, al
	mov al, 0x02
	out 0xA1, al
	mov al, 0x01
	out 0x21, al
	out 0xA1, al
	mov al, 0xFF
	out 0x21, al
	out 0xA1, al

	; PIT channel 0: mode 2 at 1 kHz.
	mov al, 0x34
	out 0x43, al
	mov ax, 1193
	out 0x40, al
	mov al, ah
	out 0x40, al

	; 1. A masked IRQ0 waits in IRR.
	mov bl, 0x01
	call wait_irr
	mov si, msg_irr
	call puts

	; 2. Poll mode (IF=0, IR0 unmasked): the read is the acknowledge.
	mov al, 0xFE
	out 0x21, al
	mov al, 0x0C
	out 0x20, al
	in al, 0x20
	cmp al, 0x80
	je .poll_ok
	mov si, msg_poll
	jmp fail
.poll_ok:
	mov al, 0x0B
	out 0x20, al
	in al, 0x20
	cmp al, 0x01
	je .poll_isr_ok
	mov si, msg_poll_isr
	jmp fail
.poll_isr_ok:
	mov al, 0x20
	out 0x20, al
	mov si, msg_poll_ok
	call puts

	; The RTC's periodic interrupt at 1024 Hz on IRQ8; IR0 and IR2 open.
	mov al, 0x0A
	out 0x70, al
	mov al, 0x26
	out 0x71, al
	mov al, 0x0B
	out 0x70, al
	in al, 0x71
	or al, 0x40
	mov ah, al
	mov al, 0x0B
	out 0x70, al
	mov al, ah
	out 0x71, al
	mov al, 0x0C
	out 0x70, al
	in al, 0x71
	mov al, 0xFA
	out 0x21, al
	mov al, 0xFE
	out 0xA1, al

	; 3. Both pending: IRQ0 first; then with IR1 lowest (IR2 highest),
	; IRQ8 first.
	call take_two
	cmp word [ENTRIES], 0x0800
	je .order_ok
	mov si, msg_order
	jmp fail
.order_ok:
	mov si, msg_order_ok
	call puts
	mov al, 0xC1		; set priority: IR1 lowest
	out 0x20, al
	call take_two
	cmp word [ENTRIES], 0x0008
	je .rot_ok
	mov si, msg_rot
	jmp fail
.rot_ok:
	mov si, msg_rot_ok
	call puts
	mov al, 0xC7		; back to IR7 lowest
	out 0x20, al

	; 4. Special mask mode: IRQ8 nests inside IRQ0.
	mov word [MODE], 1
	call take_two
	cmp word [ENTRIES], 0x0800
	jne .smm_bad
	cmp word [ISR8_SEEN], 0x05
	je .smm_ok
.smm_bad:
	mov si, msg_smm
	jmp fail
.smm_ok:
	mov si, msg_smm_ok
	call puts

	; 5. Auto-EOI on the master: the IRQ0 handler sends no EOI.
	mov al, 0x11
	out 0x20, al
	mov al, 0x08
	out 0x21, al
	mov al, 0x04
	out 0x21, al
	mov al, 0x03
	out 0x21, al
	mov al, 0xFE
	out 0x21, al
	mov word [MODE], 2
	mov word [ISR0_SEEN], 0xFF
	mov word [COUNT], 0
	sti
.aeoi_wait:
	hlt
	cmp word [COUNT], 3
	jb .aeoi_wait
	cli
	cmp word [ISR0_SEEN], 0
	je .aeoi_ok
	mov si, msg_aeoi
	jmp fail
.aeoi_ok:
	mov si, msg_aeoi_ok
	call puts

	cmp word [SPURIOUS], 0
	je .pass
	mov si, msg_spurious
	jmp fail
.pass:
	mov si, msg_pass
	call puts
	mov al, 0x10
	out DEBUG_EXIT, al
	hlt

; Waits with IF=0 until the master's IRR has every bit of BL.
wait_irr:
	mov dx, 200		; outer rounds
.outer:
	xor cx, cx
.inner:
	mov al, 0x0A
	out 0x20, al
	in al, 0x20
	and al, bl
	cmp al, bl
	je .done
	loop .inner
	dec dx
	jnz .outer
	mov si, msg_timeout
	jmp fail
.done:
	ret

; With IRQ0 and IRQ8 both pending, takes interrupts until two are recorded.
take_two:
	cli
	mov bl, 0x05
	call wait_irr
	mov word [COUNT], 0
	sti
.wait:
	hlt
	cmp word [COUNT], 2
	jb .wait
	cli
	ret

; Records IRQ AL in ENTRIES.
record:
	push bx
	mov bx, [COUNT]
	cmp bx, 16
	jae .full
	mov [ENTRIES + bx], al
	inc word [COUNT]
.full:
	pop bx
	ret

irq0:
	push ax
	mov al, 0x0B
	out 0x20, al
	in al, 0x20
	xor ah, ah
	mov [ISR0_SEEN], ax
	mov al, 0
	call record
	cmp word [MODE], 1
	je .smm
	cmp word [MODE], 2
	je .done		; auto-EOI: nothing to end
	mov al, 0x20
	out 0x20, al
.done:
	pop ax
	iret
.smm:
	mov word [MODE], 0
	mov al, 0x68		; OCW3: set special mask
	out 0x20, al
	in al, 0x21
	or al, 0x01		; mask IR0, which is in service
	out 0x21, al
	sti
.nest:
	hlt			; IRQ8 comes in here
	cmp word [COUNT], 2
	jb .nest
	cli
	mov al, 0x48		; reset special mask
	out 0x20, al
	in al, 0x21
	and al, 0xFE
	out 0x21, al
	mov al, 0x60		; specific EOI, IR0
	out 0x20, al
	jmp .done

irq8:
	push ax
	mov al, 0x0B
	out 0x20, al
	in al, 0x20
	xor ah, ah
	mov [ISR8_SEEN], ax
	mov al, 8
	call record
	mov al, 0x0C
	out 0x70, al
	in al, 0x71
	mov al, 0x20
	out 0xA0, al
	mov al, 0x62		; specific EOI, IR2 (right in special mask mode too)
	out 0x20, al
	pop ax
	iret

spurious:
	inc word [SPURIOUS]
	iret

fail:
	push si
	mov si, msg_fail
	call puts
	pop si
	call puts
	mov al, 0x11
	out DEBUG_EXIT, al
	hlt

puts:
	push ax
.next:
	cs lodsb
	test al, al
	jz .done
	out DEBUGCON, al
	jmp .next
.done:
	pop ax
	ret

msg_irr		db "PIC: masked IRQ0 waits in IRR", 10, 0
msg_poll	db "poll did not return 80h", 10, 0
msg_poll_isr	db "ISR after the poll is not 01h", 10, 0
msg_poll_ok	db "PIC: poll 80h, then ISR 01h", 10, 0
msg_order	db "IRQ8 before IRQ0 in fully nested mode", 10, 0
msg_order_ok	db "PIC: IRQ0 before IRQ8 by default", 10, 0
msg_rot		db "IRQ0 before IRQ8 with IR1 lowest", 10, 0
msg_rot_ok	db "PIC: IRQ8 before IRQ0 after set priority (IR1 lowest)", 10, 0
msg_smm		db "IRQ8 did not nest in special mask mode", 10, 0
msg_smm_ok	db "PIC: special mask mode lets IRQ8 nest in IRQ0 (ISR 05h)", 10, 0
msg_aeoi	db "ISR not 00h with auto-EOI", 10, 0
msg_aeoi_ok	db "PIC: auto-EOI leaves ISR 00h", 10, 0
msg_timeout	db "a request never reached IRR", 10, 0
msg_spurious	db "a spurious interrupt", 10, 0
msg_pass	db "RESULT: PASS", 10, 0
msg_fail	db "FAIL: ", 0

	times 0xFFF0 - ($ - $$) db 0xFF
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
