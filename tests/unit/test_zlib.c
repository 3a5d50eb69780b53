/*
 * test_zlib.c - the CRC-32 of reports: tm_crc32 agrees with zlib's crc32
 * for every length and alignment, in one call or in pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "harness.h"
#include "internal.h"

#define MAX_LEN 4200

static unsigned char data[MAX_LEN + 16];

static void
fill(void)
{
	uint32_t x = 2463534242u;	/* xorshift32: the same bytes every run */
	size_t i;

	for (i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
}

static uint32_t
zlib_crc(uint32_t crc, const unsigned char *p, size_t n)
{
	return (uint32_t)crc32(crc, p, (uInt)n);
}

TM_TEST(known_value)
{
	/* The check value of CRC-32/ISO-HDLC, and of 64 bytes and more. */
	static const char nine[] = "123456789";
	static const char text[] = "The quick brown fox jumps over the lazy "
	    "dog, again and again, until the line is long enough.";

	CHECK_INT(tm_crc32(0, nine, 9), 0xCBF43926u);
	CHECK_INT(tm_crc32(0, "", 0), 0);
	CHECK_INT(tm_crc32(0, text, sizeof(text) - 1),
	    zlib_crc(0, (const unsigned char *)text, sizeof(text) - 1));
}

TM_TEST(every_length_and_alignment)
{
	size_t len, off;
	int bad = 0;

	fill();
	for (off = 0; off < 16; off++)
		for (len = 0; len <= 600; len++)
			bad += tm_crc32(0, data + off, len) !=
			    zlib_crc(0, data + off, len);
	for (len = 600; len <= MAX_LEN; len += 97)
		bad += tm_crc32(0, data + 3, len) != zlib_crc(0, data + 3, len);
	CHECK_INT(bad, 0);
}

TM_TEST(in_pieces)
{
	/* The pipeline adds each segment's output to the CRC so far. */
	static const size_t cuts[] = { 1, 15, 16, 17, 63, 64, 65, 200, 1000 };
	size_t i, at, step;
	uint32_t crc;
	int bad = 0;

	fill();
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		crc = 0;
		for (at = 0; at < MAX_LEN; at += step) {
			step = cuts[i] < MAX_LEN - at ? cuts[i] : MAX_LEN - at;
			crc = tm_crc32(crc, data + at, step);
		}
		bad += crc != zlib_crc(0, data, MAX_LEN);
	}
	CHECK_INT(bad, 0);
}
