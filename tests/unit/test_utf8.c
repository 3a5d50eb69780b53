/*
 * test_utf8.c - UTF-8 helpers: RFC 3629 validation (overlongs,
 * surrogates, range, truncation), next/prev stepping, encoding, classes.
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/utf8.h"
#include "harness.h"

#define S(lit) (lit), (sizeof(lit) - 1)

TM_TEST(valid_sequences)
{
	CHECK(tm_utf8_valid(S("")));
	CHECK(tm_utf8_valid(S("plain ascii, 8:00-17:00")));
	CHECK(tm_utf8_valid(S("\xc2\x80")));			/* U+0080 */
	CHECK(tm_utf8_valid(S("\xdf\xbf")));			/* U+07FF */
	CHECK(tm_utf8_valid(S("\xe0\xa0\x80")));		/* U+0800 */
	CHECK(tm_utf8_valid(S("\xed\x9f\xbf")));		/* U+D7FF */
	CHECK(tm_utf8_valid(S("\xee\x80\x80")));		/* U+E000 */
	CHECK(tm_utf8_valid(S("\xef\xbf\xbf")));		/* U+FFFF */
	CHECK(tm_utf8_valid(S("\xf0\x90\x80\x80")));		/* U+10000 */
	CHECK(tm_utf8_valid(S("\xf4\x8f\xbf\xbf")));		/* U+10FFFF */
	CHECK(tm_utf8_valid(S("來源:中國婦女報")));
	CHECK(tm_utf8_valid(S("\xef\xbb\xbf")));		/* BOM is valid */
	/* NUL is valid UTF-8 (decode removes it, not the validator). */
	CHECK(tm_utf8_valid("a\0b", 3));
}

TM_TEST(invalid_sequences)
{
	CHECK(!tm_utf8_valid(S("\x80")));			/* lone cont. */
	CHECK(!tm_utf8_valid(S("\xbf")));
	CHECK(!tm_utf8_valid(S("a\xff")));
	CHECK(!tm_utf8_valid(S("\xfe")));
	CHECK(!tm_utf8_valid(S("\xf5\x80\x80\x80")));		/* > U+10FFFF */
	CHECK(!tm_utf8_valid(S("\xf4\x90\x80\x80")));		/* U+110000 */
	CHECK(!tm_utf8_valid(S("\xf8\x88\x80\x80\x80")));	/* 5 bytes */
	CHECK(!tm_utf8_valid(S("\xe4\x41\x41")));		/* bad cont. */
	CHECK(!tm_utf8_valid(S("\xe4\xb8\x41")));
	CHECK(!tm_utf8_valid(S("\xc3\xc3")));
	CHECK(!tm_utf8_valid(S("\xf0\x9f\x98\x41")));
}

TM_TEST(overlongs)
{
	CHECK(!tm_utf8_valid(S("\xc0\x80")));			/* NUL */
	CHECK(!tm_utf8_valid(S("\xc0\xaf")));			/* '/' */
	CHECK(!tm_utf8_valid(S("\xc1\xbf")));
	CHECK(!tm_utf8_valid(S("\xe0\x80\xaf")));
	CHECK(!tm_utf8_valid(S("\xe0\x9f\xbf")));		/* U+07FF */
	CHECK(!tm_utf8_valid(S("\xf0\x80\x80\xaf")));
	CHECK(!tm_utf8_valid(S("\xf0\x8f\xbf\xbf")));		/* U+FFFF */
}

TM_TEST(surrogates)
{
	CHECK(!tm_utf8_valid(S("\xed\xa0\x80")));		/* U+D800 */
	CHECK(!tm_utf8_valid(S("\xed\xad\xbf")));		/* U+DB7F */
	CHECK(!tm_utf8_valid(S("\xed\xbf\xbf")));		/* U+DFFF */
	/* CESU-8 pair for U+1F600. */
	CHECK(!tm_utf8_valid(S("\xed\xa0\xbd\xed\xb8\x80")));
	CHECK_INT(tm_utf8_len(0xD800), 0);
	CHECK_INT(tm_utf8_len(0xDFFF), 0);
}

