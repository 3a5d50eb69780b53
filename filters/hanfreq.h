/*
 * hanfreq.h - the Han character frequency table of detect.c, generated
 * into hanfreq.c by filters/tables/hanfreq.py.
 */
#ifndef TEXTMEND_HANFREQ_H
#define TEXTMEND_HANFREQ_H

#include <stddef.h>
#include <stdint.h>

/* Sorted entries: code point << 5 | round(-log2 p), p its frequency. */
extern const uint32_t tm_hanfreq[];
extern const size_t tm_hanfreq_len;

#endif
