/*
 * job.c - one file's way from the inbox to the outbox (or to failed/).
 *
 * On the loop thread, tm_job_start() claims the file by rename() into the
 * work folder: whoever renames first owns it, so several daemons may share
 * an inbox. The work function then runs on the libuv threadpool:
 *
 *   lstat the claimed name (never following links) and refuse what is not
 *   a regular file; open it O_NOFOLLOW|O_NONBLOCK and check it is the
 *   same file; stream it through tm_clean_fd() into a temporary name
 *   for outbox/NAME (.gz dropped) and write reports/NAME.json under one
 *   too; gzip the input into the archive if asked to.
 *
 * Then the group commit (below) makes every file cleaned since the last
 * one durable with one syncfs, renames each report and then its output
 * into place (an output never appears without its report, unless that
 * could not be written for another reason than a full disk), fsyncs their
 * folders once, and hands the batch to the let-go stage, which removes
 * the inputs or moves them to the archive.
 *
 * A file that cannot be cleaned goes to failed/NAME with
 * failed/NAME.error.json beside it ({"file","reason","error"}), the
 * error file first, so a crash in between leaves the input in the work
 * folder to be tried again rather than a failure without a reason. A full
 * disk (ENOSPC, EDQUOT) or lack of memory is not the file's fault: the
 * input goes back to the inbox and the daemon backs off.
 *
 * The outbox name is a function of the input name, so a file cleaned
 * again after a crash replaces its earlier output instead of duplicating
 * it. The work function touches no daemon state; its results travel back
 * in the job to the after-work callback on the loop thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "daemon.h"
#include "fileio.h"
#include "log.h"

struct tm_job {
	uv_work_t req;
	struct tm_daemon *d;
	struct tm_entry *e;
	struct tm_config *cfg;		/* referenced for the job's life */
	const struct tm_chain *chain;
	char *rel;			/* name under inbox/ and work/ */
	char *outrel;			/* name under outbox/ (.gz dropped) */
	uint64_t seen_ns;

	/* Results, written by the work function. */
	enum tm_outcome outcome;
	char reason[24];
	char error[256];
	uint64_t in, out;
	struct tm_report *report;
	int archive_rc;			/* gzip into the archive failed */
	/* Written and closed by the worker, put in place by the commit. */
	struct tm_outfile output;
	struct tm_outfile rep;		/* tmp NULL: no report */

	struct tm_job *next;		/* in a commit or let-go queue */
	int sync_rc;			/* the batch's syncfs or folder fsync */
	uint64_t seq;			/* its number in d->job_seq */
};

struct sink {
	struct tm_outfile *of;
	int err;
};

static int
write_sink(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;
	int rc = tm_outfile_write(s->of, p, n);

	if (rc != 0 && s->err == 0)
		s->err = rc;
	return rc;
}

static int
no_room(int rc)
{
	return rc == -ENOSPC || rc == -EDQUOT || rc == -ENOMEM;
}

