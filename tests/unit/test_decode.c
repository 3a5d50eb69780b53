/*
 * test_decode.c - the decode filter through the library API: gzip (one
 * member, several, truncated, bombs), BOMs, UTF-16/32, --from-code,
 * invalid bytes (one U+FFFD and one edit each, at the right offset, in
 * the UTF-8 and the ICU paths, however the input is chunked), sequences
 * split across chunks, NUL removal, empty input, binary input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/utf8.h"
#include "harness.h"

/* "來源:中國婦女報" in GB18030/GBK and in Big5. */
#define LINE_UTF8 "來源:中國婦女報"
#define LINE_GB "\x81\xed\xd4\xb4\x3a\xd6\xd0\x87\xf8\x8b\x44\xc5\xae\x88\xf3"
#define LINE_BIG5 "\xa8\xd3\xb7\xbd\x3a\xa4\xa4\xb0\xea\xb0\xfc\xa4\x6b\xb3\xf8"

#define MAX_EDITS 64

struct edits {
	int n;
	uint64_t off[MAX_EDITS];
	char rule[MAX_EDITS][16];
	char before[MAX_EDITS][16];
};

static void
collect(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	struct edits *e = arg;

	if (strcmp(filter, "decode") != 0 || e->n == MAX_EDITS)
		return;
	e->off[e->n] = offset;
	snprintf(e->rule[e->n], sizeof(e->rule[0]), "%s", rule);
	snprintf(e->before[e->n], sizeof(e->before[0]), "%s", before);
	e->n++;
}

struct result {
	int rc;
	struct tm_buf out;
	struct tm_report *r;
	struct edits e;
	struct tm_diag d;
};

static int
buf_sink(void *arg, const char *p, size_t n)
{
	return tm_buf_append(arg, p, n);
}

/*
 * Decode (only) `in` fed in pieces of `chunk` bytes, with an optional
 * setting "decode.key=value".
 */
static void
run(struct result *res, const char *in, size_t n, size_t chunk,
    const char *setting)
{
	struct tm_chain *c;
	struct tm_pipeline *p;
	size_t off, step;

	memset(res, 0, sizeof(*res));
	tm_buf_init(&res->out, TM_BUF_DEFAULT_MAX);
	tm_diag_clear(&res->d);
	res->r = tm_report_new("t");
	tm_report_set_sample_limit(res->r, -1);
	if (tm_chain_new(&c, "decode", &res->d) != 0)
		abort();
	if (setting != NULL && tm_chain_set_str(c, setting, &res->d) != 0)
		abort();
	if ((res->rc = tm_pipeline_new(&p, c, res->r, buf_sink, &res->out,
	    &res->d)) != 0) {
		tm_chain_free(c);
		return;
	}
	for (off = 0; off < n && res->rc == 0; off += step) {
		step = n - off < chunk ? n - off : chunk;
		res->rc = tm_pipeline_feed(p, in + off, step, &res->d);
	}
	if (res->rc == 0)
		res->rc = tm_pipeline_finish(p, &res->d);
	tm_pipeline_free(p);
	tm_chain_free(c);
	tm_report_foreach_edit(res->r, collect, &res->e);
}

static void
done(struct result *res)
{
	tm_buf_release(&res->out);
	tm_report_free(res->r);
}

/* UTF-8 to UTF-16/32 (width 2 or 4), little or big endian. */
static char *
encode_wide(const char *s, int width, int big, const char *bom, size_t *len)
{
	const char *p = s, *end = s + strlen(s);
	size_t cap = strlen(s) * 4 + 8, n = 0;
	unsigned char *o = malloc(cap);
	unsigned units[2], k, i, cp;

	if (bom != NULL) {
		n = (size_t)width;
		memcpy(o, bom, n);
	}
	while (p < end) {
		cp = tm_utf8_next(&p, end);
		k = 1;
		units[0] = cp;
		if (width == 2 && cp >= 0x10000) {
			units[0] = 0xD800 + ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			k = 2;
		}
		for (i = 0; i < k; i++) {
			unsigned u = units[i], b;

			for (b = 0; b < (unsigned)width; b++) {
				unsigned shift = big ? 8 * ((unsigned)width -
				    1 - b) : 8 * b;

				o[n++] = (unsigned char)(u >> shift);
			}
		}
	}
	*len = n;
	return (char *)o;
}

