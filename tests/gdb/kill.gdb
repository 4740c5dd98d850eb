# gdb's kill ends amber.
# amber: -S
# status: 0
stepi
kill
# expect: Inferior 1 \(Remote target\) killed
