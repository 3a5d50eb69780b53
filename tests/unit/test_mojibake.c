/*
 * test_mojibake.c - the mojibake filter: UTF-8 read as cp1252 (plain,
 * sloppy with C1 controls, twice over, mixed with correct text), the GBK
 * misalignment of seed 001 (every spot in the seed, with its edit and
 * offset), each confusion with mojibake.guess off, and the other side:
 * correct text in many languages, the seeds and ASCII question marks in
 * Chinese text come out byte-identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "harness.h"

#define FILTERS "mojibake"
#define UTF8 "decode.from-code=UTF-8"

static char *
fix(const char *in, unsigned long long *edits, unsigned long long *suspects)
{
	return tm_test_clean(FILTERS, UTF8, in, edits, suspects);
}

#define EXPECT_FIX(in, want)						\
	do {								\
		unsigned long long e_ = 0;				\
		char *got_ = fix(in, &e_, NULL);			\
		CHECK_STR(got_, want);					\
		CHECK(e_ >= 1);						\
		free(got_);						\
	} while (0)

#define EXPECT_SAME(in)							\
	do {								\
		unsigned long long e_ = 1;				\
		char *got_ = fix(in, &e_, NULL);			\
		CHECK_STR(got_, in);					\
		CHECK_INT(e_, 0);					\
		free(got_);						\
	} while (0)

TM_TEST(cp1252_basic)
{
	EXPECT_FIX("Caf\xc3\x83\xc2\xa9", "Café");
	EXPECT_FIX("Ã©tÃ© Ã  Paris", "été à Paris");
	EXPECT_FIX("â€œquotedâ€\xc2\x9d", "“quoted”");
	EXPECT_FIX("ç®€ä½“ä¸­æ–‡", "简体中文");
	EXPECT_FIX("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет");
	EXPECT_FIX("Â£5 and 30Â°C", "£5 and 30°C");
	EXPECT_FIX("ðŸ˜€ ok", "😀 ok");
	EXPECT_FIX("itâ€™s", "it’s");
}

TM_TEST(cp1252_sloppy_c1)
{
	/* the five bytes cp1252 leaves undefined, kept as C1 controls */
	EXPECT_FIX("Ã\xc2\x81rea", "Área");
	EXPECT_FIX("Ã\xc2\x8dndice", "Índice");
	EXPECT_FIX("â€\xc2\x9d.", "”.");
}

TM_TEST(cp1252_double)
{
	EXPECT_FIX("StraÃƒÅ¸e", "Straße");
	EXPECT_FIX("CafÃƒÂ©", "Café");
}

TM_TEST(cp1252_mixed)
{
	/* a correct é beside a broken one; only the broken one changes */
	EXPECT_FIX("café and cafÃ©", "café and café");
	EXPECT_FIX("简体中文 and ç®€ä½“ä¸­æ–‡", "简体中文 and 简体中文");
}

TM_TEST(cp1251)
{
	EXPECT_FIX("РґРѕСЂРѕРіРµ", "дороге");
	EXPECT_FIX("Tip 2 вЂ“ Broadcast", "Tip 2 – Broadcast");
	EXPECT_FIX("UkrsotsbankвЂ™s", "Ukrsotsbank’s");
	/* correct Cyrillic made of the same characters */
	EXPECT_SAME("Рік, енергії, історії, Марії, Сёмга, Рёв, її.");
	EXPECT_SAME("Ђорђе Јовановић, Љубљана, Њујорк, Џон.");
}

struct edit_log {
	int n;
	uint64_t off[4];
	char before[4][32];
	char after[4][32];
	char rule[4][32];
};

static void
log_edit(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	struct edit_log *l = arg;

	if (strcmp(filter, "mojibake") != 0 || l->n == 4)
		return;
	l->off[l->n] = offset;
	snprintf(l->before[l->n], sizeof(l->before[0]), "%s", before);
	snprintf(l->after[l->n], sizeof(l->after[0]), "%s", after);
	snprintf(l->rule[l->n], sizeof(l->rule[0]), "%s", rule);
	l->n++;
}

