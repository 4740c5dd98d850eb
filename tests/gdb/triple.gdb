# A triple fault stops for the debugger as SIGSEGV (the CPU is shut down,
# its state readable); continuing ends amber with status 2.
# amber: -S
# status: 2
continue
# expect: Program received signal SIGSEGV
monitor info registers
# expect: state=shutdown
continue
# expect: Inferior 1 \(Remote target\) exited with code 02
