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
 *     final punctuation), a byline or a list item;
 *   - hard-wrapped lines of a paragraph (OCR output, one line per printed
 *     line): only in a document whose line lengths say it is hard-wrapped
 *     (most lines close to the same maximum length), a full line is joined
 *     with the next unless that one is indented or starts a list.
 * Chinese joins without a space, Latin with one; "exam-" / "ple" is
 * dehyphenated unless the left part is a prefix usually written with a
 * hyphen. A character doubled across the break (seed 002 "因地制宜" /
 * "宜将") loses its copy when ICU's dictionary word break says the
 * doubled form is not a word. The paragraph separator style (blank line
 * or single newline) is kept, since only breaks are removed.
 *
 * It also reports, without changing them, what only looks broken: OCR
 * stutters (党组组组高校, 最深情的律律), a lone lower-case Latin word inside
 * Chinese (社会组织 and 律师), and U+FFFD replacement characters.
 *
 * The last line of a segment is held back until the next segment shows
 * what follows it. Pure and reentrant; runs on the daemon's threadpool.
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "translit.h"
#include "internal.h"

#define MIN_BODY 36		/* letters of a body paragraph */
#define MAX_HEADING 30		/* letters of a heading, at most */
#define MIN_CLAUSES 20		/* letters of a paragraph with commas */
#define MIN_WORD_SPLIT 8	/* letters before a break inside a word */
#define HIST 256		/* line lengths counted up to this */
#define WRAP_SAMPLE 8		/* lines needed to call a document wrapped */

struct reflow_state {
	int paragraphs, lines, suspects;
	struct tm_buf held;	/* last line of the previous segment, on */
	struct tm_buf work;
	size_t cont_letters;	/* letters of the paragraph held continues */
	int cont_commas;	/* and its commas */
	int held_cont;		/* held is the continuation of a join */
	unsigned hist[HIST];
	unsigned nlines;
	int wrapped;		/* -1 not decided yet */
	unsigned max_len;	/* the wrapping width, in characters */
};

static const struct tm_option_desc reflow_options[] = {
	{ "paragraphs", TM_OPT_BOOL, "on", NULL,
	  "join paragraphs split by a blank line inside a sentence" },
	{ "lines", TM_OPT_BOOL, "on", NULL,
	  "join hard-wrapped lines in documents that are hard-wrapped" },
	{ "suspects", TM_OPT_BOOL, "on", NULL,
	  "report OCR stutters, stray Latin words and U+FFFD" },
	{ NULL, 0, NULL, NULL, NULL }
};

struct line {
	const char *start, *end;	/* content, blanks trimmed */
	const char *raw;		/* start of the line */
	const char *next;		/* start of the following line */
	size_t letters, chars;
	unsigned first, last;		/* first and last character */
	int commas;			/* clause commas inside the line */
};

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
	return tm_is_han(cp) || is_latin(cp) || (cp >= '0' && cp <= '9') ||
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

/* Read the line at p: trimmed content, letters, first and last char. */
static void
read_line(const char *p, const char *end, struct line *l)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *q, *r;
	unsigned cp;

	l->raw = p;
	l->next = nl ? nl + 1 : end;
	l->start = p;
	l->end = nl ? nl : end;
	while (l->start < l->end) {
		q = l->start;
		if (!blank_cp(tm_utf8_next(&q, l->end)))
			break;
		l->start = q;
	}
	while (l->end > l->start) {
		q = l->end;
		if (!blank_cp(tm_utf8_prev(&q, l->start)))
			break;
		l->end = q;
	}
	l->letters = l->chars = 0;
	l->first = l->last = 0;
	l->commas = 0;
	for (r = l->start; r < l->end;) {
		cp = tm_utf8_next(&r, l->end);
		if (l->chars++ == 0)
			l->first = cp;
		l->last = cp;
		l->letters += is_letter(cp);
		l->commas += cp == 0xFF0C || cp == ',';
	}
}

/* Does the line start a list item, a byline or a quotation of its own? */
static int
starts_item(const struct line *l)
{
	static const char *const marks[] = {
		"\xe2\x96\xa1", "\xe2\x96\xa0", "\xe2\x97\x8f", "\xe2\x97\x86",
		"\xe2\x96\xb2", "\xe2\x80\xbb", "\xe2\x98\x85", "\xe2\x80\x94",
		"\xe2\x80\xa2", "- ", "* ", "\xe7\xac\xac", NULL
	};	/* □ ■ ● ◆ ▲ ※ ★ — • - * 第 */
	const char *p = l->start;
	size_t i;

	for (i = 0; marks[i] != NULL; i++)
		if ((size_t)(l->end - p) >= strlen(marks[i]) &&
		    memcmp(p, marks[i], strlen(marks[i])) == 0)
			return 1;
	/* "1." "1、" "(1)" "（一）" */
	if (*p == '(' || memcmp(p, "\xef\xbc\x88", 3) == 0)
		return 1;
	while (p < l->end && *p >= '0' && *p <= '9')
		p++;
	if (p > l->start && p < l->end && (*p == '.' ||
	    (l->end - p >= 3 && memcmp(p, "\xe3\x80\x81", 3) == 0)))
		return 1;
	return 0;
}

