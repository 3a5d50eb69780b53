/*
 * reflow.c - join what OCR or page columns broke apart, keep what the
 * author separated.
 *
 * Phase 6, after layout (which removes the pull quotes and markers that
 * sit inside broken sentences). Two kinds of break are joined:
 *   - a paragraph break (blank line) inside a sentence, as a column or
 *     page break leaves it: seed 003 "加强对乡" / "村振兴重点任务…",
 *     seed 004 "远近" / "闻名的基层治理示范社区。". The paragraph before
 *     must not end a sentence, and must be a body paragraph (it ends with
 *     a comma or enumeration mark, or is at least MIN_BODY letters long),
 *     and the one after must not look like a heading (short, without
 *     final punctuation), a byline or a list item; a list item ("一、",
 *     "(1)", "①", "•") or an inline enumeration of short parallel items
 *     ("：中国金钱松，日本金松，日本南洋杉") ends without a full stop, so
 *     it is joined only when the break cuts a word in two;
 *   - hard-wrapped lines of a paragraph (OCR output, one line per printed
 *     line): only in a document whose line lengths say it is hard-wrapped
 *     (most lines close to the same maximum length), a full line is joined
 *     with the next unless that one is indented or starts a list.
 * Chinese joins without a space, Latin with one; "exam-" / "ple" is
 * dehyphenated when hunspell's dictionary (reflow.dictionary) knows
 * "example", "well-" / "known" keeps its hyphen when it knows both halves
 * but not "wellknown", and anything else keeps it and is reported; with
 * no dictionary installed a list of prefixes written with a hyphen
 * decides, as it did before, and the report says so. A character doubled across the break (seed 002 "因地制宜" /
 * "宜将") loses its copy when ICU's dictionary word break says the
 * doubled form is not a word. The paragraph separator style (blank line
 * or single newline) is kept, since only breaks are removed.
 *
 * It also reports, without changing them, what only looks broken: OCR
 * stutters (党组组组高校, 最深情的律律), a lone lower-case Latin word inside
 * Chinese (社会组织 and 律师), and U+FFFD replacement characters.
 *
 * The last line of a segment is held back until the next segment shows
 * what follows it, with the blank lines after it, up to MAX_GAP bytes of
 * them: no column or page break leaves more, and holding an endless run
 * of blank lines would cost memory and time for each segment. A line
 * longer than TM_LINE_MAX is not held either: no wrapped line, and no
 * paragraph a column break split, is that long, and a file that is one
 * enormous line would otherwise be held whole.
 *
 * Speed: every byte is looked at once by find_suspects
 * and lines are found with memchr; letters are counted only when a
 * decision needs them (the line-length histogram counts characters, a
 * word at a time), and ICU's word break iterator (a clone of the
 * process's, see wordbreak.c) and the dictionary are opened once per
 * document, at the first question. Pure and
 * reentrant (the dictionary is read from disk when first needed); runs
 * on the daemon's threadpool.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"
#include "spell.h"
#include "wordbreak.h"

#define MIN_BODY 36		/* letters of a body paragraph */
#define MAX_HEADING 30		/* letters of a heading, at most */
#define MIN_CLAUSES 20		/* letters of a paragraph with commas */
#define MIN_WORD_SPLIT 8	/* letters before a break inside a word */
#define MAX_ITEM 8		/* letters of an item of an inline list */
#define MAX_ITEMS 8		/* items of an inline list looked at */
#define HIST 256		/* line lengths counted up to this */
#define WRAP_SAMPLE 8		/* lines needed to call a document wrapped */
#define MAX_GAP 4096		/* bytes of blank lines a break may hold */

struct reflow_state {
	int paragraphs, lines, suspects;
	struct tm_buf held;	/* last line of the previous segment, on */
	struct tm_buf work;
	size_t cont_letters;	/* letters of the paragraph held continues */
	int cont_commas;	/* and its commas */
	int cont_item;		/* and whether it is a list item */
	int held_cont;		/* held is the continuation of a join */
	unsigned hist[HIST];
	unsigned nlines;
	int wrapped;		/* -1 not decided yet */
	unsigned max_len;	/* the wrapping width, in characters */
	struct tm_wordbreak *wb;	/* opened at the first question */
	int wb_failed;		/* ICU could not open one: never ask */
	char dictionary[64];	/* hunspell's, for dehyphenation; "" none */
	struct tm_spell *spell;	/* at the first hyphen; the process keeps it */
	unsigned spell_tried:1;	/* and not opened again if that failed */
	unsigned spell_said:1;	/* its absence reported once */
};

static const struct tm_option_desc reflow_options[] = {
	{ "paragraphs", TM_OPT_BOOL, "on", NULL,
	  "join paragraphs split by a blank line inside a sentence" },
	{ "lines", TM_OPT_BOOL, "on", NULL,
	  "join hard-wrapped lines in documents that are hard-wrapped" },
	{ "suspects", TM_OPT_BOOL, "on", NULL,
	  "report OCR stutters, stray Latin words and U+FFFD" },
	{ "dictionary", TM_OPT_STRING, "en_US", NULL,
	  "hunspell dictionary that decides \"exam-\"/\"ple\" (a language "
	  "installed by Debian's hunspell-* packages, or a path without "
	  ".aff/.dic); off, or not installed: a list of prefixes kept with "
	  "a hyphen" },
	{ NULL, 0, NULL, NULL, NULL }
};

