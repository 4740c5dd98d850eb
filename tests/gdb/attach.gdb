# Attach to a guest that is already running (no -S): it spins until the
# debugger clears the dword at 3000h.  Hardware breakpoints, then a write
# through gdb lets it finish after the detach.
# amber:
# status: 67
# console: gdb-pm: done
p/x *(int*)0x3000
# expect: = 0x1
hbreak *0xf0400
continue
# expect: Hardware assisted breakpoint 1 at 0xf0400
# expect: Breakpoint 1, 0x000f0400 in
set {int}0x3000 = 0
delete
detach
