/*
 * test_space.c - the space filter: line ends, invisible characters,
 * no-break and trailing blanks, OCR spaces between Han characters, the
 * final newline; every option; text cut into segments anywhere (through
 * the filter's own run/finish and through the pipeline) must come out as
 * if it had arrived in one piece; correct text comes out byte-identical.
 */
#include <dirent.h>
#include <stdlib.h>

#include "harness.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/utf8.h"

#define MAX_SETTINGS 4

/* A chain `decode,space` with UTF-8 forced (short inputs) and settings. */
static struct tm_chain *
chain(const char *const *settings)
{
	struct tm_chain *c = NULL;
	struct tm_diag d;

	CHECK(tm_chain_new(&c, "space", &d) == 0);
	CHECK(tm_chain_set_str(c, "decode.from-code=UTF-8", &d) == 0);
	for (; settings != NULL && *settings != NULL; settings++)
		CHECK(tm_chain_set_str(c, *settings, &d) == 0);
	return c;
}

/* Collects the space filter's edits as "offset:rule:before>after\n". */
static void
edit_line(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	if (strcmp(filter, "space") == 0)
		tm_buf_printf(arg, "%llu:%s:%s>%s\n", (unsigned long long)offset,
		    rule, before, after);
}

struct result {
	struct tm_buf out;
	struct tm_buf edits;
	unsigned long long nedits;
};

static void
result_release(struct result *res)
{
	tm_buf_release(&res->out);
	tm_buf_release(&res->edits);
}

/* One-shot clean of n bytes through the pipeline. */
static void
clean_n(const char *in, size_t n, const char *const *settings,
    struct result *res)
{
	struct tm_chain *c = chain(settings);
	struct tm_report *r = tm_report_new("t");
	struct tm_diag d;

	tm_buf_init(&res->out, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&res->edits, TM_BUF_DEFAULT_MAX);
	tm_report_set_sample_limit(r, -1);
	CHECK(tm_clean_mem(c, in, n, &res->out, r, &d) == 0);
	tm_report_foreach_edit(r, edit_line, &res->edits);
	res->nedits = tm_report_edits(r, 1);
	tm_report_free(r);
	tm_chain_free(c);
}

static void
expect_with(const char *in, const char *const *settings, const char *want)
{
	struct result res;

	clean_n(in, strlen(in), settings, &res);
	CHECK_STR(res.out.ptr, want);
	result_release(&res);
}

static void
expect(const char *in, const char *want)
{
	expect_with(in, NULL, want);
}

/* Clean text: byte-identical, no edit. */
static void
unchanged_with(const char *in, const char *const *settings)
{
	struct result res;

	clean_n(in, strlen(in), settings, &res);
	CHECK_STR(res.out.ptr, in);
	CHECK_INT(res.nedits, 0);
	result_release(&res);
}

static void
unchanged(const char *in)
{
	unchanged_with(in, NULL);
}

/* The edits recorded for in, as edit_line writes them. */
static void
expect_edits(const char *in, const char *const *settings, const char *want)
{
	struct result res;

	clean_n(in, strlen(in), settings, &res);
	CHECK_STR(res.edits.ptr, want);
	result_release(&res);
}

/*
 * Drive the filter itself: run() over the pieces of `in` cut at cuts[]
 * (increasing byte offsets at character boundaries), then finish().
 */