struct line {
	const char *start, *end;	/* content, blanks trimmed */
	const char *body;		/* start of the content as read */
	const char *raw;		/* start of the line */
	const char *next;		/* start of the following line */
	unsigned first, last;		/* first and last character */
	/* Counted only when a decision needs them (measure()). */
	int measured;
	size_t letters, chars;
	int commas;			/* clause commas inside the line */
};

/* Letters and commas of the paragraph being built, counted up to `to`
   when a decision needs them: most never do. */
struct tally {
	const char *to;
	size_t letters;
	int commas;
};

/*
 * Decoding is the hot loop of this filter, so the two common cases (ASCII
 * and three-byte sequences, all of Chinese) are decoded here, validated
 * as tm_utf8_next would; anything else goes to it.
 */
static inline unsigned
next_cp(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	unsigned cp;

	if (p[0] < 0x80) {
		*pp += 1;
		return p[0];
	}
	if ((p[0] & 0xF0) == 0xE0 && end - *pp >= 3 &&
	    (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) |
		    (p[2] & 0x3Fu);
		if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
			*pp += 3;
			return cp;
		}
	}
	return tm_utf8_next(pp, end);
}

static inline unsigned
prev_cp(const char **pp, const char *start)
{
	const unsigned char *p = (const unsigned char *)*pp;
	unsigned cp;

	if (p[-1] < 0x80) {
		*pp -= 1;
		return p[-1];
	}
	if (*pp - start >= 3 && (p[-1] & 0xC0) == 0x80 &&
	    (p[-2] & 0xC0) == 0x80 && (p[-3] & 0xF0) == 0xE0) {
		cp = ((p[-3] & 0x0Fu) << 12) | ((p[-2] & 0x3Fu) << 6) |
		    (p[-1] & 0x3Fu);
		if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
			*pp -= 3;
			return cp;
		}
	}
	return tm_utf8_prev(pp, start);
}

/* tm_is_han, with the answer for the unified block inline. */
static inline int
han(unsigned cp)
{
	if (cp >= 0x4E00 && cp <= 0x9FFF)
		return 1;
	return cp >= 0x3007 && tm_is_han(cp);
}

static int
blank_cp(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == 0x3000 ||
	    cp == 0xA0;
}

static int
is_latin(unsigned cp)
{
	return (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) ||
	    (cp >= 0xC0 && cp < 0x250 && cp != 0xD7 && cp != 0xF7);
}

static int
is_lower(unsigned cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp < 0x100 &&
	    cp != 0xF7);
}

static int
is_letter(unsigned cp)
{
	return han(cp) || is_latin(cp) || (cp >= '0' && cp <= '9') ||
	    (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7A3);
}

static int
ends_sentence(unsigned cp)
{
	static const unsigned finals[] = {
		0x3002, 0xFF01, 0xFF1F, '!', '?', '.', 0x2026, 0x201D, 0x2019,
		0x300D, 0x300F, 0xFF09, ')', 0xFF1A, ':', 0xFF1B, ';', '"',
		0x300B, 0xFF0E, 0x3011,
	};
	size_t i;

	for (i = 0; i < sizeof(finals) / sizeof(finals[0]); i++)
		if (cp == finals[i])
			return 1;
	return 0;
}

/* Read the line at p: trimmed content, first and last character. */
static void
read_line(const char *p, const char *end, struct line *l)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *q;

	l->raw = p;
	l->next = nl ? nl + 1 : end;
	l->start = p;
	l->end = nl ? nl : end;
	while (l->start < l->end) {
		q = l->start;
		if (!blank_cp(next_cp(&q, l->end)))
			break;
		l->start = q;
	}
	while (l->end > l->start) {
		q = l->end;
		if (!blank_cp(prev_cp(&q, l->start)))
			break;
		l->end = q;
	}
	l->body = l->start;
	l->first = l->last = 0;
	l->measured = 0;
	if (l->start < l->end) {
		q = l->start;
		l->first = next_cp(&q, l->end);
		q = l->end;
		l->last = prev_cp(&q, l->start);
	}
}

/* Letters, characters and clause commas of [p, end). */
static void
count(const char *p, const char *end, size_t *letters, size_t *chars,
    int *commas)
{
	unsigned cp;

	while (p < end) {
		cp = next_cp(&p, end);
		(*chars)++;
		*letters += is_letter(cp);
		*commas += cp == 0xFF0C || cp == ',';
	}
}

/* Count the letters, characters and commas of the line as read. */
static void
measure(struct line *l)
{
	if (l->measured)
		return;
	l->letters = l->chars = 0;
	l->commas = 0;
	count(l->body, l->end, &l->letters, &l->chars, &l->commas);
	l->measured = 1;
}

