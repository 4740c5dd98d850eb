# A real-mode boot ROM (tests/guests/demo.bin): the stub starts at the
# reset vector in real mode, so gdb gets the i8086 description and pc is
# the linear CS*16+IP.  Break at the ROM's first instruction (F000:0000),
# step, read registers and memory, detach: the guest finishes as usual.
# amber: -S
# status: 33
# console: amber demo: checksum 83586DDB
x/i $pc
# expect: => 0xfffffff0:\s+ljmp\s+\$0xf000,\$0x0
break *0xf0000
continue
# expect: Breakpoint 1, 0x000f0000 in
info registers cs eip
# expect: cs\s+0xf000
# expect: eip\s+0xf0000
x/3i $pc
# expect: cli\s*\n.*cld\s*\n.*xor\s+%ax,%ax
stepi 5
p/x $esp
# expect: = 0x7000
x/5xb 0xffff0
# expect: 0xffff0:\s+0xea\s+0x00\s+0x00\s+0x00\s+0xf0
delete
detach
# expect: Inferior 1 \(Remote target\) detached