/* Run `in`, return the output (free it) and the edits in *l. */
static char *
run_log(const char *in, struct edit_log *l)
{
	struct tm_chain *c = NULL;
	struct tm_report *r = tm_report_new("t");
	struct tm_buf out;
	struct tm_diag d;

	memset(l, 0, sizeof(*l));
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK(tm_chain_new(&c, FILTERS, &d) == 0);
	CHECK(tm_chain_set_str(c, UTF8, &d) == 0);
	CHECK(tm_clean_mem(c, in, strlen(in), &out, r, &d) == 0);
	tm_report_foreach_edit(r, log_edit, l);
	tm_chain_free(c);
	tm_report_free(r);
	if (out.cap == 0)
		return strdup("");
	return out.ptr;
}

TM_TEST(macroman)
{
	EXPECT_FIX("wei√ü", "weiß");
	EXPECT_FIX("un r√©gime √©quilibr√©", "un régime équilibré");
	EXPECT_FIX("Le Vigne di Zam√≤", "Le Vigne di Zamò");
	EXPECT_FIX("SaeimƒÅ", "Saeimā");
	/* mathematics with the same characters */
	EXPECT_SAME("2√π r, √2 ≈ 1.414, x ≈ °, ƒ(x) = √©");
}

TM_TEST(utf8_as_gbk)
{
	struct edit_log l;
	char *got;

	EXPECT_FIX("浣犲ソ", "你好");
	EXPECT_FIX("鎴戜滑鍦ㄥ北涓滅渷", "我们在山东省");
	/* a lost last byte (U+FFFD): 作, 你, 位... are all common after
	   E4 BD, so the loss stays visible, as one U+FFFD for one
	   character; what is whole is repaired */
	EXPECT_FIX("鎴戜滑鍦ㄥ北涓滅渷鑱婂煄甯傚伐浣\xef\xbf\xbd",
	    "我们在山东省聊城市工\xef\xbf\xbd");
	got = run_log("我们 鎴戜滑 工作", &l);
	CHECK_STR(got, "我们 我们 工作");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 7);
	CHECK_STR(l.before[0], "鎴戜滑");
	CHECK_STR(l.rule[0], "utf8-as-gbk");
	free(got);
	/* rare characters that are right */
	EXPECT_SAME("鎏金铜佛像，饕餮纹，魑魅魍魉，耄耋之年。");
	EXPECT_SAME("αβγ射线与ДЖ的关系；ā á ǎ à；┌─┐");
}

TM_TEST(cp1250)
{
	EXPECT_FIX("LiĂ¨ge Avenue de l'HĂ´pital", "Liège Avenue de l'Hôpital");
	EXPECT_FIX("NapĂ­Ĺˇte nĂˇm !", "Napíšte nám !");
	/* Romanian capitals before punctuation, a Slovak alphabet */
	EXPECT_SAME("Utilizați “gresource help COMANDĂ” pentru ajutor.");
	EXPECT_SAME("NICIODATĂ™ NICIODATĂ ");
	EXPECT_SAME("aáäbcčdďeéfghiíjklĺľž AÁÄBCČDĎEÉFGHIÍJKLĹĽŽ");
}

TM_TEST(cp1252_edit)
{
	struct edit_log l;
	char *got;

	/* the edit covers the broken part of the run only */
	got = run_log("x «CafÃ©» y", &l);
	CHECK_STR(got, "x «Café» y");
	CHECK_INT(l.n, 1);
	CHECK_INT(l.off[0], 7);
	CHECK_STR(l.before[0], "Ã©");
	CHECK_STR(l.after[0], "é");
	CHECK_STR(l.rule[0], "utf8-as-cp1252");
	free(got);
	/* à whose no-break space became the space of "às" */
	got = run_log("atenÃ§Ã£o Ã s crianÃ§as", &l);
	CHECK_STR(got, "atenção às crianças");
	CHECK_INT(l.n, 3);
	CHECK_INT(l.off[1], 14);
	CHECK_STR(l.before[1], "Ã ");
	CHECK_STR(l.after[1], "à");
	free(got);
	got = run_log("Ð¿Ñ€Ð¸ and РґРѕСЂРѕРіРµ", &l);
	CHECK_STR(got, "при and дороге");
	CHECK_INT(l.n, 2);
	CHECK_STR(l.rule[1], "utf8-as-cp1251");
	CHECK_INT(l.off[1], 18);
	free(got);
}