/* Extend the paragraph's tally to `to`. Blanks and newlines are neither
   letters nor commas, so a range counts as the lines in it would. */
static void
tally_to(struct tally *t, const char *to)
{
	size_t chars = 0;

	if (to > t->to)
		count(t->to, to, &t->letters, &chars, &t->commas);
	if (to > t->to)
		t->to = to;
}

/* Bytes of s at p (p < end), or 0. */
static size_t
has(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0 ? n : 0;
}

static int
cjk_numeral(unsigned cp)
{
	return cp == 0x4E00 || cp == 0x4E8C || cp == 0x4E09 || cp == 0x56DB ||
	    cp == 0x4E94 || cp == 0x516D || cp == 0x4E03 || cp == 0x516B ||
	    cp == 0x4E5D || cp == 0x5341;	/* 一 to 十 */
}

/*
 * Does the line start with a list's enumerator: "1." "1、" "1)" "(1)"
 * "（一）" "一、" "①" "⑴" "⒈" "㈠", a bullet, or the dash of Chinese
 * official lists "——"? Numbers of up to three digits or numerals, so
 * "2025年" or "1.8亿" do not count.
 */
static int
starts_enumerator(const struct line *l)
{
	static const char *const bullets[] = {
		"\xe2\x80\xa2", "\xe2\x97\x8f", "\xe2\x96\xa0",
		"\xe2\x96\xa1", "\xe2\x97\x86", "\xe2\x97\x87",
		"\xe2\x96\xb2", "\xe2\x98\x85", "\xe2\x80\xbb",
		"\xe2\x96\xaa", "\xe2\x80\x94\xe2\x80\x94", "- ", "* ",
		NULL
	};	/* • ● ■ □ ◆ ◇ ▲ ★ ※ ▪ —— - * */
	const char *p = l->start, *q, *e = l->end;
	unsigned cp;
	size_t i, n = 0;
	int open = 0;

	if (p >= e)
		return 0;
	/* Every bullet starts with one of these bytes. */
	if ((unsigned char)*p == 0xE2 || *p == '-' || *p == '*')
		for (i = 0; bullets[i] != NULL; i++)
			if (has(p, e, bullets[i]))
				return 1;
	q = p;
	cp = next_cp(&q, e);
	if ((cp >= 0x2460 && cp <= 0x249B) || (cp >= 0x3220 && cp <= 0x3229))
		return 1;	/* ① ⑴ ⒈ ㈠ */
	if (cp == '(' || cp == 0xFF08) {
		open = 1;
		p = q;
	}
	for (q = p; p < e && n < 4; n++) {
		cp = next_cp(&q, e);
		if (!((cp >= '0' && cp <= '9') || cjk_numeral(cp)))
			break;
		p = q;
	}
	if (n == 0 || n > 3 || p >= e)
		return 0;
	if (open)
		return *p == ')' || has(p, e, "\xef\xbc\x89") != 0;	/* ） */
	if (has(p, e, "\xe3\x80\x81"))	/* 、 */
		return 1;
	if (*l->start < '0' || *l->start > '9')
		return 0;	/* "一." is not a list, nor "一)" */
	return *p == ')' || (*p == '.' && (p + 1 >= e || p[1] < '0' ||
	    p[1] > '9'));
}

/* Does the line start a list item, a byline or a quotation of its own? */
static int
starts_item(const struct line *l)
{
	static const char *const marks[] = {
		"\xe2\x80\x94", "\xe7\xac\xac", NULL
	};	/* — 第; bullets are starts_enumerator's */
	const char *p = l->start;
	size_t i;

	/* Every mark starts with one of these bytes. */
	if ((unsigned char)*p == 0xE2 || (unsigned char)*p == 0xE7)
		for (i = 0; marks[i] != NULL; i++)
			if (has(p, l->end, marks[i]))
				return 1;
	/* Any parenthesis: "(1)", "（注：…" */
	if (*p == '(' || has(p, l->end, "\xef\xbc\x88"))
		return 1;
	/* "1." "1、" "一、", but not "1.8亿" or "2025年" */
	return starts_enumerator(l);
}

/*
 * Does the line open a series counted in its words: "一是…，二是…",
 * "一楼为…，二楼为…"? Such a sentence starts on its own.
 */
static int
starts_series(const struct line *l)
{
	const char *word = l->start + 3, *after = word;
	char two[8];
	size_t n;

	if (!has(l->start, l->end, "\xe4\xb8\x80") ||	/* 一 */
	    word >= l->end || !han(next_cp(&after, l->end)))
		return 0;
	n = (size_t)(after - word);
	memcpy(two, "\xe4\xba\x8c", 3);		/* 二 */
	memcpy(two + 3, word, n);
	return memmem(after, (size_t)(l->end - after), two, 3 + n) != NULL;
}

/*
 * Does the line end with an enumeration of short parallel items, as a
 * list written inline does ("种植有世界三大观赏树：中国金钱松，日本金松，
 * 日本南洋杉")? At least three items of at most MAX_ITEM letters, none
 * more than one letter longer than another, after a colon; four or more
 * need no colon. A sentence cut by a column break seldom ends so.
 */
