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
 *   - UTF-8 read as Windows-1251 ("utf8-as-cp1251", "РґРѕСЂРѕРіРµ" ->
 *     "дороге", "вЂ™" -> "’") when a whole run is such sequences, and as
 *     MacRoman ("utf8-as-macroman", "wei√ü" -> "weiß") or Windows-1250
 *     ("utf8-as-cp1250", "LiĂ¨ge" -> "Liège") inside words.
 *   - UTF-8 read as GBK ("utf8-as-gbk", "浣犲ソ" -> "你好"): where three
 *     rare characters stand together, every three characters encoded back
 *     to GBK must give two complete UTF-8 characters of CJK text, much
 *     more common than what was there. Characters lost to U+FFFD stay.
 *   - GBK byte misalignment ("gbk-misaligned", seed 001): one byte of a
 *     GBK page became "?", and the decoder paired the following bytes
 *     one off until an ASCII byte realigned it, with fullwidth marks
 *     folded to ASCII on the way:
 *     "和家庭?!绷某鞘袐D聯" -> "和家庭。”聊城市婦聯".
 *     The run after the "?" is encoded back to GBK, every candidate for
 *     the lost byte is put in front, and the run is decoded again; the
 *     most plausible candidate (Han characters weighted by how common they
 *     are, hanfreq.c) replaces the run when it is much better than what
 *     was there.
 *
 * Everything else passes through byte-identical. A segment is handled on
 * its own (no text is held between calls): the garbled runs never cross
 * a paragraph. Pure and reentrant; each state owns its ICU converter.
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
	  "repair UTF-8 read as cp1252/Latin-1, cp1250, cp1251 or MacRoman" },
	{ "gbk", TM_OPT_BOOL, "on", NULL,
	  "repair UTF-8 read as GBK, and GBK paired one off after a lost "
	  "byte" },
	{ NULL, 0, NULL, NULL, NULL }
};

static int
moji_init(void *state, const struct tm_options *opts, struct tm_diag *diag)
{
	struct moji_state *s = state;
	int rc;

	s->latin = tm_opt_bool(opts, "latin");
	s->gbk_on = tm_opt_bool(opts, "gbk");
	tm_buf_init(&s->a, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->b, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->c, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&s->text, TM_BUF_DEFAULT_MAX);
	if (s->gbk_on && (rc = tm_moji_gbk_open(&s->gbk)) != 0)
		return tm_diag_set(diag, rc, "mojibake", -1,
		    "cannot open ICU's GBK converter");
	return 0;
}

static void
moji_release(void *state)
{
	struct moji_state *s = state;

	tm_buf_release(&s->a);
	tm_buf_release(&s->b);
	tm_buf_release(&s->c);
	tm_buf_release(&s->text);
	tm_moji_gbk_close(s->gbk);
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

static int
moji_run(void *state, struct tm_filter_ctx *ctx, const char *in, size_t len,
    struct tm_buf *out, struct tm_diag *diag)
{
	struct moji_state *s = state;
	const char *p = in, *end = in + len, *done = in, *q, *resume;
	const char *eol = in;
	size_t eaten;
	int rc, weak = 0;

	(void)diag;
	while (p < end) {
		if (*p == '?' && s->gbk != NULL) {
			rc = tm_buf_append(out, done, (size_t)(p - done));
			if (rc != 0)
				return rc;
			done = p;
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
			p++;
			continue;
		}
		for (q = p; q < end && (unsigned char)*q >= 0x80; q++)
			;
		if ((rc = tm_buf_append(out, done, (size_t)(p - done))) != 0)
			return rc;
		done = p;
		rc = 0;
		eaten = 0;
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
			rc = tm_moji_utf8_gbk_run(s, ctx, in, p,
			    (size_t)(q - p), out);
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
	    "(UTF-8 read as cp1252, cp1250/1, MacRoman or GBK; GBK misaligned)",
	.options = moji_options,
	.on_by_default = 1,
	.state_size = sizeof(struct moji_state),
	.init = moji_init,
	.run = moji_run,
	.release = moji_release,
};