/* ---- gzip ---- */

TM_TEST(gzip)
{
	const char *text = LINE_UTF8 "\n2025-02-08 09:07:02\n";
	struct result res;
	char *gz;
	size_t n, chunk;

	gz = tm_test_gzip(text, strlen(text), &n);
	for (chunk = 1; chunk <= n; chunk = chunk * 3 + 1) {
		run(&res, gz, n, chunk, NULL);
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.out.ptr, text);
		CHECK_INT(res.e.n, 0);
		done(&res);
	}
	run(&res, gz, n, n, NULL);
	{
		struct tm_buf j;

		tm_buf_init(&j, 1 << 20);
		tm_report_json(res.r, &j);
		CHECK(strstr(j.ptr, "\"gzip\":true") != NULL);
		tm_buf_release(&j);
	}
	done(&res);
	free(gz);
}

TM_TEST(gzip_concatenated)
{
	const char *a = "first member 第一\n", *b = "second member 第二\n";
	struct result res;
	char *ga, *gb, *cat;
	size_t na, nb, chunk;

	ga = tm_test_gzip(a, strlen(a), &na);
	gb = tm_test_gzip(b, strlen(b), &nb);
	cat = malloc(na + nb + na);
	memcpy(cat, ga, na);
	memcpy(cat + na, gb, nb);
	memcpy(cat + na + nb, ga, na);
	/* Every chunk size, so the member boundary falls everywhere,
	   including between the two magic bytes. */
	for (chunk = 1; chunk <= na + nb + na; chunk++) {
		run(&res, cat, na + nb + na, chunk, NULL);
		if (res.rc != 0 || strcmp(res.out.ptr,
		    "first member 第一\nsecond member 第二\nfirst member 第一\n")
		    != 0) {
			char m[80];

			snprintf(m, sizeof(m), "chunk %zu: rc %d", chunk,
			    res.rc);
			tm_test_fail(__FILE__, __LINE__, m);
			done(&res);
			break;
		}
		done(&res);
	}
	/* Garbage after a complete member is an error, not ignored. */
	memcpy(cat + na, "garbage", 7);
	run(&res, cat, na + 7, 4096, NULL);
	CHECK_INT(res.rc, TM_EZLIB);
	done(&res);
	free(ga);
	free(gb);
	free(cat);
}

TM_TEST(gzip_truncated)
{
	const char *text = "some text that will be cut off, 一些文字\n";
	struct result res;
	char *gz;
	size_t n, cut;

	gz = tm_test_gzip(text, strlen(text), &n);
	/* (One byte 1f is not gzip yet: a one-byte text.) */
	for (cut = 2; cut < n; cut++) {
		run(&res, gz, cut, 4096, NULL);
		if (res.rc != TM_EZLIB) {
			char m[64];

			snprintf(m, sizeof(m), "cut at %zu of %zu: rc %d", cut,
			    n, res.rc);
			tm_test_fail(__FILE__, __LINE__, m);
		}
		CHECK(res.d.msg[0] != '\0');
		done(&res);
	}
	/* Corrupt deflate data. */
	gz[12] ^= 0x55;
	gz[13] ^= 0xAA;
	run(&res, gz, n, 4096, NULL);
	CHECK(res.rc == TM_EZLIB);
	done(&res);
	free(gz);
}

