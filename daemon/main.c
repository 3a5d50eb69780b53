/*
 * main.c - the textmend program: argv and subcommands.
 *
 *   textmend clean [OPTIONS] [FILE...]    one-shot cleaning (clean.c)
 *   textmend filters                      list filters and their options
 *   textmend serve [--config FILE]        the inbox daemon (serve.c)
 *   textmend status|stats|recent|pause|resume|reload|rescan
 *                                         ask the daemon (client.c)
 *
 * Exit status: 0 success, 1 an input could not be cleaned, 2 usage error,
 * 3 the daemon is not running (client commands).
 * Only this file and config loading may call exit().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "textmend/filter.h"
#include "textmend/version.h"
#include "cli.h"
#include "daemon.h"
#include "fileio.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: textmend COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Commands:\n"
	    "  clean [OPTIONS] [FILE...]   clean files (or stdin) to UTF-8\n"
	    "  filters                     list the filters and their options\n"
	    "  serve [--config FILE]       watch an inbox and clean what arrives\n"
	    "        [--check]             (or only check the config)\n"
	    "  status | stats              ask the running daemon how it does\n"
	    "  recent [N]                  the last N files it handled\n"
	    "  pause | resume | reload | rescan\n"
	    "                              control the daemon (admin)\n"
	    "\n"
	    "'textmend COMMAND --help' describes a command.\n");
}

static int
list_filters(void)
{
	const struct tm_filter_type *const *f;
	const struct tm_option_desc *o;
	static const char *const kinds[] = { "on|off", "N", "", "TEXT" };

	for (f = tm_filters; *f != NULL; f++) {
		printf("%-9s %s%s\n", (*f)->name, (*f)->summary,
		    (*f)->on_by_default ? "" : " (off by default)");
		for (o = (*f)->options; o != NULL && o->name != NULL; o++)
			printf("    %s.%s=%s  %s (default %s)\n", (*f)->name,
			    o->name, o->kind == TM_OPT_ENUM ? o->choices :
			    kinds[o->kind], o->summary, o->def);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd;

#ifdef __GLIBC__
	/*
	 * glibc gives freed heap back to the kernel once 128 KiB sit free at
	 * the top, and serves blocks over its mmap threshold with a mapping
	 * of their own: the filters' per-file buffers grow and shrink past
	 * both on every file, so each file paid for brk or mmap and for the
	 * page faults (and TLB shootdowns between threads) again. Setting
	 * one threshold turns off glibc's adjusting of the other: set both.
	 */
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
	tm_fileio_init();
	if (argc < 2) {
		usage(stderr);
		return TM_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "clean") == 0)
		return tm_cmd_clean(argc - 1, argv + 1);
	if (strcmp(cmd, "filters") == 0)
		return list_filters();
	if (strcmp(cmd, "serve") == 0)
		return tm_cmd_serve(argc - 1, argv + 1);
	{
		static const char *const client_cmds[] = { "status", "stats",
		    "recent", "pause", "resume", "reload", "rescan", NULL };
		const char *const *k;

		for (k = client_cmds; *k != NULL; k++)
			if (strcmp(cmd, *k) == 0)
				return tm_cmd_client(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("textmend %s\n", TM_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "textmend: unknown command '%s'\n", cmd);
	usage(stderr);
	return TM_EXIT_USAGE;
}
