/*
 * space.c - the last filter: line ends, invisible characters and blanks.
 *
 * Phase TM_PHASE_SPACE, on by default; runs on the pipeline's thread like
 * every filter, with all its state in struct space_state. What it does,
 * each rule switchable (`textmend filters` lists the options):
 *   crlf          CRLF, lone CR and NEL (U+0085, EBCDIC's line end)
 *                 become LF;
 *   controls      C0 controls (but TAB, LF, CR, FF), DEL and C1 controls
 *                 (but NEL) are removed;
 *   formfeed      FF is kept by default: pdftotext and RFC-style text use
 *                 it as a page break, so it is structure, not damage;
 *                 `formfeed=drop` removes it;
 *   zero-width    U+200B, U+2060 and U+FEFF (decode already dropped a
 *                 leading BOM; any other is junk from joined files) are
 *                 removed; ZWJ/ZWNJ stay, emoji and Indic and Persian
 *                 words need them;
 *   soft-hyphen   U+00AD is removed;
 *   nbsp          no-break spaces (U+00A0, U+202F, U+2007) become spaces.
 *                 The default, auto, keeps a lone one between two visible
 *                 non-CJK characters, where it is typography (French
 *                 `« bonjour »`, `10 000`, `M. Dupont`), and converts the
 *                 rest: next to CJK text, in runs, at line ends and as
 *                 indentation they are scraped `&nbsp;` layout. `all`
 *                 converts every one, `off` none;
 *   trailing      blanks (space, TAB, U+3000, and converted no-break
 *                 spaces) at a line end are removed, with any invisible
 *                 characters among them; leading indentation, ASCII or
 *                 U+3000, is kept;
 *   cjk-spaces    OCR spacing between Han characters is removed, but only
 *                 where a line shows the pattern: at least `cjk-min` Han
 *                 characters in a row, each standing alone (with at most
 *                 punctuation attached) and separated by one space.
 *                 `中 国 妇 女 报 全 媒 体 记 者 姚建` becomes
 *                 `中国妇女报全媒体记者 姚建`, the seed's own line; a space
 *                 between words, as in the seed headings `深化改革
 *                 “破难行动”进行时` and `建强战斗堡垒 夯实执政之基`, or a
 *                 padded two-character name `王 丹`, stays;
 *   final-newline text that does not end with a line end gets one (the
 *                 seeds do not, so that is the one change they get here);
 *                 empty output stays empty.
 * Every change is an edit in the report, its rule named after the option
 * ("crlf", "cr" for a lone CR, "nel", "control", "formfeed", "zero-width",
 * "bom", "soft-hyphen", "nbsp", "trailing", "cjk-spaces",
 * "final-newline"). The rules are sure of themselves, so there are no
 * suspects: what a rule is not sure of (a two-character spaced name, a
 * typographic no-break space) it leaves alone.
 *
 * The pipeline cuts segments at paragraph ends, but a segment may end
 * mid-line (a line longer than TM_SEGMENT_MAX, or a direct caller). Text
 * after the last line end is held back from the last "safe" point: a
 * place between two non-blank characters whose token can never be part
 * of an OCR-spaced run, so nothing before it needs to see what comes
 * after. A CR at the end of a segment is held back the same way, so a
 * CRLF split across segments is still one line end. The held text is
 * prepended to the next segment, or cleaned in finish().
 *
 * Speed: every byte of every file passes here. The loop copies spans of
 * bytes that cannot start anything interesting (most ASCII, Han, the
 * usual punctuation): eight bytes at a time while a word holds none of
 * the bytes it stops at, else with one table look-up per byte. It stops
 * only at CR, controls, blanks and the few lead bytes of the characters
 * above.
 * The output is never longer than the input, so it is written straight
 * into reserved space. About 1 GB/s on the seeds, 500 MB/s on English.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "internal.h"

/* Held text longer than this is cut even without a safe point. */
#define CARRY_MAX ((size_t)64 << 10)
/* An OCR-spaced token: a Han character, punctuation or digits with it. */
#define TOKEN_MAX_CHARS 3