TM_TEST(truncated)
{
	/* A sequence cut off by the end is not counted in the prefix. */
	CHECK_INT(tm_utf8_valid_prefix(S("ab\xe4")), 2);
	CHECK_INT(tm_utf8_valid_prefix(S("ab\xe4\xb8")), 2);
	CHECK_INT(tm_utf8_valid_prefix(S("ab\xe4\xb8\xad")), 5);
	CHECK_INT(tm_utf8_valid_prefix(S("\xf0\x9f\x98")), 0);
	CHECK_INT(tm_utf8_valid_prefix(S("\xc3")), 0);
	CHECK(!tm_utf8_valid(S("\xe4\xb8")));
	/* The prefix stops at the first bad byte, after the ASCII fast
	   path has skipped whole words. */
	CHECK_INT(tm_utf8_valid_prefix(S("0123456789abcdef\x80xyz")), 16);
	CHECK_INT(tm_utf8_valid_prefix(S("01234567\xe4\xb8\xad""89abcdef\xff")),
	    19);
	CHECK_INT(tm_utf8_valid_prefix(S("\xe4\xb8\xad\xe4\xb8")), 3);
}

TM_TEST(next)
{
	const char s[] = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80";
	const char *p = s, *end = s + sizeof(s) - 1;

	CHECK_INT(tm_utf8_next(&p, end), 'a');
	CHECK_INT(p - s, 1);
	CHECK_INT(tm_utf8_next(&p, end), 0xE9);
	CHECK_INT(p - s, 3);
	CHECK_INT(tm_utf8_next(&p, end), 0x4E2D);
	CHECK_INT(p - s, 6);
	CHECK_INT(tm_utf8_next(&p, end), 0x1F600);
	CHECK(p == end);
}

TM_TEST(next_bad)
{
	const char bad[] = "\x80\xe4\xb8\xc0\xaf\xed\xa0\x80\xe4";
	const char *p = bad, *end = bad + sizeof(bad) - 1;
	int n = 0;

	/* Every malformed byte advances by exactly one and says so. */
	while (p < end) {
		const char *was = p;

		CHECK(tm_utf8_next(&p, end) == TM_UTF8_BAD);
		CHECK_INT(p - was, 1);
		n++;
	}
	CHECK_INT(n, (int)sizeof(bad) - 1);
	/* Truncated by `end`, though the bytes after it would complete it:
	   never read past end. */
	p = "\xe4\xb8\xad";
	end = p + 2;
	CHECK(tm_utf8_next(&p, end) == TM_UTF8_BAD);
}

TM_TEST(prev)
{
	const char s[] = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80";
	const char *p = s + sizeof(s) - 1;

	CHECK_INT(tm_utf8_prev(&p, s), 0x1F600);
	CHECK_INT(p - s, 6);
	CHECK_INT(tm_utf8_prev(&p, s), 0x4E2D);
	CHECK_INT(p - s, 3);
	CHECK_INT(tm_utf8_prev(&p, s), 0xE9);
	CHECK_INT(p - s, 1);
	CHECK_INT(tm_utf8_prev(&p, s), 'a');
	CHECK(p == s);
}

TM_TEST(prev_bad)
{
	const char *start, *p;

	/* A stray continuation byte after a complete character. */
	start = "\xc3\xa9\xa9";
	p = start + 3;
	CHECK(tm_utf8_prev(&p, start) == TM_UTF8_BAD);
	CHECK_INT(p - start, 2);
	CHECK_INT(tm_utf8_prev(&p, start), 0xE9);
	CHECK(p == start);
	/* Five continuation bytes: never walks further back than a
	   sequence can be long, never before start. */
	start = "\x80\x80\x80\x80\x80";
	p = start + 5;
	while (p > start) {
		const char *was = p;

		CHECK(tm_utf8_prev(&p, start) == TM_UTF8_BAD);
		CHECK_INT(was - p, 1);
	}
	/* A truncated lead byte before the end. */
	start = "x\xe4\xb8";
	p = start + 3;
	CHECK(tm_utf8_prev(&p, start) == TM_UTF8_BAD);
	CHECK_INT(p - start, 2);
	/* prev must not look before start even if the bytes there would
	   form a sequence. */
	start = "\xe4\xb8\xad";
	p = start + 3;
	start += 1;
	CHECK(tm_utf8_prev(&p, start) == TM_UTF8_BAD);
	CHECK(p >= start);
}

TM_TEST(next_prev_roundtrip)
{
	const char *s = "來源:中國婦女報 2025-02-08 \xf0\xa0\x80\x80 é";
	const char *end = s + strlen(s), *p = s;
	unsigned fwd[64], cp;
	int n = 0, i;

	while (p < end && n < 64)
		fwd[n++] = tm_utf8_next(&p, end);
	p = end;
	for (i = n - 1; i >= 0; i--) {
		cp = tm_utf8_prev(&p, s);
		CHECK_INT(cp, fwd[i]);
	}
	CHECK(p == s);
}

