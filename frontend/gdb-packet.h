/* gdb-packet — the framing of gdb's remote serial protocol, as pure
 * functions with no I/O, so the fuzzer (tests/fuzz/fuzz_gdb.c) can drive
 * them byte by byte.
 *
 *   $<data>#<two hex digits of the modulo-256 sum of data>
 *
 * '}' escapes the next byte (XOR 20h) in binary data; a lone 03h byte
 * outside a packet is gdb's interrupt (Ctrl-C); '+' and '-' acknowledge.
 * See "Overview" and "Binary Data" in gdb's manual, appendix E. */
#ifndef AMBER_GDB_PACKET_H
#define AMBER_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest packet data amber accepts and the PacketSize it advertises
 * (qSupported): gdb never sends more, so anything longer is hostile. */
#define GDB_PACKET_MAX 16384

enum gdb_rx_event {
	GDB_RX_NONE,      /* byte consumed, nothing complete yet */
	GDB_RX_PACKET,    /* a packet with a good checksum: rx->data, rx->len */
	GDB_RX_BAD,       /* a packet with a bad checksum or bad digits: send '-' */
	GDB_RX_TOO_LONG,  /* a packet longer than GDB_PACKET_MAX (checksum good): error reply */
	GDB_RX_INTERRUPT, /* 03h between packets */
	GDB_RX_ACK,       /* '+' */
	GDB_RX_NAK,       /* '-': resend the last packet */
};

struct gdb_rx {
	int state;
	uint8_t sum;       /* running checksum of the raw bytes */
	uint8_t ck;        /* the checksum's first digit */
	bool escape;       /* the previous data byte was '}' */
	bool overflow;
	size_t len;        /* unescaped data bytes */
	char data[GDB_PACKET_MAX + 1]; /* NUL-terminated for convenience; may hold NULs */
};

void gdb_rx_init(struct gdb_rx *rx);
/* Feeds one received byte. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t b);

/* Frames data as $data#ck into out (room for len + 4 bytes); returns the
 * framed length.  data must not contain '$', '#' (use gdb_escape first for
 * binary data). */
size_t gdb_frame(const char *data, size_t len, char *out);
/* Escapes '$', '#', '}' and '*' in binary data: writes at most out_max
 * bytes, stops before an input byte that would not fit; returns the bytes
 * written and sets *used to the input bytes consumed. */
size_t gdb_escape(const uint8_t *in, size_t len, char *out, size_t out_max, size_t *used);

/* Hex helpers.  gdb_hexval returns 0-15, or -1 for a non-digit. */
int gdb_hexval(char ch);
/* Writes 2*len lowercase digits (no NUL). */
void gdb_tohex(const uint8_t *in, size_t len, char *out);
/* Decodes 2*len digits; -1 when one is not a digit. */
int gdb_fromhex(const char *in, size_t len, uint8_t *out);
/* Parses a hex number of at most 16 digits at *p and advances *p; -1 when
 * there is no digit or too many. */
int gdb_parse_hex(const char **p, const char *end, uint64_t *v);

#endif
