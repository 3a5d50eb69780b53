/*
 * mojibake_latin.c - the mojibake filter's repairs of UTF-8 read as a
 * single-byte charset. See mojibake.c for the chain; tm_moji_latin_run
 * tries, for each run of non-ASCII text:
 *
 *   - whole_run: a run cp1252 cannot explain, decoded whole in cp1251,
 *     cp1250, ISO 8859-2, cp1257, MacRoman or cp437 (the first that
 *     gives plausible text), then any further layers: "╨┐╤Ç╨░" ->
 *     "пра" (utf8-as-cp437), "Р С—РЎР‚" -> "РїСЂ" -> "пр", "Г‚ВЈ" ->
 *     "Â£" -> "£", "×‘×”" -> "בה". A short run needs a word around it or
 *     the same mojibake on its line; from a lead real text would not put
 *     there ("Ă" "√" "├"), one sequence alone as a word ("√®" for è),
 *     ending or starting one ("opportunitĂ\xa0", "Ăśber"), or "¡ « »"
 *     and a no-break space beside one ("┬íya", "z¬†pliku") is enough.
 *     A byte cp1250 or cp1251 leave undefined, lost to U+FFFD, is
 *     guessed where one letter is far the likeliest ("dacÄ�" -> "dacă",
 *     "Р�мя" -> "Имя", "Ń‚Ń€ĐµĐ±Ń�" -> "требу"), else U+FFFD stays.
 *   - latin_run: cp1252 and Latin-1, sloppy (C1 controls kept), several
 *     times over through characters real text would not have
 *     ("Ã¢â‚¬Â\x9d" -> "â€\x9d" -> "”"), CESU-8 emoji ("í ½í¸"
 *     -> "😍"), bytes lost to "?", U+FFFD or a plain space ("â€?",
 *     "ItÃ?Â¢â?¬", "à¸ " for ภ: the lost character is U+FFFD, as in
 *     ftfy), and C1 controls that were cp1252 quotes ("\x93" -> "“",
 *     "latin1-as-cp1252"). A hopeless garble is left as a suspect.
 *   - cyr_run and sb_run: cp1251 punctuation, MacRoman and cp1250 letters
 *     inside words ("вЂ™", "wei√ü", "LiĂ¨ge").
 *
 * A line holding mojibake of a charset other than cp1252 counts as
 * strong for tm_moji_line_strong: the weak sequences it shares with
 * cp1252 ("bá»™" beside "táş­p") are repaired with it.
 *
 * Single-byte tables are static and small (128 entries a charset). Runs
 * without a character these charsets have (all of clean CJK text) leave
 * at the first test. Pure and reentrant; scratch space is in moji_state.
 */
#include <stdlib.h>
#include <string.h>

#include "textmend/report.h"
#include "textmend/utf8.h"
#include "mojibake.h"

#define MAX_PASSES	4	/* encodings undone in one run */

/*
 * Marks on the code points of the latin passes. A pass may decode a
 * sequence to a character real text would not have (a C1 control, IPA,
 * a combining mark) when a later pass takes it into a sequence again,
 * as text encoded twice needs ("Ã¢â‚¬Â\x9d" -> "â€\x9d" -> "”"):
 * ODD1 marks such a character from the first pass, which must not
 * survive; ODD2 one from a later pass, decoded from characters that
 * were themselves decoded (DEC), which may ("ÃŒÂ\x81" -> U+0301).
 */
#define DEC	0x80000000u
#define ODD1	0x40000000u
#define ODD2	0x20000000u
#define CP(x)	((x) & 0x1FFFFFu)

/* The upper half of cp1252 (code points of bytes 80..FF), bytes it leaves
   undefined as their C1 control: a C1 control left in text is mapped
   through it. */
static const uint16_t cp1252_hi[128] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
	0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7,
	0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
	0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
	0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF,
	0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
	0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
	0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7,
	0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
	0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7,
	0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
	0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
	0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF
};

/*
 * The charsets a whole run is tried in, from code point to byte, sorted
 * by code point for a binary search (cs_byte runs on every character of
 * a suspect run). Bytes a charset leaves undefined are their C1 control,
 * as sloppy decoders keep them. cp1252 is only asked whether it explains
 * the run: its repairs are latin_run's.
 */
struct cs_rev {
	uint16_t cp;
	uint8_t byte;
};

static const struct cs_rev cp1252_rev[128] = {
	{ 0x0081, 0x81 }, { 0x008D, 0x8D }, { 0x008F, 0x8F }, { 0x0090, 0x90 },
	{ 0x009D, 0x9D }, { 0x00A0, 0xA0 }, { 0x00A1, 0xA1 }, { 0x00A2, 0xA2 },
	{ 0x00A3, 0xA3 }, { 0x00A4, 0xA4 }, { 0x00A5, 0xA5 }, { 0x00A6, 0xA6 },
	{ 0x00A7, 0xA7 }, { 0x00A8, 0xA8 }, { 0x00A9, 0xA9 }, { 0x00AA, 0xAA },
	{ 0x00AB, 0xAB }, { 0x00AC, 0xAC }, { 0x00AD, 0xAD }, { 0x00AE, 0xAE },
	{ 0x00AF, 0xAF }, { 0x00B0, 0xB0 }, { 0x00B1, 0xB1 }, { 0x00B2, 0xB2 },
	{ 0x00B3, 0xB3 }, { 0x00B4, 0xB4 }, { 0x00B5, 0xB5 }, { 0x00B6, 0xB6 },
	{ 0x00B7, 0xB7 }, { 0x00B8, 0xB8 }, { 0x00B9, 0xB9 }, { 0x00BA, 0xBA },
	{ 0x00BB, 0xBB }, { 0x00BC, 0xBC }, { 0x00BD, 0xBD }, { 0x00BE, 0xBE },
	{ 0x00BF, 0xBF }, { 0x00C0, 0xC0 }, { 0x00C1, 0xC1 }, { 0x00C2, 0xC2 },
	{ 0x00C3, 0xC3 }, { 0x00C4, 0xC4 }, { 0x00C5, 0xC5 }, { 0x00C6, 0xC6 },
	{ 0x00C7, 0xC7 }, { 0x00C8, 0xC8 }, { 0x00C9, 0xC9 }, { 0x00CA, 0xCA },
	{ 0x00CB, 0xCB }, { 0x00CC, 0xCC }, { 0x00CD, 0xCD }, { 0x00CE, 0xCE },
	{ 0x00CF, 0xCF }, { 0x00D0, 0xD0 }, { 0x00D1, 0xD1 }, { 0x00D2, 0xD2 },
	{ 0x00D3, 0xD3 }, { 0x00D4, 0xD4 }, { 0x00D5, 0xD5 }, { 0x00D6, 0xD6 },
	{ 0x00D7, 0xD7 }, { 0x00D8, 0xD8 }, { 0x00D9, 0xD9 }, { 0x00DA, 0xDA },
	{ 0x00DB, 0xDB }, { 0x00DC, 0xDC }, { 0x00DD, 0xDD }, { 0x00DE, 0xDE },
	{ 0x00DF, 0xDF }, { 0x00E0, 0xE0 }, { 0x00E1, 0xE1 }, { 0x00E2, 0xE2 },
	{ 0x00E3, 0xE3 }, { 0x00E4, 0xE4 }, { 0x00E5, 0xE5 }, { 0x00E6, 0xE6 },
	{ 0x00E7, 0xE7 }, { 0x00E8, 0xE8 }, { 0x00E9, 0xE9 }, { 0x00EA, 0xEA },
	{ 0x00EB, 0xEB }, { 0x00EC, 0xEC }, { 0x00ED, 0xED }, { 0x00EE, 0xEE },
	{ 0x00EF, 0xEF }, { 0x00F0, 0xF0 }, { 0x00F1, 0xF1 }, { 0x00F2, 0xF2 },
	{ 0x00F3, 0xF3 }, { 0x00F4, 0xF4 }, { 0x00F5, 0xF5 }, { 0x00F6, 0xF6 },
	{ 0x00F7, 0xF7 }, { 0x00F8, 0xF8 }, { 0x00F9, 0xF9 }, { 0x00FA, 0xFA },
	{ 0x00FB, 0xFB }, { 0x00FC, 0xFC }, { 0x00FD, 0xFD }, { 0x00FE, 0xFE },
	{ 0x00FF, 0xFF }, { 0x0152, 0x8C }, { 0x0153, 0x9C }, { 0x0160, 0x8A },
	{ 0x0161, 0x9A }, { 0x0178, 0x9F }, { 0x017D, 0x8E }, { 0x017E, 0x9E },
	{ 0x0192, 0x83 }, { 0x02C6, 0x88 }, { 0x02DC, 0x98 }, { 0x2013, 0x96 },
	{ 0x2014, 0x97 }, { 0x2018, 0x91 }, { 0x2019, 0x92 }, { 0x201A, 0x82 },
	{ 0x201C, 0x93 }, { 0x201D, 0x94 }, { 0x201E, 0x84 }, { 0x2020, 0x86 },
	{ 0x2021, 0x87 }, { 0x2022, 0x95 }, { 0x2026, 0x85 }, { 0x2030, 0x89 },
	{ 0x2039, 0x8B }, { 0x203A, 0x9B }, { 0x20AC, 0x80 }, { 0x2122, 0x99 }
};

static const struct cs_rev cp1251_rev[128] = {
	{ 0x0098, 0x98 }, { 0x00A0, 0xA0 }, { 0x00A4, 0xA4 }, { 0x00A6, 0xA6 },
	{ 0x00A7, 0xA7 }, { 0x00A9, 0xA9 }, { 0x00AB, 0xAB }, { 0x00AC, 0xAC },
	{ 0x00AD, 0xAD }, { 0x00AE, 0xAE }, { 0x00B0, 0xB0 }, { 0x00B1, 0xB1 },
	{ 0x00B5, 0xB5 }, { 0x00B6, 0xB6 }, { 0x00B7, 0xB7 }, { 0x00BB, 0xBB },
	{ 0x0401, 0xA8 }, { 0x0402, 0x80 }, { 0x0403, 0x81 }, { 0x0404, 0xAA },
	{ 0x0405, 0xBD }, { 0x0406, 0xB2 }, { 0x0407, 0xAF }, { 0x0408, 0xA3 },
	{ 0x0409, 0x8A }, { 0x040A, 0x8C }, { 0x040B, 0x8E }, { 0x040C, 0x8D },
	{ 0x040E, 0xA1 }, { 0x040F, 0x8F }, { 0x0410, 0xC0 }, { 0x0411, 0xC1 },
	{ 0x0412, 0xC2 }, { 0x0413, 0xC3 }, { 0x0414, 0xC4 }, { 0x0415, 0xC5 },
	{ 0x0416, 0xC6 }, { 0x0417, 0xC7 }, { 0x0418, 0xC8 }, { 0x0419, 0xC9 },
	{ 0x041A, 0xCA }, { 0x041B, 0xCB }, { 0x041C, 0xCC }, { 0x041D, 0xCD },
	{ 0x041E, 0xCE }, { 0x041F, 0xCF }, { 0x0420, 0xD0 }, { 0x0421, 0xD1 },
	{ 0x0422, 0xD2 }, { 0x0423, 0xD3 }, { 0x0424, 0xD4 }, { 0x0425, 0xD5 },
	{ 0x0426, 0xD6 }, { 0x0427, 0xD7 }, { 0x0428, 0xD8 }, { 0x0429, 0xD9 },
	{ 0x042A, 0xDA }, { 0x042B, 0xDB }, { 0x042C, 0xDC }, { 0x042D, 0xDD },
	{ 0x042E, 0xDE }, { 0x042F, 0xDF }, { 0x0430, 0xE0 }, { 0x0431, 0xE1 },
	{ 0x0432, 0xE2 }, { 0x0433, 0xE3 }, { 0x0434, 0xE4 }, { 0x0435, 0xE5 },
	{ 0x0436, 0xE6 }, { 0x0437, 0xE7 }, { 0x0438, 0xE8 }, { 0x0439, 0xE9 },
	{ 0x043A, 0xEA }, { 0x043B, 0xEB }, { 0x043C, 0xEC }, { 0x043D, 0xED },
	{ 0x043E, 0xEE }, { 0x043F, 0xEF }, { 0x0440, 0xF0 }, { 0x0441, 0xF1 },
	{ 0x0442, 0xF2 }, { 0x0443, 0xF3 }, { 0x0444, 0xF4 }, { 0x0445, 0xF5 },
	{ 0x0446, 0xF6 }, { 0x0447, 0xF7 }, { 0x0448, 0xF8 }, { 0x0449, 0xF9 },
	{ 0x044A, 0xFA }, { 0x044B, 0xFB }, { 0x044C, 0xFC }, { 0x044D, 0xFD },
	{ 0x044E, 0xFE }, { 0x044F, 0xFF }, { 0x0451, 0xB8 }, { 0x0452, 0x90 },
	{ 0x0453, 0x83 }, { 0x0454, 0xBA }, { 0x0455, 0xBE }, { 0x0456, 0xB3 },
	{ 0x0457, 0xBF }, { 0x0458, 0xBC }, { 0x0459, 0x9A }, { 0x045A, 0x9C },
	{ 0x045B, 0x9E }, { 0x045C, 0x9D }, { 0x045E, 0xA2 }, { 0x045F, 0x9F },
	{ 0x0490, 0xA5 }, { 0x0491, 0xB4 }, { 0x2013, 0x96 }, { 0x2014, 0x97 },
	{ 0x2018, 0x91 }, { 0x2019, 0x92 }, { 0x201A, 0x82 }, { 0x201C, 0x93 },
	{ 0x201D, 0x94 }, { 0x201E, 0x84 }, { 0x2020, 0x86 }, { 0x2021, 0x87 },
	{ 0x2022, 0x95 }, { 0x2026, 0x85 }, { 0x2030, 0x89 }, { 0x2039, 0x8B },
	{ 0x203A, 0x9B }, { 0x20AC, 0x88 }, { 0x2116, 0xB9 }, { 0x2122, 0x99 }
};