static void
direct(const char *in, size_t n, const size_t *cuts, size_t ncuts,
    const char *const *settings, struct result *res)
{
	const struct tm_filter_type *t = tm_filter_find("space");
	struct tm_chain *c = chain(settings);
	const struct tm_options *opts = NULL;
	struct tm_report *r = tm_report_new("t");
	struct tm_filter_ctx ctx;
	struct tm_buf seg;
	struct tm_diag d;
	size_t i, at = 0, next;
	void *state;

	CHECK(t != NULL);
	for (i = 0; i < tm_chain_len(c); i++)
		if (tm_chain_filter(c, i) == t)
			opts = tm_chain_options(c, i);
	CHECK(opts != NULL);
	tm_buf_init(&res->out, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&res->edits, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&seg, TM_BUF_DEFAULT_MAX);
	tm_report_set_sample_limit(r, -1);
	CHECK(tm_report_add_filter(r, "decode") == 0);
	ctx.report = r;
	ctx.slot = (unsigned)tm_report_add_filter(r, "space");
	ctx.input_name = "t";
	state = calloc(1, t->state_size);
	CHECK(t->init(state, opts, &d) == 0);
	for (i = 0; i <= ncuts; i++) {
		next = i < ncuts ? cuts[i] : n;
		tm_buf_reset(&seg);
		ctx.offset = at;
		CHECK(t->run(state, &ctx, in + at, next - at, &seg, &d) == 0);
		CHECK(tm_buf_append(&res->out, seg.ptr, seg.len) == 0);
		at = next;
	}
	tm_buf_reset(&seg);
	ctx.offset = n;
	CHECK(t->finish(state, &ctx, &seg, &d) == 0);
	CHECK(tm_buf_append(&res->out, seg.ptr, seg.len) == 0);
	t->release(state);
	free(state);
	tm_report_foreach_edit(r, edit_line, &res->edits);
	res->nedits = tm_report_edits(r, ctx.slot);
	tm_buf_release(&seg);
	tm_report_free(r);
	tm_chain_free(c);
}

static int
boundary(const char *s, size_t i)
{
	return ((unsigned char)s[i] & 0xC0) != 0x80;
}

/*
 * Every way of cutting `in` once, and every way of cutting it twice,
 * gives the output and the edits of the uncut text.
 */
static void
split_everywhere(const char *in, const char *const *settings)
{
	size_t n = strlen(in), cuts[2], i, j;
	struct result whole, part;
	int bad = 0;

	direct(in, n, NULL, 0, settings, &whole);
	for (i = 1; i < n && !bad; i++) {
		if (!boundary(in, i))
			continue;
		for (j = i; j < n && !bad; j++) {
			if (!boundary(in, j))
				continue;
			cuts[0] = i;
			cuts[1] = j;
			/* j == i: one cut (an empty segment in between). */
			direct(in, n, cuts, 2, settings, &part);
			if (strcmp(part.out.ptr, whole.out.ptr) != 0 ||
			    strcmp(part.edits.ptr, whole.edits.ptr) != 0) {
				fprintf(stderr, "cut at %zu,%zu of \"%s\":\n"
				    "  got  \"%s\" %s\n  want \"%s\" %s\n", i, j,
				    in, part.out.ptr, part.edits.ptr,
				    whole.out.ptr, whole.edits.ptr);
				bad = 1;
			}
			result_release(&part);
		}
	}
	CHECK(!bad);
	result_release(&whole);
}

/* ---- line ends ---- */

TM_TEST(crlf_to_lf)
{
	expect("a\r\nb\r\n", "a\nb\n");
	expect("深化改革\r\n\r\n强基破难\r\n", "深化改革\n\n强基破难\n");
	expect_edits("a\r\nb\r\n", NULL, "1:crlf:\r\n>\n\n4:crlf:\r\n>\n\n");
}

TM_TEST(lone_cr_to_lf)
{
	expect("a\rb\r", "a\nb\n");
	expect("a\r\rb", "a\n\nb\n");
	expect("a\r\r\nb\n", "a\n\nb\n");
	expect_edits("a\rb\r", NULL, "1:cr:\r>\n\n3:cr:\r>\n\n");
}

TM_TEST(nel_to_lf)
{
	/* U+0085 is EBCDIC's line end: a line break, not a control. */
	expect("a\xc2\x85" "b  \xc2\x85" "c", "a\nb\nc\n");
	expect_edits("a\xc2\x85" "b\n", NULL, "1:nel:\xc2\x85>\n\n");
	expect("中 国 妇\xc2\x85" "x\n", "中国妇\nx\n");
}

