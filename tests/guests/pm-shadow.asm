; pm-shadow.asm — translation coherence under random page-table traffic
; (issue 3, point 6): four address spaces whose page directories point a
; 64-page window (linear 800000h) at four page tables, which they may
; share; 20000 random steps switch CR3, rewrite PTEs (through the identity
; map or through a second linear alias of the tables; of the current space
; with INVLPG where the architecture asks for it — not when the old entry
; was not present — and of the others with nothing: their CR3 load flushes
; them), repoint PDEs (a CR3 load when the space is current), and read and
; write the window.  The guest keeps its own model of every table and of
; every frame's contents and checks each access against it: the right
; frame, the right data, a #PF (with CR2 and error code) exactly where the
; model has no page.  A shadow page-table cache that misses one write to a
; guest table, or keeps a translation across a CR3 load, fails here.

%define TEST_NAME "pm-shadow"
%include "pm.inc"

NSPACE		equ 4
NPAGE		equ 64			; the window's pages
NFRAME		equ 64
STEPS		equ 20000
WINDOW		equ 0x800000		; PDE 2
PDS		equ 0x100000		; PD k at PDS + k * 1000h
PTWS		equ 0x110000		; window table j at PTWS + j * 1000h
FRAMES		equ 0x200000		; frame f at FRAMES + f * 1000h: tag, data
TAG		equ 0xF000		; frame f's dword 0 holds TAG + f
MODEL		equ 0x30000		; MODEL[j * 64 + i]: frame of PTE i of table j, or -1
DATA		equ 0x31000		; DATA[f]: what frame f's dword 1 holds
PDE_OF		equ 0x32000		; PDE_OF[k]: the table space k uses
CUR		equ test_vars		; the current space
SEED		equ test_vars + 4
STEP		equ test_vars + 8
MISMATCH	equ test_vars + 12
FAULTS		equ test_vars + 16	; #PF expected and seen
OPS		equ test_vars + 20	; per op kind, 8 dwords
EXP_F		equ test_vars + 0x40
CUR_I		equ test_vars + 0x44
OP		equ test_vars + 0x48
PTE_NEW		equ test_vars + 0x4C
ALIAS_PT	equ 0x120000		; PDE 3: maps the four window tables
TABLES_ALIAS	equ 0xC00000		; table j at TABLES_ALIAS + j * 1000h

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-shadow: 4 address spaces, random page-table traffic", 10
	call paging_identity
	; Frames: tags and data.
	xor ecx, ecx
.frame:
	mov eax, ecx
	shl eax, 12
	lea edx, [ecx + TAG]
	mov [FRAMES + eax], edx
	imul edx, ecx, 0x01010101
	mov [FRAMES + eax + 4], edx
	mov [DATA + ecx * 4], edx
	inc ecx
	cmp ecx, NFRAME
	jb .frame
	; Tables: PTE i of table j -> frame (i + 16 j) mod 64.
	mov edi, PTWS
	mov ecx, NSPACE * 1024
	xor eax, eax
	rep stosd
	xor ebx, ebx			; j * 64 + i
.pte:
	mov eax, ebx
	and eax, NPAGE - 1		; i
	mov ecx, ebx
	shr ecx, 6			; j
	shl ecx, 4
	add eax, ecx
	and eax, NFRAME - 1		; f
	mov [MODEL + ebx * 4], eax
	call pte_value			; EAX = f -> the PTE
	mov ecx, ebx
	shr ecx, 6
	shl ecx, 12
	mov edx, ebx
	and edx, NPAGE - 1
	mov [PTWS + ecx + edx * 4], eax
	inc ebx
	cmp ebx, NSPACE * NPAGE
	jb .pte
	; The tables' alias: PDE 3 -> ALIAS_PT, page j -> table j.
	mov edi, ALIAS_PT
	mov ecx, 1024
	xor eax, eax
	rep stosd
	xor ecx, ecx
