# monitor reset puts the CPU back at the reset vector; gdb's kill ends amber.
# amber: -S
# status: 0
stepi
p/x $pc
# expect: = 0xf0000
monitor reset
# expect: reset
maintenance flush register-cache
p/x $pc
# expect: = 0xfffffff0
kill
# expect: Inferior 1 \(Remote target\) killed