TM_TEST(crlf_off)
{
	static const char *const off[] = { "space.crlf=off", NULL };

	unchanged_with("a\r\nb\r\n", off);
	unchanged_with("a\rb\n", off);
	unchanged_with("a\xc2\x85" "b\n", off);
	/* Blanks before a CRLF are still trailing blanks. */
	expect_with("a  \r\nb\t\r\n", off, "a\r\nb\r\n");
}

/* ---- controls, invisible characters ---- */

TM_TEST(controls_removed)
{
	expect("a\x01" "b\x7f" "c\xc2\x86" "d\x0b" "e\x1b[0m\n", "abcde[0m\n");
	expect("\xc2\x80\xc2\x9f" "x\n", "x\n");
	expect_edits("a\x07" "b\n", NULL, "1:control:\x07>\n");
}

TM_TEST(controls_off)
{
	static const char *const off[] = { "space.controls=off", NULL };

	unchanged_with("a\x01" "b\x7f" "c\xc2\x86" "d\n", off);
}

TM_TEST(tab_and_formfeed_kept)
{
	unchanged("a\tb\n\tindented\n");
	unchanged("page one\n\fpage two\n");
}

TM_TEST(formfeed_drop)
{
	static const char *const drop[] = { "space.formfeed=drop", NULL };

	expect_with("page one\n\fpage two\n", drop, "page one\npage two\n");
	expect_edits("a\fb\n", drop, "1:formfeed:\f>\n");
}

TM_TEST(zero_width_removed)
{
	expect("中国\xe2\x80\x8b妇女报\n", "中国妇女报\n");
	expect("a\xe2\x81\xa0" "b\xef\xbb\xbf" "c\n", "abc\n");
	/* A BOM that is not the first character is inside the text. */
	expect("x\n\xef\xbb\xbf" "y\n", "x\ny\n");
	expect_edits("a\xe2\x80\x8b" "b\xef\xbb\xbf" "c\n", NULL,
	    "1:zero-width:\xe2\x80\x8b>\n5:bom:\xef\xbb\xbf>\n");
}

TM_TEST(zwj_zwnj_kept)
{
	/* woman technologist emoji; Persian mi-khaham; Hindi ksha */
	unchanged("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\n");
	unchanged("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7"
	    "\xd9\x87\xd9\x85\n");
	unchanged("\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7\n");
}

TM_TEST(zero_width_off)
{
	static const char *const off[] = { "space.zero-width=off", NULL };

	unchanged_with("a\xe2\x80\x8b" "b\xe2\x81\xa0" "c\xef\xbb\xbf" "d\n",
	    off);
}

TM_TEST(soft_hyphen)
{
	static const char *const off[] = { "space.soft-hyphen=off", NULL };

	expect("co\xc2\xad" "operation\n", "cooperation\n");
	expect_edits("co\xc2\xad" "op\n", NULL, "2:soft-hyphen:\xc2\xad>\n");
	unchanged_with("co\xc2\xad" "operation\n", off);
}

/* ---- no-break spaces ---- */

#define NBSP "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"
#define FIGSP "\xe2\x80\x87"

TM_TEST(nbsp_in_chinese_converted)
{
	expect(NBSP NBSP "中国妇女报" NBSP "全媒体记者\n",
	    "  中国妇女报 全媒体记者\n");
	expect("记者" NNBSP "姚建\n", "记者 姚建\n");
	expect("a" NBSP NBSP "b\n", "a  b\n");
	expect_edits("记者" NBSP "姚建\n", NULL, "6:nbsp:" NBSP "> \n");
}

TM_TEST(nbsp_typography_kept)
{
	unchanged("\xc2\xab" NBSP "bonjour" NBSP "\xc2\xbb\n");
	unchanged("Quoi" NBSP "? 10" NNBSP "000 habitants" NBSP ";\n");
	unchanged("M." NBSP "Dupont, p." NBSP "12, 1" FIGSP "234\n");
}

TM_TEST(nbsp_at_line_edges)
{
	/* Indentation becomes spaces; at the end it is trailing. */
	expect(NBSP NBSP "Bonjour" NBSP "\n", "  Bonjour\n");
	expect("fin" NBSP, "fin\n");
}

