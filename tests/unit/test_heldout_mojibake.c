/*
 * test_heldout_mojibake.c - held-out check of the mojibake filter.
 *
 * Clean sentences the filter was never tuned on are broken here the way
 * real pipelines break them, with ICU's converters, and run through
 * `decode,mojibake` (decode from UTF-8): Latin-script and Cyrillic
 * translations from Debian's gettext catalogues (tests/mojibake/, made by
 * make-heldout.sh) and the Chinese of the shared UD dev set (Simplified
 * and Traditional). Each confusion is one line of the table printed:
 *
 *   - UTF-8 read as cp1252 (strict: the five bytes it leaves undefined
 *     become U+FFFD; sloppy: they stay C1 controls, as Windows and ICU
 *     do), Latin-1, cp1250, cp1251, MacRoman, CP437, cp1252 twice;
 *   - UTF-8 read as GBK, GB18030 or Big5, an invalid pair becoming "?",
 *     U+FFFD or "锟斤拷"; UTF-8 read by a strict Big5 or GBK decoder
 *     that writes a mark for each byte it cannot read (Python's); GBK
 *     read as Latin-1 or cp1252; Big5 read as GBK;
 *   - GBK misalignment (seed 001): the lead byte of one character became
 *     "?", the rest was paired one off until something realigned it, and
 *     in the "-folded" variant fullwidth marks of the garbled run were
 *     folded to ASCII on the way ("和家庭?!绷某鞘袐D聯");
 *   - mixed documents where two sentences out of six are broken.
 *
 * A case whose corruption lost nothing (every byte decoded) counts as
 * exact or not; a lossy one (something became "?", U+FFFD, or a byte was
 * dropped) counts the character errors removed: edit distance of broken
 * vs clean minus repaired vs clean, over broken vs clean, summed over the
 * cases. Of the errors left, "silent" counts (as a share of the errors
 * before) those that are not a U+FFFD: characters written wrong, dropped
 * or left garbled, which a reader cannot see. Each lossy case is run
 * again with mojibake.guess=off ("off:" removed, and its silent errors):
 * not guessing must never leave more silent errors than guessing does.
 * Clean text must come through byte-identical. The floors table below
 * holds what the filter achieved when the test was written; the issue's
 * targets are 95% exact, 80% removed, 100% clean. Set TM_HELDOUT_SHOW=N
 * to print N misses per confusion (default 2).
 *
 * Tuning is done on other text, never on these sentences: for that,
 * TM_HELDOUT_HANS=FILE and TM_HELDOUT_HANT=FILE put a file of sentences
 * (one a line; tests/mojibake/make-tuning.sh makes them from Debian's
 * Chinese man pages) in place of a UD set, and the floors of what reads
 * it are then printed but not held. TM_HELDOUT_DUMP=FILE appends every
 * case there as one line of tab-separated fields: confusion, exact (1
 * or 0), errors before and after (0 and 0 where nothing was lost), clean,
 * broken, repaired (tabs and newlines in them written as spaces).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include "harness.h"
#include "textmend/buf.h"
#include "textmend/utf8.h"

/*
 * Floors in percent, per confusion: lossless cases repaired exactly
 * (the target: 95) and character errors removed in lossy ones
 * (target: 80); clean text must stay 100. Each is what the filter
 * achieves now, less a point; raise them as repairs land. A floor is
 * not checked where a confusion has no case of that kind.
 */
static const struct floor {
	const char *confusion;
	int exact;
	int removed;
} floors[] = {
	{ "clean sentences",			100, 0 },
	{ "clean documents",			100, 0 },
	{ "latin utf8-as-cp1252",		98, 90 },
	{ "latin utf8-as-cp1252-sloppy",	98, 0 },
	{ "latin utf8-as-latin1",		98, 0 },
	{ "latin utf8-as-cp1250",		99, 97 },
	{ "latin utf8-as-macroman",		98, 0 },
	{ "latin utf8-as-cp437",		98, 0 },
	{ "latin utf8-as-cp1252-twice",		99, 0 },
	{ "latin mixed",			97, 94 },
	{ "cyrillic utf8-as-cp1251",		98, 97 },
	{ "cyrillic utf8-as-cp1251-sloppy",	98, 0 },
	{ "cyrillic utf8-as-cp1252",		99, 95 },
	{ "cyrillic utf8-as-cp1252-sloppy",	99, 0 },
	{ "cyrillic utf8-as-latin1",		99, 0 },
	{ "cyrillic utf8-as-cp1250",		99, 97 },
	{ "cyrillic utf8-as-macroman",		98, 0 },
	{ "cyrillic utf8-as-cp437",		98, 0 },
	{ "cyrillic utf8-as-cp1252-twice",	99, 0 },
	{ "cyrillic mixed",			99, 0 },
	{ "chinese utf8-as-cp1252",		99, 88 },
	{ "chinese utf8-as-cp1252-sloppy",	99, 0 },
	{ "chinese utf8-as-latin1",		99, 0 },
	{ "chinese utf8-as-gbk",		99, 95 },
	{ "chinese utf8-as-gbk-fffd",		0, 95 },
	{ "chinese utf8-as-gbk-kunjinkao",	0, 94 },
	{ "chinese utf8-as-gbk-strict",		0, 87 },
	{ "chinese utf8-as-gb18030",		99, 83 },
	{ "chinese gbk-as-latin1",		99, 0 },
	{ "chinese gbk-as-cp1252",		99, 98 },
	{ "chinese gbk-as-cp1252-sloppy",	99, 0 },
	{ "chinese big5-as-gbk",		96, 0 },
	{ "chinese utf8-as-big5",		0, 71 },
	{ "chinese utf8-as-big5-strict",	0, 64 },
	{ "chinese gbk-misaligned",		0, 88 },
	{ "chinese gbk-misaligned-folded",	0, 86 },
	{ "chinese mixed",			99, 96 },
};