TM_TEST(gzip_bomb)
{
	size_t big = (size_t)64 << 20, n;
	struct result res;
	char *a, *gz;

	a = malloc(big);
	memset(a, 'a', big);
	gz = tm_test_gzip(a, big, &n);
	free(a);
	/* ~1030:1, past the default limit of 1000. */
	run(&res, gz, n, 65536, NULL);
	CHECK_INT(res.rc, TM_ELIMIT);
	CHECK(strstr(res.d.msg, "bomb") != NULL);
	/* Refused early: far less than the whole expansion came out. */
	CHECK(res.out.len < ((size_t)32 << 20));
	done(&res);
	run(&res, gz, n / 8, 65536, "decode.max-ratio=100");
	CHECK_INT(res.rc, TM_ELIMIT);
	done(&res);
	free(gz);

	/* The same ratio is fine when the limit is off, and under the
	   limit the text comes out whole. */
	a = malloc((size_t)8 << 20);
	memset(a, 'a', (size_t)8 << 20);
	gz = tm_test_gzip(a, (size_t)8 << 20, &n);
	run(&res, gz, n, 65536, "decode.max-ratio=0");
	CHECK_INT(res.rc, 0);
	CHECK(res.out.len == ((size_t)8 << 20) &&
	    memcmp(res.out.ptr, a, res.out.len) == 0);
	done(&res);
	run(&res, gz, n, 65536, "decode.max-ratio=2000");
	CHECK_INT(res.rc, 0);
	done(&res);
	free(gz);
	free(a);
}

/* ---- BOMs and Unicode forms ---- */

TM_TEST(utf8_bom)
{
	struct result res;
	struct tm_buf j;

	run(&res, "\xef\xbb\xbf" LINE_UTF8 "\n", 3 + strlen(LINE_UTF8) + 1, 1,
	    NULL);
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, LINE_UTF8 "\n");
	tm_buf_init(&j, 1 << 20);
	tm_report_json(res.r, &j);
	CHECK(strstr(j.ptr, "\"bom\":true") != NULL);
	CHECK_STR(tm_report_encoding(res.r), "UTF-8");
	tm_buf_release(&j);
	done(&res);
	/* A BOM alone is an empty document. */
	run(&res, "\xef\xbb\xbf", 3, 3, NULL);
	CHECK_INT(res.rc, 0);
	CHECK_INT(res.out.len, 0);
	done(&res);
	/* Only a leading BOM is decode's business. */
	run(&res, "a\xef\xbb\xbf" "b", 5, 5, NULL);
	CHECK_STR(res.out.ptr, "a\xef\xbb\xbf" "b");
	done(&res);
}

TM_TEST(utf16_utf32_with_bom)
{
	static const struct {
		int width, big;
		const char *bom, *name;
	} forms[] = {
		{ 2, 0, "\xff\xfe", "UTF-16LE" },
		{ 2, 1, "\xfe\xff", "UTF-16BE" },
		{ 4, 0, "\xff\xfe\0\0", "UTF-32LE" },
		{ 4, 1, "\0\0\xfe\xff", "UTF-32BE" },
	};
	const char *text = LINE_UTF8 "\nHello, 世界 \xf0\x9f\x98\x80!\n";
	struct result res;
	struct tm_buf j;
	size_t i, n, chunk;
	char *in;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		in = encode_wide(text, forms[i].width, forms[i].big,
		    forms[i].bom, &n);
		for (chunk = 1; chunk <= n; chunk += chunk < 8 ? 1 : n) {
			run(&res, in, n, chunk, NULL);
			CHECK_INT(res.rc, 0);
			CHECK_STR(res.out.ptr, text);
			CHECK_STR(tm_report_encoding(res.r), forms[i].name);
			CHECK_INT(res.e.n, 0);
			tm_buf_init(&j, 1 << 20);
			tm_report_json(res.r, &j);
			CHECK(strstr(j.ptr, "\"bom\":true") != NULL);
			tm_buf_release(&j);
			done(&res);
		}
		free(in);
	}
}

