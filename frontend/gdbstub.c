/* gdbstub — the remote serial protocol (gdb manual, appendix E), one
 * connection at a time, all-stop, one thread.
 *
 * Run control.  The machine loop calls gdbstub_run.  While the debugger
 * holds the guest it blocks in poll() on the connection and answers
 * packets; once resumed, a step is one cpu_run(c, 1) with breakpoints off
 * and (unless monitor step-irq on) the interrupt line masked, and CPU_PENDING_STEP set so
 * a REP string does one iteration; a continue is cpu_run in chunks with
 * c->break_at installed, and between chunks a non-blocking poll for
 * Ctrl-C.  Breakpoints are linear addresses checked before each
 * instruction (cpu_run asks c->break_at before the fetch, so the decoded-
 * instruction cache cannot hide one).  Watchpoints are physical: the
 * watched linear bytes are translated with mmu_probe when set and at every
 * resume; the mmu's write hook (and read hook, for rwatch/awatch) sees
 * every guest access to them, and a hit asks the CPU to stop at the next
 * instruction boundary, so the stop is right after the instruction (or
 * REP iteration) that accessed the data, as an x86 data breakpoint traps.
 *
 * Hostile input: a packet longer than GDB_PACKET_MAX is answered with an
 * error, a bad checksum with '-', reads are clamped to what one reply
 * holds, unmapped memory is E14, and a connection that fails or closes
 * (even mid-packet) is dropped as a detach: the guest runs on. */
#include "gdbstub-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cpu.h"
#include "mmu.h"

/* The largest memory read one reply carries (hex doubles it). */
#define MEM_MAX ((GDB_PACKET_MAX - 16) / 2)

/* ---- text buffers ---- */

