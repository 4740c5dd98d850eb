/* amber-conformance — runs the SingleStepTests CPU vectors through the
 * interpreter and reports pass counts per opcode file.
 *
 *   amber-conformance [--cpu MODEL] [options] [FOLDER]
 *
 * FOLDER is the top of ../shared/conformance (both sets, or the one that
 * suits --cpu) or one set folder holding metadata.json and the *.json.gz
 * files.  Each file runs in a forked child, so a crash or a hang in the core
 * costs one test, not the run.  The last line is always "N passed, N failed". */
/* First: <unistd.h> defines F_LOCK (lockf), a name decode.h uses too. */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AMBER_CONFORMANCE_DIR
#define AMBER_CONFORMANCE_DIR "../shared/conformance"
#endif
#ifndef AMBER_CONFORMANCE_EXCLUSIONS
#define AMBER_CONFORMANCE_EXCLUSIONS "tests/conformance/exclusions.tsv"
#endif

#define SET_8086 "8086/v1"
#define SET_286  "80286/v1_real_mode"

/* Seconds one child may take for the rest of a file before it counts as a hang. */
enum { CHILD_TIMEOUT = 30 };

struct options {
	const char *cpu, *file, *folder, *baseline, *write_baseline, *exclusions;
	long index;              /* -1: every test */
	bool verbose, trace, no_fork;
};

struct file_result {
	char name[16];
	long passed, failed, skipped;
	bool excluded;           /* the whole file, by exclusions.tsv */
};

/* What a child reports back through shared memory, test by test, so the
 * parent knows where a crash happened. */
struct progress {
	long next;               /* position of the test being run */
	long index;              /* its test number */
	long passed, failed, skipped;
	bool done, data_error;
};

struct totals {
	long passed, failed, skipped;
	bool data_error, ratchet_failed;
};

static const char *prog = "amber-conformance";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: %s [--cpu MODEL] [options] [FOLDER]\n"
	        "  FOLDER               ../shared/conformance (default) or a set folder\n"
	        "                       (8086/v1, 80286/v1_real_mode) with metadata.json\n"
	        "  --cpu MODEL          cpu model (8086, 286, ...); default: from the set\n"
	        "  --file NAME          one opcode file, e.g. F6.7\n"
	        "  --index N            one test number within the file(s)\n"
	        "  -v, --verbose        print every failing test and its differences\n"
	        "  --trace              trace every instruction executed\n"
	        "  --baseline FILE      fail if a file passes fewer tests than FILE says\n"
	        "  --write-baseline FILE  write this run's pass counts to FILE\n"
	        "  --exclusions FILE    exclusion list (default: the checked-in one)\n"
	        "  --no-fork            run in one process (for a debugger)\n",
	        prog);
}

static int die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 1;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Paths longer than the buffer are cut; they then simply are not found. */
static void join(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= len)
		out[len - 1] = '\0';
}

/* "286" and "80286" name the same chip: accept both spellings. */
static const struct cpu_model_info *find_model(const char *name)
{
	const struct cpu_model_info *m = cpu_model_find(name);
	char alt[64];
	if (!m && !strncmp(name, "80", 2) && strlen(name) > 4)
		m = cpu_model_find(name + 2);
	if (!m && strlen(name) < 40) {
		snprintf(alt, sizeof alt, "80%s", name);
		m = cpu_model_find(alt);
	}
	if (!m && strlen(name) < 40) {
		snprintf(alt, sizeof alt, "i%s", name);
		m = cpu_model_find(alt);
	}
	return m;
}

static void list_models(void)
{
	fprintf(stderr, "%s: cpu models:", prog);
	for (int i = 0; i < CPU_MODEL_COUNT; i++)
		if (cpu_models[i].name)
			fprintf(stderr, " %s", cpu_models[i].name);
	fprintf(stderr, "\n");
}

