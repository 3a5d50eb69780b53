/*
 * serve.c - `textmend serve`: the loop that ties the daemon together.
 *
 * Start-up: read the config, create the folders, remove temporary files
 * a crash left in the outbox, open the control socket, arm the watch and
 * list the inbox and the work folder (watch.c), then tell systemd
 * READY=1. From then on everything happens in callbacks on one libuv
 * loop: watch.c offers names, tm_serve_pump() claims ready ones while
 * fewer than `workers` are in flight (backpressure: the rest wait in the
 * inbox, not in memory), job.c cleans them on the threadpool and reports
 * back through tm_serve_done().
 *
 * Signals: SIGHUP reloads the config (RELOADING=1 ... READY=1), SIGTERM
 * and SIGINT stop taking files, let the files in flight finish, and exit
 * 0. A full disk makes the daemon back off (1 s doubling to 1 min) before
 * it claims again. Loop thread only.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textmend/err.h"
#include "textmend/filter.h"
#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/version.h"
#include "cli.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000

static void
serve_usage(FILE *f)
{
	fprintf(f,
	    "usage: textmend serve [--config FILE] [--check]\n"
	    "Watch an inbox folder and clean every file dropped into it.\n"
	    "Without --config, work in the current folder: ./inbox, ./outbox,\n"
	    "./failed, ./reports, ./.work and the socket ./textmend.sock.\n"
	    "\n"
	    "  -c, --config FILE   read settings from FILE (INI)\n"
	    "  -n, --check         check the config and exit (0 good, 2 bad)\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "Signals: HUP reloads the config, TERM/INT finish the files in\n"
	    "flight and exit.\n");
}

const char *
tm_outcome_name(enum tm_outcome o)
{
	static const char *const names[] = { "cleaned", "failed", "retry",
	    "gone" };

	return names[o];
}

const char *
tm_serve_state_name(const struct tm_daemon *d)
{
	static const char *const names[] = { "starting", "running", "paused",
	    "stopping" };

	return names[d->state];
}

int
tm_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
tm_serve_latency(const struct tm_daemon *d, uint64_t *p50, uint64_t *p99)
{
	uint64_t v[TM_RECENT_MAX];
	size_t i, n = 0;

	for (i = 0; i < d->recent_n; i++)
		if (d->recent[i].outcome == TM_OUT_CLEANED)
			v[n++] = d->recent[i].latency_us;
	*p50 = *p99 = 0;
	if (n == 0)
		return;
	qsort(v, n, sizeof(v[0]), cmp_u64);
	*p50 = v[(n - 1) / 2];
	*p99 = v[(n * 99 + 99) / 100 - 1];
}

void
tm_serve_rate(const struct tm_daemon *d, double *files, double *bytes)
{
	uint64_t now = uv_now(d->loop) / 1000, span, f = 0, b = 0;
	size_t i;

	for (i = 0; i < 60; i++)
		if (d->rate_sec[i] + 60 > now && d->rate_sec[i] <= now) {
			f += d->rate_files[i];
			b += d->rate_bytes[i];
		}
	span = now - d->started_ms / 1000 + 1;
	if (span > 60)
		span = 60;
	*files = (double)f / (double)span;
	*bytes = (double)b / (double)span;
}

void
tm_serve_status_line(struct tm_daemon *d, char *buf, size_t len)
{
	uint64_t p50, p99;

	tm_serve_latency(d, &p50, &p99);
	snprintf(buf, len, "%s: %llu cleaned, %llu failed, %zu queued, "
	    "%u in flight, p50 %.1f ms, p99 %.1f ms", tm_serve_state_name(d),
	    (unsigned long long)d->stats.cleaned,
	    (unsigned long long)d->stats.failed,
	    d->settling.n + d->ready.n, d->inflight, (double)p50 / 1000,
	    (double)p99 / 1000);
}

static void
close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Everything in flight is done: close the handles so uv_run returns. */
static void
finish(struct tm_daemon *d)
{
	tm_notify("STOPPING=1\nSTATUS=stopped");
	tm_log(TM_LOG_NOTICE, "stopped: %llu cleaned, %llu failed",
	    (unsigned long long)d->stats.cleaned,
	    (unsigned long long)d->stats.failed);
	tm_control_stop(d);
	close_handle((uv_handle_t *)&d->settle_timer);
	close_handle((uv_handle_t *)&d->rescan_timer);
	close_handle((uv_handle_t *)&d->summary_timer);
	close_handle((uv_handle_t *)&d->backoff_timer);
	close_handle((uv_handle_t *)&d->watchdog_timer);
	close_handle((uv_handle_t *)&d->kick_timer);
	close_handle((uv_handle_t *)&d->commit_timer);
	close_handle((uv_handle_t *)&d->status_timer);
	close_handle((uv_handle_t *)&d->sig_term);
	close_handle((uv_handle_t *)&d->sig_int);
	close_handle((uv_handle_t *)&d->sig_hup);
}