static const struct cs_rev cp1250_rev[128] = {
	{ 0x0081, 0x81 }, { 0x0083, 0x83 }, { 0x0088, 0x88 }, { 0x0090, 0x90 },
	{ 0x0098, 0x98 }, { 0x00A0, 0xA0 }, { 0x00A4, 0xA4 }, { 0x00A6, 0xA6 },
	{ 0x00A7, 0xA7 }, { 0x00A8, 0xA8 }, { 0x00A9, 0xA9 }, { 0x00AB, 0xAB },
	{ 0x00AC, 0xAC }, { 0x00AD, 0xAD }, { 0x00AE, 0xAE }, { 0x00B0, 0xB0 },
	{ 0x00B1, 0xB1 }, { 0x00B4, 0xB4 }, { 0x00B5, 0xB5 }, { 0x00B6, 0xB6 },
	{ 0x00B7, 0xB7 }, { 0x00B8, 0xB8 }, { 0x00BB, 0xBB }, { 0x00C1, 0xC1 },
	{ 0x00C2, 0xC2 }, { 0x00C4, 0xC4 }, { 0x00C7, 0xC7 }, { 0x00C9, 0xC9 },
	{ 0x00CB, 0xCB }, { 0x00CD, 0xCD }, { 0x00CE, 0xCE }, { 0x00D3, 0xD3 },
	{ 0x00D4, 0xD4 }, { 0x00D6, 0xD6 }, { 0x00D7, 0xD7 }, { 0x00DA, 0xDA },
	{ 0x00DC, 0xDC }, { 0x00DD, 0xDD }, { 0x00DF, 0xDF }, { 0x00E1, 0xE1 },
	{ 0x00E2, 0xE2 }, { 0x00E4, 0xE4 }, { 0x00E7, 0xE7 }, { 0x00E9, 0xE9 },
	{ 0x00EB, 0xEB }, { 0x00ED, 0xED }, { 0x00EE, 0xEE }, { 0x00F3, 0xF3 },
	{ 0x00F4, 0xF4 }, { 0x00F6, 0xF6 }, { 0x00F7, 0xF7 }, { 0x00FA, 0xFA },
	{ 0x00FC, 0xFC }, { 0x00FD, 0xFD }, { 0x0102, 0xC3 }, { 0x0103, 0xE3 },
	{ 0x0104, 0xA5 }, { 0x0105, 0xB9 }, { 0x0106, 0xC6 }, { 0x0107, 0xE6 },
	{ 0x010C, 0xC8 }, { 0x010D, 0xE8 }, { 0x010E, 0xCF }, { 0x010F, 0xEF },
	{ 0x0110, 0xD0 }, { 0x0111, 0xF0 }, { 0x0118, 0xCA }, { 0x0119, 0xEA },
	{ 0x011A, 0xCC }, { 0x011B, 0xEC }, { 0x0139, 0xC5 }, { 0x013A, 0xE5 },
	{ 0x013D, 0xBC }, { 0x013E, 0xBE }, { 0x0141, 0xA3 }, { 0x0142, 0xB3 },
	{ 0x0143, 0xD1 }, { 0x0144, 0xF1 }, { 0x0147, 0xD2 }, { 0x0148, 0xF2 },
	{ 0x0150, 0xD5 }, { 0x0151, 0xF5 }, { 0x0154, 0xC0 }, { 0x0155, 0xE0 },
	{ 0x0158, 0xD8 }, { 0x0159, 0xF8 }, { 0x015A, 0x8C }, { 0x015B, 0x9C },
	{ 0x015E, 0xAA }, { 0x015F, 0xBA }, { 0x0160, 0x8A }, { 0x0161, 0x9A },
	{ 0x0162, 0xDE }, { 0x0163, 0xFE }, { 0x0164, 0x8D }, { 0x0165, 0x9D },
	{ 0x016E, 0xD9 }, { 0x016F, 0xF9 }, { 0x0170, 0xDB }, { 0x0171, 0xFB },
	{ 0x0179, 0x8F }, { 0x017A, 0x9F }, { 0x017B, 0xAF }, { 0x017C, 0xBF },
	{ 0x017D, 0x8E }, { 0x017E, 0x9E }, { 0x02C7, 0xA1 }, { 0x02D8, 0xA2 },
	{ 0x02D9, 0xFF }, { 0x02DB, 0xB2 }, { 0x02DD, 0xBD }, { 0x2013, 0x96 },
	{ 0x2014, 0x97 }, { 0x2018, 0x91 }, { 0x2019, 0x92 }, { 0x201A, 0x82 },
	{ 0x201C, 0x93 }, { 0x201D, 0x94 }, { 0x201E, 0x84 }, { 0x2020, 0x86 },
	{ 0x2021, 0x87 }, { 0x2022, 0x95 }, { 0x2026, 0x85 }, { 0x2030, 0x89 },
	{ 0x2039, 0x8B }, { 0x203A, 0x9B }, { 0x20AC, 0x80 }, { 0x2122, 0x99 }
};

static const struct cs_rev latin2_rev[128] = {
	{ 0x0080, 0x80 }, { 0x0081, 0x81 }, { 0x0082, 0x82 }, { 0x0083, 0x83 },
	{ 0x0084, 0x84 }, { 0x0085, 0x85 }, { 0x0086, 0x86 }, { 0x0087, 0x87 },
	{ 0x0088, 0x88 }, { 0x0089, 0x89 }, { 0x008A, 0x8A }, { 0x008B, 0x8B },
	{ 0x008C, 0x8C }, { 0x008D, 0x8D }, { 0x008E, 0x8E }, { 0x008F, 0x8F },
	{ 0x0090, 0x90 }, { 0x0091, 0x91 }, { 0x0092, 0x92 }, { 0x0093, 0x93 },
	{ 0x0094, 0x94 }, { 0x0095, 0x95 }, { 0x0096, 0x96 }, { 0x0097, 0x97 },
	{ 0x0098, 0x98 }, { 0x0099, 0x99 }, { 0x009A, 0x9A }, { 0x009B, 0x9B },
	{ 0x009C, 0x9C }, { 0x009D, 0x9D }, { 0x009E, 0x9E }, { 0x009F, 0x9F },
	{ 0x00A0, 0xA0 }, { 0x00A4, 0xA4 }, { 0x00A7, 0xA7 }, { 0x00A8, 0xA8 },
	{ 0x00AD, 0xAD }, { 0x00B0, 0xB0 }, { 0x00B4, 0xB4 }, { 0x00B8, 0xB8 },
	{ 0x00C1, 0xC1 }, { 0x00C2, 0xC2 }, { 0x00C4, 0xC4 }, { 0x00C7, 0xC7 },
	{ 0x00C9, 0xC9 }, { 0x00CB, 0xCB }, { 0x00CD, 0xCD }, { 0x00CE, 0xCE },
	{ 0x00D3, 0xD3 }, { 0x00D4, 0xD4 }, { 0x00D6, 0xD6 }, { 0x00D7, 0xD7 },
	{ 0x00DA, 0xDA }, { 0x00DC, 0xDC }, { 0x00DD, 0xDD }, { 0x00DF, 0xDF },
	{ 0x00E1, 0xE1 }, { 0x00E2, 0xE2 }, { 0x00E4, 0xE4 }, { 0x00E7, 0xE7 },
	{ 0x00E9, 0xE9 }, { 0x00EB, 0xEB }, { 0x00ED, 0xED }, { 0x00EE, 0xEE },
	{ 0x00F3, 0xF3 }, { 0x00F4, 0xF4 }, { 0x00F6, 0xF6 }, { 0x00F7, 0xF7 },
	{ 0x00FA, 0xFA }, { 0x00FC, 0xFC }, { 0x00FD, 0xFD }, { 0x0102, 0xC3 },
	{ 0x0103, 0xE3 }, { 0x0104, 0xA1 }, { 0x0105, 0xB1 }, { 0x0106, 0xC6 },
	{ 0x0107, 0xE6 }, { 0x010C, 0xC8 }, { 0x010D, 0xE8 }, { 0x010E, 0xCF },
	{ 0x010F, 0xEF }, { 0x0110, 0xD0 }, { 0x0111, 0xF0 }, { 0x0118, 0xCA },
	{ 0x0119, 0xEA }, { 0x011A, 0xCC }, { 0x011B, 0xEC }, { 0x0139, 0xC5 },
	{ 0x013A, 0xE5 }, { 0x013D, 0xA5 }, { 0x013E, 0xB5 }, { 0x0141, 0xA3 },
	{ 0x0142, 0xB3 }, { 0x0143, 0xD1 }, { 0x0144, 0xF1 }, { 0x0147, 0xD2 },
	{ 0x0148, 0xF2 }, { 0x0150, 0xD5 }, { 0x0151, 0xF5 }, { 0x0154, 0xC0 },
	{ 0x0155, 0xE0 }, { 0x0158, 0xD8 }, { 0x0159, 0xF8 }, { 0x015A, 0xA6 },
	{ 0x015B, 0xB6 }, { 0x015E, 0xAA }, { 0x015F, 0xBA }, { 0x0160, 0xA9 },
	{ 0x0161, 0xB9 }, { 0x0162, 0xDE }, { 0x0163, 0xFE }, { 0x0164, 0xAB },
	{ 0x0165, 0xBB }, { 0x016E, 0xD9 }, { 0x016F, 0xF9 }, { 0x0170, 0xDB },
	{ 0x0171, 0xFB }, { 0x0179, 0xAC }, { 0x017A, 0xBC }, { 0x017B, 0xAF },
	{ 0x017C, 0xBF }, { 0x017D, 0xAE }, { 0x017E, 0xBE }, { 0x02C7, 0xB7 },
	{ 0x02D8, 0xA2 }, { 0x02D9, 0xFF }, { 0x02DB, 0xB2 }, { 0x02DD, 0xBD }
};

