; pm-irq.asm — hardware interrupts in protected mode (issue 3, points 2
; and 3; the 8259A pair and the 8254 of issue 5): the PICs reprogrammed to
; vectors 20h-2Fh, the PIT's IRQ0 through a 32-bit interrupt gate
;   - waking a HLT at ring 0 (STI; HLT);
;   - arriving while ring 3 code runs: the stack switch to SS0:ESP0 and the
;     ring 3 SS:ESP in the frame;
;   - arriving in virtual-8086 mode: the frame holds VM = 1 and the V86
;     segment registers, the handler sees null data segments, and IRET
;     goes back to V86 mode;
;   - during a long REP MOVSB: taken between iterations (qemu: about 900
;     times; how often is the implementation's choice), the copy exact;
;   - the STI interrupt shadow: an IRQ already pending when STI runs is
;     taken after the HLT that follows has begun (the frame's EIP is past
;     the HLT), so STI; HLT does not sleep past it (a one-shot PIT count;
;     the RTC's 2 Hz periodic interrupt wakes a HLT that missed it, so a
;     CPU without the shadow fails instead of hanging).

%define TEST_NAME "pm-irq"
%include "pm.inc"

VEC_BASE	equ 0x20		; IRQ0-7 -> 20h-27h, IRQ8-15 -> 28h-2Fh
V86_BACK	equ 0x41		; INT 41h from V86: back to the monitor
TICKS		equ test_vars		; IRQ0 count (V86 reads it at 0:0600h)
F_CS		equ test_vars + 4	; the last IRQ0 frame
F_EFLAGS	equ test_vars + 8
F_ESP		equ test_vars + 12
F_SS		equ test_vars + 16
F_ES		equ test_vars + 20
F_DS		equ test_vars + 24
H_ESP		equ test_vars + 28	; the handler's own ESP
H_DS		equ test_vars + 32	; DS as the handler found it
IN_HLT		equ test_vars + 36
WATCHDOG	equ test_vars + 40	; RTC ticks that hit during IN_HLT
RTC_TICKS	equ test_vars + 44
V86_DONE	equ test_vars + 48
F_EIP		equ test_vars + 52
REP_HITS	equ test_vars + 56
REP_SRC		equ 0x400000		; 1 MiB copied to REP_DST
REP_DST		equ 0x800000
REP_LEN		equ 0x100000
PIT_HZ		equ 1193182
LAPIC		equ 0xFEE00000

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-irq: 8259A at 20h/28h, 8254 channel 0 on IRQ0", 10
	SET_GATE VEC_BASE + 0, irq0_handler, SEL_CODE32, GATE_INT0
	SET_GATE VEC_BASE + 8, irq8_handler, SEL_CODE32, GATE_INT0
	SET_GATE V86_BACK, v86_back, SEL_CODE32, GATE_INT3
	; A local APIC (CPUID.1:EDX bit 9, qemu has one) passes the 8259's
	; INTR on only in virtual-wire mode: enable it, LINT0 = ExtINT, LINT1
	; = NMI (what a BIOS does).
	mov eax, 1
	cpuid
	test edx, 1 << 9
	jz .no_apic
	or dword [LAPIC + 0xF0], 0x100	; spurious-vector register: enable
	mov dword [LAPIC + 0x350], 0x700	; LVT LINT0: ExtINT
	mov dword [LAPIC + 0x360], 0x400	; LVT LINT1: NMI
.no_apic:
	; ICW1-4 for both, then the masks: IRQ0 and IRQ2 (the cascade) only.
	mov al, 0x11
	out 0x20, al
	out 0xA0, al
	mov al, VEC_BASE
	out 0x21, al
	mov al, VEC_BASE + 8
	out 0xA1, al
	mov al, 0x04
	out 0x21, al
	mov al, 0x02
	out 0xA1, al
	mov al, 0x01
	out 0x21, al
	out 0xA1, al
	mov al, 0xFA
	out 0x21, al
	mov al, 0xFF
	out 0xA1, al
	; PIT channel 0: rate generator, 1 kHz.
	mov al, 0x34
	out 0x43, al
	mov ax, PIT_HZ / 1000
	out 0x40, al
	mov al, ah
	out 0x40, al

	; --- HLT at ring 0.
	mov dword [TICKS], 0
	sti
	hlt
	cli
	mov eax, [TICKS]
	test eax, eax
	setnz al
	movzx eax, al
	CHECK "ring 0: STI; HLT woken by IRQ0", eax, 1
	CHECK "ring 0: the frame's CS", dword [F_CS], SEL_CODE32
	mov eax, [F_EFLAGS]
	and eax, 0x200
	CHECK "ring 0: the frame's IF = 1", eax, 0x200

	; --- at ring 3: a busy loop until the next tick.
	mov dword [TICKS], 0
	RING3 0x0202
.wait3:
	cmp dword [TICKS], 0
	je .wait3
	RING0
	CHECK "ring 3: IRQ0 taken, frame CS", dword [F_CS], SEL_CODE3
	CHECK "ring 3: frame SS", dword [F_SS], SEL_DATA3
	CHECK "ring 3: frame ESP", dword [F_ESP], STACK3
	CHECK "ring 3: the handler ran on ESP0", dword [H_ESP], STACK0_TSS - 24

	; --- in V86 mode: a busy loop at F000:v86_wait until the next tick.
	mov dword [TICKS], 0
	mov dword [V86_DONE], 0
	mov [r0_esp], esp
	push dword 0			; GS
	push dword 0			; FS
	push dword 0x0060		; DS: TICKS at 0060:0000
	push dword 0x1234		; ES
	push dword 0			; SS
	push dword 0xD000		; ESP
	push dword 0x00023202		; VM, IOPL 3, IF
	push dword 0xF000
	push dword R(v86_wait)
	iretd
v86_monitor_back:
	mov esp, [r0_esp]
	CHECK "V86: back in the monitor after the IRQ", dword [V86_DONE], 1
	mov eax, [F_EFLAGS]
	and eax, 0x00020000
	CHECK "V86: the IRQ0 frame has VM = 1", eax, 0x00020000
	CHECK "V86: the frame's CS", dword [F_CS], 0xF000
	CHECK "V86: the frame's DS", dword [F_DS], 0x0060
	CHECK "V86: the frame's ES", dword [F_ES], 0x1234
	CHECK "V86: the handler found DS null", dword [H_DS], 0

	; --- IRQs during a long REP MOVSB: taken between iterations (the
	; frame's EIP is the REP instruction, ECX partly counted down), and
	; the copy completes right after each IRET.
	mov edi, REP_SRC
	mov ecx, REP_LEN / 4
	mov eax, 0x12345678
.fill:
	stosd
	add eax, 0x9E3779B9
	loop .fill
	mov al, 0x34			; the tick at 20 kHz meanwhile
	out 0x43, al
	mov ax, PIT_HZ / 20000
	out 0x40, al
	mov al, ah
	out 0x40, al
	mov dword [REP_HITS], 0
	mov dword [TICKS], 0
	mov esi, REP_SRC
	mov edi, REP_DST
	mov ecx, REP_LEN
	sti
	nop				; qemu 7.2 takes no IRQ inside a REP
rep_insn:				; right after STI: out of the shadow
	rep movsb
	cli
	mov [test_vars + 0x80], ecx
	mov [test_vars + 0x84], esi
	CHECK "REP MOVSB with IRQs: ECX = 0 at the end", dword [test_vars + 0x80], 0
	CHECK "REP MOVSB with IRQs: ESI at the end", dword [test_vars + 0x84], REP_SRC + REP_LEN
	mov esi, REP_SRC
	mov edi, REP_DST
	mov ecx, REP_LEN / 4
	repe cmpsd
	mov eax, ecx
	CHECK "REP MOVSB with IRQs: the copy is exact", eax, 0
	PRINT "pm-irq: IRQ0 ticks during the copy: "
	mov eax, [TICKS]
	call putdec
	PRINT ", inside the REP: "
	mov eax, [REP_HITS]
	call putdec
	call putnl
	; How soon an IRQ is taken inside a REP is the implementation's
	; business (a clock that counts a REP as one instruction does not even
	; move); what must hold is the copy above, however often it was cut.
	cmp dword [REP_HITS], 0
	jne .rep_done
	PRINT "INFO: no IRQ was taken inside the REP MOVSB", 10
.rep_done:

	; --- the STI shadow: IRQ0 pending before STI; HLT.
	PRINT "pm-irq: STI; HLT with IRQ0 already pending", 10
	; The RTC: periodic interrupt at 2 Hz on IRQ8 (the watchdog).
	mov al, 0x8A			; register A (NMI masked)
	out 0x70, al
	mov al, 0x2F			; divider on, rate 15: 2 Hz
	out 0x71, al
	mov al, 0x8B
	out 0x70, al
	in al, 0x71
	or al, 0x40			; PIE
	mov ah, al
	mov al, 0x8B
	out 0x70, al
	mov al, ah
	out 0x71, al
	mov al, 0x0C			; read C: clear old flags
	out 0x70, al
	in al, 0x71
	mov al, 0xFE			; slave: IRQ8
	out 0xA1, al
	mov dword [WATCHDOG], 0
	mov dword [TICKS], 0
	; PIT channel 0: one shot (mode 0), about 1 ms.
	mov al, 0x30
	out 0x43, al
	mov ax, PIT_HZ / 1000
	out 0x40, al
	mov al, ah
	out 0x40, al
	; Wait with IF = 0 until IRQ0 is in the master's IRR.
	mov ecx, 100000000
.irr:
	mov al, 0x0A			; OCW3: read IRR
	out 0x20, al
	in al, 0x20
	test al, 1
	jnz .pending
	dec ecx
	jnz .irr
.pending:
	test al, 1
	setnz al
	movzx eax, al
	CHECK "one-shot IRQ0 pending in the IRR with IF = 0", eax, 1
	mov dword [IN_HLT], 1
	sti
shadow_hlt:
	hlt
shadow_after:
	mov dword [IN_HLT], 0
	cli
	CHECK "STI; HLT: the pending IRQ0 was taken", dword [TICKS], 1
	CHECK "STI; HLT: taken after the HLT (frame EIP)", dword [F_EIP], shadow_after
	; (The RTC may also have fired in this window: its phase is the
	; divider chain's, so only the frame EIP above tells.)

	; Quiet: mask everything, stop the RTC interrupt.
	mov al, 0xFF
	out 0x21, al
	out 0xA1, al
	mov al, 0x8B
	out 0x70, al
	in al, 0x71
	and al, ~0x40
	mov ah, al
	mov al, 0x8B
	out 0x70, al
	mov al, ah
	out 0x71, al
	jmp finish

; IRQ0: count, record the frame, EOI.
irq0_handler:
	push eax
	mov eax, ds
	push eax
	mov ax, SEL_DATA32
	mov ds, ax
	pop eax
	mov [H_DS], eax
	mov [H_ESP], esp		; the frame and EAX
	mov eax, [esp + 4]
	mov [F_EIP], eax
	mov eax, [esp + 8]
	mov [F_CS], eax
	mov eax, [esp + 12]
	mov [F_EFLAGS], eax
	test dword [esp + 12], 0x00020000
	jnz .v86
	test dword [esp + 8], 3
	jz .same
	mov eax, [esp + 16]
	mov [F_ESP], eax
	mov eax, [esp + 20]
	mov [F_SS], eax
	jmp .same
.v86:
	mov eax, [esp + 24]
	mov [F_ES], eax
	mov eax, [esp + 28]
	mov [F_DS], eax
.same:
	cmp dword [esp + 4], rep_insn	; inside the REP MOVSB?
	jne .count
	cmp ecx, 0
	je .count
	cmp ecx, REP_LEN
	jae .count
	inc dword [REP_HITS]
.count:
	inc dword [TICKS]
	mov al, 0x20			; EOI
	out 0x20, al
	mov eax, [H_DS]			; DS as it was (null in V86: the
	mov ds, ax			; frame restores V86's own)
	pop eax
	iretd

; IRQ8, the RTC: read register C, EOI both; count hits during IN_HLT.
irq8_handler:
	push eax
	push ds
	mov ax, SEL_DATA32
	mov ds, ax
	inc dword [RTC_TICKS]
	cmp dword [IN_HLT], 0
	je .quiet
	inc dword [WATCHDOG]
.quiet:
	mov al, 0x0C
	out 0x70, al
	in al, 0x71
	mov al, 0x20
	out 0xA0, al
	out 0x20, al
	pop ds
	pop eax
	iretd

; INT 41h from V86 code: back to the monitor.
v86_back:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov dword [V86_DONE], 1
	jmp v86_monitor_back

	bits 16
; V86: wait for TICKS (0060:0000) to change, then INT 41h.
v86_wait:
	cmp word [0], 0
	je v86_wait
	int V86_BACK
	hlt
	bits 32

	ROM_END