void
tm_serve_pump(struct tm_daemon *d)
{
	struct tm_entry *e;

	if (d->state == TM_STATE_STOPPING) {
		if (d->inflight == 0)
			finish(d);
		return;
	}
	if (d->state != TM_STATE_RUNNING ||
	    uv_now(d->loop) < d->backoff_until)
		return;
	/* Workers busy, or TM_COMMIT_MAX files waiting for a commit or to
	   be let go of: the rest stay in the inbox (backpressure). */
	while (d->cleaning < d->cfg->workers &&
	    d->commit.n + d->letgo.n < TM_COMMIT_MAX &&
	    (e = tm_list_pop(&d->ready)) != NULL) {
		e->state = TM_ENTRY_CLAIMED;
		if (tm_job_start(d, e) != 0)
			tm_watch_forget(d, e);
	}
}

static void
on_kick(uv_timer_t *t)
{
	struct tm_daemon *d = t->data;

	tm_watch_rescan(d);
	tm_serve_pump(d);
}

void
tm_serve_rescan_soon(struct tm_daemon *d)
{
	if (d->state != TM_STATE_STOPPING)
		uv_timer_start(&d->kick_timer, on_kick, 0, 0);
}

static void
on_backoff(uv_timer_t *t)
{
	on_kick(t);
}

static int
filter_index(const char *name)
{
	int i;

	for (i = 0; tm_filters[i] != NULL && i < TM_FILTERS_MAX; i++)
		if (strcmp(tm_filters[i]->name, name) == 0)
			return i;
	return -1;
}