static const struct cs_rev cp1257_rev[128] = {
	{ 0x0081, 0x81 }, { 0x0083, 0x83 }, { 0x0088, 0x88 }, { 0x008A, 0x8A },
	{ 0x008C, 0x8C }, { 0x0090, 0x90 }, { 0x0098, 0x98 }, { 0x009A, 0x9A },
	{ 0x009C, 0x9C }, { 0x009F, 0x9F }, { 0x00A0, 0xA0 }, { 0x00A1, 0xA1 },
	{ 0x00A2, 0xA2 }, { 0x00A3, 0xA3 }, { 0x00A4, 0xA4 }, { 0x00A5, 0xA5 },
	{ 0x00A6, 0xA6 }, { 0x00A7, 0xA7 }, { 0x00A8, 0x8D }, { 0x00A9, 0xA9 },
	{ 0x00AB, 0xAB }, { 0x00AC, 0xAC }, { 0x00AD, 0xAD }, { 0x00AE, 0xAE },
	{ 0x00AF, 0x9D }, { 0x00B0, 0xB0 }, { 0x00B1, 0xB1 }, { 0x00B2, 0xB2 },
	{ 0x00B3, 0xB3 }, { 0x00B4, 0xB4 }, { 0x00B5, 0xB5 }, { 0x00B6, 0xB6 },
	{ 0x00B7, 0xB7 }, { 0x00B8, 0x8F }, { 0x00B9, 0xB9 }, { 0x00BB, 0xBB },
	{ 0x00BC, 0xBC }, { 0x00BD, 0xBD }, { 0x00BE, 0xBE }, { 0x00C4, 0xC4 },
	{ 0x00C5, 0xC5 }, { 0x00C6, 0xAF }, { 0x00C9, 0xC9 }, { 0x00D3, 0xD3 },
	{ 0x00D5, 0xD5 }, { 0x00D6, 0xD6 }, { 0x00D7, 0xD7 }, { 0x00D8, 0xA8 },
	{ 0x00DC, 0xDC }, { 0x00DF, 0xDF }, { 0x00E4, 0xE4 }, { 0x00E5, 0xE5 },
	{ 0x00E6, 0xBF }, { 0x00E9, 0xE9 }, { 0x00F3, 0xF3 }, { 0x00F5, 0xF5 },
	{ 0x00F6, 0xF6 }, { 0x00F7, 0xF7 }, { 0x00F8, 0xB8 }, { 0x00FC, 0xFC },
	{ 0x0100, 0xC2 }, { 0x0101, 0xE2 }, { 0x0104, 0xC0 }, { 0x0105, 0xE0 },
	{ 0x0106, 0xC3 }, { 0x0107, 0xE3 }, { 0x010C, 0xC8 }, { 0x010D, 0xE8 },
	{ 0x0112, 0xC7 }, { 0x0113, 0xE7 }, { 0x0116, 0xCB }, { 0x0117, 0xEB },
	{ 0x0118, 0xC6 }, { 0x0119, 0xE6 }, { 0x0122, 0xCC }, { 0x0123, 0xEC },
	{ 0x012A, 0xCE }, { 0x012B, 0xEE }, { 0x012E, 0xC1 }, { 0x012F, 0xE1 },
	{ 0x0136, 0xCD }, { 0x0137, 0xED }, { 0x013B, 0xCF }, { 0x013C, 0xEF },
	{ 0x0141, 0xD9 }, { 0x0142, 0xF9 }, { 0x0143, 0xD1 }, { 0x0144, 0xF1 },
	{ 0x0145, 0xD2 }, { 0x0146, 0xF2 }, { 0x014C, 0xD4 }, { 0x014D, 0xF4 },
	{ 0x0156, 0xAA }, { 0x0157, 0xBA }, { 0x015A, 0xDA }, { 0x015B, 0xFA },
	{ 0x0160, 0xD0 }, { 0x0161, 0xF0 }, { 0x016A, 0xDB }, { 0x016B, 0xFB },
	{ 0x0172, 0xD8 }, { 0x0173, 0xF8 }, { 0x0179, 0xCA }, { 0x017A, 0xEA },
	{ 0x017B, 0xDD }, { 0x017C, 0xFD }, { 0x017D, 0xDE }, { 0x017E, 0xFE },
	{ 0x02C7, 0x8E }, { 0x02D9, 0xFF }, { 0x02DB, 0x9E }, { 0x2013, 0x96 },
	{ 0x2014, 0x97 }, { 0x2018, 0x91 }, { 0x2019, 0x92 }, { 0x201A, 0x82 },
	{ 0x201C, 0x93 }, { 0x201D, 0x94 }, { 0x201E, 0x84 }, { 0x2020, 0x86 },
	{ 0x2021, 0x87 }, { 0x2022, 0x95 }, { 0x2026, 0x85 }, { 0x2030, 0x89 },
	{ 0x2039, 0x8B }, { 0x203A, 0x9B }, { 0x20AC, 0x80 }, { 0x2122, 0x99 }
};

static const struct cs_rev macroman_rev[128] = {
	{ 0x00A0, 0xCA }, { 0x00A1, 0xC1 }, { 0x00A2, 0xA2 }, { 0x00A3, 0xA3 },
	{ 0x00A5, 0xB4 }, { 0x00A7, 0xA4 }, { 0x00A8, 0xAC }, { 0x00A9, 0xA9 },
	{ 0x00AA, 0xBB }, { 0x00AB, 0xC7 }, { 0x00AC, 0xC2 }, { 0x00AE, 0xA8 },
	{ 0x00AF, 0xF8 }, { 0x00B0, 0xA1 }, { 0x00B1, 0xB1 }, { 0x00B4, 0xAB },
	{ 0x00B5, 0xB5 }, { 0x00B6, 0xA6 }, { 0x00B7, 0xE1 }, { 0x00B8, 0xFC },
	{ 0x00BA, 0xBC }, { 0x00BB, 0xC8 }, { 0x00BF, 0xC0 }, { 0x00C0, 0xCB },
	{ 0x00C1, 0xE7 }, { 0x00C2, 0xE5 }, { 0x00C3, 0xCC }, { 0x00C4, 0x80 },
	{ 0x00C5, 0x81 }, { 0x00C6, 0xAE }, { 0x00C7, 0x82 }, { 0x00C8, 0xE9 },
	{ 0x00C9, 0x83 }, { 0x00CA, 0xE6 }, { 0x00CB, 0xE8 }, { 0x00CC, 0xED },
	{ 0x00CD, 0xEA }, { 0x00CE, 0xEB }, { 0x00CF, 0xEC }, { 0x00D1, 0x84 },
	{ 0x00D2, 0xF1 }, { 0x00D3, 0xEE }, { 0x00D4, 0xEF }, { 0x00D5, 0xCD },
	{ 0x00D6, 0x85 }, { 0x00D8, 0xAF }, { 0x00D9, 0xF4 }, { 0x00DA, 0xF2 },
	{ 0x00DB, 0xF3 }, { 0x00DC, 0x86 }, { 0x00DF, 0xA7 }, { 0x00E0, 0x88 },
	{ 0x00E1, 0x87 }, { 0x00E2, 0x89 }, { 0x00E3, 0x8B }, { 0x00E4, 0x8A },
	{ 0x00E5, 0x8C }, { 0x00E6, 0xBE }, { 0x00E7, 0x8D }, { 0x00E8, 0x8F },
	{ 0x00E9, 0x8E }, { 0x00EA, 0x90 }, { 0x00EB, 0x91 }, { 0x00EC, 0x93 },
	{ 0x00ED, 0x92 }, { 0x00EE, 0x94 }, { 0x00EF, 0x95 }, { 0x00F1, 0x96 },
	{ 0x00F2, 0x98 }, { 0x00F3, 0x97 }, { 0x00F4, 0x99 }, { 0x00F5, 0x9B },
	{ 0x00F6, 0x9A }, { 0x00F7, 0xD6 }, { 0x00F8, 0xBF }, { 0x00F9, 0x9D },
	{ 0x00FA, 0x9C }, { 0x00FB, 0x9E }, { 0x00FC, 0x9F }, { 0x00FF, 0xD8 },
	{ 0x0131, 0xF5 }, { 0x0152, 0xCE }, { 0x0153, 0xCF }, { 0x0178, 0xD9 },
	{ 0x0192, 0xC4 }, { 0x02C6, 0xF6 }, { 0x02C7, 0xFF }, { 0x02D8, 0xF9 },
	{ 0x02D9, 0xFA }, { 0x02DA, 0xFB }, { 0x02DB, 0xFE }, { 0x02DC, 0xF7 },
	{ 0x02DD, 0xFD }, { 0x03A9, 0xBD }, { 0x03C0, 0xB9 }, { 0x2013, 0xD0 },
	{ 0x2014, 0xD1 }, { 0x2018, 0xD4 }, { 0x2019, 0xD5 }, { 0x201A, 0xE2 },
	{ 0x201C, 0xD2 }, { 0x201D, 0xD3 }, { 0x201E, 0xE3 }, { 0x2020, 0xA0 },
	{ 0x2021, 0xE0 }, { 0x2022, 0xA5 }, { 0x2026, 0xC9 }, { 0x2030, 0xE4 },
	{ 0x2039, 0xDC }, { 0x203A, 0xDD }, { 0x2044, 0xDA }, { 0x20AC, 0xDB },
	{ 0x2122, 0xAA }, { 0x2202, 0xB6 }, { 0x2206, 0xC6 }, { 0x220F, 0xB8 },
	{ 0x2211, 0xB7 }, { 0x221A, 0xC3 }, { 0x221E, 0xB0 }, { 0x222B, 0xBA },
	{ 0x2248, 0xC5 }, { 0x2260, 0xAD }, { 0x2264, 0xB2 }, { 0x2265, 0xB3 },
	{ 0x25CA, 0xD7 }, { 0xF8FF, 0xF0 }, { 0xFB01, 0xDE }, { 0xFB02, 0xDF }
};

static const struct cs_rev cp437_rev[128] = {
	{ 0x00A0, 0xFF }, { 0x00A1, 0xAD }, { 0x00A2, 0x9B }, { 0x00A3, 0x9C },
	{ 0x00A5, 0x9D }, { 0x00AA, 0xA6 }, { 0x00AB, 0xAE }, { 0x00AC, 0xAA },
	{ 0x00B0, 0xF8 }, { 0x00B1, 0xF1 }, { 0x00B2, 0xFD }, { 0x00B5, 0xE6 },
	{ 0x00B7, 0xFA }, { 0x00BA, 0xA7 }, { 0x00BB, 0xAF }, { 0x00BC, 0xAC },
	{ 0x00BD, 0xAB }, { 0x00BF, 0xA8 }, { 0x00C4, 0x8E }, { 0x00C5, 0x8F },
	{ 0x00C6, 0x92 }, { 0x00C7, 0x80 }, { 0x00C9, 0x90 }, { 0x00D1, 0xA5 },
	{ 0x00D6, 0x99 }, { 0x00DC, 0x9A }, { 0x00DF, 0xE1 }, { 0x00E0, 0x85 },
	{ 0x00E1, 0xA0 }, { 0x00E2, 0x83 }, { 0x00E4, 0x84 }, { 0x00E5, 0x86 },
	{ 0x00E6, 0x91 }, { 0x00E7, 0x87 }, { 0x00E8, 0x8A }, { 0x00E9, 0x82 },
	{ 0x00EA, 0x88 }, { 0x00EB, 0x89 }, { 0x00EC, 0x8D }, { 0x00ED, 0xA1 },
	{ 0x00EE, 0x8C }, { 0x00EF, 0x8B }, { 0x00F1, 0xA4 }, { 0x00F2, 0x95 },
	{ 0x00F3, 0xA2 }, { 0x00F4, 0x93 }, { 0x00F6, 0x94 }, { 0x00F7, 0xF6 },
	{ 0x00F9, 0x97 }, { 0x00FA, 0xA3 }, { 0x00FB, 0x96 }, { 0x00FC, 0x81 },
	{ 0x00FF, 0x98 }, { 0x0192, 0x9F }, { 0x0393, 0xE2 }, { 0x0398, 0xE9 },
	{ 0x03A3, 0xE4 }, { 0x03A6, 0xE8 }, { 0x03A9, 0xEA }, { 0x03B1, 0xE0 },
	{ 0x03B4, 0xEB }, { 0x03B5, 0xEE }, { 0x03C0, 0xE3 }, { 0x03C3, 0xE5 },
	{ 0x03C4, 0xE7 }, { 0x03C6, 0xED }, { 0x207F, 0xFC }, { 0x20A7, 0x9E },
	{ 0x2219, 0xF9 }, { 0x221A, 0xFB }, { 0x221E, 0xEC }, { 0x2229, 0xEF },
	{ 0x2248, 0xF7 }, { 0x2261, 0xF0 }, { 0x2264, 0xF3 }, { 0x2265, 0xF2 },
	{ 0x2310, 0xA9 }, { 0x2320, 0xF4 }, { 0x2321, 0xF5 }, { 0x2500, 0xC4 },
	{ 0x2502, 0xB3 }, { 0x250C, 0xDA }, { 0x2510, 0xBF }, { 0x2514, 0xC0 },
	{ 0x2518, 0xD9 }, { 0x251C, 0xC3 }, { 0x2524, 0xB4 }, { 0x252C, 0xC2 },
	{ 0x2534, 0xC1 }, { 0x253C, 0xC5 }, { 0x2550, 0xCD }, { 0x2551, 0xBA },
	{ 0x2552, 0xD5 }, { 0x2553, 0xD6 }, { 0x2554, 0xC9 }, { 0x2555, 0xB8 },
	{ 0x2556, 0xB7 }, { 0x2557, 0xBB }, { 0x2558, 0xD4 }, { 0x2559, 0xD3 },
	{ 0x255A, 0xC8 }, { 0x255B, 0xBE }, { 0x255C, 0xBD }, { 0x255D, 0xBC },
	{ 0x255E, 0xC6 }, { 0x255F, 0xC7 }, { 0x2560, 0xCC }, { 0x2561, 0xB5 },
	{ 0x2562, 0xB6 }, { 0x2563, 0xB9 }, { 0x2564, 0xD1 }, { 0x2565, 0xD2 },
	{ 0x2566, 0xCB }, { 0x2567, 0xCF }, { 0x2568, 0xD0 }, { 0x2569, 0xCA },
	{ 0x256A, 0xD8 }, { 0x256B, 0xD7 }, { 0x256C, 0xCE }, { 0x2580, 0xDF },
	{ 0x2584, 0xDC }, { 0x2588, 0xDB }, { 0x258C, 0xDD }, { 0x2590, 0xDE },
	{ 0x2591, 0xB0 }, { 0x2592, 0xB1 }, { 0x2593, 0xB2 }, { 0x25A0, 0xFE }
};

