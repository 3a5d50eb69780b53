/*
 * width.c - Chinese typographic width.
 *
 * Phase 8, after script conversion and before space. Two rules:
 *   - ASCII , : ; ? ! ( ) inside Chinese or Japanese text become the
 *     fullwidth forms ， ： ； ？ ！ （ ） that the text's typography uses;
 *     a space typed after the ASCII mark is dropped with it, since the
 *     fullwidth mark carries its own spacing;
 *   - fullwidth Latin letters and digits become ASCII (ＡＢＣ１２３ ->
 *     ABC123).
 * "Inside Chinese text" means a Han, kana or CJK punctuation character on
 * at least one side of the mark. A mark between two digits (8:00, 1,000),
 * or inside a URL or an e-mail address, is left alone, as is any mark with
 * Latin text on both sides, and Korean (which uses ASCII punctuation).
 * A pair of parentheses is converted together, when what they enclose or
 * what stands right outside them is Chinese, so `(上接第一版)` becomes
 * `（上接第一版）` and `(Linux)` after Latin text stays.
 *
 * punct=ascii goes the other way (fullwidth marks to ASCII), for data that
 * must be plain ASCII punctuation; punct=keep leaves marks alone.
 *
 * Seed 000: "在山东省聊城市东阿县,每一位妇联执委" ->
 *           "在山东省聊城市东阿县，每一位妇联执委".
 *
 * Pure and reentrant; runs on the daemon's threadpool.
 */
#include <assert.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"

enum punct_mode { PUNCT_FULL, PUNCT_ASCII, PUNCT_KEEP };

struct width_state {
	enum punct_mode punct;
	int alnum;
	char stops[TM_STOPS_MAX];	/* the bytes full_run looks at */
	size_t nstops;
};