/* The sentence sets. */
enum set { LATIN, CYRILLIC, OTHER, HANS, HANT, HAN, NSETS };

struct sentences {
	char *text;		/* the file, owned; lines point into it */
	const char **line;
	size_t n;
	int substituted;	/* a tuning set stands in: no floors */
};

/* What an undefined or illegal byte became. */
enum sub {
	SUB_C1,			/* windows-125x's undefined bytes kept as C1 */
	SUB_FFFD,
	SUB_QMARK,
	SUB_QMARK_BYTE,		/* "?" for each byte a strict decoder
				   could not read (Python's big5, gbk), */
	SUB_FFFD_BYTE,		/* or U+FFFD, as Python writes it */
	SUB_KUNJINKAO		/* 锟斤拷, U+FFFD that went through GBK */
};

/* Which of the cases a confusion counts. */
enum only { ALL, LOSSY_ONLY };

struct confusion {
	const char *name;
	enum set set;
	const char *from;	/* charset the text was written in */
	const char *as;		/* charset it was read with */
	enum sub sub;
	int twice;		/* written as UTF-8 again and read again */
	enum only only;
};

struct tally {
	const char *name;
	unsigned lossless, exact;
	unsigned lossy, lossy_exact;
	long long dist_broken, dist_got;
	long long silent;	/* errors left not U+FFFD (silent()) */
	long long dist_off, silent_off;	/* the same, mojibake.guess=off */
	unsigned shown;
	int substituted;	/* of its sentences: floors not held */
};

static struct sentences sets[NSETS];
static uint32_t rng;

/* Each test case starts the same sequence, run alone or with the rest. */
static void
seed(void)
{
	rng = 4242;
}

static unsigned
rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static void
add_line(struct sentences *s, const char *line)
{
	if ((s->n & (s->n + 1)) == 0 || s->n == 0) {
		s->line = realloc(s->line, (s->n * 2 + 2) * sizeof(*s->line));
		if (s->line == NULL)
			exit(2);
	}
	s->line[s->n++] = line;
}

/* Held-out file: '#' lines are the header, others LANG<TAB>SENTENCE. */
static void
load_heldout(struct sentences *s, const char *name)
{
	char path[512], *p, *nl, *tab;
	size_t len;

	snprintf(path, sizeof(path), "%s/tests/mojibake/%s", TM_SOURCE_DIR,
	    name);
	s->text = tm_test_slurp(path, &len);
	for (p = s->text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		if (*p == '#' || (tab = strchr(p, '\t')) == NULL)
			continue;
		add_line(s, tab + 1);
	}
}

/* One sentence a line: the UD set name, or the file env names instead. */
static void
load_ud(struct sentences *s, const char *name, const char *env)
{
	char path[512], *p, *nl;
	const char *other = getenv(env);
	size_t len;

	if (other != NULL && *other != '\0') {
		snprintf(path, sizeof(path), "%s", other);
		s->substituted = 1;
	} else
		snprintf(path, sizeof(path), "%s/corpus/ud-zh/%s",
		    TM_SHARED_DIR, name);
	s->text = tm_test_slurp(path, &len);
	for (p = s->text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		if (nl > p)
			add_line(s, p);
	}
}

static struct sentences *
get_set(enum set which)
{
	struct sentences *s = &sets[which];
	size_t i;

	if (s->n > 0)
		return s;
	switch (which) {
	case LATIN:
		load_heldout(s, "heldout-latin.txt");
		break;
	case CYRILLIC:
		load_heldout(s, "heldout-cyrillic.txt");
		break;
	case OTHER:
		load_heldout(s, "heldout-other.txt");
		break;
	case HANS:
		load_ud(s, "dev.hans.txt", "TM_HELDOUT_HANS");
		break;
	case HANT:
		load_ud(s, "dev.hant.txt", "TM_HELDOUT_HANT");
		break;
	default:
		get_set(HANS);
		get_set(HANT);
		for (i = 0; i < sets[HANS].n; i++)
			add_line(s, sets[HANS].line[i]);
		for (i = 0; i < sets[HANT].n; i++)
			add_line(s, sets[HANT].line[i]);
		s->substituted = sets[HANS].substituted ||
		    sets[HANT].substituted;
		break;
	}
	CHECK(s->n > 0);
	return s;
}