enum { NBSP_AUTO, NBSP_ALL, NBSP_OFF };

struct space_state {
	bool crlf, controls, keep_ff, zero_width, soft_hyphen;
	bool trailing, cjk, final_newline;
	int nbsp;
	long long cjk_min;
	struct tm_buf carry;	/* input held back from the last segment */
	bool carry_mid;		/* carry starts mid-line, at a safe point */
	unsigned carry_prev;	/* then: the character before it */
	struct tm_buf scratch;	/* carry + segment */
	int last_out;		/* last byte written, -1 before any */
};

static const struct tm_option_desc space_options[] = {
	{ "crlf", TM_OPT_BOOL, "on", NULL,
	  "turn CRLF, lone CR and NEL (U+0085) into LF" },
	{ "controls", TM_OPT_BOOL, "on", NULL,
	  "remove control characters (C0 but TAB/LF/CR/FF, DEL, C1)" },
	{ "formfeed", TM_OPT_ENUM, "keep", "keep,drop",
	  "keep form feeds as page breaks, or drop them" },
	{ "zero-width", TM_OPT_BOOL, "on", NULL,
	  "remove U+200B, U+2060 and BOMs inside the text (ZWJ/ZWNJ stay)" },
	{ "soft-hyphen", TM_OPT_BOOL, "on", NULL,
	  "remove soft hyphens (U+00AD)" },
	{ "nbsp", TM_OPT_ENUM, "auto", "auto,all,off",
	  "no-break spaces to spaces: auto keeps typographic ones (10 000, "
	  "« a »)" },
	{ "trailing", TM_OPT_BOOL, "on", NULL,
	  "remove blanks at line ends (space, TAB, U+3000)" },
	{ "cjk-spaces", TM_OPT_BOOL, "on", NULL,
	  "remove OCR spaces between single Han characters (中 国 妇 女)" },
	{ "cjk-min", TM_OPT_INT, "3", NULL,
	  "fewest spaced Han characters in a row that count as OCR spacing" },
	{ "final-newline", TM_OPT_BOOL, "on", NULL,
	  "end non-empty text with a newline" },
	{ NULL, 0, NULL, NULL, NULL }
};

/*
 * Byte classes for the copy loop. 0: copy. The others need a look: a
 * blank, CR, a control, or the lead byte of a character handled here
 * (C2: C1, NBSP, soft hyphen; E2: U+2007, U+200B, U+202F, U+2060;
 * E3: U+3000; EF: U+FEFF).
 */
enum { B_COPY, B_CTRL, B_TAB, B_FF, B_CR, B_SP, B_DEL, B_LEAD };

static const uint8_t bclass[256] = {
	[0x00] = B_CTRL, [0x01] = B_CTRL, [0x02] = B_CTRL, [0x03] = B_CTRL,
	[0x04] = B_CTRL, [0x05] = B_CTRL, [0x06] = B_CTRL, [0x07] = B_CTRL,
	[0x08] = B_CTRL, [0x09] = B_TAB, [0x0B] = B_CTRL, [0x0C] = B_FF,
	[0x0D] = B_CR, [0x0E] = B_CTRL, [0x0F] = B_CTRL,
	[0x10] = B_CTRL, [0x11] = B_CTRL, [0x12] = B_CTRL, [0x13] = B_CTRL,
	[0x14] = B_CTRL, [0x15] = B_CTRL, [0x16] = B_CTRL, [0x17] = B_CTRL,
	[0x18] = B_CTRL, [0x19] = B_CTRL, [0x1A] = B_CTRL, [0x1B] = B_CTRL,
	[0x1C] = B_CTRL, [0x1D] = B_CTRL, [0x1E] = B_CTRL, [0x1F] = B_CTRL,
	[0x20] = B_SP, [0x7F] = B_DEL,
	[0xC2] = B_LEAD, [0xE2] = B_LEAD, [0xE3] = B_LEAD, [0xEF] = B_LEAD,
};

