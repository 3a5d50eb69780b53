/*
 * test_heldout_ocr.c - held-out check of the OCR and web-scrape filters.
 *
 * The sentences of the UD Chinese dev set (shared corpus, Simplified and
 * Traditional; the filters were never tuned on them) get one artefact
 * each, the way the seeds show it, and each filter alone must restore the
 * original: markup (tags and references), ruby (pinyin readings from
 * ICU's Han-Latin), width (ASCII punctuation), layout (continuation
 * markers, repeated headers) and reflow (a paragraph split by a blank line
 * inside a sentence, with headings around that must stay). The clean
 * sentences must come through the whole default chain byte-identical.
 * Each case prints its rate; the floors are the targets.
 */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "textmend/buf.h"
#include "textmend/utf8.h"
#include "translit.h"

#define MAX_SENTENCES 1000

struct corpus {
	char *text[2];		/* the two files, owned */
	char *lines[MAX_SENTENCES];
	size_t n;
};

static void
load(struct corpus *c)
{
	static const char *const files[] = { "dev.hans.txt", "dev.hant.txt" };
	char path[512], *p, *nl;
	size_t len, i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/corpus/ud-zh/%s",
		    TM_SHARED_DIR, files[i]);
		p = c->text[i] = tm_test_slurp(path, &len);
		for (; (nl = strchr(p, '\n')) != NULL && c->n < MAX_SENTENCES;
		    p = nl + 1) {
			*nl = '\0';
			if (nl > p)
				c->lines[c->n++] = p;
		}
	}
}

static void
unload(struct corpus *c)
{
	free(c->text[0]);
	free(c->text[1]);
}

static uint32_t rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

/* Run filters on damaged; compare with want; count. */
static void
tally(const char *filters, const char *damaged, const char *want,
    unsigned *exact, unsigned *total)
{
	char *got = tm_test_clean(filters, NULL, damaged, NULL, NULL);

	*exact += strcmp(got, want) == 0;
	(*total)++;
	if (strcmp(got, want) != 0 && *total - *exact <= 3)
		fprintf(stderr, "  miss: %s\n  got:  %s", damaged, got);
	free(got);
}

static void
report(const char *what, unsigned exact, unsigned total, unsigned floor)
{
	printf("%s: %u of %u exact (%.1f%%), floor %u%%\n", what, exact, total,
	    100.0 * exact / (total ? total : 1), floor);
	CHECK(total > 0 && exact * 100 >= floor * total);
}

/* Byte offsets of the characters of s, up to max. */
static size_t
char_starts(const char *s, size_t *at, size_t max)
{
	const char *p = s, *end = s + strlen(s);
	size_t n = 0;

	while (p < end && n < max) {
		at[n++] = (size_t)(p - s);
		tm_utf8_next(&p, end);
	}
	return n;
}

static unsigned
cp_at(const char *s)
{
	return tm_utf8_next(&s, s + strlen(s));
}

TM_TEST(clean_text_unchanged_by_default_chain)
{
	struct corpus c;
	struct tm_buf doc;
	unsigned exact = 0, total = 0;
	size_t i;

	load(&c);
	tm_buf_init(&doc, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < c.n; i++) {
		tm_buf_reset(&doc);
		tm_buf_printf(&doc, "%s\n", c.lines[i]);
		tally(NULL, doc.ptr, doc.ptr, &exact, &total);
	}
	report("clean sentences", exact, total, 100);
	unload(&c);
	tm_buf_release(&doc);
}

/*
 * Each file as one document of blank-line paragraphs. A few UD sentences
 * end without final punctuation, as list items do ("…日本金松，日本南洋杉",
 * "…时为台湾五大学府" before "一楼为…，二楼为…"); to reflow they look like
 * a paragraph cut by a column break unless it sees the enumeration. Count
 * the paragraphs that survive as they were: all must.
 */
