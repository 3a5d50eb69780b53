/*
 * zlib.c - the only file that calls zlib: CRC-32 for reports, and the
 * streaming gunzip decode uses, with its error codes mapped to TM_EZLIB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "internal.h"

uint32_t
tm_crc32(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;

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
