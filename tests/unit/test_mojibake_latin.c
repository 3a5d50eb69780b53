/*
 * test_mojibake_latin.c - the mojibake filter's repairs of UTF-8 read as a
 * single-byte charset beyond plain cp1252 (mojibake_latin.c): cp437,
 * ISO 8859-2 against cp1250, cp1257, cp1251 twice over or under cp1252,
 * MacRoman in layers, Hebrew and Arabic in cp1250 and MacRoman, text
 * encoded twice through C1 controls, CESU-8 emoji, bytes lost to "?",
 * U+FFFD or a plain space, and cp1252 quotes read as C1 controls. Each
 * repair is an edit named after its confusion; the other side is correct
 * text with the same characters (box drawing, Scandinavian capitals,
 * Cyrillic, mathematics, Spanish questions) left byte-identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "harness.h"

#define FILTERS "mojibake"
#define UTF8 "decode.from-code=UTF-8"

struct edit_log {
	int n;
	char rule[8][32];
};

static void
log_edit(void *arg, const char *filter, uint64_t offset, const char *before,
    const char *after, const char *rule)
{
	struct edit_log *l = arg;

	(void)offset;
	(void)before;
	(void)after;
	if (strcmp(filter, "mojibake") != 0 || l->n == 8)
		return;
	snprintf(l->rule[l->n], sizeof(l->rule[0]), "%s", rule);
	l->n++;
}

/* Run `in`, return the output (free it), the edits in *l and the number
   of suspects in *suspects. */
static char *
run_log(const char *in, struct edit_log *l, unsigned long long *suspects)
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
	free(tm_test_clean(FILTERS, UTF8, in, NULL, suspects));
	if (out.cap == 0)
		return strdup("");
	return out.ptr;
}

/* IN must repair to WANT, with an edit named NAME among its edits. */
#define EXPECT_RULE(in, want, name)					\
	do {								\
		struct edit_log l_;					\
		char *got_ = run_log(in, &l_, NULL);			\
		int i_, named_ = 0;					\
		CHECK_STR(got_, want);					\
		for (i_ = 0; i_ < l_.n; i_++)				\
			named_ += strcmp(l_.rule[i_], name) == 0;	\
		CHECK(named_ >= 1);					\
		free(got_);						\
	} while (0)

#define EXPECT_SAME(in)							\
	do {								\
		struct edit_log l_;					\
		char *got_ = run_log(in, &l_, NULL);			\
		CHECK_STR(got_, in);					\
		CHECK_INT(l_.n, 0);					\
		free(got_);						\
	} while (0)

TM_TEST(cp437)
{
	EXPECT_RULE("#╨┐╤Ç╨░╨▓╨╕╨╗╤î╨╜╨╛╨╡", "#правильное", "utf8-as-cp437");
	EXPECT_RULE("─îe┼ítina", "Čeština", "utf8-as-cp437");
	EXPECT_RULE("Tiß║┐ng Viß╗çt", "Tiếng Việt", "utf8-as-cp437");
	EXPECT_RULE("Nom du th├¿me du curseur", "Nom du thème du curseur",
	    "utf8-as-cp437");
	/* box drawing is text, also beside letters */
	EXPECT_SAME("├┤a┼┐a┼┐a┼┐a┼┐a");
	EXPECT_SAME("┌──┬──┐\n│a │b │\n└──┴──┘");
	EXPECT_SAME("═══ Résumé ═══");
}

TM_TEST(latin2_or_cp1250)
{
	/* a C1 control on the line: ISO 8859-2, Czech á not Swedish å */
	EXPECT_RULE("MĂĄm dost tĹ\xc2\x99" "etĂ­ho", "Mám dost třetího",
	    "utf8-as-latin2");
	EXPECT_RULE("Du mĂĄste vĂ¤lja ett kortare lĂ¶senord.",
	    "Du måste välja ett kortare lösenord.", "utf8-as-cp1250");
	EXPECT_RULE("N'installez pas ces paquets Ă\xc2\xa0 moins que vous ne "
	    "soyez sĂ»r", "N'installez pas ces paquets à moins que vous ne "
	    "soyez sûr", "utf8-as-cp1250");
	EXPECT_RULE("×‘×”×•×“×˘×”", "בהודעה", "utf8-as-cp1250");
	EXPECT_RULE("Ř±ŘłŘ§Ů„Ř©", "رسالة", "utf8-as-cp1250");
	EXPECT_SAME("Příliš žluťoučký kůň úpěl ďábelské ódy.");
	EXPECT_SAME("Zażółć gęślą jaźń. ŁÓDŹ, ŚĆ.");
	EXPECT_SAME("ŢARĂ, ÎNCĂ, ȘI, Ăsta");
}

