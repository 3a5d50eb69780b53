/*
 * spell.c - hunspell's dictionaries behind textmend's own type, for
 * reflow's dehyphenation ("exam-" / "ple" is "example", "well-" / "known"
 * stays "well-known"). The only file that sees hunspell.
 *
 * Loading a dictionary takes tens of milliseconds and a few megabytes, so
 * each one is loaded once per process, on first use, and kept: every
 * document (on any thread) asks the same one. hunspell does not promise
 * that one handle may be asked from two threads at once, so questions to
 * a dictionary are taken one at a time under its lock. A dictionary that
 * is not installed is looked for again next time (it costs two access()
 * calls), so installing one takes effect without a restart.
 */
#include <errno.h>
#include <hunspell.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spell.h"

#define WORD_MAX 100		/* longer strings are not words */

/* Where Debian's hunspell-* and myspell-* packages put dictionaries. */
static const char *const dict_dirs[] = {
	"/usr/share/hunspell", "/usr/share/myspell/dicts",
	"/usr/share/myspell", NULL
};

struct tm_spell {
	struct tm_spell *next;
	char *name;
	Hunhandle *h;
	pthread_mutex_t lock;	/* one question at a time */
	int utf8;		/* the dictionary's encoding is UTF-8 */
};

/* The dictionaries loaded so far, kept until the process ends. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tm_spell *cache;

/* The .aff and .dic of `base`, if both are readable. */
static int
find_files(const char *base, char *aff, char *dic, size_t cap)
{
	if ((size_t)snprintf(aff, cap, "%s.aff", base) >= cap ||
	    (size_t)snprintf(dic, cap, "%s.dic", base) >= cap)
		return 0;
	return access(aff, R_OK) == 0 && access(dic, R_OK) == 0;
}

static int
load(struct tm_spell **out, const char *name)
{
	char base[512], aff[520], dic[520];
	struct tm_spell *sp;
	const char *enc;
	size_t i;
	int found = 0;

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
	if ((sp->name = strdup(name)) == NULL ||
	    (sp->h = Hunspell_create(aff, dic)) == NULL) {
		free(sp->name);
		free(sp);
		return -ENOMEM;
	}
	pthread_mutex_init(&sp->lock, NULL);
	enc = Hunspell_get_dic_encoding(sp->h);
	sp->utf8 = enc != NULL && (strcmp(enc, "UTF-8") == 0 ||
	    strcmp(enc, "utf-8") == 0);
	*out = sp;
	return 0;
}

int
tm_spell_open(struct tm_spell **out, const char *name)
{
	struct tm_spell *sp;
	int rc = 0;

	if (name == NULL || *name == '\0')
		return -ENOENT;
	pthread_mutex_lock(&cache_lock);
	for (sp = cache; sp != NULL; sp = sp->next)
		if (strcmp(sp->name, name) == 0)
			break;
	if (sp == NULL && (rc = load(&sp, name)) == 0) {
		sp->next = cache;
		cache = sp;
	}
	pthread_mutex_unlock(&cache_lock);
	if (rc == 0)
		*out = sp;
	return rc;
}

int
tm_spell_known(struct tm_spell *sp, const char *w, size_t n)
{
	char word[WORD_MAX + 1];
	size_t i;
	int known;

	if (n == 0 || n > WORD_MAX)
		return 0;
	/* A dictionary in a legacy charset is asked about ASCII only. */
	for (i = 0; !sp->utf8 && i < n; i++)
		if ((unsigned char)w[i] >= 0x80)
			return 0;
	memcpy(word, w, n);
	word[n] = '\0';
	pthread_mutex_lock(&sp->lock);
	known = Hunspell_spell(sp->h, word) != 0;
	pthread_mutex_unlock(&sp->lock);
	return known;
}
