/* cli — amber's command line, in the manner of qemu-system-i386.  Every
 * option means what it means to qemu; amber's own additions are spelled
 * with two dashes (--trace, --stats). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu.h"
#include "debugport.h"
#include "rtc.h"

#define RAM_MIN (1u << 20)
#define RAM_MAX (3u << 30) /* below the 4 GiB ROM alias, with room to spare */
#define RAM_DEFAULT_MB 128

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("amber: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

static void usage(void)
{
	printf("usage: amber -bios FILE [options]\n"
	       "\n"
	       "Machine:\n"
	       "  -bios FILE          BIOS image, mapped so it ends at FFFFFh and FFFFFFFFh;\n"
	       "                      at most 1 MiB, a smaller one that is not a multiple of\n"
	       "                      64 KiB is padded below with FFh bytes\n"
	       "  -m SIZE             RAM size; MiB unless suffixed K, M or G (default %u)\n"
	       "  -cpu MODEL          CPU model (default %s); -cpu help lists them\n"
	       "  -accel interp       the interpreter (default); -accel jit is not built yet\n"
	       "  -no-reboot          stop at a triple fault (amber always does so)\n"
	       "\n"
	       "Time:\n"
	       "  -icount [shift=]N   deterministic mode: virtual time comes from the count of\n"
	       "                      executed instructions, one instruction = 2^N ns (N 0-10);\n"
	       "                      the same guest then prints the same bytes on every run\n"
	       "  -rtc base=WHEN      the RTC's date: utc (default), localtime, or a fixed\n"
	       "                      YYYY-MM-DDTHH:MM:SS (with -icount the default is\n"
	       "                      2000-01-01T00:00:00)\n"
	       "\n"
	       "Display and debug devices:\n"
	       "  -nographic          no display (amber is headless: there is no display yet)\n"
	       "  -display none       the same\n"
	       "  -debugcon DEV       debug console on port E9h: stdio (default), file:PATH,\n"
	       "                      null (the port exists, output discarded) or none\n"
	       "  -device isa-debug-exit[,iobase=0xf4][,iosize=0x04]\n"
	       "                      amber always has isa-debug-exit at F4h; this moves it.\n"
	       "                      A guest write of V ends amber with status (V<<1)|1\n"
	       "\n"
	       "Debugging (frontend/gdbstub.md):\n"
	       "  -gdb tcp::PORT      gdb stub on 127.0.0.1:PORT (tcp:ADDR:PORT: on ADDR;\n"
	       "                      port 0: any free port, printed on stderr)\n"
	       "  -s                  the same as -gdb tcp::1234\n"
	       "  -S                  run nothing until gdb attaches and continues\n"
	       "\n"
	       "amber's own:\n"
	       "  --trace             print every executed instruction on stderr\n"
	       "  --stats             print the instruction count and guest MIPS at exit\n"
	       "  --no-shadow         no shadow page-table cache (every TLB miss walks the\n"
	       "                      guest's tables; for benchmarks and bisecting)\n"
	       "  -h, --help          this text\n"
	       "  -version, --version print the version\n"
	       "\n"
	       "Exit status: (V<<1)|1 after a write of V to isa-debug-exit; 0 when the guest\n"
	       "halts for good (HLT that nothing can wake); 2 after a triple fault; 1 for an\n"
	       "error of amber's (bad option, missing file, ...).\n",
	       RAM_DEFAULT_MB, cpu_models[CPU_PENTIUM2].name);
}

static void list_cpus(void)
{
	printf("Available CPU models (-cpu):\n");
	for (int i = 0; i < CPU_MODEL_COUNT; i++) {
		const char *d = cpu_models[i].description ? cpu_models[i].description : "";
		printf("  %-12s %s%s\n", cpu_models[i].name, d,
		       i == CPU_PENTIUM2 && !strstr(d, "default") ? " (default)" : "");
	}
}

/* qemu's -m: a number of MiB, or with a K/M/G/T suffix; "size=" may lead. */
static int parse_ram(const char *arg, uint32_t *out)
{
	const char *s = arg;
	if (strncmp(s, "size=", 5) == 0)
		s += 5;
	if (!isdigit((unsigned char)*s))
		return fail("-m %s: not a size (e.g. 128, 512M, 1G)", arg);
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 20;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'B':
		shift = 0;
		end++;
		break;
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	case 'T':
		shift = 40;
		end++;
		break;
	default: end = NULL; break;
	}
	if (!end || *end || errno)
		return fail("-m %s: not a size (e.g. 128, 512M, 1G)", arg);
	if (v > ((unsigned long long)RAM_MAX >> shift))
		return fail("-m %s: too much RAM (at most 3G)", arg);
	if ((v << shift) < RAM_MIN)
		return fail("-m %s: too little RAM (at least 1M)", arg);
	/* Whole pages, as qemu rounds up too. */
	*out = (uint32_t)(((v << shift) + 4095) & ~4095ull);
	return 0;
}