TM_TEST(cp1257)
{
	EXPECT_RULE("kaip ÄÆsivaizduoji", "kaip įsivaizduoji",
	    "utf8-as-cp1257");
	/* Scandinavian and Finnish capitals stay */
	EXPECT_SAME("HÅØYA ER BLÅØYD");
	EXPECT_SAME("SELKÄ\xc2\xa0" "EDELLÄ\xc2\xa0" "MAAHAN");
	EXPECT_SAME("Connect with Āø on Facebook");
}

TM_TEST(cp1251_layers)
{
	EXPECT_RULE("Р\xc2\xa0С—РЎР‚Р\xc2\xa0С‘РЎРЏ", "прия", "utf8-as-cp1251");
	EXPECT_RULE("РІСњВ¤", "❤", "utf8-as-cp1251");
	EXPECT_RULE("a Г‚ВЈ5.8bn issue", "a £5.8bn issue", "utf8-as-cp1251");
	EXPECT_RULE("signiп¬Ѓcantly", "signiﬁcantly", "utf8-as-cp1251");
	EXPECT_RULE("la rГ©gion", "la région", "utf8-as-cp1251");
	/* short words beside longer ones on the same line */
	EXPECT_RULE("РєРѕРЅС‚РµРЅС‚ СЃ РЅР°РјРё, В«autoВ»",
	    "контент с нами, «auto»", "utf8-as-cp1251");
	EXPECT_SAME("Рік і енергії, Вї, Її, Ёж, Ђаво");
	EXPECT_SAME("СССР и США, В«» — Г. Ивановъ");
}

TM_TEST(macroman_layers)
{
	EXPECT_RULE("t‚Äö√†√∂¬¨¬©l‚Äö√†√∂¬¨¬©charger", "télécharger",
	    "utf8-as-macroman");
	EXPECT_RULE("afin d'en profiter‚Ä¶", "afin d'en profiter…",
	    "utf8-as-macroman");
	EXPECT_RULE("◊ë◊î◊ï◊ì◊¢◊î", "בהודעה", "utf8-as-macroman");
	EXPECT_RULE("Trop d'erreurs, arr√™t du programme.",
	    "Trop d'erreurs, arrêt du programme.", "utf8-as-macroman");
	EXPECT_SAME("(-1/2)! = √π, ∆°, 2012—∞, ( o¬ô )");
	EXPECT_SAME("un mot—électricité");
}

TM_TEST(cp1252_twice_through_c1)
{
	/* a C1 control or an odd character between two passes */
	EXPECT_RULE("Times New Ã¢â‚¬Å“ RomanceÃ¢â‚¬Â\xc2\x9d.",
	    "Times New “ Romance”.", "utf8-as-cp1252");
	EXPECT_RULE("mÃƒÂ¼ssen kÃƒÂ¶nnen", "müssen können", "utf8-as-cp1252");
	EXPECT_RULE("Ã‘â€šÃ\xc2\x90Â°Ã\xc2\x90Âº", "так", "utf8-as-cp1252");
	EXPECT_RULE("Ã¢â€\xc2\x9dâ€™(Ã¢Å’Â£Ã‹â€ºÃ¢Å’Â£)", "┒(⌣˛⌣)",
	    "utf8-as-cp1252");
	EXPECT_RULE("$Ì¶6Ì¶3Ì¶", "$̶6̶3̶", "utf8-as-cp1252");
	/* an odd character of the first pass alone stays */
	EXPECT_SAME("ESSE CARA AI QUEM É¿");
	EXPECT_SAME("NESTLÉ® requiere");
}

TM_TEST(cesu8)
{
	EXPECT_RULE("Hi guys í\xc2\xa0½í¸\xc2\x8d", "Hi guys 😍",
	    "utf8-as-cp1252");
	EXPECT_RULE("ok â\xc2\x9a½í\xc2\xa0½í¸\xc2\x80í\xc2\xa0½í¸\xc2\x81",
	    "ok ⚽😀😁", "utf8-as-cp1252");
}

