; pm-paging.asm — 32-bit paging beyond the identity map (SDM Vol 3 ch. 4):
; 4 MiB pages (CR4.PSE) and their aliases, accessed and dirty bits written
; by the CPU in PTEs and PDEs, PTE and PDE edits seen by the next access
; (a not-present entry made present; a changed entry after INVLPG or a CR3
; load), page tables edited through a self-map, INVLPG of a 4 MiB page,
; global pages (CR4.PGE: INVLPG and a CR4.PGE toggle flush them; whether
; one survives a CR3 load is the implementation's choice, printed as INFO),
; then PAE paging (CR4.PAE, PDPTEs, 64-bit entries, 2 MiB pages, A/D bits,
; a not-present PDPTE).

%define TEST_NAME "pm-paging"
%include "pm.inc"

PT_A		equ 0x12000
PT_B		equ 0x13000
PDPT		equ 0x18000		; PAE
PAE_PD		equ 0x19000
PAE_PT		equ 0x1A000
PD2		equ 0x1B000		; a second address space
PT_C		equ 0x1C000		; its table for 0C00000h
PT_D		equ 0x1D000		; 1800000h: the page-crossing tests
L1		equ 0x1801000		; -> FRAME_Y (1800000h -> FRAME_X)
L2		equ 0x1802000		; not present
FRAME_X		equ 0x328000
PT_E		equ 0x1E000		; the U/S and R/W combination tests
SEL_BASED	equ 0x40		; a data segment based at PG_NP_SEG
PG_NP_SEG	equ 0x1000000
FRAME_Y		equ 0x320000
PG_AD		equ 0x300000		; a 4 KiB page for the A/D checks
PG_NP		equ 0x301000		; made present later
PG_MOVE		equ 0x302000		; remapped between frames
PG_GLOBAL	equ 0x303000		; a global page
FRAME0		equ 0x310000		; data frames, each with its number at 0
FRAME1		equ 0x311000
FRAME2		equ 0x312000
FRAME3		equ 0x313000
SELFMAP		equ 0xFFC00000		; PDE 1023 -> the PD itself
BIG_OFF		equ 0x123450

CR4_PSE		equ 0x10
CR4_PAE		equ 0x20
CR4_PGE		equ 0x80

; PTE_OF linear -> the address of its PTE in PT0 (for linear < 4 MiB).
%define PTE_OF(x) (PT0_BASE + ((x) >> 12) * 4)

	bits 16
real_main:
	ENTER_PM main

	bits 32
main:
	PRINT "pm-paging: 32-bit paging", 10
	; Data the mappings will show.
	mov dword [FRAME0], 0xF0
	mov dword [FRAME1], 0xF1
	mov dword [FRAME2], 0xF2
	mov dword [FRAME3], 0xF3
	mov dword [0x400000 + BIG_OFF], 0x4A4A4A4A
	mov dword [0xC00000 + BIG_OFF], 0xCACACACA

	call paging_identity
	mov eax, cr4
	or eax, CR4_PSE
	mov cr4, eax
	mov dword [PD_BASE + 1 * 4], 0x400000 | PTE_P | PTE_W | PTE_U | PTE_PS
	mov dword [PD_BASE + 2 * 4], 0x400000 | PTE_P | PTE_W | PTE_U | PTE_PS
	mov dword [PD_BASE + 1023 * 4], PD_BASE | PTE_P | PTE_W
	mov dword [PTE_OF(PG_NP)], FRAME1 | PTE_W | PTE_U		; not present
	mov dword [PTE_OF(PG_MOVE)], FRAME0 | PTE_P | PTE_W | PTE_U
	call paging_on

	; --- 4 MiB pages.
	CHECK "4 MiB page: identity", dword [0x400000 + BIG_OFF], 0x4A4A4A4A
	CHECK "4 MiB page: an alias of it", dword [0x800000 + BIG_OFF], 0x4A4A4A4A
	mov dword [0x800000 + BIG_OFF + 4], 0x5B5B5B5B
	CHECK "4 MiB page: a write through the alias", dword [0x400000 + BIG_OFF + 4], 0x5B5B5B5B
	mov dword [PD_BASE + 2 * 4], 0xC00000 | PTE_P | PTE_W | PTE_U | PTE_PS
	invlpg [0x800000 + BIG_OFF]
	CHECK "4 MiB page: remapped, INVLPG of an address inside", dword [0x800000 + BIG_OFF], 0xCACACACA

	; --- accessed and dirty bits: 4 MiB PDE.
	and dword [PD_BASE + 2 * 4], ~(PTE_A | PTE_D)
	invlpg [0x800000]
	mov eax, [0x800000 + BIG_OFF]
	mov eax, [PD_BASE + 2 * 4]
	and eax, PTE_A | PTE_D
	CHECK "4 MiB PDE: a read sets A, not D", eax, PTE_A
	mov dword [0x800000 + BIG_OFF + 8], 1
	mov eax, [PD_BASE + 2 * 4]
	and eax, PTE_A | PTE_D
	CHECK "4 MiB PDE: a write sets D", eax, PTE_A | PTE_D

	; --- accessed and dirty bits: 4 KiB PTE and its PDE.
	and dword [PTE_OF(PG_AD)], ~(PTE_A | PTE_D)
	and dword [PD_BASE], ~PTE_A
	invlpg [PG_AD]
	mov eax, [PTE_OF(PG_AD)]
	and eax, PTE_A | PTE_D
	CHECK "4 KiB PTE: A and D clear", eax, 0
	mov eax, [PG_AD + 0x10]
	mov eax, [PTE_OF(PG_AD)]
	and eax, PTE_A | PTE_D
	CHECK "4 KiB PTE: a read sets A, not D", eax, PTE_A
	mov eax, [PD_BASE]
	and eax, PTE_A | PTE_D
	CHECK "PDE of a 4 KiB page: the walk sets A (D untouched)", eax, PTE_A
	mov dword [PG_AD + 0x10], 1
	mov eax, [PTE_OF(PG_AD)]
	and eax, PTE_A | PTE_D
	CHECK "4 KiB PTE: a write after a read sets D", eax, PTE_A | PTE_D
	and dword [PTE_OF(PG_AD)], ~(PTE_A | PTE_D)
	invlpg [PG_AD]
	mov dword [PG_AD + 0x14], 2
	mov eax, [PTE_OF(PG_AD)]
	and eax, PTE_A | PTE_D
	CHECK "4 KiB PTE: a first write sets A and D", eax, PTE_A | PTE_D
	and dword [PTE_OF(PG_AD)], ~(PTE_A | PTE_D)
	invlpg [PG_AD]
	TRY "4 KiB PTE: a faulting write", 14, 3, .ro, PG_AD + 0x18
	and dword [PTE_OF(PG_AD)], ~PTE_W
	mov eax, cr0
	or eax, 0x10000			; CR0.WP
	mov cr0, eax
.ro:	mov dword [PG_AD + 0x18], 3
	ENDTRY
	mov eax, cr0
	and eax, ~0x10000
	mov cr0, eax
	mov eax, [PTE_OF(PG_AD)]
	and eax, PTE_D
	CHECK "4 KiB PTE: a write that faults does not set D", eax, 0
	or dword [PTE_OF(PG_AD)], PTE_W

	; --- edits seen by the next access.
	TRY "PTE not present: #PF", 14, 0, .np, PG_NP + 8
.np:	mov eax, [PG_NP + 8]
	ENDTRY
	or dword [PTE_OF(PG_NP)], PTE_P
	CHECK "PTE made present: seen without INVLPG", dword [PG_NP], 0xF1
	CHECK "PTE -> frame 0", dword [PG_MOVE], 0xF0
	mov dword [PTE_OF(PG_MOVE)], FRAME2 | PTE_P | PTE_W | PTE_U
	invlpg [PG_MOVE]
	CHECK "PTE -> frame 2, INVLPG", dword [PG_MOVE], 0xF2
	mov dword [PTE_OF(PG_MOVE)], FRAME3 | PTE_P | PTE_W | PTE_U
	mov eax, cr3
	mov cr3, eax
	CHECK "PTE -> frame 3, CR3 load", dword [PG_MOVE], 0xF3
	; through the self-map: PT0 is at SELFMAP, the PD at FFFFF000h
	CHECK "self-map: the PD at FFFFF000h", dword [0xFFFFF000 + 1023 * 4], PD_BASE | PTE_P | PTE_W | PTE_A
	mov eax, [SELFMAP + (PG_MOVE >> 12) * 4]
	and eax, ~(PTE_A | PTE_D)
	CHECK "self-map: PG_MOVE's PTE", eax, FRAME3 | PTE_P | PTE_W | PTE_U
	mov dword [SELFMAP + (PG_MOVE >> 12) * 4], FRAME1 | PTE_P | PTE_W | PTE_U
	invlpg [PG_MOVE]
	CHECK "self-map: PTE written through it, INVLPG", dword [PG_MOVE], 0xF1
	; a PDE edit: 0C00000h through PT_A, then PT_B
	mov edi, PT_A
	mov ecx, 2048
	xor eax, eax
	rep stosd
	mov dword [PT_A], FRAME0 | PTE_P | PTE_W
	mov dword [PT_B], FRAME2 | PTE_P | PTE_W
	mov dword [PD_BASE + 3 * 4], PT_A | PTE_P | PTE_W
	CHECK "PDE -> PT_A: a new PDE needs no flush", dword [0xC00000], 0xF0
	mov dword [PD_BASE + 3 * 4], PT_B | PTE_P | PTE_W
	mov eax, cr3
	mov cr3, eax
	CHECK "PDE -> PT_B, CR3 load", dword [0xC00000], 0xF2
	mov dword [SELFMAP + 3 * 4096], FRAME3 | PTE_P | PTE_W	; PT_B[0] via the self-map
	invlpg [0xC00000]
	CHECK "PT_B[0] written through the self-map, INVLPG", dword [0xC00000], 0xF3

	; a PDE written through the self-map (FFFFF000h + 4 * index): PDE 5
	; not present -> PT_A, seen without a flush
	mov dword [0xFFFFF000 + 5 * 4], PT_A | PTE_P | PTE_W
	CHECK "PDE 5 made present through the self-map: seen at once", dword [0x1400000], 0xF0

	; --- a second address space: edits made while it is not current.
	mov edi, PD2
	mov ecx, 2048
	xor eax, eax
	rep stosd
	mov dword [PD2], PT0_BASE | PTE_P | PTE_W | PTE_U	; PT0 shared
	mov dword [PD2 + 3 * 4], PT_C | PTE_P | PTE_W
	mov dword [PT_C], FRAME0 | PTE_P | PTE_W
	mov eax, PD2
	mov cr3, eax
	CHECK "space 2: its own PT at 0C00000h", dword [0xC00000], 0xF0
	CHECK "space 2: the shared PT0", dword [PG_MOVE], 0xF1
	mov eax, PD_BASE
	mov cr3, eax
	CHECK "space 1: its PT at 0C00000h", dword [0xC00000], 0xF3
	mov dword [PT_C], FRAME1 | PTE_P | PTE_W		; space 2's PTE
	mov eax, PD2
	mov cr3, eax
	CHECK "space 2: its PTE, edited while space 1 ran, after CR3 load", dword [0xC00000], 0xF1
	mov dword [PD_BASE + 3 * 4], PT_A | PTE_P | PTE_W	; space 1's PDE
	mov dword [PTE_OF(PG_MOVE)], FRAME2 | PTE_P | PTE_W | PTE_U
	invlpg [PG_MOVE]					; (shared PT0)
	CHECK "space 2: the shared PTE, edited, INVLPG", dword [PG_MOVE], 0xF2
	mov eax, PD_BASE
	mov cr3, eax
	CHECK "space 1: its PDE, edited while space 2 ran, after CR3 load", dword [0xC00000], 0xF0
	CHECK "space 1: the shared PTE edited in space 2", dword [PG_MOVE], 0xF2
	mov eax, PD2
	mov cr3, eax
	mov eax, PD_BASE
	mov cr3, eax
	CHECK "space 1 again after a round trip", dword [0xC00000], 0xF0

	; --- accesses that cross a page boundary (PDE 6: L0 -> FRAME_X,
	; L1 -> FRAME_Y, L2 not present; user pages).
	mov edi, PT_D
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov dword [PT_D], FRAME_X | PTE_P | PTE_W | PTE_U
	mov dword [PT_D + 4], FRAME_Y | PTE_P | PTE_W | PTE_U
	mov dword [PD_BASE + 6 * 4], PT_D | PTE_P | PTE_W | PTE_U
	mov dword [L1 - 2], 0x44332211
	movzx eax, word [FRAME_X + 0xFFE]
	CHECK "a dword across two pages: the first frame's last word", eax, 0x2211
	movzx eax, word [FRAME_Y]
	CHECK "a dword across two pages: the second frame's first word", eax, 0x4433
	CHECK "a dword across two pages: read back", dword [L1 - 2], 0x44332211
	mov [test_vars], esp
	mov esp, L1 + 2
	push dword 0xA5A5C3C3
	mov ebx, [FRAME_X + 0xFFC]
	pop eax
	mov esp, [test_vars]
	CHECK "PUSH across two pages, POP", eax, 0xA5A5C3C3
	CHECK "PUSH across two pages: the first frame", ebx, 0xC3C30000
	mov word [FRAME_Y + 0xFFE], 0x7E7E
	TRY "ring 3 PUSH across into a not-present page: #PF", 14, 6, .push, L2
	RING3 0x0002
	mov esp, L2 + 2
.push:	push dword 0x12345678
	RING0
	ENDTRY
	CHECK "ring 3 PUSH that faults: ESP unchanged", dword [got_esp], L2 + 2
	movzx eax, word [FRAME_Y + 0xFFE]
	CHECK "ring 3 PUSH that faults: nothing written", eax, 0x7E7E
	mov edi, 0x330000		; the source: bytes 0, 1, 2, ...
	xor eax, eax
	mov ecx, 0x200
.fill:	stosb
	inc al
	loop .fill
	TRY "REP MOVSB into a not-present page: #PF", 14, 2, .movs, L2
	mov esi, 0x330000
	mov edi, L1 + 0xF00
	mov ecx, 0x200
.movs:	rep movsb
	ENDTRY
	mov [test_vars], ecx
	mov [test_vars + 4], esi
	mov [test_vars + 8], edi
	CHECK "REP MOVSB that faults: ECX = the bytes left", dword [test_vars], 0x100
	CHECK "REP MOVSB that faults: ESI", dword [test_vars + 4], 0x330100
	CHECK "REP MOVSB that faults: EDI", dword [test_vars + 8], L2
	CHECK "REP MOVSB that faults: the bytes before the fault", dword [FRAME_Y + 0xFFC], 0xFFFEFDFC

	; --- U/S and R/W combine across the PDE and the PTE (the stricter
	; wins): PDE 7 supervisor, PDE 8 read-only, both over PT_E whose PTE
	; is user and writable.
	mov edi, PT_E
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov dword [PT_E], FRAME0 | PTE_P | PTE_W | PTE_U
	mov dword [PD_BASE + 7 * 4], PT_E | PTE_P | PTE_W
	mov dword [PD_BASE + 8 * 4], PT_E | PTE_P | PTE_U
	mov dword [PD_BASE + 9 * 4], 0x400000 | PTE_P | PTE_W | PTE_PS	; 4 MiB, supervisor
	TRY "ring 3 read, PDE supervisor, PTE user: #PF(U|P)", 14, 5, .us1, 0x1C00010
	RING3 0x0002
.us1:	mov eax, [0x1C00010]
	RING0
	ENDTRY
	TRY "ring 3 write, PDE read-only, PTE writable: #PF(U|W|P)", 14, 7, .rw1, 0x2000010
	RING3 0x0002
	mov eax, [0x2000010]		; the read is allowed
.rw1:	mov [0x2000010], eax
	RING0
	ENDTRY
	mov eax, cr0
	or eax, 0x10000			; WP
	mov cr0, eax
	TRY "ring 0 write, PDE read-only, CR0.WP = 1: #PF(W|P)", 14, 3, .rw2, 0x2000014
.rw2:	mov dword [0x2000014], 1
	ENDTRY
	mov eax, cr0
	and eax, ~0x10000
	mov cr0, eax
	mov dword [0x2000018], 0x5A5A5A5A
	CHECK "ring 0 write, PDE read-only, CR0.WP = 0: done", dword [FRAME0 + 0x18], 0x5A5A5A5A
	TRY "ring 3 read of a supervisor 4 MiB page: #PF(U|P)", 14, 5, .us2, 0x2400000 + BIG_OFF
	RING3 0x0002
.us2:	mov eax, [0x2400000 + BIG_OFF]
	RING0
	ENDTRY

	; --- an instruction whose last bytes are on a not-present page: #PF
	; with CR2 = that page and EIP = the instruction's first byte.
	mov edi, L2 - 3
	mov byte [edi], 0xB8		; mov eax, imm32: 5 bytes, 2 on L2
	mov word [edi + 1], 0xC3C3
	TRY "fetch across into a not-present page: #PF at the instruction", 14, 0, L2 - 3, L2
	mov eax, L2 - 3
	call eax
	ENDTRY
	; a segment base: CR2 is the linear address.
	SET_DESC SEL_BASED, PG_NP_SEG, 0xFFFFF, 0x93, 0xC0
	TRY "#PF through a segment with a base: CR2 is linear", 14, 2, .based, L2 + 8
	mov ax, SEL_BASED
	mov es, ax
.based:	mov dword [es:L2 + 8 - PG_NP_SEG], 0
	ENDTRY

	; --- global pages.
	mov eax, cr4
	or eax, CR4_PGE
	mov cr4, eax
	mov dword [PTE_OF(PG_GLOBAL)], FRAME0 | PTE_P | PTE_W | PTE_G
	invlpg [PG_GLOBAL]
	CHECK "global page -> frame 0", dword [PG_GLOBAL], 0xF0
	mov dword [PTE_OF(PG_GLOBAL)], FRAME1 | PTE_P | PTE_W | PTE_G
	mov eax, cr3
	mov cr3, eax
	mov eax, [PG_GLOBAL]
	cmp eax, 0xF0
	jne .not_kept
	PRINT "INFO: a global page's TLB entry survived a CR3 load", 10
	jmp .kept
.not_kept:
	PRINT "INFO: a global page's TLB entry did not survive a CR3 load (allowed)", 10
.kept:
	invlpg [PG_GLOBAL]
	CHECK "global page -> frame 1, INVLPG", dword [PG_GLOBAL], 0xF1
	mov dword [PTE_OF(PG_GLOBAL)], FRAME2 | PTE_P | PTE_W | PTE_G
	mov eax, cr4
	and eax, ~CR4_PGE
	mov cr4, eax
	CHECK "global page -> frame 2, CR4.PGE cleared", dword [PG_GLOBAL], 0xF2
	mov eax, cr4
	or eax, CR4_PGE
	mov cr4, eax
	mov dword [PTE_OF(PG_GLOBAL)], FRAME3 | PTE_P | PTE_W | PTE_G
	mov eax, cr4
	and eax, ~CR4_PGE
	mov cr4, eax
	CHECK "global page -> frame 3, CR4.PGE toggled", dword [PG_GLOBAL], 0xF3
	call paging_off

	; --- PAE.
	PRINT "pm-paging: PAE paging", 10
	mov edi, PDPT
	mov ecx, (PAE_PT + 0x1000 - PDPT) / 4
	xor eax, eax
	rep stosd
	mov dword [PDPT], PAE_PD | PTE_P		; 0-1 GiB; 1-4 GiB not present
	mov dword [PAE_PD], PAE_PT | PTE_P | PTE_W | PTE_U
	mov dword [PAE_PD + 1 * 8], 0x200000 | PTE_P | PTE_W | PTE_U | PTE_PS
	mov dword [PAE_PD + 2 * 8], 0x200000 | PTE_P | PTE_W | PTE_U | PTE_PS
	mov edi, PAE_PT				; 0-2 MiB, 4 KiB pages
	mov eax, PTE_P | PTE_W | PTE_U
	mov ecx, 512
.pae_pte:
	mov [edi], eax
	mov dword [edi + 4], 0
	add edi, 8
	add eax, 0x1000
	loop .pae_pte
	mov dword [0x300000 + 0x40], 0x3A3A3A3A
	mov dword [0x100000 + 0x40], 0x1B1B1B1B
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, PDPT
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	PRINT "pm-paging: PAE on", 10
	mov eax, cr4
	and eax, CR4_PAE
	CHECK "PAE: CR4.PAE", eax, CR4_PAE
	CHECK "PAE: 4 KiB page, identity", dword [0x100000 + 0x40], 0x1B1B1B1B
	CHECK "PAE: 2 MiB page, identity", dword [0x300000 + 0x40], 0x3A3A3A3A
	CHECK "PAE: 2 MiB page, an alias", dword [0x500000 + 0x40], 0x3A3A3A3A
	mov eax, [PAE_PD + 2 * 8]
	and eax, PTE_A | PTE_D
	CHECK "PAE: 2 MiB PDE: a read sets A", eax, PTE_A
	mov dword [0x500000 + 0x44], 1
	mov eax, [PAE_PD + 2 * 8]
	and eax, PTE_A | PTE_D
	CHECK "PAE: 2 MiB PDE: a write sets D", eax, PTE_A | PTE_D
	mov eax, [PAE_PT + (0x100000 >> 12) * 8]
	and eax, PTE_A | PTE_D
	CHECK "PAE: 4 KiB PTE: a read sets A", eax, PTE_A
	mov dword [PAE_PT + (0x101000 >> 12) * 8], FRAME0 | PTE_P | PTE_W
	invlpg [0x101000]
	CHECK "PAE: PTE remapped, INVLPG", dword [0x101000], 0xF0
	mov dword [PAE_PT + (0x101000 >> 12) * 8], FRAME2 | PTE_P | PTE_W
	mov eax, cr3
	mov cr3, eax
	CHECK "PAE: PTE remapped, CR3 load", dword [0x101000], 0xF2
	TRY "PAE: a not-present PDPTE: #PF", 14, 0, .pdpte, 0x40000010
.pdpte:	mov eax, [0x40000010]
	ENDTRY
	TRY "PAE: a not-present PDE: #PF(write)", 14, 2, .pde, 0x600000
.pde:	mov dword [0x600000], 0
	ENDTRY
	; (the P bit of this error code: pm-strict.asm; qemu 7.2 leaves it 0)
	TRY "PAE: a reserved bit in a PTE: #PF", 14, ANY, .rsvd, 0x102000
	mov dword [PAE_PT + (0x102000 >> 12) * 8 + 4], 0x000F0000	; bits 48-51
	invlpg [0x102000]
.rsvd:	mov dword [0x102000], 0
	ENDTRY
	mov eax, [got_err]
	and eax, ~PTE_P
	CHECK "PAE: a reserved bit in a PTE: error code W|RSVD", eax, 0x0A
	mov dword [PAE_PT + (0x102000 >> 12) * 8 + 4], 0
	call paging_off
	mov eax, cr4
	and eax, ~CR4_PAE
	mov cr4, eax
	jmp finish

	ROM_END
