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