void
tm_serve_done(struct tm_daemon *d, const char *rel, enum tm_outcome outcome,
    const char *reason, uint64_t in, uint64_t out, uint64_t seen_ns,
    const struct tm_report *r)
{
	struct tm_recent *rc;
	uint64_t now = uv_now(d->loop), sec = now / 1000, edits = 0;
	char name[512], detail[512];
	size_t off = 0;
	unsigned i;
	int k;

	if (outcome == TM_OUT_GONE)
		return;
	if (outcome == TM_OUT_RETRY) {
		d->stats.retried++;
		d->backoff_ms = d->backoff_ms == 0 ? BACKOFF_MIN_MS :
		    d->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    d->backoff_ms * 2;
		d->backoff_until = now + d->backoff_ms;
		uv_timer_start(&d->backoff_timer, on_backoff, d->backoff_ms,
		    0);
		return;
	}
	d->backoff_ms = 0;
	detail[0] = '\0';
	if (outcome == TM_OUT_CLEANED) {
		d->stats.cleaned++;
		d->stats.bytes_in += in;
		d->stats.bytes_out += out;
		for (i = 0; r != NULL && i < tm_report_nfilters(r); i++) {
			uint64_t n = tm_report_edits(r, i);

			edits += n;
			if ((k = filter_index(tm_report_filter_name(r, i))) >= 0) {
				d->stats.filter_edits[k] += n;
				d->stats.filter_suspects[k] +=
				    tm_report_suspects(r, i);
			}
			if (n > 0 && off < sizeof(detail) - 40)
				off += (size_t)snprintf(detail + off,
				    sizeof(detail) - off, "%s%s %llu",
				    off ? ", " : " (",
				    tm_report_filter_name(r, i),
				    (unsigned long long)n);
		}
		if (off > 0)
			snprintf(detail + off, sizeof(detail) - off, ")");
		d->stats.edits += edits;
	} else {
		d->stats.failed++;
		d->stats.bytes_in += in;
	}
	k = (int)(sec % 60);
	if (d->rate_sec[k] != sec) {
		d->rate_sec[k] = sec;
		d->rate_files[k] = d->rate_bytes[k] = 0;
	}
	d->rate_files[k]++;
	d->rate_bytes[k] += in;

	rc = &d->recent[d->recent_next];
	free(rc->name);
	rc->name = strdup(rel);
	rc->outcome = outcome;
	snprintf(rc->reason, sizeof(rc->reason), "%s", reason ? reason : "");
	rc->in = in;
	rc->out = out;
	rc->edits = edits;
	rc->latency_us = (uv_hrtime() - seen_ns) / 1000;
	rc->when = time(NULL);
	rc->done_ms = now;
	d->recent_next = (d->recent_next + 1) % TM_RECENT_MAX;
	if (d->recent_n < TM_RECENT_MAX)
		d->recent_n++;
	if (outcome == TM_OUT_CLEANED)
		tm_log(TM_LOG_INFO, "cleaned \"%s\": %s, %llu -> %llu bytes, "
		    "%llu edit%s%s, %.1f ms", tm_log_name(rel, name,
		    sizeof(name)), r ? tm_report_encoding(r) : "?",
		    (unsigned long long)in, (unsigned long long)out,
		    (unsigned long long)edits, edits == 1 ? "" : "s", detail,
		    (double)rc->latency_us / 1000);
}

void
tm_serve_pause(struct tm_daemon *d, int on)
{
	if (d->state == TM_STATE_STOPPING)
		return;
	if (on && d->state == TM_STATE_RUNNING) {
		d->state = TM_STATE_PAUSED;
		tm_log(TM_LOG_NOTICE, "paused: no new files are taken");
		tm_notify("STATUS=paused");
	} else if (!on && d->state == TM_STATE_PAUSED) {
		d->state = TM_STATE_RUNNING;
		tm_log(TM_LOG_NOTICE, "resumed");
		tm_notify("STATUS=running");
		tm_serve_pump(d);
	}
}

static int
mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A temporary output name of tm_outfile: ".NAME.XXXXXX.part". */
static int
is_outfile_temp(const char *name)
{
	size_t n = strlen(name);

	return n >= 14 && name[0] == '.' && name[n - 12] == '.' &&
	    strcmp(name + n - 5, ".part") == 0;
}

/*
 * Is the input behind a temporary output still in our work folder? A job
 * writes its temporaries (outbox/.X, reports/.X.json, failed/.X.error.json,
 * archive/.X.gz) only while its input X (or X.gz) sits in the work
 * folder, so a temporary without one belongs to another daemon sharing
 * the folder, or to nobody we know of, and is left alone.
 */
static int
ours(const char *name, const char *work)
{
	static const char *const strip[] = { "", ".json", ".error.json",
	    ".gz" };
	char base[NAME_MAX + 1], path[PATH_MAX];
	struct stat st;
	size_t n = strlen(name) - 13, i, k;

	if (n > NAME_MAX)
		return 0;
	memcpy(base, name + 1, n);	/* ".X.XXXXXX.part" -> "X" */
	base[n] = '\0';
	for (i = 0; i < sizeof(strip) / sizeof(strip[0]); i++) {
		k = strlen(strip[i]);
		if (n < k || strcmp(base + n - k, strip[i]) != 0)
			continue;
		if (tm_path(path, sizeof(path), "%s/%.*s", work,
		    (int)(n - k), base) == 0 && lstat(path, &st) == 0)
			return 1;
		if (tm_path(path, sizeof(path), "%s/%.*s.gz", work,
		    (int)(n - k), base) == 0 && lstat(path, &st) == 0)
			return 1;
	}
	return 0;
}