TM_TEST(from_code_generic_utf16)
{
	const char *text = "abc 中文\n";
	struct result res;
	size_t n;
	char *in;

	/* "UTF-16" names no byte order: the BOM decides it. */
	in = encode_wide(text, 2, 0, "\xff\xfe", &n);
	run(&res, in, n, 4096, "decode.from-code=UTF-16");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, text);
	done(&res);
	free(in);
	in = encode_wide(text, 2, 1, "\xfe\xff", &n);
	run(&res, in, n, 4096, "decode.from-code=utf16");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, text);
	done(&res);
	free(in);
	/* No BOM: big endian, as the standard says. */
	in = encode_wide(text, 2, 1, NULL, &n);
	run(&res, in, n, 4096, "decode.from-code=UTF-16");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, text);
	done(&res);
	free(in);
	in = encode_wide(text, 4, 0, "\xff\xfe\0\0", &n);
	run(&res, in, n, 4096, "decode.from-code=UTF-32");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, text);
	done(&res);
	free(in);
	/* A named byte order with its BOM: the BOM is dropped. */
	in = encode_wide(text, 2, 0, "\xff\xfe", &n);
	run(&res, in, n, 4096, "decode.from-code=UTF-16LE");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, text);
	done(&res);
	free(in);
}

/* ---- legacy charsets ---- */

TM_TEST(from_code)
{
	struct result res;

	run(&res, LINE_GB "\n", 16, 1, "decode.from-code=GBK");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, LINE_UTF8 "\n");
	CHECK_INT(res.e.n, 0);
	done(&res);
	run(&res, LINE_GB "\n", 16, 16, "decode.from-code=gb18030");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, LINE_UTF8 "\n");
	done(&res);
	run(&res, LINE_BIG5 "\n", 16, 3, "decode.from-code=Big5");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, LINE_UTF8 "\n");
	CHECK_INT(res.e.n, 0);
	done(&res);
	run(&res, "caf\xe9\n", 5, 1, "decode.from-code=latin1");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, "café\n");
	done(&res);
	/* from-code UTF-8 takes the fast path, with the same checks. */
	run(&res, "ok \xe4\xb8\xad\n", 7, 1, "decode.from-code=utf-8");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, "ok 中\n");
	done(&res);
}

/* Over SNIFF_LEN (64 KiB) of GB18030: the converter streams past the
   sniffed head and is flushed at the end. */
TM_TEST(legacy_large)
{
	struct tm_buf in, want;
	struct result res, one;
	int i, k;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < 6000; i++) {
		tm_buf_puts(&in, LINE_GB "\n");
		tm_buf_puts(&want, LINE_UTF8 "\n");
	}
	for (k = 0; k < 2; k++) {
		run(&res, in.ptr, in.len, k == 0 ? 65536 : 1,
		    k == 0 ? NULL : "decode.from-code=GB18030");
		CHECK_INT(res.rc, 0);
		CHECK(res.out.len == want.len &&
		    memcmp(res.out.ptr, want.ptr, want.len) == 0);
		CHECK_INT(res.e.n, 0);
		done(&res);
	}
	/* An invalid byte deep in the stream: same output and offset for
	   any chunking. */
	in.ptr[70000 + 5] = (char)0xff;		/* a lead byte of 中 */
	run(&one, in.ptr, in.len, in.len, "decode.from-code=GB18030");
	CHECK_INT(one.rc, 0);
	CHECK(one.e.n >= 1);
	CHECK_INT(one.e.off[0], 70005);
	for (k = 1; k < 9000; k = k * 4 + 3) {
		run(&res, in.ptr, in.len, (size_t)k,
		    "decode.from-code=GB18030");
		CHECK_INT(res.rc, 0);
		CHECK(res.out.len == one.out.len &&
		    memcmp(res.out.ptr, one.out.ptr, one.out.len) == 0);
		CHECK_INT(res.e.n, one.e.n);
		CHECK_INT(res.e.off[0], one.e.off[0]);
		done(&res);
	}
	done(&one);
	tm_buf_release(&in);
	tm_buf_release(&want);
}

/* ---- invalid bytes ---- */

