/*
 * test_script.c - the script filter: phrase-level Traditional <-> Simplified
 * in every mode, Kangxi radicals and compatibility ideographs, quotes,
 * auto modes, the edits it reports, phrases across segment cuts, and the
 * ICU fallback.
 */
#include <glob.h>
#include <stdlib.h>

#include "harness.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"

struct result {
	char *out;
	unsigned long long edits, suspects;
	struct tm_report *r;
};

/* Clean `in` with --filters script, mode, and optional settings. */
static struct result
run2(const char *in, size_t len, const char *mode, const char *set1,
    const char *set2)
{
	struct tm_chain *c;
	struct result res;
	struct tm_buf out;
	struct tm_diag d;

	res.r = tm_report_new("t");
	tm_report_set_sample_limit(res.r, -1);
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK(tm_chain_new(&c, "script", &d) == 0);
	CHECK(tm_chain_set(c, "script", "mode", mode, &d) == 0);
	if (set1 != NULL)
		CHECK(tm_chain_set_str(c, set1, &d) == 0);
	if (set2 != NULL)
		CHECK(tm_chain_set_str(c, set2, &d) == 0);
	CHECK(tm_clean_mem(c, in, len, &out, res.r, &d) == 0);
	res.out = out.ptr;
	res.edits = tm_report_edits(res.r, 1);
	res.suspects = tm_report_suspects(res.r, 1);
	tm_chain_free(c);
	return res;
}

static void
done(struct result *res)
{
	free(res->out);
	tm_report_free(res->r);
}

static void
conv(const char *mode, const char *in, const char *want)
{
	struct result r = run2(in, strlen(in), mode, NULL, NULL);

	CHECK_STR(r.out, want);
	done(&r);
}

static void
same(const char *mode, const char *in)
{
	struct result r = run2(in, strlen(in), mode, NULL, NULL);

	CHECK_STR(r.out, in);
	CHECK_INT(r.edits, 0);
	done(&r);
}

TM_TEST(t2s_phrases)
{
	conv("t2s", "乾隆年間，天氣乾燥。\n", "乾隆年间，天气干燥。\n");
	conv("t2s", "她的頭髮很長，經濟發展很快。\n",
	    "她的头发很长，经济发展很快。\n");
	conv("t2s", "皇后後來回宮。\n", "皇后后来回宫。\n");
	conv("t2s", "乾杯！我瞭解這碗麵，一隻貓，不是藉口。\n",
	    "干杯！我了解这碗面，一只猫，不是借口。\n");
	conv("t2s", "基層婦聯組織建設\n", "基层妇联组织建设\n");
}

TM_TEST(t2s_zhe_particle)
{
	conv("t2s", "著名作家看著他，拿著書，跟著我。\n",
	    "著名作家看着他，拿着书，跟着我。\n");
	conv("t2s", "他跟著名教授學習，著書立說。\n",
	    "他跟著名教授学习，著书立说。\n");
	conv("t2s", "接著，隨著時間，這意味著改變。\n",
	    "接着，随着时间，这意味着改变。\n");
	conv("t2s", "成效顯著，他的名著和著作，土著居民。\n",
	    "成效显著，他的名著和著作，土著居民。\n");
}

TM_TEST(t2s_taiwan_forms)
{
	conv("t2s", "牠們在房間裡。\n", "它们在房间里。\n");
	conv("t2s", "他把頭抬起來。\n", "他把头抬起来。\n");
}

TM_TEST(s2t_phrases)
{
	conv("s2t", "乾隆年间，天气干燥。\n", "乾隆年間，天氣乾燥。\n");
	conv("s2t", "她的头发很长，经济发展很快。\n",
	    "她的頭髮很長，經濟發展很快。\n");
	conv("s2t", "皇后后来回宫。\n", "皇后後來回宮。\n");
	conv("s2t", "著名作家\n", "著名作家\n");
}

TM_TEST(regional_modes)
{
	conv("s2tw", "在家里看着他，台湾\n", "在家裡看著他，台灣\n");
	conv("s2hk", "这碗面\n", "這碗麪\n");
	conv("tw2s", "在家裡看著他，著名\n", "在家里看着他，著名\n");
	conv("hk2s", "這碗麪，說話\n", "这碗面，说话\n");
}