static int
heading_like(const struct line *l)
{
	return l->letters < MAX_HEADING && !ends_sentence(l->last);
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
word_split(const struct line *l, const struct line *n)
{
	char buf[32];
	size_t at, len = junction(l, n, buf, sizeof(buf), &at);

	return len > 0 && tm_word_boundary(buf, len, at) == 0;
}

/* A paragraph break between l (continuing a paragraph of `letters`) and
   n inside a sentence? */
static int
split_in_sentence(const struct line *l, size_t letters, int commas,
    const struct line *n)
{
	unsigned a = l->last, b = n->first;

	if (ends_sentence(a) || heading_like(n) || starts_item(n))
		return 0;
	if (a == 0xFF0C || a == 0x3001 || a == ',')	/* ， 、 , */
		return !is_latin(b) || is_lower(b);
	if (is_latin(a) || is_latin(b))
		return letters >= MIN_BODY && (is_latin(a) || a == '-') &&
		    is_lower(b);
	if (!tm_is_han(a))
		return 0;	/* a number or a symbol can end a table row */
	/* No paragraph starts with these: 、，。 and the like. */
	if (b == 0x3001 || b == 0xFF0C || b == 0x3002 || b == 0xFF1B ||
	    b == 0xFF1A || b == 0xFF1F || b == 0xFF01)
		return 1;
	if (!(tm_is_han(b) || b == 0x201C || b == 0x2018 ||
	    (b >= '0' && b <= '9')))
		return 0;
	/* A body paragraph: long, or with clauses (headings seldom have
	   a comma); a shorter one only if the break cuts a word in two
	   (音频设|备, 一|个), which a heading's end never does. */
	if (letters >= MIN_BODY || (letters >= MIN_CLAUSES && commas > 0))
		return 1;
	return letters >= MIN_WORD_SPLIT && tm_is_han(b) &&
	    word_split(l, n);
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
full_line(const struct reflow_state *s, const struct line *l,
    const struct line *n)
{
	if (is_latin(n->first) || n->first < 0x80)
		return l->chars + 1 + first_word(n) > s->max_len;
	return l->chars + 2 >= s->max_len;
}

static void
count_lines(struct reflow_state *s, const char *p, const char *end)
{
	struct line l;

	for (; p < end; p = l.next) {
		read_line(p, end, &l);
		if (l.chars == 0)
			continue;
		s->hist[l.chars < HIST ? l.chars : HIST - 1]++;
		s->nlines++;
	}
}

/* Prefixes usually written with a hyphen: "well-" + "known" stays. */
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

/*
 * Is the second of two equal characters at a junction a stray copy? Yes
 * when ICU's word break puts the first at the end of a longer word and
 * the second alone: 因地制宜|宜将 -> [因地制宜][宜][将]. Not for 常|常去
 * ([常常]) or 每一天|天气 ([天气]).
 */
static int
stray_copy(const struct line *l, const struct line *n)
{
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
	/* Boundary at the junction and right after the copy, none before
	   the first character. */
	return tm_word_boundary(buf, len, la) == 1 &&
	    tm_word_boundary(buf, len,
	    la + (size_t)(copy_end - n->start)) == 1 &&
	    tm_word_boundary(buf, len, la - tm_utf8_len(l->last)) == 0;
}

/* Report what only looks broken in [p, end). */
static void
find_suspects(struct tm_filter_ctx *ctx, const char *base, const char *p,
    const char *end)
{
	const char *q, *prev = NULL, *pprev = NULL;
	unsigned cp, last = 0, last2 = 0;

	while (p < end) {
		q = p;
		cp = tm_utf8_next(&q, end);
		if (cp == 0xFFFD)
			tm_suspect(ctx, (size_t)(p - base), p, (size_t)(q - p),
			    "replacement character");
		if (tm_is_han(cp) && cp == last && cp == last2) {
			tm_suspect(ctx, (size_t)(pprev - base), pprev,
			    (size_t)(q - pprev), "OCR stutter");
		} else if (tm_is_han(cp) && cp == last && cp != last2 &&
		    prev != NULL && q < end) {
			/* XX not a word, and not part of XXX. */
			const char *r = q, *from = prev, *to;
			unsigned after = tm_utf8_next(&r, end);
			int i;

			for (i = 0; i < 3 && from > base; i++)
				tm_utf8_prev(&from, base);
			for (i = 0, r = q; i < 3 && r < end && *r != '\n'; i++)
				tm_utf8_next(&r, end);
			to = r;
			/* Reduplication is common in Chinese (周周, 铮铮), so
			   a pair is reported only where OCR stutters: at the
			   end of a clause, each copy a word of its own. */
			if (after != cp && to - from < 64 &&
			    (after == 0 || after == '\n' || ends_sentence(after) ||
			    after == 0xFF0C || after == 0x3001) &&
			    tm_word_boundary(from, (size_t)(to - from),
			    (size_t)(p - from)) == 1 &&
			    tm_word_boundary(from, (size_t)(to - from),
			    (size_t)(prev - from)) == 1)
				tm_suspect(ctx, (size_t)(prev - base), prev,
				    (size_t)(q - prev), "OCR stutter");
		}
		if (cp == ' ' && tm_is_han(last)) {
			/* "社会组织 and 律师": a lone lower-case word. */
			const char *w = q, *we;
			unsigned c2 = 0;

			while (w < end && *w >= 'a' && *w <= 'z')
				w++;
			we = w;
			if (we - q >= 2 && we - q <= 12 && we < end &&
			    *we == ' ') {
				w = we + 1;
				if (w < end)
					c2 = tm_utf8_next(&w, end);
				if (tm_is_han(c2))
					tm_suspect(ctx, (size_t)(q - base), q,
					    (size_t)(we - q),
					    "Latin word inside Chinese text");
			}
		}
		pprev = prev;
		prev = p;
		last2 = last;
		last = cp;
		p = q;
	}
}

static int
reflow_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct reflow_state *s = state;

	s->paragraphs = tm_opt_bool(opts, "paragraphs");
	s->lines = tm_opt_bool(opts, "lines");
	s->suspects = tm_opt_bool(opts, "suspects");
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
}

/* Start of the last non-blank line of [p, end), or p if there is none. */
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
			if (l.chars > 0)
				return s;
		}
		if (s == p)
			return p;
		q = s - 1;	/* the newline before this line */
		line_end = q;
	}
	return p;
}

