; hw-timer.asm — the interrupt and timer chipset from a guest: the 8259A
; pair, the 8254 and the MC146818 RTC, programmed as a BIOS would.
;
; A 64 KiB BIOS image (nasm -f bin), real mode, 8086 instructions.  It
;   - initialises both PICs (vectors 08h and 70h, cascade on IR2),
;   - runs PIT channel 0 in mode 2 at 1 kHz and takes 10 IRQ0s with HLT in
;     between, checking in the handler that ISR bit 0 is set,
;   - reads back channel 0's status, latches its count, runs channel 2 in
;     mode 0 with the gate on port 61h and polls its OUT on port 61h bit 5,
;   - reads the RTC's date and time (after UIP clears), checks the base
;     memory size in CMOS 15h-16h, then takes 8 periodic interrupts (IRQ8
;     through the slave PIC, register C read in the handler),
;   - prints what it saw on the debug console (port E9h) and ends with
;     "RESULT: PASS" and a write of 10h to isa-debug-exit (status 33); a
;     failed check prints "FAIL: ..." and writes 11h (status 35).
; Lines marked [t] depend on timing: they are the same from run to run only
; with -icount.  qemu-system-i386 7.2 prints the same lines (the [t] ones
; close: the same instruction counts up to its TCG timing) with
;   qemu-system-i386 -cpu 486 -bios hw-timer.bin -display none \
;       -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
;       -icount shift=0 -rtc base=2001-02-03T04:05:06,clock=vm
; -cpu 486 because qemu gives CPUs with an APIC a local APIC whose LINT0 is
; masked at reset, so the 8259's INTR goes nowhere until a BIOS sets LINT0
; to ExtINT; amber has no local APIC yet.

	cpu 8086
	bits 16
	org 0

DEBUGCON	equ 0xE9
DEBUG_EXIT	equ 0xF4

TICKS		equ 0x500	; IRQ0 count
RTC_TICKS	equ 0x502	; IRQ8 count
ISR_SEEN	equ 0x504	; ISR as read in the IRQ0 handler (OR of all)
SPURIOUS	equ 0x506

start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7000
	mov word [TICKS], 0
	mov word [RTC_TICKS], 0
	mov word [ISR_SEEN], 0
	mov word [SPURIOUS], 0
	mov word [0x08 * 4], irq0
	mov word [0x08 * 4 + 2], 0xF000
	mov word [0x70 * 4], irq8
	mov word [0x70 * 4 + 2], 0xF000
	mov word [0x0F * 4], spurious
	mov word [0x0F * 4 + 2], 0xF000

	; The PICs: ICW1 edge + ICW4, ICW2 vectors, ICW3 cascade, ICW4 8086.
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
	mov al, 0xFE		; IRQ0 only
	out 0x21, al
	mov al, 0xFF
	out 0xA1, al
	in al, 0x21
	cmp al, 0xFE
	je .imr_ok
	mov si, msg_imr
	jmp fail
.imr_ok:
	mov si, msg_pic
	call puts

	; PIT channel 0: mode 2, LSB then MSB, 1193 (1000 Hz).
	mov al, 0x34
	out 0x43, al
	mov ax, 1193
	out 0x40, al
	mov al, ah
	out 0x40, al
	sti
.wait0:
	hlt
	cmp word [TICKS], 10
	jb .wait0
	cli
	mov si, msg_ticks
	call puts
	test word [ISR_SEEN], 1
	jnz .isr_ok
	mov si, msg_isr
	jmp fail
.isr_ok:
	mov si, msg_isr_ok
	call puts
	; After the EOIs nothing is in service.
	mov al, 0x0B
	out 0x20, al
	in al, 0x20
	test al, al
	jz .isr_clear
	mov si, msg_isr_left
	jmp fail
.isr_clear:

	; Read-back: status of channel 0 = OUT x, null 0, rw 3, mode 2, binary.
	mov al, 0xE2
	out 0x43, al
	in al, 0x40
	and al, 0x7F
	cmp al, 0x34
	je .status_ok
	mov si, msg_status
	jmp fail
.status_ok:
	mov si, msg_status_ok
	call puts
	; Latch channel 0: a count from 1 to 1193.
	mov al, 0x00
	out 0x43, al
	in al, 0x40
	mov ah, al
	in al, 0x40
	xchg al, ah
	mov bx, ax
	cmp ax, 1
	jb .latch_bad
	cmp ax, 1193
	jbe .latch_ok
.latch_bad:
	mov si, msg_latch
	jmp fail
.latch_ok:
	mov si, msg_latch_val	; [t]
	call puts
	mov ax, bx
	call puthex16
	call newline

	; Channel 2, mode 0, 100 ticks, gate on through port 61h bit 0.
	in al, 0x61
	and al, 0xFC
	out 0x61, al
	mov al, 0xB0
	out 0x43, al
	mov ax, 100
	out 0x42, al
	mov al, ah
	out 0x42, al
	in al, 0x61
	test al, 0x20
	jz .out2_low
	mov si, msg_out2_early
	jmp fail
.out2_low:
	in al, 0x61
	or al, 0x01
	out 0x61, al
	xor cx, cx
.poll2:
	inc cx
	jz .out2_never
	in al, 0x61
	test al, 0x20
	jz .poll2
	mov si, msg_out2
	call puts
	mov si, msg_polls	; [t]
	call puts
	mov ax, cx
	call puthex16
	call newline
	jmp .rtc
.out2_never:
	mov si, msg_out2_never
	jmp fail

	; The RTC: wait for UIP = 0, then read the time.
.rtc:
	xor cx, cx