enum { CS_CP1252, CS_CP1251, CS_CP1250, CS_LATIN2, CS_CP1257, CS_MACROMAN,
    CS_CP437, CS_COUNT };

static const struct {
	const struct cs_rev *rev;
	const char *rule;
} charsets[CS_COUNT] = {
	{ cp1252_rev, "utf8-as-cp1252" },
	{ cp1251_rev, "utf8-as-cp1251" },
	{ cp1250_rev, "utf8-as-cp1250" },
	{ latin2_rev, "utf8-as-latin2" },
	{ cp1257_rev, "utf8-as-cp1257" },
	{ macroman_rev, "utf8-as-macroman" },
	{ cp437_rev, "utf8-as-cp437" },
};

/* The byte of charset cs for cp, or -1. */
static int
cs_byte(int cs, uint32_t cp)
{
	const struct cs_rev *rev = charsets[cs].rev;
	int lo = 0, hi = 127, mid;

	if (cp < 0x80 || (cs == CS_CP1252 && cp <= 0xFF))
		return (int)cp;	/* sloppy cp1252 keeps C1 controls */
	if (cp < rev[0].cp || cp > rev[127].cp)
		return -1;
	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (rev[mid].cp == cp)
			return rev[mid].byte;
		if (rev[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* ---- UTF-8 read as cp1252 ---- */

/* The cp1252 byte of a character, sloppy (C1 controls are their own
   byte, as Latin-1 has them), or -1. */
static int
sloppy_byte(uint32_t cp)
{
	return cp < 0x80 ? -1 : cs_byte(CS_CP1252, cp);
}

/*
 * Is cp, decoded from a 2-byte sequence, a character real text has?
 * Letters of the scripts whose UTF-8 is two bytes, and the Latin-1
 * symbols; not IPA, modifier letters, combining marks or C1 controls,
 * which is what accented capitals before punctuation ("CAFÉ»") would
 * decode to.
 */
static int
plausible2(uint32_t cp)
{
	if (cp >= 0xA0 && cp <= 0x17F)
		return 1;
	if (cp == 0x1A0 || cp == 0x1A1 || cp == 0x1AF || cp == 0x1B0 ||
	    (cp >= 0x1CD && cp <= 0x1DC) || (cp >= 0x218 && cp <= 0x21B))
		return 1;	/* Vietnamese, pinyin, Romanian */
	if ((cp >= 0x384 && cp <= 0x3CE) || (cp >= 0x400 && cp <= 0x45F) ||
	    cp == 0x490 || cp == 0x491)
		return 1;	/* Greek, Cyrillic */
	if ((cp >= 0x5D0 && cp <= 0x5EA) || cp == 0x60C || cp == 0x61B ||
	    cp == 0x61F || (cp >= 0x621 && cp <= 0x652) ||
	    (cp >= 0x660 && cp <= 0x669) || cp == 0x67E || cp == 0x686 ||
	    cp == 0x6A9 || cp == 0x6AF || cp == 0x6CC)
		return 1;	/* Hebrew, Arabic, Persian */
	return 0;
}

static int
plausible3(uint32_t cp)
{
	if (cp >= 0xE000 && cp <= 0xF8FF)	/* private use */
		return 0;
	if ((cp >= 0xFFF0 && cp != 0xFFFD) || (cp >= 0xFDD0 && cp <= 0xFDEF))
		return 0;
	if (cp >= 0x1D00 && cp <= 0x1DBF)	/* phonetic extensions */
		return 0;
	return 1;
}

static int
plausible4(uint32_t cp)
{
	return cp < 0xF0000 && (cp & 0xFFFE) != 0xFFFE;
}

/*
 * Continuation characters that are also everyday punctuation or
 * currency: an accented capital before one of them ("Ã’s", "AHÅ™",
 * "5×£35") is as likely to be real text as mojibake.
 */
static int
punct_cont(uint32_t cp)
{
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0x201A:
	case 0x201E: case 0x2039: case 0x203A: case 0x2013: case 0x2014:
	case 0x2026: case 0x2122: case 0x2022: case 0x00AB: case 0x00BB:
	case 0x00A0: case 0x00A2: case 0x00A3: case 0x00A4:
	case 0x00A5: case 0x00B7:
		return 1;
	}
	return 0;
}

enum { NONE, WEAK, STRONG };

/*
 * How sure is the UTF-8 sequence c[0..len) (with cp decoded) to be
 * mojibake? STRONG: the usual leads of Latin and Cyrillic mojibake (Ã Â
 * Ð Ñ) before a symbol, any three- or four-byte sequence with a symbol
 * in it, any C1 control. WEAK: the rest, which is repaired only beside
 * other mojibake.
 */
static int
strength(const uint32_t *c, size_t len, uint32_t cp)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (c[i] >= 0x80 && c[i] <= 0x9F)
			return STRONG;
	if (cp == 0xFFFD)
		return STRONG;
	if (len == 2) {
		if (c[0] == 0xC3 && c[1] == 0xA0)
			return STRONG;	/* à with its no-break space */
		if (c[0] == 0xC3)	/* "Ã’s" is a word, "Ã‘OS" is not */
			return c[1] == 0x2019 || c[1] == 0x201D ||
			    c[1] == 0x2026 ||
			    c[1] == 0x2122 || (c[1] >= 0xA2 && c[1] <= 0xA5) ?
			    WEAK : STRONG;
		return punct_cont(c[1]) ? WEAK : STRONG;
	}
	if (len == 3 && punct_cont(c[1]) && punct_cont(c[2]) &&
	    !(cp >= 0x2190 && cp <= 0x2BFF))
		return WEAK;	/* "Brontë…”", not "â™«" for ♫ */
	return STRONG;
}

/*
 * A high surrogate's three bytes b[0..3) at c[0..n), which CESU-8 (and
 * Java's "modified UTF-8") write for a character beyond U+FFFF: with the
 * low surrogate's three bytes after it, the six characters are one emoji
 * ("í ½í¸" for U+1F60D). Returns 6 or 0.
 */
static size_t
cesu_at(const uint32_t *c, size_t n, const int *b, uint32_t *cp, int *str)
{
	int x[3];
	size_t i;

	if (n < 6)
		return 0;
	for (i = 0; i < 3; i++)
		x[i] = sloppy_byte(CP(c[3 + i]));
	if (x[0] != 0xED || x[1] < 0xB0 || x[1] > 0xBF || x[2] < 0x80 ||
	    x[2] > 0xBF)
		return 0;
	*cp = 0x10000 + (((uint32_t)b[1] & 0x0F) << 16 |
	    ((uint32_t)b[2] & 0x3F) << 10 | ((uint32_t)x[1] & 0x0F) << 6 |
	    ((uint32_t)x[2] & 0x3F));
	*str = STRONG;
	return plausible4(*cp) ? 6 : 0;
}

/*
 * Decode the UTF-8 sequence whose bytes are those of c[0..n) (as many
 * characters as the sequence needs). Returns its length in characters
 * (2..4) and sets the code point and strength, or returns 0. A sequence
 * whose last byte was lost to U+FFFD downstream ("â€�" for ”) decodes
 * to U+FFFD.
 */
static size_t
sequence_at(const uint32_t *cm, size_t n, uint32_t *cp, int *str, int mode)
{
	int b[4], lead, lostq = 0, spaced = 0;
	size_t need, i;
	unsigned lo = 0x80, hi = 0xBF;
	uint32_t v, c[6];

	/* Most characters lead no sequence: ask before copying. */
	if (n == 0 || (lead = sloppy_byte(CP(cm[0]))) < 0xC2 || lead > 0xF4)
		return 0;
	for (i = 0; i < n && i < 6; i++)
		c[i] = CP(cm[i]);
	need = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
	if (n < need)
		return 0;
	if (lead == 0xE0)
		lo = 0xA0;
	else if (lead == 0xED)
		hi = 0x9F;
	else if (lead == 0xF0)
		lo = 0x90;
	else if (lead == 0xF4)
		hi = 0x8F;
	b[0] = lead;
	for (i = 1; i < need; i++) {
		b[i] = sloppy_byte(c[i]);
		if (c[i] == ' ' && i == 1 && need == 3 && (lead == 0xE2 ||
		    lead == 0xE3)) {
			b[i] = 0xA0;	/* see latin_run: "â €" */
			spaced = 1;
		} else if (c[i] == '?' && lostq == 0 && (need > 2 ||
		    lead <= 0xC3)) {
			/* "?" for a byte a lossy decoder lost: "Ã?",
			   "â?¬", "â€?" stand for one lost character */
			b[i] = 0x100;
			lostq = lead;
			lead = 0x100;
		} else if (i < need - 1 && c[i] == 0xFFFD && ((mode == 2 &&
		    (cm[i] & DEC)) || need == 4)) {
			/* a byte lost inside text encoded twice: "â�’"
			   from "Ã¢â€�â€™" is one lost character; so is
			   "ðŸ�°", an emoji with a byte lost */
			b[i] = 0x100;
			lead = 0x100;
		} else if (i == need - 1 && c[i] == 0xFFFD && (i > 1 ||
		    (b[0] >= 0xC2 && b[0] <= 0xDF)))
			b[i] = 0x100;	/* lost, checked below */
		else if (b[i] < 0x80 || b[i] > 0xBF)
			return 0;
	}
	if (lead == 0x100) {
		*cp = 0xFFFD;
		*str = lostq != 0 ? WEAK : STRONG;
		return need;
	}
	if (lead == 0xED && need == 3 && b[1] >= 0xA0 && b[1] <= 0xAF &&
	    b[2] <= 0xBF)
		return cesu_at(c, n, b, cp, str);
	if (need > 2 && ((unsigned)b[1] < lo || (unsigned)b[1] > hi))
		return 0;
	if (b[need - 1] == 0x100) {
		*cp = 0xFFFD;
		*str = STRONG;
		return need;
	}
	if ((unsigned)b[1] < lo || (unsigned)b[1] > hi)
		return 0;
	v = (uint32_t)lead & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
	for (i = 1; i < need; i++)
		v = v << 6 | ((uint32_t)b[i] & 0x3F);
	if (need == 2 ? !plausible2(v) : need == 3 ? !plausible3(v) :
	    !plausible4(v)) {
		if (mode == 0)
			return 0;
		for (i = 0; mode == 2 && i < need; i++)
			if (!(cm[i] & DEC))
				return 0;
		v |= mode == 1 ? ODD1 : ODD2;
	}
	*cp = v;
	*str = spaced ? WEAK : strength(c, need, CP(v));
	return need;
}

/*
 * One pass over c[0..n) into out: strong sequences decoded, weak ones
 * too when `weak` is set or the run holds two or more of them (a whole
 * word of Greek or Hebrew mojibake). *nstrong counts the strong ones.
 */
static int
upper(uint32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE &&
	    cp != 0xD7);
}

/*
 * The strength of the sequence at c[i] (of len characters) in its
 * context; `before` and `after` are the characters around the run.
 * "HÃ”TEL", "OÃ™ ET": a weak Ã sequence inside a capitalised word is
 * strong, where "Ã’s" before a lowercase letter stays a word.
 */
static int
in_context(const uint32_t *c, size_t n, size_t i, size_t len, int str,
    uint32_t before, uint32_t after)
{
	uint32_t prev = i > 0 ? CP(c[i - 1]) : before;
	uint32_t next = i + len < n ? CP(c[i + len]) : after;
	uint32_t c0 = CP(c[i]), c1 = CP(c[i + 1]);

	if (str == WEAK && c0 == 0xC3 && len == 2 && upper(prev) &&
	    !(next >= 'a' && next <= 'z') && !(next >= 0xDF && next <= 0xFF))
		return STRONG;
	/* "ErreurÂ\xa0:": a no-break space glued to a lowercase word */
	if (str == WEAK && len == 2 && c0 == 0xC2 && c1 == 0xA0 &&
	    ((prev >= 'a' && prev <= 'z') || (prev >= 0xDF && prev <= 0xFF)))
		return STRONG;
	/* "enthÃ¤lt", "SÃ£o": a currency sign inside a word ("DrÃ¥ber"
	   may be text) */
	if (str == WEAK && len == 2 && c0 == 0xC3 && c1 >= 0xA2 &&
	    c1 <= 0xA4 && ((prev >= 'a' && prev <= 'z') ||
	    (prev >= 'A' && prev <= 'Z')) && next >= 'a' && next <= 'z')
		return STRONG;
	/* "Â«component-IDÂ»": guillemets after Â, not in capitals */
	if (str == WEAK && len == 2 && c0 == 0xC2 && (c1 == 0xAB ||
	    c1 == 0xBB) && !upper(prev))
		return STRONG;
	/* "StopieÅ„", "siÄ™": a lowercase word goes on into the pair
	   (but "DrÃ¥ber" may be MacRoman mojibake, or text) */
	if (str == WEAK && len == 2 && prev >= 'a' && prev <= 'z' &&
	    !(c0 == 0xC3 && c1 == 0xA5))
		return STRONG;
	/* "RÄ«ga": a guillemet inside a word */
	if (str == WEAK && len == 2 && (c1 == 0xAB || c1 == 0xBB) &&
	    ((prev >= 'a' && prev <= 'z') ||
	    (prev >= 'A' && prev <= 'Z')) && next >= 'a' && next <= 'z')
		return STRONG;
	return str;
}

