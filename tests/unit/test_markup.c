/*
 * test_markup.c - the markup filter: tags and references go, text that
 * only looks like markup stays.
 */
#include "harness.h"

TM_TEST(paragraph_end_at_line_end)
{
	EXPECT_CLEAN("markup", "5000多元。”</p>\n", "5000多元。”\n");
}

TM_TEST(paragraph_tags_mid_line)
{
	EXPECT_CLEAN("markup", "甲。</p><p>乙。</p>\n", "甲。\n乙。\n");
}

TM_TEST(line_breaks)
{
	EXPECT_CLEAN("markup", "一<br>二<br/>三<BR />四\n", "一\n二\n三\n四\n");
}

TM_TEST(inline_tags_removed)
{
	EXPECT_CLEAN("markup", "<span class=\"x\">文</span><b>字</b><a href='u'>链</a>\n",
	    "文字链\n");
}

TM_TEST(tag_only_line_removed)
{
	EXPECT_CLEAN("markup", "甲\n<div>\n乙\n</div>\n", "甲\n乙\n");
}

TM_TEST(broken_close_at_line_end)
{
	EXPECT_CLEAN("markup", "收入5000多元/p>\n下一段\n", "收入5000多元\n下一段\n");
	EXPECT_UNCHANGED("markup", "km/h> 60\n");
	EXPECT_UNCHANGED("markup", "a/p>b\n");
}

TM_TEST(comments)
{
	EXPECT_CLEAN("markup", "甲<!-- ad -->乙\n", "甲乙\n");
	EXPECT_CLEAN("markup", "甲<!--[if IE]><p>旧版</p><![endif]-->乙<!---->丙\n",
	    "甲乙丙\n");
	/* Several lines of one paragraph; the emptied line goes. */
	EXPECT_CLEAN("markup", "甲\n<!-- 广告\n  位置 -->\n乙<!-- a -->\n",
	    "甲\n乙\n");
}

/* Counts of edits and suspects, and the output must equal in. */
static void
expect_kept(const char *in, unsigned long long want_suspects)
{
	unsigned long long edits = 1, suspects = 0;
	char *got = tm_test_clean("markup", NULL, in, &edits, &suspects);

	CHECK_STR(got, in);
	CHECK_INT(edits, 0);
	CHECK_INT(suspects, want_suspects);
	free(got);
}

TM_TEST(comment_marks_quoted)
{
	/* Text about HTML names the marks; quoted, they stay as tags do. */
	expect_kept("HTML注释以“<!--”开头，以“-->”结尾。\n", 0);
	expect_kept("Comments start with \"<!--\" and end with \"-->\".\n", 0);
	expect_kept("写成“<!-- 注释 -->”即可。\n", 0);
	expect_kept("以“<!--”开头，以-->结尾。\n", 0);
}

TM_TEST(comment_not_across_paragraphs)
{
	/* Two paragraphs between "<!--" and "-->": left, as a suspect. */
	expect_kept("箭头<!--这里\n\n第二段…\n\n第三段-->结束\n", 1);
	expect_kept("甲<!--乙\n \t\r\n丙-->丁\n", 1);
	/* A comment after a rejected opener is judged on its own. */
	EXPECT_CLEAN("markup", "甲<!--乙\n\n丙<!-- x -->丁\n",
	    "甲<!--乙\n\n丙丁\n");
}

TM_TEST(comment_length_capped)
{
	size_t n = 5000, i;
	char *in = malloc(n + 16), *got;
	unsigned long long edits = 0, suspects = 0;

	CHECK(in != NULL);
	if (in == NULL)
		return;
	/* Longer than COMMENT_MAX (4096 bytes): kept, one suspect. */
	memcpy(in, "<!--", 4);
	for (i = 4; i < n; i++)
		in[i] = 'x';
	strcpy(in + n, "-->\n");
	expect_kept(in, 1);
	/* 4096 bytes in all: removed. */
	strcpy(in + 4093, "-->乙\n");
	got = tm_test_clean("markup", NULL, in, &edits, &suspects);
	CHECK_STR(got, "乙\n");
	CHECK_INT(edits, 1);
	CHECK_INT(suspects, 0);
	free(got);
	free(in);
}

/*
 * Every "<!--" used to search for "-->" to the end of its segment (up to
 * 1 MiB): 8 MiB of openers took minutes, past CTest's 120 s timeout,
 * where a linear scan takes well under a second.
 */
TM_TEST(comment_openers_linear)
{
	size_t n = (size_t)8 << 20, i;
	char *in = malloc(n + 1);

	CHECK(in != NULL);
	if (in == NULL)
		return;
	for (i = 0; i < n; i += 4)
		memcpy(in + i, "<!--", 4);
	in[n] = '\0';
	expect_kept(in, 0);
	free(in);
}

TM_TEST(named_entities)
{
	EXPECT_CLEAN("markup", "&ldquo;破难&rdquo;R&amp;D&nbsp;x&lt;y\n",
	    "“破难”R&D\xc2\xa0x<y\n");
}

TM_TEST(numeric_entities)
{
	EXPECT_CLEAN("markup", "&#12290;&#x3002;&#X3002;&#65;\n", "。。。A\n");
}

TM_TEST(double_escaped)
{
	EXPECT_CLEAN("markup", "&amp;ldquo;引&amp;rdquo;&amp;#12290;\n", "“引”。\n");
}

TM_TEST(text_kept)
{
	EXPECT_UNCHANGED("markup", "If a < b and c > d, AT&T pays.\n");
	EXPECT_UNCHANGED("markup", "Press the <tab> key, then <Enter>.\n");
	EXPECT_UNCHANGED("markup", "x<pa>y <b and c> 1<2>3\n");
	EXPECT_UNCHANGED("markup", "a&b; &unknown; &#0; &#xD800; &#x110000; &amp\n");
	EXPECT_UNCHANGED("markup", "Use the “<p>” element and \"<br>\" tags.\n");
}

TM_TEST(options_off)
{
	char *got = tm_test_clean("markup", "markup.tags=off",
	    "<p>&amp;</p>\n", NULL, NULL);

	CHECK_STR(got, "<p>&</p>\n");
	free(got);
	got = tm_test_clean("markup", "markup.entities=off",
	    "<p>&amp;</p>\n", NULL, NULL);
	CHECK_STR(got, "&amp;\n");
	free(got);
}

TM_TEST(edits_counted)
{
	unsigned long long edits = 0;
	char *got = tm_test_clean("markup", NULL,
	    "<p>a&amp;b</p>\n", &edits, NULL);

	CHECK_STR(got, "a&b\n");
	CHECK_INT(edits, 3);
	free(got);
}