TM_TEST(nbsp_all)
{
	static const char *const all[] = { "space.nbsp=all", NULL };

	expect_with("\xc2\xab" NBSP "bonjour" NBSP "\xc2\xbb 10" NNBSP "000\n",
	    all, "\xc2\xab bonjour \xc2\xbb 10 000\n");
}

TM_TEST(nbsp_off)
{
	static const char *const off[] = { "space.nbsp=off", NULL };

	unchanged_with(NBSP "中国" NBSP "妇女" NBSP "\n", off);
}

/* ---- trailing blanks, indentation ---- */

TM_TEST(trailing_removed)
{
	expect("a  \nb\t\t\nc\xe3\x80\x80\n", "a\nb\nc\n");
	expect("   \n\t\n", "\n\n");
	expect("a \xe2\x80\x8b \n", "a\n");
	expect("end  ", "end\n");
	expect_edits("ab \t\n", NULL, "2:trailing: \t>\n");
}

TM_TEST(indentation_kept)
{
	unchanged("\xe3\x80\x80\xe3\x80\x80" "为此，东阿县选派县妇联执委对接村妇联。\n");
	unchanged("    code();\n\tmore();\n");
	expect("\xe3\x80\x80\xe3\x80\x80" "段落\xe3\x80\x80\n",
	    "\xe3\x80\x80\xe3\x80\x80" "段落\n");
}

TM_TEST(trailing_off)
{
	static const char *const off[] = { "space.trailing=off", NULL };

	unchanged_with("a  \nb\t\n\xe3\x80\x80\n", off);
}

/* ---- OCR spaces between Han characters ---- */

TM_TEST(cjk_spaces_removed)
{
	expect("中 国 妇 女 报 全 媒 体 记 者\n", "中国妇女报全媒体记者\n");
	/* The space before the two-character name is the author's. */
	expect("□ 中 国 妇 女 报 全 媒 体 记 者 姚建\n",
	    "□ 中国妇女报全媒体记者 姚建\n");
	expect("他说 “中 国 妇 女”\n", "他说 “中国妇女”\n");
	expect("中 国 ， 妇 女\n", "中国，妇女\n");
	expect("在 山 东 省 聊 城 市 东 阿 县 , 每 一 位\n",
	    "在山东省聊城市东阿县,每一位\n");
	expect("(上 接 第 一 版)\n", "(上接第一版)\n");
	expect("山 东 东 阿 3 4 0 个 巾 帼\n", "山东东阿340个巾帼\n");
	expect("\xe3\x80\x80\xe3\x80\x80" "中 国 妇 女\n",
	    "\xe3\x80\x80\xe3\x80\x80" "中国妇女\n");
	expect_edits("x 中 国 妇\n", NULL,
	    "2:cjk-spaces:中 国 妇>中国妇\n");
}

TM_TEST(cjk_author_spaces_kept)
{
	/* Seed lines: one space between words. */
	unchanged("深化改革 “破难行动”进行时\n");
	unchanged("建强战斗堡垒 夯实执政之基\n");
	unchanged("□ 中国妇女报全媒体记者 姚建\n");
	unchanged("本报讯(记者 刘强)10月9日\n");
	unchanged("凝聚“三新”领域“她力量” 激发组织“新活力”\n");
	/* A padded two-character name, too short a run to be OCR's. */
	unchanged("记者 王 丹\n");
	unchanged("中  国  妇  女\n");
	unchanged("a b c d e\n");
	unchanged("a , b . c ; d\n");
	unchanged("中国 1 2 3 4\n");
	/* Korean puts spaces between words, some of one syllable. */
	unchanged("그 때 그 사람\n");
}

TM_TEST(cjk_min)
{
	static const char *const four[] = { "space.cjk-min=4", NULL };

	unchanged_with("中 国 妇\n", four);
	expect_with("中 国 妇 女\n", four, "中国妇女\n");
	expect("中 国 妇\n", "中国妇\n");
}