TM_TEST(clean_paragraphs_kept_by_default_chain)
{
	struct corpus c;
	struct tm_buf doc;
	unsigned kept = 0, total = 0;
	size_t i, from = 0;
	char *got;

	load(&c);
	tm_buf_init(&doc, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < c.n; i++) {
		tm_buf_printf(&doc, "%s\n\n", c.lines[i]);
		if (i + 1 != c.n / 2 && i + 1 != c.n)
			continue;
		got = tm_test_clean(NULL, NULL, doc.ptr, NULL, NULL);
		for (; from <= i; from++, total++) {
			char want[4096];

			snprintf(want, sizeof(want), "\n%s\n", c.lines[from]);
			kept += from == 0 || from == c.n / 2 ?
			    strncmp(got, want + 1, strlen(want) - 1) == 0 :
			    strstr(got, want) != NULL;
		}
		free(got);
		tm_buf_reset(&doc);
	}
	report("clean paragraphs", kept, total, 100);
	unload(&c);
	tm_buf_release(&doc);
}

TM_TEST(markup)
{
	static const char *const wraps[][2] = {
		{ "<p>", "</p>" }, { "", "</p>" }, { "<div class=\"a\">", "</div>" },
		{ "<span>", "</span>" }, { "", "<br>" },
	};
	struct corpus c;
	struct tm_buf dmg, want;
	unsigned exact = 0, total = 0;
	size_t i, w;
	const char *p;

	load(&c);
	tm_buf_init(&dmg, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < c.n; i++) {
		w = rnd(5);
		tm_buf_reset(&dmg);
		tm_buf_reset(&want);
		tm_buf_puts(&dmg, wraps[w][0]);
		/* Quotes and the full stop as character references. */
		for (p = c.lines[i]; *p != '\0'; p++) {
			if (strncmp(p, "“", 3) == 0) {
				tm_buf_puts(&dmg, "&ldquo;");
				p += 2;
			} else if (strncmp(p, "”", 3) == 0) {
				tm_buf_puts(&dmg, "&rdquo;");
				p += 2;
			} else if (strncmp(p, "。", 3) == 0 && rnd(2)) {
				tm_buf_puts(&dmg, "&#12290;");
				p += 2;
			} else
				tm_buf_putc(&dmg, *p);
		}
		tm_buf_printf(&dmg, "%s\n", wraps[w][1]);
		tm_buf_printf(&want, "%s\n", c.lines[i]);
		tally("markup", dmg.ptr, want.ptr, &exact, &total);
	}
	report("markup", exact, total, 95);
	unload(&c);
	tm_buf_release(&dmg);
	tm_buf_release(&want);
}

TM_TEST(ruby)
{
	struct corpus c;
	struct tm_translit *t;
	struct tm_buf dmg, want, reading;
	unsigned exact = 0, total = 0;
	size_t at[512], n, i, k, tries;
	char ch[8];

	load(&c);
	CHECK(tm_translit_open(&t, "Han-Latin", NULL) == 0);
	tm_buf_init(&dmg, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&reading, 256);
	for (i = 0; i < c.n; i++) {
		n = char_starts(c.lines[i], at, 512);
		/* A Han character somewhere in the sentence. */
		for (tries = 0; tries < 20; tries++) {
			k = rnd((unsigned)n);
			if (tm_is_han(cp_at(c.lines[i] + at[k])))
				break;
		}
		if (tries == 20)
			continue;
		{
			size_t end = k + 1 < n ? at[k + 1] : strlen(c.lines[i]);

			memcpy(ch, c.lines[i] + at[k], end - at[k]);
			ch[end - at[k]] = '\0';
			tm_buf_reset(&reading);
			CHECK(tm_translit_run(t, ch, strlen(ch), &reading) == 0);
			tm_buf_reset(&dmg);
			tm_buf_append(&dmg, c.lines[i], end);
			tm_buf_printf(&dmg, rnd(2) ? "(%s)" : "（%s）",
			    reading.ptr);
			tm_buf_printf(&dmg, "%s\n", c.lines[i] + end);
		}
		tm_buf_reset(&want);
		tm_buf_printf(&want, "%s\n", c.lines[i]);
		tally("ruby", dmg.ptr, want.ptr, &exact, &total);
	}
	report("ruby", exact, total, 95);
	unload(&c);
	tm_translit_close(t);
	tm_buf_release(&dmg);
	tm_buf_release(&want);
	tm_buf_release(&reading);
}