static void
remove_temps(const char *dir, const char *work)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (!is_outfile_temp(de->d_name) || !ours(de->d_name, work))
			continue;
		(void)tm_path(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			tm_log(TM_LOG_NOTICE, "removed %s, left by an "
			    "interrupted run", path);
	}
	closedir(dp);
}

/*
 * Create the folders (and each profile's subfolder in them). At start-up
 * (sweep) also remove the temporary files an interrupted run left; never
 * on a reload, when they belong to files in flight.
 */
static int
make_folders(const struct tm_config *c, int sweep)
{
	const char *dirs[6];
	char path[PATH_MAX], work[PATH_MAX];
	size_t i, j, n = 0;
	int rc;

	dirs[n++] = c->inbox;
	dirs[n++] = c->outbox;
	dirs[n++] = c->failed;
	dirs[n++] = c->reports;
	dirs[n++] = c->work;
	if (c->archive_mode != TM_ARCHIVE_NONE)
		dirs[n++] = c->archive;
	for (i = 0; i < n; i++) {
		if ((rc = mkdir_p(dirs[i])) != 0) {
			tm_log(TM_LOG_ERR, "cannot create %s: %s", dirs[i],
			    strerror(-rc));
			return rc;
		}
		if (sweep && dirs[i] != c->inbox && dirs[i] != c->work)
			remove_temps(dirs[i], c->work);
		for (j = 0; j < c->nprofiles; j++) {
			(void)tm_path(path, sizeof(path), "%s/%s", dirs[i],
			    c->profiles[j].name);
			if ((rc = mkdir_p(path)) != 0) {
				tm_log(TM_LOG_ERR, "cannot create %s: %s",
				    path, strerror(-rc));
				return rc;
			}
			if (sweep && dirs[i] != c->inbox &&
			    dirs[i] != c->work && tm_path(work, sizeof(work), "%s/%s", c->work,
			    c->profiles[j].name) == 0)
				remove_temps(path, work);
		}
	}
	return 0;
}

static uint64_t
rescan_interval(const struct tm_daemon *d)
{
	uint64_t t = d->cfg->rescan_ms;

	/* Without inotify the listing is the only way files are seen. */
	if (d->watch.polling && (t == 0 || t > 1000))
		t = 1000;
	return t;
}

static void
on_rescan(uv_timer_t *t)
{
	struct tm_daemon *d = t->data;

	tm_watch_rescan(d);
	tm_serve_pump(d);
}

static void
on_summary(uv_timer_t *t)
{
	struct tm_daemon *d = t->data;
	char line[256];
	double f, b;

	tm_serve_status_line(d, line, sizeof(line));
	tm_serve_rate(d, &f, &b);
	tm_log(TM_LOG_INFO, "summary: %s, %.1f files/s", line, f);
	tm_notify("STATUS=%s", line);
}

/* Keep `systemctl status` current: STATUS= every few seconds, and
   WATCHDOG=1 at half the interval systemd asked for. */
static void
on_watchdog(uv_timer_t *t)
{
	tm_notify("WATCHDOG=1");
}

static void
on_status(uv_timer_t *t)
{
	struct tm_daemon *d = t->data;
	char line[256];

	tm_serve_status_line(d, line, sizeof(line));
	tm_notify("STATUS=%s", line);
}

static void
start_timers(struct tm_daemon *d)
{
	uint64_t r = rescan_interval(d);

	if (r > 0)
		uv_timer_start(&d->rescan_timer, on_rescan, r, r);
	else
		uv_timer_stop(&d->rescan_timer);
	if (d->cfg->summary_ms > 0)
		uv_timer_start(&d->summary_timer, on_summary,
		    d->cfg->summary_ms, d->cfg->summary_ms);
	else
		uv_timer_stop(&d->summary_timer);
}