TM_TEST(cjk_min_too_small)
{
	struct tm_chain *c = chain(NULL);
	struct tm_diag d;

	CHECK(tm_chain_set_str(c, "space.cjk-min=1", &d) == 0);
	CHECK(tm_chain_check(c, &d) == TM_ECONF);
	tm_chain_free(c);
}

TM_TEST(cjk_spaces_off)
{
	static const char *const off[] = { "space.cjk-spaces=off", NULL };

	unchanged_with("中 国 妇 女 报\n", off);
}

/* ---- final newline ---- */

TM_TEST(final_newline)
{
	expect("abc", "abc\n");
	expect("", "");
	expect("   ", "");
	expect("a\n   ", "a\n");
	unchanged("abc\n");
	expect_edits("abc", NULL, "3:final-newline:>\n\n");
}

TM_TEST(final_newline_off)
{
	static const char *const off[] = { "space.final-newline=off", NULL };

	unchanged_with("abc", off);
	expect_with("abc  ", off, "abc");
}

/* ---- options ---- */

TM_TEST(options_declared)
{
	static const char *const names[] = { "crlf", "controls", "formfeed",
	    "zero-width", "soft-hyphen", "nbsp", "trailing", "cjk-spaces",
	    "cjk-min", "final-newline", NULL };
	const struct tm_filter_type *t = tm_filter_find("space");
	const struct tm_option_desc *o;
	const char *const *n;
	struct tm_chain *c = chain(NULL);
	struct tm_diag d;
	int found;

	CHECK(t != NULL && t->on_by_default && t->phase == TM_PHASE_SPACE);
	for (n = names; *n != NULL; n++) {
		found = 0;
		for (o = t->options; o != NULL && o->name != NULL; o++)
			found += strcmp(o->name, *n) == 0;
		CHECK_INT(found, 1);
	}
	CHECK(tm_chain_set_str(c, "space.nbsp=maybe", &d) == TM_ECONF);
	CHECK(tm_chain_set_str(c, "space.crlf=sometimes", &d) == TM_ECONF);
	CHECK(tm_chain_set_str(c, "space.tabs=off", &d) == TM_EUSAGE);
	tm_chain_free(c);
}

/* ---- clean text, seeds ---- */

TM_TEST(clean_text_identical)
{
	unchanged("东阿县妇联执委领办的巾帼志愿宣讲团，8:00—17:00。\n"
	    "\n"
	    "\xe3\x80\x80\xe3\x80\x80" "“快乐星期天 她在我身边”巾帼志愿主题活动\n"
	    "Windows 10, a < b, AT&T, 1.8亿元\n");
}

/*
 * Cut text into many pieces at odd character boundaries (mid-line and
 * mid-run) and check run()/finish() give `whole` again.
 */
static void
split_check(const char *text, size_t n, size_t step,
    const char *const *settings, const struct result *whole)
{
	size_t cuts[4096], ncuts = 0, at;
	struct result part;

	for (at = step; at < n && ncuts < 4096; at += step) {
		while (at < n && !boundary(text, at))
			at++;
		if (at < n)
			cuts[ncuts++] = at;
	}
	direct(text, n, cuts, ncuts, settings, &part);
	CHECK_INT(part.out.len, whole->out.len);
	CHECK(strcmp(part.out.ptr, whole->out.ptr) == 0);
	CHECK(strcmp(part.edits.ptr, whole->edits.ptr) == 0);
	result_release(&part);
}

TM_TEST(seeds)
{
	char path[4096], *text, *want;
	struct dirent *e;
	struct result res;
	size_t n;
	int seen = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/seeds", TM_SHARED_DIR);
	CHECK((dir = opendir(path)) != NULL);
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/seeds/%s", TM_SHARED_DIR,
		    e->d_name);
		text = tm_test_slurp(path, &n);
		clean_n(text, n, NULL, &res);
		/*
		 * Nothing in the seeds is space damage but the missing
		 * final newline: the output is the input plus "\n".
		 */
		want = malloc(n + 2);
		memcpy(want, text, n);
		memcpy(want + n, "\n", 2);
		if (n > 0 && text[n - 1] == '\n')
			want[n] = '\0';
		CHECK_INT(res.out.len, strlen(want));
		CHECK(strcmp(res.out.ptr, want) == 0);
		CHECK_INT(res.nedits, text[n - 1] != '\n');
		/* Cut in odd places, the same. */
		split_check(text, n, 997, NULL, &res);
		split_check(text, n, 7, NULL, &res);
		result_release(&res);
		free(want);
		free(text);
		seen++;
	}
	closedir(dir);
	CHECK(seen >= 5);
}

