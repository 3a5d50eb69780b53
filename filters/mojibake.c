/*
 * mojibake.c - repair text that went through the wrong charset upstream.
 *
 * Phase 2, right after decode. Each confusion is repaired only where the
 * result is clearly more plausible than what is there; every repair is an
 * edit named after the confusion, and a run that looks garbled but does
 * not repair with confidence is a suspect.
 *
 *   - UTF-8 read as Windows-1252 or Latin-1 ("utf8-as-cp1252"): "CafÃ©"
 *     -> "Café", "â€œquotedâ€\x9d" -> "“quoted”", "ç®€ä½“ä¸­æ–‡" ->
 *     "简体中文". Each run of non-ASCII characters is mapped back to bytes
 *     with "sloppy" cp1252 (the 27 cp1252 symbols to their bytes, U+0080..
 *     U+00FF to themselves, so the five bytes cp1252 leaves undefined
 *     survive as C1 controls); complete UTF-8 sequences among those bytes
 *     that decode to a plausible character are decoded. A sequence is
 *     strong (Ã© Ð¿ â€œ: repaired anywhere) or weak (an accented capital
 *     before punctuation, "Ã’s", "AHÅ™": repaired only on a line that
 *     holds strong ones, or two in a row). Runs are tried again, for text
 *     encoded twice ("StraÃƒÅ¸e" -> "Straße"). A "Ã" whose no-break
 *     space became a plain one is à ("voilÃ le").
 *     Bytes lost on the way ("â€?", "Ã?") become U+FFFD, as in ftfy;
 *     CESU-8 emoji ("í ½í¸" -> "😍") are joined; C1 controls that were
 *     cp1252 quotes ("latin1-as-cp1252", "\x93" -> "“") are mapped on
 *     lines that hold mojibake or where they pair up.
 *   - UTF-8 read as another single-byte charset, the whole run decoded
 *     in the first that gives plausible text and further layers peeled
 *     off: Windows-1251 ("utf8-as-cp1251", "РґРѕСЂРѕРіРµ" -> "дороге"),
 *     Windows-1250 and ISO 8859-2 ("utf8-as-cp1250", "utf8-as-latin2"),
 *     Windows-1257, MacRoman ("utf8-as-macroman", "wei√ü" -> "weiß"),
 *     CP437 ("utf8-as-cp437", "╨┐╤Ç╨░" -> "пра"); see mojibake_latin.c.
 *   - UTF-8 read as GBK ("utf8-as-gbk", "浣犲ソ" -> "你好"): where three
 *     rare characters stand together, every three characters encoded back
 *     to GBK must give two complete UTF-8 characters of CJK text, much
 *     more common than what was there. A continuation byte lost to "?",
 *     U+FFFD or "锟斤拷" ("銆?" -> "。") is put back where one candidate
 *     is clearly the most common; otherwise the character becomes one
 *     U+FFFD, so the loss stays visible.
 *   - GBK read as Latin-1 or cp1252 ("gbk-as-latin1", "ÄãºÃ" -> "你好"):
 *     a span of Latin-1 characters and the ASCII between them is mapped
 *     back to bytes and paired as GBK; a stretch that gives two pairs in
 *     a row, nothing but CJK text and GBK's symbols, and common enough
 *     Han (real accented Latin gives a scatter of rare ones) is replaced.
 *     A U+FFFD that stood for one of the five bytes cp1252 leaves
 *     undefined is the one of them that gives the most common character.
 *   - Big5 read as GBK ("big5-as-gbk", "い地チ瓣" -> "中華民國"): the
 *     characters of a block between GBK's sentence marks are encoded back
 *     to GBK and paired as Big5; blocks that must hold Han and give much
 *     more common text are replaced. Big5's own marks come out of GBK as
 *     private-use characters: on a line holding them, short runs are
 *     looked at too and less gain will do.
 *   - UTF-8 read as Big5 ("utf8-as-big5", "?見嚗??憭批?" -> "同樣，施力
 *     的大"): the rest of a run where a pair was lost or gave what
 *     real text never holds ("?", U+FFFD, private-use, U+0080) is encoded
 *     back to Big5, each lost byte or pair tried, and read as UTF-8;
 *     stretches much more common than what was there, one character in
 *     five of them read whole, are replaced (on a line where one is,
 *     the rest need none whole), the rest left as it was.
 *   - GBK byte misalignment ("gbk-misaligned", seed 001): one byte of a
 *     GBK page became "?", and the decoder paired the following bytes
 *     one off until an ASCII byte realigned it, with fullwidth marks
 *     folded to ASCII on the way:
 *     "和家庭?!绷某鞘袐D聯" -> "和家庭。”聊城市婦聯".
 *     The run after the "?" is encoded back to GBK (an ASCII letter or
 *     mark in it where Chinese goes on after it being a folded fullwidth
 *     form), every candidate for the lost byte is put in front (a mark
 *     other than ，。、 only where no Han character is likely), and the
 *     run is decoded again; it replaces the run when, with the most
 *     common candidate (Han characters weighted by how common they are,
 *     hanfreq.c), it is much better than what was there. What is
 *     written for the lost byte is then the candidate that goes best
 *     between its neighbours, by the pairs of the UTF-8-as-Big5 repair
 *     (after 。 only a mark that closes), and U+FFFD where another goes
 *     about as well. The run ends at an ASCII byte that was a trail and
 *     realigned it; at a pair whose trail is ASCII, which in the run can
 *     only be the first letter of an ASCII word ("…锸褂肔inux" ->
 *     "…里使用Linux"); or at a "?" before ASCII no pair takes as trail
 *     ("?20") or before the end of the line: the lead byte of the last
 *     character, whose trail is chosen the same way (a lone mark at the
 *     end of a line is "。"). A line tail of under four characters is
 *     repaired only where it ends on a sentence mark and was rare
 *     ("?粲谩?" -> "启用。").
 *
 * A character that lost bytes is put back as the likeliest of those the
 * bytes left allow. With the option guess=off it becomes U+FFFD instead
 * unless they allow only one (and in UTF-8 read as Big5 always), so that
 * nothing is written the bytes do not prove; what is repaired where, and
 * the rest of each repair, stay the same.
 *
 * Everything else passes through byte-identical. A segment is handled on
 * its own (no text is held between calls): the garbled runs never cross
 * a paragraph. Pure and reentrant; each state owns its ICU converters and
 * its tables. Clean Chinese costs one table lookup per character: every
 * check starts from a cheap trigger (three rare characters, Latin-1 lead
 * bytes, a private-use character on the line).
 *
 * The repairs live in mojibake_latin.c and mojibake_cjk.c (mojibake.h).
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "mojibake.h"

static const struct tm_option_desc moji_options[] = {
	{ "latin", TM_OPT_BOOL, "on", NULL,
	  "repair UTF-8 read as cp1252/Latin-1, cp1250/1/7, ISO 8859-2, "
	  "MacRoman or CP437" },
	{ "gbk", TM_OPT_BOOL, "on", NULL,
	  "repair UTF-8 or Big5 read as GBK, GBK read as Latin-1, and GBK "
	  "paired one off after a lost byte" },
	{ "guess", TM_OPT_BOOL, "on", NULL,
	  "put back a character that lost bytes as the likeliest one; off: "
	  "U+FFFD unless the bytes left allow only one" },
	{ NULL, 0, NULL, NULL, NULL }
};

static void
moji_release(void *state)
{
	struct moji_state *s = state;

	tm_buf_release(&s->a);
	tm_buf_release(&s->b);
	tm_buf_release(&s->c);
	tm_buf_release(&s->text);
	free(s->b5memo);
	s->b5memo = NULL;
	tm_moji_gbk_close(s->gbk);
	s->gbk = NULL;
}

static int
moji_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct moji_state *s = state;
	int rc;

	s->latin = tm_opt_bool(opts, "latin");
	s->gbk_on = tm_opt_bool(opts, "gbk");
	s->guess = tm_opt_bool(opts, "guess");
	tm_buf_init(&s->a, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->b, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->c, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->text, TM_BUF_DEFAULT_MAX);
	if (!s->gbk_on)
		return 0;
	if ((rc = tm_moji_gbk_open(&s->gbk)) != 0)
		return tm_diag_set(diag, rc, "mojibake", -1,
		    "cannot open ICU's GBK converter");
	tm_moji_cjk_init(s);
	return 0;
}

int
tm_moji_grow(struct tm_buf *b, size_t n)
{
	tm_buf_reset(b);
	return tm_buf_reserve(b, n * sizeof(uint32_t));
}

size_t
tm_moji_utf8_size(const uint32_t *c, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += tm_utf8_len(c[i]);
	return len;
}

/*
 * The scans below look at every byte of every page, eight at a time where
 * they can. A word's bytes have their high bit set where they are
 * non-ASCII; a byte is zero where x ^ '?' has a zero byte.
 */
