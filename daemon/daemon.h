/*
 * daemon.h - `textmend serve`: the state shared by its parts.
 *
 * One struct tm_daemon holds everything the daemon knows; it is passed
 * down explicitly and touched only on the loop thread. The threadpool
 * sees a struct tm_job, which carries copies of what the work needs.
 *
 *   watch.c    inotify (or polling), listings, the table of known names,
 *              settling of in-place writes
 *   job.c      claim by rename, clean on the threadpool, commit or fail
 *   serve.c    the loop, signals, timers, queue pump, statistics, reload
 *   control.c  the Unix socket
 *   notify.c   sd_notify; log.c  stderr lines for journald
 */
#ifndef TEXTMEND_DAEMON_H
#define TEXTMEND_DAEMON_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <uv.h>

#include "config.h"

struct tm_job;
struct tm_report;

/* How a name was noticed (tm_watch_offer). */
enum tm_seen {
	TM_SEEN_LISTED,		/* found by a listing: settle first */
	TM_SEEN_WRITING,	/* IN_CREATE/IN_MODIFY: wait for close */
	TM_SEEN_CLOSED,		/* IN_CLOSE_WRITE: settle first */
	TM_SEEN_MOVED,		/* IN_MOVED_TO: complete now */
	TM_SEEN_WORK		/* left in the work folder: claimed already */
};

enum tm_entry_state {
	TM_ENTRY_SETTLING,
	TM_ENTRY_READY,
	TM_ENTRY_CLAIMED
};

/* A name in the inbox (or work folder) the daemon knows about. */
struct tm_entry {
	struct tm_entry *hnext;		/* hash chain */
	struct tm_entry *prev, *next;	/* settling or ready list */
	char *rel;			/* "NAME" or "PROFILE/NAME" */
	enum tm_entry_state state;
	int writing;			/* created/modified, not closed yet */
	int in_work;			/* already in the work folder */
	int again;			/* seen anew while claimed */
	off_t size;
	int64_t mtime_ns;
	mode_t mode;
	uint64_t stable_since;		/* uv_now() ms */
	uint64_t seen_ns;		/* uv_hrtime() when first noticed */
};

struct tm_list {
	struct tm_entry *head, *tail;
	size_t n;
};

enum tm_outcome {
	TM_OUT_CLEANED,
	TM_OUT_FAILED,
	TM_OUT_RETRY,		/* full disk: back to the inbox, later */
	TM_OUT_GONE		/* vanished before it could be claimed */
};

/* A finished file, for `recent` and the latency percentiles. */
struct tm_recent {
	char *name;
	enum tm_outcome outcome;
	char reason[24];
	uint64_t in, out, edits;
	uint64_t latency_us;
	time_t when;
	uint64_t done_ms;
};

#define TM_RECENT_MAX 256
#define TM_FILTERS_MAX 32
#define TM_COMMIT_MAX 256	/* cleaned files waiting for a commit or
				   the let-go stage after it (besides
				   the batches those two are running) */
#define TM_SYNCFS_MAX 8		/* filesystems the commit keeps open */

struct tm_stats {
	uint64_t cleaned, failed, retried;
	uint64_t bytes_in, bytes_out, edits;
	uint64_t filter_edits[TM_FILTERS_MAX];
	uint64_t filter_suspects[TM_FILTERS_MAX];
};

struct tm_control;

enum tm_state {
	TM_STATE_STARTING,
	TM_STATE_RUNNING,
	TM_STATE_PAUSED,
	TM_STATE_STOPPING
};

struct tm_inotify;

struct tm_watch {
	struct tm_inotify *in;		/* NULL when polling */
	int polling;
};

/* A stage of the group commit (job.c): jobs queue on it and go to the
   threadpool in batches, one batch at a time. */
struct tm_stage {
	struct tm_job *head, **tail;	/* waiting */
	size_t n;			/* how many wait */
	struct tm_job *batch;		/* on the threadpool, with req */
	uv_work_t req;
};

struct tm_daemon {
	uv_loop_t *loop;
	struct tm_config *cfg;
	const char *config_file;	/* argv, for reload */
	enum tm_state state;
	uint64_t started_ms;
	time_t started_wall;

	/* The names table: everything settling, ready or in flight. */
	struct tm_entry **buckets;
	size_t nbuckets, nentries;
	struct tm_list settling, ready;
	unsigned inflight;		/* claimed, not yet finished */
	unsigned cleaning;		/* of which on a worker */