static UChar *
to_uchars(const char *s, size_t n, int32_t *len)
{
	UErrorCode err = U_ZERO_ERROR;
	UChar *u = malloc((n + 1) * sizeof(UChar));

	if (u == NULL)
		exit(2);
	u_strFromUTF8(u, (int32_t)n + 1, len, s, (int32_t)n, &err);
	CHECK(U_SUCCESS(err));
	return u;
}

/*
 * Write UTF-8 text s in charset to out. Returns 0, or -1 when a character
 * has no mapping there.
 */
static int
encode(const char *charset, const char *s, struct tm_buf *out)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *c;
	UChar *u;
	int32_t ulen, n;
	size_t cap;

	tm_buf_reset(out);
	if (strcmp(charset, "UTF-8") == 0)
		return tm_buf_puts(out, s) == 0 ? 0 : -1;
	u = to_uchars(s, strlen(s), &ulen);
	c = ucnv_open(charset, &err);
	CHECK(U_SUCCESS(err));
	if (U_FAILURE(err)) {
		free(u);
		return -1;
	}
	ucnv_setFromUCallBack(c, UCNV_FROM_U_CALLBACK_STOP, NULL, NULL, NULL,
	    &err);
	cap = (size_t)ulen * 4 + 16;
	CHECK(tm_buf_reserve(out, cap) == 0);
	n = ucnv_fromUChars(c, out->ptr, (int32_t)cap, u, ulen, &err);
	ucnv_close(c);
	free(u);
	if (U_FAILURE(err))
		return -1;
	out->len = (size_t)n;
	out->ptr[n] = '\0';
	return 0;
}

/*
 * Read n bytes as a strict double-byte decoder does, much as Python's do
 * (their tables differ from ICU's in a few symbols, ～ for ∼ and the like):
 * a pair of a lead and a trail in the charset's ranges (Big5: A1..F9,
 * then 40..7E or A1..FE; GBK: 81..FE, then 40..7E or 80..FE) is read as
 * charset reads it; any other byte, or a pair charset has no character
 * for (or only a private-use one), becomes one mark (U+FFFD, or "?" as
 * Python's decoded text written again to a legacy charset has it) and
 * the next byte is read afresh. Appends UTF-8 to out; returns the number
 * of marks written.
 */
static int
decode_strict_pairs(const char *charset, const char *in, size_t n,
    uint32_t mark, struct tm_buf *out)
{
	int big5 = strcmp(charset, "Big5") == 0;
	unsigned lead_lo = big5 ? 0xA1 : 0x81, lead_hi = big5 ? 0xF9 : 0xFE;
	unsigned trail_lo = big5 ? 0xA1 : 0x80;
	UErrorCode err = U_ZERO_ERROR;
	UConverter *c = ucnv_open(charset, &err);
	const unsigned char *u = (const unsigned char *)in;
	UChar one[4];
	int32_t k;
	size_t i = 0;
	int subs = 0;

	CHECK(U_SUCCESS(err));
	if (U_FAILURE(err))
		return 0;
	while (i < n) {
		if (u[i] < 0x80) {
			tm_buf_putc(out, (char)u[i++]);
			continue;
		}
		k = 0;
		if (i + 1 < n && u[i] >= lead_lo && u[i] <= lead_hi &&
		    ((u[i + 1] >= 0x40 && u[i + 1] <= 0x7E) ||
		    (u[i + 1] >= trail_lo && u[i + 1] <= 0xFE))) {
			err = U_ZERO_ERROR;
			ucnv_reset(c);
			k = ucnv_toUChars(c, one, 4, in + i, 2, &err);
		}
		if (k == 1 && U_SUCCESS(err) && one[0] != 0xFFFD &&
		    one[0] != 0x1A && !(one[0] >= 0xE000 && one[0] <= 0xF8FF)) {
			tm_buf_put_utf8(out, one[0]);
			i += 2;
		} else {
			tm_buf_put_utf8(out, mark);
			subs++;
			i++;
		}
	}
	ucnv_close(c);
	return subs;
}

/*
 * Read n bytes as charset, appending UTF-8 to out; what ICU could not
 * decode (U+FFFD), and in strict windows-125x the undefined bytes it
 * keeps as C1, become sub. Returns the number of substitutions.
 */