/* What a character at a position is to this filter. */
enum kind {
	K_COPY,			/* keep as it is */
	K_BLANK,		/* SP, TAB, U+3000 */
	K_NBSP,			/* U+00A0, U+202F, U+2007 (nbsp not off) */
	K_DROP,			/* remove, under `rule` */
	K_CR,
	K_NEL			/* U+0085, a line end (crlf on) */
};

struct ch {
	enum kind kind;
	size_t len;
	const char *rule;
};

static int
space_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct space_state *s = state;
	const char *nbsp = tm_opt_str(opts, "nbsp");

	s->crlf = tm_opt_bool(opts, "crlf");
	s->controls = tm_opt_bool(opts, "controls");
	s->keep_ff = strcmp(tm_opt_str(opts, "formfeed"), "keep") == 0;
	s->zero_width = tm_opt_bool(opts, "zero-width");
	s->soft_hyphen = tm_opt_bool(opts, "soft-hyphen");
	s->trailing = tm_opt_bool(opts, "trailing");
	s->cjk = tm_opt_bool(opts, "cjk-spaces");
	s->final_newline = tm_opt_bool(opts, "final-newline");
	s->nbsp = strcmp(nbsp, "all") == 0 ? NBSP_ALL :
	    strcmp(nbsp, "off") == 0 ? NBSP_OFF : NBSP_AUTO;
	s->cjk_min = tm_opt_int(opts, "cjk-min");
	if (s->cjk_min < 2)
		return tm_diag_set(diag, TM_ECONF, "space", -1,
		    "space.cjk-min: %lld is too small (2 at least: a run "
		    "needs two characters)", s->cjk_min);
	tm_buf_init(&s->carry, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->scratch, TM_BUF_DEFAULT_MAX);
	s->last_out = -1;
	return 0;
}

static void
space_release(void *state)
{
	struct space_state *s = state;

	tm_buf_release(&s->carry);
	tm_buf_release(&s->scratch);
}

/* Classify the character at u[i] (i < n) under the options. */
static struct ch
char_at(const struct space_state *s, const unsigned char *u, size_t i)
{
	struct ch c = { K_COPY, 1, NULL };
	unsigned b1, b2;

	switch (bclass[u[i]]) {
	case B_COPY:
		break;
	case B_SP:
	case B_TAB:
		c.kind = K_BLANK;
		break;
	case B_CR:
		c.kind = K_CR;
		break;
	case B_FF:
		if (!s->keep_ff) {
			c.kind = K_DROP;
			c.rule = "formfeed";
		}
		break;
	case B_CTRL:
	case B_DEL:
		if (s->controls) {
			c.kind = K_DROP;
			c.rule = "control";
		}
		break;
	case B_LEAD:
		/* Input is valid UTF-8: the continuation bytes are there. */
		b1 = u[i + 1];
		if (u[i] == 0xC2) {
			c.len = 2;
			if (b1 == 0x85) {
				if (s->crlf)
					c.kind = K_NEL;
			} else if (b1 <= 0x9F && s->controls) {
				c.kind = K_DROP;
				c.rule = "control";
			} else if (b1 == 0xA0 && s->nbsp != NBSP_OFF)
				c.kind = K_NBSP;
			else if (b1 == 0xAD && s->soft_hyphen) {
				c.kind = K_DROP;
				c.rule = "soft-hyphen";
			}
			break;
		}
		c.len = 3;
		b2 = u[i + 2];
		if (u[i] == 0xE2) {
			if (b1 == 0x80 && (b2 == 0x87 || b2 == 0xAF) &&
			    s->nbsp != NBSP_OFF)
				c.kind = K_NBSP;
			else if (((b1 == 0x80 && b2 == 0x8B) ||
			    (b1 == 0x81 && b2 == 0xA0)) && s->zero_width) {
				c.kind = K_DROP;
				c.rule = "zero-width";
			}
		} else if (u[i] == 0xE3) {
			if (b1 == 0x80 && b2 == 0x80)
				c.kind = K_BLANK;
		} else if (b1 == 0xBB && b2 == 0xBF && s->zero_width) {
			c.kind = K_DROP;
			c.rule = "bom";
		}
		break;
	}
	return c;
}