/* The set's name as exclusions.tsv spells it: its last two path components. */
static void set_id(const char *path, char *out, size_t len)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		str_copy(real, sizeof real, path);
	size_t n = strlen(real);
	while (n > 1 && real[n - 1] == '/')
		real[--n] = '\0';
	char *last = strrchr(real, '/');
	char *start = real;
	if (last) {
		*last = '\0';
		char *prev = strrchr(real, '/');
		*last = '/';
		start = prev ? prev + 1 : real;
	}
	str_copy(out, len, start);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The opcode files of a set, without ".json.gz", sorted. */
static char **list_files(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	*count = 0;
	if (!d)
		return NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l <= 8 || l > 8 + 15 || strcmp(e->d_name + l - 8, ".json.gz"))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof *nn);
		if (!nn)
			break;
		names = nn;
		names[n] = strndup(e->d_name, l - 8);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_name);
	*count = n;
	return names;
}

struct set_ctx {
	const struct options *o;
	const char *path, *id;
	struct vmeta meta;
	struct exclusions *excl;
	struct strset revoked;
	struct runner runner;
};

/* The opcode and reg digit a file name stands for ("F6.7" -> F6, 7). */
static void parse_file_name(const char *name, int *op, int *reg)
{
	char *end;
	*op = (int)strtol(name, &end, 16) & 0xFF;
	*reg = (*end == '.' && end[1] >= '0' && end[1] <= '7') ? end[1] - '0' : -1;
}

/* Runs the file's tests from position start on, recording progress. */
static void run_tests(struct set_ctx *s, const char *fname, const struct json *arr,
                      long start, struct progress *p)
{
	int op, freg;
	parse_file_name(fname, &op, &freg);
	struct vtest t = {0};
	char err[200];
	long pos = 0;
	for (const struct json *e = arr->u.kid; e; e = e->next, pos++) {
		if (pos < start)
			continue;
		p->next = pos;
		if (vtest_from_json(e, pos, &t, err, sizeof err)) {
			printf("%s: %s/%s.json.gz: %s\n", prog, s->path, fname, err);
			p->data_error = true;
			p->failed++;
			continue;
		}
		p->index = t.index;
		if (s->o->index >= 0 && t.index != s->o->index)
			continue;
		int reg = freg >= 0 ? freg : t.modrm_reg;
		if (strset_has(&s->revoked, t.hash) ||
		    exclusions_find(s->excl, s->id, fname, reg)) {
			p->skipped++;
			continue;
		}
		uint16_t mask = vmeta_mask(&s->meta, op, reg);
		mask = vtest_shift_mask(mask, op, &t, s->runner.run_to_hlt ? 0x1F : 0xFF);
		if (runner_run(&s->runner, &t, mask, fname))
			p->passed++;
		else
			p->failed++;
	}
	p->next = pos;
	vtest_free(&t);
}

/* Forks a child per stretch of the file: when the core crashes or hangs on a
 * test, that test fails and a new child carries on after it. */
static void run_file_isolated(struct set_ctx *s, const char *fname,
                              const struct json *arr, struct progress *p)
{
	long start = 0;
	memset(p, 0, sizeof *p);
	if (s->o->no_fork) {
		run_tests(s, fname, arr, 0, p);
		return;
	}
	while (start < (long)arr->len) {
		p->done = false;
		p->next = start;
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			run_tests(s, fname, arr, start, p);
			return;
		}
		if (pid == 0) {
			alarm(CHILD_TIMEOUT);
			run_tests(s, fname, arr, start, p);
			p->done = true;
			fflush(stdout);
			_exit(0);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (p->done)
			return;
		const char *why = WIFSIGNALED(st) ? (WTERMSIG(st) == SIGALRM ? "hang (timeout)"
		                                     : strsignal(WTERMSIG(st)))
		                                  : "exited";
		printf("FAIL %s #%ld: the core crashed: %s\n", fname, p->index, why);
		p->failed++;
		start = p->next + 1;
	}
}

static void print_counts(const char *prefix, long passed, long failed, long skipped)
{
	printf("%s%ld passed, %ld failed", prefix, passed, failed);
	if (skipped)
		printf(", %ld skipped", skipped);
	printf("\n");
}

