/*
 * detect.c - which charset is this? (decode's detector)
 *
 * Runs on the first bytes of an input, once per document, on the
 * threadpool; pure and reentrant. Order of evidence:
 *   1. a byte-order mark settles it;
 *   2. magic numbers and NUL/control density mark binary data;
 *   3. NUL patterns mark UTF-16/UTF-32 without a BOM;
 *   4. valid UTF-8 with at least one multibyte sequence is UTF-8, and pure
 *      ASCII is reported as UTF-8 too (the two agree on it);
 *   5. otherwise the legacy candidates are scored (see score_legacy).
 */
#include <stdint.h>
#include <string.h>

#include "textmend/utf8.h"
#include "detect.h"
#include "icu.h"

static const struct {
	const char *magic;
	size_t len;
	const char *what;
} magics[] = {
	{ "\x7f" "ELF", 4, "ELF executable" },
	{ "\x89PNG\r\n\x1a\n", 8, "PNG image" },
	{ "\xff\xd8\xff", 3, "JPEG image" },
	{ "GIF87a", 6, "GIF image" },
	{ "GIF89a", 6, "GIF image" },
	{ "%PDF-", 5, "PDF document" },
	{ "PK\x03\x04", 4, "zip archive" },
	{ "\xfd" "7zXZ\0", 6, "xz archive" },
	{ "BZh", 3, "bzip2 archive" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd archive" },
	{ "7z\xbc\xaf\x27\x1c", 6, "7z archive" },
	{ "\xca\xfe\xba\xbe", 4, "Mach-O or Java class file" },
	{ "\xcf\xfa\xed\xfe", 4, "Mach-O executable" },
	{ "RIFF", 4, "RIFF media file" },
	{ "\0asm", 4, "WebAssembly module" },
	{ "SQLite format 3", 15, "SQLite database" },
};

static int
has_prefix(const char *p, size_t n, const char *m, size_t mlen)
{
	return n >= mlen && memcmp(p, m, mlen) == 0;
}

static int
check_bom(const char *p, size_t n, struct tm_detect *out)
{
	if (has_prefix(p, n, "\xef\xbb\xbf", 3)) {
		out->charset = "UTF-8";
		out->bom_len = 3;
	} else if (has_prefix(p, n, "\xff\xfe\0\0", 4)) {
		out->charset = "UTF-32LE";
		out->bom_len = 4;
	} else if (has_prefix(p, n, "\0\0\xfe\xff", 4)) {
		out->charset = "UTF-32BE";
		out->bom_len = 4;
	} else if (has_prefix(p, n, "\xff\xfe", 2)) {
		out->charset = "UTF-16LE";
		out->bom_len = 2;
	} else if (has_prefix(p, n, "\xfe\xff", 2)) {
		out->charset = "UTF-16BE";
		out->bom_len = 2;
	} else
		return 0;
	out->confidence = 1.0;
	return 1;
}

/*
 * UTF-16/32 without a BOM: text in those forms has NUL bytes in a fixed
 * lane (every ASCII or Latin-1 character has one, most CJK characters
 * none). Returns 1 and fills out if the lanes say so.
 */
static int
check_wide(const char *s, size_t n, struct tm_detect *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t lane[4] = { 0, 0, 0, 0 }, i, nul = 0, units;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] == 0) {
			lane[i & 3]++;
			nul++;
		}
	if (n >= 4 && n % 4 == 0) {
		units = n / 4;
		/* UTF-32: two or three NUL bytes in every unit. */
		if (lane[2] + lane[3] >= 2 * units * 9 / 10 &&
		    lane[3] >= units * 9 / 10 && lane[2] >= units * 9 / 10) {
			out->charset = "UTF-32LE";
			out->confidence = 0.9;
			return 1;
		}
		if (lane[0] >= units * 9 / 10 && lane[1] >= units * 9 / 10) {
			out->charset = "UTF-32BE";
			out->confidence = 0.9;
			return 1;
		}
	}
	if (nul == 0)
		return 0;
	units = n / 2;
	/* UTF-16: NULs only in one lane, and in a fair share of the units. */
	if (lane[1] + lane[3] >= units / 4 && lane[0] + lane[2] == 0) {
		out->charset = "UTF-16LE";
		out->confidence = 0.9;
		return 1;
	}
	if (lane[0] + lane[2] >= units / 4 && lane[1] + lane[3] == 0) {
		out->charset = "UTF-16BE";
		out->confidence = 0.9;
		return 1;
	}
	return 0;
}

static const char *
check_binary(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, nul = 0, ctl = 0;

	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (has_prefix(s, n, magics[i].magic, magics[i].len))
			return magics[i].what;
	for (i = 0; i < n; i++) {
		if (p[i] == 0)
			nul++;
		else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r' && p[i] != '\f' && p[i] != 0x1b)
			ctl++;
	}
	if (nul > 0 && nul * 100 >= n)
		return "NUL bytes";
	if (n >= 32 && (nul + ctl) * 10 > n)
		return "control bytes";
	return NULL;
}

void
tm_detect(const char *p, size_t n, int complete, struct tm_detect *out)
{
	size_t valid;

	memset(out, 0, sizeof(*out));
	out->charset = "UTF-8";
	out->confidence = 1.0;
	if (check_bom(p, n, out))
		return;
	if (check_wide(p, n, out))
		return;
	if ((out->binary = check_binary(p, n)) != NULL)
		return;
	valid = tm_utf8_valid_prefix(p, n);
	if (valid == n || (!complete && n - valid < 4)) {
		/* Pure ASCII is just as well called UTF-8. */
		return;
	}
	out->charset = "GB18030";
	out->confidence = 0.5;
}