	/* Cleaned files in the group commit, then in the stage that lets
	   go of their inputs (job.c). */
	struct tm_stage commit, letgo;
	uv_timer_t commit_timer;	/* the longest a file waits */
	/* The filesystems the commit syncs, each through one descriptor
	   kept open while the daemon writes there, so that syncfs()
	   reports every write error since it was opened (job.c): those of
	   the outbox and reports when a config naming them takes effect
	   (start, reload), others (a profile's folder on a mount of its
	   own) at their first commit. The commit thread and the loop
	   thread share them under syncfs_lock. */
	struct tm_syncfs {
		dev_t dev;
		int fd;
	} syncfs[TM_SYNCFS_MAX];
	size_t nsyncfs;
	int syncfs_full_logged;		/* the table was full, said once */
	uv_mutex_t syncfs_lock;
	int syncfs_let_go;	/* a reload left some unused: close them
				   when no file is in flight (loop) */
	atomic_uint_fast64_t job_seq;	/* jobs started, numbered */
	uint64_t suspect_below;	/* jobs numbered below: data in doubt */
	int overflowed;			/* table was full: list again later */

	uint64_t backoff_ms, backoff_until;

	struct tm_watch watch;
	uv_timer_t settle_timer, rescan_timer, summary_timer;
	uv_timer_t backoff_timer, watchdog_timer, kick_timer, status_timer;
	uv_signal_t sig_term, sig_int, sig_hup;
	struct tm_control *control;

	struct tm_stats stats;
	struct tm_recent recent[TM_RECENT_MAX];
	size_t recent_next, recent_n;
	uint64_t rate_sec[60], rate_files[60], rate_bytes[60];

	uint64_t watchdog_usec;
};

/* watch.c */
int tm_watch_start(struct tm_daemon *d);
void tm_watch_stop(struct tm_daemon *d);
/* List the inbox (and profile folders) and the work folder. */
void tm_watch_rescan(struct tm_daemon *d);
void tm_watch_offer(struct tm_daemon *d, const char *rel, enum tm_seen how);
void tm_watch_forget(struct tm_daemon *d, struct tm_entry *e);
/* Names to skip until renamed: ".x", "x.part", "x.tmp", "x~". */
int tm_watch_ignored(const char *name);
struct tm_entry *tm_list_pop(struct tm_list *l);

/* job.c: claim e and clean it on the threadpool; 0 or -errno (e is
   forgotten then). */
int tm_job_start(struct tm_daemon *d, struct tm_entry *e);
/* Keep the filesystems of c's outbox and reports open for the commit's
   syncfs, before any file is written there: at start and at a reload,
   which also lets go of those no longer used, now or when the files in
   flight are done. */
void tm_commit_keep_fs(struct tm_daemon *d, const struct tm_config *c);
/* Close what the commit kept open (at exit, no commit running). */
void tm_commit_close(struct tm_daemon *d);

/* serve.c */
/* snprintf for paths: 0, or -ENAMETOOLONG when it did not fit. */
int tm_path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tm_cmd_serve(int argc, char **argv);
/* List the inbox again from the next loop iteration. */
void tm_serve_rescan_soon(struct tm_daemon *d);
/* Claim ready names while there is room. */
void tm_serve_pump(struct tm_daemon *d);
/* A job finished (loop thread). */
void tm_serve_done(struct tm_daemon *d, const char *rel,
    enum tm_outcome outcome, const char *reason, uint64_t in, uint64_t out,
    uint64_t seen_ns, const struct tm_report *r);
/* Read the config again and apply all of it (moved folders, socket,
   watch) or none of it; 0, or <0 with err set and the old config kept. */
int tm_serve_reload(struct tm_daemon *d, char *err, size_t errlen);
void tm_serve_pause(struct tm_daemon *d, int on);
const char *tm_serve_state_name(const struct tm_daemon *d);
void tm_serve_latency(const struct tm_daemon *d, uint64_t *p50,
    uint64_t *p99);
void tm_serve_rate(const struct tm_daemon *d, double *files,
    double *bytes);
const char *tm_outcome_name(enum tm_outcome o);
void tm_serve_status_line(struct tm_daemon *d, char *buf, size_t len);

/* control.c */
struct json_t;
/* A JSON string for a file name, \xNN-escaped if it is not UTF-8. */
struct json_t *tm_json_name(const char *name);
int tm_control_start(struct tm_daemon *d);
/* Listen on path instead (a reload moved the socket): the new socket is
   listening before the old one is closed and unlinked; connected clients
   stay. 0, or -errno with err set and the old socket kept. */
int tm_control_move(struct tm_daemon *d, const char *path, char *err,
    size_t errlen);
void tm_control_stop(struct tm_daemon *d);

/* client.c */
int tm_cmd_client(int argc, char **argv);

#endif