static void not_found(const char *path)
{
	printf("%s: conformance vectors not found at %s; scripts/fetch-conformance.sh "
	       "fetches the upstream suite (skipping)\n", prog, path);
}

/* Compares pass counts with the baseline: one line per file that dropped. */
static bool check_ratchet(const struct options *o, const char *set, const struct file_result *res,
                          size_t nres, bool partial)
{
	struct baseline b;
	char err[300];
	if (baseline_load(&b, o->baseline, err, sizeof err)) {
		printf("%s: %s\n", prog, err);
		return false;
	}
	bool ok = true;
	long above = 0;
	for (size_t i = 0; i < b.n; i++) {
		const struct file_result *r = NULL;
		for (size_t j = 0; j < nres && !r; j++)
			if (!strcmp(res[j].name, b.e[i].file))
				r = &res[j];
		if (!r) {
			if (!partial) {
				printf("ratchet: %s: in the baseline (%ld passed) but not in %s\n",
				       b.e[i].file, b.e[i].passed, set);
				ok = false;
			}
			continue;
		}
		if (r->excluded)
			continue;
		if (r->passed < b.e[i].passed) {
			printf("ratchet: %s: %ld passed, below the baseline of %ld\n",
			       r->name, r->passed, b.e[i].passed);
			ok = false;
		} else if (r->passed > b.e[i].passed) {
			above++;
		}
	}
	for (size_t j = 0; j < nres; j++)
		if (!res[j].excluded && res[j].passed && baseline_get(&b, res[j].name) < 0)
			above++;
	if (above)
		printf("ratchet: %ld files above the baseline (--write-baseline %s raises it)\n",
		       above, o->baseline);
	free(b.e);
	return ok;
}

static int write_baseline(const struct options *o, const char *set, const char *model,
                          const struct file_result *res, size_t nres)
{
	FILE *f = fopen(o->write_baseline, "w");
	if (!f) {
		printf("%s: %s: %s\n", prog, o->write_baseline, strerror(errno));
		return -1;
	}
	fprintf(f, "# Conformance ratchet: tests passed per file, set %s, cpu model %s.\n"
	           "# amber-conformance --baseline fails when a count drops below this.\n"
	           "# Regenerate with --write-baseline after a fix raises counts.\n",
	        set, model);
	for (size_t i = 0; i < nres; i++)
		if (!res[i].excluded)
			fprintf(f, "%s\t%ld\n", res[i].name, res[i].passed);
	fclose(f);
	return 0;
}

static void run_one_file(struct set_ctx *s, const char *name, struct json_doc *doc,
                         struct progress *p, struct file_result *r, struct totals *tot)
{
	char path[PATH_MAX + 32], err[400];
	size_t len;
	snprintf(path, sizeof path, "%s/%s.json.gz", s->path, name);
	str_copy(r->name, sizeof r->name, name);
	char *text = vec_read_gz(path, &len, err, sizeof err);
	if (!text || json_parse(doc, text, len) || doc->root->type != JSON_ARRAY) {
		printf("%s: %s\n", prog, text ? (doc->err[0] ? doc->err : "not a JSON array") : err);
		tot->data_error = true;
		free(text);
		return;
	}
	const struct exclusion *ex = exclusions_find(s->excl, s->id, name, -2);
	if (ex) {
		r->excluded = true;
		r->skipped = doc->root->len;
		printf("%s: %ld skipped (excluded: %s)\n", name, r->skipped, ex->reason);
	} else {
		run_file_isolated(s, name, doc->root, p);
		r->passed = p->passed;
		r->failed = p->failed;
		r->skipped = p->skipped;
		if (p->data_error)
			tot->data_error = true;
		char prefix[40];
		snprintf(prefix, sizeof prefix, "%s: ", name);
		print_counts(prefix, r->passed, r->failed, r->skipped);
	}
	tot->passed += r->passed;
	tot->failed += r->failed;
	tot->skipped += r->skipped;
	free(text);
}

