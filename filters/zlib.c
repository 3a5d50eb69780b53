/*
 * zlib.c - the only file that calls zlib: CRC-32 for reports, and the
 * streaming gunzip decode uses, with its error codes mapped to TM_EZLIB.
 *
 * Every output byte goes through the CRC-32, so on x86-64 processors with
 * PCLMULQDQ the bulk of it is folded 64 bytes at a time with carry-less
 * multiplies (Intel's "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ", as Chromium's zlib does), several times faster than zlib
 * 1.2's braided tables; the last bytes, and other processors, go to zlib.
 * Both give the same CRC-32 (test_zlib compares them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TM_CRC_FOLD 1
#include <immintrin.h>

/*
 * The CRC register (not inverted) after len bytes at buf; len is at least
 * 64 and a multiple of 16. The constants are those of the paper for the
 * bit-reflected polynomial 0xEDB88320: x^(4*128+32), x^(4*128-32),
 * x^(128+32), x^(128-32), x^64 mod P, then P and the Barrett constant.
 */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc_fold(uint32_t crc, const unsigned char *buf, size_t len)
{
	const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
	const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
	const __m128i k5k0 = _mm_set_epi64x(0, 0x0163cd6124);
	const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
	const __m128i mask32 = _mm_setr_epi32(~0, 0, ~0, 0);
	__m128i x1, x2, x3, x4, x5, x6, x7, x8, k;

	x1 = _mm_loadu_si128((const __m128i *)(const void *)buf);
	x2 = _mm_loadu_si128((const __m128i *)(const void *)(buf + 16));
	x3 = _mm_loadu_si128((const __m128i *)(const void *)(buf + 32));
	x4 = _mm_loadu_si128((const __m128i *)(const void *)(buf + 48));
	x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
	buf += 64;
	len -= 64;

	/* Four lanes of 128 bits, each folded over the next 64 bytes. */
	k = k1k2;
	for (; len >= 64; buf += 64, len -= 64) {
		x5 = _mm_clmulepi64_si128(x1, k, 0x00);
		x6 = _mm_clmulepi64_si128(x2, k, 0x00);
		x7 = _mm_clmulepi64_si128(x3, k, 0x00);
		x8 = _mm_clmulepi64_si128(x4, k, 0x00);
		x1 = _mm_clmulepi64_si128(x1, k, 0x11);
		x2 = _mm_clmulepi64_si128(x2, k, 0x11);
		x3 = _mm_clmulepi64_si128(x3, k, 0x11);
		x4 = _mm_clmulepi64_si128(x4, k, 0x11);
		x1 = _mm_xor_si128(_mm_xor_si128(x1, x5),
		    _mm_loadu_si128((const __m128i *)(const void *)buf));
		x2 = _mm_xor_si128(_mm_xor_si128(x2, x6),
		    _mm_loadu_si128((const __m128i *)(const void *)(buf + 16)));
		x3 = _mm_xor_si128(_mm_xor_si128(x3, x7),
		    _mm_loadu_si128((const __m128i *)(const void *)(buf + 32)));
		x4 = _mm_xor_si128(_mm_xor_si128(x4, x8),
		    _mm_loadu_si128((const __m128i *)(const void *)(buf + 48)));
	}

	/* The four lanes into one, then 16 bytes at a time. */
	k = k3k4;
	x5 = _mm_clmulepi64_si128(x1, k, 0x00);
	x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k, 0x11),
	    x2), x5);
	x5 = _mm_clmulepi64_si128(x1, k, 0x00);
	x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k, 0x11),
	    x3), x5);
	x5 = _mm_clmulepi64_si128(x1, k, 0x00);
	x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k, 0x11),
	    x4), x5);
	for (; len >= 16; buf += 16, len -= 16) {
		x2 = _mm_loadu_si128((const __m128i *)(const void *)buf);
		x5 = _mm_clmulepi64_si128(x1, k, 0x00);
		x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k,
		    0x11), x2), x5);
	}

	/* 128 bits to 64. */
	x2 = _mm_clmulepi64_si128(x1, k, 0x10);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
	x2 = _mm_srli_si128(x1, 4);
	x1 = _mm_and_si128(x1, mask32);
	x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k5k0, 0x00), x2);

	/* Barrett reduction to 32. */
	x2 = _mm_and_si128(x1, mask32);
	x2 = _mm_clmulepi64_si128(x2, poly, 0x10);
	x2 = _mm_and_si128(x2, mask32);
	x2 = _mm_clmulepi64_si128(x2, poly, 0x00);
	x1 = _mm_xor_si128(x1, x2);
	return (uint32_t)_mm_extract_epi32(x1, 1);
}