static int parse_u16(const char *val, unsigned long max, uint16_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(val, &end, 0);
	if (!*val || *end || errno || v > max)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* -device isa-debug-exit[,iobase=N][,iosize=N] */
static int parse_device(const char *arg, struct cli_options *o)
{
	if (strcmp(arg, "help") == 0 || strcmp(arg, "?") == 0) {
		printf("Devices (-device):\n"
		       "  isa-debug-exit  iobase (default 0xf4), iosize (default 0x04)\n");
		return CLI_EXIT_OK;
	}
	size_t n = strcspn(arg, ",");
	if (n != strlen("isa-debug-exit") || strncmp(arg, "isa-debug-exit", n) != 0)
		return fail("-device %.*s: no such device (amber has isa-debug-exit)", (int)n, arg);
	uint16_t iobase = DEBUG_EXIT_IOBASE, iosize = DEBUG_EXIT_IOSIZE;
	const char *p = arg + n;
	while (*p == ',') {
		p++;
		size_t len = strcspn(p, ",");
		char prop[64];
		if (len >= sizeof prop)
			return fail("-device %s: property too long", arg);
		memcpy(prop, p, len);
		prop[len] = '\0';
		p += len;
		char *eq = strchr(prop, '=');
		if (!eq)
			return fail("-device %s: expected property=value", arg);
		*eq = '\0';
		const char *val = eq + 1;
		if (strcmp(prop, "iobase") == 0) {
			if (parse_u16(val, 0xFFFF, &iobase) < 0)
				return fail("-device isa-debug-exit: bad iobase '%s'", val);
		} else if (strcmp(prop, "iosize") == 0) {
			if (parse_u16(val, 0xFFFF, &iosize) < 0 || iosize == 0)
				return fail("-device isa-debug-exit: bad iosize '%s'", val);
		} else {
			return fail(
			        "-device isa-debug-exit: no property '%s' (it has iobase, iosize)",
			        prop);
		}
	}
	if ((uint32_t)iobase + iosize > 0x10000u)
		return fail("-device %s: the ports run past FFFFh", arg);
	o->exit_iobase = iobase;
	o->exit_iosize = iosize;
	return CLI_RUN;
}

static int parse_debugcon(const char *arg, struct cli_options *o)
{
	if (strcmp(arg, "stdio") == 0) {
		o->debugcon = DEBUGCON_STDIO;
	} else if (strcmp(arg, "none") == 0) {
		o->debugcon = DEBUGCON_NONE;
	} else if (strcmp(arg, "null") == 0) {
		o->debugcon = DEBUGCON_NULL;
	} else if (strncmp(arg, "file:", 5) == 0 && arg[5]) {
		o->debugcon = DEBUGCON_FILE;
		o->debugcon_path = arg + 5;
	} else {
		return fail("-debugcon %s: amber has stdio, file:PATH, null and none", arg);
	}
	return 0;
}

/* -icount [shift=]N[,sleep=off]: amber's icount is always exact. */
static int parse_icount(const char *arg, struct cli_options *o)
{
	char buf[64];
	if (strlen(arg) >= sizeof buf)
		return fail("-icount %s: too long", arg);
	strcpy(buf, arg);
	bool have_shift = false;
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (!strcmp(p, "sleep=off") || !strcmp(p, "align=off"))
			continue;
		const char *v = strncmp(p, "shift=", 6) == 0 ? p + 6 : p;
		if (!strcmp(v, "auto"))
			return fail("-icount shift=auto: amber's -icount is exact; give shift=N (0-10)");
		char *end;
		errno = 0;
		unsigned long n = strtoul(v, &end, 10);
		if (!isdigit((unsigned char)*v) || *end || errno || n > 10)
			return fail("-icount %s: expected [shift=]N with N from 0 to 10", arg);
		o->icount_shift = (unsigned)n;
		have_shift = true;
	}
	if (!have_shift)
		return fail("-icount %s: expected [shift=]N with N from 0 to 10", arg);
	o->icount = true;
	return 0;
}

/* -rtc base=utc|localtime|DATE[,clock=...][,driftfix=...]: the RTC always
 * follows the virtual clock, so clock= and driftfix= change nothing. */
static int parse_rtc(const char *arg, struct cli_options *o)
{
	char buf[128];
	if (strlen(arg) >= sizeof buf)
		return fail("-rtc %s: too long", arg);
	strcpy(buf, arg);
	for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (!strncmp(p, "clock=", 6) || !strncmp(p, "driftfix=", 9))
			continue;
		if (strncmp(p, "base=", 5) != 0)
			return fail("-rtc %s: expected base=utc, base=localtime or base=DATE", arg);
		const char *v = p + 5;
		if (!strcmp(v, "utc")) {
			o->rtc_base = RTC_BASE_UTC;
		} else if (!strcmp(v, "localtime")) {
			o->rtc_base = RTC_BASE_LOCALTIME;
		} else if (rtc_parse_date(v, &o->rtc_date) == 0) {
			o->rtc_base = RTC_BASE_DATE;
		} else {
			return fail("-rtc base=%s: expected utc, localtime or YYYY-MM-DDTHH:MM:SS", v);
		}
	}
	return 0;
}