TM_TEST(cp1252_negative)
{
	/* correct text that has the characters mojibake is made of */
	EXPECT_SAME("CAFÉ» et «DÉJÀ»");
	EXPECT_SAME("There are a lot of Ã’s in mojibake text");
	EXPECT_SAME("AHÅ™, the new sofa");
	EXPECT_SAME("a radius of 10 Å—");
	EXPECT_SAME("I'm not such a fan of Charlotte Brontë…”");
	EXPECT_SAME("Offering 5×£35 pin ups");
	EXPECT_SAME("(“+” and “×” curves)");
	EXPECT_SAME("MISUTÂ AJIKKO");
	EXPECT_SAME("SÃO PAULO, ÇA VA, NAÏVE, ÉTÉ");
	EXPECT_SAME("Ãgua");
	EXPECT_SAME("A Ã B");
}

TM_TEST(suspects)
{
	unsigned long long e = 1, sus = 0;
	char *got;

	/* left alone, but reported: could be either */
	got = fix("There are a lot of Ã’s here", &e, &sus);
	CHECK_STR(got, "There are a lot of Ã’s here");
	CHECK_INT(e, 0);
	CHECK_INT(sus, 1);
	free(got);
	/* a garbled run after '?' that no lost byte repairs */
	e = 1;
	sus = 0;
	got = fix("中文?鞘袐绷鞘袐绷 end", &e, &sus);
	CHECK_STR(got, "中文?鞘袐绷鞘袐绷 end");
	CHECK_INT(e, 0);
	CHECK_INT(sus, 1);
	free(got);
}

TM_TEST(clean_languages)
{
	static const char *const text[] = {
		"Le cœur a ses raisons que la raison ne connaît point.",
		"Über den Wolken muß die Freiheit wohl grenzenlos sein.",
		"¿Dónde está el niño? ¡Aquí, señor!",
		"A criança não está à espera; estão às ordens.",
		"Příliš žluťoučký kůň úpěl ďábelské ódy.",
		"Zażółć gęślą jaźń.",
		"Pijamalı hasta yağız şoföre çabucak güvendi.",
		"Þú ert góður, Ðórður; æðri öld.",
		"Høj bør, blåbær og ærter.",
		"Sfânta Treime, șase țări, înțelepciune.",
		"Tiếng Việt có dấu: người, được, những.",
		"Съешь же ещё этих мягких французских булок, да выпей чаю.",
		"Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
		"Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
		"דג סקרן שט בים מאוכזב ולפתע מצא חברה",
		"نص حكيم له سر قاطع وذو شأن عظيم",
		"中文（简体）：我们在山东省聊城市，“妇联”工作。",
		"繁體中文：我們村婦聯主席把在家的幾個姐妹召集起來。",
		"いろはにほへと ちりぬるを、わかよたれそ。",
		"다람쥐 헌 쳇바퀴에 타고파.",
		"5 × 3 = 15; 30 °C; £5, ¥100, €20; © 2024 ™",
		"« Bonjour », dit-il — « À bientôt ! »",
		"ÀÉÎÕÜ àéîõü ÇÑ çñ ß ÿ",
		"Mathematics: ± ¼ ½ ¾ · ² ³ µ ¶ §",
		NULL
	};
	const char *const *t;

	for (t = text; *t != NULL; t++)
		EXPECT_SAME(*t);
}