.alias:
	mov eax, ecx
	shl eax, 12
	add eax, PTWS | PTE_P | PTE_W
	mov [ALIAS_PT + ecx * 4], eax
	inc ecx
	cmp ecx, NSPACE
	jb .alias
	; Directories: PDE 0 = PT0 (identity, shared), PDE 2 = table k,
	; PDE 3 = the tables' alias.
	mov edi, PDS
	mov ecx, NSPACE * 1024
	xor eax, eax
	rep stosd
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 12
	mov dword [PDS + eax], PT0_BASE | PTE_P | PTE_W | PTE_U
	mov dword [PDS + eax + 3 * 4], ALIAS_PT | PTE_P | PTE_W
	lea edx, [eax + PTWS + (PTE_P | PTE_W)]
	mov [PDS + eax + 2 * 4], edx
	mov [PDE_OF + ecx * 4], ecx
	inc ecx
	cmp ecx, NSPACE
	jb .pd
	mov dword [CUR], 0
	mov eax, PDS
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	mov dword [SEED], 0x2545F491
	mov dword [MISMATCH], 0
	mov dword [FAULTS], 0
	mov dword [STEP], 0

.step:
	call rnd
	and eax, 7
	mov [OP], eax
	inc dword [OPS + eax * 4]
	call [ops + eax * 4]
	inc dword [STEP]
	cmp dword [STEP], STEPS
	jb .step

	call paging_off
	CHECK "20000 random steps: every access as the model says", dword [MISMATCH], 0
	mov eax, [FAULTS]
	cmp eax, 100
	setae al
	movzx eax, al
	CHECK "at least 100 of them were #PF the model expected", eax, 1
	PRINT "pm-shadow: steps per kind (switch, PTE x2, PDE, read x2, write x2):", 10
	xor ecx, ecx
.count:
	mov eax, [OPS + ecx * 4]
	call putdec
	mov al, ' '
	call putc
	inc ecx
	cmp ecx, 8
	jb .count
	call putnl
	jmp finish

ops:	dd op_switch, op_pte, op_pte, op_pde, op_read, op_read, op_write, op_write

; rnd: EAX = the next pseudo-random number (LCG, the high bits).
rnd:
	mov eax, [SEED]
	imul eax, eax, 1103515245
	add eax, 12345
	mov [SEED], eax
	shr eax, 8
	ret

; pte_value: EAX = frame or -1 -> the PTE (supervisor, writable).
pte_value:
	cmp eax, -1
	je .np
	shl eax, 12
	add eax, FRAMES | PTE_P | PTE_W
	ret
.np:
	xor eax, eax
	ret

op_switch:
	call rnd
	and eax, NSPACE - 1
	mov [CUR], eax
	shl eax, 12
	add eax, PDS
	mov cr3, eax
	ret

; A PTE of a random table: a random frame, or not present (1 in 8).
op_pte:
	call rnd
	mov ebx, eax
	and ebx, NSPACE * NPAGE - 1	; j * 64 + i
	call rnd
	mov ecx, eax
	and ecx, NFRAME - 1
	test eax, 0x700
	jnz .present
	mov ecx, -1
.present:
	mov edx, [MODEL + ebx * 4]	; the old frame
	mov [MODEL + ebx * 4], ecx
	mov eax, ecx
	call pte_value
	mov [PTE_NEW], eax
	mov ecx, ebx
	shr ecx, 6			; j
	mov esi, ecx
	shl ecx, 12
	mov edi, ebx
	and edi, NPAGE - 1		; i
	call rnd			; through the identity map or the alias
	test eax, 0x100
	mov eax, [PTE_NEW]
	jz .identity
	mov [TABLES_ALIAS + ecx + edi * 4], eax
	jmp .written
.identity:
	mov [PTWS + ecx + edi * 4], eax
.written:
	; The current space uses table j: INVLPG unless the old PTE was not
	; present (and then only sometimes).
	mov eax, [CUR]
	cmp [PDE_OF + eax * 4], esi
	jne .done
	cmp edx, -1
	jne .invlpg
	call rnd
	test eax, 1
	jz .done
.invlpg:
	shl edi, 12
	invlpg [WINDOW + edi]
