/*
 * cli.h - subcommands of the textmend program and their shared bits.
 */
#ifndef TEXTMEND_CLI_H
#define TEXTMEND_CLI_H

#include <stddef.h>
#include <stdio.h>

enum {
	TM_EXIT_OK = 0,
	TM_EXIT_FAIL = 1,	/* an input could not be cleaned */
	TM_EXIT_USAGE = 2,	/* bad command line */
	TM_EXIT_NODAEMON = 3	/* the daemon is not running (clients) */
};

int tm_cmd_clean(int argc, char **argv);

/*
 * Write a unified diff of two texts, line by line, to f. Names label the
 * two sides; color adds ANSI colours for a terminal. Returns the number
 * of changed hunks.
 */
int tm_diff_unified(FILE *f, const char *a, size_t alen, const char *b,
    size_t blen, const char *name_a, const char *name_b, int color);

#endif