static int
ends_enumeration(const struct line *l)
{
	const char *p = l->end;
	size_t len[MAX_ITEMS], cur = 0, lo, hi;
	int k = 0, i, intro = 0;
	unsigned cp;

	while (p > l->start && k < MAX_ITEMS) {
		cp = prev_cp(&p, l->start);
		if (cp == 0xFF0C || cp == 0x3001 || cp == ',' || cp == 0xFF1B) {
			len[k++] = cur;
			cur = 0;
		} else if (cp == 0xFF1A || cp == ':') {
			intro = 1;
			break;
		} else if (!is_letter(cp) || ++cur > MAX_ITEM)
			break;
	}
	if (intro || p == l->start) {
		if (k < MAX_ITEMS)
			len[k++] = cur;
	}
	if (k < 3 || (!intro && k < 4))
		return 0;
	lo = hi = len[0];
	for (i = 1; i < k; i++) {
		lo = len[i] < lo ? len[i] : lo;
		hi = len[i] > hi ? len[i] : hi;
	}
	return lo > 0 && hi <= MAX_ITEM && hi - lo <= 1;
}

static int
heading_like(struct line *l)
{
	if (ends_sentence(l->last))
		return 0;
	measure(l);
	return l->letters < MAX_HEADING;
}

/*
 * Point the document's word breaker at [p, p+n), opening it at the first
 * question. NULL when ICU cannot: then no break is taken to fall inside
 * a word, and nothing is joined or reported on that ground.
 */
static struct tm_wordbreak *
breaker(struct reflow_state *s, const char *p, size_t n)
{
	if (s->wb == NULL && (s->wb_failed ||
	    (s->wb_failed = tm_wordbreak_new(&s->wb) != 0)))
		return NULL;
	if (tm_wordbreak_set(s->wb, p, n) != 0)
		return NULL;
	return s->wb;
}

/* Two characters each side of the break between l and n, as UTF-8. */
static size_t
junction(const struct line *l, const struct line *n, char *buf, size_t cap,
    size_t *at)
{
	const char *a = l->end, *b = n->start;
	int i;

	for (i = 0; i < 2 && a > l->start; i++)
		tm_utf8_prev(&a, l->start);
	for (i = 0; i < 2 && b < n->end; i++)
		tm_utf8_next(&b, n->end);
	if ((size_t)(l->end - a) + (size_t)(b - n->start) > cap)
		return 0;
	*at = (size_t)(l->end - a);
	memcpy(buf, a, *at);
	memcpy(buf + *at, n->start, (size_t)(b - n->start));
	return *at + (size_t)(b - n->start);
}

/* Does ICU's dictionary word break see one word across the break? */
static int
word_split(struct reflow_state *s, const struct line *l, const struct line *n)
{
	char buf[32];
	size_t at, len = junction(l, n, buf, sizeof(buf), &at);
	struct tm_wordbreak *wb;

	if (len == 0 || (wb = breaker(s, buf, len)) == NULL)
		return 0;
	return tm_wordbreak_is_boundary(wb, at) == 0;
}

/* A paragraph break between l (ending the paragraph tallied in para,
   which is a list item if `item`) and n inside a sentence? */
static int
split_in_sentence(struct reflow_state *s, const struct line *l,
    struct tally *para, int item, struct line *n)
{
	unsigned a = l->last, b = n->first;
	size_t letters;

	if (ends_sentence(a) || heading_like(n) || starts_item(n))
		return 0;
	tally_to(para, l->end);
	letters = para->letters;
	if (a == 0xFF0C || a == 0x3001 || a == ',')	/* ， 、 , */
		return !is_latin(b) || is_lower(b);
	if (is_latin(a) || is_latin(b))
		return letters >= MIN_BODY && (is_latin(a) || a == '-') &&
		    is_lower(b);
	if (!han(a))
		return 0;	/* a number or a symbol can end a table row */
	/* No paragraph starts with these: 、，。 and the like. */
	if (b == 0x3001 || b == 0xFF0C || b == 0x3002 || b == 0xFF1B ||
	    b == 0xFF1A || b == 0xFF1F || b == 0xFF01)
		return 1;
	if (!(han(b) || b == 0x201C || b == 0x2018 ||
	    (b >= '0' && b <= '9')))
		return 0;
	/* List items and inline enumerations end without a full stop;
	   an item is joined only when the break cuts a word in two. */
	if (ends_enumeration(l) || starts_series(n))
		return 0;
	if (item)
		return letters >= MIN_WORD_SPLIT && han(b) &&
		    word_split(s, l, n);
	/* A body paragraph: long, or with clauses (headings seldom have
	   a comma); a shorter one only if the break cuts a word in two
	   (音频设|备, 一|个), which a heading's end never does. */
	if (letters >= MIN_BODY || (letters >= MIN_CLAUSES && para->commas > 0))
		return 1;
	return letters >= MIN_WORD_SPLIT && han(b) && word_split(s, l, n);
}