TM_TEST(invalid_utf8_offsets)
{
	/* Bad bytes at 0, 4-5 (a sequence broken off: one error, as
	   Unicode's "maximal subpart" rule counts it), 8 (a lead byte
	   followed by another lead) and a truncated sequence at the end (one
	   error again); C3 A9 at 9 is a good é. */
	const char in[] = "\xff" "abc\xe4\x80" "de\xc3\xc3" "\xa9xyz\xe4\xb8";
	static const unsigned want_off[] = { 0, 4, 8, 14 };
	const char *want = "\xef\xbf\xbd" "abc" "\xef\xbf\xbd" "de"
	    "\xef\xbf\xbd" "\xc3\xa9" "xyz" "\xef\xbf\xbd";
	struct result res;
	size_t chunk, i;

	for (chunk = 1; chunk <= sizeof(in); chunk++) {
		run(&res, in, sizeof(in) - 1, chunk, "decode.from-code=UTF-8");
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.out.ptr, want);
		CHECK_INT(res.e.n, 4);
		for (i = 0; i < 4 && (int)i < res.e.n; i++) {
			CHECK_INT(res.e.off[i], want_off[i]);
			CHECK_STR(res.e.rule[i], "invalid-byte");
		}
		CHECK_INT(tm_report_edits(res.r, 0), 4);
		done(&res);
	}
	run(&res, in, sizeof(in) - 1, 1, "decode.from-code=UTF-8");
	CHECK_STR(res.e.before[0], "\\xFF");
	CHECK_STR(res.e.before[1], "\\xE4\\x80");
	CHECK_STR(res.e.before[3], "\\xE4\\xB8");
	done(&res);
}

TM_TEST(invalid_legacy_offsets)
{
	/* GB18030: 0xFF is never valid. */
	const char in[] = "\x81\xed\xff\xd4\xb4:\xff\n";
	struct result res;
	size_t chunk;

	for (chunk = 1; chunk <= sizeof(in); chunk++) {
		run(&res, in, sizeof(in) - 1, chunk,
		    "decode.from-code=GB18030");
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.out.ptr, "來\xef\xbf\xbd源:\xef\xbf\xbd\n");
		CHECK_INT(res.e.n, 2);
		CHECK_INT(res.e.off[0], 2);
		CHECK_INT(res.e.off[1], 6);
		done(&res);
	}
}

TM_TEST(split_sequences)
{
	/* Every character split at every point: no edits, same text. */
	const char *text = "a中b\xf0\x9f\x98\x80" "c\xc3\xa9" "d婦聯\n";
	size_t n = strlen(text), chunk;
	struct result res;

	for (chunk = 1; chunk <= n; chunk++) {
		run(&res, text, n, chunk, NULL);
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.out.ptr, text);
		CHECK_INT(res.e.n, 0);
		done(&res);
	}
}

TM_TEST(split_sequences_after_sniff)
{
	/* Past the sniffed head the UTF-8 path carries partial sequences
	   from one chunk to the next. */
	struct tm_buf in;
	struct result res;
	size_t chunk;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	while (in.len < 70000)
		tm_buf_puts(&in, "婦聯\xf0\x9f\x98\x80é,");
	tm_buf_puts(&in, "\n");
	for (chunk = 1; chunk < 10; chunk++) {
		run(&res, in.ptr, in.len, chunk, NULL);
		CHECK_INT(res.rc, 0);
		CHECK(res.out.len == in.len &&
		    memcmp(res.out.ptr, in.ptr, in.len) == 0);
		CHECK_INT(res.e.n, 0);
		done(&res);
	}
	/* A cut-off sequence at the very end is an error of the input. */
	tm_buf_truncate(&in, in.len - 3);	/* "é,\n": half an é left */
	run(&res, in.ptr, in.len, 7, NULL);
	CHECK_INT(res.rc, 0);
	CHECK_INT(res.e.n, 1);
	CHECK_INT(res.e.off[0], in.len - 1);
	CHECK(res.out.len == in.len + 2);
	done(&res);
	tm_buf_release(&in);
}

/* ---- NUL, empty, binary ---- */

