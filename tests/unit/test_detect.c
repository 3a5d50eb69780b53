/*
 * test_detect.c - the charset detector (filters/detect.c).
 *
 * Each case encodes UTF-8 text with ICU and asks tm_detect() what it is.
 * `evaluation` runs the whole set in tests/detect/samples.txt through the
 * decode filter (tm_clean_mem with --filters decode), wants every text
 * back byte for byte in at least 98% of the samples and prints the
 * numbers per encoding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>

#include "harness.h"
#include "textmend/buf.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "detect.h"

/* Encode UTF-8 text into charset cs (a "+BOM" suffix adds a BOM). */
static size_t
encode(const char *text, size_t len, const char *cs, char *out, size_t cap)
{
	char name[64];
	const char *plus = strstr(cs, "+BOM");
	size_t bom = 0;
	UErrorCode err = U_ZERO_ERROR;
	int32_t n;

	snprintf(name, sizeof(name), "%.*s", plus != NULL ?
	    (int)(plus - cs) : (int)strlen(cs), cs);
	if (plus != NULL) {
		static const struct { const char *cs, *bom; size_t len; } b[] = {
			{ "UTF-8", "\xef\xbb\xbf", 3 },
			{ "UTF-16LE", "\xff\xfe", 2 },
			{ "UTF-16BE", "\xfe\xff", 2 },
			{ "UTF-32LE", "\xff\xfe\0\0", 4 },
			{ "UTF-32BE", "\0\0\xfe\xff", 4 },
		};
		size_t i;

		for (i = 0; i < sizeof(b) / sizeof(b[0]); i++)
			if (strcmp(b[i].cs, name) == 0) {
				memcpy(out, b[i].bom, b[i].len);
				bom = b[i].len;
			}
		CHECK(bom > 0);
	}
	n = ucnv_convert(name, "UTF-8", out + bom, (int32_t)(cap - bom), text,
	    (int32_t)len, &err);
	CHECK(U_SUCCESS(err));
	if (U_FAILURE(err))
		return 0;
	return bom + (size_t)n;
}

static struct tm_detect
detect_in(const char *text, const char *cs, int complete)
{
	static char buf[1 << 16];
	struct tm_detect d;
	size_t n = encode(text, strlen(text), cs, buf, sizeof(buf));

	tm_detect(buf, n, complete, &d);
	return d;
}

/* Detect text encoded in cs, want `want` (NULL: cs itself). */
static void
expect(const char *text, const char *cs, const char *want, int line)
{
	struct tm_detect d = detect_in(text, cs, 1);

	if (want == NULL)
		want = cs;
	if (d.charset == NULL || d.binary != NULL ||
	    strcmp(d.charset, want) != 0) {
		char m[512];

		snprintf(m, sizeof(m), "%s as %s: got %s%s (%s)", text, cs,
		    d.charset ? d.charset : "(null)",
		    d.binary ? " binary" : "", want);
		tm_test_fail(__FILE__, line, m);
	}
}
#define EXPECT(text, cs, want) expect(text, cs, want, __LINE__)

TM_TEST(bom)
{
	struct tm_detect d;

	d = detect_in("abc 中文", "UTF-8+BOM", 1);
	CHECK_STR(d.charset, "UTF-8");
	CHECK_INT(d.bom_len, 3);
	d = detect_in("abc 中文", "UTF-16LE+BOM", 1);
	CHECK_STR(d.charset, "UTF-16LE");
	CHECK_INT(d.bom_len, 2);
	d = detect_in("abc 中文", "UTF-16BE+BOM", 1);
	CHECK_STR(d.charset, "UTF-16BE");
	CHECK_INT(d.bom_len, 2);
	d = detect_in("abc 中文", "UTF-32LE+BOM", 1);
	CHECK_STR(d.charset, "UTF-32LE");
	CHECK_INT(d.bom_len, 4);
	d = detect_in("abc 中文", "UTF-32BE+BOM", 1);
	CHECK_STR(d.charset, "UTF-32BE");
	CHECK_INT(d.bom_len, 4);
	CHECK(d.confidence == 1.0);
}

TM_TEST(unicode_without_bom)
{
	EXPECT("Plain English text, in UTF-16.\n", "UTF-16LE", NULL);
	EXPECT("Plain English text, in UTF-16.\n", "UTF-16BE", NULL);
	EXPECT("Le café est prêt.\n", "UTF-32LE", NULL);
	EXPECT("Le café est prêt.\n", "UTF-32BE", NULL);
	/* Han only: not a single NUL byte to go by. */
	EXPECT("中华人民共和国成立于一九四九年十月一日", "UTF-16LE", NULL);
	EXPECT("中华人民共和国成立于一九四九年十月一日", "UTF-16BE", NULL);
	/* NULs from U+4E00 and U+5000, in the "wrong" lane for ASCII. */
	EXPECT("的一個燈，一千倍", "UTF-16BE", NULL);
	EXPECT("统一的一个标准", "UTF-16LE", NULL);
	/* ASCII with a few characters like U+4E00 (a NUL in the other
	   lane). */
	EXPECT("Chapter 一: the first of many chapters, in English with "
	    "a few Chinese words: 一千 and 丁.\n", "UTF-16LE", NULL);
	EXPECT("Chapter 一: the first of many chapters, in English with "
	    "a few Chinese words: 一千 and 丁.\n", "UTF-16BE", NULL);
	/* One NUL, from the line feed. */
	EXPECT("今天天气很好，我们去公园散步吧。\n", "UTF-16LE", NULL);
	EXPECT("Привет, как дела? Всё хорошо.\n", "UTF-16BE", NULL);
}