/* ---- segments ---- */

/* Text cut anywhere, once or twice, comes out the same. */
TM_TEST(split_anywhere)
{
	static const char *const cases[] = {
		"a\r\nb\rc\r",
		"x  \r\n\t\xe3\x80\x80\r\ny \xe2\x80\x8b \n",
		"中 国 妇 女 报 姚建\n记者 王 丹 x",
		"他说 “中 国 妇 女” 好\n",
		"\xc2\xab" NBSP "oui" NBSP "\xc2\xbb 10" NNBSP "000" NBSP "\n",
		NBSP NBSP "中文" NBSP "字" NBSP,
		"a\x01\xc2\x85\xef\xbb\xbf" "b\xc2\xad" "c\f  ",
		"中 国 妇\xc2\x85 中 国 妇 \xc2\x85" "x",
		"中 国 妇",
		"abc",
		"   ",
		"\r",
		NULL
	};
	static const char *const crlf_off[] = { "space.crlf=off",
	    "space.nbsp=all", NULL };
	const char *const *c;

	for (c = cases; *c != NULL; c++) {
		split_everywhere(*c, NULL);
		split_everywhere(*c, crlf_off);
	}
}

/* A document with every artefact, and its clean form. */
static void
artefacts(struct tm_buf *in, struct tm_buf *want, size_t times)
{
	size_t i;

	for (i = 0; i < times; i++) {
		tm_buf_printf(in, "第%zu段\r\n"
		    "\xe3\x80\x80\xe3\x80\x80" "中 国 妇 女 报 全 媒 体 记 者 姚建  \r\n"
		    "建强战斗堡垒 夯实执政之基\xe2\x80\x8b\r\n"
		    "\xc2\xab" NBSP "oui" NBSP "\xc2\xbb" NBSP NBSP "x\x01\t\r\n"
		    "\r\n", i);
		tm_buf_printf(want, "第%zu段\n"
		    "\xe3\x80\x80\xe3\x80\x80" "中国妇女报全媒体记者 姚建\n"
		    "建强战斗堡垒 夯实执政之基\n"
		    "\xc2\xab" NBSP "oui" NBSP "\xc2\xbb  x\n"
		    "\n", i);
	}
}

static int
sink(void *arg, const char *p, size_t n)
{
	return tm_buf_append(arg, p, n);
}

/* The pipeline API fed in odd chunk sizes: the same as one-shot. */
TM_TEST(pipeline_chunks)
{
	static const size_t sizes[] = { 1, 3, 7, 4093, 65537, 300000 };
	struct tm_buf in, want, got;
	struct tm_pipeline *p;
	struct tm_chain *c = chain(NULL);
	struct tm_report *r;
	struct result one;
	struct tm_diag d;
	size_t i, at, step;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	/* Several segments' worth (segments are cut near 64 KiB). */
	artefacts(&in, &want, 3000);
	CHECK(in.len > 200000);
	clean_n(in.ptr, in.len, NULL, &one);
	CHECK_INT(one.out.len, want.len);
	CHECK(strcmp(one.out.ptr, want.ptr) == 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tm_buf_init(&got, TM_BUF_DEFAULT_MAX);
		r = tm_report_new("t");
		CHECK(tm_pipeline_new(&p, c, r, sink, &got, &d) == 0);
		for (at = 0; at < in.len; at += step) {
			step = in.len - at < sizes[i] ? in.len - at : sizes[i];
			CHECK(tm_pipeline_feed(p, in.ptr + at, step, &d) == 0);
		}
		CHECK(tm_pipeline_finish(p, &d) == 0);
		CHECK_INT(got.len, one.out.len);
		CHECK(strcmp(got.ptr, one.out.ptr) == 0);
		CHECK_INT(tm_report_edits(r, 1), one.nedits);
		tm_pipeline_free(p);
		tm_report_free(r);
		tm_buf_release(&got);
	}
	result_release(&one);
	tm_buf_release(&in);
	tm_buf_release(&want);
	tm_chain_free(c);
}