TM_TEST(lost_bytes)
{
	unsigned long long sus = 0;
	struct edit_log l;
	char *got;

	EXPECT_RULE("upgraded to â€œbb+â€? from â€œbbâ€?",
	    "upgraded to “bb+\xef\xbf\xbd from “bb\xef\xbf\xbd",
	    "utf8-as-cp1252");
	EXPECT_RULE("ItÃ?Â¢â?¬â?¢s classic.", "It\xef\xbf\xbd¢\xef\xbf\xbd"
	    "\xef\xbf\xbds classic.", "utf8-as-cp1252");
	EXPECT_RULE("à¸ à¸²à¸©à¸²à¹„à¸—à¸¢", "ภาษาไทย", "utf8-as-cp1252");
	EXPECT_RULE("â € ok, Ã©tÃ©", "⠀ ok, été", "utf8-as-cp1252");
	EXPECT_RULE("Ã¢â€\xef\xbf\xbdâ€™(x", "\xef\xbf\xbd(x", "utf8-as-cp1252");
	/* cp1250 leaves 81 83 88 90 98 undefined: a lost byte is guessed
	   where one letter is far the likeliest, else left as U+FFFD */
	EXPECT_RULE("Asia, Ă\xef\xbf\xbd" "frica, AmĂ©rica",
	    "Asia, \xef\xbf\xbd" "frica, América", "utf8-as-cp1250");
	EXPECT_RULE("Ă\xef\xbf\xbd possibile, non Ă¨ vero",
	    "È possibile, non è vero", "utf8-as-cp1250");
	EXPECT_RULE("Ĺ\xef\xbf\xbdĂ­dicĂ­ spojenĂ­, zĂˇroveĹ\xef\xbf\xbd.",
	    "Řídicí spojení, zároveň.", "utf8-as-cp1250");
	EXPECT_RULE("DacÄ\xef\xbf\xbd aveČ›i certitudinea",
	    "Dacă aveți certitudinea", "utf8-as-cp1250");
	EXPECT_RULE("Ä\xef\xbf\xbdĂŁ Ä‘Ć°a ra", "Đã đưa ra",
	    "utf8-as-cp1250");
	EXPECT_RULE("khĂ´ng thá»\xef\xbf\xbd tá»• há»Łp", "không thể tổ hợp",
	    "utf8-as-cp1250");
	/* Cyrillic: cp1251 lost only 98 (И after Р); cp1250 lost с, у */
	EXPECT_RULE("Р\xef\xbf\xbdРјСЏ РєРѕРјРїРѕРЅРµРЅС‚Р°", "Имя компонента",
	    "utf8-as-cp1251");
	EXPECT_RULE("Đ˛Ń\xef\xbf\xbdĐµ "
	    "Ń‚Ń€ĐµĐ±Ń\xef\xbf\xbdĐµŃ‚Ń\xef\xbf\xbdŃŹ", "все требуется",
	    "utf8-as-cp1250");
	/* a lone "Ä�" may be cp1252's č as well as cp1250's ă: the byte
	   stays lost, as cp1252 reads it */
	EXPECT_RULE("necesarÄ\xef\xbf\xbd pentru", "necesar\xef\xbf\xbd pentru",
	    "utf8-as-cp1252");
	/* question marks of real text */
	EXPECT_SAME("¿Qué?¡Hola! Où?«Oui»? Ça?É?");
	EXPECT_SAME("IRMÃ? SÃO?");
	/* a hopeless garble is left, as a suspect */
	got = run_log("ã†â€™ãƒâ€ ã¢â‚¬â„¢ãƒæ’ã‚â¢ãƒâ¢ã¢â‚¬å¡", &l, &sus);
	CHECK_STR(got, "ã†â€™ãƒâ€ ã¢â‚¬â„¢ãƒæ’ã‚â¢ãƒâ¢ã¢â‚¬å¡");
	CHECK_INT(l.n, 0);
	CHECK(sus >= 1);
	free(got);
}

TM_TEST(c1_as_cp1252)
{
	EXPECT_RULE("\xc2\x84Handwerk bringt dich überall hin\xc2\x93: Von",
	    "„Handwerk bringt dich überall hin“: Von", "latin1-as-cp1252");
	EXPECT_RULE("ok â\xc2\x80\xc2\x9csenza modifiche\xc2\x94 all'Italicum",
	    "ok “senza modifiche” all'Italicum", "utf8-as-cp1252");
	/* alone inside a word: MacRoman read as Latin-1, but for an English
	   apostrophe */
	EXPECT_RULE("barco tur\xc2\x92stico en Acapulco",
	    "barco turístico en Acapulco", "macroman-as-latin1");
	EXPECT_RULE("Coatl\xc2\x87n conf\xc2\x92" "an", "Coatlán confían",
	    "macroman-as-latin1");
	EXPECT_RULE("I don\xc2\x92t know", "I don’t know", "latin1-as-cp1252");
	/* a lone C1 control on a clean line stays */
	EXPECT_SAME("beaucoup parlé\xc2\x85 Tu sais, ça fait");
	EXPECT_SAME("intentional \xc2\x81");
}