/*
 * Hard-wrapped documents: most lines close to one maximum length (the
 * 90th percentile of line lengths, at most HIST - 1 characters).
 */
static void
decide_wrapped(struct reflow_state *s, int final)
{
	unsigned i, seen = 0, p90 = 0, near = 0;

	if (s->wrapped >= 0 || (s->nlines < WRAP_SAMPLE && !final))
		return;
	if (s->nlines < WRAP_SAMPLE) {
		s->wrapped = 0;
		return;
	}
	for (i = HIST; i-- > 0;) {
		seen += s->hist[i];
		if (seen * 10 >= s->nlines) {
			p90 = i;
			break;
		}
	}
	for (i = p90 * 3 / 4; i < HIST; i++)
		near += s->hist[i];
	s->wrapped = p90 >= 10 && p90 < HIST - 1 && near * 2 >= s->nlines;
	s->max_len = p90;
}

/* Chars of the first word of a line (Latin), or 1. */
static size_t
first_word(const struct line *l)
{
	const char *p = l->start;
	size_t n = 0;

	while (p < l->end && *p != ' ' && *p != '\t') {
		tm_utf8_next(&p, l->end);
		n++;
	}
	return n ? n : 1;
}

/* Was line l broken only because it was full (the next word would not
   have fitted)? */
static int
full_line(const struct reflow_state *s, struct line *l, const struct line *n)
{
	measure(l);
	if (is_latin(n->first) || n->first < 0x80)
		return l->chars + 1 + first_word(n) > s->max_len;
	return l->chars + 2 >= s->max_len;
}

/* Characters of [p, end), which is valid UTF-8 (the filter contract):
   the bytes that start one. What count() would say, at a fraction of the
   cost, for a histogram that needs nothing else. */
static size_t
count_chars(const char *p, const char *end)
{
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t w, cont;
	size_t n = 0;

	/* Eight bytes at a time: a continuation byte has bit 7 set and bit
	   6 clear; (w << 1) brings each byte's bit 6 to its bit 7. The
	   multiply adds up the eight 0/1 bytes into the top one. */
	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		cont = (w & ~(w << 1) & high) >> 7;
		n += 8 - (size_t)((cont * UINT64_C(0x0101010101010101)) >> 56);
	}
	for (; p < end; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	return n;
}

static void
count_lines(struct reflow_state *s, const char *p, const char *end)
{
	struct line l;
	size_t chars;

	for (; p < end; p = l.next) {
		read_line(p, end, &l);
		if (l.start == l.end)
			continue;
		chars = count_chars(l.body, l.end);
		s->hist[chars < HIST ? chars : HIST - 1]++;
		s->nlines++;
	}
}

/* Without a dictionary: prefixes usually written with a hyphen, so
   "well-" + "known" stays. */
static int
hyphen_prefix(const char *w, size_t n)
{
	static const char *const keep[] = {
		"all", "anti", "co", "cross", "e", "ex", "full", "half", "high",
		"long", "low", "multi", "non", "post", "pre", "self", "short",
		"well", NULL
	};
	size_t i;

	for (i = 0; keep[i] != NULL; i++)
		if (strlen(keep[i]) == n && memcmp(keep[i], w, n) == 0)
			return 1;
	return 0;
}

/* The document's dictionary, opened at the first hyphen; NULL without. */
static struct tm_spell *
speller(struct reflow_state *s)
{
	if (!s->spell_tried) {
		s->spell_tried = 1;
		if (s->dictionary[0] != '\0' &&
		    tm_spell_open(&s->spell, s->dictionary) != 0)
			s->spell = NULL;
	}
	return s->spell;
}

/*
 * Drop the hyphen of "exam-" at the end of a line before "ple"? [w, hy)
 * is the word before the hyphen. With a dictionary: yes when the joined
 * word is a word; no when it is not but both halves are ("well-known");
 * otherwise the hyphen stays and the place is reported. Without one (or
 * with reflow.dictionary=off), the prefixes of hyphen_prefix() decide,
 * and the report says once that no dictionary was found.
 */
static int
dehyphenate(struct reflow_state *s, struct tm_filter_ctx *ctx,
    const char *text, const char *w, const char *hy, const struct line *n)
{
	const char *r = n->start, *re = r, *q;
	struct tm_spell *sp = speller(s);
	char joined[128];
	size_t left = (size_t)(hy - w), right;

	if (sp == NULL) {
		if (s->dictionary[0] != '\0' && s->suspects &&
		    !s->spell_said) {
			s->spell_said = 1;
			tm_suspect(ctx, (size_t)(w - text), w,
			    (size_t)(hy + 1 - w), "dehyphenated without a "
			    "dictionary: reflow.dictionary is not installed");
		}
		return !hyphen_prefix(w, left);
	}
	for (q = re; q < n->end && is_latin(next_cp(&q, n->end)); re = q)
		;
	right = (size_t)(re - r);
	if (left + right > sizeof(joined))
		return 0;
	memcpy(joined, w, left);
	memcpy(joined + left, r, right);
	if (tm_spell_known(sp, joined, left + right))
		return 1;
	if (!tm_spell_known(sp, w, left) || !tm_spell_known(sp, r, right)) {
		if (s->suspects)
			tm_suspect(ctx, (size_t)(w - text), w,
			    (size_t)(hy + 1 - w), "hyphen at a line break: "
			    "not a word with it or without it");
	}
	return 0;
}

