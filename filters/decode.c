/*
 * decode.c - the first filter: bytes in any common encoding to UTF-8.
 *
 * Phase 1 of the chain, and the only filter that sees raw bytes. In order:
 *   - gzip input (magic 1f 8b) is inflated as it streams in, with a limit
 *     on the expansion ratio against decompression bombs;
 *   - the first SNIFF_LEN bytes (or the whole input, if shorter) are
 *     handed to the detector (detect.c), unless --from-code names the
 *     charset; binary input is refused with TM_EBINARY;
 *   - a byte-order mark is dropped (the report says there was one);
 *   - the text is converted to UTF-8 by ICU's converters, or for UTF-8
 *     input by a validating copy, which is much faster.
 * Bytes that are not valid in the charset never vanish: each becomes
 * U+FFFD and is recorded as an edit with its byte offset (in the input
 * after gunzip). NUL characters are removed and recorded the same way,
 * since no later filter or reader of the output expects them.
 *
 * Example: the seed line "來源:中國婦女報" saved as Big5 arrives as
 * a8 d3 b7 bd 3a a4 a4 b0 ea b0 fc a4 6b b3 f8 and leaves as the same
 * characters in UTF-8; a stray byte ff in UTF-8 input leaves as U+FFFD
 * with an "invalid-byte" edit at its offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "detect.h"
#include "icu.h"
#include "internal.h"

#define SNIFF_LEN ((size_t)64 << 10)
#define SPOILT 255u		/* a code unit with a non-zero byte */

enum { SNIFFING, UTF8, ICU };

struct decode_state {
	int mode;
	int gzip;		/* -1 unknown yet, 0 no, 1 yes */
	struct tm_gunzip *gz;
	long long max_ratio;
	char from_code[64];
	struct tm_buf head;	/* bytes held until detection */
	struct tm_buf inflated;	/* gunzip output of one call */
	uint64_t off;		/* offset of the next byte (after gunzip) */
	char magic[2];		/* first bytes, until gzip is decided */
	size_t nmagic;
	char carry[4];		/* UTF-8 mode: incomplete sequence */
	size_t ncarry;
	struct tm_buf scratch;	/* carry + chunk */
	struct tm_icu_conv *conv;
	unsigned unit;		/* ICU mode: code unit width (1, 2, 4) */
	unsigned zeros;		/* zero bytes so far in the current unit */
	struct tm_buf nulq;	/* ICU mode: input offsets of NUL units
				   not yet seen in the output (uint64_t) */
	size_t nulq_head;
	size_t known_valid;	/* the head, when detect found it all valid
				   UTF-8 */
	struct tm_filter_ctx *ctx;	/* valid during run/finish only */
	struct tm_buf *out;
	int bom;
};

static const struct tm_option_desc decode_options[] = {
	{ "from-code", TM_OPT_STRING, "auto", NULL,
	  "charset of the input (any name ICU knows), or auto to detect it" },
	{ "max-ratio", TM_OPT_INT, "1000", NULL,
	  "refuse gzip input that expands more than this many times" },
	{ NULL, 0, NULL, NULL, NULL }
};

static int
decode_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct decode_state *s = state;
	const char *from = tm_opt_str(opts, "from-code");

	s->gzip = -1;
	s->max_ratio = tm_opt_int(opts, "max-ratio");
	tm_buf_init(&s->head, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->inflated, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->scratch, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->nulq, TM_BUF_DEFAULT_MAX);
	if (strcmp(from, "auto") != 0) {
		const char *name = tm_icu_canonical_name(from);

		if (name == NULL)
			return tm_diag_set(diag, TM_EUSAGE, "decode", -1,
			    "unknown encoding '%s'", from);
		snprintf(s->from_code, sizeof(s->from_code), "%s", name);
	}
	return 0;
}

static void
decode_release(void *state)
{
	struct decode_state *s = state;

	tm_buf_release(&s->head);
	tm_buf_release(&s->inflated);
	tm_buf_release(&s->scratch);
	tm_buf_release(&s->nulq);
	tm_gunzip_free(s->gz);
	tm_icu_close(s->conv);
}

/* Offsets decode reports are absolute input offsets. */
static struct tm_filter_ctx
absolute(const struct decode_state *s)
{
	struct tm_filter_ctx ctx = *s->ctx;

	ctx.offset = 0;
	return ctx;
}