#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* The first byte of p[..end) that is non-ASCII, or a '?' if `ask`. */
static const char *
ascii_end(const char *p, const char *end, int ask)
{
	uint64_t w, z;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		z = w ^ ('?' * ONES);
		if ((w & HIGHS) != 0 || (ask && ((z - ONES) & ~z & HIGHS) != 0))
			break;
	}
	while (p < end && (unsigned char)*p < 0x80 && !(ask && *p == '?'))
		p++;
	return p;
}

/* The first ASCII byte of p[..end), or end. */
static const char *
run_end(const char *p, const char *end)
{
	uint64_t w;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		if ((w & HIGHS) != HIGHS)
			break;
	}
	while (p < end && (unsigned char)*p >= 0x80)
		p++;
	return p;
}

/*
 * Is the non-ASCII run p[..q) of text ending at end worth a look for
 * UTF-8 read as Big5? Only where a pair was lost or gave what real text
 * never holds: a "?" after the run, or in it U+FFFD, a private-use
 * character (Big5's user-defined pairs) or U+0080 (Big5's lone 80).
 */
static int
big5_hint(const char *p, const char *q, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *uq = (const unsigned char *)q;

	if (q < end && *q == '?')
		return 1;
	if (memchr(p, 0xEE, (size_t)(q - p)) != NULL)
		return 1;
	/* fullwidth marks (EF BC, EF BD) are common: one memchr a lead */
	while ((u = memchr(u, 0xEF, (size_t)(uq - u))) != NULL &&
	    u + 1 < uq) {
		if (u[1] <= 0xA3 || (u[1] == 0xBF && u + 2 < uq &&
		    u[2] == 0xBD))
			return 1;
		u++;
	}
	/* U+0080 */
	for (u = (const unsigned char *)p; (u = memchr(u, 0xC2,
	    (size_t)(uq - u))) != NULL && u + 1 < uq; u++)
		if (u[1] == 0x80)
			return 1;
	return 0;
}

