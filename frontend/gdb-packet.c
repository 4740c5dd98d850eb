/* gdb-packet — receive-side framing and the encodings of the remote
 * protocol (gdb manual, appendix E.1 "Overview", E.1.1 binary data). */
#include "gdb-packet.h"

#include <string.h>

enum { RX_IDLE, RX_DATA, RX_CK1, RX_CK2 };

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
	rx->sum = 0;
	rx->escape = false;
	rx->overflow = false;
	rx->data[0] = '\0';
}

int gdb_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void rx_put(struct gdb_rx *rx, uint8_t b)
{
	if (rx->len >= GDB_PACKET_MAX) {
		rx->overflow = true;
		return;
	}
	rx->data[rx->len++] = (char)b;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t b)
{
	switch (rx->state) {
	case RX_IDLE:
		if (b == '$') {
			gdb_rx_init(rx);
			rx->state = RX_DATA;
			return GDB_RX_NONE;
		}
		if (b == 0x03)
			return GDB_RX_INTERRUPT;
		if (b == '+')
			return GDB_RX_ACK;
		if (b == '-')
			return GDB_RX_NAK;
		return GDB_RX_NONE; /* noise between packets */
	case RX_DATA:
		if (b == '#') {
			rx->state = RX_CK1;
			return GDB_RX_NONE;
		}
		if (b == '$') {
			/* A new packet start inside a packet: gdb gave up on the
			 * old one (a resend after a timeout); start over. */
			gdb_rx_init(rx);
			rx->state = RX_DATA;
			return GDB_RX_NONE;
		}
		rx->sum = (uint8_t)(rx->sum + b);
		if (rx->escape) {
			rx->escape = false;
			rx_put(rx, b ^ 0x20);
		} else if (b == '}') {
			rx->escape = true;
		} else {
			rx_put(rx, b);
		}
		return GDB_RX_NONE;
	case RX_CK1:
		rx->ck = b;
		rx->state = RX_CK2;
		return GDB_RX_NONE;
	default: { /* RX_CK2 */
		rx->state = RX_IDLE;
		int hi = gdb_hexval((char)rx->ck), lo = gdb_hexval((char)b);
		rx->data[rx->len] = '\0';
		if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != rx->sum || rx->escape)
			return GDB_RX_BAD;
		return rx->overflow ? GDB_RX_TOO_LONG : GDB_RX_PACKET;
	}
	}
}

static const char hexdig[] = "0123456789abcdef";

size_t gdb_frame(const char *data, size_t len, char *out)
{
	uint8_t sum = 0;
	out[0] = '$';
	for (size_t k = 0; k < len; k++) {
		out[1 + k] = data[k];
		sum = (uint8_t)(sum + (uint8_t)data[k]);
	}
	out[1 + len] = '#';
	out[2 + len] = hexdig[sum >> 4];
	out[3 + len] = hexdig[sum & 15];
	return len + 4;
}

size_t gdb_escape(const uint8_t *in, size_t len, char *out, size_t out_max, size_t *used)
{
	size_t o = 0, k = 0;
	for (; k < len; k++) {
		uint8_t b = in[k];
		bool esc = b == '$' || b == '#' || b == '}' || b == '*';
		if (o + (esc ? 2 : 1) > out_max)
			break;
		if (esc) {
			out[o++] = '}';
			out[o++] = (char)(b ^ 0x20);
		} else {
			out[o++] = (char)b;
		}
	}
	*used = k;
	return o;
}

void gdb_tohex(const uint8_t *in, size_t len, char *out)
{
	for (size_t k = 0; k < len; k++) {
		out[2 * k] = hexdig[in[k] >> 4];
		out[2 * k + 1] = hexdig[in[k] & 15];
	}
}

int gdb_fromhex(const char *in, size_t len, uint8_t *out)
{
	for (size_t k = 0; k < len; k++) {
		int hi = gdb_hexval(in[2 * k]), lo = gdb_hexval(in[2 * k + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int gdb_parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int n = 0;
	while (s < end && gdb_hexval(*s) >= 0) {
		if (++n > 16)
			return -1;
		x = x << 4 | (uint64_t)gdb_hexval(*s++);
	}
	if (n == 0)
		return -1;
	*p = s;
	*v = x;
	return 0;
}