static const struct tm_option_desc width_options[] = {
	{ "punct", TM_OPT_ENUM, "fullwidth", "fullwidth,ascii,keep",
	  "ASCII , : ; ? ! ( ) in Chinese text to fullwidth, or the reverse" },
	{ "alnum", TM_OPT_BOOL, "on", NULL,
	  "fullwidth Latin letters and digits to ASCII" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* ASCII mark -> fullwidth code point (all are U+FF00 + ASCII - 0x20). */
static int
is_mark(int c)
{
	return c == ',' || c == ':' || c == ';' || c == '?' || c == '!' ||
	    c == '(' || c == ')';
}

static unsigned
fullwidth_of(int c)
{
	return 0xFF00u + (unsigned)(c - 0x20);
}

/* Characters that make the context Chinese (or Japanese). */
static int
chinese(unsigned cp)
{
	return tm_is_han(cp) ||
	    (cp >= 0x3001 && cp <= 0x303F) ||	/* 、。〈〉《》「」… */
	    (cp >= 0x3040 && cp <= 0x30FF) ||	/* kana */
	    (cp >= 0xFF01 && cp <= 0xFF0F) ||	/* fullwidth punctuation */
	    (cp >= 0xFF1A && cp <= 0xFF20) ||
	    cp == 0x201C || cp == 0x201D ||	/* “ ” as Chinese quotes */
	    cp == 0x2018 || cp == 0x2019 ||
	    cp == 0x2014 || cp == 0x2026 ||	/* — … */
	    cp == 0x00B7;			/* · in names */
}

static int
is_digit(unsigned cp)
{
	return cp >= '0' && cp <= '9';
}

static int
width_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct width_state *s = state;
	const char *p = tm_opt_str(opts, "punct");
	int c;

	s->punct = strcmp(p, "ascii") == 0 ? PUNCT_ASCII :
	    strcmp(p, "keep") == 0 ? PUNCT_KEEP : PUNCT_FULL;
	s->alnum = tm_opt_bool(opts, "alnum");
	/* Every character width changes starts with one of these bytes:
	   an ASCII mark, or EF, the lead byte of U+FF00..U+FFFF. */
	for (c = 0; c < 0x80; c++)
		if (s->punct == PUNCT_FULL && is_mark(c)) {
			assert(s->nstops < TM_STOPS_MAX - 1);
			s->stops[s->nstops++] = (char)c;
		}
	if (s->alnum)
		s->stops[s->nstops++] = '\xef';
	return 0;
}

/* Code point before/after a position on the same line, or 0. */
static unsigned
cp_before(const char *start, const char *p)
{
	unsigned cp;

	if (p == start)
		return 0;
	cp = tm_utf8_prev(&p, start);
	return cp == '\n' ? 0 : cp;
}

static unsigned
cp_at(const char *p, const char *end)
{
	unsigned cp;

	if (p >= end)
		return 0;
	cp = tm_utf8_next(&p, end);
	return cp == '\n' ? 0 : cp;
}

/*
 * The last run of non-blank ASCII in_link looked at, and whether it holds a
 * URL or an e-mail address. Every mark of a run gets the same answer, so a
 * run is scanned once, not once per mark (minified JavaScript is one run
 * of megabytes).
 */
struct link_run {
	const char *a, *b;
	int link;
};

/*
 * Is the mark at p part of a URL or an e-mail address? Look at the run of
 * non-blank ASCII around it. A mark that ends the run (Chinese text
 * follows) is punctuation after the link, not part of it.
 */
static int
in_link(const char *start, const char *end, const char *p,
    struct link_run *lr)
{
	const char *a = p, *b = p;
	size_t n;

	if (p + 1 >= end || (unsigned char)p[1] <= 0x20 ||
	    (unsigned char)p[1] >= 0x7F)
		return 0;
	if (p >= lr->a && p < lr->b)
		return lr->link;

	while (a > start && (unsigned char)a[-1] > 0x20 &&
	    (unsigned char)a[-1] < 0x7F)
		a--;
	while (b < end && (unsigned char)*b > 0x20 && (unsigned char)*b < 0x7F)
		b++;
	n = (size_t)(b - a);
	lr->a = a;
	lr->b = b;
	lr->link = memmem(a, n, "://", 3) != NULL ||
	    memmem(a, n, "www.", 4) != NULL ||
	    (memchr(a, '@', n) != NULL && memchr(a, '.', n) != NULL);
	return lr->link;
}

/*
 * For '(' at p: the matching ')' on the same line (nesting counted), or
 * NULL. Only ASCII parentheses are matched. *next keeps the first ')' or
 * newline (or end) ahead, found once for all the '(' before it: when it
 * is not a ')' in reach there is nothing to match, so a run of '(' that
 * nothing closes is scanned once, not 512 bytes per '('.
 */
#define PAREN_REACH 512

static const char *
matching_paren(const char *p, const char *end, const char **next)
{
	int depth = 0;
	const char *q;

	if (*next <= p) {	/* never p itself: *p is '(' */
		for (q = p; q < end && *q != ')' && *q != '\n'; q++)
			;
		*next = q;
	}
	if (*next == end || **next != ')' || *next - p >= PAREN_REACH)
		return NULL;
	for (q = p; q < end && *q != '\n' && q - p < PAREN_REACH; q++) {
		if (*q == '(')
			depth++;
		else if (*q == ')' && --depth == 0)
			return q;
	}
	return NULL;
}

static int
has_chinese(const char *p, const char *end)
{
	while (p < end)
		if (chinese(tm_utf8_next(&p, end)))
			return 1;
	return 0;
}

/* Should the single (non-parenthesis) mark at p become fullwidth? */
static int
mark_is_chinese(const char *start, const char *end, const char *p,
    struct link_run *lr)
{
	unsigned prev = cp_before(start, p), next = cp_at(p + 1, end);

	if (next == ' ' && chinese(cp_at(p + 2, end)))
		next = cp_at(p + 2, end);
	if (is_digit(prev) && is_digit(next))
		return 0;	/* 8:00, 1,000 */
	if (!chinese(prev) && !chinese(next))
		return 0;
	return !in_link(start, end, p, lr);
}

#define MAX_CLOSE 64

static int
full_run(struct width_state *s, struct tm_filter_ctx *ctx, const char *in,
    size_t len, struct tm_buf *out)
{
	const char *p = in, *end = in + len, *done = in, *q;
	const char *close[MAX_CLOSE];	/* ')' to convert, by position */
	const char *next_close = in;	/* see matching_paren */
	struct link_run lr = { in, in, 0 };
	size_t nclose = 0, i;
	char fw[4];
	int rc, c;
	struct tm_stops st;

	tm_stops_init(&st, s->stops, s->nstops, in, end);
	while (p < end) {
		/* Clean text: skip what cannot start a change. Continuation
		   bytes are never stops, so p lands on a character. */
		if ((p = tm_stops_next(&st, p, end)) == end)
			break;
		c = (unsigned char)*p;
		if (c >= 0x80) {
			unsigned cp;

			q = p;
			cp = tm_utf8_next(&q, end);
			if (s->alnum && ((cp >= 0xFF10 && cp <= 0xFF19) ||
			    (cp >= 0xFF21 && cp <= 0xFF3A) ||
			    (cp >= 0xFF41 && cp <= 0xFF5A))) {
				char a = (char)(cp - 0xFF00 + 0x20);

				if ((rc = tm_buf_append(out, done,
				    (size_t)(p - done))) != 0 ||
				    (rc = tm_buf_putc(out, a)) != 0)
					return rc;
				tm_edit(ctx, (size_t)(p - in), p,
				    (size_t)(q - p), &a, 1, "fullwidth-alnum");
				done = q;
			}
			p = q;
			continue;
		}
		if (s->punct != PUNCT_FULL || !is_mark(c)) {
			p++;
			continue;
		}
		q = p + 1;
		if (c == '(') {
			const char *m = matching_paren(p, end, &next_close);
			unsigned before = cp_before(in, p);
			unsigned after = m ? cp_at(m + 1, end) : 0;

			/* The link test last: it is the costly one. */
			if (m == NULL || !(chinese(before) || chinese(after) ||
			    has_chinese(p + 1, m)) || in_link(in, end, p, &lr)) {
				p++;
				continue;
			}
			if (nclose < MAX_CLOSE)
				close[nclose++] = m;
			else {
				p++;
				continue;
			}
		} else if (c == ')') {
			for (i = 0; i < nclose && close[i] != p; i++)
				;
			if (i == nclose) {
				p++;
				continue;
			}
			close[i] = close[--nclose];
		} else if (!mark_is_chinese(in, end, p, &lr)) {
			p++;
			continue;
		} else if (*q == ' ' && q + 1 < end && q[1] != ' ' &&
		    q[1] != '\n')
			q++;	/* the space typed after the ASCII mark */
		if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0)
			return rc;
		i = tm_utf8_put(fw, fullwidth_of(c));
		if ((rc = tm_buf_append(out, fw, i)) != 0)
			return rc;
		tm_edit(ctx, (size_t)(p - in), p, (size_t)(q - p), fw, i,
		    "fullwidth-punct");
		done = p = q;
	}
	return tm_buf_append(out, done, (size_t)(p - done));
}