.done:
	ret

; PDE 2 of a random space -> a random table (tables get shared).
op_pde:
	call rnd
	mov ebx, eax
	and ebx, NSPACE - 1		; k
	shr eax, 4
	and eax, NSPACE - 1		; j
	mov [PDE_OF + ebx * 4], eax
	shl eax, 12
	add eax, PTWS | PTE_P | PTE_W
	mov ecx, ebx
	shl ecx, 12
	mov [PDS + ecx + 2 * 4], eax
	cmp ebx, [CUR]
	jne .done
	mov eax, cr3			; the current space: flush
	mov cr3, eax
.done:
	ret

; expect: EDI = the linear address -> [EXP_F] = the model's frame or -1.
expect:
	mov eax, [CUR]
	mov eax, [PDE_OF + eax * 4]
	shl eax, 6
	add eax, [CUR_I]
	mov eax, [MODEL + eax * 4]
	mov [EXP_F], eax
	ret

op_read:
	call rnd
	and eax, NPAGE - 1
	mov [CUR_I], eax
	mov edi, eax
	shl edi, 12
	add edi, WINDOW
	call expect
	mov dword [got_vec], NOEXC
	mov [t_esp], esp
	mov dword [t_resume], .after
	mov eax, [edi]
	mov edx, [edi + 4]
.after:
	mov dword [t_resume], 0
	mov ecx, [EXP_F]
	cmp ecx, -1
	je .want_fault
	cmp dword [got_vec], NOEXC
	jne mismatch
	lea ebx, [ecx + TAG]
	cmp eax, ebx
	jne mismatch
	cmp edx, [DATA + ecx * 4]
	jne mismatch
	ret
.want_fault:
	xor ebx, ebx			; a supervisor read
	jmp want_pf

op_write:
	call rnd
	and eax, NPAGE - 1
	mov [CUR_I], eax
	mov edi, eax
	shl edi, 12
	add edi, WINDOW
	call expect
	mov edx, [STEP]
	imul edx, edx, 0x9E3779B1
	mov dword [got_vec], NOEXC
	mov [t_esp], esp
	mov dword [t_resume], .after
	mov [edi + 4], edx
.after:
	mov dword [t_resume], 0
	mov ecx, [EXP_F]
	cmp ecx, -1
	je .want_fault
	cmp dword [got_vec], NOEXC
	jne mismatch
	mov [DATA + ecx * 4], edx	; the model follows
	mov eax, ecx			; and the frame has it
	shl eax, 12
	cmp [FRAMES + eax + 4], edx
	jne mismatch
	ret
.want_fault:
	mov ebx, 2			; a supervisor write
	add edi, 4
	jmp want_pf

; want_pf: EBX = the error code, EDI = the address: a #PF must have come.
want_pf:
	cmp dword [got_vec], 14
	jne mismatch
	cmp [got_err], ebx
	jne mismatch
	cmp [got_cr2], edi
	jne mismatch
	inc dword [FAULTS]
	ret

; mismatch: count it; print the first few (EAX, EDX: what a read got).
mismatch:
	mov [test_vars + 0x50], eax
	mov [test_vars + 0x54], edx
	inc dword [MISMATCH]
	cmp dword [MISMATCH], 8
	ja .quiet
	PRINT "FAIL: step "
	mov eax, [STEP]
	call putdec
	PRINT " op "
	mov eax, [OP]
	call putdec
	PRINT " space "
	mov eax, [CUR]
	call putdec
	PRINT " page "
	mov eax, [CUR_I]
	call putdec
	PRINT ": model frame "
	mov eax, [EXP_F]
	call puthex
	PRINT "; got vec "
	mov eax, [got_vec]
	call puthex
	PRINT " cr2 "
	mov eax, [got_cr2]
	call puthex
	PRINT " read "
	mov eax, [test_vars + 0x50]
	call puthex
	PRINT " "
	mov eax, [test_vars + 0x54]
	call puthex
	call putnl
.quiet:
	ret

	ROM_END