void gdb_text_printf(struct gdb_text *t, const char *fmt, ...)
{
	if (t->full)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = t->cap - t->len;
		int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->s && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		size_t need = t->len + (size_t)n + 1;
		if (need > GDB_TEXT_MAX) {
			t->full = true;
			return;
		}
		size_t cap = t->cap ? t->cap : 1024;
		while (cap < need)
			cap *= 2;
		char *s = realloc(t->s, cap);
		if (!s) {
			t->full = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
}

void gdb_text_free(struct gdb_text *t)
{
	free(t->s);
	*t = (struct gdb_text){ 0 };
}

/* ---- the connection ---- */

static void drop_connection(struct gdbstub *g);

static void send_raw(struct gdbstub *g, const char *buf, size_t len)
{
	while (g->fd >= 0 && len) {
		ssize_t n = send(g->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = g->fd, .events = POLLOUT };
			if (poll(&p, 1, 10000) > 0)
				continue;
		}
		if (n <= 0) {
			drop_connection(g);
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

void gdb_send(struct gdbstub *g, const char *data, size_t len)
{
	if (len > GDB_PACKET_MAX)
		len = GDB_PACKET_MAX;
	g->frame_len = gdb_frame(data, len, g->frame);
	send_raw(g, g->frame, g->frame_len);
}

void gdb_send_str(struct gdbstub *g, const char *s)
{
	gdb_send(g, s, strlen(s));
}

static void send_ack(struct gdbstub *g, char ch)
{
	if (!g->noack)
		send_raw(g, &ch, 1);
}

/* ---- breakpoints ---- */

static unsigned bp_hash(uint32_t lin)
{
	return (lin * 2654435761u) >> 22 & (GDB_MAX_BREAKPOINTS - 1);
}

static int bp_find(const struct gdbstub *g, uint32_t lin)
{
	for (unsigned k = 0, h = bp_hash(lin); k < GDB_MAX_BREAKPOINTS;
	     k++, h = (h + 1) & (GDB_MAX_BREAKPOINTS - 1)) {
		if (!g->bp_kind[h])
			return -1;
		if (g->bp_addr[h] == lin)
			return (int)h;
	}
	return -1;
}

static void bp_filter_rebuild(struct gdbstub *g)
{
	memset(g->bp_filter, 0, sizeof g->bp_filter);
	for (unsigned h = 0; h < GDB_MAX_BREAKPOINTS; h++)
		if (g->bp_kind[h])
			g->bp_filter[(g->bp_addr[h] & 0xFFFF) >> 3] |= (uint8_t)(1u << (g->bp_addr[h] & 7));
}

static int bp_insert(struct gdbstub *g, uint32_t lin, enum gdb_bp_kind kind)
{
	int h = bp_find(g, lin);
	if (h >= 0) {
		g->bp_kind[h] |= (uint8_t)kind;
		return 0;
	}
	/* Keep a quarter free so probes stay short. */
	if (g->nbp >= GDB_MAX_BREAKPOINTS * 3 / 4)
		return -1;
	unsigned s = bp_hash(lin);
	while (g->bp_kind[s])
		s = (s + 1) & (GDB_MAX_BREAKPOINTS - 1);
	g->bp_addr[s] = lin;
	g->bp_kind[s] = (uint8_t)kind;
	g->nbp++;
	g->bp_filter[(lin & 0xFFFF) >> 3] |= (uint8_t)(1u << (lin & 7));
	return 0;
}

static void bp_remove(struct gdbstub *g, uint32_t lin, enum gdb_bp_kind kind)
{
	int h = bp_find(g, lin);
	if (h < 0)
		return;
	g->bp_kind[h] &= (uint8_t)~kind;
	if (g->bp_kind[h])
		return;
	/* Open addressing: reinsert the rest of the cluster. */
	uint32_t addr[GDB_MAX_BREAKPOINTS];
	uint8_t kinds[GDB_MAX_BREAKPOINTS];
	unsigned n = 0;
	for (unsigned s = ((unsigned)h + 1) & (GDB_MAX_BREAKPOINTS - 1); g->bp_kind[s];
	     s = (s + 1) & (GDB_MAX_BREAKPOINTS - 1)) {
		addr[n] = g->bp_addr[s];
		kinds[n++] = g->bp_kind[s];
		g->bp_kind[s] = 0;
	}
	g->nbp -= n + 1;
	for (unsigned k = 0; k < n; k++)
		bp_insert(g, addr[k], kinds[k]);
	bp_filter_rebuild(g);
}

static void bp_clear(struct gdbstub *g)
{
	memset(g->bp_kind, 0, sizeof g->bp_kind);
	memset(g->bp_filter, 0, sizeof g->bp_filter);
	g->nbp = 0;
}

/* c->break_at: is the instruction at lin a breakpoint? */
static bool break_at(void *opaque, uint32_t lin)
{
	struct gdbstub *g = opaque;
	if (g->skip_armed) {
		g->skip_armed = false;
		if (lin == g->skip_lin)
			return false;
	}
	if (!((g->bp_filter[(lin & 0xFFFF) >> 3] >> (lin & 7)) & 1))
		return false;
	int h = bp_find(g, lin);
	if (h < 0)
		return false;
	g->bp_hit = g->bp_kind[h];
	return true;
}

/* ---- watchpoints ---- */

static void watch_translate(struct gdbstub *g, struct gdb_watch *w)
{
	for (unsigned k = 0; k < w->len; k++) {
		int64_t pa = mmu_probe(g->t.mmu, w->lin + k);
		w->phys[k] = pa > 0xFFFFFFFFll ? -1 : pa;
	}
}

/* Translates every watchpoint again if a mapping may have changed since;
 * when a watched byte moved to another page, the TLB forgets the fast
 * paths it gave (the mmu asks watched_page at each fill). */
static void watch_refresh(struct gdbstub *g, bool force)
{
	if (!g->nwatch || (!force && g->watch_map_gen == g->t.mmu->map_gen))
		return;
	bool moved = false;
	for (unsigned i = 0; i < g->nwatch; i++) {
		struct gdb_watch *w = &g->watch[i];
		int64_t old[8];
		memcpy(old, w->phys, sizeof old);
		watch_translate(g, w);
		moved |= memcmp(old, w->phys, sizeof old) != 0;
	}
	g->watch_map_gen = g->t.mmu->map_gen;
	if (moved)
		mmu_flush_tlb(g->t.mmu, true);
}

/* The mmu's hook_page: does a watchpoint cover a byte of this page? */
static bool watched_page(void *opaque, uint32_t pa_page)
{
	struct gdbstub *g = opaque;
	for (unsigned i = 0; i < g->nwatch; i++)
		for (unsigned k = 0; k < g->watch[i].len; k++)
			if (g->watch[i].phys[k] >= 0 &&
			    ((uint32_t)g->watch[i].phys[k] & ~0xFFFu) == (pa_page & ~0xFFFu))
				return true;
	return false;
}

static void watch_hit(struct gdbstub *g, uint32_t pa, bool write)
{
	for (unsigned i = 0; i < g->nwatch; i++) {
		struct gdb_watch *w = &g->watch[i];
		if (w->kind == (write ? WATCH_READ : WATCH_WRITE))
			continue;
		for (unsigned k = 0; k < w->len; k++) {
			if (w->phys[k] == (int64_t)pa) {
				if (!g->watch_hit) {
					g->watch_hit = w;
					g->watch_hit_addr = w->lin;
				}
				/* Stop at the next instruction boundary. */
				cpu_request_stop(g->t.cpu);
				return;
			}
		}
	}
}

static void write_hook(void *opaque, uint32_t pa, uint8_t old, uint8_t val)
{
	(void)old;
	(void)val;
	watch_hit(opaque, pa, true);
}

static void read_hook(void *opaque, uint32_t pa)
{
	watch_hit(opaque, pa, false);
}

/* Installs or removes the mmu hooks as the watchpoints need them, and
 * flushes the TLB so that exactly the watched pages lose their fast path. */
static void watch_arm(struct gdbstub *g)
{
	struct mmu *m = g->t.mmu;
	bool ours = (m->write_hook == write_hook || m->read_hook == read_hook);
	bool wr = false, rd = false;
	for (unsigned i = 0; i < g->nwatch; i++) {
		wr |= g->watch[i].kind != WATCH_READ;
		rd |= g->watch[i].kind != WATCH_WRITE;
	}
	bool change = false;
	if (wr && !m->write_hook) {
		m->write_hook = write_hook;
		m->hook_opaque = g;
		change = true;
	} else if (!wr && m->write_hook == write_hook) {
		m->write_hook = NULL;
		change = true;
	}
	if (rd && !m->read_hook) {
		m->read_hook = read_hook;
		m->read_opaque = g;
		change = true;
	} else if (!rd && m->read_hook == read_hook) {
		m->read_hook = NULL;
		change = true;
	}
	bool now = (m->write_hook == write_hook || m->read_hook == read_hook);
	if (now) {
		m->hook_page = watched_page;
		m->hook_page_opaque = g;
	} else if (ours) {
		m->hook_page = NULL;
	}
	if (change || now)
		mmu_flush_tlb(m, true);
}

static int watch_insert(struct gdbstub *g, int kind, uint32_t lin, unsigned len)
{
	struct mmu *m = g->t.mmu;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -1;
	/* Another user of the hooks (none in the amber program): its hook
	 * must keep seeing every page. */
	if ((m->write_hook && m->write_hook != write_hook) ||
	    (m->read_hook && m->read_hook != read_hook))
		return -1;
	for (unsigned i = 0; i < g->nwatch; i++)
		if (g->watch[i].kind == kind && g->watch[i].lin == lin && g->watch[i].len == len)
			return 0;
	if (g->nwatch >= GDB_MAX_WATCHPOINTS)
		return -1;
	struct gdb_watch *w = &g->watch[g->nwatch++];
	*w = (struct gdb_watch){ .kind = (uint8_t)kind, .len = (uint8_t)len, .lin = lin };
	watch_translate(g, w);
	g->watch_map_gen = g->t.mmu->map_gen;
	watch_arm(g);
	return 0;
}

static void watch_remove(struct gdbstub *g, int kind, uint32_t lin, unsigned len)
{
	for (unsigned i = 0; i < g->nwatch; i++) {
		struct gdb_watch *w = &g->watch[i];
		if (w->kind == kind && w->lin == lin && w->len == len) {
			g->watch[i] = g->watch[--g->nwatch];
			break;
		}
	}
	watch_arm(g);
}

static void watch_clear(struct gdbstub *g)
{
	g->nwatch = 0;
	watch_arm(g);
}

/* ---- stops and resumes ---- */

bool gdb_real_segments(const struct gdbstub *g)
{
	const struct cpu *c = g->t.cpu;
	return !c->pmode || (c->flags & FL_VM);
}

/* auto: real and V86 mode, and a CS that still holds a real-mode base
 * (between the MOV CR0 that sets PE and the far jump that loads CS). */
void gdb_update_view(struct gdbstub *g)
{
	const struct segment *cs = &g->t.cpu->seg[SEG_CS];
	bool realish = gdb_real_segments(g) || cs->base == (uint32_t)cs->sel << 4;
	g->view.linear_pc = g->real == REAL_ON || (g->real == REAL_AUTO && realish);
}

enum stop_why { WHY_ATTACH, WHY_STEP, WHY_BREAK, WHY_WATCH, WHY_INT, WHY_HALT, WHY_SHUTDOWN };

static void stop(struct gdbstub *g, enum stop_why why)
{
	static const char *const watch_names[5] = { [2] = "watch", [3] = "rwatch", [4] = "awatch" };
	int sig = why == WHY_INT ? 2 : why == WHY_SHUTDOWN ? 11 : 5;
	char *r = g->stop_reply;
	size_t n = sizeof g->stop_reply;
	if (why == WHY_WATCH && g->watch_hit)
		snprintf(r, n, "T%02x%s:%x;thread:01;", sig, watch_names[g->watch_hit->kind],
		         g->watch_hit_addr);
	else if (why == WHY_BREAK)
		snprintf(r, n, "T%02x%s:;thread:01;", sig,
		         (g->bp_hit & BP_SW) ? "swbreak" : "hwbreak");
	else
		snprintf(r, n, "T%02xthread:01;", sig);
	g->running = g->stepping = false;
	g->watch_hit = NULL;
	g->bp_hit = 0;
	gdb_update_view(g);
	if (g->attached)
		gdb_send_str(g, r);
}

static void resume(struct gdbstub *g, bool step)
{
	struct cpu *c = g->t.cpu;
	watch_refresh(g, true);
	g->running = true;
	g->stepping = step;
	g->wait_attach = false;
	g->skip_lin = c->seg[SEG_CS].base + c->eip;
	g->skip_armed = true;
	g->watch_hit = NULL;
	g->bp_hit = 0;
	c->pending &= ~(uint32_t)CPU_PENDING_STOP;
}

/* The session ends (D, a closed or failed connection): the debugger's
 * marks go, the guest runs on freely. */
static void detach(struct gdbstub *g)
{
	bp_clear(g);
	watch_clear(g);
	g->t.cpu->break_at = NULL;
	g->attached = false;
	g->running = true;
	g->stepping = false;
	g->wait_attach = false;
	g->noack = false;
	gdb_rx_init(&g->rx);
}

static void drop_connection(struct gdbstub *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	if (g->attached)
		detach(g);
}

/* ---- packets ---- */

static void reply_error(struct gdbstub *g, int e)
{
	char s[8];
	snprintf(s, sizeof s, "E%02x", e & 0xFF);
	gdb_send_str(g, s);
}

/* Parses "ADDR,LEN" at p (up to end); p is left after LEN. */
static int parse_addr_len(const char **p, const char *end, uint64_t *addr, uint64_t *len)
{
	if (gdb_parse_hex(p, end, addr) < 0 || *p >= end || **p != ',')
		return -1;
	(*p)++;
	if (gdb_parse_hex(p, end, len) < 0)
		return -1;
	return *addr <= 0xFFFFFFFFu ? 0 : -1;
}

static int mem_read_byte(struct gdbstub *g, uint32_t a, uint8_t *b)
{
	if (g->phys) {
		*b = phys_read8(g->t.mmu, a);
		return 0;
	}
	return mmu_debug_read(g->t.mmu, a, b, 1);
}

static bool mem_writable(struct gdbstub *g, uint32_t a, uint64_t len)
{
	if (g->phys)
		return true;
	for (uint64_t k = 0; k < len; k++)
		if (mmu_probe(g->t.mmu, (uint32_t)(a + k)) < 0)
			return false;
	return true;
}

/* Writes without firing the watchpoints (the debugger's own writes);
 * decoded code on the page is still dropped. */
static void mem_write(struct gdbstub *g, uint32_t a, const uint8_t *buf, uint32_t len)
{
	struct mmu *m = g->t.mmu;
	if (!g->phys) {
		mmu_debug_write(m, a, buf, len);
		return;
	}
	mmu_write_hook *hook = m->write_hook;
	m->write_hook = NULL;
	for (uint32_t k = 0; k < len; k++)
		phys_write8(m, a + k, buf[k]);
	m->write_hook = hook;
}

static void handle_m(struct gdbstub *g, const char *p, const char *end)
{
	uint64_t addr, len;
	if (parse_addr_len(&p, end, &addr, &len) < 0 || p != end) {
		reply_error(g, 1);
		return;
	}
	if (len > MEM_MAX)
		len = MEM_MAX; /* gdb accepts a shorter reply and asks for the rest */
	uint8_t b;
	size_t n = 0;
	for (; n < len; n++) {
		if (mem_read_byte(g, (uint32_t)(addr + n), &b) < 0)
			break;
		gdb_tohex(&b, 1, g->reply + 2 * n);
	}
	if (n == 0 && len > 0) {
		reply_error(g, 0x14);
		return;
	}
	gdb_send(g, g->reply, 2 * n);
}

/* M (hex) and X (binary) writes. */
static void handle_write(struct gdbstub *g, const char *p, const char *end, bool binary)
{
	uint64_t addr, len;
	if (parse_addr_len(&p, end, &addr, &len) < 0 || p >= end || *p++ != ':') {
		reply_error(g, 1);
		return;
	}
	size_t have = (size_t)(end - p);
	if (len > GDB_PACKET_MAX || (binary ? have != len : have != 2 * len)) {
		reply_error(g, 1);
		return;
	}
	if (len == 0) {
		gdb_send_str(g, "OK");
		return;
	}
	uint8_t *buf = (uint8_t *)g->reply; /* GDB_PACKET_MAX >= len */
	if (binary)
		memcpy(buf, p, len);
	else if (gdb_fromhex(p, len, buf) < 0) {
		reply_error(g, 1);
		return;
	}
	if (!mem_writable(g, (uint32_t)addr, len)) {
		reply_error(g, 0x14);
		return;
	}
	mem_write(g, (uint32_t)addr, buf, (uint32_t)len);
	gdb_send_str(g, "OK");
}

static void handle_g(struct gdbstub *g)
{
	uint8_t buf[GDB_REG_MAX_SIZE];
	size_t o = 0;
	for (int n = 0; n < GDB_REG_COUNT; n++) {
		unsigned s = gdb_reg_read(g->t.cpu, &g->view, n, buf);
		gdb_tohex(buf, s, g->reply + o);
		o += 2 * s;
	}
	gdb_send(g, g->reply, o);
}

static void handle_G(struct gdbstub *g, const char *p, const char *end)
{
	if ((size_t)(end - p) != 2 * gdb_regs_size()) {
		reply_error(g, 1);
		return;
	}
	bool bad = false;
	uint8_t buf[GDB_REG_MAX_SIZE];
	for (int n = 0; n < GDB_REG_COUNT; n++) {
		unsigned s = gdb_reg_size(n);
		if (gdb_fromhex(p, s, buf) < 0) {
			reply_error(g, 1);
			return;
		}
		p += 2 * s;
		uint8_t cur[GDB_REG_MAX_SIZE];
		gdb_reg_read(g->t.cpu, &g->view, n, cur);
		if (memcmp(cur, buf, s) != 0 && gdb_reg_write(g->t.cpu, &g->view, n, buf) < 0)
			bad = true;
	}
	if (bad)
		reply_error(g, 0x16);
	else
		gdb_send_str(g, "OK");
}

static void handle_p(struct gdbstub *g, const char *p, const char *end, bool write)
{
	uint64_t n;
	uint8_t buf[GDB_REG_MAX_SIZE];
	if (gdb_parse_hex(&p, end, &n) < 0 || n >= GDB_REG_COUNT) {
		reply_error(g, 1);
		return;
	}
	unsigned s = gdb_reg_size((int)n);
	if (!write) {
		if (p != end) {
			reply_error(g, 1);
			return;
		}
		gdb_reg_read(g->t.cpu, &g->view, (int)n, buf);
		gdb_tohex(buf, s, g->reply);
		gdb_send(g, g->reply, 2 * s);
		return;
	}
	if (p >= end || *p++ != '=' || (size_t)(end - p) != 2 * s || gdb_fromhex(p, s, buf) < 0) {
		reply_error(g, 1);
		return;
	}
	uint8_t cur[GDB_REG_MAX_SIZE];
	gdb_reg_read(g->t.cpu, &g->view, (int)n, cur);
	if (memcmp(cur, buf, s) != 0 && gdb_reg_write(g->t.cpu, &g->view, (int)n, buf) < 0)
		reply_error(g, 0x16);
	else
		gdb_send_str(g, "OK");
}

/* Z and z: breakpoints (0 software, 1 hardware: both live in the same
 * per-address set) and watchpoints (2 write, 3 read, 4 access). */
static void handle_z(struct gdbstub *g, const char *p, const char *end, bool insert)
{
	if (p >= end || *p < '0' || *p > '4' || p + 1 >= end || p[1] != ',') {
		gdb_send_str(g, "");
		return;
	}
	int type = *p - '0';
	p += 2;
	uint64_t addr, kind;
	/* ";cond" / ";cmds" lists may follow: amber evaluates none, gdb does. */
	const char *stop_at = memchr(p, ';', (size_t)(end - p));
	if (stop_at)
		end = stop_at;
	if (parse_addr_len(&p, end, &addr, &kind) < 0 || p != end) {
		reply_error(g, 1);
		return;
	}
	int r = 0;
	if (type <= 1) {
		enum gdb_bp_kind k = type == 0 ? BP_SW : BP_HW;
		if (insert)
			r = bp_insert(g, (uint32_t)addr, k);
		else
			bp_remove(g, (uint32_t)addr, k);
	} else if (insert) {
		r = watch_insert(g, type, (uint32_t)addr, kind > 8 ? 0 : (unsigned)kind);
	} else {
		watch_remove(g, type, (uint32_t)addr, kind > 8 ? 0 : (unsigned)kind);
	}
	if (r < 0)
		reply_error(g, 0x0E);
	else
		gdb_send_str(g, "OK");
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: signals are ignored. */
static void handle_resume(struct gdbstub *g, const char *p, const char *end, bool step, bool sig)
{
	if (sig) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		p = semi ? semi + 1 : end;
	}
	if (p < end) {
		uint64_t addr;
		uint8_t buf[4];
		if (gdb_parse_hex(&p, end, &addr) < 0 || p != end) {
			reply_error(g, 1);
			return;
		}
		for (int k = 0; k < 4; k++)
			buf[k] = (uint8_t)(addr >> (8 * k));
		gdb_reg_write(g->t.cpu, &g->view, GDB_REG_EIP, buf);
	}
	resume(g, step);
}

/* vCont;ACTION[:TID]...: the first action for thread 1 (or all) counts. */
static void handle_vcont(struct gdbstub *g, const char *p, const char *end)
{
	while (p < end && *p == ';') {
		p++;
		const char *a = p;
		while (p < end && *p != ';')
			p++;
		const char *colon = memchr(a, ':', (size_t)(p - a));
		if (colon) {
			const char *tp = colon + 1;
			uint64_t tid;
			bool all = p - tp == 2 && tp[0] == '-' && tp[1] == '1';
			if (!all && (gdb_parse_hex(&tp, p, &tid) < 0 || tp != p || tid != 1))
				continue;
		}
		switch (*a) {
		case 'c':
		case 'C':
			resume(g, false);
			return;
		case 's':
		case 'S':
			resume(g, true);
			return;
		case 't':
			snprintf(g->stop_reply, sizeof g->stop_reply, "T00thread:01;");
			gdb_send_str(g, g->stop_reply);
			return;
		default:
			reply_error(g, 1);
			return;
		}
	}
	reply_error(g, 1);
}

static void send_monitor_output(struct gdbstub *g, const struct gdb_text *t)
{
	size_t chunk = (GDB_PACKET_MAX - 16) / 2;
	for (size_t off = 0; off < t->len; off += chunk) {
		size_t n = t->len - off < chunk ? t->len - off : chunk;
		g->reply[0] = 'O';
		gdb_tohex((const uint8_t *)t->s + off, n, g->reply + 1);
		gdb_send(g, g->reply, 1 + 2 * n);
	}
}

static void handle_rcmd(struct gdbstub *g, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	char cmd[1024];
	if (n % 2 || n / 2 >= sizeof cmd || gdb_fromhex(p, n / 2, (uint8_t *)cmd) < 0) {
		reply_error(g, 1);
		return;
	}
	cmd[n / 2] = '\0';
	if (strlen(cmd) != n / 2) {
		reply_error(g, 1);
		return;
	}
	struct gdb_text out = { 0 };
	gdb_monitor(g, cmd, &out);
	send_monitor_output(g, &out);
	if (out.full) {
		struct gdb_text note = { 0 };
		gdb_text_printf(&note, "(output cut at %u bytes)\n", GDB_TEXT_MAX);
		send_monitor_output(g, &note);
		gdb_text_free(&note);
	}
	gdb_text_free(&out);
	gdb_send_str(g, "OK");
}

/* qXfer:features:read:ANNEX:OFF,LEN */
static void handle_xfer_features(struct gdbstub *g, const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon) {
		reply_error(g, 0);
		return;
	}
	/* 16-bit code: gdb disassembles as i8086 only when the target
	 * description says so (gdb 13 ignores "set architecture i8086" against
	 * an i386 description, but honours "set architecture i386" against an
	 * i8086 one). */
	gdb_update_view(g);
	bool i8086 = g->view.linear_pc && gdb_real_segments(g);
	if ((size_t)(colon - p) != strlen("target.xml") || memcmp(p, "target.xml", 10) != 0) {
		reply_error(g, 0);
		return;
	}
	p = colon + 1;
	uint64_t off, len;
	if (parse_addr_len(&p, end, &off, &len) < 0 || p != end) {
		reply_error(g, 1);
		return;
	}
	size_t xlen;
	const char *xml = gdb_target_xml(i8086, &xlen);
	if (off >= xlen) {
		gdb_send_str(g, "l");
		return;
	}
	size_t avail = xlen - (size_t)off;
	size_t want = len < avail ? (size_t)len : avail;
	size_t used;
	size_t room = GDB_PACKET_MAX - 1;
	size_t o = gdb_escape((const uint8_t *)xml + off, want, g->reply + 1, room, &used);
	g->reply[0] = (size_t)off + used >= xlen ? 'l' : 'm';
	gdb_send(g, g->reply, 1 + o);
}

static bool prefix(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

static void handle_query(struct gdbstub *g, const char *p, const char *end)
{
	if (prefix(p, end, "qSupported")) {
		char s[160];
		snprintf(s, sizeof s,
		         "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
		         "vContSupported+;QStartNoAckMode+",
		         GDB_PACKET_MAX);
		gdb_send_str(g, s);
	} else if (prefix(p, end, "qXfer:features:read:")) {
		handle_xfer_features(g, p + strlen("qXfer:features:read:"), end);
	} else if (prefix(p, end, "qRcmd,")) {
		handle_rcmd(g, p + 6, end);
	} else if (end - p == 9 && prefix(p, end, "qAttached")) {
		gdb_send_str(g, "1");
	} else if (prefix(p, end, "qAttached:")) {
		gdb_send_str(g, "1");
	} else if (end - p == 2 && prefix(p, end, "qC")) {
		gdb_send_str(g, "QC1");
	} else if (prefix(p, end, "qfThreadInfo")) {
		gdb_send_str(g, "m1");
	} else if (prefix(p, end, "qsThreadInfo")) {
		gdb_send_str(g, "l");
	} else if (prefix(p, end, "qSymbol")) {
		gdb_send_str(g, "OK");
	} else if (prefix(p, end, "QStartNoAckMode")) {
		gdb_send_str(g, "OK"); /* acknowledged, then no more acks */
		g->noack = true;
	} else {
		gdb_send_str(g, "");
	}
}

static void handle_packet(struct gdbstub *g, const char *p, size_t len)
{
	const char *end = p + len;
	if (len == 0) {
		gdb_send_str(g, "");
		return;
	}
	const char *a = p + 1;
	switch (*p) {
	case '?':
		if (!g->stop_reply[0])
			snprintf(g->stop_reply, sizeof g->stop_reply, "T05thread:01;");
		gdb_send_str(g, g->stop_reply);
		break;
	case 'g':
		handle_g(g);
		break;
	case 'G':
		handle_G(g, a, end);
		break;
	case 'p':
		handle_p(g, a, end, false);
		break;
	case 'P':
		handle_p(g, a, end, true);
		break;
	case 'm':
		handle_m(g, a, end);
		break;
	case 'M':
		handle_write(g, a, end, false);
		break;
	case 'X':
		handle_write(g, a, end, true);
		break;
	case 'c':
		handle_resume(g, a, end, false, false);
		break;
	case 's':
		handle_resume(g, a, end, true, false);
		break;
	case 'C':
		handle_resume(g, a, end, false, true);
		break;
	case 'S':
		handle_resume(g, a, end, true, true);
		break;
	case 'Z':
		handle_z(g, a, end, true);
		break;
	case 'z':
		handle_z(g, a, end, false);
		break;
	case 'H':
	case 'T':
		gdb_send_str(g, "OK");
		break;
	case 'k':
		g->killed = true;
		drop_connection(g);
		break;
	case 'D':
		gdb_send_str(g, "OK");
		drop_connection(g);
		break;
	case 'q':
	case 'Q':
		handle_query(g, p, end);
		break;
	case 'v':
		if (prefix(p, end, "vCont?"))
			gdb_send_str(g, "vCont;c;C;s;S;t");
		else if (prefix(p, end, "vCont;") || (end - p == 5 && prefix(p, end, "vCont")))
			handle_vcont(g, p + 5, end);
		else if (prefix(p, end, "vKill")) {
			gdb_send_str(g, "OK");
			g->killed = true;
			drop_connection(g);
		} else
			gdb_send_str(g, "");
		break;
	default:
		gdb_send_str(g, "");
		break;
	}
}

/* Takes received bytes: packets are answered, Ctrl-C stops a running guest. */
void gdbstub_feed(struct gdbstub *g, const uint8_t *buf, size_t len)
{
	for (size_t k = 0; k < len && g->attached && !g->killed; k++) {
		switch (gdb_rx_byte(&g->rx, buf[k])) {
		case GDB_RX_PACKET:
			send_ack(g, '+');
			handle_packet(g, g->rx.data, g->rx.len);
			break;
		case GDB_RX_BAD:
			send_ack(g, '-');
			break;
		case GDB_RX_TOO_LONG:
			send_ack(g, '+');
			reply_error(g, 0x22);
			break;
		case GDB_RX_INTERRUPT:
			if (g->running)
				stop(g, WHY_INT);
			break;
		case GDB_RX_NAK:
			if (g->frame_len && !g->noack)
				send_raw(g, g->frame, g->frame_len);
			break;
		default:
			break;
		}
	}
}

/* Reads what the connection has; blocks up to timeout_ms (-1: forever). */
static void poll_input(struct gdbstub *g, int timeout_ms)
{
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);
	if (r < 0 && errno != EINTR) {
		drop_connection(g);
		return;
	}
	if (r <= 0)
		return;
	uint8_t buf[4096];
	ssize_t n = recv(g->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		drop_connection(g); /* closed, even in the middle of a packet */
		return;
	}
	gdbstub_feed(g, buf, (size_t)n);
}

static void begin_session(struct gdbstub *g)
{
	g->attached = true;
	g->noack = false;
	gdb_rx_init(&g->rx);
	g->frame_len = 0;
	g->running = g->stepping = false;
	g->halt_reported = g->shutdown_reported = false;
	snprintf(g->stop_reply, sizeof g->stop_reply, "T05thread:01;");
	gdb_update_view(g);
}

static void try_accept(struct gdbstub *g, int timeout_ms)
{
	struct pollfd p = { .fd = g->lfd, .events = POLLIN };
	if (poll(&p, 1, timeout_ms) <= 0)
		return;
	int fd = accept(g->lfd, NULL, NULL);
	if (fd < 0)
		return;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* A client that stops reading is dropped, not waited for forever. */
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	g->fd = fd;
	begin_session(g);
}

void gdbstub_attach_null(struct gdbstub *g)
{
	g->fd = -1;
	g->sandbox = true;
	begin_session(g);
}

/* ---- the run loop ---- */

uint64_t gdbstub_run_chunk(struct gdbstub *g, uint64_t max)
{
	struct cpu *c = g->t.cpu;
	uint64_t n;
	if (!g->attached || !g->running)
		c->break_at = NULL;
	if (g->attached && g->running && g->stepping) {
		bool intr = c->intr;
		if (!g->step_irq)
			c->intr = false;
		c->break_at = NULL;
		c->pending |= CPU_PENDING_STEP;
		n = cpu_run(c, 1);
		c->pending &= ~(uint32_t)(CPU_PENDING_STEP | CPU_PENDING_STOP);
		if (!g->step_irq && !c->intr)
			c->intr = intr;
		stop(g, g->watch_hit ? WHY_WATCH : WHY_STEP);
		return n;
	}
	if (!g->attached) {
		return cpu_run(c, max);
	}
	if (!g->running)
		return 0;
	c->break_at = g->nbp ? break_at : NULL;
	c->break_opaque = g;
	watch_refresh(g, false); /* the guest may have remapped a watched page */
	n = cpu_run(c, max);
	c->break_at = NULL;
	g->skip_armed = false;
	if (g->watch_hit) {
		c->pending &= ~(uint32_t)CPU_PENDING_STOP;
		stop(g, WHY_WATCH);
	} else if (g->bp_hit) {
		stop(g, WHY_BREAK);
	} else if (c->state == CPU_SHUTDOWN) {
		if (!g->shutdown_reported) {
			g->shutdown_reported = true;
			stop(g, WHY_SHUTDOWN);
		}
	} else if (c->state == CPU_HALTED && !c->intr && !(c->flags & FL_IF)) {
		/* Halted for good (a HLT with IF=1 waits for a timer). */
		if (!g->halt_reported) {
			g->halt_reported = true;
			stop(g, WHY_HALT);
		}
	} else if (g->fd >= 0) {
		poll_input(g, 0); /* Ctrl-C */
	}
	return n;
}

uint64_t gdbstub_run(struct gdbstub *g, uint64_t max)
{
	for (;;) {
		if (g->killed)
			return 0;
		if (!g->attached) {
			if (g->lfd >= 0)
				try_accept(g, g->wait_attach ? -1 : 0);
			if (!g->attached && !g->wait_attach)
				break;
			continue;
		}
		if (g->running)
			break;
		if (g->fd < 0) /* the fuzzer's session: never blocks */
			return 0;
		poll_input(g, -1);
	}
	return gdbstub_run_chunk(g, max);
}

bool gdbstub_stopped(const struct gdbstub *g)
{
	return g->attached && !g->running;
}

bool gdbstub_killed(const struct gdbstub *g)
{
	return g->killed;
}

void gdbstub_finish(struct gdbstub *g, int status)
{
	if (g->attached && !g->killed) {
		char s[8];
		snprintf(s, sizeof s, "W%02x", status & 0xFF);
		gdb_send_str(g, s);
	}
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->attached = false;
}

void gdbstub_start_halted(struct gdbstub *g)
{
	g->wait_attach = true;
}

/* ---- setup ---- */

int gdbstub_parse_dev(const char *dev, char *host, size_t hostlen, uint16_t *port, char *err,
                      size_t errlen)
{
	if (strncmp(dev, "tcp:", 4) != 0) {
		snprintf(err, errlen, "amber: -gdb %s: amber has tcp::PORT and tcp:ADDR:PORT", dev);
		return -1;
	}
	const char *h = dev + 4;
	const char *colon = strrchr(h, ':');
	if (!colon) {
		snprintf(err, errlen, "amber: -gdb %s: expected tcp::PORT or tcp:ADDR:PORT", dev);
		return -1;
	}
	size_t hl = (size_t)(colon - h);
	/* [::1]-style brackets around an IPv6 address. */
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= hostlen) {
		snprintf(err, errlen, "amber: -gdb %s: address too long", dev);
		return -1;
	}
	if (hl == 0)
		snprintf(host, hostlen, "127.0.0.1");
	else
		snprintf(host, hostlen, "%.*s", (int)hl, h);
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p > 65535) {
		snprintf(err, errlen, "amber: -gdb %s: bad port", dev);
		return -1;
	}
	*port = (uint16_t)p;
	return 0;
}

struct gdbstub *gdbstub_new(const struct gdbstub_target *t)
{
	struct gdbstub *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->t = *t;
	g->lfd = g->fd = -1;
	gdb_rx_init(&g->rx);
	return g;
}

int gdbstub_listen(struct gdbstub *g, const char *host, uint16_t port, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                          .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res;
	char ps[8];
	snprintf(ps, sizeof ps, "%u", port);
	int r = getaddrinfo(host, ps, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "amber: -gdb: %s: %s", host, gai_strerror(r));
		return -1;
	}
	int fd = -1, e = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "amber: -gdb: cannot listen on %s:%u: %s", host, port,
		         strerror(e));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	g->port = port;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			g->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			g->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	g->lfd = fd;
	return 0;
}

uint16_t gdbstub_port(const struct gdbstub *g)
{
	return g->port;
}

void gdbstub_free(struct gdbstub *g)
{
	if (!g)
		return;
	if (g->attached && g->fd >= 0)
		detach(g);
	bp_clear(g);
	watch_clear(g);
	gdb_trace_off(g);
	g->t.cpu->break_at = NULL;
	if (g->fd >= 0)
		close(g->fd);
	if (g->lfd >= 0)
		close(g->lfd);
	free(g);
}
