/* itrace — --trace: one line on a FILE for every instruction executed. */
#ifndef AMBER_ITRACE_H
#define AMBER_ITRACE_H

#include <stdio.h>

struct cpu;

/* Installs the tracer on c; lines go to out. */
void frontend_trace_attach(struct cpu *c, FILE *out);

#endif