static size_t
latin_pass(const uint32_t *c, size_t n, uint32_t *out, size_t *nout,
    int weak, size_t *nstrong, uint32_t before, uint32_t after, int mode)
{
	size_t i, k = 0, len, fixed = 0, nweak = 0;
	uint32_t cp;
	int str;

	/* Decoded as if every sequence were taken, which it is unless a
	   lone weak one stands on a line without strong ones: only then
	   is the run gone through again. */
	*nstrong = 0;
	for (i = 0; i < n; ) {
		if ((len = sequence_at(c + i, n - i, &cp, &str, mode)) > 0) {
			str = in_context(c, n, i, len, str, before, after);
			if (str == STRONG)
				(*nstrong)++;
			else
				nweak++;
			out[k++] = cp | DEC;
			fixed++;
			i += len;
		} else
			out[k++] = c[i++];
	}
	if (nweak >= 2)
		weak = 1;
	if (weak || nweak == 0) {
		*nout = k;
		return fixed;
	}
	k = 0;
	fixed = 0;
	for (i = 0; i < n; ) {
		if ((len = sequence_at(c + i, n - i, &cp, &str, mode)) > 0 &&
		    in_context(c, n, i, len, str, before, after) == STRONG) {
			out[k++] = cp | DEC;
			i += len;
			fixed++;
		} else
			out[k++] = c[i++];
	}
	*nout = k;
	return fixed;
}

/* Portuguese words that start with à: after "Ã" the space was its
   no-break space (ftfy's rule). */
static int
a_grave_word(const char *p, const char *end)
{
	static const char *const w[] = { "s ", "quele", "quela", "quilo" };
	size_t i, n;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		n = strlen(w[i]);
		if ((size_t)(end - p) >= n && memcmp(p, w[i], n) == 0)
			return 1;
	}
	return 0;
}

static int
lower_before(const char *seg, const char *p)
{
	uint32_t cp;

	if (p == seg)
		return 0;
	cp = tm_utf8_prev(&p, seg);
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF &&
	    cp != 0xF7);
}

static uint32_t
first_char(const char *p, const char *end)
{
	return tm_utf8_next(&p, end);
}

/* MacRoman's letters at 80..9F. */
static const uint16_t macroman_c1[32] = {
	0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
	0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
	0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
	0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC
};

/* Is p[..end) the end of an English contraction ("t", "ll", "ve")? */
static int
contraction(const char *p, const char *end)
{
	static const char *const w[] = { "t", "s", "d", "m", "ll", "re",
	    "ve" };
	size_t i, n;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		n = strlen(w[i]);
		if ((size_t)(end - p) >= n && memcmp(p, w[i], n) == 0 &&
		    ((size_t)(end - p) == n || !((p[n] >= 'a' &&
		    p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))))
			return 1;
	}
	return 0;
}

/* Does the run r[..p) end with "â" or "ã", the leads whose second byte
   can be A0, a no-break space? */
static int
nbsp_lead(const char *p, const char *r)
{
	return p - r >= 2 && (unsigned char)p[-2] == 0xC3 &&
	    ((unsigned char)p[-1] == 0xA2 || (unsigned char)p[-1] == 0xA3);
}

/* Do c and d (n each) differ only where d has a cp1252 character for a
   C1 control of c? */
static int
same_but_c1(const uint32_t *c, const uint32_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != d[i] && !(c[i] >= 0x80 && c[i] <= 0x9F))
			return 0;
	return 1;
}

/*
 * Does the line around r hold a C1 control? Then its mojibake is ISO
 * 8859-2 rather than cp1250, which has no C1 controls: "MĂĄm dost
 * tĹ\x99etĂ­ho" is Czech "Mám dost třetího", where cp1250 would read
 * "ĂĄ" as the å of Swedish "mĂĄste".
 */
static int
line_c1(const char *seg, const char *end, const char *r)
{
	const char *p = r, *q;

	while (p > seg && p[-1] != '\n' && r - p < 2048)
		p--;
	if ((q = memchr(r, '\n', (size_t)(end - r))) == NULL)
		q = end;
	if (q - r > 2048)
		q = r + 2048;
	for (; p + 1 < q; p++)
		if ((unsigned char)p[0] == 0xC2 &&
		    ((unsigned char)p[1] & 0xE0) == 0x80)
			return 1;
	return 0;
}

/* Does the line around r hold two C1 controls that are cp1252 quotes
   ("\x84Handwerk ... hin\x93")? */
static int
c1_quotes(const char *seg, const char *end, const char *r)
{
	const char *p = r, *q;
	int n = 0;

	while (p > seg && p[-1] != '\n')
		p--;
	if ((q = memchr(r, '\n', (size_t)(end - r))) == NULL)
		q = end;
	for (; p + 1 < q && n < 2; p++)
		if ((unsigned char)p[0] == 0xC2 && ((unsigned char)p[1] ==
		    0x82 || (unsigned char)p[1] == 0x84 ||
		    ((unsigned char)p[1] >= 0x91 &&
		    (unsigned char)p[1] <= 0x94)))
			n++;
	return n >= 2;
}

/* Is every character of p[..q) one of cp1252 (or a lost byte)? */
static int
cp1252_only(const char *p, const char *q)
{
	uint32_t v;

	while (p < q)
		if ((v = tm_utf8_next(&p, q)) != 0xFFFD && sloppy_byte(v) < 0)
			return 0;
	return 1;
}

/*
 * The non-ASCII run r[0..len) at offset off of segment seg[..end): repair
 * it into out if it is UTF-8 read as cp1252. `weak`: the segment holds
 * strong mojibake elsewhere. With out NULL, only count the strong
 * sequences into *nstrong. Returns 1 if it repaired, 0 if the run is to
 * be copied as it is, 2 if it is to be copied as it is and no other
 * charset tried (a hopeless garble), or -errno.
 */
static int
latin_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *r, size_t len, int weak, size_t *nstrong,
    size_t *eaten, struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, *t;
	size_t n = 0, m, k, i, pre, suf, pass, ns, boff;
	size_t off = (size_t)(r - seg);
	uint32_t before, after, v;
	const char *rule = "utf8-as-cp1252";
	size_t nc1, ndec, nres, ext = 0;
	int str, lenient, b0, b1, sb;
	int any = 0, rc;

	*nstrong = 0;
	*eaten = 0;
	/* Fast path: a run without a Latin-1 or cp1252 character (all of
	   clean CJK text) cannot be this kind of mojibake. */
	while (p < rend)
		if ((v = tm_utf8_next(&p, rend)) <= 0x9F ||
		    sloppy_byte(v) >= 0xC2) {
			any = 1;	/* a C1 control or a lead */
			break;
		}
	if (!any)
		return 0;
	/* A lossy decoder wrote "?" for bytes it could not map ("ItÃ?Â¢â?¬
	   â?¢s"): the runs joined by single "?" are taken in as one, up to
	   a limit, and a "?" inside a sequence is a lost byte. So is a
	   space after "â" before a continuation ("â €" for U+2800), the
	   no-break space of E2 A0 80 turned into a plain one. */
	while (out != NULL && ext < 256 && rend + 1 < end &&
	    (unsigned char)rend[1] >= 0x80 && (*rend == '?' ||
	    (*rend == ' ' && nbsp_lead(rend, r) &&
	    (sb = sloppy_byte(first_char(rend + 1, end))) >= 0x80 &&
	    sb <= 0xBF))) {
		for (p = rend + 1; p < end && (unsigned char)*p >= 0x80; p++)
			;
		if (!cp1252_only(rend + 1, p))
			break;	/* "â€ž?â€ś": the next run is cp1250's */
		ext += (size_t)(p - rend);
		rend = p;
	}
	len += ext;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0 ||
	    (rc = tm_moji_grow(&s->c, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;	/* the run as it is */
	d = (uint32_t *)(void *)s->b.ptr;	/* the run repaired so far */
	t = (uint32_t *)(void *)s->c.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	before = 0;
	if (r > seg) {
		p = r;
		before = tm_utf8_prev(&p, seg);
	}
	p = rend;
	after = rend < end ? tm_utf8_next(&p, end) : 0;
	if (out == NULL) {
		latin_pass(c, n, d, &m, 0, nstrong, before, after, 0);
		return 0;
	}
	/* leniently first, strictly if a character of the first pass that
	   real text would not have is left */
	for (lenient = 1; lenient >= 0; lenient--) {
		latin_pass(c, n, d, &m, weak, nstrong, before, after,
		    lenient);
		for (pass = 1; pass < MAX_PASSES; pass++) {
			if (latin_pass(d, m, t, &k, weak, &ns, before, after,
			    lenient * 2) == 0)
				break;
			memcpy(d, t, k * sizeof(*t));
			m = k;
		}
		for (i = 0; i < m; i++)
			if ((d[i] & ODD1) && !(CP(d[i]) >= 0x300 &&
			    CP(d[i]) <= 0x36F && (i > 0 ? CP(d[i - 1]) :
			    before) > 0x20 && (i > 0 ? CP(d[i - 1]) :
			    before) < 0x7F))
				break;	/* "$Ì¶6" is U+0336 after "$" */
		if (i == m)
			break;
	}
	for (i = 0, ndec = 0; i < m; i++) {
		ndec += (d[i] & DEC) != 0;
		d[i] = CP(d[i]);
	}
	/* A hopeless garble ("ã†â€™ãƒâ€ ã¢â‚¬â„¢"): as many pairs
	   that still look like mojibake as characters decoded; leave it,
	   as a suspect */
	for (i = 0, nres = 0; i + 1 < m; i++)
		if (sloppy_byte(d[i]) >= 0xC2 && sloppy_byte(d[i]) <= 0xF4 &&
		    sloppy_byte(d[i + 1]) >= 0x80 &&
		    sloppy_byte(d[i + 1]) <= 0xBF)
			nres++;
	if (nres >= 2 && nres >= ndec) {
		tm_suspect(ctx, off, r, len, "utf8-as-cp1252");
		return 2;
	}
	/* A no-break space that became a plain one after a lead: "voilÃ le"
	   (à, the space stays a word break, except in Portuguese "Ã s",
	   "Ã quele"), "namedÂ „" (the space was the no-break space). */
	if (m > 0 && rend < end && *rend == ' ' && d[m - 1] == c[n - 1] &&
	    (d[m - 1] == 0xC2 || d[m - 1] == 0xC3 || d[m - 1] == 0xC5 ||
	    d[m - 1] == 0xCE || d[m - 1] == 0xD0 ||
	    d[m - 1] == 0xD1 || d[m - 1] == 0xD8 || d[m - 1] == 0xD9) &&
	    (weak ||
	    (m == 1 && d[0] == 0xC3 && lower_before(seg, r)))) {
		v = 0;
		if (d[m - 1] >= 0xC2 && d[m - 1] <= 0xDF)
			v = (d[m - 1] & 0x1F) << 6 | 0x20;
		if (v != 0 && plausible2(v)) {
			d[m - 1] = v;
			if (v != 0xE0 || a_grave_word(rend + 1, end) ||
			    (rend + 1 < end && rend[1] == ' '))
				*eaten = 1;
		}
	}
	/* The last byte of a three-byte sequence lost the same way ("à¸ "
	   for ภ), or to "?" by a lossy decoder ("â€?" for a quote, which
	   stays lost: U+FFFD) */
	if (*eaten == 0 && weak && m >= 2 && n >= 2 && rend < end &&
	    (*rend == ' ' || *rend == '?') && d[m - 1] == c[n - 1] &&
	    d[m - 2] == c[n - 2] && (b0 = sloppy_byte(d[m - 2])) >= 0xE0 &&
	    b0 <= 0xEF && (b1 = sloppy_byte(d[m - 1])) >= 0x80 &&
	    b1 <= 0xBF && !(b0 == 0xE0 && b1 < 0xA0) &&
	    !(b0 == 0xED && b1 > 0x9F)) {
		v = 0xFFFD;
		if (*rend == ' ' && !plausible3(v = ((uint32_t)b0 & 0x0F) <<
		    12 | ((uint32_t)b1 & 0x3F) << 6 | 0x20))
			v = 0;
		if (v != 0) {
			d[m - 2] = v;
			m--;
			*eaten = 1;
		}
	}
	/* A C1 control alone inside a word is a MacRoman letter read as
	   Latin-1 ("tur\x92stico"), but for cp1252's apostrophe in English
	   ("don\x92t") */
	if (n == 1 && m == 1 && c[0] >= 0x80 && c[0] <= 0x9F &&
	    ((before >= 'a' && before <= 'z') || (before >= 'A' &&
	    before <= 'Z')) && after >= 'a' && after <= 'z') {
		if (c[0] == 0x92 && contraction(rend, end)) {
			d[0] = 0x2019;
			rule = "latin1-as-cp1252";
		} else {
			d[0] = macroman_c1[c[0] - 0x80];
			rule = "macroman-as-latin1";
		}
	}
	/* C1 controls left over are cp1252 read as Latin-1 ("\x93" for
	   "“"), where the line holds mojibake or such quotes pair up */
	for (i = 0, nc1 = 0; i < m; i++)
		if (d[i] >= 0x80 && d[i] <= 0x9F &&
		    cp1252_hi[d[i] - 0x80] != d[i])
			nc1++;
	if (nc1 > 0 && (weak || m > n || memcmp(c, d, m * sizeof(*c)) != 0 ||
	    c1_quotes(seg, end, r))) {
		for (i = 0; i < m; i++)
			if (d[i] >= 0x80 && d[i] <= 0x9F)
				d[i] = cp1252_hi[d[i] - 0x80];
		rule = m == n && nc1 > 0 && same_but_c1(c, d, n) ?
		    "latin1-as-cp1252" : rule;
	}
	if (m == n && memcmp(c, d, n * sizeof(*c)) == 0) {
		/* "Ã’s", "MISUTÂ AJIKKO": the classic leads before a
		   continuation, left alone without stronger evidence */
		for (i = 0; i < n; i++)
			if ((c[i] == 0xC3 || c[i] == 0xC2) &&
			    sequence_at(c + i, n - i, &v, &str, 0) > 0) {
				tm_suspect(ctx, off, r, len, "utf8-as-cp1252");
				break;
			}
		return 0;
	}
	/* Report the changed middle only: runs can hold correct text
	   around the broken part. */
	for (pre = 0; pre < n && pre < m && c[pre] == d[pre]; pre++)
		;
	for (suf = 0; suf < n - pre && suf < m - pre &&
	    c[n - 1 - suf] == d[m - 1 - suf]; suf++)
		;
	if (*eaten)	/* the space went into the last character */
		suf = 0;
	tm_buf_reset(&s->text);
	for (i = pre; i < m - suf; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	boff = tm_moji_utf8_size(c, pre);
	tm_edit(ctx, off + boff, r + boff, len + *eaten - boff -
	    tm_moji_utf8_size(c + n - suf, suf), s->text.ptr, s->text.len,
	    rule);
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(out, d[i])) != 0)
			return rc;
	*eaten += ext;	/* mojibake.c skips the run it handed in, not these */
	return 1;
}