TM_TEST(simplified_unchanged_by_t2s)
{
	glob_t g;
	size_t i, len;
	char *text;

	same("t2s", "在山东省聊城市东阿县，每一位妇联执委都显著提升，什么都好。\n");
	same("t2s", "“引号”和‘单引号’，English text, 1.8亿\n");
	/* The Simplified seeds (001 is the Traditional one). */
	CHECK(glob(TM_SHARED_DIR "/seeds/00[0234]_*.txt", 0, NULL, &g) == 0);
	CHECK(g.gl_pathc >= 4);
	for (i = 0; i < g.gl_pathc; i++) {
		struct result r;

		text = tm_test_slurp(g.gl_pathv[i], &len);
		r = run2(text, len, "t2s", NULL, NULL);
		CHECK(strlen(r.out) == len && memcmp(r.out, text, len) == 0);
		CHECK_INT(r.edits, 0);
		done(&r);
		free(text);
	}
	globfree(&g);
}

TM_TEST(traditional_unchanged_by_s2t)
{
	same("s2t", "乾隆年間，天氣乾燥。\n");
}

TM_TEST(kangxi_and_compat)
{
	/* ⼀ U+2F00, ⼈ U+2F08 Kangxi; 豈 U+F900, 樂 U+F914 compatibility. */
	conv("t2s", "⼀⼈\n", "一人\n");
	conv("t2s", "豈有此理，快樂\n", "岂有此理，快乐\n");
	conv("s2t", "⼀⼈，豈\n", "一人，豈\n");
	conv("auto-s", "简体字⼀⼈\n", "简体字一人\n");
	/* Unified already (U+FA0E is a unified ideograph in that block). */
	same("t2s", "\xef\xa8\x8e\n");
	/* Mode none is a pass-through. */
	same("none", "⼀⼈豈頭髮「」\n");
}

TM_TEST(quotes)
{
	conv("t2s", "他說：「你好『朋友』」\n", "他说：“你好‘朋友’”\n");
	conv("s2tw", "他说：“你好‘朋友’”\n", "他說：「你好『朋友』」\n");
	conv("s2hk", "他说：“好”\n", "他説：「好」\n");
	/* An apostrophe is not a quote. */
	conv("s2tw", "他说：“don’t”\n", "他說：「don’t」\n");
	/* s2t keeps quotes, as OpenCC's standard does. */
	conv("s2t", "他说：“好”\n", "他說：“好”\n");
	{
		struct result r = run2("他說：「好」\n",
		    strlen("他說：「好」\n"), "t2s", "script.quotes=off",
		    NULL);

		CHECK_STR(r.out, "他说：「好」\n");
		done(&r);
	}
	/* Simplified text that uses corner quotes is left as it is. */
	same("t2s", "脚踏泥土续写『振兴故事』\n");
}

struct seen {
	int phrase, chr, kangxi, quote;
	int bad_offset;
	const char *text;
};

static void
on_edit(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	struct seen *s = arg;

	if (strcmp(filter, "script") != 0)
		return;
	if (strncmp(s->text + offset, before, strlen(before)) != 0)
		s->bad_offset++;
	if (strcmp(rule, "t2s-phrase") == 0)
		s->phrase++;
	else if (strcmp(rule, "t2s-char") == 0)
		s->chr++;
	else if (strcmp(rule, "kangxi") == 0)
		s->kangxi++;
	else if (strcmp(rule, "quote") == 0)
		s->quote++;
}

TM_TEST(edits_recorded)
{
	const char *in = "「瞭解」⼀乾隆國家\n";
	struct result r = run2(in, strlen(in), "t2s", NULL, NULL);
	struct seen s;

	memset(&s, 0, sizeof(s));
	s.text = in;
	CHECK_STR(r.out, "“了解”一乾隆国家\n");
	tm_report_foreach_edit(r.r, on_edit, &s);
	/* 瞭解 one phrase; 國 a character (家 is both); 乾隆 maps to itself. */
	CHECK_INT(s.phrase, 1);
	CHECK_INT(s.chr, 1);
	CHECK_INT(s.kangxi, 1);
	CHECK_INT(s.quote, 2);
	CHECK_INT(s.bad_offset, 0);
	CHECK_INT(r.edits, 5);
	done(&r);
}