TM_TEST(utf8_and_ascii)
{
	struct tm_detect d;

	tm_detect(NULL, 0, 1, &d);
	CHECK_STR(d.charset, "UTF-8");
	CHECK(d.binary == NULL);
	d = detect_in("just ASCII\n", "UTF-8", 1);
	CHECK_STR(d.charset, "UTF-8");
	CHECK(d.binary == NULL);
	EXPECT("中文和 English 混排。\n", "UTF-8", NULL);
	EXPECT("Ελληνικά και русский.\n", "UTF-8", NULL);
	/* Cut inside the last character of a partial sample. */
	d = detect_in("中文中文", "UTF-8", 1);
	tm_detect("\xe4\xb8\xad\xe6\x96", 5, 0, &d);
	CHECK_STR(d.charset, "UTF-8");
}

TM_TEST(binary)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char elf[] = "\x7f" "ELF\2\1\1\0\0\0\0\0";
	char noise[512];
	struct tm_detect d;
	size_t i;
	uint32_t x = 12345;

	tm_detect(png, sizeof(png) - 1, 1, &d);
	CHECK(d.binary != NULL);
	tm_detect(elf, sizeof(elf) - 1, 1, &d);
	CHECK(d.binary != NULL);
	/* Random bytes, a third of them NUL: not text in any charset. */
	for (i = 0; i < sizeof(noise); i++) {
		x = x * 1103515245 + 12345;
		noise[i] = (x >> 16) % 3 == 0 ? 0 : (char)(x >> 8);
	}
	tm_detect(noise, sizeof(noise), 1, &d);
	CHECK(d.binary != NULL);
}

TM_TEST(short_chinese)
{
	EXPECT("来源：中国妇女报\n", "GBK", "GB18030");
	EXPECT("我们的国家", "GBK", "GB18030");
	EXPECT("经济发展", "GBK", "GB18030");
	EXPECT("來源：中國婦女報\n", "Big5", "windows-950");
	EXPECT("我們的國家", "Big5", "windows-950");
	EXPECT("經濟發展", "Big5", "windows-950");
	EXPECT("臺灣的天氣", "Big5", "windows-950");
	EXPECT("新华社北京电", "GB18030", NULL);
}

TM_TEST(japanese)
{
	static const char ja[] =
	    "今日はとても暑いので、冷たいお茶を飲みましょう。\n";

	EXPECT(ja, "Shift_JIS", NULL);
	EXPECT(ja, "EUC-JP", NULL);
	EXPECT("カタカナとひらがなの説明です。\n", "Shift_JIS", NULL);
	EXPECT("東京の駅で友達に会った。\n", "EUC-JP", NULL);
}

TM_TEST(iso2022)
{
	EXPECT("日本語のメールです。\n", "ISO-2022-JP", NULL);
	EXPECT("한국어 전자 우편입니다.\n", "ISO-2022-KR", NULL);
	EXPECT("中文电子邮件。\n", "ISO-2022-CN", NULL);
}

TM_TEST(korean)
{
	EXPECT("안녕하세요. 오늘 날씨가 참 좋네요.\n", "EUC-KR",
	    "windows-949");
	EXPECT("대한민국의 수도는 서울입니다.\n", "windows-949", NULL);
}

TM_TEST(cyrillic)
{
	static const char ru[] =
	    "Съешь же ещё этих мягких французских булок да выпей чаю.\n";

	EXPECT(ru, "windows-1251", NULL);
	EXPECT(ru, "KOI8-R", NULL);
	EXPECT(ru, "ISO-8859-5", NULL);
	EXPECT("Москва\n", "windows-1251", NULL);
	EXPECT("Москва\n", "KOI8-R", NULL);
	EXPECT("Доброго ранку, як справи?\n", "windows-1251", NULL);
}

TM_TEST(central_european)
{
	EXPECT("Zażółć gęślą jaźń, proszę państwa.\n", "windows-1250", NULL);
	EXPECT("Zażółć gęślą jaźń, proszę państwa.\n", "ISO-8859-2", NULL);
	EXPECT("Příliš žluťoučký kůň úpěl ďábelské ódy.\n", "windows-1250",
	    NULL);
	EXPECT("Příliš žluťoučký kůň úpěl ďábelské ódy.\n", "ISO-8859-2",
	    NULL);
}

TM_TEST(greek_turkish)
{
	EXPECT("Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.\n",
	    "windows-1253", NULL);
	EXPECT("Άνοιξη στην Αθήνα, ψυχοφθόρα βδελυγμία.\n", "ISO-8859-7",
	    NULL);
	EXPECT("Pijamalı hasta yağız şoföre çabucak güvendi.\n",
	    "windows-1254", NULL);
}