/* ICU's callback for one illegal or unmappable sequence. */
static void
bad_bytes(void *arg, const char *bytes, size_t len, uint64_t offset)
{
	struct decode_state *s = arg;
	struct tm_filter_ctx ctx = absolute(s);

	tm_edit(&ctx, (size_t)offset, bytes, len, "\xef\xbf\xbd", 3,
	    "invalid-byte");
}

/*
 * Is p[0..n) the start of a valid UTF-8 sequence that needs more bytes?
 * (n < 4; the second-byte ranges are those of RFC 3629.)
 */
static int
utf8_incomplete(const unsigned char *p, size_t n)
{
	unsigned lo = 0x80, hi = 0xBF;
	size_t need;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		need = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (n >= need)
		return 0;
	if (p[0] == 0xE0)
		lo = 0xA0;
	else if (p[0] == 0xED)
		hi = 0x9F;
	else if (p[0] == 0xF0)
		lo = 0x90;
	else if (p[0] == 0xF4)
		hi = 0x8F;
	if (n >= 2 && (p[1] < lo || p[1] > hi))
		return 0;
	if (n >= 3 && (p[2] & 0xC0) != 0x80)
		return 0;
	return 1;
}

/* UTF-8 input: copy what is valid, U+FFFD for each bad byte, drop NULs. */
static int
copy_utf8(struct decode_state *s, const char *p, size_t n, int flush)
{
	struct tm_filter_ctx ctx = absolute(s);
	const char *end, *nul;
	size_t ok;
	int rc;

	if (s->ncarry > 0) {
		tm_buf_reset(&s->scratch);
		if ((rc = tm_buf_append(&s->scratch, s->carry, s->ncarry)) != 0 ||
		    (rc = tm_buf_append(&s->scratch, p, n)) != 0)
			return rc;
		s->off -= s->ncarry;
		s->ncarry = 0;
		p = s->scratch.ptr;
		n = s->scratch.len;
	}
	end = p + n;
	/* The next NUL is looked for once per NUL, and validation stops
	   there: NUL-heavy input stays linear. */
	nul = memchr(p, '\0', n);
	if (nul == NULL && n <= s->known_valid) {
		/* detect has just checked all of it. */
		s->off += n;
		return tm_buf_append(s->out, p, n);
	}
	while (p < end) {
		if (nul != NULL && nul < p)
			nul = memchr(p, '\0', (size_t)(end - p));
		ok = tm_utf8_valid_prefix(p, (size_t)((nul ? nul : end) - p));
		if ((rc = tm_buf_append(s->out, p, ok)) != 0)
			return rc;
		p += ok;
		s->off += ok;
		if (p == end)
			break;
		if (*p == '\0') {
			tm_edit(&ctx, (size_t)s->off, p, 1, "", 0, "nul");
		} else if (!flush && end - p < 4 &&
		    utf8_incomplete((const unsigned char *)p,
		    (size_t)(end - p))) {
			s->ncarry = (size_t)(end - p);
			memcpy(s->carry, p, s->ncarry);
			s->off += s->ncarry;
			return 0;
		} else {
			/* One U+FFFD per maximal subpart (Unicode 15, 3.9):
			   a sequence that starts right and breaks off is one
			   error, as ICU, browsers and Python count it. */
			size_t bad = 1;

			while (bad < 3 && bad < (size_t)(end - p) &&
			    utf8_incomplete((const unsigned char *)p, bad + 1))
				bad++;
			tm_edit(&ctx, (size_t)s->off, p, bad, "\xef\xbf\xbd", 3,
			    "invalid-byte");
			if ((rc = tm_buf_append(s->out, "\xef\xbf\xbd", 3)) != 0)
				return rc;
			p += bad;
			s->off += bad;
			continue;
		}
		p++;
		s->off++;
	}
	return 0;
}

/*
 * ICU mode: note where the NUL code units of p[0..n) (at input offset
 * s->off) are. In every charset decode converts, U+0000 comes from a
 * zero code unit and from nothing else, in order, so the k-th NUL in the
 * output was the k-th zero unit in the input; this is how its edit gets
 * the right offset.
 */