static int
decode(const char *charset, const char *in, size_t n, enum sub sub,
    struct tm_buf *out)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *c;
	UChar *u;
	int32_t ulen, i;
	int subs = 0, c1_undefined = strncmp(charset, "windows-", 8) == 0;

	if (sub == SUB_QMARK_BYTE || sub == SUB_FFFD_BYTE)
		return decode_strict_pairs(charset, in, n,
		    sub == SUB_QMARK_BYTE ? '?' : 0xFFFD, out);
	c = ucnv_open(charset, &err);
	CHECK(U_SUCCESS(err));
	if (U_FAILURE(err))
		return 0;
	if ((u = malloc((n + 1) * sizeof(UChar) * 2)) == NULL)
		exit(2);
	ulen = ucnv_toUChars(c, u, (int32_t)(n + 1) * 2, in, (int32_t)n,
	    &err);
	CHECK(U_SUCCESS(err));
	ucnv_close(c);
	for (i = 0; U_SUCCESS(err) && i < ulen; i++) {
		unsigned cp = u[i];

		if (U16_IS_LEAD(u[i]) && i + 1 < ulen &&
		    U16_IS_TRAIL(u[i + 1])) {
			cp = U16_GET_SUPPLEMENTARY(u[i], u[i + 1]);
			i++;
		}
		if (cp == 0xFFFD || (c1_undefined && sub != SUB_C1 &&
		    cp >= 0x80 && cp < 0xA0)) {
			subs++;
			if (sub == SUB_QMARK)
				cp = '?';
			else if (sub == SUB_KUNJINKAO) {
				tm_buf_puts(out, "锟斤拷");
				continue;
			} else
				cp = 0xFFFD;
		}
		tm_buf_put_utf8(out, cp);
	}
	free(u);
	return subs;
}

/*
 * Break clean the way k says into out. Returns the substitutions (0: the
 * corruption lost nothing), or -1 when the text cannot be written in k's
 * charset.
 */
static int
corrupt(const struct confusion *k, const char *clean, struct tm_buf *out)
{
	struct tm_buf bytes;
	int subs;

	tm_buf_init(&bytes, TM_BUF_DEFAULT_MAX);
	tm_buf_reset(out);
	if (encode(k->from, clean, &bytes) != 0) {
		tm_buf_release(&bytes);
		return -1;
	}
	subs = decode(k->as, bytes.ptr, bytes.len, k->sub, out);
	if (k->twice) {
		tm_buf_reset(&bytes);
		tm_buf_append(&bytes, out->ptr, out->len);
		tm_buf_reset(out);
		subs += decode(k->as, bytes.ptr, bytes.len, k->sub, out);
	}
	tm_buf_release(&bytes);
	return subs;
}

/* The code points of s (malloc'ed) and their number. */
static uint32_t *
code_points(const char *s, size_t *n)
{
	const char *p = s, *end = s + strlen(s);
	uint32_t *cp = malloc((strlen(s) + 1) * sizeof(*cp));

	if (cp == NULL)
		exit(2);
	*n = 0;
	while (p < end)
		cp[(*n)++] = tm_utf8_next(&p, end);
	return cp;
}

