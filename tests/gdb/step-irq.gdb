# stepi masks interrupts unless monitor step-irq on: with the timer's IRQ0
# due every ~80 instructions, 300 steps stay in the wait loop and the
# handler's count does not move; with step-irq on, the handler runs.
# amber: -S -icount shift=10
# status: 67
# console: irq: done
break *0xf0100
continue
# expect: Breakpoint 1, 0x000f0100 in
delete
set $before = *(short *)0x600
stepi 300
p *(short *)0x600 == $before
# expect: ^\$\d+ = 1$
p/x $cs
# expect: ^\$\d+ = 0xf000$
monitor step-irq on
# expect: step-irq is on
stepi 300
p *(short *)0x600 > $before
# expect: ^\$\d+ = 1$
monitor step-irq off
detach