/*
 * Is the second of two equal characters at a junction a stray copy? Yes
 * when ICU's word break puts the first at the end of a longer word and
 * the second alone: 因地制宜|宜将 -> [因地制宜][宜][将]. Not for 常|常去
 * ([常常]) or 每一天|天气 ([天气]).
 */
static int
stray_copy(struct reflow_state *s, const struct line *l, const struct line *n)
{
	struct tm_wordbreak *wb;
	char buf[64];
	const char *a = l->end, *b = n->start, *copy_end = n->start;
	size_t la, lb, len;
	int i;

	for (i = 0; i < 4 && a > l->start; i++)
		tm_utf8_prev(&a, l->start);
	la = (size_t)(l->end - a);
	for (i = 0; i < 4 && b < n->end; i++)
		tm_utf8_next(&b, n->end);
	lb = (size_t)(b - n->start);
	if (la + lb > sizeof(buf))
		return 0;
	memcpy(buf, a, la);
	memcpy(buf + la, n->start, lb);
	len = la + lb;
	tm_utf8_next(&copy_end, n->end);
	if ((wb = breaker(s, buf, len)) == NULL)
		return 0;
	/* Boundary at the junction and right after the copy, none before
	   the first character. */
	return tm_wordbreak_is_boundary(wb, la) == 1 &&
	    tm_wordbreak_is_boundary(wb,
	    la + (size_t)(copy_end - n->start)) == 1 &&
	    tm_wordbreak_is_boundary(wb, la - tm_utf8_len(l->last)) == 0;
}

/*
 * A Han character at p repeats the n bytes before it (prev). Three in a
 * row are an OCR stutter; a pair only where OCR stutters and Chinese does
 * not reduplicate.
 */
static void
repeated(struct reflow_state *s, struct tm_filter_ctx *ctx, const char *base,
    const char *start, const char *p, size_t n, const char *end)
{
	const char *prev = p - n, *q = p + n, *d = p;
	unsigned cp = next_cp(&d, end);
	struct tm_wordbreak *wb;

	if (!han(cp))
		return;
	if ((size_t)(prev - start) >= n && memcmp(prev - n, p, n) == 0) {
		tm_suspect(ctx, (size_t)(prev - n - base), prev - n,
		    (size_t)(q - (prev - n)), "OCR stutter");
	} else if (q < end) {
		/* XX not a word, and not part of XXX. */
		const char *r = q, *from = prev, *to;
		unsigned after = tm_utf8_next(&r, end);
		int k;

		for (k = 0; k < 3 && from > base; k++)
			tm_utf8_prev(&from, base);
		for (k = 0, r = q; k < 3 && r < end && *r != '\n'; k++)
			tm_utf8_next(&r, end);
		to = r;
		/* Reduplication is common in Chinese (周周, 铮铮), so a pair
		   is reported only where OCR stutters: at the end of a
		   clause, each copy a word of its own. */
		if (after != cp && to - from < 64 &&
		    (after == 0 || after == '\n' || ends_sentence(after) ||
		    after == 0xFF0C || after == 0x3001) &&
		    (wb = breaker(s, from, (size_t)(to - from))) != NULL &&
		    tm_wordbreak_is_boundary(wb, (size_t)(p - from)) == 1 &&
		    tm_wordbreak_is_boundary(wb, (size_t)(prev - from)) == 1)
			tm_suspect(ctx, (size_t)(prev - base), prev,
			    (size_t)(q - prev), "OCR stutter");
	}
}

/*
 * Report what only looks broken in [p, end). This looks at every byte of
 * the document, so it works on bytes: text after decode is valid UTF-8,
 * where a lead byte always starts a character and two characters are
 * equal when their bytes are. Only Han characters (three or four bytes)
 * can stutter, and a character is decoded only when it repeats the one
 * before it or precedes a space.
 */