TM_TEST(western)
{
	EXPECT("Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de "
	    "crapaüter.\n", "windows-1252", NULL);
	EXPECT("Falsches Üben von Xylophonmusik quält jeden größeren Zwerg.\n",
	    "windows-1252", NULL);
	EXPECT("¿Dónde está el niño? Ñandú.\n", "windows-1252", NULL);
	EXPECT("Il coûte 20 € pour le cœur du bœuf.\n", "ISO-8859-15", NULL);
}

TM_TEST(partial_sample)
{
	char buf[256];
	struct tm_detect d;
	size_t n = encode("中华人民共和国成立了", strlen("中华人民共和国成立了"),
	    "GBK", buf, sizeof(buf));

	/* Cut in the middle of the last character: fine if not complete. */
	tm_detect(buf, n - 1, 0, &d);
	CHECK_STR(d.charset, "GB18030");
}

/* Whatever the bytes, the answer is a charset ICU opens, or binary. */
TM_TEST(any_input)
{
	char buf[300];
	struct tm_detect d;
	uint32_t x = 1;
	size_t len, i;
	UErrorCode err;
	UConverter *c;

	for (len = 0; len < sizeof(buf); len += 7) {
		for (i = 0; i < len; i++) {
			x = x * 1664525 + 1013904223;
			buf[i] = (char)(len % 2 ? x >> 24 | 0x80 : x >> 24);
		}
		tm_detect(buf, len, (int)(len & 8), &d);
		if (d.binary != NULL)
			continue;
		CHECK(d.charset != NULL);
		CHECK(d.confidence >= 0 && d.confidence <= 1);
		err = U_ZERO_ERROR;
		c = ucnv_open(d.charset, &err);
		CHECK(U_SUCCESS(err));
		ucnv_close(c);
	}
}

/* "\n" and "\\" escapes of samples.txt. */
static size_t
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r += 2;
		} else if (r[0] == '\\' && r[1] == '\\') {
			*w++ = '\\';
			r += 2;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* One line of 4 to 16 characters (and maybe its line feed)? */
static int
is_short(const char *s, size_t len)
{
	size_t i, chars = 0;

	if (len > 0 && s[len - 1] == '\n')
		len--;
	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			return 0;
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	}
	return chars >= 4 && chars <= 16;
}

#define MAX_ENCODINGS 64

TM_TEST(evaluation)
{
	static char enc[1 << 16];
	struct {
		char name[32];
		int total, ok;
	} per[MAX_ENCODINGS];
	size_t nper = 0, len, tlen, i, n;
	char *data, *line, *next, *tab;
	struct tm_chain *chain = NULL;
	struct tm_diag diag;
	int total = 0, ok = 0, shorts = 0, rc;

	data = tm_test_slurp(TM_SOURCE_DIR "/tests/detect/samples.txt", &len);
	rc = tm_chain_new(&chain, "decode", &diag);
	CHECK_INT(rc, 0);
	if (rc != 0)
		return;
	for (line = data; line != NULL && *line != '\0'; line = next) {
		struct tm_report *rep;
		struct tm_buf out;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		tlen = unescape(tab + 1);
		n = encode(tab + 1, tlen, line, enc, sizeof(enc));
		for (i = 0; i < nper && strcmp(per[i].name, line) != 0; i++)
			;
		if (i == nper) {
			CHECK(nper < MAX_ENCODINGS);
			if (nper == MAX_ENCODINGS)
				break;
			snprintf(per[nper].name, sizeof(per[0].name), "%s",
			    line);
			per[nper].total = per[nper].ok = 0;
			nper++;
		}
		per[i].total++;
		total++;
		if (strcmp(line, "GBK") == 0 || strcmp(line, "Big5") == 0)
			shorts += is_short(tab + 1, tlen);
		rep = tm_report_new("sample");
		tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
		rc = tm_clean_mem(chain, enc, n, &out, rep, &diag);
		if (rc == 0 && out.len == tlen &&
		    memcmp(out.ptr, tab + 1, tlen) == 0) {
			per[i].ok++;
			ok++;
		} else
			printf("miss %s (read as %s): %s%s", line,
			    tm_report_encoding(rep) ? tm_report_encoding(rep) :
			    "?", tab + 1, tab[tlen] == '\n' ? "" : "\n");
		tm_buf_release(&out);
		tm_report_free(rep);
	}
	for (i = 0; i < nper; i++)
		printf("%-14s %3d/%3d\n", per[i].name, per[i].ok,
		    per[i].total);
	printf("total %d/%d (%.1f%%), %d short Chinese lines, %zu encodings\n",
	    ok, total, total ? 100.0 * ok / total : 0.0, shorts, nper);
	CHECK(total >= 200);
	CHECK(shorts >= 60);
	CHECK(nper >= 15);
	CHECK(ok * 100 >= total * 98);
	tm_chain_free(chain);
	free(data);
}