TM_TEST(nul_removed)
{
	struct tm_buf in, want;
	struct result res;
	size_t chunk, n1, n2;

	tm_buf_init(&in, 1 << 20);
	tm_buf_init(&want, 1 << 20);
	while (in.len < 300) {
		tm_buf_puts(&in, "plain text line. ");
		tm_buf_puts(&want, "plain text line. ");
	}
	n1 = in.len;
	tm_buf_append(&in, "\0", 1);
	tm_buf_puts(&in, "mid");
	tm_buf_puts(&want, "mid");
	n2 = in.len;
	tm_buf_append(&in, "\0", 1);
	for (chunk = 1; chunk <= in.len; chunk += chunk < 4 ? 1 : 97) {
		run(&res, in.ptr, in.len, chunk, NULL);
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.out.ptr, want.ptr);
		CHECK_INT(res.e.n, 2);
		CHECK_INT(res.e.off[0], n1);
		CHECK_INT(res.e.off[1], n2);
		CHECK_STR(res.e.rule[0], "nul");
		CHECK_STR(res.e.before[0], "\\x00");
		done(&res);
	}
	tm_buf_release(&in);
	tm_buf_release(&want);
}

TM_TEST(nul_removed_utf16)
{
	const char *text = "ab\0cd";
	struct result res;
	unsigned char in[12];
	size_t i;

	/* UTF-16LE with BOM: FF FE a 0 b 0 0 0 c 0 d 0 */
	in[0] = 0xff;
	in[1] = 0xfe;
	for (i = 0; i < 5; i++) {
		in[2 + 2 * i] = (unsigned char)text[i];
		in[3 + 2 * i] = 0;
	}
	for (i = 1; i <= sizeof(in); i++) {
		run(&res, (const char *)in, sizeof(in), i, NULL);
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.out.ptr, "abcd");
		CHECK_INT(res.e.n, 1);
		CHECK_STR(res.e.rule[0], "nul");
		CHECK_INT(res.e.off[0], 6);
		done(&res);
	}
	/* "a" U+0100 U+0000: the zero byte of U+0100 is no NUL unit. */
	memcpy(in + 2, "a\0\0\1\0\0", 6);
	run(&res, (const char *)in, 8, 1, NULL);
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, "a\xc4\x80");
	CHECK_INT(res.e.n, 1);
	CHECK_INT(res.e.off[0], 6);
	done(&res);
	/* The same in a single-byte charset: every zero byte is one. */
	run(&res, "x\0y\0", 4, 1, "decode.from-code=latin1");
	CHECK_STR(res.out.ptr, "xy");
	CHECK_INT(res.e.n, 2);
	CHECK_INT(res.e.off[0], 1);
	CHECK_INT(res.e.off[1], 3);
	done(&res);
}

TM_TEST(empty_input)
{
	struct result res;

	run(&res, "", 0, 1, NULL);
	CHECK_INT(res.rc, 0);
	CHECK_INT(res.out.len, 0);
	CHECK_INT(res.e.n, 0);
	CHECK_INT(tm_report_output_size(res.r), 0);
	done(&res);
	run(&res, "", 0, 1, "decode.from-code=UTF-16");
	CHECK_INT(res.rc, 0);
	CHECK_INT(res.out.len, 0);
	done(&res);
	/* One byte, and a lone gzip magic byte. */
	run(&res, "x", 1, 1, NULL);
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, "x");
	done(&res);
	run(&res, "\x1f", 1, 1, "decode.from-code=latin1");
	CHECK_INT(res.rc, 0);
	CHECK_STR(res.out.ptr, "\x1f");
	done(&res);
	/* gzip of nothing is an empty document. */
	{
		size_t n;
		char *gz = tm_test_gzip("", 0, &n);

		run(&res, gz, n, 1, NULL);
		CHECK_INT(res.rc, 0);
		CHECK_INT(res.out.len, 0);
		done(&res);
		free(gz);
	}
}

TM_TEST(binary_refused)
{
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"
	    "\x02\0\x3e\0\x01\0\0\0";
	struct result res;
	char nul[4096];
	size_t i;

	run(&res, elf, sizeof(elf) - 1, 5, NULL);
	CHECK_INT(res.rc, TM_EBINARY);
	CHECK_INT(res.out.len, 0);
	done(&res);
	for (i = 0; i < sizeof(nul); i++)
		nul[i] = (char)(i % 3 == 0 ? 0 : 'a' + (char)(i % 26));
	run(&res, nul, sizeof(nul), 4096, NULL);
	CHECK_INT(res.rc, TM_EBINARY);
	CHECK_INT(res.out.len, 0);
	done(&res);
}
