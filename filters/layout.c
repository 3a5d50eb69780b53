/*
 * layout.c - page furniture: what the page layout added to the text.
 *
 * Phase 5, after markup and ruby, before reflow. Works line by line (a
 * paragraph is a line in both paragraph styles: separated by a blank line
 * or by a single newline) and removes whole lines only:
 *   - continuation markers on a line of their own: (上接第一版), （上接1版）,
 *     (下转第3版), （紧接第2版）, (转A4版), and the Traditional forms;
 *   - lines repeated verbatim: a header like 來源:中國婦女報 that the page
 *     template printed three times (seed 001), or a paragraph printed
 *     twice, is kept where it first appears. Only lines of at least
 *     MIN_DUP_LETTERS letters count, so short repeated lines (a speaker
 *     tag, "是。") stay;
 *   - pull quotes: a paragraph whose text was already printed earlier and
 *     that sits inside a sentence (the line before it does not end one),
 *     as in seed 002: "以多元化、" / quote / "更高质量的方式…". Removing
 *     it lets reflow rejoin the sentence. "Inside a sentence" means after
 *     a body paragraph (MIN_BODY_CHARS letters or more) that does not end
 *     with sentence-final punctuation, so a heading broken over two lines
 *     is not taken for one. A repeat that does not interrupt a sentence
 *     is only reported as a suspect;
 *   - site boilerplate: lines containing one of the `boilerplate`
 *     patterns (seed 001's closing "想爆料?請登錄《陽光連線》…" line).
 * With a removed line go the blank lines after it, so no gap is left.
 * A line longer than TM_LINE_MAX is never furniture: it passes as it is, and
 * so do the pieces of a line the pipeline had to cut (one longer than a
 * segment), which would otherwise look like lines repeating each other.
 *
 * Per-document state is small and bounded: 64-bit hashes of the lines
 * seen (for duplicates) and of a sample of 6-character shingles of the
 * recent text (for pull quotes), each in a capped table, and the sampled
 * shingles of the current line.
 *
 * Speed: every character of the document passes through scan_line once,
 * which counts letters, looks for boilerplate and rolls the shingle hash
 * in the same step; everything else is per line.
 *
 * Pure and reentrant; runs on the daemon's threadpool.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"

#define MIN_DUP_LETTERS 6
#define MIN_QUOTE_CHARS 15	/* a pull quote is a real paragraph */
#define MIN_BODY_CHARS 20	/* and interrupts one, not a heading */
#define QUOTE_RATE 20		/* at most one pull quote per this many
				   paragraphs (and one more) */
#define SHINGLE 6		/* at most 7: scan_line keeps 8 characters */
#define SET_MAX ((size_t)1 << 20)	/* entries per hash set */
#define MAX_PATTERNS 32

struct hashset {
	uint64_t *v;		/* 0 = empty slot */
	size_t cap, n;
};

struct layout_state {
	int markers, duplicates, quotes;
	char *patterns[MAX_PATTERNS];
	size_t plen[MAX_PATTERNS];
	unsigned pfirst[MAX_PATTERNS];	/* first character, or TM_UTF8_BAD:
					   found with memmem instead */
	uint8_t pstart[1 << 13];	/* bit set: a pattern may start with a
					   character of that value mod 2^16 */
	size_t npatterns;
	int pslow;			/* some pattern needs memmem */
	uint64_t *sh;			/* the current line's shingles */
	size_t nsh, capsh;
	struct hashset lines;
	struct hashset shingles;
	unsigned last_char;	/* last character of the last text line */
	size_t paragraphs;	/* text lines seen */
	size_t quotes_removed;
	size_t last_letters;	/* and how many letters it had */
	int skipping_blank;	/* a line was removed: drop blank lines */
	int mid_line;		/* the last segment ended inside a line */
};