/*
 * Could the sequence at a lead byte be one of ours? A cheap test that
 * lets “”、。，and friends stay on the copy path; char_at decides.
 */
static inline bool
lead_special(const unsigned char *u)
{
	switch (u[0]) {
	case 0xC2:
		return u[1] <= 0xA0 || u[1] == 0xAD;
	case 0xE2:
		return (u[1] == 0x80 && (u[2] == 0x87 || u[2] == 0x8B ||
		    u[2] == 0xAF)) || (u[1] == 0x81 && u[2] == 0xA0);
	case 0xE3:
		return u[1] == 0x80 && u[2] == 0x80;
	default:		/* 0xEF */
		return u[1] == 0xBB && u[2] == 0xBF;
	}
}

/*
 * A space with an ordinary character after it, and not between two
 * possibly-CJK characters, needs nothing: the common case in Latin text.
 * after_space[c] for the byte after the space: 0 have a look, 1 plain,
 * 2 plain unless the byte before the space is non-ASCII (it may be CJK).
 */
static const uint8_t after_space[256] = {
	[0x21] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0xC3] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0xD0] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0xE0] = 1, 1,
	[0xE4] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	[0xF0] = 2, 2, 2, 2, 2,
};

static inline bool
plain_space(const unsigned char *u, size_t i, size_t n)
{
	unsigned a;

	if (i + 1 >= n)
		return false;
	a = after_space[u[i + 1]];
	return a == 1 || (a == 2 && (i == 0 || u[i - 1] < 0x80));
}

/* Blanks delimit tokens and block safe points, whatever the options. */
static bool
is_blank_cp(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0xA0 ||
	    cp == 0x202F || cp == 0x2007;
}

/* What ends a token: a blank or a line end (NEL included). */
static bool
is_delim_cp(unsigned cp)
{
	return is_blank_cp(cp) || cp == '\n' || cp == '\r' || cp == 0x85;
}

/*
 * Characters a rule may remove, whatever the options say: a blank run
 * that goes on to a line end takes them along, so no cut may fall among
 * them.
 */
static bool
is_invisible_cp(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD ||
	    cp == 0x200B || cp == 0x2060 || cp == 0xFEFF;
}