TM_TEST(encode)
{
	unsigned cps[] = { 0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000,
	    0xFFFD, 0xFFFF, 0x10000, 0x10FFFF };
	char out[4];
	size_t i, n;

	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		const char *p = out;

		n = tm_utf8_put(out, cps[i]);
		CHECK_INT(n, tm_utf8_len(cps[i]));
		CHECK(tm_utf8_valid(out, n));
		CHECK_INT(tm_utf8_next(&p, out + n), cps[i]);
		CHECK(p == out + n);
	}
	CHECK_INT(tm_utf8_len(0x110000), 0);
	CHECK_INT(tm_utf8_len(0xFFFFFFFFu), 0);
}

TM_TEST(exhaustive_two_bytes)
{
	/* Every two-byte string: the validator agrees with next(). */
	unsigned a, b;
	char s[2];
	int bad = 0;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			const char *p = s;
			unsigned cp;
			int valid;

			s[0] = (char)a;
			s[1] = (char)b;
			valid = tm_utf8_valid(s, 2);
			cp = tm_utf8_next(&p, s + 2);
			if (cp != TM_UTF8_BAD && p < s + 2)
				cp = tm_utf8_next(&p, s + 2);
			if (valid != (cp != TM_UTF8_BAD && p == s + 2))
				bad++;
		}
	CHECK_INT(bad, 0);
}

TM_TEST(classes)
{
	CHECK(tm_is_han(0x4E2D));	/* 中 */
	CHECK(tm_is_han(0x3400));
	CHECK(tm_is_han(0x20000));
	CHECK(tm_is_han(0x3007));
	CHECK(!tm_is_han('a'));
	CHECK(!tm_is_han(0x3002));	/* 。 */
	CHECK(tm_is_cjk(0x3002));
	CHECK(tm_is_cjk(0xFF0C));	/* ， */
	CHECK(tm_is_cjk(0x3042));	/* あ */
	CHECK(tm_is_cjk(0xAC00));	/* 가 */
	CHECK(!tm_is_cjk('A'));
	CHECK(!tm_is_cjk(0xE9));
}

/*
 * The header inlines the common cases of next and prev; every two- to
 * four-byte pattern with each lead byte must come out as the general
 * decoder says, in value and in step.
 */
TM_TEST(inline_matches_general)
{
	unsigned char buf[4];
	unsigned lead, b1, b2, bad = 0;

	for (lead = 0; lead < 256; lead++)
		for (b1 = 0; b1 < 256; b1++)
			for (b2 = 0; b2 < 256; b2 += (lead >= 0xE0 &&
			    lead < 0xF0) ? 1 : 61) {
				const char *s = (const char *)buf, *end = s + 3;
				const char *p = s, *q = s;
				unsigned a, b;

				buf[0] = (unsigned char)lead;
				buf[1] = (unsigned char)b1;
				buf[2] = (unsigned char)b2;
				buf[3] = 0;
				a = tm_utf8_next(&p, end);
				b = tm_utf8_next_any(&q, end);
				bad += a != b || p != q;
				p = q = end;
				a = tm_utf8_prev(&p, s);
				b = tm_utf8_prev_any(&q, s);
				bad += a != b || p != q;
				/* The validator's fast path agrees with a
				   walk by the general decoder. */
				for (q = s; q < end;) {
					p = q;
					if (tm_utf8_next_any(&p, end) ==
					    TM_UTF8_BAD)
						break;
					q = p;
				}
				bad += tm_utf8_valid_prefix(s, 3) !=
				    (size_t)(q - s);
			}
	CHECK_INT(bad, 0);
}

TM_TEST(stops)
{
	const char *text = "甲<乙&丙\n丁<", *end = text + strlen(text);
	const char *p = text;
	struct tm_stops st;
	int n = 0;

	tm_stops_init(&st, "<&\n", 3, p, end);
	while ((p = tm_stops_next(&st, p, end)) != end) {
		CHECK(*p == '<' || *p == '&' || *p == '\n');
		n++;
		p++;
	}
	CHECK_INT(n, 4);
	/* None there: straight to the end. */
	tm_stops_init(&st, "!", 1, text, end);
	CHECK(tm_stops_next(&st, text, end) == end);
}