TM_TEST(clean_question_marks)
{
	/* ASCII '?' in Chinese text that is not a lost byte */
	EXPECT_SAME("想爆料?請登錄《陽光連線》( https://minsheng.iqilu.com/)");
	EXPECT_SAME("是吗?好的。");
	EXPECT_SAME("真的吗??OK");
	EXPECT_SAME("为什么?!我不知道。");
	EXPECT_SAME("你好?\n");
	EXPECT_SAME("?开头的问号");
	EXPECT_SAME("问题?/答案");
}

TM_TEST(gbk_misaligned)
{
	EXPECT_FIX("和家庭?!绷某鞘袐D聯", "和家庭。”聊城市婦聯");
	/* the lost lead of 。: after ” and before 縣, 。 and 海 (as in
	   寧海縣) are as likely, so it stays visible */
	EXPECT_FIX("2—3名”??h級婦聯", "2—3名”\xef\xbf\xbd縣級婦聯");
	EXPECT_FIX("“人均一年能收入5000多元?!?/p>",
	    "“人均一年能收入5000多元。”</p>");
}

struct spot {
	int n;
	uint64_t off[8];
	char before[8][64];
	char after[8][64];
};

static void
collect(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	struct spot *s = arg;

	if (strcmp(filter, "mojibake") != 0 || s->n == 8)
		return;
	CHECK_STR(rule, "gbk-misaligned");
	s->off[s->n] = offset;
	snprintf(s->before[s->n], sizeof(s->before[0]), "%s", before);
	snprintf(s->after[s->n], sizeof(s->after[0]), "%s", after);
	s->n++;
}

/* Seed 001: its four misaligned spots and nothing else. */
TM_TEST(seed_001)
{
	static const char *const want[][2] = {
		{ "?!?", "。”<" }, { "?!?", "。”<" },
		{ "??h", "\xef\xbf\xbd縣" }, { "?!绷某鞘袐D", "。”聊城市婦" }
	};
	struct tm_chain *c = NULL;
	struct tm_report *r = tm_report_new("t");
	struct tm_buf out;
	struct tm_diag d;
	struct spot s;
	size_t len, i, at = 0, o = 0;
	char *in = tm_test_slurp(TM_SHARED_DIR
	    "/seeds/001_1865decd81d81d18.txt", &len);

	memset(&s, 0, sizeof(s));
	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	CHECK(tm_chain_new(&c, FILTERS, &d) == 0);
	CHECK(tm_chain_set_str(c, UTF8, &d) == 0);
	CHECK(tm_clean_mem(c, in, len, &out, r, &d) == 0);
	tm_report_foreach_edit(r, collect, &s);
	CHECK_INT(s.n, 4);
	CHECK_INT(tm_report_suspects(r, 1), 0);
	/* Everything between the spots is unchanged, and each spot is
	   exactly the edit the report says. */
	for (i = 0; i < 4 && i < (size_t)s.n; i++) {
		size_t bl = strlen(s.before[i]), al = strlen(s.after[i]);

		CHECK_STR(s.before[i], want[i][0]);
		CHECK_STR(s.after[i], want[i][1]);
		CHECK(s.off[i] >= at && s.off[i] + bl <= len);
		if (s.off[i] < at || s.off[i] + bl > len)
			break;
		CHECK(memcmp(in + at, out.ptr + o, s.off[i] - at) == 0);
		o += s.off[i] - at;
		CHECK(memcmp(in + s.off[i], s.before[i], bl) == 0);
		CHECK(memcmp(out.ptr + o, s.after[i], al) == 0);
		o += al;
		at = s.off[i] + bl;
	}
	CHECK_INT(out.len - o, len - at);
	CHECK(memcmp(in + at, out.ptr + o, len - at) == 0);
	free(in);
	tm_buf_release(&out);
	tm_chain_free(c);
	tm_report_free(r);
}