static int
find_nul_units(struct decode_state *s, const char *p, size_t n)
{
	uint64_t at;
	size_t i;
	int rc;

	if (memchr(p, '\0', n) == NULL &&
	    (s->zeros == 0 || s->zeros == SPOILT)) {
		if (n > 0)
			s->zeros = SPOILT;
		return 0;
	}
	for (i = 0; i < n; i++) {
		at = s->off + i;
		if (at % s->unit == 0)
			s->zeros = 0;
		if (p[i] != '\0') {
			s->zeros = SPOILT;	/* until the next unit */
			continue;
		}
		if (s->zeros == SPOILT || ++s->zeros < s->unit)
			continue;
		at -= s->unit - 1;
		if ((rc = tm_buf_append(&s->nulq, &at, sizeof(at))) != 0)
			return rc;
	}
	return 0;
}

/* The input offset of the next NUL in the output (fallback: `dflt`). */
static uint64_t
next_nul_offset(struct decode_state *s, uint64_t dflt)
{
	uint64_t at;

	if (s->nulq_head + sizeof(at) > s->nulq.len)
		return dflt;
	memcpy(&at, s->nulq.ptr + s->nulq_head, sizeof(at));
	s->nulq_head += sizeof(at);
	if (s->nulq_head == s->nulq.len) {
		tm_buf_reset(&s->nulq);
		s->nulq_head = 0;
	}
	return at;
}

/* Convert text bytes in the chosen charset, appending UTF-8 to s->out. */
static int
convert(struct decode_state *s, const char *p, size_t n, int flush,
    struct tm_diag *diag)
{
	size_t start = s->out->len;
	uint64_t chunk_off = s->off;
	const char *nul;
	int rc;

	if (p == NULL)		/* finish: no pointer arithmetic on NULL, and
				   ICU refuses a NULL source */
		p = "";
	if (s->mode == UTF8)
		return copy_utf8(s, p, n, flush);
	if ((rc = find_nul_units(s, p, n)) != 0)
		return rc;
	rc = tm_icu_convert(s->conv, p, n, s->off, flush, s->out, diag);
	s->off += n;
	if (rc != 0)
		return rc;
	/* U+0000 from UTF-16/32 or a single-byte charset: drop it, in one
	   compacting pass (a run of NULs must not cost a move each). */
	if ((nul = memchr(s->out->ptr + start, '\0',
	    s->out->len - start)) != NULL) {
		struct tm_filter_ctx ctx = absolute(s);
		char *w = s->out->ptr + (nul - s->out->ptr);
		const char *r, *end = s->out->ptr + s->out->len;

		for (r = nul; r < end; r++) {
			if (*r != '\0') {
				*w++ = *r;
				continue;
			}
			tm_edit(&ctx, (size_t)next_nul_offset(s, chunk_off), r,
			    1, "", 0, "nul");
		}
		s->out->len = (size_t)(w - s->out->ptr);
		s->out->ptr[s->out->len] = '\0';
	}
	return 0;
}

static int
is_unicode_charset(const char *cs)
{
	return strncmp(cs, "UTF-", 4) == 0;
}

