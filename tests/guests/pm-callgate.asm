; pm-callgate.asm — privilege changes through call gates (SDM Vol 3 §5.8):
; ring 3 calls a DPL 3 call gate into ring 0 with two dword parameters
; (stack switch to SS0:ESP0, parameters copied, old SS:ESP and CS:EIP
; pushed) and RETF 8 back (ES holding a DPL 0 selector is nulled on the
; way out); ring 3 to ring 1 through a second gate (SS1:ESP1); a 16-bit
; call gate; a conforming code segment (no privilege change); INT n from
; ring 3 through trap and interrupt gates and IRET back; JMP through a call
; gate (ring 0 to ring 0; from ring 3 to ring 0 it is a #GP); INT from
; 16-bit code through a 286 interrupt gate; a 16-bit stack under 32-bit
; code (PUSH, CALL, an interrupt frame use SP); SYSENTER
; and SYSEXIT; and the #GP a DPL 0 gate, a RETF to an inner ring, a
; ring 3 SYSEXIT or a zero SYSENTER_CS raises.

%define TEST_NAME "pm-callgate"
%include "pm.inc"

SEL_GATE0	equ 0x40		; DPL 3 gate -> ring 0, 2 dword parameters
SEL_CODE1	equ 0x48		; ring 1 code (flat, 32-bit)
SEL_DATA1	equ 0x50		; ring 1 data/stack
SEL_GATE1	equ 0x58		; DPL 3 gate -> ring 1, 1 parameter
SEL_CONF	equ 0x60		; conforming code, DPL 0, flat
SEL_GATE0P	equ 0x68		; DPL 0 gate: ring 3 may not use it
SEL_GATE16	equ 0x70		; 16-bit DPL 3 gate -> ring 0 16-bit code, 1 word
SEL_CODE16P	equ SEL_CODE16		; 16-bit ring 0 code, base F0000h
SEL_CODE16R3	equ 0x78		; 16-bit ring 3 code, base F0000h
STACK1		equ 0xE000
SEL_SYS		equ 0x80		; 80h code 0, 88h data 0, 90h code 3, 98h data 3
STACK_SYS	equ 0xF000
VEC_TRAP3	equ 0x32
SEL_GATEJ	equ 0xA0		; DPL 3 gate -> ring 0, for JMP
VEC_INT16	equ 0x34		; a 286 interrupt gate
VEC_STK16	equ 0x35
SEL_SS16	equ 0xA8		; a 16-bit stack segment (B = 0) at STK16_BASE
STK16_BASE	equ 0x30000
VEC_INT3	equ 0x33
REC		equ 0x20000		; what the gate targets record

; CALLGATE sel, target sel, offset, access, count
%macro CALLGATE 5
	mov eax, %3
	mov [GDT_BASE + (%1)], ax
	mov word [GDT_BASE + (%1) + 2], %2
	mov byte [GDT_BASE + (%1) + 4], %5
	mov byte [GDT_BASE + (%1) + 5], %4
	shr eax, 16
	mov [GDT_BASE + (%1) + 6], ax
%endmacro

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-callgate: ring 0", 10
	CALLGATE SEL_GATE0, SEL_CODE32, gate0_target, 0xEC, 2
	SET_DESC SEL_CODE1, 0, 0xFFFFF, 0xBB, 0xC0
	SET_DESC SEL_DATA1, 0, 0xFFFFF, 0xB3, 0xC0
	CALLGATE SEL_GATE1, SEL_CODE1 | 1, gate1_target, 0xEC, 1
	SET_DESC SEL_CONF, 0, 0xFFFFF, 0x9F, 0xC0
	SET_DESC SEL_CODE16R3, 0xF0000, 0xFFFF, 0xFB, 0x00
	CALLGATE SEL_GATE0P, SEL_CODE32, gate0_target, 0x8C, 0
	CALLGATE SEL_GATE16, SEL_CODE16P, R(gate16_target), 0xE4, 1
	SET_DESC SEL_SYS, 0, 0xFFFFF, 0x9B, 0xC0
	SET_DESC SEL_SYS + 8, 0, 0xFFFFF, 0x93, 0xC0
	SET_DESC SEL_SYS + 16, 0, 0xFFFFF, 0xFB, 0xC0
	SET_DESC SEL_SYS + 24, 0, 0xFFFFF, 0xF3, 0xC0
	mov dword [TSS_BASE + 0x0C], STACK1		; ESP1
	mov dword [TSS_BASE + 0x10], SEL_DATA1 | 1	; SS1

	; --- ring 3 -> ring 0 with two parameters.
	RING3 0x0002
	PRINT "pm-callgate: ring 3", 10
	mov eax, cs
	CHECK "ring 3: CS", eax, SEL_CODE3
	push dword 0x22222222		; second parameter
	push dword 0x11111111		; first parameter
	call SEL_GATE0 | 3:0
.ret0:	mov [REC + 0x40], esp
	mov [REC + 0x44], es
	mov [REC + 0x48], ds
	mov [REC + 0x4C], eax
	mov eax, cs
	mov [REC + 0x50], eax
	PRINT "pm-callgate: back in ring 3 after RETF 8", 10
	CHECK "ring 0 saw CS = 08h", dword [REC + 0x00], SEL_CODE32
	CHECK "ring 0 saw SS = SS0", dword [REC + 0x04], SEL_DATA32
	CHECK "ring 0 saw ESP = ESP0 - 24", dword [REC + 0x08], STACK0_TSS - 24
	CHECK "ring 0 frame: return EIP", dword [REC + 0x0C], main.ret0
	CHECK "ring 0 frame: return CS", dword [REC + 0x10], SEL_CODE3
	CHECK "ring 0 frame: parameter 1 copied", dword [REC + 0x14], 0x11111111
	CHECK "ring 0 frame: parameter 2 copied", dword [REC + 0x18], 0x22222222
	CHECK "ring 0 frame: old ESP", dword [REC + 0x1C], STACK3 - 8
	CHECK "ring 0 frame: old SS", dword [REC + 0x20], SEL_DATA3
	CHECK "ring 3 after RETF 8: result in EAX", dword [REC + 0x4C], 0x33333333
	CHECK "ring 3 after RETF 8: ESP (parameters released)", dword [REC + 0x40], STACK3
	CHECK "ring 3 after RETF 8: CS", dword [REC + 0x50], SEL_CODE3
	movzx eax, word [REC + 0x44]
	CHECK "ring 3 after RETF 8: ES (DPL 0) nulled", eax, 0
	movzx eax, word [REC + 0x48]
	CHECK "ring 3 after RETF 8: DS (DPL 3) kept", eax, SEL_DATA3

	; --- ring 3 -> ring 1 with one parameter.
	push dword 0x44444444
	call SEL_GATE1 | 3:0
	mov [REC + 0x60], esp
	mov eax, cs
	mov [REC + 0x64], eax
	CHECK "ring 1 saw CS = 49h", dword [REC + 0x80], SEL_CODE1 | 1
	CHECK "ring 1 saw SS = SS1", dword [REC + 0x84], SEL_DATA1 | 1
	CHECK "ring 1 saw ESP = ESP1 - 20", dword [REC + 0x88], STACK1 - 20
	CHECK "ring 1 frame: parameter", dword [REC + 0x8C], 0x44444444
	CHECK "ring 1 frame: old SS:ESP", dword [REC + 0x90], STACK3 - 4
	CHECK "ring 3 after RETF 4: ESP", dword [REC + 0x60], STACK3
	CHECK "ring 3 after RETF 4: CS", dword [REC + 0x64], SEL_CODE3

	; --- a 16-bit call gate from 16-bit ring 3 code: one word parameter,
	; a 16-bit frame.
	jmp SEL_CODE16R3 | 3:R(r3_16)
r3_16_back:
	CHECK "16-bit gate: CS", dword [REC + 0xC0], SEL_CODE16P
	CHECK "16-bit gate: SP = ESP0 - 10", dword [REC + 0xC4], (STACK0_TSS - 10) & 0xFFFF
	CHECK "16-bit gate: frame IP, CS", dword [REC + 0xC8], ((SEL_CODE16R3 | 3) << 16) | R(ret16)
	CHECK "16-bit gate: frame parameter, SP", dword [REC + 0xCC], ((STACK3 - 2) << 16) | 0x5555
	CHECK "16-bit gate: frame SS", dword [REC + 0xD0], SEL_DATA3
	CHECK "ring 3 after 16-bit RETF 2: ESP", dword [REC + 0xA0], STACK3

	; --- a conforming segment: CPL stays 3, no stack switch.
	call SEL_CONF | 3:conf_target
	CHECK "conforming: CS keeps CPL 3 in its RPL", dword [REC + 0xE0], SEL_CONF | 3
	CHECK "conforming: no stack switch", dword [REC + 0xE4], STACK3 - 8
	RING0

	; --- SYSENTER / SYSEXIT (flat selectors from SYSENTER_CS = 80h).
	mov ecx, 0x174			; SYSENTER_CS
	xor edx, edx
	mov eax, SEL_SYS
	wrmsr
	mov ecx, 0x175			; SYSENTER_ESP
	mov eax, STACK_SYS
	wrmsr
	mov ecx, 0x176			; SYSENTER_EIP
	mov eax, sysenter_target
	wrmsr
	RING3 0x0202			; IF = 1: SYSENTER clears it
	mov ecx, esp
	mov edx, .sysexit_back
	mov esi, 0x5E5E5E5E
	sysenter
.sysexit_back:
	mov [REC + 0x100], esp
	mov eax, cs
	mov [REC + 0x104], eax
	mov eax, ss
	mov [REC + 0x108], eax
	CHECK "SYSENTER: CS = SYSENTER_CS", dword [REC + 0x110], SEL_SYS
	CHECK "SYSENTER: SS = SYSENTER_CS + 8", dword [REC + 0x114], SEL_SYS + 8
	CHECK "SYSENTER: ESP = SYSENTER_ESP", dword [REC + 0x118], STACK_SYS
	CHECK "SYSENTER: IF cleared", dword [REC + 0x11C], 0
	CHECK "SYSENTER: registers kept", dword [REC + 0x120], 0x5E5E5E5E
	CHECK "SYSEXIT: CS = SYSENTER_CS + 16, RPL 3", dword [REC + 0x104], (SEL_SYS + 16) | 3
	CHECK "SYSEXIT: SS = SYSENTER_CS + 24, RPL 3", dword [REC + 0x108], (SEL_SYS + 24) | 3
	CHECK "SYSEXIT: ESP = ECX", dword [REC + 0x100], STACK3
	RING0
	TRY "ring 3 SYSEXIT: #GP(0)", 13, 0, .sx
	RING3 0x0002
.sx:	sysexit
	RING0
	ENDTRY
	mov ecx, 0x174			; SYSENTER_CS = 0: both fault
	xor eax, eax
	xor edx, edx
	wrmsr
	TRY "SYSENTER with SYSENTER_CS = 0: #GP(0)", 13, 0, .se0
	RING3 0x0002
.se0:	sysenter
	RING0
	ENDTRY
	TRY "SYSEXIT with SYSENTER_CS = 0: #GP(0)", 13, 0, .sx0
.sx0:	sysexit
	ENDTRY

	; --- INT n from ring 3 through DPL 3 trap and interrupt gates, IRET
	; back to ring 3 (the handler leaves DS with a DPL 0 selector: IRET
	; to ring 3 nulls it).
	SET_GATE VEC_TRAP3, int_target, SEL_CODE32, 0xEF	; trap gate, DPL 3
	SET_GATE VEC_INT3, int_target, SEL_CODE32, GATE_INT3
	RING3 0x0202			; IF = 1 (the 8259s are masked)
	mov ebx, 0xB0B0B0B0
	int VEC_TRAP3
ret_int_trap:
	mov [ss:REC + 0x140], esp	; DS is null now: through SS
	mov [ss:REC + 0x144], ds
	mov [ss:REC + 0x148], ebx
	pushfd
	pop dword [ss:REC + 0x14C]
	mov ax, SEL_DATA3
	mov ds, ax
	mov es, ax
	mov esi, REC + 0x150		; keep the trap gate's record
	mov edi, REC + 0x180
	mov ecx, 5
	rep movsd
	int VEC_INT3
	mov [ss:REC + 0x170], esp	; DS null again
	mov ax, SEL_DATA3
	mov ds, ax
	RING0
	CHECK "INT through a trap gate: CS = 08h", dword [REC + 0x180], SEL_CODE32
	CHECK "INT through a trap gate: ESP = ESP0 - 20", dword [REC + 0x184], STACK0_TSS - 20
	CHECK "INT through a trap gate: IF kept", dword [REC + 0x188], 0x200
	CHECK "INT through a trap gate: frame EIP", dword [REC + 0x18C], ret_int_trap
	CHECK "INT through a trap gate: frame CS, SS:ESP", dword [REC + 0x190], SEL_CODE3 + SEL_DATA3 + STACK3
	CHECK "IRET to ring 3: ESP", dword [REC + 0x140], STACK3
	movzx eax, word [REC + 0x144]
	CHECK "IRET to ring 3: DS (DPL 0) nulled", eax, 0
	CHECK "IRET to ring 3: EBX from the handler", dword [REC + 0x148], 0xB1B1B1B1
	mov eax, [REC + 0x14C]
	and eax, 0x3200
	CHECK "IRET to ring 3: IF = 1, IOPL 0 again", eax, 0x200
	CHECK "INT through an interrupt gate: IF cleared", dword [REC + 0x158], 0
	CHECK "INT through an interrupt gate: IRET to ring 3: ESP", dword [REC + 0x170], STACK3

	; --- JMP through a call gate: no privilege change, nothing pushed.
	CALLGATE SEL_GATEJ, SEL_CODE32, jmp_target, 0xEC, 0
	mov [REC + 0x1A0], esp
	jmp SEL_GATEJ:0
jmp_back:
	CHECK "ring 0 JMP through a call gate: ESP unchanged", dword [REC + 0x1A4], 0
	TRY "ring 3 JMP through a call gate to ring 0 code: #GP(code selector)", 13, SEL_CODE32, .jg
	RING3 0x0002
.jg:	jmp SEL_GATEJ | 3:0
	RING0
	ENDTRY

	; --- INT from 16-bit code through a 286 interrupt gate: a 16-bit
	; frame (IP, CS, FLAGS), IRET (16-bit) back.
	SET_GATE VEC_INT16, R(int16_target), SEL_CODE16, 0x86
	mov [REC + 0x1C0], esp
	jmp SEL_CODE16:R(pm16_int)
pm16_back:
	mov eax, [REC + 0x1C0]
	sub eax, 6
	CHECK "286 interrupt gate: a 6-byte frame", dword [REC + 0x1C4], eax
	movzx eax, word [REC + 0x1C8]
	CHECK "286 interrupt gate: frame IP", eax, R(after_int16)
	movzx eax, word [REC + 0x1CA]
	CHECK "286 interrupt gate: frame CS", eax, SEL_CODE16
	mov eax, [REC + 0x1D0]
	CHECK "286 interrupt gate: IRET back, ESP", eax, [REC + 0x1C0]

	; --- a 16-bit stack (SS.B = 0) under 32-bit code: PUSH, CALL and an
	; interrupt frame use SP only and keep ESP's upper half.
	SET_DESC SEL_SS16, STK16_BASE, 0xFFFF, 0x93, 0x00
	SET_GATE VEC_STK16, stk16_target, SEL_CODE32, GATE_INT0
	mov [REC + 0x200], esp
	mov ax, SEL_SS16
	mov ss, ax
	mov esp, 0xABCD0100
	push dword 0x600DF00D
	mov [REC + 0x204], esp
	call stk16_near
	int VEC_STK16
stk16_after_int:
	mov [REC + 0x210], esp
	pop eax
	mov [REC + 0x214], esp
	mov [REC + 0x218], eax
	mov ax, SEL_DATA32
	mov ss, ax
	mov esp, [REC + 0x200]
	CHECK "16-bit SS: PUSH keeps ESP's upper half", dword [REC + 0x204], 0xABCD00FC
	CHECK "16-bit SS: PUSH wrote at base + SP", dword [STK16_BASE + 0xFC], 0x600DF00D
	CHECK "16-bit SS: CALL pushed at SP", dword [REC + 0x208], 0xABCD00F8
	CHECK "16-bit SS: the interrupt frame at SP (32-bit gate)", dword [REC + 0x20C], 0xABCD00F0
	CHECK "16-bit SS: interrupt frame EIP", dword [STK16_BASE + 0xF0], stk16_after_int
	CHECK "16-bit SS: IRETD back", dword [REC + 0x210], 0xABCD00FC
	CHECK "16-bit SS: POP", dword [REC + 0x218], 0x600DF00D
	CHECK "16-bit SS: POP keeps ESP's upper half", dword [REC + 0x214], 0xABCD0100

	; --- faults.
	TRY "ring 3 CALL through a DPL 0 gate: #GP(gate)", 13, SEL_GATE0P, .f1
	RING3 0x0002
.f1:	call SEL_GATE0P | 3:0
	RING0
	ENDTRY
	TRY "ring 3 CALL straight to ring 0 code: #GP(selector)", 13, SEL_CODE32, .f2
	RING3 0x0002
.f2:	call SEL_CODE32:gate0_target
	RING0
	ENDTRY
	TRY "IRET to ring 3 with a DPL 0 code segment: #GP(selector)", 13, SEL_CODE32, .f4
	push dword SEL_DATA3
	push dword STACK3
	push dword 2
	push dword SEL_CODE32 | 3
	push dword main
.f4:	iretd
	ENDTRY
	TRY "IRET to ring 3 with SS RPL 0: #GP(SS selector)", 13, SEL_DATA3 & ~3, .f5
	push dword SEL_DATA3 & ~3
	push dword STACK3
	push dword 2
	push dword SEL_CODE3
	push dword main
.f5:	iretd
	ENDTRY
	TRY "ring 3 RETF to ring 0: #GP(selector)", 13, SEL_CODE32, .f3
	RING3 0x0002
	push dword SEL_CODE32
	push dword main
.f3:	retf
	RING0
	ENDTRY
	jmp finish

; Ring 0 through SEL_GATE0: records the frame, returns the sum.
gate0_target:
	mov eax, cs
	mov [REC + 0x00], eax
	mov eax, ss
	mov [REC + 0x04], eax
	mov [REC + 0x08], esp
	mov eax, [esp]
	mov [REC + 0x0C], eax
	mov eax, [esp + 4]
	mov [REC + 0x10], eax
	mov eax, [esp + 8]
	mov [REC + 0x14], eax
	mov eax, [esp + 12]
	mov [REC + 0x18], eax
	mov eax, [esp + 16]
	mov [REC + 0x1C], eax
	mov eax, [esp + 20]
	mov [REC + 0x20], eax
	mov eax, [esp + 8]
	add eax, [esp + 12]
	mov bx, SEL_DATA32		; DPL 0: RETF to ring 3 nulls it
	mov es, bx
	retf 8

; Ring 1 through SEL_GATE1.
gate1_target:
	mov eax, cs
	mov [REC + 0x80], eax
	mov eax, ss
	mov [REC + 0x84], eax
	mov [REC + 0x88], esp
	mov eax, [esp + 8]
	mov [REC + 0x8C], eax
	mov eax, [esp + 12]
	mov [REC + 0x90], eax
	retf 4

; SYSENTER: ring 0, flat, records and returns with SYSEXIT.
sysenter_target:
	mov eax, cs
	mov [REC + 0x110], eax
	mov eax, ss
	mov [REC + 0x114], eax
	mov [REC + 0x118], esp
	pushfd
	pop eax
	and eax, 0x200
	mov [REC + 0x11C], eax
	mov [REC + 0x120], esi
	sysexit

; INT VEC_TRAP3 / VEC_INT3 from ring 3: records, IRETs back.
int_target:
	push ds
	mov ax, SEL_DATA32
	mov ds, ax
	pop eax
	mov eax, cs
	mov [REC + 0x150], eax
	lea eax, [esp]
	mov [REC + 0x154], eax
	pushfd
	pop eax
	and eax, 0x200
	mov [REC + 0x158], eax
	mov eax, [esp]
	mov [REC + 0x15C], eax
	mov eax, [esp + 4]
	add eax, [esp + 16]
	add eax, [esp + 12]
	mov [REC + 0x160], eax
	add ebx, 0x01010101
	iretd

; With the 16-bit stack: near CALL and INT targets.
stk16_near:
	mov [REC + 0x208], esp
	ret
stk16_target:
	mov [REC + 0x20C], esp
	iretd

; Through SEL_GATEJ with a JMP from ring 0.
jmp_target:
	mov eax, esp
	sub eax, [REC + 0x1A0]
	mov [REC + 0x1A4], eax
	jmp jmp_back

; Conforming, reached with a far CALL from ring 3.
conf_target:
	mov eax, cs
	mov [REC + 0xE0], eax
	mov [REC + 0xE4], esp
	retf

; 16-bit ring 0 code through SEL_GATE16 (CS base F0000h).
	bits 16
gate16_target:
	mov ax, cs
	mov [dword REC + 0xC0], ax
	mov [dword REC + 0xC4], sp
	mov bp, sp
	mov eax, [bp]			; IP, CS
	mov [dword REC + 0xC8], eax
	mov eax, [bp + 4]		; parameter, SP
	mov [dword REC + 0xCC], eax
	movzx eax, word [bp + 8]	; SS
	mov [dword REC + 0xD0], eax
	o16 retf 2

; Ring 0, 16-bit (CS = 18h): INT through the 286 interrupt gate.
pm16_int:
	int VEC_INT16
after_int16:
	mov [dword REC + 0x1D0], esp
	jmp dword SEL_CODE32:pm16_back
int16_target:
	mov [dword REC + 0x1C4], esp
	mov bp, sp
	mov eax, [bp]			; IP, CS
	mov [dword REC + 0x1C8], eax
	iret

; Ring 3, 16-bit (CS = 7Bh, base F0000h): calls the 16-bit gate.
r3_16:
	push word 0x5555
	call SEL_GATE16 | 3:0
ret16:
	mov [dword REC + 0xA0], esp
	jmp dword SEL_CODE3:r3_16_back
	bits 32

	ROM_END