/* CJK punctuation that OCR spacing leaves standing between characters. */
static bool
is_cjk_punct(unsigned cp)
{
	return (cp >= 0x3001 && cp <= 0x303F) ||
	    (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
	    (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || cp == 0x2014 || cp == 0x2015 ||
	    (cp >= 0x2018 && cp <= 0x201F) || cp == 0x2026 || cp == 0x00B7;
}

/*
 * A character a spaced-out token may consist of. ASCII punctuation and
 * digits are there because the seeds' Chinese text has them
 * (`东阿县,每一位`, `东阿340个`), and OCR spaces them out like the rest
 * (`县 , 每`, `阿 3 4 0 个`); a run still needs cjk-min Han characters.
 */
static bool
is_token_cp(unsigned cp)
{
	return tm_is_han(cp) || is_cjk_punct(cp) ||
	    (cp >= '0' && cp <= '9') ||
	    (cp < 0x80 && cp != 0 && strchr(",.:;!?()\"'", (int)cp) != NULL);
}

/*
 * May the text be cut between a and b (adjacent characters)? Yes when
 * both are visible, not blank, and the token holding them can never take
 * part in an OCR-spaced run: it has a non-CJK character, or two Han
 * characters.
 */
static bool
safe_pair(unsigned a, unsigned b)
{
	if (is_delim_cp(a) || is_delim_cp(b) || is_invisible_cp(a) ||
	    is_invisible_cp(b))
		return false;
	return !is_token_cp(a) || !is_token_cp(b) ||
	    (tm_is_han(a) && tm_is_han(b));
}

/* Visible, non-CJK: a neighbour that makes a no-break space typography. */
static bool
latin_visible(unsigned cp)
{
	if (cp <= 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD)
		return false;
	if (is_blank_cp(cp) || (cp >= 0x200B && cp <= 0x200F) ||
	    cp == 0x2060 || cp == 0xFEFF)
		return false;
	return !tm_is_cjk(cp) && !is_cjk_punct(cp);
}

/* Broadcast a byte to the eight bytes of a word. */
#define BYTES(c) (UINT64_C(0x0101010101010101) * (c))

/* Has the word a zero byte? (Exact as a yes or no.) */
static inline uint64_t
zero_byte(uint64_t w)
{
	return (w - BYTES(0x01)) & ~w & BYTES(0x80);
}

/*
 * Are all eight bytes at u B_COPY? None below 0x21, none 7F, C2, E2, E3
 * or EF: whole words of Han text pass at once instead of byte by byte.
 */
static inline bool
plain_word(const unsigned char *u)
{
	uint64_t w;

	memcpy(&w, u, 8);
	return ((w - BYTES(0x21)) & ~w & BYTES(0x80)) == 0 &&
	    zero_byte(w ^ BYTES(0x7F)) == 0 &&
	    zero_byte(w ^ BYTES(0xC2)) == 0 &&
	    zero_byte((w | BYTES(0x01)) ^ BYTES(0xE3)) == 0 &&
	    zero_byte(w ^ BYTES(0xEF)) == 0;
}

/* One cleaning pass over a region of text. */
struct pass {
	struct space_state *s;
	struct tm_filter_ctx *ctx;	/* offsets relative to p */
	const char *p;
	const unsigned char *u;
	size_t n;
	bool mid_start;		/* starts mid-line (after a safe point) */
	unsigned prev_cp;	/* then: the character before p[0] */
	bool frag_end;		/* ends mid-line (before a safe point) */
	unsigned next_cp;	/* then: the character after p[n - 1] */
	bool final;		/* ends the document */
	char *o;		/* output, room reserved */
	size_t k;
};

/* A line ends at j (or the document does). */
static bool
line_end_at(const struct pass *ps, size_t j)
{
	if (j >= ps->n)
		return ps->final;
	if (ps->u[j] == '\n')
		return true;
	if (ps->u[j] == 0xC2 && ps->u[j + 1] == 0x85)
		return ps->s->crlf;
	if (ps->u[j] != '\r')
		return false;
	return ps->s->crlf || (j + 1 < ps->n && ps->u[j + 1] == '\n');
}

/*
 * The token (blank-delimited) that starts at i: its end, how many Han
 * characters it has, and whether it may be part of an OCR-spaced run.
 */
static bool
token_fwd(const struct pass *ps, size_t i, size_t *end, unsigned *han)
{
	const char *q = ps->p + i, *lim = ps->p + ps->n;
	unsigned cp, chars = 0;

	*han = 0;
	while (q < lim) {
		const char *c = q;

		cp = tm_utf8_next(&q, lim);
		if (is_delim_cp(cp)) {
			q = c;
			break;
		}
		if (!is_token_cp(cp) || ++chars > TOKEN_MAX_CHARS)
			return false;
		if (tm_is_han(cp) && ++*han > 1)
			return false;
	}
	/* A token cut by the region end may go on in the next one. */
	if (q == lim && ps->frag_end && !is_delim_cp(ps->next_cp))
		return false;
	*end = (size_t)(q - ps->p);
	return chars > 0;
}

/* The same for the token that ends at i. */
static bool
token_back(const struct pass *ps, size_t i, size_t *start, unsigned *han)
{
	const char *q = ps->p + i;
	unsigned cp, chars = 0;

	*han = 0;
	while (q > ps->p) {
		const char *c = q;

		cp = tm_utf8_prev(&q, ps->p);
		if (is_delim_cp(cp)) {
			q = c;
			break;
		}
		if (!is_token_cp(cp) || ++chars > TOKEN_MAX_CHARS)
			return false;
		if (tm_is_han(cp) && ++*han > 1)
			return false;
	}
	if (q == ps->p && ps->mid_start && !is_delim_cp(ps->prev_cp))
		return false;
	*start = (size_t)(q - ps->p);
	return chars > 0;
}

/*
 * A space at i between two CJK characters: if it opens a run of spaced
 * single characters long enough to be OCR's, write the run without its
 * spaces; otherwise copy the run as it is. Returns the index after what
 * was written, or i when there is no run (the caller copies the space).
 */
static size_t
cjk_run(struct pass *ps, size_t i)
{
	size_t ts, pos, te, k0, q;
	unsigned han, total;

	if (!token_back(ps, i, &ts, &total))
		return i;
	pos = i;
	while (pos + 1 < ps->n && ps->u[pos] == ' ' &&
	    token_fwd(ps, pos + 1, &te, &han)) {
		total += han;
		pos = te;
	}
	if (pos == i)
		return i;
	if ((long long)total < ps->s->cjk_min) {
		memcpy(ps->o + ps->k, ps->p + i, pos - i);
		ps->k += pos - i;
		return pos;
	}
	/* The first token is already out, copied as it was. */
	k0 = ps->k - (i - ts);
	for (q = i; q < pos; q++)
		if (ps->u[q] != ' ')
			ps->o[ps->k++] = ps->p[q];
	tm_edit(ps->ctx, ts, ps->p + ts, pos - ts, ps->o + k0, ps->k - k0,
	    "cjk-spaces");
	return pos;
}

/* Should the no-break space at [i, i+len) stay? (nbsp=auto) */
static bool
nbsp_typographic(const struct pass *ps, size_t i, size_t len)
{
	const char *q = ps->p + i;
	unsigned before, after;

	if ((i == 0 && !ps->mid_start) || i + len >= ps->n)
		return false;
	before = i == 0 ? ps->prev_cp : tm_utf8_prev(&q, ps->p);
	q = ps->p + i + len;
	after = tm_utf8_next(&q, ps->p + ps->n);
	return latin_visible(before) && latin_visible(after);
}

/* Blanks, and characters being removed, from i on. */
static size_t
skip_blankish(const struct pass *ps, size_t i)
{
	struct ch c;

	while (i < ps->n) {
		c = char_at(ps->s, ps->u, i);
		if (c.kind != K_BLANK && c.kind != K_NBSP && c.kind != K_DROP)
			break;
		i += c.len;
	}
	return i;
}

/* Handle the character c at i, line ends aside. */
static size_t
one(struct pass *ps, size_t i, struct ch c)
{
	struct space_state *s = ps->s;
	size_t j;

	switch (c.kind) {
	case K_COPY:
		break;
	case K_DROP:
		tm_edit(ps->ctx, i, ps->p + i, c.len, "", 0, c.rule);
		return i + c.len;
	case K_CR:
		if (!s->crlf)
			break;
		if (i + 1 < ps->n && ps->u[i + 1] == '\n') {
			tm_edit(ps->ctx, i, ps->p + i, 2, "\n", 1, "crlf");
			ps->o[ps->k++] = '\n';
			return i + 2;
		}
		tm_edit(ps->ctx, i, ps->p + i, 1, "\n", 1, "cr");
		ps->o[ps->k++] = '\n';
		return i + 1;
	case K_NEL:
		tm_edit(ps->ctx, i, ps->p + i, 2, "\n", 1, "nel");
		ps->o[ps->k++] = '\n';
		return i + 2;
	case K_NBSP:
		if (s->nbsp == NBSP_AUTO && nbsp_typographic(ps, i, c.len))
			break;
		tm_edit(ps->ctx, i, ps->p + i, c.len, " ", 1, "nbsp");
		ps->o[ps->k++] = ' ';
		return i + c.len;
	case K_BLANK:
		if (ps->u[i] == ' ' && s->cjk && i > 0 && i + 1 < ps->n &&
		    (j = cjk_run(ps, i)) != i)
			return j;
		break;
	}
	memcpy(ps->o + ps->k, ps->p + i, c.len);
	ps->k += c.len;
	return i + c.len;
}

/*
 * Handle the character at i, which the copy loop stopped at. Blanks are
 * taken a run at a time: all of it goes if a line end follows.
 */
static size_t
slow(struct pass *ps, size_t i)
{
	struct ch c = char_at(ps->s, ps->u, i);
	size_t j;

	if ((c.kind != K_BLANK && c.kind != K_NBSP) || !ps->s->trailing)
		return one(ps, i, c);
	j = skip_blankish(ps, i);
	if (line_end_at(ps, j)) {
		tm_edit(ps->ctx, i, ps->p + i, j - i, "", 0, "trailing");
		return j;
	}
	while (i < j)
		i = one(ps, i, char_at(ps->s, ps->u, i));
	return i;
}

/* Clean p[0..n), appending to out. */
static int
clean(struct space_state *s, struct tm_filter_ctx *ctx, const char *p,
    size_t n, bool mid_start, bool frag_end, unsigned next_cp, bool final,
    struct tm_buf *out)
{
	const unsigned char *u = (const unsigned char *)p;
	struct pass ps;
	size_t i = 0, start, len0 = out->len;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = tm_buf_reserve(out, n)) != 0)
		return rc;
	ps = (struct pass){ s, ctx, p, u, n, mid_start, s->carry_prev,
	    frag_end, next_cp, final, out->ptr, out->len };
	while (i < n) {
		start = i;
		for (;;) {
			while (n - i >= 8 && plain_word(u + i))
				i += 8;
			while (i < n && bclass[u[i]] == B_COPY)
				i++;
			if (i == n)
				break;
			if (bclass[u[i]] == B_LEAD && !lead_special(u + i))
				i++;
			else if (u[i] == ' ' && plain_space(u, i, n))
				i++;
			else
				break;
		}
		memcpy(ps.o + ps.k, p + start, i - start);
		ps.k += i - start;
		if (i < n)
			i = slow(&ps, i);
	}
	out->len = ps.k;
	out->ptr[out->len] = '\0';
	if (out->len > len0)
		s->last_out = (unsigned char)out->ptr[out->len - 1];
	return 0;
}