static int same_fs(const char *a, const char *b);

/* Log each folder or socket path a reload changes; 1 if any did. */
static int
log_moves(const struct tm_config *n, const struct tm_config *o)
{
	static const char *const what[] = { "inbox", "outbox", "failed",
	    "reports", "work", "archive", "socket" };
	const char *const np[] = { n->inbox, n->outbox, n->failed,
	    n->reports, n->work, n->archive, n->socket };
	const char *const op[] = { o->inbox, o->outbox, o->failed,
	    o->reports, o->work, o->archive, o->socket };
	size_t i;
	int moved = 0;

	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		if (strcmp(np[i], op[i]) != 0) {
			tm_log(TM_LOG_NOTICE, "reload: %s is now %s (was %s)",
			    what[i], np[i], op[i]);
			moved = 1;
		}
	return moved;
}

/* Entries in a folder, ignoring the ones the inbox rules ignore. */
static size_t
count_names(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL)
		if (!tm_watch_ignored(de->d_name))
			n++;
	closedir(dp);
	return n;
}

/*
 * The inbox or the work folder moved: names known under the old ones but
 * not claimed yet are forgotten (the new folders are listed next); files
 * in flight finish under the config they started with.
 */
static void
forget_unclaimed(struct tm_daemon *d, const struct tm_config *old)
{
	struct tm_entry *e;
	size_t n;

	while ((e = d->settling.head) != NULL)
		tm_watch_forget(d, e);
	while ((e = d->ready.head) != NULL)
		tm_watch_forget(d, e);
	if (strcmp(old->inbox, d->cfg->inbox) != 0 &&
	    (n = count_names(old->inbox)) > 0)
		tm_log(TM_LOG_WARNING, "reload: %zu name%s left in the old "
		    "inbox %s, which is no longer watched", n, n == 1 ? "" :
		    "s", old->inbox);
	if (strcmp(old->work, d->cfg->work) != 0 && d->inflight == 0 &&
	    (n = count_names(old->work)) > 0)
		tm_log(TM_LOG_WARNING, "reload: %zu name%s left in the old "
		    "work folder %s; move them to the inbox to clean them", n,
		    n == 1 ? "" : "s", old->work);
}

/*
 * Read the config again and apply it whole, or not at all: a config that
 * does not load, folders that cannot be created, a work folder on another
 * filesystem than the inbox, or a socket that cannot be bound keep the
 * old config (err says why). Moved folders are created and the watch is
 * armed on the new inbox; a moved socket listens before the old one goes.
 * Jobs in flight hold the old config and finish with it.
 */