/* punct=ascii: ， ： ； ？ ！ （ ） to ASCII. */
static int
ascii_run(struct width_state *s, struct tm_filter_ctx *ctx, const char *in,
    size_t len, struct tm_buf *out)
{
	const char *p = in, *end = in + len, *done = in, *q;
	unsigned cp;
	int rc;

	while (p < end) {
		/* Every character changed here is U+FF01..U+FF5E: lead EF. */
		if ((q = memchr(p, 0xEF, (size_t)(end - p))) == NULL)
			break;
		p = q;
		cp = tm_utf8_next(&q, end);
		if (cp >= 0xFF01 && cp <= 0xFF5E &&
		    (is_mark((int)(cp - 0xFF00 + 0x20)) ||
		    (s->alnum && ((cp >= 0xFF10 && cp <= 0xFF19) ||
		    (cp >= 0xFF21 && cp <= 0xFF3A) ||
		    (cp >= 0xFF41 && cp <= 0xFF5A))))) {
			char a = (char)(cp - 0xFF00 + 0x20);

			if ((rc = tm_buf_append(out, done,
			    (size_t)(p - done))) != 0 ||
			    (rc = tm_buf_putc(out, a)) != 0)
				return rc;
			tm_edit(ctx, (size_t)(p - in), p, (size_t)(q - p), &a,
			    1, is_mark(a) ? "ascii-punct" : "fullwidth-alnum");
			done = q;
		}
		p = q;
	}
	return tm_buf_append(out, done, (size_t)(end - done));
}

static int
width_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct width_state *s = state;

	if (s->punct == PUNCT_ASCII)
		return ascii_run(s, ctx, in, len, out);
	return full_run(s, ctx, in, len, out);
}

const struct tm_filter_type tm_filter_width = {
	.abi = TM_FILTER_ABI,
	.name = "width",
	.phase = TM_PHASE_WIDTH,
	.summary = "fullwidth punctuation in Chinese text, ASCII letters and digits",
	.options = width_options,
	.on_by_default = 1,
	.state_size = sizeof(struct width_state),
	.init = width_init,
	.run = width_run,
};