/*
 * Lines longer than TM_SEGMENT_MAX are cut by the pipeline at a
 * character boundary. Place a CRLF, trailing blanks and a spaced run
 * across that cut.
 */
static void
long_line(const char *head_tail, size_t head_len, const char *rest,
    const char *want_tail, size_t want_len)
{
	struct tm_buf in, want;
	struct result res, ref;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_init(&want, TM_BUF_DEFAULT_MAX);
	CHECK(tm_buf_reserve(&in, TM_SEGMENT_MAX * 2) == 0);
	memset(in.ptr, 'x', TM_SEGMENT_MAX - head_len);
	in.len = TM_SEGMENT_MAX - head_len;
	tm_buf_append(&in, head_tail, head_len);
	tm_buf_puts(&in, rest);
	tm_buf_append(&want, in.ptr, TM_SEGMENT_MAX - head_len);
	tm_buf_append(&want, want_tail, want_len);
	clean_n(in.ptr, in.len, NULL, &res);
	CHECK_INT(res.out.len, want.len);
	CHECK(strcmp(res.out.ptr, want.ptr) == 0);
	/* And the same edits as the filter given the text in one piece. */
	direct(in.ptr, in.len, NULL, 0, NULL, &ref);
	CHECK_STR(res.edits.ptr, ref.edits.ptr);
	result_release(&res);
	result_release(&ref);
	tm_buf_release(&in);
	tm_buf_release(&want);
}

TM_TEST(pipeline_long_lines)
{
	/* CR ends one segment, LF starts the next. */
	long_line("\r", 1, "\nnext\r\n", "\nnext\n", 6);
	/* Trailing blanks end a segment, the line end starts the next. */
	long_line(" \t", 2, "\nnext\n", "\nnext\n", 6);
	/* A spaced run across the cut, and the author's space after it. */
	long_line(" 中", 4, " 国 妇 女 姚建\n",
	    " 中国妇女 姚建\n", strlen(" 中国妇女 姚建\n"));
	/* A lone CR at the cut. */
	long_line("a\r", 2, "b", "a\nb\n", 4);
}

/* A line of several megabytes without a safe place to cut. */
TM_TEST(huge_blank_line)
{
	struct tm_buf in;
	struct result res;
	size_t n = 3 * TM_SEGMENT_MAX;

	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	CHECK(tm_buf_reserve(&in, n + 8) == 0);
	memset(in.ptr, ' ', n);
	in.len = n;
	tm_buf_puts(&in, "\nok\n");
	clean_n(in.ptr, in.len, NULL, &res);
	/*
	 * Memory stays bounded, so some of the blanks are cleaned before
	 * the line end is seen and stay; what is not blank survives.
	 */
	CHECK(res.out.len >= 4 && res.out.len <= n + 4);
	CHECK(strcmp(res.out.ptr + res.out.len - 4, "\nok\n") == 0);
	CHECK(strspn(res.out.ptr, " ") == res.out.len - 4);
	result_release(&res);
	/* Blanks inside a line, however many, are not trailing blanks. */
	in.len = n;
	tm_buf_puts(&in, "ok\n");
	clean_n(in.ptr, in.len, NULL, &res);
	CHECK_INT(res.out.len, in.len);
	CHECK(strcmp(res.out.ptr, in.ptr) == 0);
	result_release(&res);
	tm_buf_release(&in);
}

/*
 * A line of spaced Han characters longer than TM_SEGMENT_MAX has no safe
 * place to cut: the filter cuts after the last character that is not
 * blank, so blanks or a no-break space at the cut are judged whole.
 */