/* ---- UTF-8 read as Windows-1251 ---- */

/* The cp1251 byte of a character (U+0098 for the undefined 98), or -1. */
static int
cp1251_byte(uint32_t cp)
{
	if (cp >= 0x0410 && cp <= 0x044F)
		return (int)(cp - 0x0410 + 0xC0);
	return cp < 0x80 ? -1 : cs_byte(CS_CP1251, cp);
}

/*
 * One UTF-8 sequence in cp1251 at c[0..n): its length in characters and
 * code point, or 0. Three-byte sequences count only when they decode to
 * the punctuation that Russian mojibake is full of ("вЂ™" for ’); a
 * Ukrainian word such as "енергії" is also lowercase letter + і + ї.
 */
static size_t
cyr_sequence(const uint32_t *c, size_t n, uint32_t *cp)
{
	int b0, b1, b2;

	if (n < 2 || (b0 = cp1251_byte(c[0])) < 0xC2 || b0 > 0xEF ||
	    (b1 = cp1251_byte(c[1])) < 0x80 || b1 > 0xBF)
		return 0;
	if (b0 < 0xE0) {
		*cp = ((uint32_t)b0 & 0x1F) << 6 | ((uint32_t)b1 & 0x3F);
		return plausible2(*cp) ? 2 : 0;
	}
	if (n < 3 || (b2 = cp1251_byte(c[2])) < 0x80 || b2 > 0xBF ||
	    (b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F))
		return 0;
	*cp = ((uint32_t)b0 & 0x0F) << 12 | ((uint32_t)b1 & 0x3F) << 6 |
	    ((uint32_t)b2 & 0x3F);
	return (*cp >= 0x2010 && *cp <= 0x203A) || *cp == 0x20AC ||
	    *cp == 0x2116 || *cp == 0x2122 ? 3 : 0;
}

/*
 * The non-ASCII run r[0..len): repair it if it is UTF-8 read as cp1251.
 * Only a run that is mojibake from end to end is repaired, and a run of
 * two-byte sequences needs two of them: correct Cyrillic has the same
 * characters ("Рік" is Р + і + к), never a whole run of such pairs.
 */
static int
cyr_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *r, size_t len, struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, cp;
	size_t n = 0, m = 0, i, k, nseq = 0, long_seq = 0;
	int rc, b, any = 0;

	while (p < rend)
		if ((b = cp1251_byte(tm_utf8_next(&p, rend))) >= 0x80 &&
		    b <= 0xBF) {
			any = 1;
			break;
		}
	if (!any)
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	for (i = 0; i < n; i += k) {
		if ((k = cyr_sequence(c + i, n - i, &cp)) == 0)
			return 0;
		d[m++] = cp;
		nseq++;
		if (k == 3)
			long_seq++;
	}
	if (nseq < 2 && long_seq == 0)
		return 0;
	tm_buf_reset(&s->text);
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	tm_edit(ctx, (size_t)(r - seg), r, len, s->text.ptr, s->text.len,
	    "utf8-as-cp1251");
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	return 1;
}

/* ---- UTF-8 read as MacRoman or Windows-1250, inside words ---- */

/*
 * A single-byte charset whose letters mojibake is repaired inside words:
 * the characters of bytes 80..BF (the continuation bytes) and of C2..C5
 * (the leads of U+0080..U+017F; 0 where the lead cannot give a letter).
 */
struct sb_charset {
	uint16_t cont[64];
	uint16_t lead[4];
	const char *rule;
};

static const struct sb_charset macroman = {
	{
		0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
		0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
		0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
		0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
		0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
		0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
		0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
		0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8
	},
	{ 0x00AC, 0x221A, 0x0192, 0x2248 },	/* ¬ √ ƒ ≈ */
	"utf8-as-macroman"
};

static const struct sb_charset cp1250 = {
	{
		0x20AC, 0x0081, 0x201A, 0x0083, 0x201E, 0x2026, 0x2020, 0x2021,
		0x0088, 0x2030, 0x0160, 0x2039, 0x015A, 0x0164, 0x017D, 0x0179,
		0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x0098, 0x2122, 0x0161, 0x203A, 0x015B, 0x0165, 0x017E, 0x017A,
		0x00A0, 0x02C7, 0x02D8, 0x0141, 0x00A4, 0x0104, 0x00A6, 0x00A7,
		0x00A8, 0x00A9, 0x015E, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x017B,
		0x00B0, 0x00B1, 0x02DB, 0x0142, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
		0x00B8, 0x0105, 0x015F, 0x00BB, 0x013D, 0x02DD, 0x013E, 0x017C
	},
	{ 0, 0x0102, 0x00C4, 0x0139 },		/* Ă Ä Ĺ */
	"utf8-as-cp1250"
};

static int
sb_cont(const struct sb_charset *cs, uint32_t cp)
{
	int i;

	for (i = 0; i < 64; i++)
		if (cs->cont[i] == cp)
			return 0x80 + i;
	return -1;
}

static int
sb_lead(const struct sb_charset *cs, uint32_t cp)
{
	int i;

	for (i = 0; i < 4; i++)
		if (cs->lead[i] != 0 && cs->lead[i] == cp)
			return 0xC2 + i;
	return -1;
}

static int
letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	    (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

/*
 * Continuation characters that do not count inside a word: punctuation
 * after a capital is Romanian "COMANDĂ”"; for cp1250, Ą and ą, which
 * ISO 8859-2 has at other bytes (its "MĂĄm" is "Mám", not "Måm").
 */
static int
sb_punct(const struct sb_charset *cs, uint32_t cp)
{
	if (cs == &cp1250 && (cp == 0x0104 || cp == 0x0105))
		return 1;
	return punct_cont(cp) && !(cp >= 0xA2 && cp <= 0xA5) && cp != 0xB7;
}

static int
lower(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF &&
	    cp != 0xF7) || (cp >= 0x100 && cp <= 0x17F && (cp & 1));
}

/*
 * The non-ASCII run r[0..len): repair the Latin letters of UTF-8 read as
 * MacRoman ("wei√ü", "r√©gime", "SaeimƒÅ") or cp1250 ("LiĂ¨ge",
 * "NapĂ­Ĺˇte"). The lead must stand inside a word (a lowercase letter
 * before it, or one after the pair not preceded by a digit) and not
 * before punctuation, which keeps "2√π", "x ≈ °" and Romanian capitals
 * ("COMANDĂ”", "NICIODATĂ™") as they are.
 */