static const struct tm_option_desc layout_options[] = {
	{ "markers", TM_OPT_BOOL, "on", NULL,
	  "remove continuation markers like (上接第一版) on their own line" },
	{ "duplicates", TM_OPT_BOOL, "on", NULL,
	  "keep repeated lines (headers, paragraphs) only once" },
	{ "quotes", TM_OPT_BOOL, "on", NULL,
	  "remove pull quotes that repeat earlier text inside a sentence" },
	{ "boilerplate", TM_OPT_STRING,
	  "想爆料|新聞線索|新闻线索|廣告熱線|广告热线|誠邀合作伙伴|诚邀合作伙伴",
	  NULL, "remove lines containing any of these |-separated texts "
	  "(empty: none)" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* ---- hash sets of 64-bit hashes (0 is never stored) ---- */

static int
set_has(const struct hashset *s, uint64_t h)
{
	size_t i;

	if (s->cap == 0)
		return 0;
	for (i = h & (s->cap - 1); s->v[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == h)
			return 1;
	return 0;
}

/*
 * Size an empty set for about n entries at once (a power of two, within
 * the cap set_add grows to), so a document does not pay for a string of
 * rehashes. Entries and their order of arrival decide everything a set
 * answers; its size does not.
 */
static void
set_presize(struct hashset *s, size_t n)
{
	size_t cap = 1024;

	if (s->cap != 0)
		return;
	while (cap < n * 2 && cap < SET_MAX * 2)
		cap *= 2;
	if ((s->v = calloc(cap, sizeof(*s->v))) != NULL)
		s->cap = cap;
}

/* Make room: double the table, or start over once it is at its cap. */
static void
set_grow(struct hashset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024, i, j;
	uint64_t *v;

	if (cap > SET_MAX * 2) {
		memset(s->v, 0, s->cap * sizeof(*s->v));
		s->n = 0;
		return;
	}
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return;		/* out of memory: the caller forgets */
	for (j = 0; j < s->cap; j++) {
		if (s->v[j] == 0)
			continue;
		for (i = s->v[j] & (cap - 1); v[i] != 0; i = (i + 1) & (cap - 1))
			;
		v[i] = s->v[j];
	}
	free(s->v);
	s->v = v;
	s->cap = cap;
}

/* Add h; when the set is full it starts over (recent text matters most). */
static inline void
set_add(struct hashset *s, uint64_t h)
{
	size_t i;

	if (s->n * 2 >= s->cap) {
		set_grow(s);
		if (s->n * 2 >= s->cap)
			return;		/* out of memory: forget, don't fail */
	}
	for (i = h & (s->cap - 1); s->v[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == h)
			return;
	s->v[i] = h;
	s->n++;
}

/* A 64-bit hash of a line, eight bytes at a time (lines are hashed whole,
   so this is on the path of every byte). */
static uint64_t
hash_bytes(const char *p, size_t n)
{
	const uint64_t k = UINT64_C(0x9E3779B97F4A7C15);
	uint64_t h = UINT64_C(1469598103934665603) ^ (n * k), w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * k;
	h ^= h >> 32;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 31;
	return h ? h : 1;
}

/* ---- lines ---- */

static int
blank_cp(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == 0x3000 ||
	    cp == 0xA0;
}

/* Trim blanks (ASCII, ideographic, NBSP) from both ends of [*p, *end). */
static void
trim(const char **p, const char **end)
{
	const char *q;

	while (*p < *end) {
		q = *p;
		if (!blank_cp(tm_utf8_next(&q, *end)))
			break;
		*p = q;
	}
	while (*end > *p) {
		q = *end;
		if (!blank_cp(tm_utf8_prev(&q, *p)))
			break;
		*end = q;
	}
}

static int
is_letter(unsigned cp)
{
	return tm_is_han(cp) || (cp >= '0' && cp <= '9') ||
	    ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ||
	    (cp >= 0xC0 && cp < 0x2000 && cp != 0xD7 && cp != 0xF7) ||
	    (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7A3);
}

static int
starts_with(const char **p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
		return 0;
	*p += n;
	return 1;
}

static int
skip_one_of(const char **p, const char *end, const char *const *alts)
{
	for (; *alts != NULL; alts++)
		if (starts_with(p, end, *alts))
			return 1;
	return 0;
}

static void
skip_blanks(const char **p, const char *end)
{
	const char *q;

	while (*p < end) {
		q = *p;
		if (!blank_cp(tm_utf8_next(&q, end)))
			return;
		*p = q;
	}
}

/*
 * A continuation marker: bracket, verb, optional 第, page (digits,
 * Chinese numerals, or a letter and digits), 版 or 面, bracket.
 */
static int
is_marker(const char *p, const char *end)
{
	static const char *const open[] = { "(", "\xef\xbc\x88", NULL };
	static const char *const close[] = { ")", "\xef\xbc\x89", NULL };
	static const char *const verbs[] = {
		"上接", "下转", "下轉", "紧接", "緊接", "接上", "转", "轉",
		"接", "续", "續", NULL
	};
	static const char *const numerals[] = {
		"一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
		"〇", "零", "百", NULL
	};
	static const char *const page[] = { "版", "面", NULL };
	int digits = 0;

	if (!skip_one_of(&p, end, open))
		return 0;
	skip_blanks(&p, end);
	if (!skip_one_of(&p, end, verbs))
		return 0;
	skip_blanks(&p, end);
	starts_with(&p, end, "第");
	skip_blanks(&p, end);
	if (p < end && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		p++;		/* A4 */
	for (;;) {
		if (p < end && *p >= '0' && *p <= '9')
			p++;
		else if (!skip_one_of(&p, end, numerals))
			break;
		digits++;
	}
	if (digits == 0 || digits > 4)
		return 0;
	skip_blanks(&p, end);
	if (!skip_one_of(&p, end, page))
		return 0;
	skip_blanks(&p, end);
	if (!skip_one_of(&p, end, close))
		return 0;
	return p == end;
}

/* Does a pattern start at p, the character cp? */
static int
boilerplate_at(const struct layout_state *s, const char *p, const char *end,
    unsigned cp)
{
	size_t i;

	for (i = 0; i < s->npatterns; i++)
		if (s->pfirst[i] == cp && (size_t)(end - p) >= s->plen[i] &&
		    memcmp(p, s->patterns[i], s->plen[i]) == 0)
			return 1;
	return 0;
}

/* The patterns that do not start with a whole character, by memmem. */
static int
boilerplate_slow(const struct layout_state *s, const char *p, const char *end)
{
	size_t i;

	for (i = 0; i < s->npatterns; i++)
		if (s->pfirst[i] == TM_UTF8_BAD && memmem(p,
		    (size_t)(end - p), s->patterns[i], s->plen[i]) != NULL)
			return 1;
	return 0;
}

/* Does a paragraph that ends with cp stop in the middle of a sentence?
   A Han character, a lower-case Latin letter or a comma says so. */
static int
mid_sentence(unsigned cp)
{
	return tm_is_han(cp) || cp == 0xFF0C || cp == 0x3001 || cp == ',' ||
	    (cp >= 'a' && cp <= 'z');
}

/*
 * One pass over a trimmed line, since every character of the document
 * comes through here: count its letters, look for boilerplate patterns
 * (a pattern that starts with a whole character can only match where
 * that character starts, so a bit per character value rules out almost
 * every position), and collect its shingles in s->sh.
 *
 * Shingles are hashes of every SHINGLE consecutive characters, keeping
 * one in four (by hash) so the table stays small. The hash rolls (a
 * polynomial over the code points, one multiply per character, then
 * mixed).
 */
static int
scan_line(struct layout_state *s, const char *p, const char *end,
    size_t *letters, int *boilerplate)
{
	const uint64_t base = 1000003u;
	const uint8_t *pstart = s->pstart;
	const int quotes = s->quotes;
	uint64_t h = 0, top = 1, m, *sh = s->sh;
	uint64_t win[8] = { 0 };	/* the last characters, by n & 7 */
	size_t n = 0, nlet = 0, i, nsh = 0, capsh = s->capsh;
	const char *at;
	const unsigned char *u;
	int found = 0;

	_Static_assert(SHINGLE < 8, "the window holds 8 characters");
	/* Locals throughout: stores to sh[] could alias the state. */
	for (i = 1; i < SHINGLE; i++)
		top *= base;		/* weight of the oldest character */
	if (quotes && capsh == 0) {
		capsh = 256;
		if ((sh = malloc(capsh * sizeof(*sh))) == NULL)
			return -ENOMEM;
		s->sh = sh;
		s->capsh = capsh;
	}
	while (p < end) {
		uint32_t cp;

		at = p;
		u = (const unsigned char *)p;
		if (u[0] >= 0xE0 && u[0] < 0xF0 && end - p >= 3) {
			/* Han and CJK punctuation, most of the text. The
			   input is valid UTF-8 (the filter contract), so the
			   checks tm_utf8_next makes can be left out here. */
			cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 |
			    (u[2] & 0x3Fu);
			p += 3;
		} else
			cp = tm_utf8_next(&p, end);
		nlet += is_letter(cp);
		/* No pattern: no bit is set. */
		if ((pstart[(cp >> 3) & 0x1FFF] >> (cp & 7) & 1) &&
		    boilerplate_at(s, at, end, cp))
			found = 1;
		if (!quotes)
			continue;
		/* The character leaving the window; 0 (nothing to take
		   away) until there are SHINGLE of them. */
		h -= win[(n - SHINGLE) & 7] * top;
		h = h * base + cp;
		win[n & 7] = cp;
		if (++n < SHINGLE)
			continue;
		m = (h ^ (h >> 29)) * UINT64_C(0xbf58476d1ce4e5b9);
		m ^= m >> 32;
		/* Kept or not by a coin toss: store always, count only the
		   kept ones, so no branch mispredicts on it (there is
		   always room for one more). */
		sh[nsh] = m | (m == 0);
		nsh += (m & 3) == 0;
		if (nsh == capsh) {
			capsh *= 2;
			if ((sh = realloc(s->sh, capsh * sizeof(*sh))) == NULL)
				return -ENOMEM;
			s->sh = sh;
			s->capsh = capsh;
		}
	}
	s->nsh = nsh;
	*letters = nlet;
	*boilerplate = found;
	return 0;
}

/* Does most of this line (its shingles in s->sh) repeat earlier text? */
static int
repeats_earlier(const struct layout_state *s)
{
	size_t i, found = 0;

	for (i = 0; i < s->nsh; i++)
		found += set_has(&s->shingles, s->sh[i]);
	return s->nsh >= 3 && found * 10 >= s->nsh * 7;
}

/* ---- the filter ---- */

static int
layout_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct layout_state *s = state;
	const char *pat = tm_opt_str(opts, "boilerplate"), *bar;
	size_t n;

	s->markers = tm_opt_bool(opts, "markers");
	s->duplicates = tm_opt_bool(opts, "duplicates");
	s->quotes = tm_opt_bool(opts, "quotes");
	while (*pat != '\0') {
		bar = strchr(pat, '|');
		n = bar ? (size_t)(bar - pat) : strlen(pat);
		if (n > 0) {
			if (s->npatterns == MAX_PATTERNS)
				return tm_diag_set(diag, TM_ECONF, "layout", -1,
				    "layout.boilerplate: more than %d patterns",
				    MAX_PATTERNS);
			const char *q = pat;
			unsigned cp;

			if ((s->patterns[s->npatterns] = strndup(pat, n)) == NULL)
				return -ENOMEM;
			s->plen[s->npatterns] = n;
			/* A whole first character, or memmem for this one. */
			cp = tm_utf8_next(&q, pat + n);
			if (cp == TM_UTF8_BAD) {
				s->pslow = 1;
			} else
				s->pstart[(cp & 0xFFFF) >> 3] |=
				    (uint8_t)(1u << (cp & 7));
			s->pfirst[s->npatterns] = cp;
			s->npatterns++;
		}
		pat += n + (bar != NULL);
	}
	return 0;
}

static void
layout_release(void *state)
{
	struct layout_state *s = state;
	size_t i;

	for (i = 0; i < s->npatterns; i++)
		free(s->patterns[i]);
	free(s->lines.v);
	free(s->shingles.v);
	free(s->sh);
}

/* Why this line should go, or NULL to keep it. scan_line has run. */
static const char *
judge_line(struct layout_state *s, struct tm_filter_ctx *ctx, const char *in,
    const char *p, const char *end, size_t letters, int boilerplate)
{
	uint64_t h;
	size_t i;

	if (s->markers && is_marker(p, end))
		return "continuation-marker";
	if (boilerplate || (s->pslow && boilerplate_slow(s, p, end)))
		return "boilerplate";
	if (s->duplicates && letters >= MIN_DUP_LETTERS) {
		h = hash_bytes(p, (size_t)(end - p));
		if (set_has(&s->lines, h))
			return "duplicate-line";
		set_add(&s->lines, h);
	}
	if (s->quotes && letters >= MIN_QUOTE_CHARS && repeats_earlier(s)) {
		/* Inside a sentence: the paragraph before stops after a
		   character or a comma, and pull quotes are few (a page has
		   one or two; text that repeats itself all over is not
		   furniture). */
		if (mid_sentence(s->last_char) &&
		    s->last_letters >= MIN_BODY_CHARS &&
		    s->quotes_removed <= s->paragraphs / QUOTE_RATE) {
			s->quotes_removed++;
			return "pull-quote";
		}
		tm_suspect(ctx, (size_t)(p - in), p, (size_t)(end - p),
		    "paragraph repeats earlier text");
	}
	for (i = 0; i < s->nsh; i++)
		set_add(&s->shingles, s->sh[i]);
	return NULL;
}

static int
layout_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct layout_state *s = state;
	const char *p = in, *end = in + len, *nl, *next, *a, *b;
	const char *why;
	size_t letters;
	int rc, boilerplate;

	/* About one shingle in four characters is kept; CJK characters
	   take three bytes. */
	if (s->quotes)
		set_presize(&s->shingles, len / 12);
	for (; p < end; p = next) {
		nl = memchr(p, '\n', (size_t)(end - p));
		next = nl ? nl + 1 : end;
		a = p;
		b = nl ? nl : end;
		trim(&a, &b);
		if (a == b) {		/* a blank line */
			if (!s->skipping_blank &&
			    (rc = tm_buf_append(out, p, (size_t)(next - p))) != 0)
				return rc;
			continue;
		}
		s->skipping_blank = 0;
		if ((p == in && s->mid_line) || (size_t)(b - a) > TM_LINE_MAX) {
			if ((rc = tm_buf_append(out, p,
			    (size_t)(next - p))) != 0)
				return rc;
			s->last_char = 0;	/* no pull quote after it */
			continue;
		}
		s->paragraphs++;
		if ((rc = scan_line(s, a, b, &letters, &boilerplate)) != 0)
			return rc;
		why = judge_line(s, ctx, in, a, b, letters, boilerplate);
		if (why != NULL) {
			tm_edit(ctx, (size_t)(p - in), p, (size_t)(next - p),
			    "", 0, why);
			s->skipping_blank = 1;
			continue;
		}
		if ((rc = tm_buf_append(out, p, (size_t)(next - p))) != 0)
			return rc;
		{
			const char *q = b;

			s->last_char = tm_utf8_prev(&q, a);
			s->last_letters = letters;
		}
	}
	s->mid_line = len > 0 && in[len - 1] != '\n';
	return 0;
}

const struct tm_filter_type tm_filter_layout = {
	.abi = TM_FILTER_ABI,
	.name = "layout",
	.phase = TM_PHASE_LAYOUT,
	.summary = "page furniture: continuation markers, repeated headers, "
	    "pull quotes, boilerplate",
	.options = layout_options,
	.on_by_default = 1,
	.state_size = sizeof(struct layout_state),
	.init = layout_init,
	.run = layout_run,
	.release = layout_release,
};
