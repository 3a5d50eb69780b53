/*
 * spell.h - a spelling dictionary (hunspell's), to ask whether a string
 * is a word (see spell.c).
 */
#ifndef TEXTMEND_SPELL_H
#define TEXTMEND_SPELL_H

#include <stddef.h>

#include "textmend/err.h"

struct tm_spell;

/*
 * Open the hunspell dictionary `name`: a language such as "en_US", looked
 * up where Debian installs dictionaries (hunspell-en-us and the like), or
 * a path without its ".aff"/".dic". -ENOENT when it is not installed,
 * -ENOMEM. The first open of a name loads it (tens of milliseconds: open
 * lazily); later ones, from any thread, share it. There is no close:
 * dictionaries stay loaded until the process ends.
 */
int tm_spell_open(struct tm_spell **out, const char *name);

/* Is the UTF-8 string [w, w+n) a word of the dictionary? 1 yes, 0 no. */
int tm_spell_known(struct tm_spell *sp, const char *w, size_t n);

#endif