/* Levenshtein distance between a and b, in characters. */
static long long
distance(const char *a, const char *b)
{
	size_t na, nb, i, j;
	uint32_t *ca = code_points(a, &na), *cb = code_points(b, &nb);
	uint32_t *x = ca, *y = cb;
	size_t *row;
	long long d;

	/* The common ends cost nothing. */
	while (na > 0 && nb > 0 && *x == *y) {
		x++, y++;
		na--, nb--;
	}
	while (na > 0 && nb > 0 && x[na - 1] == y[nb - 1])
		na--, nb--;
	if ((row = malloc((nb + 1) * sizeof(*row))) == NULL)
		exit(2);
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= nb; j++) {
			up = row[j];
			row[j] = diag + (x[i - 1] != y[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	d = (long long)row[nb];
	free(row);
	free(ca);
	free(cb);
	return d;
}

static unsigned
examples(void)
{
	const char *e = getenv("TM_HELDOUT_SHOW");

	return e != NULL ? (unsigned)atoi(e) : 2;
}

/* Byte offset where a and b first differ, at a character start. */
static size_t
first_diff(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] != '\0' && a[i] == b[i])
		i++;
	while (i > 0 && (a[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/*
 * About 160 bytes of s from a little before byte offset at, cut at
 * character boundaries, newlines shown as "⏎".
 */
static void
show(const char *label, const char *s, size_t at)
{
	size_t len = strlen(s), from = at > 60 ? at - 60 : 0, to, i;

	while (from > 0 && (s[from] & 0xC0) == 0x80)
		from--;
	to = from + 160 < len ? from + 160 : len;
	while (to < len && (s[to] & 0xC0) == 0x80)
		to--;
	fprintf(stderr, "    %-7s%s", label, from > 0 ? "…" : "");
	for (i = from; i < to; i++)
		if (s[i] == '\n')
			fputs(i + 1 < len ? "⏎" : "", stderr);
		else
			fputc(s[i], stderr);
	fputs(to < len ? "…\n" : "\n", stderr);
}

/* s as one tab-separated field: its tabs and newlines as spaces. */
static void
dump_field(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

/* One case to the file TM_HELDOUT_DUMP names, if it does (opened once,
   for the whole run; the exit flushes it). */
static void
dump(const struct tally *t, int ok, long long before, long long after,
    const char *clean, const char *broken, const char *got)
{
	static FILE *f;
	static int opened;
	const char *name;

	if (!opened) {
		opened = 1;
		if ((name = getenv("TM_HELDOUT_DUMP")) != NULL &&
		    *name != '\0')
			f = fopen(name, "a");
	}
	if (f == NULL)
		return;
	fprintf(f, "%s\t%d\t%lld\t%lld\t", t->name, ok, before, after);
	dump_field(f, clean);
	fputc('\t', f);
	dump_field(f, broken);
	fputc('\t', f);
	dump_field(f, got);
	fputc('\n', f);
}

/* How many U+FFFD s holds. */
static long long
count_fffd(const char *s)
{
	long long n = 0;

	while ((s = strstr(s, "\xEF\xBF\xBD")) != NULL) {
		n++;
		s += 3;
	}
	return n;
}

/*
 * Of the errors (after: the edit distance) left in got, those that are
 * not a U+FFFD: each U+FFFD is one error at most, so the rest are
 * characters written wrong or dropped without a trace.
 */
static long long
silent(const char *got, const char *clean, long long after)
{
	long long visible = count_fffd(got) - count_fffd(clean);

	return after > visible ? after - visible : 0;
}

/* Repair broken; compare with clean; count in t. */
static void
score(struct tally *t, const char *clean, const char *broken, int lossy)
{
	char *got = tm_test_clean("mojibake", "decode.from-code=UTF-8", broken,
	    NULL, NULL), *off;
	int ok = strcmp(got, clean) == 0;
	long long before = 0, after = 0, d;

	if (lossy) {
		before = distance(broken, clean);
		after = distance(got, clean);
		t->lossy++;
		t->lossy_exact += ok;
		t->dist_broken += before;
		t->dist_got += after;
		t->silent += silent(got, clean, after);
		off = tm_test_clean("mojibake", "decode.from-code=UTF-8\n"
		    "mojibake.guess=off", broken, NULL, NULL);
		d = distance(off, clean);
		t->dist_off += d;
		t->silent_off += silent(off, clean, d);
		free(off);
	} else {
		t->lossless++;
		t->exact += ok;
	}
	dump(t, ok, before, after, clean, broken, got);
	if (!ok && t->shown < examples()) {
		t->shown++;
		fprintf(stderr, "  %s miss:\n", t->name);
		show("broken", broken, first_diff(broken, clean));
		show("got", got, first_diff(got, clean));
		show("want", clean, first_diff(got, clean));
	}
	free(got);
}

static const struct floor *
floor_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(floors) / sizeof(floors[0]); i++)
		if (strcmp(floors[i].confusion, name) == 0)
			return &floors[i];
	return NULL;
}

static void
header(void)
{
	printf("%-32s %6s %8s %7s %6s %7s %8s %7s %8s %7s %s\n", "confusion",
	    "cases", "lossless", "exact", "lossy", "exact", "removed", "silent",
	    "off:rem", "silent", "floors");
}

static double
pct(long long a, long long b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/* Print t's line and hold it to its floors. */
static void
report(const struct tally *t)
{
	const struct floor *f = floor_of(t->name);
	long long removed = t->dist_broken - t->dist_got;
	char m[128];

	printf("%-32s %6u %8u %6.1f%% %6u %6.1f%% %7.1f%% %6.1f%% %7.1f%% "
	    "%6.1f%% %d/%d\n", t->name, t->lossless + t->lossy, t->lossless,
	    pct(t->exact, t->lossless), t->lossy,
	    pct(t->lossy_exact, t->lossy), pct(removed, t->dist_broken),
	    pct(t->silent, t->dist_broken),
	    pct(t->dist_broken - t->dist_off, t->dist_broken),
	    pct(t->silent_off, t->dist_broken), f ? f->exact : -1,
	    f ? f->removed : -1);
	CHECK(f != NULL);
	CHECK(t->lossless + t->lossy > 0);
	if (t->silent_off > t->silent) {
		snprintf(m, sizeof(m), "%s: more silent errors not guessing",
		    t->name);
		tm_test_fail(__FILE__, __LINE__, m);
	}
	if (f == NULL || t->substituted)
		return;
	if (t->lossless > 0 && (long long)t->exact * 100 <
	    (long long)f->exact * t->lossless) {
		snprintf(m, sizeof(m), "%s: exact below its floor", t->name);
		tm_test_fail(__FILE__, __LINE__, m);
	}
	if (t->lossy > 0 && removed * 100 < (long long)f->removed *
	    t->dist_broken) {
		snprintf(m, sizeof(m), "%s: errors removed below its floor",
		    t->name);
		tm_test_fail(__FILE__, __LINE__, m);
	}
}

/* Every sentence of k's set broken as k says, one case each. */
static void
run_confusion(const struct confusion *k)
{
	struct sentences *s = get_set(k->set);
	struct tally t;
	struct tm_buf clean, broken;
	size_t i;
	int subs;

	memset(&t, 0, sizeof(t));
	t.name = k->name;
	t.substituted = s->substituted;
	tm_buf_init(&clean, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&broken, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < s->n; i++) {
		if ((subs = corrupt(k, s->line[i], &broken)) < 0)
			continue;
		if (strcmp(broken.ptr, s->line[i]) == 0 ||
		    (k->only == LOSSY_ONLY && subs == 0))
			continue;
		tm_buf_putc(&broken, '\n');
		tm_buf_reset(&clean);
		tm_buf_printf(&clean, "%s\n", s->line[i]);
		score(&t, clean.ptr, broken.ptr, subs > 0);
	}
	report(&t);
	tm_buf_release(&clean);
	tm_buf_release(&broken);
}

static void
run_all(const struct confusion *k, size_t n)
{
	size_t i;

	header();
	for (i = 0; i < n; i++)
		run_confusion(&k[i]);
}

TM_TEST(clean_unchanged)
{
	static const enum set which[] = { LATIN, CYRILLIC, OTHER, HANS, HANT };
	struct tally one, doc;
	struct tm_buf text;
	struct sentences *s;
	size_t w, i;

	memset(&one, 0, sizeof(one));
	memset(&doc, 0, sizeof(doc));
	one.name = "clean sentences";
	doc.name = "clean documents";
	tm_buf_init(&text, TM_BUF_DEFAULT_MAX);
	header();
	for (w = 0; w < sizeof(which) / sizeof(which[0]); w++) {
		s = get_set(which[w]);
		one.substituted |= s->substituted;
		doc.substituted |= s->substituted;
		for (i = 0; i < s->n; i++) {
			tm_buf_reset(&text);
			tm_buf_printf(&text, "%s\n", s->line[i]);
			score(&one, text.ptr, text.ptr, 0);
		}
		/* Six sentences to a document, as lines or one paragraph. */
		for (i = 0; i + 6 <= s->n; i += 6) {
			size_t j;

			tm_buf_reset(&text);
			for (j = i; j < i + 6; j++)
				tm_buf_printf(&text, "%s%s", s->line[j],
				    j + 1 == i + 6 || (i / 6) % 2 ? "\n" :
				    which[w] >= HANS ? "" : " ");
			score(&doc, text.ptr, text.ptr, 0);
		}
	}
	report(&one);
	report(&doc);
	tm_buf_release(&text);
}

TM_TEST(latin)
{
	static const struct confusion k[] = {
		{ "latin utf8-as-cp1252", LATIN, "UTF-8", "windows-1252",
		  SUB_FFFD, 0, ALL },
		{ "latin utf8-as-cp1252-sloppy", LATIN, "UTF-8",
		  "windows-1252", SUB_C1, 0, ALL },
		{ "latin utf8-as-latin1", LATIN, "UTF-8", "ISO-8859-1",
		  SUB_C1, 0, ALL },
		{ "latin utf8-as-cp1250", LATIN, "UTF-8", "windows-1250",
		  SUB_FFFD, 0, ALL },
		{ "latin utf8-as-macroman", LATIN, "UTF-8", "macintosh",
		  SUB_FFFD, 0, ALL },
		{ "latin utf8-as-cp437", LATIN, "UTF-8", "IBM437", SUB_FFFD,
		  0, ALL },
		{ "latin utf8-as-cp1252-twice", LATIN, "UTF-8",
		  "windows-1252", SUB_C1, 1, ALL },
	};

	run_all(k, sizeof(k) / sizeof(k[0]));
}

TM_TEST(cyrillic)
{
	static const struct confusion k[] = {
		{ "cyrillic utf8-as-cp1251", CYRILLIC, "UTF-8",
		  "windows-1251", SUB_FFFD, 0, ALL },
		{ "cyrillic utf8-as-cp1251-sloppy", CYRILLIC, "UTF-8",
		  "windows-1251", SUB_C1, 0, ALL },
		{ "cyrillic utf8-as-cp1252", CYRILLIC, "UTF-8",
		  "windows-1252", SUB_FFFD, 0, ALL },
		{ "cyrillic utf8-as-cp1252-sloppy", CYRILLIC, "UTF-8",
		  "windows-1252", SUB_C1, 0, ALL },
		{ "cyrillic utf8-as-latin1", CYRILLIC, "UTF-8", "ISO-8859-1",
		  SUB_C1, 0, ALL },
		{ "cyrillic utf8-as-cp1250", CYRILLIC, "UTF-8",
		  "windows-1250", SUB_FFFD, 0, ALL },
		{ "cyrillic utf8-as-macroman", CYRILLIC, "UTF-8", "macintosh",
		  SUB_FFFD, 0, ALL },
		{ "cyrillic utf8-as-cp437", CYRILLIC, "UTF-8", "IBM437",
		  SUB_FFFD, 0, ALL },
		{ "cyrillic utf8-as-cp1252-twice", CYRILLIC, "UTF-8",
		  "windows-1252", SUB_C1, 1, ALL },
	};

	run_all(k, sizeof(k) / sizeof(k[0]));
}

TM_TEST(chinese_as_single_byte)
{
	static const struct confusion k[] = {
		{ "chinese utf8-as-cp1252", HAN, "UTF-8", "windows-1252",
		  SUB_FFFD, 0, ALL },
		{ "chinese utf8-as-cp1252-sloppy", HAN, "UTF-8",
		  "windows-1252", SUB_C1, 0, ALL },
		{ "chinese utf8-as-latin1", HAN, "UTF-8", "ISO-8859-1",
		  SUB_C1, 0, ALL },
		{ "chinese gbk-as-latin1", HAN, "GBK", "ISO-8859-1", SUB_C1,
		  0, ALL },
		{ "chinese gbk-as-cp1252", HAN, "GBK", "windows-1252",
		  SUB_FFFD, 0, ALL },
		{ "chinese gbk-as-cp1252-sloppy", HAN, "GBK", "windows-1252",
		  SUB_C1, 0, ALL },
	};

	run_all(k, sizeof(k) / sizeof(k[0]));
}

TM_TEST(chinese_as_gbk)
{
	static const struct confusion k[] = {
		{ "chinese utf8-as-gbk", HAN, "UTF-8", "GBK", SUB_QMARK, 0,
		  ALL },
		{ "chinese utf8-as-gbk-fffd", HAN, "UTF-8", "GBK", SUB_FFFD,
		  0, LOSSY_ONLY },
		{ "chinese utf8-as-gbk-kunjinkao", HAN, "UTF-8", "GBK",
		  SUB_KUNJINKAO, 0, LOSSY_ONLY },
		{ "chinese utf8-as-gbk-strict", HAN, "UTF-8", "GBK",
		  SUB_FFFD_BYTE, 0, ALL },
		{ "chinese utf8-as-gb18030", HAN, "UTF-8", "GB18030",
		  SUB_QMARK, 0, ALL },
	};

	run_all(k, sizeof(k) / sizeof(k[0]));
}

TM_TEST(chinese_big5)
{
	static const struct confusion k[] = {
		{ "chinese big5-as-gbk", HANT, "Big5", "GBK", SUB_QMARK, 0,
		  ALL },
		{ "chinese utf8-as-big5", HANT, "UTF-8", "Big5", SUB_QMARK, 0,
		  ALL },
		{ "chinese utf8-as-big5-strict", HANT, "UTF-8", "Big5",
		  SUB_QMARK_BYTE, 0, ALL },
	};

	run_all(k, sizeof(k) / sizeof(k[0]));
}

/*
 * The GBK bytes of a sentence, the lead byte of one character that is
 * not ASCII (not the first of the sentence; a mark as often as it comes,
 * as in seed 001, where 。 and ” lost theirs) turned to "?", read as GBK
 * with what cannot pair becoming "?". With fold, the fullwidth forms of
 * the garbled run (between what the start and the end of the sentence
 * kept) are folded to ASCII, as the pipeline of seed 001 did.
 */
static int
misalign(const char *clean, int fold, struct tm_buf *out)
{
	struct tm_buf bytes, one;
	const char *p = clean, *end = clean + strlen(clean);
	size_t at[1024], n = 0, off, pre, suf;
	uint32_t *cb, *cc;
	size_t nb, nc, i;

	tm_buf_init(&bytes, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&one, 64);
	if (encode("GBK", clean, &bytes) != 0)
		goto fail;
	/* The GBK offset of each character that is not ASCII. */
	for (off = 0; p < end && n < 1024;) {
		const char *q = p;
		char ch[8];
		unsigned cp = tm_utf8_next(&p, end);

		memcpy(ch, q, (size_t)(p - q));
		ch[p - q] = '\0';
		if (encode("GBK", ch, &one) != 0)
			goto fail;
		if (cp >= 0x80 && q != clean)
			at[n++] = off;
		off += one.len;
	}
	if (n == 0)
		goto fail;
	bytes.ptr[at[rnd((unsigned)n)]] = '?';
	tm_buf_reset(out);
	decode("GBK", bytes.ptr, bytes.len, SUB_QMARK, out);
	if (fold) {
		cb = code_points(out->ptr, &nb);
		cc = code_points(clean, &nc);
		for (pre = 0; pre < nb && pre < nc && cb[pre] == cc[pre]; pre++)
			;
		for (suf = 0; suf < nb - pre && suf < nc - pre &&
		    cb[nb - 1 - suf] == cc[nc - 1 - suf]; suf++)
			;
		tm_buf_reset(out);
		for (i = 0; i < nb; i++)
			tm_buf_put_utf8(out, i >= pre && i < nb - suf &&
			    cb[i] >= 0xFF01 && cb[i] <= 0xFF5E ?
			    cb[i] - 0xFEE0 : cb[i]);
		free(cb);
		free(cc);
	}
	tm_buf_release(&bytes);
	tm_buf_release(&one);
	return 0;
fail:
	tm_buf_release(&bytes);
	tm_buf_release(&one);
	return -1;
}

TM_TEST(chinese_misaligned)
{
	static const char *const names[] = { "chinese gbk-misaligned",
	    "chinese gbk-misaligned-folded" };
	struct sentences *s = get_set(HAN);
	struct tm_buf clean, broken;
	struct tally t;
	size_t i;
	int fold;

	tm_buf_init(&clean, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&broken, TM_BUF_DEFAULT_MAX);
	header();
	seed();
	for (fold = 0; fold < 2; fold++) {
		memset(&t, 0, sizeof(t));
		t.name = names[fold];
		t.substituted = s->substituted;
		for (i = 0; i < s->n; i++) {
			if (misalign(s->line[i], fold, &broken) != 0 ||
			    strcmp(broken.ptr, s->line[i]) == 0)
				continue;
			tm_buf_putc(&broken, '\n');
			tm_buf_reset(&clean);
			tm_buf_printf(&clean, "%s\n", s->line[i]);
			score(&t, clean.ptr, broken.ptr, 1);
		}
		report(&t);
	}
	tm_buf_release(&clean);
	tm_buf_release(&broken);
}

/*
 * Documents of six sentences, two of them broken (each by one of the
 * group's usual confusions), the rest clean: as lines, or run together
 * as one paragraph.
 */
static void
run_mixed(const char *name, enum set set, const struct confusion *k,
    size_t nk, const char *joiner)
{
	struct sentences *s = get_set(set);
	struct tm_buf clean, broken, part;
	struct tally t;
	size_t i, j, bad1, bad2;
	int subs, lossy, usable;

	memset(&t, 0, sizeof(t));
	t.name = name;
	t.substituted = s->substituted;
	tm_buf_init(&clean, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&broken, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&part, TM_BUF_DEFAULT_MAX);
	for (i = 0; i + 6 <= s->n; i += 6) {
		const char *sep = (i / 6) % 2 ? "\n" : joiner;
		const struct confusion *c = &k[rnd((unsigned)nk)];

		bad1 = rnd(6);
		bad2 = (bad1 + 1 + rnd(5)) % 6;
		tm_buf_reset(&clean);
		tm_buf_reset(&broken);
		lossy = 0;
		usable = 1;
		for (j = 0; j < 6; j++) {
			const char *end = j == 5 ? "\n" : sep;

			tm_buf_printf(&clean, "%s%s", s->line[i + j], end);
			if (j != bad1 && j != bad2) {
				tm_buf_printf(&broken, "%s%s", s->line[i + j],
				    end);
				continue;
			}
			if ((subs = corrupt(c, s->line[i + j], &part)) < 0) {
				usable = 0;
				break;
			}
			lossy |= subs > 0;
			tm_buf_printf(&broken, "%s%s", part.ptr, end);
		}
		if (usable && strcmp(clean.ptr, broken.ptr) != 0)
			score(&t, clean.ptr, broken.ptr, lossy);
	}
	report(&t);
	tm_buf_release(&clean);
	tm_buf_release(&broken);
	tm_buf_release(&part);
}

TM_TEST(mixed)
{
	static const struct confusion latin[] = {
		{ "", LATIN, "UTF-8", "windows-1252", SUB_C1, 0, ALL },
		{ "", LATIN, "UTF-8", "windows-1252", SUB_FFFD, 0, ALL },
		{ "", LATIN, "UTF-8", "ISO-8859-1", SUB_C1, 0, ALL },
	}, cyrillic[] = {
		{ "", CYRILLIC, "UTF-8", "windows-1251", SUB_C1, 0, ALL },
		{ "", CYRILLIC, "UTF-8", "windows-1252", SUB_C1, 0, ALL },
	}, chinese[] = {
		{ "", HAN, "UTF-8", "GBK", SUB_QMARK, 0, ALL },
		{ "", HAN, "UTF-8", "windows-1252", SUB_C1, 0, ALL },
		{ "", HAN, "GBK", "ISO-8859-1", SUB_C1, 0, ALL },
	};

	header();
	seed();
	run_mixed("latin mixed", LATIN, latin, 3, " ");
	run_mixed("cyrillic mixed", CYRILLIC, cyrillic, 2, " ");
	run_mixed("chinese mixed", HAN, chinese, 3, "");
}
