# Registers and memory both ways (linear and physical), monitor commands, paging: a page that is
# not mapped is an error, not a crash.
# amber: -S
# status: 67
# console: gdb-pm: done
monitor info registers
# expect: CS  f000 base=ffff0000 limit=0000ffff attr=009b code readable
# expect: CR0=60000010
monitor help
# expect: info registers
p $eax = 0x1234
p/x $eax
# expect: = 0x1234
set {short}0x600 = 0xbeef
x/1hx 0x600
# expect: 0x600:\s+0xbeef
monitor phys
x/1hx 0x600
# expect: 0x600:\s+0xbeef
monitor linear
break *0xf0400
continue
# expect: Breakpoint 1, 0x000f0400 in
p/x $cr0
# expect: = 0xe0000011
monitor info mem
# expect: 00000000-00800000 00800000 -rw
monitor info tlb
# expect: 00001000: 000001000 4K sw
monitor phys
x/1xw 0x11004
# expect: 0x11004:\s+0x00001003
monitor linear
monitor step-irq on
# expect: step-irq is on
monitor trace on trace.txt
# expect: tracing to trace.txt
stepi
monitor trace off
# expect: tracing off
monitor bogus
# expect: unknown command 'bogus'
delete
# A page that is not mapped: gdb says so (and, in batch mode, stops the
# script there and detaches on its way out).
x/1xw 0x40000000
# expect: Cannot access memory at address 0x40000000
# expect: Inferior 1 \(Remote target\) detached