int
tm_serve_reload(struct tm_daemon *d, char *err, size_t errlen)
{
	struct tm_config *c = NULL, *old;
	char line[256];
	int rc, moved;

	if (d->state == TM_STATE_STOPPING) {
		snprintf(err, errlen, "stopping; not reloading");
		return TM_ECONF;
	}
	tm_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)tm_notify_monotonic_usec());
	rc = tm_config_load(&c, d->config_file, err, errlen);
	if (rc == 0 && (rc = make_folders(c, 0)) != 0)
		snprintf(err, errlen, "cannot create the folders: %s",
		    strerror(-rc));
	if (rc == 0 && !same_fs(c->inbox, c->work)) {
		rc = TM_ECONF;
		snprintf(err, errlen, "the work folder %s is not on the "
		    "filesystem of the inbox %s", c->work, c->inbox);
	}
	if (rc == 0 && d->control != NULL)
		rc = tm_control_move(d, c->socket, err, errlen);
	if (rc != 0) {
		tm_config_unref(c);
		tm_log(TM_LOG_ERR, "reload failed, keeping the old config: %s",
		    err);
		tm_serve_status_line(d, line, sizeof(line));
		tm_notify("READY=1\nSTATUS=%s", line);
		return rc;
	}
	old = d->cfg;
	moved = log_moves(c, old);
	tm_commit_keep_fs(d, c);
	d->cfg = c;
	if (strcmp(c->inbox, old->inbox) != 0 ||
	    strcmp(c->work, old->work) != 0)
		forget_unclaimed(d, old);
	tm_config_unref(old);
	tm_log(TM_LOG_NOTICE, "reloaded %s%s", d->config_file ?
	    d->config_file : "the defaults", moved ? " (paths changed)" : "");
	/* Profiles may have come or gone, the inbox may have moved: watch
	   the folders again (this lists them too). */
	tm_watch_stop(d);
	if ((rc = tm_watch_start(d)) != 0)
		tm_log(TM_LOG_ERR, "reload: cannot watch %s (%s); only the "
		    "safety listing will find its files", d->cfg->inbox,
		    tm_strerror(rc));
	start_timers(d);
	tm_serve_pump(d);
	tm_serve_status_line(d, line, sizeof(line));
	tm_notify("READY=1\nSTATUS=%s", line);
	return 0;
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct tm_daemon *d = s->data;
	char err[512];

	if (signum == SIGHUP) {
		(void)tm_serve_reload(d, err, sizeof(err));
		return;
	}
	if (d->state == TM_STATE_STOPPING)
		return;
	tm_log(TM_LOG_NOTICE, "%s: finishing %u file%s in flight, then "
	    "exiting", strsignal(signum), d->inflight,
	    d->inflight == 1 ? "" : "s");
	tm_notify("STOPPING=1\nSTATUS=stopping: %u in flight", d->inflight);
	d->state = TM_STATE_STOPPING;
	tm_watch_stop(d);
	uv_timer_stop(&d->settle_timer);
	uv_timer_stop(&d->rescan_timer);
	uv_timer_stop(&d->backoff_timer);
	uv_timer_stop(&d->kick_timer);
	tm_serve_pump(d);
}

static void
init_timer(struct tm_daemon *d, uv_timer_t *t)
{
	uv_timer_init(d->loop, t);
	t->data = d;
}

static int
same_fs(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev;
}

static void
free_daemon(struct tm_daemon *d)
{
	struct tm_entry *e, *next;
	size_t i;

	for (i = 0; i < d->nbuckets; i++)
		for (e = d->buckets[i]; e != NULL; e = next) {
			next = e->hnext;
			free(e->rel);
			free(e);
		}
	free(d->buckets);
	tm_commit_close(d);
	uv_mutex_destroy(&d->syncfs_lock);
	for (i = 0; i < TM_RECENT_MAX; i++)
		free(d->recent[i].name);
	tm_config_unref(d->cfg);
	free(d);
}

