/* fuzz_gdb — a libFuzzer target for the gdb stub: the packet framing
 * (frontend/gdb-packet.c) and every command behind it (frontend/gdbstub.c,
 * gdb-monitor.c, gdb-target.c), against a small live machine.
 *
 * Input: bytes as a debugger would send them ($packet#ck, acks, 03h),
 * fed to the stub 32 at a time; whenever a packet resumed the guest, it
 * runs a bounded number of instructions (so breakpoints, watchpoints,
 * steps and Ctrl-C are reached too).  Replies go nowhere (a session with no
 * socket); monitor commands that would write files are refused there.
 *
 * The machine: 1 MiB of RAM, no ROM, real mode at 0000:1000 running a loop
 * that writes and reads a word at 2000h.  Any sanitizer report, crash or
 * hang is a finding. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bus.h"
#include "cpu.h"
#include "gdbstub.h"
#include "mmu.h"

enum {
	RAM_SIZE = 1u << 20,
	SLICE = 32,
	RUN_STEPS = 200,   /* per resume */
	MAX_STEPS = 1000,  /* per input */
};

static struct cpu cpu; /* large (the decoded-instruction cache): not on the stack */
static struct mmu mmu;
static struct bus bus;

/* loop: inc word [2000h]; mov ax, [2000h]; jmp loop */
static const uint8_t code[] = { 0xFF, 0x06, 0x00, 0x20, 0xA1, 0x00, 0x20, 0xEB, 0xF7 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One mmu for every input (a fresh one per input costs more than the
	 * input): everything the previous input changed is put back. */
	static bool ready;
	if (!ready) {
		if (mmu_init(&mmu, RAM_SIZE))
			return 0;
		ready = true;
	}
	memset(mmu.ram, 0, RAM_SIZE);
	memset(mmu.code_bits, 0, 1u << 17);
	memset(mmu.pt_bits, 0, 1u << 17);
	mmu_set_shadow(&mmu, false);
	mmu_set_paging(&mmu, 0, 0, 0);
	mmu_set_shadow(&mmu, true);
	mmu_set_a20(&mmu, true);
	bus_init(&bus);
	cpu_init(&cpu, &cpu_models[CPU_PENTIUM2], &mmu, &bus);
	memcpy(mmu.ram + 0x1000, code, sizeof code);
	/* Every vector goes to an IRET at 1100h, so a fault (after monitor
	 * reset the CPU fetches from an empty ROM) does not run zeros over the
	 * IVT and the code page: self-modifying code is fuzz_exec's business,
	 * and a slow one here. */
	mmu.ram[0x1100] = 0xCF;
	for (int v = 0; v < 256; v++) {
		mmu.ram[4 * v] = 0x00;
		mmu.ram[4 * v + 1] = 0x11;
	}
	cpu_load_seg_real(&cpu, SEG_CS, 0);
	cpu.eip = 0x1000;
	cpu_flush_decoded(&cpu);

	struct gdbstub_target t = { .cpu = &cpu, .mmu = &mmu };
	struct gdbstub *g = gdbstub_new(&t);
	if (g) {
		gdbstub_attach_null(g);
		uint64_t budget = MAX_STEPS;
		for (size_t off = 0; off < size && !gdbstub_killed(g); off += SLICE) {
			size_t n = size - off < SLICE ? size - off : SLICE;
			gdbstub_feed(g, data + off, n);
			if (!gdbstub_stopped(g) && budget) {
				uint64_t r = gdbstub_run_chunk(g, budget < RUN_STEPS ? budget : RUN_STEPS);
				budget -= r < budget ? r : budget;
			}
		}
		gdbstub_free(g);
	}
	return 0;
}
