/*
 * hanfreq.h - the Han character frequency table that detect.c and
 * mojibake.c score text with, generated into hanfreq.c by
 * filters/tables/hanfreq.py.
 */
#ifndef TEXTMEND_HANFREQ_H
#define TEXTMEND_HANFREQ_H

#include <stddef.h>
#include <stdint.h>

/* Sorted entries: code point << 5 | round(-log2 p), p its frequency. */
extern const uint32_t tm_hanfreq[];
extern const size_t tm_hanfreq_len;

/*
 * How rare the Han character cp is, in bits (-log2 of its frequency,
 * 0..31), or `unknown` for a character not in the table.
 */
static inline double
tm_hanfreq_cost(uint32_t cp, double unknown)
{
	size_t lo = 0, hi = tm_hanfreq_len, mid;
	uint32_t key;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		key = tm_hanfreq[mid] >> 5;
		if (key == cp)
			return (double)(tm_hanfreq[mid] & 31);
		if (key < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return unknown;
}

#endif