/*
 * Where to stop cleaning in a segment that ends mid-line: after the last
 * line end, or, further on, at the last safe point of the unfinished line
 * (*mid set). [t, n) is that line.
 */
static size_t
find_cut(const char *p, size_t t, size_t n, bool *mid)
{
	const char *q = p + n, *a;
	unsigned cur, prev;

	*mid = false;
	if (n - t < 2)
		return t;
	cur = tm_utf8_prev(&q, p + t);
	while (q > p + t) {
		a = q;
		prev = tm_utf8_prev(&q, p + t);
		if (safe_pair(prev, cur)) {
			*mid = true;
			return (size_t)(a - p);
		}
		if (n - (size_t)(q - p) > CARRY_MAX)
			break;
		cur = prev;
	}
	if (n - t <= CARRY_MAX)
		return t;
	/*
	 * A very long line with no safe point in its last CARRY_MAX bytes
	 * (a megabyte of blanks, or of spaced characters). Cut anyway, so
	 * memory stays bounded: after the last character that is not blank,
	 * so blanks before a line end are still seen whole, or failing that
	 * anywhere but after a CR. At worst some blanks stay or a spaced run
	 * is joined in two parts.
	 */
	q = p + n;
	while (q > p + t && n - (size_t)(q - p) <= CARRY_MAX) {
		a = q;
		cur = tm_utf8_prev(&q, p + t);
		if (!is_delim_cp(cur) && !is_invisible_cp(cur) &&
		    a < p + n) {
			*mid = true;
			return (size_t)(a - p);
		}
	}
	q = p + n;
	while (q > p + t) {
		a = q;
		if (tm_utf8_prev(&q, p + t) != '\r' && a < p + n) {
			*mid = true;
			return (size_t)(a - p);
		}
	}
	return t;
}