/* Does head start with the BOM of a Unicode charset? Its length or 0. */
static size_t
bom_for(const char *cs, const unsigned char *p, size_t n)
{
	if (strcmp(cs, "UTF-8") == 0 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		return 3;
	if (strncmp(cs, "UTF-32", 6) == 0) {
		if (n >= 4 && (memcmp(p, "\xff\xfe\0\0", 4) == 0 ||
		    memcmp(p, "\0\0\xfe\xff", 4) == 0))
			return 4;
		return 0;
	}
	if (strncmp(cs, "UTF-16", 6) == 0 && n >= 2 &&
	    (memcmp(p, "\xff\xfe", 2) == 0 || memcmp(p, "\xfe\xff", 2) == 0))
		return 2;
	return 0;
}

/* The sniffed head is complete: choose the charset and convert the head. */
static int
start_converting(struct decode_state *s, int final, struct tm_diag *diag)
{
	struct tm_detect d;
	size_t bom;
	int rc;

	if (s->from_code[0] != '\0') {
		d.charset = s->from_code;
		d.confidence = 1.0;
		d.bom_len = is_unicode_charset(s->from_code) ?
		    bom_for(s->from_code, (const unsigned char *)s->head.ptr,
		    s->head.len) : 0;
		d.binary = NULL;
		d.utf8_valid = 0;
	} else {
		tm_detect(s->head.ptr, s->head.len, final, &d);
		if (d.binary != NULL)
			return tm_diag_set(diag, TM_EBINARY, "decode", -1,
			    "binary data (%s), not text", d.binary);
	}
	bom = d.bom_len;
	s->bom = bom > 0;
	/* "UTF-16"/"UTF-32" name no byte order: a BOM gives it. (ICU would
	   read the BOM itself, but it has been cut off here.) */
	if (bom > 0 && (strcmp(d.charset, "UTF-16") == 0 ||
	    strcmp(d.charset, "UTF-32") == 0))
		d.charset = (unsigned char)s->head.ptr[0] == 0xff ?
		    (bom == 2 ? "UTF-16LE" : "UTF-32LE") :
		    (bom == 2 ? "UTF-16BE" : "UTF-32BE");
	tm_report_set_encoding(s->ctx->report, d.charset, d.confidence,
	    s->gzip == 1, s->bom);
	if (strcmp(d.charset, "UTF-8") == 0)
		s->mode = UTF8;
	else {
		rc = tm_icu_open(&s->conv, d.charset, bad_bytes, s, diag);
		if (rc != 0)
			return rc;
		s->mode = ICU;
		s->unit = strncmp(d.charset, "UTF-16", 6) == 0 ? 2 :
		    strncmp(d.charset, "UTF-32", 6) == 0 ? 4 : 1;
	}
	s->off = bom;
	if (s->mode == UTF8 && bom == 0 && d.utf8_valid == s->head.len)
		s->known_valid = d.utf8_valid;
	rc = convert(s, s->head.ptr + bom, s->head.len - bom, final, diag);
	s->known_valid = 0;
	tm_buf_release(&s->head);
	return rc;
}

/* Text bytes (after gunzip): hold them for detection or convert them. */
static int
take_text(struct decode_state *s, const char *p, size_t n, int final,
    struct tm_diag *diag)
{
	int rc;

	if (s->mode != SNIFFING)
		return convert(s, p, n, final, diag);
	if ((rc = tm_buf_append(&s->head, p, n)) != 0)
		return rc;
	if (s->head.len >= SNIFF_LEN || final)
		return start_converting(s, final, diag);
	return 0;
}

/* Raw bytes: settle gzip-or-not on the first two, then inflate or pass. */
static int
take_raw(struct decode_state *s, const char *p, size_t n, int final,
    struct tm_diag *diag)
{
	int rc;

	if (s->gzip < 0) {
		while (s->nmagic < 2 && n > 0) {
			s->magic[s->nmagic++] = *p++;
			n--;
		}
		if (s->nmagic < 2 && !final)
			return 0;
		s->gzip = s->nmagic == 2 && (unsigned char)s->magic[0] == 0x1f &&
		    (unsigned char)s->magic[1] == 0x8b;
		if (s->gzip && (rc = tm_gunzip_new(&s->gz)) != 0)
			return rc;
		if ((rc = take_raw(s, s->magic, s->nmagic, 0, diag)) != 0)
			return rc;
	}
	if (!s->gzip)
		return take_text(s, p, n, final, diag);
	tm_buf_reset(&s->inflated);
	if (n > 0 && (rc = tm_gunzip_run(s->gz, p, n, &s->inflated,
	    s->max_ratio, diag)) != 0)
		return rc;
	if (final && (rc = tm_gunzip_end(s->gz, diag)) != 0)
		return rc;
	return take_text(s, s->inflated.ptr, s->inflated.len, final, diag);
}

static int
decode_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct decode_state *s = state;

	s->ctx = ctx;
	s->out = out;
	return take_raw(s, in, len, 0, diag);
}

static int
decode_finish(void *state, struct tm_filter_ctx *ctx, struct tm_buf *out,
    struct tm_diag *diag)
{
	struct decode_state *s = state;

	s->ctx = ctx;
	s->out = out;
	return take_raw(s, NULL, 0, 1, diag);
}

const struct tm_filter_type tm_filter_decode = {
	.abi = TM_FILTER_ABI,
	.name = "decode",
	.phase = TM_PHASE_DECODE,
	.summary = "detect the charset (and gzip) and convert to UTF-8",
	.options = decode_options,
	.on_by_default = 1,
	.state_size = sizeof(struct decode_state),
	.init = decode_init,
	.run = decode_run,
	.finish = decode_finish,
	.release = decode_release,
};