/* Two bits libgcc's constructor found in CPUID: two loads. */
static int
have_fold(void)
{
	return __builtin_cpu_supports("pclmul") &&
	    __builtin_cpu_supports("sse4.1");
}
#endif

uint32_t
tm_crc32(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;

#ifdef TM_CRC_FOLD
	if (n >= 64 && have_fold()) {
		size_t bulk = n & ~(size_t)15;

		crc = ~crc_fold(~crc, b, bulk);
		b += bulk;
		n -= bulk;
	}
#endif
	while (n > 0) {
		uInt step = n > 1u << 30 ? 1u << 30 : (uInt)n;

		crc = (uint32_t)crc32(crc, b, step);
		b += step;
		n -= step;
	}
	return crc;
}

/* Inflating gzip input as it streams in (decode's first step). */
struct tm_gunzip {
	z_stream z;
	int ended;		/* the current member is complete */
	uint64_t in, out;
};

int
tm_gunzip_new(struct tm_gunzip **out)
{
	struct tm_gunzip *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -ENOMEM;
	/* 16 + MAX_WBITS: gzip wrapper only, no raw deflate or zlib. */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		return -ENOMEM;
	}
	*out = g;
	return 0;
}

void
tm_gunzip_free(struct tm_gunzip *g)
{
	if (g == NULL)
		return;
	inflateEnd(&g->z);
	free(g);
}

int
tm_gunzip_run(struct tm_gunzip *g, const char *in, size_t n,
    struct tm_buf *out, long long max_ratio, struct tm_diag *diag)
{
	const size_t room = 64 << 10;
	uInt had_in, had_out;
	int zrc, rc;

	g->z.next_in = (Bytef *)(uintptr_t)in;
	g->z.avail_in = (uInt)n;	/* decode feeds small chunks */
	for (;;) {
		if (g->ended) {
			if (g->z.avail_in == 0)
				break;
			/* Another member follows (as `cat a.gz b.gz` makes);
			   its magic may be split across calls, so check the
			   bytes there are and let inflate read the header. */
			if (g->z.next_in[0] != 0x1f || (g->z.avail_in > 1 &&
			    g->z.next_in[1] != 0x8b))
				return tm_diag_set(diag, TM_EZLIB, "decode",
				    (int64_t)g->in, "trailing data after the "
				    "gzip stream");
			inflateReset(&g->z);
			g->ended = 0;
		}
		if ((rc = tm_buf_reserve(out, room)) != 0)
			return rc;
		g->z.next_out = (Bytef *)out->ptr + out->len;
		g->z.avail_out = (uInt)room;
		had_in = g->z.avail_in;
		had_out = g->z.avail_out;
		zrc = inflate(&g->z, Z_NO_FLUSH);
		g->in += had_in - g->z.avail_in;
		g->out += had_out - g->z.avail_out;
		out->len += had_out - g->z.avail_out;
		out->ptr[out->len] = '\0';
		if (zrc == Z_STREAM_END)
			g->ended = 1;
		else if (zrc == Z_BUF_ERROR)
			break;		/* needs more input */
		else if (zrc != Z_OK)
			return tm_diag_set(diag, zrc == Z_MEM_ERROR ? -ENOMEM :
			    TM_EZLIB, "decode", (int64_t)g->in,
			    "gzip data is corrupt (%s)", g->z.msg != NULL ?
			    g->z.msg : zError(zrc));
		if (max_ratio > 0 && g->out > ((uint64_t)1 << 20) &&
		    g->out / (g->in ? g->in : 1) > (uint64_t)max_ratio)
			return tm_diag_set(diag, TM_ELIMIT, "decode",
			    (int64_t)g->in, "gzip data expands more than "
			    "%lld times; refused as a decompression bomb",
			    max_ratio);
		if (!g->ended && g->z.avail_in == 0 && g->z.avail_out != 0)
			break;
	}
	return 0;
}

int
tm_gunzip_end(struct tm_gunzip *g, struct tm_diag *diag)
{
	if (!g->ended)
		return tm_diag_set(diag, TM_EZLIB, "decode", (int64_t)g->in,
		    "gzip data is truncated");
	return 0;
}