static int
space_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct space_state *s = state;
	struct tm_filter_ctx lctx = *ctx;
	const char *p = in, *nl, *cr;
	size_t n = len, t, cut;
	bool mid, start_mid = s->carry_mid;
	unsigned next = 0;
	int rc;

	(void)diag;
	if (s->carry.len > 0) {
		tm_buf_reset(&s->scratch);
		if ((rc = tm_buf_append(&s->scratch, s->carry.ptr,
		    s->carry.len)) != 0 ||
		    (rc = tm_buf_append(&s->scratch, in, len)) != 0)
			return rc;
		lctx.offset -= s->carry.len;
		p = s->scratch.ptr;
		n = s->scratch.len;
	}
	/* After the last line end: LF, or a CR whose follower is known. */
	nl = memrchr(p, '\n', n);
	t = nl != NULL ? (size_t)(nl - p) + 1 : 0;
	if (s->crlf && n > t + 1 &&
	    (cr = memrchr(p + t, '\r', n - t - 1)) != NULL)
		t = (size_t)(cr - p) + 1;
	if (t == n) {
		cut = n;
		mid = false;
	} else if ((cut = find_cut(p, t, n, &mid)) == 0)
		mid = start_mid;	/* still the line the carry started */
	if (cut < n) {
		const char *q = p + cut;

		next = tm_utf8_next(&q, p + n);
	}
	if ((rc = clean(s, &lctx, p, cut, start_mid, cut != t, next, false,
	    out)) != 0)
		return rc;
	/* p may point into scratch, never into carry. */
	tm_buf_reset(&s->carry);
	if (mid && cut > 0) {
		const char *q = p + cut;

		s->carry_prev = tm_utf8_prev(&q, p);
	}
	s->carry_mid = mid;
	return tm_buf_append(&s->carry, p + cut, n - cut);
}