TM_TEST(weak_in_words)
{
	EXPECT_RULE("RÄ«ga", "Rīga", "utf8-as-cp1252");
	EXPECT_RULE("Archiv enthÃ¤lt Dateinamen", "Archiv enthält Dateinamen",
	    "utf8-as-cp1252");
	EXPECT_RULE("StopieÅ„ powiÄ™kszenia", "Stopień powiększenia",
	    "utf8-as-cp1252");
	EXPECT_RULE("ErreurÂ\xc2\xa0: seul", "Erreur\xc2\xa0: seul",
	    "utf8-as-cp1252");
	EXPECT_RULE("el Â«component-IDÂ» (id)", "el «component-ID» (id)",
	    "utf8-as-cp1252");
	EXPECT_RULE("hatikuâ™«~", "hatiku♫~", "utf8-as-cp1252");
	EXPECT_SAME("Bremer/Mccoy – DrÃ¥ber");
	EXPECT_SAME("Join ZZAJÉ’s Official Fan List");
	EXPECT_SAME("MÄ£ÄM ÌÑÌ Q £ÄGÌ GÄLÄW ÑÍCH SÖÄ£");
}

TM_TEST(word_edge)
{
	/* a sequence alone as a word, ending or starting one, from a
	   lead outside Latin-1: Italian è, à; a capital; Spanish ¡ */
	EXPECT_RULE("Non √® vero.", "Non è vero.", "utf8-as-macroman");
	EXPECT_RULE("├ê vero, non ├¿ falso.", "È vero, non è falso.",
	    "utf8-as-cp437");
	EXPECT_RULE("Non Ă¨ vero.", "Non è vero.", "utf8-as-cp1250");
	EXPECT_RULE("Una novitĂ\xc2\xa0 utile.", "Una novità utile.",
	    "utf8-as-cp1250");
	EXPECT_RULE("Ăśber alles", "Über alles", "utf8-as-cp1250");
	EXPECT_RULE("NOTA: ┬íya est├í!", "NOTA: ¡ya está!", "utf8-as-cp437");
	EXPECT_RULE("el ┬½nombre┬╗ (id)", "el «nombre» (id)",
	    "utf8-as-cp437");
	/* a no-break space glued to a word */
	EXPECT_RULE("plik z¬†katalogu", "plik z\xc2\xa0katalogu",
	    "utf8-as-macroman");
	EXPECT_RULE("Erreur¬†: non", "Erreur\xc2\xa0: non",
	    "utf8-as-macroman");
	/* Romanian ș ț from MacRoman's » and cp1250's Č */
	EXPECT_RULE("Un fi»ôier »ôi LOCA»öIE", "Un fișier și LOCAȚIE",
	    "utf8-as-macroman");
	EXPECT_RULE("Un fiČ™ier", "Un fișier", "utf8-as-cp1250");
	/* mathematics, box drawing and capitals stay */
	EXPECT_SAME("(-1/2)! = √π, ƒ(x) = √©, x ≈ ±2");
	EXPECT_SAME("├┤ ├┤a ├── ╚═╝");
	EXPECT_SAME("PĂŞUNE ÎNCĂ O DATĂ");
}

TM_TEST(other_charset_line)
{
	/* a line of cp1250 mojibake takes the weak sequences cp1252
	   shares with it, and the quote after a "?" */
	EXPECT_RULE("Táş­p tin nĂ\xc2\xa0" "y bá»‹ bá»Ź qua.",
	    "Tập tin này bị bỏ qua.", "utf8-as-cp1250");
	EXPECT_RULE("ZÂ\xc2\xa0" "doÄŤasnĂ©ho", "Z\xc2\xa0" "dočasného",
	    "utf8-as-cp1250");
	EXPECT_RULE("napsĂˇnĂ­m â€ž?â€ś (otaznĂ­ku)",
	    "napsáním „?“ (otazníku)", "utf8-as-cp1250");
	/* without it, the weak sequence stays */
	EXPECT_SAME("Join ZZAJÉ’s Official Fan List");
}

TM_TEST(clean_scripts)
{
	EXPECT_SAME("Съешь же ещё этих мягких французских булок, да выпей "
	    "чаю. Її ґанок.");
	EXPECT_SAME("Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Η ¨αναστροφή¨");
	EXPECT_SAME("עטלף אבק נס דרך מזגן שהתפוצץ כי חם. سلام عليكم");
	EXPECT_SAME("Tiếng Việt có dấu: Trăm năm trong cõi người ta.");
	EXPECT_SAME("Flygande bäckasiner söka hwila på mjuka tuvor. ÅÄÖ åäö");
	EXPECT_SAME("Þú ert ð, æ, ø; Œuvre, œil, ÿ, Ÿ; €5, £3, ¥7, ©®™°±");
	EXPECT_SAME("简体中文，繁體中文。日本語のテキスト、한국어 텍스트");
}