static void
forced_cut(const char *at_cut, const char *rest, const char *want_end)
{
	size_t pad = 3, k, len = strlen(at_cut), i;
	struct tm_buf in;
	struct result res;

	k = (TM_SEGMENT_MAX - pad - len) / 4;
	CHECK_INT(pad + 4 * k + len, TM_SEGMENT_MAX);
	tm_buf_init(&in, TM_BUF_DEFAULT_MAX);
	tm_buf_puts(&in, "xxx");
	for (i = 0; i < k; i++)
		tm_buf_puts(&in, "中 ");
	tm_buf_puts(&in, at_cut);
	tm_buf_puts(&in, rest);
	clean_n(in.ptr, in.len, NULL, &res);
	CHECK(res.out.len > strlen(want_end) && strcmp(res.out.ptr +
	    res.out.len - strlen(want_end), want_end) == 0);
	/* Most of the spaces are gone, the characters are all there. */
	CHECK(res.out.len < in.len - k + 16);
	result_release(&res);
	tm_buf_release(&in);
}

TM_TEST(pipeline_forced_cut)
{
	forced_cut("国  ", "\nnext\n", "中国\nnext\n");
	forced_cut("国" NBSP, "b\n", "中国 b\n");
}

/*
 * Random texts built from the pieces every rule looks at, cut at random
 * character boundaries: always the output and edits of the uncut text.
 * (A fixed-seed generator, so a failure repeats.)
 */
TM_TEST(split_random)
{
	static const char *const pieces[] = { "中", "国", "妇", " ", "  ",
	    "\r", "\n", "\r\n", NBSP, NNBSP, "a", "b", "1", ",", "(",
	    "\xe3\x80\x80", "\t", "\xe2\x80\x8b", "\xc2\x85", "“", "姚建",
	    "\x01", "\f", "\xc2\xad", "\xef\xbb\xbf", "\xc2\xab", "." };
	static const char *const all[] = { "space.nbsp=all",
	    "space.formfeed=drop", NULL };
	static const char *const off[] = { "space.crlf=off",
	    "space.trailing=off", "space.cjk-min=2", NULL };
	static const char *const few[] = { "space.controls=off",
	    "space.zero-width=off", "space.nbsp=off", NULL };
	static const char *const *const sets[] = { NULL, all, off, few };
	const char *const *set;
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	unsigned long long x = 88172645463325252ULL;
	struct result whole, part;
	size_t cuts[3] = { 0, 0, 0 }, ncuts, i, j, n;
	char text[512];
	int round, bad = 0;

	for (round = 0; round < 3000 && !bad; round++) {
		text[0] = '\0';
		for (i = 0, n = 0; i < 2 + (size_t)(round % 30); i++) {
			const char *pc;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			pc = pieces[x % npieces];
			if (n + strlen(pc) >= sizeof(text))
				break;
			memcpy(text + n, pc, strlen(pc) + 1);
			n += strlen(pc);
		}
		ncuts = 1 + x % 3;
		for (j = 0; j < ncuts; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			cuts[j] = n > 0 ? x % n : 0;
			while (cuts[j] > 0 && !boundary(text, cuts[j]))
				cuts[j]--;
			if (j > 0 && cuts[j] < cuts[j - 1])
				cuts[j] = cuts[j - 1];
		}
		set = sets[round % 4];
		direct(text, n, NULL, 0, set, &whole);
		direct(text, n, cuts, ncuts, set, &part);
		if (strcmp(part.out.ptr, whole.out.ptr) != 0 ||
		    strcmp(part.edits.ptr, whole.edits.ptr) != 0 ||
		    !tm_utf8_valid(whole.out.ptr, whole.out.len)) {
			fprintf(stderr, "round %d: \"%s\" cut %zu,%zu,%zu:\n"
			    "  got  \"%s\"\n  want \"%s\"\n", round, text,
			    cuts[0], cuts[1], cuts[2], part.out.ptr,
			    whole.out.ptr);
			bad = 1;
		}
		result_release(&whole);
		result_release(&part);
	}
	CHECK(!bad);
}