/* Join l and n: what goes between them, and the edit's rule. */
static const char *
joiner(const struct line *l, const struct line *n, int *drop_hyphen,
    int *drop_copy)
{
	*drop_hyphen = 0;
	*drop_copy = 0;
	if (l->last == '-' && is_lower(n->first) && l->end - l->start >= 2) {
		const char *w = l->end - 1;

		while (w > l->start && is_latin((unsigned char)w[-1]))
			w--;
		if (w < l->end - 1 && is_lower((unsigned char)w[0]) &&
		    !hyphen_prefix(w, (size_t)(l->end - 1 - w)))
			*drop_hyphen = 1;
		return "";
	}
	if ((is_latin(l->last) || l->last < 0x80) && (is_latin(n->first) ||
	    n->first < 0x80))
		return " ";
	if (l->last == n->first && tm_is_han(l->last) && stray_copy(l, n))
		*drop_copy = 1;
	return "";
}

/*
 * Process text [0, limit) of the work buffer, with the lines after limit
 * available to look at. Returns the offset where held text starts.
 */
static int
process(struct reflow_state *s, struct tm_filter_ctx *ctx, const char *text,
    size_t len, int final, struct tm_buf *out)
{
	const char *end = text + len, *limit, *p, *emit_from;
	struct line l = { 0 }, n = { 0 };
	size_t letters = s->cont_letters;
	int rc, join, cont = s->held_cont, commas = s->cont_commas;

	limit = final ? end : last_line_start(text, end);
	if (s->suspects)
		find_suspects(ctx, text, text, limit);
	p = text;
	/* Leading blank lines pass through. */
	for (;;) {
		if (p >= limit) {
			emit_from = p;
			goto hold;
		}
		read_line(p, end, &l);
		if (l.chars > 0)
			break;
		if ((rc = tm_buf_append(out, p, (size_t)(l.next - p))) != 0)
			return rc;
		p = l.next;
	}
	emit_from = cont ? l.start : l.raw;
	for (;;) {
		const char *q;
		int blank = 0;

		letters += l.letters;
		commas += l.commas;
		/* The next non-blank line. */
		for (q = l.next; q < end; q = n.next) {
			read_line(q, end, &n);
			if (n.chars > 0)
				break;
			blank = 1;
		}
		if (q >= end) {
			/* Nothing follows yet: hold l unless this is the end. */
			if (!final)
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
		    split_in_sentence(&l, letters, commas, &n) :
		    s->lines && s->wrapped == 1 && full_line(s, &l, &n) &&
		    n.start == n.raw && !starts_item(&n);
		if (!join) {
			if ((rc = tm_buf_append(out, emit_from,
			    (size_t)(n.raw - emit_from))) != 0)
				return rc;
			emit_from = n.raw;
			letters = 0;
			commas = 0;
			cont = 0;
		} else {
			int drop_hyphen, drop_copy;
			const char *j = joiner(&l, &n, &drop_hyphen, &drop_copy);
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
	s->cont_letters = s->held_cont ? letters - l.letters : 0;
	s->cont_commas = s->held_cont ? commas - l.commas : 0;
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