static void run_set(const struct options *o, const char *path,
                    const struct cpu_model_info *model, struct exclusions *excl,
                    struct progress *p, struct totals *tot)
{
	char id[64], meta_path[PATH_MAX + 32], rev[PATH_MAX + 32], err[400];
	struct set_ctx s = { .o = o, .path = path, .id = id, .excl = excl };
	set_id(path, id, sizeof id);
	join(meta_path, sizeof meta_path, path, "metadata.json");
	if (vmeta_load(&s.meta, meta_path, err, sizeof err)) {
		printf("%s: %s\n", prog, err);
		tot->data_error = true;
		return;
	}
	/* The upstream list sits next to the set folder (80286/revocation_list.txt). */
	join(rev, sizeof rev, path, "../revocation_list.txt");
	if (!is_file(rev))
		join(rev, sizeof rev, path, "revocation_list.txt");
	if (strset_load_hashes(&s.revoked, rev)) {
		printf("%s: %s: cannot read\n", prog, rev);
		tot->data_error = true;
		return;
	}
	bool run_to_hlt = strstr(s.meta.cpu, "286") != NULL;
	if (runner_init(&s.runner, model, run_to_hlt)) {
		printf("%s: cannot allocate 16 MiB of guest RAM\n", prog);
		tot->data_error = true;
		return;
	}
	s.runner.verbose = o->verbose;
	if (runner_set_trace(&s.runner, o->trace))
		printf("%s: the tracer is unavailable; running without --trace\n", prog);

	size_t nfiles;
	char **files = list_files(path, &nfiles);
	struct file_result *res = calloc(nfiles ? nfiles : 1, sizeof *res);
	struct json_doc doc = {0};
	size_t nres = 0;
	printf("set %s (cpu %s)\n", id, model->name);
	bool found = !o->file;
	for (size_t i = 0; i < nfiles && res; i++) {
		if (o->file && strcmp(files[i], o->file))
			continue;
		found = true;
		run_one_file(&s, files[i], &doc, p, &res[nres++], tot);
	}
	if (!found) {
		printf("%s: no file %s.json.gz in %s\n", prog, o->file, path);
		tot->data_error = true;
	}
	if (o->write_baseline && write_baseline(o, id, model->name, res, nres))
		tot->data_error = true;
	if (o->baseline && o->index >= 0)
		printf("ratchet: not checked with --index\n");
	else if (o->baseline && !check_ratchet(o, id, res, nres, o->file != NULL))
		tot->ratchet_failed = true;

	json_free(&doc);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(res);
	strset_free(&s.revoked);
	runner_free(&s.runner);
}

/* "--name value" or "--name=value". */
static bool opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t l = strlen(name);
	if (strncmp(argv[*i], name, l))
		return false;
	if (argv[*i][l] == '=') {
		*out = argv[*i] + l + 1;
		return true;
	}
	if (argv[*i][l] != '\0')
		return false;
	if (*i + 1 >= argc) {
		*out = NULL;
		return true;
	}
	*out = argv[++*i];
	return true;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static char file_buf[64];
	const char *idx = NULL;
	memset(o, 0, sizeof *o);
	o->index = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = "";
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = true;
		} else if (!strcmp(a, "--trace")) {
			o->trace = true;
		} else if (!strcmp(a, "--no-fork")) {
			o->no_fork = true;
		} else if (opt_value(argc, argv, &i, "--cpu", &v)) {
			o->cpu = v;
		} else if (opt_value(argc, argv, &i, "--file", &v)) {
			o->file = v;
		} else if (opt_value(argc, argv, &i, "--index", &v)) {
			idx = v;
		} else if (opt_value(argc, argv, &i, "--baseline", &v)) {
			o->baseline = v;
		} else if (opt_value(argc, argv, &i, "--write-baseline", &v)) {
			o->write_baseline = v;
		} else if (opt_value(argc, argv, &i, "--exclusions", &v)) {
			o->exclusions = v;
		} else if (a[0] == '-' && a[1]) {
			return die_usage("unknown option %s (--help lists them)", a);
		} else if (o->folder) {
			return die_usage("more than one FOLDER given");
		} else {
			o->folder = a;
		}
		if (!v)
			return die_usage("%s needs a value", a);
	}
	if (idx) {
		char *end;
		o->index = strtol(idx, &end, 0);
		if (*end || o->index < 0)
			return die_usage("--index wants a test number, not %s", idx);
	}
	if (o->file) {
		/* Accept "F6.7", "F6.7.json.gz" or a path to the file. */
		const char *base = strrchr(o->file, '/') ? strrchr(o->file, '/') + 1 : o->file;
		str_copy(file_buf, sizeof file_buf, base);
		char *ext = strstr(file_buf, ".json");
		if (ext)
			*ext = '\0';
		o->file = file_buf;
	}
	return 0;
}

