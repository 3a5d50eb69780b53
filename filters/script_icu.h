/*
 * script_icu.h - ICU's normalizer for the script filter (script_icu.c).
 */
#ifndef TEXTMEND_SCRIPT_ICU_H
#define TEXTMEND_SCRIPT_ICU_H

/* Kangxi radical or CJK compatibility ideograph? */
static inline int
tm_script_is_lookalike(unsigned cp)
{
	return (cp >= 0x2F00 && cp <= 0x2FD5) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* The unified ideograph cp stands for, or cp itself. Any thread. */
unsigned tm_script_unify(unsigned cp);

#endif
