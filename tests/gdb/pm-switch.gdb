# stepi into an exception handler and through one REP iteration, stepi
# through the switch to protected mode, a breakpoint at a protected-mode
# "kernel" address, a write watchpoint that reports the instruction after
# the one that wrote, with the old and new values, also when the write
# goes through an alias.
# amber: -S
# status: 67
# console: gdb-pm: done
break *0xf0040
continue
# expect: Breakpoint 1, 0x000f0040 in
x/i $pc
# expect: ud2
stepi
# expect: 0x000f0080 in
break *0xf0050
continue
# expect: Breakpoint 2, 0x000f0050 in
p $cx
# expect: = 4
stepi
# expect: 0x000f0050 in
p $cx
# expect: = 3
x/2xb 0x6000
# expect: 0x6000:\s+0xaa\s+0x00
delete
break *0xf0060
continue
# expect: Breakpoint 3, 0x000f0060 in
x/2i $pc
# expect: mov\s+%eax,%cr0
stepi
# expect: 0x000f0063 in
p/x $cr0
# expect: = 0x60000011
x/i $pc
# expect: ljmpl\s+\$0x8,\$0xf0100
stepi
# expect: 0x000f0100 in
p/x $cs
# expect: = 0x8
set architecture i386
x/i $pc
# expect: mov\s+\$0x10,%ax
delete
break *0xf0200
continue
# expect: Breakpoint 4, 0x000f0200 in
watch *(int*)0x2000
continue
# expect: Hardware watchpoint 5: \*\(int\*\)0x2000\s+Old value = 0\s+New value = 7
# expect: 0x000f020c in
continue
# expect: Old value = 7\s+New value = 14
delete
# Watchpoints are physical: a write through another linear address (the
# 4 MiB alias paging sets up) fires too.
break *0xf0360
continue
# expect: Breakpoint 6, 0x000f0360 in
x/i $pc
# expect: movl\s+\$0x55,0x402000
watch *(int*)0x2000
continue
# expect: Hardware watchpoint 7: \*\(int\*\)0x2000\s+Old value = 70\s+New value = 85
# expect: 0x000f036a in
delete
detach