struct set_choice {
	char path[PATH_MAX + 32];
	const struct cpu_model_info *model;
};

/* The model that runs a set when --cpu is not given. */
static const struct cpu_model_info *default_model(const char *set_path)
{
	char meta_path[PATH_MAX + 32], err[400];
	struct vmeta *m = malloc(sizeof *m);
	const struct cpu_model_info *model = NULL;
	join(meta_path, sizeof meta_path, set_path, "metadata.json");
	if (m && vmeta_load(m, meta_path, err, sizeof err) == 0)
		model = find_model(strstr(m->cpu, "286") ? "286" : "8086");
	free(m);
	return model;
}

int main(int argc, char **argv)
{
	struct options o;
	if (parse_args(argc, argv, &o))
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	const struct cpu_model_info *model = NULL;
	if (o.cpu && !(model = find_model(o.cpu))) {
		list_models();
		return die_usage("unknown cpu model %s", o.cpu);
	}

	const char *top = o.folder;
	if (!top)
		top = is_dir("../shared/conformance") || !is_dir(AMBER_CONFORMANCE_DIR)
		      ? "../shared/conformance" : AMBER_CONFORMANCE_DIR;

	/* A set folder, or the top folder with one set per CPU generation. */
	struct set_choice sets[2];
	int nsets = 0;
	char probe[PATH_MAX + 32];
	join(probe, sizeof probe, top, "metadata.json");
	if (is_file(probe)) {
		str_copy(sets[0].path, sizeof sets[0].path, top);
		sets[nsets++].model = model;
	} else if (model) {
		join(sets[0].path, sizeof sets[0].path, top,
		     model->gen >= GEN_286 ? SET_286 : SET_8086);
		sets[nsets++].model = model;
	} else {
		join(sets[nsets++].path, sizeof sets[0].path, top, SET_8086);
		join(sets[nsets++].path, sizeof sets[0].path, top, SET_286);
		sets[0].model = sets[1].model = NULL;
	}
	if (nsets > 1 && (o.baseline || o.write_baseline))
		return die_usage("--baseline and --write-baseline need one set: give --cpu or a set folder");

	struct exclusions excl;
	char err[400];
	if (exclusions_load(&excl, o.exclusions ? o.exclusions : AMBER_CONFORMANCE_EXCLUSIONS,
	                    err, sizeof err))
		return die_usage("%s", err);

	/* Children write their counts here, so a crash loses nothing. */
	struct progress *p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE,
	                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return die_usage("mmap: %s", strerror(errno));

	struct totals tot = {0};
	if (!is_dir(top)) {
		not_found(top);
		nsets = 0;
	}
	for (int i = 0; i < nsets; i++) {
		join(probe, sizeof probe, sets[i].path, "metadata.json");
		if (!is_file(probe)) {
			not_found(sets[i].path);
			continue;
		}
		const struct cpu_model_info *m = sets[i].model;
		if (!m && !(m = default_model(sets[i].path))) {
			list_models();
			printf("%s: no cpu model for %s; give --cpu\n", prog, sets[i].path);
			tot.data_error = true;
			continue;
		}
		run_set(&o, sets[i].path, m, &excl, p, &tot);
	}
	print_counts("", tot.passed, tot.failed, tot.skipped);
	free(excl.e);
	return tot.data_error || tot.ratchet_failed ? 1 : 0;
}