TM_TEST(width)
{
	static const char *const full[] = { "，", "：", "；", "？", "！", "（",
	    "）", NULL };
	static const char ascii[] = ",:;?!()";
	struct corpus c;
	struct tm_buf dmg, want;
	unsigned exact = 0, total = 0;
	size_t i, k;
	const char *p;
	int changed;

	load(&c);
	tm_buf_init(&dmg, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i < c.n; i++) {
		tm_buf_reset(&dmg);
		changed = 0;
		for (p = c.lines[i]; *p != '\0';) {
			for (k = 0; full[k] != NULL; k++)
				if (strncmp(p, full[k], 3) == 0)
					break;
			if (full[k] != NULL) {
				tm_buf_putc(&dmg, ascii[k]);
				p += 3;
				changed = 1;
			} else
				tm_buf_putc(&dmg, *p++);
		}
		if (!changed)
			continue;
		tm_buf_putc(&dmg, '\n');
		tm_buf_reset(&want);
		tm_buf_printf(&want, "%s\n", c.lines[i]);
		tally("width", dmg.ptr, want.ptr, &exact, &total);
	}
	report("width", exact, total, 95);
	unload(&c);
	tm_buf_release(&dmg);
	tm_buf_release(&want);
}

TM_TEST(layout)
{
	static const char *const markers[] = { "(上接第一版)", "（上接1版）",
	    "(下转第3版)", "（紧接第2版）", "(转A4版)", "(下轉第二版)" };
	struct corpus c;
	struct tm_buf dmg, want;
	unsigned exact = 0, total = 0;
	size_t i;

	load(&c);
	tm_buf_init(&dmg, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i + 2 < c.n; i += 3) {
		/* A header printed twice, a marker between two paragraphs. */
		tm_buf_reset(&dmg);
		tm_buf_reset(&want);
		tm_buf_printf(&dmg, "%s\n\n%s\n\n%s\n\n%s\n\n%s\n", c.lines[i],
		    c.lines[i + 1], markers[rnd(6)], c.lines[i],
		    c.lines[i + 2]);
		tm_buf_printf(&want, "%s\n\n%s\n\n%s\n", c.lines[i],
		    c.lines[i + 1], c.lines[i + 2]);
		tally("layout", dmg.ptr, want.ptr, &exact, &total);
	}
	report("layout", exact, total, 90);
	unload(&c);
	tm_buf_release(&dmg);
	tm_buf_release(&want);
}

TM_TEST(reflow)
{
	struct corpus c;
	struct tm_buf dmg, want;
	unsigned exact = 0, total = 0;
	size_t at[512], n, i, k, tries;

	load(&c);
	tm_buf_init(&dmg, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	for (i = 0; i + 1 < c.n; i++) {
		n = char_starts(c.lines[i], at, 512);
		if (n < 40)
			continue;
		/* Split between two Han characters in the second half. */
		for (tries = 0; tries < 20; tries++) {
			k = n / 2 + rnd((unsigned)(n / 2 - 2)) + 1;
			if (tm_is_han(cp_at(c.lines[i] + at[k - 1])) &&
			    tm_is_han(cp_at(c.lines[i] + at[k])) &&
			    cp_at(c.lines[i] + at[k - 1]) !=
			    cp_at(c.lines[i] + at[k]))
				break;
		}
		if (tries == 20)
			continue;
		tm_buf_reset(&dmg);
		tm_buf_reset(&want);
		/* A heading before, the split paragraph, the next one. */
		tm_buf_puts(&dmg, "夯实全面实施乡村振兴战略的组织基础\n\n");
		tm_buf_append(&dmg, c.lines[i], at[k]);
		tm_buf_printf(&dmg, "\n\n%s\n\n%s\n", c.lines[i] + at[k],
		    c.lines[i + 1]);
		tm_buf_printf(&want, "夯实全面实施乡村振兴战略的组织基础\n\n%s\n\n%s\n",
		    c.lines[i], c.lines[i + 1]);
		tally("reflow", dmg.ptr, want.ptr, &exact, &total);
	}
	report("reflow", exact, total, 90);
	unload(&c);
	tm_buf_release(&dmg);
	tm_buf_release(&want);
}
