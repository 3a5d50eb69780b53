/*
 * config.h - the daemon's configuration (`textmend serve --config FILE`).
 *
 * A tm_config is built whole by tm_config_load() and never changed after
 * that; a reload builds a new one and swaps it in. Jobs hold a reference
 * (tm_config_ref/unref, loop thread only), so a job that started under the
 * old filter chain finishes with it.
 */
#ifndef TEXTMEND_DAEMON_CONFIG_H
#define TEXTMEND_DAEMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tm_chain;

enum tm_archive {
	TM_ARCHIVE_NONE,	/* remove the input once cleaned */
	TM_ARCHIVE_KEEP,	/* move it to the archive folder */
	TM_ARCHIVE_GZIP		/* gzip it into the archive folder */
};

/* Files in inbox/NAME/ are cleaned with this chain instead. */
struct tm_profile {
	char *name;
	struct tm_chain *chain;
};

struct tm_config {
	int refs;
	char *file;		/* the file it came from, or NULL */
	char *inbox, *outbox, *failed, *reports, *work, *archive, *socket;
	unsigned workers;	/* jobs on the threadpool at once */
	unsigned queue;		/* names known but not yet claimed, at most */
	uint64_t settle_ms;	/* in-place writes: unchanged this long */
	uint64_t rescan_ms;	/* safety listing of the inbox */
	uint64_t summary_ms;	/* periodic summary log line, 0 off */
	uint64_t max_size;	/* larger inputs fail with too-large */
	int sync;		/* fsync outputs (off only for tests/bench) */
	enum tm_archive archive_mode;
	long admin_uid, admin_gid;	/* -1: none besides root and us */
	struct tm_chain *chain;
	struct tm_profile *profiles;
	size_t nprofiles;
};

/*
 * Read `file` (NULL: defaults only, paths in the current folder). On error
 * returns TM_ECONF or -errno and writes "FILE:LINE: key: why" to err.
 */
int tm_config_load(struct tm_config **out, const char *file, char *err,
    size_t errlen);

struct tm_config *tm_config_ref(struct tm_config *c);
void tm_config_unref(struct tm_config *c);

/* The profile for a subfolder name, or NULL. */
const struct tm_profile *tm_config_profile(const struct tm_config *c,
    const char *name, size_t len);

/* Parse "250ms", "2s", "1m", "3" (seconds). 0 or TM_ECONF. */
int tm_config_parse_ms(const char *s, uint64_t *out);

/* Parse "64M", "1G", "4096". 0 or TM_ECONF. */
int tm_config_parse_size(const char *s, uint64_t *out);

#endif