static int
moji_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct moji_state *s = state;
	const char *p = in, *end = in + len, *done = in, *q, *resume;
	const char *eol = in, *seen = in, *b5seen = in, *b5span = in;
	const char *qend = in;
	size_t eaten;
	int rc, weak = 0;

	(void)diag;
	s->pua_scan = s->pua_from = s->pua_to = NULL;
	s->quote_at = NULL;
	while (p < end) {
		if (*p == '?' && s->gbk != NULL) {
			rc = tm_buf_append(out, done, (size_t)(p - done));
			if (rc != 0)
				return rc;
			done = p;
			/* a line of UTF-8 read as Big5 may start with lost
			   bytes: "?" a pair, or ("???" of a strict decoder)
			   each one byte; the end of a run of "?" is found
			   once for the run */
			if (p >= qend)
				for (qend = p + 1; qend < end && *qend == '?';
				    qend++)
					;
			if (p >= b5seen && qend < end &&
			    (unsigned char)*qend >= 0x80 &&
			    (p == in || (unsigned char)p[-1] < 0x80) &&
			    (rc = tm_moji_utf8_big5_run(s, ctx, in, end, p,
			    out, &resume, &b5seen)) != 0) {
				if (rc < 0)
					return rc;
				done = p = resume;
				b5span = b5seen;
				continue;
			}
			/* a span found to be UTF-8 read as Big5 holds no
			   GBK misaligned: a "?" left in it is a character
			   that repair could not restore */
			if (p < b5span) {
				p++;
				continue;
			}
			rc = tm_moji_gbk_run(s, ctx, in, end, p, out, &resume);
			if (rc < 0)
				return rc;
			if (rc == 1)
				done = p = resume;
			else
				p++;
			continue;
		}
		if ((unsigned char)*p < 0x80) {
			p = ascii_end(p + 1, end, s->gbk != NULL);
			continue;
		}
		q = run_end(p + 1, end);
		if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0)
			return rc;
		done = p;
		rc = 0;
		eaten = 0;
		/* Each repair that takes a span of its own: 1 repaired up
		   to resume, 0 not this one, or -errno. GBK read as Latin-1
		   comes before UTF-8 read as cp1252: it asks for clearly
		   Chinese text, which that never gives. */
		if (s->gbk != NULL && p >= b5seen && big5_hint(p, q, end) &&
		    (rc = tm_moji_utf8_big5_run(s, ctx, in, end, p, out,
		    &resume, &b5seen)) != 0) {
			if (rc < 0)
				return rc;
			done = p = resume;
			b5span = b5seen;
			continue;
		}
		if (s->gbk != NULL && p >= seen &&
		    (rc = tm_moji_gbk_latin_run(s, ctx, in, end, p, q, out,
		    &resume, &seen)) != 0) {
			if (rc < 0)
				return rc;
			done = p = resume;
			continue;
		}
		if (s->latin && tm_moji_maybe_latin(p, q)) {
			if (p >= eol) {
				/* weak sequences are repaired on lines that
				   hold strong ones */
				eol = memchr(p, '\n', (size_t)(end - p));
				if (eol == NULL)
					eol = end;
				weak = tm_moji_line_strong(s, in, p, eol);
				if (weak < 0)
					return weak;
			}
			rc = tm_moji_latin_run(s, ctx, in, end, p,
			    (size_t)(q - p), weak, &eaten, out);
		}
		if (rc == 0 && s->gbk != NULL)
			rc = tm_moji_utf8_gbk_run(s, ctx, in, end, p,
			    (size_t)(q - p), out, &eaten);
		if (rc < 0)
			return rc;
		if (rc == 1)
			done = q = q + eaten;
		p = q;
	}
	return tm_buf_append(out, done, (size_t)(end - done));
}

const struct tm_filter_type tm_filter_mojibake = {
	.abi = TM_FILTER_ABI,
	.name = "mojibake",
	.phase = TM_PHASE_MOJIBAKE,
	.summary = "repair text decoded with the wrong charset upstream "
	    "(UTF-8 read as cp1252, another single-byte charset or GBK; GBK "
	    "misaligned, GBK read as Latin-1, Big5 read as GBK)",
	.options = moji_options,
	.on_by_default = 1,
	.state_size = sizeof(struct moji_state),
	.init = moji_init,
	.run = moji_run,
	.release = moji_release,
};