static int
space_finish(void *state, struct tm_filter_ctx *ctx, struct tm_buf *out,
    struct tm_diag *diag)
{
	struct space_state *s = state;
	struct tm_filter_ctx lctx = *ctx;
	int rc;

	(void)diag;
	lctx.offset -= s->carry.len;
	if ((rc = clean(s, &lctx, s->carry.ptr, s->carry.len, s->carry_mid,
	    false, 0, true, out)) != 0)
		return rc;
	tm_buf_reset(&s->carry);
	if (s->final_newline && s->last_out >= 0 && s->last_out != '\n') {
		if ((rc = tm_buf_putc(out, '\n')) != 0)
			return rc;
		tm_edit(ctx, 0, "", 0, "\n", 1, "final-newline");
		s->last_out = '\n';
	}
	return 0;
}

const struct tm_filter_type tm_filter_space = {
	.abi = TM_FILTER_ABI,
	.name = "space",
	.phase = TM_PHASE_SPACE,
	.summary = "line ends, invisible characters, no-break and trailing "
	    "blanks, OCR spaces in Chinese",
	.options = space_options,
	.on_by_default = 1,
	.state_size = sizeof(struct space_state),
	.init = space_init,
	.run = space_run,
	.finish = space_finish,
	.release = space_release,
};