static int
sb_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *r, size_t len, const struct sb_charset *cs,
    struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, prev, next = 0, cp;
	size_t n = 0, m = 0, i, fixed = 0;
	int rc, lead, cont, any = 0;

	while (p < rend)
		if (sb_lead(cs, tm_utf8_next(&p, rend)) > 0) {
			any = 1;
			break;
		}
	if (!any)
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 || (rc = tm_moji_grow(&s->b, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	prev = 0;
	if (r > seg) {
		p = r;
		prev = tm_utf8_prev(&p, seg);
	}
	for (i = 0; i < n; ) {
		if ((lead = sb_lead(cs, c[i])) > 0 && i + 1 < n &&
		    (cont = sb_cont(cs, c[i + 1])) > 0) {
			if (i + 2 < n)
				next = c[i + 2];
			else if (rend < end) {
				p = rend;
				next = tm_utf8_next(&p, end);
			} else
				next = 0;
			cp = ((uint32_t)lead & 0x1F) << 6 |
			    ((uint32_t)cont & 0x3F);
			if (letter(cp) && !sb_punct(cs, c[i + 1]) &&
			    (lower(prev) || (next >= 'a' && next <= 'z' &&
			    !(prev >= '0' && prev <= '9')))) {
				d[m++] = prev = cp;
				i += 2;
				fixed++;
				continue;
			}
		}
		d[m++] = prev = c[i++];
	}
	if (fixed == 0)
		return 0;
	tm_buf_reset(&s->text);
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	tm_edit(ctx, (size_t)(r - seg), r, len, s->text.ptr, s->text.len,
	    cs->rule);
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	return 1;
}

/* ---- a whole run in another single-byte charset ---- */


/*
 * Decode c[0..n), every character a byte of charset cs, as UTF-8 into
 * out[0..*nout). Returns the number of multibyte sequences, or -1 if the
 * bytes are not UTF-8 from end to end. *nlong counts the sequences of
 * three or four bytes.
 */
static int
whole_decode(int cs, const uint32_t *c, size_t n, uint32_t *out,
    size_t *nout, size_t *nlong)
{
	size_t i = 0, k = 0, need, j;
	int b, x, nseq = 0;
	uint32_t v, min;

	*nlong = 0;
	while (i < n) {
		if ((b = cs_byte(cs, c[i])) < 0)
			return -1;
		if (b < 0x80) {
			out[k++] = (uint32_t)b;
			i++;
			continue;
		}
		if (b < 0xC2 || b > 0xF4)
			return -1;
		need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		min = need == 2 ? 0x80 : need == 3 ? 0x800 : 0x10000;
		if (i + need > n)
			return -1;
		v = (uint32_t)b & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
		for (j = 1; j < need; j++) {
			if (j == need - 1 && c[i + j] == 0xFFFD) {
				v = 0xFFFD;	/* the last byte was lost */
				break;
			}
			if ((x = cs_byte(cs, c[i + j])) < 0x80 || x > 0xBF)
				return -1;
			v = v << 6 | ((uint32_t)x & 0x3F);
		}
		if (v == 0xFFFD)
			min = 0;
		if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return -1;
		out[k++] = v;
		nseq++;
		if (need > 2)
			(*nlong)++;
		i += need;
	}
	*nout = k;
	return nseq;
}

/* A letter of the scripts whose UTF-8 is two bytes (no IPA, no
   combining marks, none of the odd Latin letters such as ŀ ŉ ſ). */
static int
letter2(uint32_t cp)
{
	if (cp >= 0xC0 && cp <= 0x17E)
		return cp != 0xD7 && cp != 0xF7 && cp != 0x13F &&
		    cp != 0x140 && cp != 0x149;
	if (cp == 0x1A0 || cp == 0x1A1 || cp == 0x1AF || cp == 0x1B0 ||
	    (cp >= 0x218 && cp <= 0x21B))
		return 1;
	return (cp >= 0x386 && cp <= 0x3CE) || (cp >= 0x400 && cp <= 0x45F) ||
	    cp == 0x490 || cp == 0x491 || (cp >= 0x5D0 && cp <= 0x5EA) ||
	    (cp >= 0x621 && cp <= 0x64A) || cp == 0x67E || cp == 0x686 ||
	    cp == 0x6A9 || cp == 0x6AF || cp == 0x6CC;
}

/* What a run in a charset other than cp1252 may decode to: letters, the
   Latin-1 symbols, and from three bytes Vietnamese, Thai, punctuation,
   symbols and dingbats, ligatures; emoji from four. */
static int
whole_plausible(uint32_t cp)
{
	if (cp < 0x800)
		return letter2(cp) || (cp >= 0xA0 && cp <= 0xBF);
	if (cp < 0x10000)
		return (cp >= 0x1E00 && cp <= 0x1EFF) ||
		    (cp >= 0x0E01 && cp <= 0x0E5B) ||
		    (cp >= 0x2010 && cp <= 0x2BFF) ||
		    (cp >= 0xFB00 && cp <= 0xFB06);
	return cp >= 0x1F000 && cp <= 0x1FAFF;
}

static int
ascii_letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* A Latin letter whose UTF-8 is two bytes (Romanian ș ț included). */
static int
latin_letter(uint32_t cp)
{
	return ((cp >= 0xC0 && cp <= 0x17E) || (cp >= 0x218 &&
	    cp <= 0x21B)) && letter2(cp);
}

/* What follows "√" in mathematics: "√π", "√©" (after "ƒ(x) ="). */
static int
math(uint32_t cp)
{
	return cp == 0xA9 || cp == 0xB0 || cp == 0xB1 || cp == 0xB5 ||
	    (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x2200 && cp <= 0x22FF);
}

/* Box drawing and blocks: cp437's art ("├┤" is not "ô"). */
static int
box(uint32_t cp)
{
	return cp >= 0x2500 && cp <= 0x25FF;
}

/*
 * Does the sequence c[0..) of charset cs start with a lead real text
 * would not put before a continuation: one outside Latin-1 ("Ă" "√"
 * "├" "Č"), MacRoman's "¬", or "Â" before a character cp1252 does not
 * have ("Âˇ" in cp1250)?
 */
static int
odd_lead(int cs, const uint32_t *c)
{
	if (c[0] > 0xFF)
		return 1;
	if (cs == CS_MACROMAN && c[0] == 0xAC)
		return 1;
	return c[0] == 0xC2 && (cs == CS_CP1250 || cs == CS_LATIN2) &&
	    cs_byte(CS_CP1252, c[1]) < 0;
}

static int
space_or_punct(uint32_t cp)
{
	return cp == 0 || cp == ' ' || cp == '\t' || cp == '\n' ||
	    cp == '\r' || cp == '.' || cp == ',' || cp == ';' || cp == ':' ||
	    cp == '!' || cp == '?' || cp == '(' || cp == ')' || cp == '"' ||
	    cp == '\'' || cp == '-' || cp == '/' || cp == 0xA0;
}

/*
 * Does cp, decoded from a sequence with an odd lead, sit where a word
 * has it? A letter alone as a word (Italian "è" as "√®", "├¿", "Ă¨"),
 * a lowercase letter ending a word ("opportunitĂ\xa0", "pu├▓"), a
 * capital starting one ("Ă„nderung"), a no-break space after a letter
 * ("z¬†pliku", "Erreur¬†:"), "¡" or "¿" or "«" before a word, "»"
 * after one ("┬½component-ID┬╗"). Digits beside it keep "≈±2" as it is.
 */
static int
word_edge(uint32_t cp, uint32_t before, uint32_t after)
{
	int lb = ascii_letter(before), la = ascii_letter(after);

	if ((before >= '0' && before <= '9') || (after >= '0' &&
	    after <= '9'))
		return 0;
	if (latin_letter(cp)) {
		if (space_or_punct(before) && space_or_punct(after))
			return 1;
		if (lb && space_or_punct(after) && lower(cp) &&
		    before >= 'a' && before <= 'z')
			return 1;
		return space_or_punct(before) && after >= 'a' &&
		    after <= 'z' && !lower(cp);
	}
	if (cp == 0xA0)
		return lb && (la || after == ':' || after == ';' ||
		    after == '!' || after == '?');
	if (cp == 0xA1 || cp == 0xBF || cp == 0xAB)
		return space_or_punct(before) && la;
	if (cp == 0xBB)
		return lb && space_or_punct(after);
	return 0;
}

/* A Cyrillic lowercase consonant. */
static int
cyr_consonant(uint32_t cp)
{
	static const char vowels[] = "аеиоуыэюяёіїєй";
	const char *p = vowels;

	if (cp < 0x430 || cp > 0x45F || cp == 0x44A || cp == 0x44C)
		return 0;
	while (*p != '\0')
		if (tm_utf8_next(&p, vowels + sizeof(vowels) - 1) == cp)
			return 0;
	return 1;
}

/*
 * The character of a sequence whose last byte was lost (U+FFFD in
 * d[k]): cp1250 leaves 81 83 88 90 98 undefined, cp1251 98, and a
 * decoder wrote U+FFFD for them. `v` holds the bits before the lost
 * byte; prev and next are the characters around. The guess is the
 * letter these languages use most among the candidates: И and с (у
 * after most consonants) in Russian, ă (Đ starting a word) in Romanian
 * and Vietnamese, ň (Ř starting a word) in Czech, È alone as a word,
 * Ș, Vietnamese ể (Ố in capitals). 0 if none is likely enough: "Ă�"
 * before a word could be Á Ã È Ð or Ø, and stays U+FFFD as ftfy has
 * it ("Asia, Ă�frica").
 */
static uint32_t
lost_letter(int cs, uint32_t v, size_t need, uint32_t prev, uint32_t next)
{
	static const uint8_t lost1250[] = { 0x81, 0x83, 0x88, 0x90, 0x98 };
	static const uint32_t prefer[] = { 0x0418, 0x0441, 0x0103, 0x0148,
	    0x0158, 0x0110, 0x0218, 0x1EC3, 0x1ED0 };
	/* consonants Russian rarely puts before с, often before у */
	static const char cons[] = "бгджзлмпфхчшщ";
	uint32_t cand[5], best = 0;
	size_t nc = 0, i, j;
	int start = !(ascii_letter(prev) || letter2(prev) ||
	    (prev >= 0x1E00 && prev <= 0x1EFF));

	if (cs == CS_CP1251)
		cand[nc++] = v << 6 | 0x18;
	else if (cs == CS_CP1250)
		for (i = 0; i < sizeof(lost1250); i++)
			cand[nc++] = v << 6 | (lost1250[i] & 0x3F);
	if (need != 2 && !(need == 3 && (v >> 6) == 0x1 && (v & 0x3F) ==
	    0x3B))
		return 0;	/* of three bytes, only E1 BB (Vietnamese) */
	for (i = 0; i < nc; i++) {
		if (cand[i] == 0x0443 && prev >= 0x430 && prev <= 0x44F) {
			/* у after a consonant that с seldom follows:
			   "требуется", "между", but "текст", "ется" */
			const char *p = cons;

			while (*p != '\0')
				if (tm_utf8_next(&p, cons + sizeof(cons) - 1) ==
				    prev)
					return 0x0443;
			if (cyr_consonant(prev) && cyr_consonant(next))
				return 0x0443;	/* a syllable needs a vowel */
		}
		if ((cand[i] == 0x0110 || cand[i] == 0x0158) && (start ||
		    upper(prev)))
			return cand[i];
		if (cand[i] == 0x00C8 && space_or_punct(prev) &&
		    space_or_punct(next))
			return cand[i];
		if (cand[i] == 0x1ED0 && prev >= 'A' && prev <= 'Z')
			return cand[i];
	}
	for (j = 0; j < sizeof(prefer) / sizeof(prefer[0]) && best == 0; j++)
		for (i = 0; i < nc; i++)
			if (cand[i] == prefer[j])
				best = cand[i];
	return best;
}

/*
 * Put a guess for each character whose last byte was lost into d[0..m),
 * decoded from c[0..n) in charset cs (see lost_letter).
 */
static void
guess_lost(int cs, const uint32_t *c, size_t n, uint32_t *d, size_t m,
    uint32_t before, uint32_t after)
{
	size_t i = 0, k = 0, need, j;
	uint32_t v, g;
	int b;

	while (i < n && k < m) {
		b = cs_byte(cs, c[i]);
		if (b < 0xC2) {
			i++;
			k++;
			continue;
		}
		need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		v = (uint32_t)b & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
		for (j = 1; j < need && i + j < n && c[i + j] != 0xFFFD; j++)
			v = v << 6 | ((uint32_t)cs_byte(cs, c[i + j]) & 0x3F);
		if (d[k] == 0xFFFD && j == need - 1) {
			g = lost_letter(cs, v, need, k > 0 ? d[k - 1] : before,
			    k + 1 < m ? d[k + 1] : after);
			if (g != 0)
				d[k] = g;
		}
		i += j < need ? j + 1 : need;
		k++;
	}
}

/*
 * Is the run c[0..n), one two-byte sequence in charset cs decoding to cp,
 * mojibake? Inside a lowercase word (a lowercase ASCII letter beside it)
 * and only where the second character is a letter: "─îe┼ítina" in cp437,
 * "ÄÆdomu" in cp1257, "MĂĄm" in ISO 8859-2. Box drawing before
 * punctuation ("├┤a┼┐a"), accented capitals before symbols ("SELKÄ
 * EDELLÄ") and capitals in capitals ("BLÅØYD") are text. cp1251 takes
 * a symbol between two Latin letters ("rГ©gion"). An odd lead at the
 * edge of a word is taken too (see word_edge), and a capital lead
 * whose last byte was lost ("zároveĹ�").
 */
static int
whole_single(int cs, const uint32_t *c, uint32_t cp, uint32_t before,
    uint32_t after)
{
	int lower_by = (before >= 'a' && before <= 'z') ||
	    (after >= 'a' && after <= 'z');

	if (cs == CS_CP1251)
		return ascii_letter(before) && ascii_letter(after) &&
		    cp >= 0xC0 && cp <= 0xFF && letter2(cp);
	/* Romanian ș ț from MacRoman's "»" beside a word: "fi»ôier" */
	if (cs == CS_MACROMAN && c[0] == 0xBB && cp >= 0x218 &&
	    cp <= 0x21B && (ascii_letter(before) || ascii_letter(after)))
		return 1;
	if (cs == CS_MACROMAN && c[0] != 0xAC && c[0] != 0x221A &&
	    c[0] != 0x192 && c[0] != 0x2248)
		return 0;	/* only ¬ √ ƒ ≈ lead Latin-1 and Latin A */
	/* a lead outside Latin-1 (Ă ├ √) inside a word: "sĂ»r",
	   "arr√™t", "s├╗r"; alone as a word, à ("mise Ă\xa0 niveau");
	   a no-break space before French punctuation ("Erreur¬†:") */
	if (c[0] > 0xFF && ascii_letter(before) && ascii_letter(after) &&
	    latin_letter(cp) && !(upper(before) && upper(after) &&
	    lower(cp)))
		return 1;	/* but "PĂŞUNE" is Romanian in capitals */
	/* a capital lead whose last byte was lost, beside a word:
	   "zároveĹ�" for ň, "Р�мя" for И */
	if (c[0] > 0xFF && c[1] == 0xFFFD && (ascii_letter(before) ||
	    ascii_letter(after) || (space_or_punct(before) &&
	    space_or_punct(after))))
		return 1;
	if (c[0] > 0xFF && cp == 0xE0 && (before == ' ' || before == 0) &&
	    after == ' ')
		return 1;
	if (c[0] > 0xFF && cp == 0xA0 && before >= 'a' && before <= 'z' &&
	    (after == ':' || after == ';' || after == '!' || after == '?'))
		return 1;
	if (odd_lead(cs, c) && c[1] != 0xFFFD && !math(c[1]) &&
	    (!box(c[1]) || (before >= 'a' && before <= 'z')) &&
	    word_edge(cp, before, after))
		return 1;
	if (!(cp >= 0xC0 && cp <= 0x17E && letter2(cp)))
		return 0;
	if (cs == CS_CP437 && cs_byte(CS_CP437, c[1]) <= 0xAF)
		return lower_by;	/* "th├¿me" */
	if (!letter2(c[1]) || (cs == CS_CP1250 && (c[1] == 0x104 ||
	    c[1] == 0x105)))
		return 0;
	return lower_by;
}

/*
 * Does the run p[..q) of seg[..end) (of at most 64 characters) decode
 * whole in charset cs to plausible text, with two sequences or more, a
 * long one, or a letter from a lead outside Latin-1 beside an ASCII
 * letter ("Ă©t")?
 */
static int
run_whole(int cs, const char *seg, const char *end, const char *p,
    const char *q)
{
	uint32_t c[64], d[64], prev = 0, next = 0;
	const char *e;
	size_t n, m = 0, nlong, i;
	int ok, nseq;

	for (e = p, n = 0; e < q && n < 64; n++)
		c[n] = tm_utf8_next(&e, q);
	nseq = e == q ? whole_decode(cs, c, n, d, &m, &nlong) : -1;
	for (ok = nseq >= 1, i = 0; ok && i < m; i++)
		ok = whole_plausible(d[i]);
	if (!ok)
		return 0;
	if (p > seg) {
		e = p;
		prev = tm_utf8_prev(&e, seg);
	}
	if (q < end) {
		e = q;
		next = tm_utf8_next(&e, end);
	}
	return nseq >= 2 || nlong > 0 || (c[0] > 0xFF && d[0] >= 0xC0 &&
	    !box(c[1]) && (ascii_letter(prev) || ascii_letter(next))) ||
	    (n == 2 && whole_single(cs, c, d[0], prev, next));
}

static int line_scan(int, int, const char *, const char *, const char *);

/*
 * Does another run on the line around r (of at most 64 characters)
 * decode whole in charset cs to plausible text, with two sequences or
 * more, a long one, or a letter from a lead outside Latin-1 beside an
 * ASCII letter ("Ă©t")? Then a short run beside it is the same
 * mojibake ("СЃ" for "с", "В«" for "«", "Ă\xa0" for "à").
 */
static int
line_has(int cs, const char *seg, const char *end, const char *r)
{
	return line_scan(cs, 0, seg, end, r);
}

/* The same, counting only runs cp1252 cannot explain. */
static int
line_only(int cs, const char *seg, const char *end, const char *r)
{
	return line_scan(cs, 1, seg, end, r);
}

static int
line_scan(int cs, int only, const char *seg, const char *end, const char *r)
{
	const char *p = r, *q, *lend;

	while (p > seg && p[-1] != '\n' && r - p < 2048)
		p--;
	if ((lend = memchr(r, '\n', (size_t)(end - r))) == NULL)
		lend = end;
	if (lend - r > 2048)
		lend = r + 2048;
	while (p < lend && ((unsigned char)*p & 0xC0) == 0x80)
		p++;	/* the window may start inside a character */
	while (p < lend) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		for (q = p; q < lend && (unsigned char)*q >= 0x80; q++)
			;
		if (p != r && run_whole(cs, seg, end, p, q) &&
		    !(only && run_whole(CS_CP1252, seg, end, p, q)))
			return 1;
		p = q;
	}
	return 0;
}