static void
job_error(struct tm_job *j, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
job_error(struct tm_job *j, const char *reason, const char *fmt, ...)
{
	va_list ap;

	snprintf(j->reason, sizeof(j->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(j->error, sizeof(j->error), fmt, ap);
	va_end(ap);
	j->outcome = TM_OUT_FAILED;
}

/* Write text to path through a tm_outfile. */
static int
write_whole(const char *path, const char *text, size_t len, int sync)
{
	struct tm_outfile of;
	int rc;

	if ((rc = tm_outfile_open(&of, path)) != 0)
		return rc;
	if ((rc = tm_outfile_write(&of, text, len)) != 0 ||
	    (rc = tm_outfile_commit(&of, sync)) != 0) {
		tm_outfile_abort(&of);
		return rc;
	}
	return 0;
}

/* A file's report as one line of JSON, written under a temporary name
   for path and closed; the commit puts it in place. */
static int
write_report(const struct tm_report *report, struct tm_outfile *of,
    const char *path)
{
	struct tm_buf json;
	int rc;

	tm_buf_init(&json, TM_BUF_DEFAULT_MAX);
	if ((rc = tm_report_json(report, &json)) == 0 &&
	    (rc = tm_buf_putc(&json, '\n')) == 0 &&
	    (rc = tm_outfile_open(of, path)) == 0 &&
	    (rc = tm_outfile_write(of, json.ptr, json.len)) == 0)
		rc = tm_outfile_close(of, 0);
	if (rc != 0)
		tm_outfile_abort(of);
	tm_buf_release(&json);
	return rc;
}

/* gzip src into dest (a new file), for `archive = gzip`. */
static int
gzip_to(const char *src, const char *dest, int sync)
{
	struct tm_outfile of;
	unsigned char in[65536], out[65536];
	z_stream z;
	ssize_t n;
	int fd, rc = 0, flush, zrc;

	if ((fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	if ((rc = tm_outfile_open(&of, dest)) != 0) {
		close(fd);
		return rc;
	}
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		close(fd);
		tm_outfile_abort(&of);
		return -ENOMEM;
	}
	do {
		n = read(fd, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = in;
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			zrc = deflate(&z, flush);
			if (zrc == Z_STREAM_ERROR) {
				rc = TM_EZLIB;
				break;
			}
			rc = tm_outfile_write(&of, out,
			    sizeof(out) - z.avail_out);
		} while (rc == 0 && z.avail_out == 0);
	} while (rc == 0 && n != 0);
	deflateEnd(&z);
	close(fd);
	if (rc == 0)
		rc = tm_outfile_commit(&of, sync);
	if (rc != 0)
		tm_outfile_abort(&of);
	return rc;
}

/*
 * Move the claimed input to failed/ with its reason. Folders cannot
 * replace folders, so a name already taken there by one gets a suffix.
 */
static void
fail_input(struct tm_job *j, const char *src)
{
	const struct tm_config *c = j->cfg;
	char dest[PATH_MAX], errpath[PATH_MAX];
	struct stat a, b;
	json_t *o;
	char *text;
	int i, rc;

	(void)tm_path(dest, sizeof(dest), "%s/%s", c->failed, j->rel);
	if (lstat(src, &a) == 0 && lstat(dest, &b) == 0 &&
	    (S_ISDIR(a.st_mode) || S_ISDIR(b.st_mode)))
		for (i = 1; i < 1000; i++) {
			(void)tm_path(dest, sizeof(dest), "%s/%s.%d", c->failed,
			    j->rel, i);
			if (lstat(dest, &b) != 0)
				break;
		}
	(void)tm_path(errpath, sizeof(errpath), "%s.error.json", dest);
	o = json_object();
	json_object_set_new(o, "file", tm_json_name(j->rel));
	json_object_set_new(o, "reason", json_string(j->reason));
	json_object_set_new(o, "error", tm_json_name(j->error));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		rc = -ENOMEM;
	else {
		struct tm_buf tb;

		tm_buf_init(&tb, TM_BUF_DEFAULT_MAX);
		if ((rc = tm_buf_puts(&tb, text)) == 0 &&
		    (rc = tm_buf_putc(&tb, '\n')) == 0)
			rc = write_whole(errpath, tb.ptr, tb.len,
			    c->sync ? TM_SYNC_ALL : 0);
		tm_buf_release(&tb);
		free(text);
	}
	if (rc == 0 && rename(src, dest) != 0)
		rc = -errno;
	if (rc != 0) {
		if (no_room(rc)) {
			j->outcome = TM_OUT_RETRY;
			(void)tm_path(j->error, sizeof(j->error), "%s: %s",
			    errpath, strerror(-rc));
		} else
			tm_log(TM_LOG_ERR, "cannot move a failed input to "
			    "%s: %s; it stays in the work folder", dest,
			    strerror(-rc));
		return;
	}
	(void)tm_fsync_dir_of(dest);
}

/*
 * rename() that never replaces a file: inputs of the same name moving
 * between the inbox and the work folder must not overwrite each other.
 * A filesystem that cannot promise it (EINVAL: some network ones) gets
 * a plain rename.
 */
static int
rename_noreplace(const char *src, const char *dest)
{
	if (renameat2(AT_FDCWD, src, AT_FDCWD, dest, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	return rename(src, dest) == 0 ? 0 : -errno;
}

/*
 * Not enough room, or the disk failed: give the input back to the inbox
 * for later. If a new file of that name was dropped there meanwhile,
 * this one stays in the work folder, where a listing finds it again.
 */
static void
retry_input(struct tm_job *j, const char *src, int rc)
{
	char dest[PATH_MAX];

	j->outcome = TM_OUT_RETRY;
	snprintf(j->reason, sizeof(j->reason), "%s",
	    rc == -ENOMEM ? "no-memory" : no_room(rc) ? "no-space" :
	    "io-error");
	(void)tm_path(dest, sizeof(dest), "%s/%s", j->cfg->inbox, j->rel);
	if ((rc = rename_noreplace(src, dest)) != 0)
		tm_log(TM_LOG_ERR, "cannot return %s to the inbox: %s; it "
		    "stays in the work folder", j->rel, rc == -EEXIST ?
		    "a new file of that name is there" : strerror(-rc));
}

static void
work(uv_work_t *req)
{
	struct tm_job *j = req->data;
	const struct tm_config *c = j->cfg;
	char src[PATH_MAX], path[PATH_MAX];
	struct tm_diag diag;
	struct stat st, fst;
	struct sink s;
	int fd = -1, rc;

	memset(&s, 0, sizeof(s));
	s.of = &j->output;
	tm_diag_clear(&diag);
	j->outcome = TM_OUT_CLEANED;
	(void)tm_path(src, sizeof(src), "%s/%s", c->work, j->rel);
	if (lstat(src, &st) != 0) {
		if (errno == ENOENT) {
			j->outcome = TM_OUT_GONE;
			goto out;
		}
		job_error(j, "unreadable", "lstat: %s", strerror(errno));
		goto fail;
	}
	if (S_ISLNK(st.st_mode)) {
		job_error(j, "symlink", "symbolic links are never followed");
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		job_error(j, "folder", "a folder, not a file");
		goto fail;
	}
	if (S_ISFIFO(st.st_mode)) {
		job_error(j, "fifo", "a named pipe, not a file");
		goto fail;
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		job_error(j, "device", "a device, not a file");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		job_error(j, "special", "not a regular file");
		goto fail;
	}
	j->in = (uint64_t)st.st_size;
	if ((uint64_t)st.st_size > c->max_size) {
		job_error(j, "too-large", "%llu bytes, over the limit of %llu",
		    (unsigned long long)st.st_size,
		    (unsigned long long)c->max_size);
		goto fail;
	}
	fd = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd < 0 || fstat(fd, &fst) != 0) {
		job_error(j, errno == ELOOP ? "symlink" : "unreadable",
		    "open: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(fst.st_mode) || fst.st_ino != st.st_ino ||
	    fst.st_dev != st.st_dev) {
		job_error(j, "unreadable", "the file changed while opened");
		goto fail;
	}
	if ((j->report = tm_report_new(j->rel)) == NULL) {
		retry_input(j, src, -ENOMEM);
		goto out;
	}
	(void)tm_path(path, sizeof(path), "%s/%s", c->outbox, j->outrel);
	if ((rc = tm_outfile_open(&j->output, path)) != 0) {
		if (no_room(rc)) {
			retry_input(j, src, rc);
			goto out;
		}
		job_error(j, "output", "%s: %s", path, strerror(-rc));
		goto fail;
	}
	rc = tm_clean_fd(j->chain, fd, j->report, write_sink, &s, &diag);
	if (rc == 0)
		rc = tm_outfile_close(&j->output, 0);
	if (rc != 0) {
		if (s.err != 0)
			rc = s.err;
		tm_outfile_abort(&j->output);
		if (no_room(rc)) {
			retry_input(j, src, rc);
			goto out;
		}
		job_error(j, rc == TM_EBINARY ? "binary" :
		    rc == TM_ELIMIT ? "limit" :
		    rc == TM_EDATA || rc == TM_EICU ? "decode" :
		    rc == TM_EZLIB ? "gzip" : s.err != 0 ? "output" :
		    "unreadable", "%s", diag.msg[0] ? diag.msg :
		    tm_strerror(rc));
		goto fail;
	}
	j->out = tm_report_output_size(j->report);
	/* The report, beside the outbox. One that cannot be written does
	   not hold back the output, but a full disk is retried. */
	(void)tm_path(path, sizeof(path), "%s/%s.json", c->reports, j->outrel);
	if ((rc = write_report(j->report, &j->rep, path)) != 0) {
		if (no_room(rc)) {
			tm_outfile_abort(&j->output);
			retry_input(j, src, rc);
			goto out;
		}
		tm_log(TM_LOG_WARNING, "report %s: %s", path,
		    tm_strerror(rc));
	}
	close(fd);
	fd = -1;
	/* A gzip archive is written now, on a worker; the input is let go
	   of after the commit, as in the other archive modes. */
	if (c->archive_mode == TM_ARCHIVE_GZIP &&
	    strcmp(j->rel, j->outrel) == 0) {
		(void)tm_path(path, sizeof(path), "%s/%s.gz", c->archive,
		    j->rel);
		j->archive_rc = gzip_to(src, path, c->sync ? TM_SYNC_ALL : 0);
	}
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	fd = -1;
	fail_input(j, src);
out:
	if (fd >= 0)
		close(fd);
}

/*
 * Give a file back to the inbox a reload moved to. A file of the same
 * name dropped there since is not replaced (except on a filesystem
 * without RENAME_NOREPLACE, see rename_noreplace()): the old one stays
 * where it is and the log says so. A file that is not in the old inbox
 * (a job whose no-room path left it in the work folder) has nothing to
 * move.
 */
static void
move_to_inbox(struct tm_job *j, const char *inbox)
{
	char src[PATH_MAX], dest[PATH_MAX], name[512];
	int rc;

	if (tm_path(src, sizeof(src), "%s/%s", j->cfg->inbox, j->rel) != 0 ||
	    tm_path(dest, sizeof(dest), "%s/%s", inbox, j->rel) != 0) {
		tm_log(TM_LOG_WARNING, "\"%s\" stays in the old inbox %s: "
		    "path too long", tm_log_name(j->rel, name, sizeof(name)),
		    j->cfg->inbox);
		return;
	}
	if ((rc = rename_noreplace(src, dest)) == 0 || rc == -ENOENT)
		return;
	tm_log(TM_LOG_WARNING, "\"%s\" stays in the old inbox %s: %s",
	    tm_log_name(j->rel, name, sizeof(name)), j->cfg->inbox,
	    rc == -EEXIST ? "a file of that name is in the new inbox" :
	    strerror(-rc));
}

/*
 * A job that started before a reload moved the work folder and left its
 * file there (it could not be moved to failed/): that folder is no longer
 * listed, so say where the file is.
 */
static void
report_old_work(struct tm_job *j)
{
	char path[PATH_MAX], name[512];
	struct stat st;

	if (tm_path(path, sizeof(path), "%s/%s", j->cfg->work, j->rel) == 0 &&
	    lstat(path, &st) != 0)
		return;
	tm_log(TM_LOG_WARNING, "\"%s\" is left in the old work folder %s, "
	    "which is no longer listed; move it to the inbox to clean it",
	    tm_log_name(j->rel, name, sizeof(name)), j->cfg->work);
}

static void let_go_fs(struct tm_daemon *, const struct tm_config *);

/* The job is over: statistics, log, and its memory. */
static void
finish_job(struct tm_job *j)
{
	struct tm_daemon *d = j->d;

	d->inflight--;
	/* Given back to an inbox a reload has since moved away from. */
	if (j->outcome == TM_OUT_RETRY &&
	    strcmp(j->cfg->inbox, d->cfg->inbox) != 0)
		move_to_inbox(j, d->cfg->inbox);
	if (strcmp(j->cfg->work, d->cfg->work) != 0)
		report_old_work(j);
	tm_serve_done(d, j->rel, j->outcome, j->reason[0] ? j->reason :
	    NULL, j->in, j->out, j->seen_ns, j->report);
	if (j->outcome == TM_OUT_FAILED || j->outcome == TM_OUT_RETRY) {
		char name[512];

		tm_log(j->outcome == TM_OUT_FAILED ? TM_LOG_WARNING :
		    TM_LOG_ERR, "%s \"%s\": %s: %s", j->outcome ==
		    TM_OUT_FAILED ? "failed" : "will retry",
		    tm_log_name(j->rel, name, sizeof(name)), j->reason,
		    j->error);
	}
	/* a reload while files were in flight: they are done now */
	if (d->inflight == 0 && d->syncfs_let_go)
		let_go_fs(d, d->cfg);
	tm_watch_forget(d, j->e);
	tm_outfile_abort(&j->rep);	/* nothing left if it was put in place */
	tm_outfile_abort(&j->output);
	tm_report_free(j->report);
	tm_config_unref(j->cfg);
	free(j->rel);
	free(j->outrel);
	free(j);
}

/*
 * The group commit. A worker leaves a cleaned file's output and report
 * closed under their temporary names; the commit makes every file that
 * reached it since the last one durable at once: one syncfs() for each
 * filesystem they are on writes all their data (and the folders'
 * pending entries) and flushes the disk's cache once, where an fsync of
 * each file would flush it twice a file. Then it renames them into
 * place, report first, fsyncs their folders once each, and only then
 * lets the inputs go (below). A crash at any point leaves the input in
 * the work folder, to be cleaned again into the same names; a temporary
 * file left behind is removed at start.
 * On an idle daemon a batch is one file, committed at once; while
 * workers are busy, a batch is committed when COMMIT_BATCH files wait
 * or the first has waited COMMIT_WAIT_MS, and it takes every file
 * finished while the last commit ran.
 */
#define COMMIT_DIRS 8		/* distinct folders remembered per batch */
#define COMMIT_BATCH 16
#define COMMIT_WAIT_MS 5

/* What a batch did to a folder and its filesystem, so it does it once. */
struct folder {
	char dir[PATH_MAX];
	dev_t dev;
	int fs_rc;		/* syncfs of the filesystem */
	int dir_rc;		/* fsync of the folder; 1: not yet */
};

struct batch {
	struct tm_daemon *d;
	struct folder f[COMMIT_DIRS];
	size_t n;
	int sync;		/* syncfs the filesystems */
};

/* The descriptor kept for filesystem dev, or -1; syncfs_lock held. */
static int
find_fs(const struct tm_daemon *d, dev_t dev)
{
	size_t i;

	for (i = 0; i < d->nsyncfs; i++)
		if (d->syncfs[i].dev == dev)
			return d->syncfs[i].fd;
	return -1;
}

/*
 * The descriptor kept for the filesystem of folder dir (dev: what a stat
 * of dir said), else dir opened now and kept from then on. syncfs()
 * reports a write error on a filesystem once to each open descriptor,
 * and to one opened later not at all: a descriptor per batch would miss
 * an error that an earlier syncfs, another process's or the kernel's own
 * writeback met first. A new one is kept under the device its fstat
 * gives (a mount may have come or gone since the stat), and opened
 * outside the lock, so that a folder on a stalled filesystem stalls only
 * the thread asking. When the table is full, dir is opened for this once
 * and *own set (the caller closes it). -errno when it cannot be opened.
 * The commit thread and the loop thread (start, reload) both come here;
 * the loop closes descriptors only while no file is in flight, so none
 * in use by a commit (let_go_fs()).
 */
static int
kept_fs(struct tm_daemon *d, const char *dir, dev_t dev, int *own)
{
	struct stat st;
	int fd, kept, warn = 0;

	*own = 0;
	uv_mutex_lock(&d->syncfs_lock);
	kept = find_fs(d, dev);
	uv_mutex_unlock(&d->syncfs_lock);
	if (kept >= 0)
		return kept;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		kept = -errno;
		close(fd);
		return kept;
	}
	uv_mutex_lock(&d->syncfs_lock);
	if ((kept = find_fs(d, st.st_dev)) < 0 &&
	    d->nsyncfs < TM_SYNCFS_MAX) {
		d->syncfs[d->nsyncfs].dev = st.st_dev;
		d->syncfs[d->nsyncfs].fd = kept = fd;
		d->nsyncfs++;
	}
	if (kept < 0 && !d->syncfs_full_logged)
		warn = d->syncfs_full_logged = 1;
	uv_mutex_unlock(&d->syncfs_lock);
	if (warn)
		tm_log(TM_LOG_WARNING, "more than %d filesystems to sync; "
		    "those beyond are opened for each commit, which may miss "
		    "a write error found before it", TM_SYNCFS_MAX);
	if (kept < 0) {
		*own = 1;
		return fd;
	}
	if (kept != fd)
		close(fd);	/* the other thread kept one meanwhile */
	return kept;
}

/* Keep the filesystem of folder open (kept_fs()). */
static void
keep_folder_fs(struct tm_daemon *d, const char *folder)
{
	struct stat st;
	int fd, own;

	if (stat(folder, &st) == 0 &&
	    (fd = kept_fs(d, folder, st.st_dev, &own)) >= 0 && own)
		close(fd);
}

/*
 * Close the kept descriptors of the filesystems c's outbox and reports
 * are not on. Only with no file in flight: then no commit runs, and no
 * file waits to be synced on the others. Nothing is closed when either
 * folder cannot be looked at.
 */
static void
let_go_fs(struct tm_daemon *d, const struct tm_config *c)
{
	struct stat out, rep;
	size_t i, n;

	d->syncfs_let_go = 0;
	if (stat(c->outbox, &out) != 0 || stat(c->reports, &rep) != 0)
		return;
	uv_mutex_lock(&d->syncfs_lock);
	for (i = n = 0; i < d->nsyncfs; i++)
		if (d->syncfs[i].dev == out.st_dev ||
		    d->syncfs[i].dev == rep.st_dev)
			d->syncfs[n++] = d->syncfs[i];
		else
			close(d->syncfs[i].fd);
	d->nsyncfs = n;
	d->syncfs_full_logged = 0;
	uv_mutex_unlock(&d->syncfs_lock);
}

void
tm_commit_keep_fs(struct tm_daemon *d, const struct tm_config *c)
{
	keep_folder_fs(d, c->outbox);
	keep_folder_fs(d, c->reports);
	if (d->inflight == 0)
		let_go_fs(d, c);
	else
		d->syncfs_let_go = 1;	/* when the last file is done */
}

void
tm_commit_close(struct tm_daemon *d)
{
	while (d->nsyncfs > 0)
		close(d->syncfs[--d->nsyncfs].fd);
}

/*
 * The folder of path in the batch, added if new (its filesystem synced
 * if the batch syncs, once: a folder on a filesystem met before takes
 * that one's result). When the table is full the last entry is reused:
 * correct, only done more than once.
 */
static struct folder *
batch_folder(struct batch *b, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t i, len = slash != NULL ? (size_t)(slash - path) : 1;
	struct folder *f;
	struct stat st;
	int fd, own;

	for (i = 0; i < b->n; i++)
		if (strncmp(b->f[i].dir, slash != NULL ? path : ".", len) ==
		    0 && b->f[i].dir[len] == '\0')
			return &b->f[i];
	f = &b->f[b->n < COMMIT_DIRS ? b->n++ : COMMIT_DIRS - 1];
	memcpy(f->dir, slash != NULL ? path : ".", len);
	f->dir[len] = '\0';
	f->dir_rc = 1;
	f->fs_rc = 0;
	f->dev = 0;
	if (!b->sync)
		return f;
	if (stat(f->dir, &st) != 0) {
		f->fs_rc = -errno;
		return f;
	}
	f->dev = st.st_dev;
	for (i = 0; i < b->n; i++)
		if (&b->f[i] != f && b->f[i].dev == f->dev) {
			f->fs_rc = b->f[i].fs_rc;
			return f;
		}
	if ((fd = kept_fs(b->d, f->dir, f->dev, &own)) < 0)
		f->fs_rc = fd;
	else if (syncfs(fd) != 0)
		f->fs_rc = -errno;
	if (fd >= 0 && own)
		close(fd);
	return f;
}

/* fsync the folder of path once per batch; its result. */
static int
batch_fsync_folder(struct batch *b, const char *path)
{
	struct folder *f = batch_folder(b, path);

	if (f->dir_rc == 1)
		f->dir_rc = tm_fsync_dir(f->dir);
	return f->dir_rc;
}

/* Put a cleaned file's report and output in place. */
static int
publish(struct tm_job *j)
{
	char rpath[PATH_MAX], name[512];
	int rc, have_rep = 0;

	if (j->rep.tmp != NULL) {
		(void)tm_path(rpath, sizeof(rpath), "%s", j->rep.path);
		if ((rc = tm_outfile_publish(&j->rep, 0)) == 0)
			have_rep = 1;
		else if (no_room(rc))
			return rc;	/* finish_job drops the output */
		else
			tm_log(TM_LOG_WARNING, "report for \"%s\": %s",
			    tm_log_name(j->rel, name, sizeof(name)),
			    strerror(-rc));
	}
	if ((rc = tm_outfile_publish(&j->output, 0)) != 0 && have_rep)
		(void)unlink(rpath);
	return rc;
}

/* On a worker: make the batch durable and put it in place. The loop
   leaves d->commit.batch alone until after_commit. */
static void
commit_work(uv_work_t *req)
{
	struct tm_daemon *d = req->data;
	struct batch b;
	char src[PATH_MAX], path[PATH_MAX];
	struct tm_job *j;
	const struct tm_config *c;
	int rc;

	memset(&b, 0, sizeof(b));
	b.d = d;
	for (j = d->commit.batch; j != NULL; j = j->next) {
		b.sync |= j->cfg->sync;
		j->sync_rc = 0;
	}
	/* The data of every file, on disk before any of them is renamed. A
	   write error is not tied to a file: it may have hit any file
	   written since the last syncfs, so every job started by then is
	   cleaned again, in this batch or a later one. */
	for (j = d->commit.batch; b.sync && j != NULL; j = j->next) {
		if (!j->cfg->sync)
			continue;
		j->sync_rc = batch_folder(&b, j->output.path)->fs_rc;
		if (j->sync_rc == 0 && j->rep.tmp != NULL)
			j->sync_rc = batch_folder(&b, j->rep.path)->fs_rc;
		if (j->sync_rc != 0)
			d->suspect_below = atomic_load(&d->job_seq);
	}
	for (j = d->commit.batch; j != NULL; j = j->next)
		if (j->cfg->sync && j->sync_rc == 0 &&
		    j->seq < d->suspect_below)
			j->sync_rc = -EIO;
	for (j = d->commit.batch; j != NULL; j = j->next) {
		c = j->cfg;
		(void)tm_path(src, sizeof(src), "%s/%s", c->work, j->rel);
		if (j->sync_rc != 0) {
			tm_outfile_abort(&j->rep);
			tm_outfile_abort(&j->output);
			snprintf(j->error, sizeof(j->error), "syncfs of the "
			    "outbox or reports: %s", strerror(-j->sync_rc));
			retry_input(j, src, j->sync_rc);
			continue;
		}
		if ((rc = publish(j)) == 0)
			continue;
		(void)tm_path(path, sizeof(path), "%s/%s", c->outbox,
		    j->outrel);
		if (no_room(rc)) {
			snprintf(j->error, sizeof(j->error), "rename into "
			    "the outbox: %s", strerror(-rc));
			retry_input(j, src, rc);
		} else {
			job_error(j, "output", "%s: %s", path, strerror(-rc));
			fail_input(j, src);
		}
	}
	/* The new names, on disk before any input is let go. */
	for (j = d->commit.batch; j != NULL; j = j->next) {
		c = j->cfg;
		if (!c->sync || j->outcome != TM_OUT_CLEANED)
			continue;
		(void)tm_path(path, sizeof(path), "%s/%s", c->outbox,
		    j->outrel);
		j->sync_rc = batch_fsync_folder(&b, path);
		(void)tm_path(path, sizeof(path), "%s/%s.json", c->reports,
		    j->outrel);
		if ((rc = batch_fsync_folder(&b, path)) != 0 &&
		    j->sync_rc == 0)
			j->sync_rc = rc;
		if (j->sync_rc == 0)
			continue;
		/* Not known to be on disk: clean it again later. */
		(void)tm_path(src, sizeof(src), "%s/%s", c->work, j->rel);
		snprintf(j->error, sizeof(j->error), "fsync of the outbox or "
		    "reports folder: %s", strerror(-j->sync_rc));
		retry_input(j, src, j->sync_rc);
	}
}

/*
 * Letting go of the inputs of a committed batch: removed, or moved to
 * the archive. Removing a file whose data has reached the disk costs
 * this kind of filesystem more than creating one, so it is a stage of
 * its own, on the threadpool while the next commit runs. A job finishes
 * (its name is forgotten, so a new file of that name can be claimed into
 * the work folder) only when its input is gone; a crash before leaves
 * the input to be cleaned again into the same names.
 */
static void
letgo_work(uv_work_t *req)
{
	struct tm_daemon *d = req->data;
	char src[PATH_MAX], path[PATH_MAX];
	struct tm_job *j;
	const struct tm_config *c;
	int rc;

	for (j = d->letgo.batch; j != NULL; j = j->next) {
		c = j->cfg;
		(void)tm_path(src, sizeof(src), "%s/%s", c->work, j->rel);
		/* Kept as it is, or removed: the gzip archive of an input
		   that was not gzip already is written by then. */
		if ((rc = j->archive_rc) == 0 &&
		    (c->archive_mode == TM_ARCHIVE_KEEP ||
		    (c->archive_mode == TM_ARCHIVE_GZIP &&
		    strcmp(j->rel, j->outrel) != 0))) {
			(void)tm_path(path, sizeof(path), "%s/%s", c->archive,
			    j->rel);
			rc = rename(src, path) != 0 ? -errno : 0;
		} else if (rc == 0)
			rc = unlink(src) != 0 ? -errno : 0;
		if (rc != 0)
			tm_log(TM_LOG_WARNING, "archiving %s: %s; it stays in "
			    "the work folder and will be cleaned again",
			    j->rel, tm_strerror(rc));
	}
}

/* Queue j on the stage st. */
static void
stage_push(struct tm_stage *st, struct tm_job *j)
{
	j->next = NULL;
	*st->tail = j;
	st->tail = &j->next;
	st->n++;
}

/* Hand every job waiting on st to the threadpool as one batch, unless
   a batch of st is there already. */
static void
stage_start(struct tm_daemon *d, struct tm_stage *st, uv_work_cb run,
    uv_after_work_cb after)
{
	if (st->batch != NULL || st->head == NULL)
		return;
	st->req.data = d;
	st->batch = st->head;
	st->head = NULL;
	st->tail = &st->head;
	st->n = 0;
	if (uv_queue_work(d->loop, &st->req, run, after) != 0) {
		/* Cannot fail with a valid loop and callbacks; if it ever
		   does, run it right here rather than lose track. */
		run(&st->req);
		after(&st->req, 0);
	}
}

/* The batch of st is back from the threadpool: take it off st. */
static struct tm_job *
stage_done(struct tm_stage *st)
{
	struct tm_job *batch = st->batch;

	st->batch = NULL;
	return batch;
}

static void commit_maybe(struct tm_daemon *d);

static void
after_letgo(uv_work_t *req, int status)
{
	struct tm_daemon *d = req->data;
	struct tm_job *j, *next;

	(void)status;
	for (j = stage_done(&d->letgo); j != NULL; j = next) {
		next = j->next;
		finish_job(j);
	}
	stage_start(d, &d->letgo, letgo_work, after_letgo);
	tm_serve_pump(d);
}

/* A batch is committed: its inputs go to the let-go stage, the files
   given back or failed are finished now. */
static void
after_commit(uv_work_t *req, int status)
{
	struct tm_daemon *d = req->data;
	struct tm_job *j, *next;

	(void)status;
	for (j = stage_done(&d->commit); j != NULL; j = next) {
		next = j->next;
		if (j->outcome == TM_OUT_CLEANED)
			stage_push(&d->letgo, j);
		else
			finish_job(j);
	}
	stage_start(d, &d->letgo, letgo_work, after_letgo);
	commit_maybe(d);
	tm_serve_pump(d);
}

/* Hand every cleaned file waiting to a commit, unless one runs. */
static void
commit_start(struct tm_daemon *d)
{
	uv_timer_stop(&d->commit_timer);
	stage_start(d, &d->commit, commit_work, after_commit);
}

static void
on_commit_timer(uv_timer_t *t)
{
	commit_start(t->data);
}

/* Commit now if it is worth it or nothing more is coming, else soon. */
static void
commit_maybe(struct tm_daemon *d)
{
	if (d->commit.batch != NULL || d->commit.head == NULL)
		return;
	if (d->commit.n >= COMMIT_BATCH || d->cleaning == 0 ||
	    d->state == TM_STATE_STOPPING)
		commit_start(d);
	else if (!uv_is_active((uv_handle_t *)&d->commit_timer))
		uv_timer_start(&d->commit_timer, on_commit_timer,
		    COMMIT_WAIT_MS, 0);
}

/* A worker is done with a file: commit it, or finish a failed one. */
static void
after_work(uv_work_t *req, int status)
{
	struct tm_job *j = req->data;
	struct tm_daemon *d = j->d;

	(void)status;
	d->cleaning--;
	if (j->outcome == TM_OUT_CLEANED)
		stage_push(&d->commit, j);
	else
		finish_job(j);
	tm_serve_pump(d);
	commit_maybe(d);
}

int
tm_job_start(struct tm_daemon *d, struct tm_entry *e)
{
	const struct tm_profile *p;
	char src[PATH_MAX], dest[PATH_MAX], name[512];
	const char *slash;
	struct tm_job *j;
	size_t len;
	int rc;

	if (!e->in_work) {
		(void)tm_path(src, sizeof(src), "%s/%s", d->cfg->inbox, e->rel);
		(void)tm_path(dest, sizeof(dest), "%s/%s", d->cfg->work, e->rel);
		if ((rc = rename_noreplace(src, dest)) == -EEXIST) {
			/* One of that name waits in the work folder (it
			   could not be given back): it goes first, this one
			   is offered again after it. */
			e->again = 1;
		} else if (rc != 0) {
			if (rc != -ENOENT)
				tm_log(TM_LOG_ERR, "cannot claim \"%s\": %s",
				    tm_log_name(e->rel, name, sizeof(name)),
				    strerror(-rc));
			return rc;
		}
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->rel = strdup(e->rel)) == NULL) {
		free(j);
		return -ENOMEM;
	}
	len = strlen(e->rel);
	if (len > 3 && strcmp(e->rel + len - 3, ".gz") == 0)
		len -= 3;
	if ((j->outrel = strndup(e->rel, len)) == NULL) {
		free(j->rel);
		free(j);
		return -ENOMEM;
	}
	j->d = d;
	j->e = e;
	j->cfg = tm_config_ref(d->cfg);
	j->chain = d->cfg->chain;
	if ((slash = strchr(e->rel, '/')) != NULL &&
	    (p = tm_config_profile(d->cfg, e->rel,
	    (size_t)(slash - e->rel))) != NULL)
		j->chain = p->chain;
	j->seen_ns = e->seen_ns;
	j->seq = atomic_fetch_add(&d->job_seq, 1);
	j->req.data = j;
	e->state = TM_ENTRY_CLAIMED;
	e->in_work = 1;
	d->inflight++;
	d->cleaning++;
	if ((rc = uv_queue_work(d->loop, &j->req, work, after_work)) != 0) {
		d->inflight--;
		d->cleaning--;
		tm_config_unref(j->cfg);
		free(j->rel);
		free(j->outrel);
		free(j);
		return rc;
	}
	tm_log(TM_LOG_INFO, "taken \"%s\"", tm_log_name(e->rel, name,
	    sizeof(name)));
	return 0;
}