TM_TEST(seeds_unchanged)
{
	static const char *const seeds[] = {
		"000_a68f4d797b31b851.txt", "002_e7c89f63967000f2.txt",
		"003_8f7e8d385c693dd7.txt", "004_5e311010456c98bd.txt", NULL
	};
	const char *const *p;
	char path[4096];
	size_t len;

	for (p = seeds; *p != NULL; p++) {
		char *in, *got;
		unsigned long long e = 1, sus = 1;

		snprintf(path, sizeof(path), "%s/seeds/%s", TM_SHARED_DIR, *p);
		in = tm_test_slurp(path, &len);
		got = fix(in, &e, &sus);
		CHECK_STR(got, in);
		CHECK_INT(e, 0);
		CHECK_INT(sus, 0);
		free(got);
		free(in);
	}
}

/* With mojibake.guess=off a character that lost bytes is U+FFFD unless
   what is left of it fits one character only; what is repaired is the
   same. Each case is one the default repairs with a guess. */
TM_TEST(guess_off)
{
	static const char *const cases[][3] = {
		/* GBK misalignment: the lost lead of 。 */
		{ "和家庭?!绷某鞘袐D聯", "和家庭。”聊城市婦聯",
		  "和家庭\xef\xbf\xbd”聊城市婦聯" },
		/* UTF-8 read as GBK: 岗 and 。 lost their last byte */
		{ "璁拌€呬粠鑱婂煄甯傝幏鎮夛紝2023骞村叏甯傛柊澧炲氨涓氬矖浣"
		  "锟斤拷5涓囦釜銆锟斤拷",
		  "记者从聊城市获悉，2023年全市新增就业岗\xef\xbf\xbd"
		  "5万个。",
		  "记者从聊城市获悉，2023年全市新增就业岗\xef\xbf\xbd"
		  "5万个\xef\xbf\xbd" },
		/* GBK read as cp1252: the lead of 廣, 8F, lost to U+FFFD,
		   may have been 81, 8D, 90 or 9D as well */
		{ "È«Ê¡\xef\xbf\xbdV´ó‹DÅ®·e˜O…¢Åcàl´åÕñÅd¡£",
		  "全省廣大婦女積極參與鄉村振興。",
		  "全省\xef\xbf\xbd大婦女積極參與鄉村振興。" },
		/* UTF-8 read as Big5: 我, 今, 明, 假 and 。 lost bytes */
		{ "?\xee\x95\xab\xc2\x80\xee\x95\xaa?憭拙\xee\x8d\xaa摮豢"
		  "\xee\xb9\x9a銝\xef\x93\x83玨嚗\xef\x97\xbd\xc2\x80"
		  "\xee\xbc\xbb葦隤芣?憭拇\xee\x9c\x9b?\xef\x8b\xa7\xc2\x80?\n",
		  "我們\xef\xbf\xbd天去學校上課，老師說明天放假。\n",
		  "\xef\xbf\xbd們\xef\xbf\xbd天去學校上課，老師說\xef\xbf\xbd"
		  "天放\xef\xbf\xbd\xef\xbf\xbd\n" },
		/* UTF-8 read as cp1250: È (C3 88) lost 88 */
		{ "Ă\xef\xbf\xbd possibile, non Ă¨ vero",
		  "È possibile, non è vero",
		  "\xef\xbf\xbd possibile, non è vero" },
		/* as cp1251, which leaves only 98 undefined: И is sure */
		{ "Р\xef\xbf\xbdРјСЏ РєРѕРјРїРѕРЅРµРЅС‚Р°", "Имя компонента",
		  "Имя компонента" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = fix(cases[i][0], NULL, NULL);
		CHECK_STR(got, cases[i][1]);
		free(got);
		got = tm_test_clean(FILTERS, UTF8 "\nmojibake.guess=off",
		    cases[i][0], NULL, NULL);
		CHECK_STR(got, cases[i][2]);
		free(got);
	}
}

TM_TEST(options_off)
{
	char *got;

	got = tm_test_clean(FILTERS, "mojibake.latin=off", "CafÃ©", NULL,
	    NULL);
	CHECK_STR(got, "CafÃ©");
	free(got);
	got = tm_test_clean(FILTERS, "mojibake.gbk=off", "和家庭?!绷某鞘袐D聯",
	    NULL, NULL);
	CHECK_STR(got, "和家庭?!绷某鞘袐D聯");
	free(got);
}
