/*
 * fileio.h - output files that appear whole or not at all.
 *
 * An outfile is written under a temporary name beside its final name
 * (".NAME.XXXXXX.part", which the daemon's inbox rules ignore), then
 * fsynced and renamed into place, and the folder is fsynced, so a reader
 * never sees half a file and a crash leaves either the old file or the new
 * one. Used by `clean -o/--outdir` and by the daemon's jobs.
 */
#ifndef TEXTMEND_FILEIO_H
#define TEXTMEND_FILEIO_H

#include <stddef.h>

struct tm_outfile {
	int fd;
	char *path;		/* final name */
	char *tmp;		/* temporary name */
	size_t written;
	int err;		/* first write error (-errno), sticky */
};

/* What tm_outfile_commit makes durable. */
#define TM_SYNC_FILE	1	/* fsync the file before its rename */
#define TM_SYNC_DIR	2	/* fsync its folder after the rename */
#define TM_SYNC_ALL	(TM_SYNC_FILE | TM_SYNC_DIR)

/* Read the process's umask, once, while it has a single thread: reading
   it means setting it, which would race with threads creating files. */
void tm_fileio_init(void);

/* Create the temporary file for `path` with mode 0666 & ~umask. */
int tm_outfile_open(struct tm_outfile *of, const char *path);

/* Write all of p; errors are remembered and returned by commit too. */
int tm_outfile_write(struct tm_outfile *of, const void *p, size_t n);

/* fsync (TM_SYNC_FILE), close, rename to the final name, fsync the
   folder (TM_SYNC_DIR): tm_outfile_close() then tm_outfile_publish().
   A caller that leaves out TM_SYNC_DIR must fsync the folder itself
   before it relies on the new name. On any failure before the rename
   the temporary file is removed. */
int tm_outfile_commit(struct tm_outfile *of, int sync);

/* The two halves of commit, for a caller that makes many files durable
   at once (the daemon: one syncfs for a batch, see job.c) before it
   renames them. close: fsync if TM_SYNC_FILE, close, keep the
   temporary name. publish: rename a closed outfile into place, fsync
   the folder if TM_SYNC_DIR. Either removes the temporary file when it
   fails. */
int tm_outfile_close(struct tm_outfile *of, int sync);
int tm_outfile_publish(struct tm_outfile *of, int sync);

/* Close and remove the temporary file. Safe after commit or on a zeroed
   or never-opened outfile. */
void tm_outfile_abort(struct tm_outfile *of);

/* fsync the folder that holds path, or the folder dir. 0 or -errno. */
int tm_fsync_dir_of(const char *path);
int tm_fsync_dir(const char *dir);

/* write(2) until done, retrying on EINTR. 0 or -errno. */
int tm_write_all(int fd, const void *p, size_t n);

#endif