.uip:
	mov al, 0x0A
	out 0x70, al
	in al, 0x71
	test al, 0x80
	jz .uip_clear
	loop .uip
.uip_clear:
	mov si, msg_rtc
	call puts
	mov al, 0x32
	call cmos_hex
	mov al, 0x09
	call cmos_hex
	mov al, '-'
	out DEBUGCON, al
	mov al, 0x08
	call cmos_hex
	mov al, '-'
	out DEBUGCON, al
	mov al, 0x07
	call cmos_hex
	mov al, ' '
	out DEBUGCON, al
	mov al, 0x04
	call cmos_hex
	mov al, ':'
	out DEBUGCON, al
	mov al, 0x02
	call cmos_hex
	mov al, ':'
	out DEBUGCON, al
	mov al, 0x00
	call cmos_hex
	call newline
	; Register D: valid RAM and time.
	mov al, 0x0D
	out 0x70, al
	in al, 0x71
	cmp al, 0x80
	je .vrt_ok
	mov si, msg_vrt
	jmp fail
.vrt_ok:
	; Base memory: 640 KiB.
	mov al, 0x16
	out 0x70, al
	in al, 0x71
	mov ah, al
	mov al, 0x15
	out 0x70, al
	in al, 0x71
	cmp ax, 640
	je .base_ok
	mov si, msg_base
	jmp fail
.base_ok:
	mov si, msg_base_ok
	call puts

	; The periodic interrupt, 1024 Hz, on IRQ8 through the slave.
	mov al, 0x0A
	out 0x70, al
	mov al, 0x26
	out 0x71, al
	mov al, 0x0C
	out 0x70, al
	in al, 0x71		; clear old flags
	mov al, 0x0B
	out 0x70, al
	in al, 0x71
	or al, 0x40		; PIE
	mov ah, al
	mov al, 0x0B
	out 0x70, al
	mov al, ah
	out 0x71, al
	mov al, 0xFA		; IRQ0 masked now; IRQ2 (cascade) open
	out 0x21, al
	mov al, 0xFE		; IRQ8
	out 0xA1, al
	sti
.wait8:
	hlt
	cmp word [RTC_TICKS], 8
	jb .wait8
	cli
	mov al, 0x0B		; PIE off again
	out 0x70, al
	in al, 0x71
	and al, 0xBF
	mov ah, al
	mov al, 0x0B
	out 0x70, al
	mov al, ah
	out 0x71, al
	mov si, msg_rtc_ticks
	call puts
	cmp word [SPURIOUS], 0
	je .no_spurious
	mov si, msg_spurious
	jmp fail
.no_spurious:
	mov si, msg_pass
	call puts
	mov al, 0x10
	out DEBUG_EXIT, al
	hlt

; Prints the CMOS register AL as two hex digits (BCD reads as decimal).
cmos_hex:
	out 0x70, al
	in al, 0x71
	jmp puthex8

irq0:
	push ax
	inc word [TICKS]
	mov al, 0x0B
	out 0x20, al
	in al, 0x20
	xor ah, ah
	or [ISR_SEEN], ax
	mov al, 0x20
	out 0x20, al
	pop ax
	iret

irq8:
	push ax
	inc word [RTC_TICKS]
	mov al, 0x0C
	out 0x70, al
	in al, 0x71		; acknowledge the RTC
	mov al, 0x20
	out 0xA0, al
	out 0x20, al
	pop ax
	iret

spurious:
	inc word [SPURIOUS]
	iret

; Prints "FAIL: " and the string at CS:SI, exits with status 35.
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

newline:
	mov al, 10
	out DEBUGCON, al
	ret

puthex16:
	push ax
	mov al, ah
	call puthex8
	pop ax
puthex8:
	push ax
	push cx
	mov cl, 4
	mov ah, al
	shr al, cl
	call .digit
	mov al, ah
	and al, 0x0F
	call .digit
	pop cx
	pop ax
	ret
.digit:
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '9' - 1
.out:
	out DEBUGCON, al
	ret

msg_pic		db "PIC: initialised, IMR FEh", 10, 0
msg_imr		db "IMR does not read back", 10, 0
msg_ticks	db "PIT: 10 IRQ0 at 1 kHz, HLT in between", 10, 0
msg_isr		db "ISR bit 0 not set in the IRQ0 handler", 10, 0
msg_isr_ok	db "PIC: ISR bit 0 set in the handler", 10, 0
msg_isr_left	db "something still in service after EOI", 10, 0
msg_status	db "read-back status of channel 0", 10, 0
msg_status_ok	db "PIT: read-back status 34h", 10, 0
msg_latch	db "latched count out of range", 10, 0
msg_latch_val	db "PIT: latched count ", 0
msg_out2_early	db "channel 2 OUT high before counting", 10, 0
msg_out2	db "PIT: channel 2 OUT rose (port 61h bit 5)", 10, 0
msg_polls	db "PIT: polls of port 61h ", 0
msg_out2_never	db "channel 2 OUT never rose", 10, 0
msg_rtc		db "RTC: ", 0
msg_vrt		db "register D is not 80h", 10, 0
msg_base	db "CMOS base memory is not 640K", 10, 0
msg_base_ok	db "RTC: CMOS base memory 640K", 10, 0
msg_rtc_ticks	db "RTC: 8 periodic IRQ8 through the slave PIC", 10, 0
msg_spurious	db "a spurious IRQ7", 10, 0
msg_pass	db "RESULT: PASS", 10, 0
msg_fail	db "FAIL: ", 0

	times 0xFFF0 - ($ - $$) db 0xFF
	jmp 0xF000:start
	times 0x10000 - ($ - $$) db 0xFF
