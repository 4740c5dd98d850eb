; pm-a20.asm — the A20 gate through System Control Port A (92h): with A20
; closed (bit 1 = 0) address bit 20 is forced to 0, so FFFF:0010 is
; 0000:0000 as on an 8086, in real mode, in protected mode and for the
; physical addresses paging produces; open (bit 1 = 1) it is not.  Then
; bit 0: a fast reset that restarts the CPU at F000:FFF0 with RAM intact.
; (Run qemu without -no-reboot: the reset must restart.)

%define TEST_NAME "pm-a20"
%include "pm.inc"

PORT_A		equ 0x92
SAVE		equ 0x20000		; survives the fast reset: marker, counters
MAGIC		equ 0x54455352		; "RSET"
PT1		equ 0x12000
CODE_LO		equ 0x30000		; code at 30000h and 130000h

	bits 16
real_main:
	mov ax, SAVE >> 4
	mov fs, ax
	cmp dword [fs:0], MAGIC
	je after_reset
	jmp tests16

; a20_pair — real mode, DS = 0: writes 11h at 0:0 and 22h at FFFF:10,
; then reads 0:0 into AX (22h: they are one byte, A20 is closed).
a20_pair:
	push es
	mov ax, 0xFFFF
	mov es, ax
	mov byte [0], 0x11
	mov byte [es:0x10], 0x22
	mov al, [0]
	xor ah, ah
	pop es
	ret

tests16:
	PRINT16 "pm-a20: real mode", 10
	; Open: no wrap.
	mov al, 0x02
	out PORT_A, al
	in al, PORT_A
	and ax, 0x03
	CHECK16 "port 92h reads back 02h", ax, 0x02
	call a20_pair
	CHECK16 "A20 open: FFFF:0010 is not 0000:0000", ax, 0x11
	; Closed: wrap.
	mov al, 0x00
	out PORT_A, al
	in al, PORT_A
	and ax, 0x03
	CHECK16 "port 92h reads back 00h", ax, 0x00
	call a20_pair
	CHECK16 "A20 closed: FFFF:0010 is 0000:0000", ax, 0x22
	mov word [0xFFE0], 0x1234	; FFFF:FFF0 = 10FFE0h: 0FFE0h when closed
	push es
	mov bx, 0xFFFF
	mov es, bx
	mov ax, [es:0xFFF0]
	pop es
	CHECK16 "A20 closed: FFFF:FFF0 is 0000:FFE0", ax, 0x1234
	; Open again.
	mov al, 0x02
	out PORT_A, al
	call a20_pair
	CHECK16 "A20 open again: no wrap", ax, 0x11
	push es
	mov bx, 0xFFFF
	mov es, bx
	mov word [es:0xFFF0], 0x5678	; the HMA
	pop es
	mov ax, [0xFFE0]
	CHECK16 "A20 open: FFFF:FFF0 is in the HMA", ax, 0x1234
	ENTER_PM pm_main

	bits 32
pm_main:
	PRINT "pm-a20: protected mode", 10
	mov dword [0x200000], 0xAAAAAAAA
	mov dword [0x300000], 0xBBBBBBBB
	mov dword [0x000010], 0xCCCCCCCC
	mov dword [0x100010], 0xDDDDDDDD
	CHECK "A20 open: 200000h and 300000h differ", dword [0x200000], 0xAAAAAAAA
	CHECK "A20 open: 10h and 100010h differ", dword [0x10], 0xCCCCCCCC
	mov al, 0x00
	out PORT_A, al
	CHECK "A20 closed: 300000h reads 200000h", dword [0x300000], 0xAAAAAAAA
	CHECK "A20 closed: 100010h reads 10h", dword [0x100010], 0xCCCCCCCC
	mov dword [0x300004], 0xEEEEEEEE
	CHECK "A20 closed: a write to 300004h lands at 200004h", dword [0x200004], 0xEEEEEEEE
	CHECK "A20 closed: 400000h is itself", dword [0x400000], 0
	mov al, 0x02
	out PORT_A, al
	CHECK "A20 open: 300000h is itself again", dword [0x300000], 0xBBBBBBBB

	; Code: the same linear address runs other code when the gate moves
	; (a decoded-code cache keyed by linear address must notice).
	mov esi, code_a
	mov edi, CODE_LO
	mov ecx, code_end - code_a
	rep movsb
	mov esi, code_a
	mov edi, CODE_LO + 0x100000
	mov ecx, code_end - code_a
	rep movsb
	mov dword [CODE_LO + 1], 0x30
	mov dword [CODE_LO + 0x100000 + 1], 0x130
	mov ebx, CODE_LO + 0x100000
	call ebx
	CHECK "A20 open: code at 130000h runs itself", eax, 0x130
	call ebx
	call ebx
	mov al, 0x00
	out PORT_A, al
	call ebx
	CHECK "A20 closed: code at 130000h runs the copy at 30000h", eax, 0x30
	mov al, 0x02
	out PORT_A, al
	call ebx
	CHECK "A20 open again: code at 130000h runs itself", eax, 0x130

	; Paging: the gate masks the physical address a PTE gives.
	call paging_identity
	mov edi, PT1
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov dword [PT1], 0x120000 | PTE_P | PTE_W	; linear 400000h
	mov dword [PD_BASE + 4], PT1 | PTE_P | PTE_W
	mov dword [0x020000 + 0x40], 0x02020202
	mov dword [0x120000 + 0x40], 0x12121212
	call paging_on
	CHECK "paging, A20 open: the PTE's page 120000h", dword [0x400040], 0x12121212
	mov al, 0x00
	out PORT_A, al
	invlpg [0x400040]
	CHECK "paging, A20 closed: the PTE's page is 020000h", dword [0x400040], 0x02020202
	mov al, 0x02
	out PORT_A, al
	invlpg [0x400040]
	CHECK "paging, A20 open again: 120000h", dword [0x400040], 0x12121212
	call paging_off

	; Bit 0: fast reset.  Save the counters, restart.
	PRINT "pm-a20: port 92h bit 0 (fast reset)", 10
	mov eax, [n_pass]
	mov [SAVE + 4], eax
	mov eax, [n_fail]
	mov [SAVE + 8], eax
	mov dword [SAVE], MAGIC
	; Reset with A20 open: what a fast reset does to a closed gate
	; differs (qemu opens it; a PIIX keeps port 92h bit 1), so the test
	; leaves it open.
	mov al, 0x03
	out PORT_A, al
.wait:
	hlt
	jmp .wait

code_a:
	mov eax, 0
	ret
code_end:

	bits 16
after_reset:
	mov dword [fs:0], 0
	mov eax, [fs:4]
	mov [n_pass], eax
	mov eax, [fs:8]
	mov [n_fail], eax
	PRINT16 "pm-a20: restarted at F000:FFF0 after the fast reset", 10
	inc dword [n_pass]
	mov eax, cr0
	and ax, 1
	CHECK16 "after the reset: real mode", ax, 0
	in al, PORT_A
	and ax, 0x01
	CHECK16 "after the reset: port 92h bit 0 reads 0", ax, 0
	call a20_pair
	CHECK16 "after the reset: A20 still open", ax, 0x11
	ENTER_PM finish

	ROM_END