/*
 * Does the run p[..q) of seg[..end) hold mojibake of a charset other
 * than cp1252 (one cp1252 cannot explain)? Then its line is broken,
 * and the weak cp1252 sequences of the line, which charsets such as
 * cp1250 share, are repaired with it ("bá»™" beside "táş­p").
 */
static int
other_strong(const char *seg, const char *end, const char *p,
    const char *q)
{
	static const int cs[] = { CS_CP1250, CS_LATIN2, CS_CP1257,
	    CS_MACROMAN, CS_CP437 };
	uint32_t c[64], d[64];
	const char *e;
	size_t n, m, nlong, i;
	int b, cp1252 = -1;

	for (e = p, n = 0; e < q && n < 2; n++)
		c[n] = tm_utf8_next(&e, q);
	if (n < 2)
		return 0;
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		/* most runs of clean text have no lead then continuation */
		if ((b = cs_byte(cs[i], c[0])) < 0xC2 || b > 0xF4 ||
		    (c[1] != 0xFFFD && ((b = cs_byte(cs[i], c[1])) < 0x80 ||
		    b > 0xBF)))
			continue;
		if (cp1252 < 0) {
			while (e < q && n < 64)
				c[n++] = tm_utf8_next(&e, q);
			if (e != q)
				return 0;
			cp1252 = whole_decode(CS_CP1252, c, n, d, &m,
			    &nlong) >= 0;
		}
		if (cp1252)
			return 0;
		if (run_whole(cs[i], seg, end, p, q))
			return 1;
	}
	return 0;
}

/*
 * The run r[0..len): if cp1252 cannot explain it, try it whole in the
 * other charsets, and peel off any further layers ("Р С—РЎР‚" ->
 * "РїСЂ" -> "пр", "Г‚ВЈ" -> "Â£" -> "£"). Returns 1 if it repaired,
 * 0 if not, or -errno.
 */
static int
whole_run(struct moji_state *s, struct tm_filter_ctx *ctx, const char *seg,
    const char *end, const char *r, size_t len, struct tm_buf *out)
{
	const char *p = r, *rend = r + len;
	uint32_t *c, *d, *t, before = 0, after = 0, c0, c1;
	size_t n = 0, m, k, nlong, i, layer, lost;
	int cs, first = -1, nseq, rc, ok, b;

	/* one character (most runs of accented text) but "Г": no sequence;
	   nor where no charset has a lead then a continuation byte (a run
	   of Chinese text after "“") */
	c0 = tm_utf8_next(&p, rend);
	if (p == rend && c0 != 0x413)
		return 0;
	c1 = p < rend ? tm_utf8_next(&p, rend) : 0;
	for (cs = CS_CP1251; cs < CS_COUNT; cs++)
		if ((b = cs_byte(cs, c0)) >= 0xC2 && b <= 0xF4 &&
		    (c1 == 0xFFFD || ((b = cs_byte(cs, c1)) >= 0x80 &&
		    b <= 0xBF)))
			break;
	if (cs == CS_COUNT && c0 != 0x413)
		return 0;
	if ((rc = tm_moji_grow(&s->a, len)) != 0 ||
	    (rc = tm_moji_grow(&s->b, len)) != 0 ||
	    (rc = tm_moji_grow(&s->c, len)) != 0)
		return rc;
	c = (uint32_t *)(void *)s->a.ptr;
	d = (uint32_t *)(void *)s->b.ptr;
	t = (uint32_t *)(void *)s->c.ptr;
	for (p = r; p < rend; )
		c[n++] = tm_utf8_next(&p, rend);
	if (r > seg) {
		p = r;
		before = tm_utf8_prev(&p, seg);
	}
	p = rend;
	if (rend < end)
		after = tm_utf8_next(&p, end);
	if (n == 1 && c[0] == 0x413 && before == ' ' && after == ' ' &&
	    line_has(CS_CP1251, seg, end, r)) {
		/* "se trouve Г l’ouest": à, whose no-break space became
		   a plain one, on a line of cp1251 mojibake */
		tm_edit(ctx, (size_t)(r - seg), r, len, "\xc3\xa0", 2,
		    "utf8-as-cp1251");
		if ((rc = tm_buf_append(out, "\xc3\xa0", 2)) != 0)
			return rc;
		return 1;
	}
	if (n < 2)
		return 0;
	if (whole_decode(CS_CP1252, c, n, d, &m, &nlong) >= 0) {
		/* cp1252 explains it, but for a lost byte ("dacÄ�" is ă in
		   cp1250, č in cp1252): the line says which */
		for (i = 0; i < m && d[i] != 0xFFFD; i++)
			;
		if (i == m || !line_only(CS_CP1250, seg, end, r))
			return 0;
	}
	for (cs = CS_CP1251; cs < CS_COUNT && first < 0; cs++) {
		nseq = whole_decode(cs, c, n, d, &m, &nlong);
		if (nseq < 1)
			continue;
		guess_lost(cs, c, n, d, m, before, after);
		for (ok = 1, i = 0, lost = 0; i < m && ok; i++)
			if (!(ok = whole_plausible(d[i])) && d[i] == 0xFFFD)
				ok = ++lost * 3 <= (size_t)nseq ||
				    (c[0] > 0xFF && nseq == 1);
		for (i = 0; i < n && ok && cs == CS_CP1250; i++)
			if (c[i] == 0x104 || c[i] == 0x105)
				ok = !line_c1(seg, end, r);
		if (ok && nseq == 1 && nlong == 0)
			ok = (d[0] != 0xFFFD && whole_single(cs, c, d[0],
			    before, after)) || line_has(cs, seg, end, r);
		if (ok)
			first = cs;
	}
	if (first < 0)
		return 0;
	/* not guessing: cp1250 leaves five bytes undefined, so the letters
	   guess_lost() put back for them are U+FFFD again (cp1251 leaves
	   one: its letter is proven) */
	if (!s->guess && first == CS_CP1250)
		whole_decode(first, c, n, d, &m, &nlong);
	/* further layers: each must decode whole to plausible text */
	for (layer = 1; layer < MAX_PASSES; layer++) {
		for (cs = CS_CP1252; cs < CS_COUNT; cs++) {
			nseq = whole_decode(cs, d, m, t, &k, &nlong);
			for (ok = nseq >= 1, i = 0; i < k && ok; i++)
				ok = t[i] < 0x80 || whole_plausible(t[i]) ||
				    (t[i] >= 0x800 && plausible3(t[i]) &&
				    plausible4(t[i]));
			if (ok)
				break;
		}
		if (cs == CS_COUNT)
			break;
		memcpy(d, t, k * sizeof(*t));
		m = k;
	}
	tm_buf_reset(&s->text);
	for (i = 0; i < m; i++)
		if ((rc = tm_buf_put_utf8(&s->text, d[i])) != 0)
			return rc;
	tm_edit(ctx, (size_t)(r - seg), r, len, s->text.ptr, s->text.len,
	    charsets[first].rule);
	if ((rc = tm_buf_append(out, s->text.ptr, s->text.len)) != 0)
		return rc;
	return 1;
}

/* ---- what mojibake.c calls ---- */

/*
 * Is the character at p one a single-byte charset can give? Every
 * character of cp1252, cp125x, Latin-1/2, MacRoman and CP437 is below
 * U+2600 (lead bytes C2..E1, or E2 before 80..97), and U+FFFD stands for
 * a byte that was lost. Its length goes to *len.
 */
static int
sb_like(const unsigned char *p, const unsigned char *end, size_t *len)
{
	unsigned char b = p[0];

	if (b < 0xE0) {
		*len = 2;
		return 1;
	}
	if (b >= 0xF0) {
		*len = 4;
		return 0;
	}
	*len = 3;
	if (end - p < 3)
		return 0;
	return b <= 0xE1 || (b == 0xE2 && p[1] <= 0x97) ||
	    (b == 0xEF && p[1] == 0xBF && p[2] == 0xBD);
}

/*
 * Can the non-ASCII run p[..end) hold mojibake of a single-byte charset?
 * A UTF-8 sequence read that way is at least two such characters in a
 * row, or one two-byte character at the end of the run whose next byte
 * was lost to "?" or a plain space ("voilÃ le"). Chinese text has such
 * pairs only in "——" and "……": a quote beside Han characters does not
 * send the line through the repairs.
 */
int
tm_moji_maybe_latin(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end;
	size_t len = 0;
	int prev = 0, like;

	while (u < e) {
		if (*u < 0xC0) {	/* not at a character: be safe */
			u++;
			prev = 0;
			continue;
		}
		like = sb_like(u, e, &len);
		if (like && prev)
			return 1;
		prev = like;
		u += len;
	}
	return prev && len == 2;
}

/* Does the line p[..end) hold strong cp1252 mojibake anywhere? */
int
tm_moji_line_strong(struct moji_state *s, const char *seg, const char *p,
    const char *end)
{
	const char *q;
	size_t ns, eaten;
	int rc;

	while (p < end) {
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		for (q = p; q < end && (unsigned char)*q >= 0x80; q++)
			;
		rc = latin_run(s, NULL, seg, end, p, (size_t)(q - p), 0, &ns,
		    &eaten, NULL);
		if (rc < 0)
			return rc;
		if (ns > 0 || other_strong(seg, end, p, q))
			return 1;
		p = q;
	}
	return 0;
}

int
tm_moji_latin_run(struct moji_state *s, struct tm_filter_ctx *ctx,
    const char *seg, const char *end, const char *r, size_t len, int weak,
    size_t *eaten, struct tm_buf *out)
{
	size_t ns;
	int rc;

	*eaten = 0;
	rc = whole_run(s, ctx, seg, end, r, len, out);
	if (rc == 0)
		rc = latin_run(s, ctx, seg, end, r, len, weak, &ns, eaten,
		    out);
	if (rc == 2)
		return 0;	/* garbled beyond repair: no other reading */
	if (rc == 0)
		rc = cyr_run(s, ctx, seg, r, len, out);
	if (rc == 0)
		rc = sb_run(s, ctx, seg, end, r, len, &macroman, out);
	if (rc == 0)
		rc = sb_run(s, ctx, seg, end, r, len, &cp1250, out);
	return rc;
}