int
tm_cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tm_daemon *d;
	struct tm_config *cfg;
	const char *file = NULL;
	char err[512], line[256], pool[16];
	size_t nb;
	int c, check = 0, rc;

	while ((c = getopt_long(argc, argv, "c:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'n': check = 1; break;
		case 'h':
			serve_usage(stdout);
			return TM_EXIT_OK;
		default:
			serve_usage(stderr);
			return TM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return TM_EXIT_USAGE;
	}
	if ((rc = tm_config_load(&cfg, file, err, sizeof(err))) != 0) {
		fprintf(stderr, "textmend: %s\n", err);
		return TM_EXIT_USAGE;
	}
	if (check) {
		printf("%s: ok (%zu filter%s, %zu profile%s)\n",
		    file ? file : "(defaults)", tm_chain_len(cfg->chain),
		    tm_chain_len(cfg->chain) == 1 ? "" : "s", cfg->nprofiles,
		    cfg->nprofiles == 1 ? "" : "s");
		tm_config_unref(cfg);
		return TM_EXIT_OK;
	}
	signal(SIGPIPE, SIG_IGN);
	/* The threadpool is sized once, before its first use. */
	if (getenv("UV_THREADPOOL_SIZE") == NULL) {
		/* the workers, the commit and the let-go stage */
		snprintf(pool, sizeof(pool), "%u",
		    cfg->workers + 2 > 4 ? cfg->workers + 2 : 4);
		setenv("UV_THREADPOOL_SIZE", pool, 1);
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		tm_config_unref(cfg);
		return TM_EXIT_FAIL;
	}
	if (uv_mutex_init(&d->syncfs_lock) != 0) {
		free(d);
		tm_config_unref(cfg);
		return TM_EXIT_FAIL;
	}
	d->cfg = cfg;
	d->config_file = file;
	d->loop = uv_default_loop();
	d->commit.tail = &d->commit.head;
	d->letgo.tail = &d->letgo.head;
	d->state = TM_STATE_STARTING;
	for (nb = 1024; nb < 2 * ((size_t)cfg->queue + cfg->workers); nb *= 2)
		;
	d->nbuckets = nb;
	if ((d->buckets = calloc(nb, sizeof(*d->buckets))) == NULL) {
		free_daemon(d);
		return TM_EXIT_FAIL;
	}
	if (make_folders(cfg, 1) != 0) {
		free_daemon(d);
		return TM_EXIT_FAIL;
	}
	if (!same_fs(cfg->inbox, cfg->work)) {
		tm_log(TM_LOG_ERR, "the work folder %s must be on the same "
		    "filesystem as the inbox %s (files are claimed by rename)",
		    cfg->work, cfg->inbox);
		free_daemon(d);
		return TM_EXIT_FAIL;
	}
	d->started_ms = uv_now(d->loop);
	d->started_wall = time(NULL);
	init_timer(d, &d->settle_timer);
	init_timer(d, &d->rescan_timer);
	init_timer(d, &d->summary_timer);
	init_timer(d, &d->backoff_timer);
	init_timer(d, &d->watchdog_timer);
	init_timer(d, &d->kick_timer);
	init_timer(d, &d->commit_timer);
	init_timer(d, &d->status_timer);
	uv_signal_init(d->loop, &d->sig_term);
	uv_signal_init(d->loop, &d->sig_int);
	uv_signal_init(d->loop, &d->sig_hup);
	d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
	uv_signal_start(&d->sig_term, on_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_signal, SIGINT);
	uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
	if ((rc = tm_control_start(d)) != 0) {
		d->state = TM_STATE_STOPPING;
		finish(d);
		uv_run(d->loop, UV_RUN_DEFAULT);
		uv_loop_close(d->loop);
		free_daemon(d);
		return TM_EXIT_FAIL;
	}
	d->state = TM_STATE_RUNNING;
	tm_log(TM_LOG_NOTICE, "textmend %s serving %s (%u worker%s, "
	    "%zu profile%s, config %s)", TM_VERSION, cfg->inbox, cfg->workers,
	    cfg->workers == 1 ? "" : "s", cfg->nprofiles,
	    cfg->nprofiles == 1 ? "" : "s", file ? file : "defaults");
	/* The commit's descriptors, before anything is written. */
	tm_commit_keep_fs(d, cfg);
	/* Arms the watch, then lists the inbox and the work folder. */
	(void)tm_watch_start(d);
	start_timers(d);
	if ((d->watchdog_usec = tm_notify_watchdog_usec()) > 0) {
		uint64_t ms = d->watchdog_usec / 2000;

		uv_timer_start(&d->watchdog_timer, on_watchdog, ms ? ms : 1,
		    ms ? ms : 1);
	}
	if (getenv("NOTIFY_SOCKET") != NULL)
		uv_timer_start(&d->status_timer, on_status, 5000, 5000);
	tm_serve_status_line(d, line, sizeof(line));
	tm_notify("READY=1\nSTATUS=%s", line);
	uv_run(d->loop, UV_RUN_DEFAULT);
	/* Close whatever is left (the watch's poll handle) and run the
	   close callbacks. */
	tm_watch_stop(d);
	uv_run(d->loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(d->loop);
	if (rc != 0)
		tm_log(TM_LOG_WARNING, "loop closed with handles open: %s",
		    uv_strerror(rc));
	free_daemon(d);
	return TM_EXIT_OK;
}