static void
find_suspects(struct reflow_state *s, struct tm_filter_ctx *ctx,
    const char *base, const char *p, const char *end)
{
	const char *start = p, *d;
	unsigned c;
	size_t n;

	while (p < end) {
		c = (unsigned char)*p;
		if ((c & 0xF0) == 0xE0 && end - p >= 3) {
			/* The character's three bytes as one number, so
			   each test is one branch, nearly always not taken
			   (byte by byte, the shared lead byte of Han
			   characters made them mispredict). */
			uint32_t w = c | (uint32_t)(unsigned char)p[1] << 8 |
			    (uint32_t)(unsigned char)p[2] << 16;

			if (w == 0xBDBFEFu)	/* U+FFFD */
				tm_suspect(ctx, (size_t)(p - base), p, 3,
				    "replacement character");
			else if (p - start >= 3 && w ==
			    ((uint32_t)(unsigned char)p[-3] |
			    (uint32_t)(unsigned char)p[-2] << 8 |
			    (uint32_t)(unsigned char)p[-1] << 16))
				repeated(s, ctx, base, start, p, 3, end);
			p += 3;
			continue;
		}
		if (c >= 0xF0 && end - p >= 4) {
			if (p - start >= 4 && memcmp(p - 4, p, 4) == 0)
				repeated(s, ctx, base, start, p, 4, end);
			p += 4;
			continue;
		}
		d = p;
		if (c == ' ' && p > start && han(prev_cp(&d, start))) {
			/* "社会组织 and 律师": a lone lower-case word. */
			const char *q = p + 1, *w = q, *we;
			unsigned c2 = 0;

			while (w < end && *w >= 'a' && *w <= 'z')
				w++;
			we = w;
			if (we - q >= 2 && we - q <= 12 && we < end &&
			    *we == ' ') {
				w = we + 1;
				if (w < end)
					c2 = tm_utf8_next(&w, end);
				if (han(c2))
					tm_suspect(ctx, (size_t)(q - base), q,
					    (size_t)(we - q),
					    "Latin word inside Chinese text");
			}
		}
		/* ASCII, a two-byte character (never Han), or the cut end of
		   a sequence. */
		n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : 4;
		p += n < (size_t)(end - p) ? n : (size_t)(end - p);
	}
}