static int parse_display(const char *arg)
{
	size_t n = strcspn(arg, ",");
	if (n == 4 && strncmp(arg, "none", 4) == 0)
		return 0;
	if (strcmp(arg, "help") == 0) {
		printf("Available display backend types:\nnone\n");
		return CLI_EXIT_OK;
	}
	return fail("-display %s: amber has no display yet; use -display none or -nographic", arg);
}

static int parse_accel(const char *arg)
{
	size_t n = strcspn(arg, ",");
	if (n == 6 && strncmp(arg, "interp", 6) == 0)
		return 0;
	if (n == 3 && strncmp(arg, "jit", 3) == 0)
		return fail("-accel jit: the translator is not built yet (use -accel interp)");
	if (strcmp(arg, "help") == 0) {
		printf("Accelerators supported in amber:\ninterp\n");
		return CLI_EXIT_OK;
	}
	return fail("-accel %s: unknown accelerator (amber has interp)", arg);
}

int cli_parse(int argc, char **argv, struct cli_options *o)
{
	memset(o, 0, sizeof *o);
	o->ram_size = RAM_DEFAULT_MB << 20;
	o->model = &cpu_models[CPU_PENTIUM2];
	o->debugcon = DEBUGCON_STDIO;
	o->exit_iobase = DEBUG_EXIT_IOBASE;
	o->exit_iosize = DEBUG_EXIT_IOSIZE;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1])
			return fail("%s: disk images are not supported yet (see --help)", a);
		/* amber's own long options, then qemu's, which take one or two dashes. */
		if (strcmp(a, "--trace") == 0) {
			o->trace = true;
			continue;
		}
		if (strcmp(a, "--stats") == 0) {
			o->stats = true;
			continue;
		}
		if (strcmp(a, "--no-shadow") == 0) {
			o->no_shadow = true;
			continue;
		}
		const char *opt = a[1] == '-' ? a + 2 : a + 1;
		if (!strcmp(opt, "h") || !strcmp(opt, "help")) {
			usage();
			return CLI_EXIT_OK;
		}
		if (!strcmp(opt, "version")) {
			printf("amber %s\n", AMBER_VERSION);
			return CLI_EXIT_OK;
		}
		if (!strcmp(opt, "nographic") || !strcmp(opt, "no-reboot"))
			continue;
		if (!strcmp(opt, "s")) {
			o->gdb_dev = "tcp::1234";
			continue;
		}
		if (!strcmp(opt, "S")) {
			o->gdb_wait = true;
			continue;
		}

		static const char *const with_arg[] = {
			"bios", "m", "cpu", "display", "debugcon", "device", "accel", "gdb", "icount", "rtc", NULL,
		};
		int k = 0;
		while (with_arg[k] && strcmp(opt, with_arg[k]) != 0)
			k++;
		if (!with_arg[k])
			return fail("%s: unknown option (see --help)", a);
		if (i + 1 >= argc)
			return fail("%s: requires an argument", a);
		const char *val = argv[++i];
		int r = 0;
		if (!strcmp(opt, "bios")) {
			o->bios = val;
		} else if (!strcmp(opt, "m")) {
			r = parse_ram(val, &o->ram_size);
		} else if (!strcmp(opt, "cpu")) {
			if (!strcmp(val, "help") || !strcmp(val, "?")) {
				list_cpus();
				return CLI_EXIT_OK;
			}
			o->model = cpu_model_find(val);
			if (!o->model)
				r = fail("-cpu %s: unknown CPU model (-cpu help lists them)", val);
		} else if (!strcmp(opt, "display")) {
			r = parse_display(val);
		} else if (!strcmp(opt, "debugcon")) {
			r = parse_debugcon(val, o);
		} else if (!strcmp(opt, "device")) {
			r = parse_device(val, o);
		} else if (!strcmp(opt, "accel")) {
			r = parse_accel(val);
		} else if (!strcmp(opt, "icount")) {
			r = parse_icount(val, o);
		} else if (!strcmp(opt, "rtc")) {
			r = parse_rtc(val, o);
		} else if (!strcmp(opt, "gdb")) {
			o->gdb_dev = val; /* checked by gdbstub_parse_dev in main.c */
		}
		if (r != 0)
			return r;
	}
	if (!o->bios)
		return fail("no BIOS image: give one with -bios FILE (see --help)");
	if (o->gdb_wait && !o->gdb_dev)
		return fail("-S: nothing could start the guest; add -s or -gdb tcp::PORT");
	return CLI_RUN;
}
