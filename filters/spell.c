/*
 * spell.c - hunspell's dictionaries behind textmend's own type, for
 * reflow's dehyphenation ("exam-" / "ple" is "example", "well-" / "known"
 * stays "well-known"). The only file that sees hunspell. Without it
 * (TEXTMEND_HAVE_HUNSPELL undefined) every open fails with -ENOENT and
 * callers keep to what they do without a dictionary. A dictionary belongs
 * to one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef TEXTMEND_HAVE_HUNSPELL
#include <hunspell.h>
#endif

#include "spell.h"

#define WORD_MAX 100		/* longer strings are not words */

/* Where Debian's hunspell-* and myspell-* packages put dictionaries. */
static const char *const dict_dirs[] = {
	"/usr/share/hunspell", "/usr/share/myspell/dicts",
	"/usr/share/myspell", NULL
};

struct tm_spell {
#ifdef TEXTMEND_HAVE_HUNSPELL
	Hunhandle *h;
#endif
	int utf8;		/* the dictionary's encoding is UTF-8 */
};

#ifdef TEXTMEND_HAVE_HUNSPELL
/* The .aff and .dic of `base`, if both are readable. */
static int
find_files(const char *base, char *aff, char *dic, size_t cap)
{
	if ((size_t)snprintf(aff, cap, "%s.aff", base) >= cap ||
	    (size_t)snprintf(dic, cap, "%s.dic", base) >= cap)
		return 0;
	return access(aff, R_OK) == 0 && access(dic, R_OK) == 0;
}
#endif

int
tm_spell_open(struct tm_spell **out, const char *name)
{
#ifdef TEXTMEND_HAVE_HUNSPELL
	char base[512], aff[520], dic[520];
	struct tm_spell *sp;
	const char *enc;
	size_t i;
	int found = 0;

	if (name == NULL || *name == '\0')
		return -ENOENT;
	if (strchr(name, '/') != NULL)
		found = find_files(name, aff, dic, sizeof(aff));
	for (i = 0; !found && strchr(name, '/') == NULL &&
	    dict_dirs[i] != NULL; i++) {
		snprintf(base, sizeof(base), "%s/%s", dict_dirs[i], name);
		found = find_files(base, aff, dic, sizeof(aff));
	}
	if (!found)
		return -ENOENT;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return -ENOMEM;
	if ((sp->h = Hunspell_create(aff, dic)) == NULL) {
		free(sp);
		return -ENOMEM;
	}
	enc = Hunspell_get_dic_encoding(sp->h);
	sp->utf8 = enc != NULL && (strcmp(enc, "UTF-8") == 0 ||
	    strcmp(enc, "utf-8") == 0);
	*out = sp;
	return 0;
#else
	(void)out;
	(void)name;
	return -ENOENT;
#endif
}

void
tm_spell_close(struct tm_spell *sp)
{
	if (sp == NULL)
		return;
#ifdef TEXTMEND_HAVE_HUNSPELL
	Hunspell_destroy(sp->h);
#endif
	free(sp);
}

int
tm_spell_known(struct tm_spell *sp, const char *w, size_t n)
{
#ifdef TEXTMEND_HAVE_HUNSPELL
	char word[WORD_MAX + 1];
	size_t i;

	if (n == 0 || n > WORD_MAX)
		return 0;
	/* A dictionary in a legacy charset is asked about ASCII only. */
	for (i = 0; !sp->utf8 && i < n; i++)
		if ((unsigned char)w[i] >= 0x80)
			return 0;
	memcpy(word, w, n);
	word[n] = '\0';
	return Hunspell_spell(sp->h, word) != 0;
#else
	(void)sp;
	(void)w;
	(void)n;
	return 0;
#endif
}
