# A guest that halts for good (CLI; HLT) stops once for the debugger, with
# its state readable; continuing then ends amber, and gdb hears the exit.
# amber: -S
# status: 0
# console: H
continue
# expect: Program received signal SIGTRAP
monitor info registers
# expect: state=halted
continue
# expect: Inferior 1 \(Remote target\) exited normally