static int
reflow_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct reflow_state *s = state;
	const char *dict;

	s->paragraphs = tm_opt_bool(opts, "paragraphs");
	s->lines = tm_opt_bool(opts, "lines");
	s->suspects = tm_opt_bool(opts, "suspects");
	dict = tm_opt_str(opts, "dictionary");
	if (strcmp(dict, "off") != 0) {
		if (*dict == '\0' || strlen(dict) >= sizeof(s->dictionary) ||
		    strspn(dict, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789_-./@") != strlen(dict))
			return tm_diag_set(diag, TM_ECONF, "reflow", -1,
			    "reflow.dictionary: not a dictionary name: %s",
			    dict);
		memcpy(s->dictionary, dict, strlen(dict) + 1);
	}
	s->wrapped = -1;
	tm_buf_init(&s->held, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->work, TM_BUF_DEFAULT_MAX);
	return 0;
}

static void
reflow_release(void *state)
{
	struct reflow_state *s = state;

	tm_buf_release(&s->held);
	tm_buf_release(&s->work);
	tm_wordbreak_free(s->wb);
}

/* Start of the last non-blank line of [p, end), the line to hold back; end
   if there is none, it is longer than TM_LINE_MAX, or more than MAX_GAP
   bytes of blank lines follow it. */
static const char *
last_line_start(const char *p, const char *end)
{
	const char *q = end, *line_end = end;

	/* Skip trailing blank lines. */
	while (q > p) {
		const char *s = q;

		while (s > p && s[-1] != '\n')
			s--;
		{
			struct line l;

			read_line(s, line_end, &l);
			if (l.start < l.end)
				return (size_t)(end - line_end) > MAX_GAP ||
				    (size_t)(line_end - s) > TM_LINE_MAX ?
				    end : s;
		}
		if (s == p)
			break;
		q = s - 1;	/* the newline before this line */
		line_end = q;
	}
	return end;	/* all blank: nothing to hold */
}

/* Join l and n: what goes between them, and the edit's rule. */
static const char *
joiner(struct reflow_state *s, struct tm_filter_ctx *ctx, const char *text,
    const struct line *l, const struct line *n, int *drop_hyphen,
    int *drop_copy)
{
	*drop_hyphen = 0;
	*drop_copy = 0;
	if (l->last == '-' && is_lower(n->first) && l->end - l->start >= 2) {
		const char *w = l->end - 1;

		while (w > l->start && is_latin((unsigned char)w[-1]))
			w--;
		if (w < l->end - 1 && is_lower((unsigned char)w[0]))
			*drop_hyphen = dehyphenate(s, ctx, text, w, l->end - 1,
			    n);
		return "";
	}
	if ((is_latin(l->last) || l->last < 0x80) && (is_latin(n->first) ||
	    n->first < 0x80))
		return " ";
	if (l->last == n->first && han(l->last) && stray_copy(s, l, n))
		*drop_copy = 1;
	return "";
}

/*
 * Process text [0, limit) of the work buffer, with the lines after limit
 * available to look at. Holds back the rest in s->held.
 */
static int
process(struct reflow_state *s, struct tm_filter_ctx *ctx, const char *text,
    size_t len, int final, struct tm_buf *out)
{
	const char *end = text + len, *limit, *p, *emit_from;
	struct line l = { 0 }, n = { 0 };
	struct tally para;
	int rc, join, cont = s->held_cont, item = s->cont_item;

	limit = final ? end : last_line_start(text, end);
	if (s->suspects)
		find_suspects(s, ctx, text, text, limit);
	p = text;
	/* Leading blank lines pass through. */
	for (;;) {
		if (p >= limit) {
			emit_from = p;
			para.to = NULL;
			goto hold;
		}
		read_line(p, end, &l);
		if (l.start < l.end)
			break;
		if ((rc = tm_buf_append(out, p, (size_t)(l.next - p))) != 0)
			return rc;
		p = l.next;
	}
	emit_from = cont ? l.start : l.raw;
	if (!cont)
		item = starts_enumerator(&l);
	para.to = l.raw;
	para.letters = s->cont_letters;
	para.commas = s->cont_commas;
	for (;;) {
		const char *q;
		int blank = 0;

		/* The next non-blank line. */
		for (q = l.next; q < end; q = n.next) {
			read_line(q, end, &n);
			if (n.start < n.end)
				break;
			blank = 1;
		}
		if (q >= end) {
			/* Nothing follows yet: hold l unless this is the end
			   or last_line_start() said not to (l too long, or
			   so many blank lines after it that it ends its
			   paragraph whatever comes). */
			if (!final && limit < end)
				break;
			if ((rc = tm_buf_append(out, emit_from,
			    (size_t)(end - emit_from))) != 0)
				return rc;
			emit_from = end;
			break;
		}
		if (l.raw >= limit)
			break;
		join = blank ? s->paragraphs &&
		    (size_t)(n.raw - l.next) <= MAX_GAP &&
		    split_in_sentence(s, &l, &para, item, &n) :
		    s->lines && s->wrapped == 1 && full_line(s, &l, &n) &&
		    n.start == n.raw && !starts_item(&n);
		if (!join) {
			if ((rc = tm_buf_append(out, emit_from,
			    (size_t)(n.raw - emit_from))) != 0)
				return rc;
			emit_from = n.raw;
			para.to = n.raw;
			para.letters = 0;
			para.commas = 0;
			item = starts_enumerator(&n);
			cont = 0;
		} else {
			int drop_hyphen, drop_copy;
			const char *j = joiner(s, ctx, text, &l, &n,
			    &drop_hyphen, &drop_copy);
			const char *cut = drop_hyphen ? l.end - 1 : l.end;
			const char *resume = n.start;

			if (drop_copy)
				tm_utf8_next(&resume, n.end);
			if ((rc = tm_buf_append(out, emit_from,
			    (size_t)(cut - emit_from))) != 0 ||
			    (rc = tm_buf_puts(out, j)) != 0)
				return rc;
			tm_edit(ctx, (size_t)(cut - text), cut,
			    (size_t)(resume - cut), j, strlen(j),
			    drop_copy ? "doubled-char" : drop_hyphen ?
			    "dehyphenate" : blank ? "join-paragraph" :
			    "join-line");
			emit_from = resume;
			cont = 1;
		}
		l = n;
		if (cont)
			l.start = emit_from;
	}
hold:
	/* Keep [emit_from, end) for the next run (text is s->work). */
	tm_buf_reset(&s->held);
	if ((rc = tm_buf_append(&s->held, emit_from,
	    (size_t)(end - emit_from))) != 0)
		return rc;
	s->held_cont = cont && emit_from < end;
	s->cont_item = s->held_cont && item;
	if (!s->held_cont) {
		s->cont_letters = 0;
		s->cont_commas = 0;
	} else if (para.to != NULL) {
		/* The tally of the lines before l, which is held. */
		struct tally own = { l.raw, 0, 0 };

		if (para.to > l.raw) {
			tally_to(&own, para.to);
			para.letters -= own.letters;
			para.commas -= own.commas;
		} else
			tally_to(&para, l.raw);
		s->cont_letters = para.letters;
		s->cont_commas = para.commas;
	}
	return 0;
}

static int
reflow_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct reflow_state *s = state;
	struct tm_filter_ctx local = *ctx;
	int rc;

	if (s->wrapped < 0) {
		count_lines(s, in, in + len);
		decide_wrapped(s, 0);
	}
	/* The text to work on is what was held back, then this segment. */
	tm_buf_reset(&s->work);
	if ((rc = tm_buf_append(&s->work, s->held.ptr, s->held.len)) != 0 ||
	    (rc = tm_buf_append(&s->work, in, len)) != 0)
		return rc;
	local.offset = ctx->offset - s->held.len;
	return process(s, &local, s->work.ptr, s->work.len, 0, out);
}

static int
reflow_finish(void *state, struct tm_filter_ctx *ctx, struct tm_buf *out,
    struct tm_diag *diag)
{
	struct reflow_state *s = state;
	struct tm_filter_ctx local = *ctx;

	if (s->wrapped < 0)
		decide_wrapped(s, 1);
	local.offset = ctx->offset - s->held.len;
	tm_buf_swap(&s->work, &s->held);
	return process(s, &local, s->work.ptr, s->work.len, 1, out);
}

const struct tm_filter_type tm_filter_reflow = {
	.abi = TM_FILTER_ABI,
	.name = "reflow",
	.phase = TM_PHASE_REFLOW,
	.summary = "join lines and paragraphs broken by OCR or columns",
	.options = reflow_options,
	.on_by_default = 1,
	.state_size = sizeof(struct reflow_state),
	.init = reflow_init,
	.run = reflow_run,
	.finish = reflow_finish,
	.release = reflow_release,
};