/* A line longer than a segment: the pipeline cuts it mid-line. */
TM_TEST(phrase_across_segment_cut)
{
	size_t n = TM_SEGMENT_MAX + 4096, pad = TM_SEGMENT_MAX - 3, i;
	char *in = malloc(n + 1), *want = malloc(n + 1);
	struct result r;
	struct seen s;

	CHECK(in != NULL && want != NULL);
	memset(in, 'a', n);
	memset(want, 'a', n);
	/* 乾隆 with 乾 the last character before the cut, 瞭解 later. */
	memcpy(in + pad, "乾隆", 6);
	memcpy(want + pad, "乾隆", 6);
	memcpy(in + pad + 100, "瞭解", 6);
	memcpy(want + pad + 100, "了解", 6);
	in[n - 1] = want[n - 1] = '\n';
	in[n] = want[n] = '\0';
	r = run2(in, n, "t2s", NULL, NULL);
	CHECK(strlen(r.out) == n);
	for (i = 0; i < n && r.out[i] == want[i]; i++)
		;
	CHECK_INT(i, n);
	memset(&s, 0, sizeof(s));
	s.text = in;
	tm_report_foreach_edit(r.r, on_edit, &s);
	CHECK_INT(s.phrase, 1);
	CHECK_INT(s.bad_offset, 0);
	CHECK_INT(r.edits, 1);
	done(&r);
	free(in);
	free(want);
}

TM_TEST(many_segments)
{
	/* Paragraphs make many segments; every one is converted. */
	size_t i, k = 0;
	char *in = malloc(300000), *want = malloc(300000);

	CHECK(in != NULL && want != NULL);
	for (i = 0; i < 8000; i++) {
		memcpy(in + k, "頭髮發展\n\n", 14);
		memcpy(want + k, "头发发展\n\n", 14);
		k += 14;
	}
	in[k] = want[k] = '\0';
	conv("t2s", in, want);
	free(in);
	free(want);
}

static void
on_suspect(void *arg, const char *filter, uint64_t offset, const char *text,
    const char *reason)
{
	if (strcmp(filter, "script") == 0)
		strncpy(arg, reason, 63);
}

TM_TEST(auto_modes)
{
	const char *mixed = "頭髮發展國家經濟简体中文这是简单的\n";
	struct result r;
	char reason[64] = "";

	conv("auto-s", "基層婦聯組織建設，頭髮發展。\n",
	    "基层妇联组织建设，头发发展。\n");
	same("auto-s", "基层妇联组织建设，头发发展。\n");
	same("auto-s", "no Chinese at all\n");
	conv("auto-t", "基层妇联组织建设，头发发展。\n",
	    "基層婦聯組織建設，頭髮發展。\n");
	same("auto-t", "基層婦聯組織建設，頭髮發展。\n");
	r = run2(mixed, strlen(mixed), "auto-s", NULL, NULL);
	CHECK_INT(r.suspects, 1);
	tm_report_foreach_suspect(r.r, on_suspect, reason);
	CHECK_STR(reason, "mixed-script");
	done(&r);
}

TM_TEST(icu_fallback)
{
	const char *in = "基層婦聯組織建設「好」⼀\n";
	struct result r = run2(in, strlen(in), "t2s", "script.data=icu", NULL);
	char reason[64] = "";

	CHECK_STR(r.out, "基层妇联组织建设“好”一\n");
	CHECK_INT(r.edits, 9);
	CHECK_INT(r.suspects, 1);
	tm_report_foreach_suspect(r.r, on_suspect, reason);
	CHECK_STR(reason, "icu-fallback");
	done(&r);
	r = run2("头发发展\n", strlen("头发发展\n"), "s2t", "script.data=icu",
	    NULL);
	CHECK_STR(r.out, "頭髮發展\n");
	done(&r);
}

TM_TEST(bad_data_file)
{
	struct tm_chain *c;
	struct tm_diag d;

	CHECK(tm_chain_new(&c, "script", &d) == 0);
	CHECK(tm_chain_set(c, "script", "mode", "t2s", &d) == 0);
	CHECK(tm_chain_set(c, "script", "data", TM_SOURCE_DIR "/CMakeLists.txt",
	    &d) == 0);
	CHECK(tm_chain_check(c, &d) != 0);
	tm_chain_free(c);
	CHECK(tm_chain_new(&c, "script", &d) == 0);
	CHECK(tm_chain_set(c, "script", "mode", "x2y", &d) != 0);
	tm_chain_free(c);
}
