/*
 * watch.c - notice files in the inbox, and only when they are complete.
 *
 * Filesystem events are hints. libuv's uv_fs_event never asks inotify for
 * IN_CLOSE_WRITE and drops IN_Q_OVERFLOW, so the daemon drives its own
 * inotify descriptor from a uv_poll_t: IN_MOVED_TO means a file was
 * renamed in and is complete; IN_CREATE/IN_MODIFY mark a file as being
 * written and IN_CLOSE_WRITE ends that. The inbox is also listed at start
 * (after the watch is armed, so nothing falls between), on overflow, on
 * the safety timer and when the names table had been full; without
 * inotify (network filesystems) the listing is all there is.
 *
 * A name found by a listing or a close is taken only once lstat() shows
 * the same type, size and mtime for the settle time; a name that was
 * created or modified but not closed waits for its close (or, if that
 * event was lost, for ten times the settle time, at least a minute;
 * after a queue overflow, when closes may have been lost, for the settle
 * time only).
 * Names starting with '.' or ending in .part, .tmp or ~ are ignored
 * until renamed.
 *
 * The names table holds every name that is settling, ready or in flight,
 * so nothing is queued twice (a new file under the name of one in flight
 * is offered again when that one is done); it is capped by the `queue` setting, and a
 * name that does not fit is found again by a later listing (bounded
 * memory instead of unbounded queues). Loop thread only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | \
    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct tm_inotify {
	uv_poll_t poll;
	int fd;
	struct tm_daemon *d;
	struct { int wd; char *prefix; } *dirs;
	size_t ndirs;
};

int
tm_watch_ignored(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || name[0] == '.' || name[n - 1] == '~')
		return 1;
	if (n >= 5 && strcmp(name + n - 5, ".part") == 0)
		return 1;
	if (n >= 4 && strcmp(name + n - 4, ".tmp") == 0)
		return 1;
	return 0;
}

/* -- the names table ------------------------------------------------ */

static size_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static struct tm_entry *
find(struct tm_daemon *d, const char *rel)
{
	struct tm_entry *e;

	for (e = d->buckets[hash(rel) & (d->nbuckets - 1)]; e; e = e->hnext)
		if (strcmp(e->rel, rel) == 0)
			return e;
	return NULL;
}

static void
list_add(struct tm_list *l, struct tm_entry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

static void
list_del(struct tm_list *l, struct tm_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

struct tm_entry *
tm_list_pop(struct tm_list *l)
{
	struct tm_entry *e = l->head;

	if (e != NULL)
		list_del(l, e);
	return e;
}

void
tm_watch_forget(struct tm_daemon *d, struct tm_entry *e)
{
	struct tm_entry **pp;
	char *again = NULL;

	if (e->state == TM_ENTRY_SETTLING)
		list_del(&d->settling, e);
	else if (e->state == TM_ENTRY_READY)
		list_del(&d->ready, e);
	for (pp = &d->buckets[hash(e->rel) & (d->nbuckets - 1)]; *pp;
	    pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	d->nentries--;
	if (e->again && d->state != TM_STATE_STOPPING)
		again = e->rel;
	else
		free(e->rel);
	free(e);
	if (again != NULL) {
		tm_watch_offer(d, again, TM_SEEN_LISTED);
		free(again);
	}
	/* The table had been full: list again once there is room. */
	if (d->overflowed && d->settling.n + d->ready.n < d->cfg->queue / 2 &&
	    d->state != TM_STATE_STOPPING) {
		d->overflowed = 0;
		tm_serve_rescan_soon(d);
	}
}

static int
snapshot(struct tm_daemon *d, struct tm_entry *e, int *changed)
{
	char path[PATH_MAX];
	struct stat st;
	int64_t mt;

	(void)tm_path(path, sizeof(path), "%s/%s", d->cfg->inbox, e->rel);
	if (lstat(path, &st) != 0)
		return -errno;
	mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	*changed = st.st_size != e->size || mt != e->mtime_ns ||
	    (st.st_mode & S_IFMT) != e->mode;
	e->size = st.st_size;
	e->mtime_ns = mt;
	e->mode = st.st_mode & S_IFMT;
	return 0;
}

static uint64_t
settle_tick(const struct tm_daemon *d)
{
	uint64_t t = d->cfg->settle_ms / 4;

	return t < 20 ? 20 : t > 500 ? 500 : t;
}

static void
make_ready(struct tm_daemon *d, struct tm_entry *e)
{
	if (e->state == TM_ENTRY_SETTLING)
		list_del(&d->settling, e);
	e->state = TM_ENTRY_READY;
	list_add(&d->ready, e);
}

static void on_settle(uv_timer_t *t);

void
tm_watch_offer(struct tm_daemon *d, const char *rel, enum tm_seen how)
{
	struct tm_entry *e = find(d, rel);
	int changed;

	if (e != NULL) {
		/* A new file under the name of one in flight: offer it
		   again once that one is done (tm_watch_forget). */
		if (e->state == TM_ENTRY_CLAIMED && how != TM_SEEN_WORK)
			e->again = 1;
		if (e->state != TM_ENTRY_SETTLING)
			return;
		switch (how) {
		case TM_SEEN_MOVED:
		case TM_SEEN_WORK:
			e->in_work = how == TM_SEEN_WORK;
			make_ready(d, e);
			tm_serve_pump(d);
			break;
		case TM_SEEN_WRITING:
			e->writing = 1;
			e->stable_since = uv_now(d->loop);
			break;
		case TM_SEEN_CLOSED:
			e->writing = 0;
			e->stable_since = uv_now(d->loop);
			break;
		case TM_SEEN_LISTED:
			break;
		}
		return;
	}
	if (d->settling.n + d->ready.n >= d->cfg->queue) {
		d->overflowed = 1;
		return;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->rel = strdup(rel)) == NULL) {
		free(e);
		d->overflowed = 1;
		return;
	}
	e->seen_ns = uv_hrtime();
	e->stable_since = uv_now(d->loop);
	e->size = -1;
	e->hnext = d->buckets[hash(rel) & (d->nbuckets - 1)];
	d->buckets[hash(rel) & (d->nbuckets - 1)] = e;
	d->nentries++;
	if (how == TM_SEEN_MOVED || how == TM_SEEN_WORK) {
		e->in_work = how == TM_SEEN_WORK;
		e->state = TM_ENTRY_READY;
		list_add(&d->ready, e);
		tm_serve_pump(d);
		return;
	}
	e->state = TM_ENTRY_SETTLING;
	list_add(&d->settling, e);
	e->writing = how == TM_SEEN_WRITING;
	if (snapshot(d, e, &changed) != 0) {
		tm_watch_forget(d, e);
		return;
	}
	/* Only a regular file is written and closed; links, pipes and
	   folders just settle. */
	if (e->mode != S_IFREG)
		e->writing = 0;
	if (!uv_is_active((uv_handle_t *)&d->settle_timer))
		uv_timer_start(&d->settle_timer, on_settle, settle_tick(d),
		    settle_tick(d));
}

static void
on_settle(uv_timer_t *t)
{
	struct tm_daemon *d = t->data;
	struct tm_entry *e, *next;
	uint64_t now = uv_now(d->loop), settle = d->cfg->settle_ms;
	uint64_t lost = settle * 10 < 60000 ? 60000 : settle * 10;
	int changed, moved = 0;

	for (e = d->settling.head; e != NULL; e = next) {
		next = e->next;
		if (snapshot(d, e, &changed) != 0) {
			tm_watch_forget(d, e);
			continue;
		}
		if (changed) {
			e->stable_since = now;
			continue;
		}
		if (now - e->stable_since < settle ||
		    (e->writing && now - e->stable_since < lost))
			continue;
		make_ready(d, e);
		moved = 1;
	}
	if (d->settling.n == 0)
		uv_timer_stop(t);
	if (moved)
		tm_serve_pump(d);
}

/* -- listings ------------------------------------------------------- */

static int
is_dir(const char *dir, const char *name, unsigned char type)
{
	char path[PATH_MAX];
	struct stat st;

	if (type != DT_UNKNOWN)
		return type == DT_DIR;
	(void)tm_path(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
list_dir(struct tm_daemon *d, const char *dir, const char *prefix,
    enum tm_seen how)
{
	char rel[PATH_MAX];
	struct dirent *de;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			tm_log(TM_LOG_ERR, "cannot list %s: %s", dir,
			    strerror(errno));
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (tm_watch_ignored(de->d_name))
			continue;
		if (*prefix == '\0' && tm_config_profile(d->cfg, de->d_name,
		    strlen(de->d_name)) != NULL &&
		    is_dir(dir, de->d_name, de->d_type))
			continue;
		if (d->settling.n + d->ready.n >= d->cfg->queue) {
			d->overflowed = 1;
			break;
		}
		(void)tm_path(rel, sizeof(rel), "%s%s", prefix, de->d_name);
		tm_watch_offer(d, rel, how);
	}
	closedir(dp);
}

void
tm_watch_rescan(struct tm_daemon *d)
{
	const struct tm_config *c = d->cfg;
	char dir[PATH_MAX], prefix[PATH_MAX];
	size_t i;

	if (d->state == TM_STATE_STOPPING)
		return;
	d->overflowed = 0;
	/* Work left by a crash first: it was claimed already. */
	list_dir(d, c->work, "", TM_SEEN_WORK);
	for (i = 0; i < c->nprofiles; i++) {
		(void)tm_path(dir, sizeof(dir), "%s/%s", c->work,
		    c->profiles[i].name);
		(void)tm_path(prefix, sizeof(prefix), "%s/", c->profiles[i].name);
		list_dir(d, dir, prefix, TM_SEEN_WORK);
	}
	list_dir(d, c->inbox, "", TM_SEEN_LISTED);
	for (i = 0; i < c->nprofiles; i++) {
		(void)tm_path(dir, sizeof(dir), "%s/%s", c->inbox,
		    c->profiles[i].name);
		(void)tm_path(prefix, sizeof(prefix), "%s/", c->profiles[i].name);
		list_dir(d, dir, prefix, TM_SEEN_LISTED);
	}
}

/* -- inotify -------------------------------------------------------- */

static void
free_inotify(struct tm_inotify *in)
{
	size_t i;

	close(in->fd);
	for (i = 0; i < in->ndirs; i++)
		free(in->dirs[i].prefix);
	free(in->dirs);
	free(in);
}

static void
on_inotify_closed(uv_handle_t *h)
{
	free_inotify(h->data);
}

static const char *
prefix_of(struct tm_inotify *in, int wd)
{
	size_t i;

	for (i = 0; i < in->ndirs; i++)
		if (in->dirs[i].wd == wd)
			return in->dirs[i].prefix;
	return NULL;
}

static void
on_inotify(uv_poll_t *h, int status, int events)
{
	struct tm_inotify *in = h->data;
	struct tm_daemon *d = in->d;
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	char rel[PATH_MAX];
	const struct inotify_event *ev;
	struct tm_entry *e;
	const char *prefix;
	int rescan = 0, rearm = 0;
	ssize_t n;
	char *p;

	if (status < 0) {
		tm_log(TM_LOG_ERR, "inotify: %s", uv_strerror(status));
		return;
	}
	for (;;) {
		n = read(in->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				rescan = 1;
				continue;
			}
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
			    IN_IGNORED | IN_UNMOUNT)) {
				rearm = 1;
				continue;
			}
			if (ev->len == 0 || tm_watch_ignored(ev->name) ||
			    (prefix = prefix_of(in, ev->wd)) == NULL)
				continue;
			if (*prefix == '\0' && (ev->mask & IN_ISDIR) &&
			    tm_config_profile(d->cfg, ev->name,
			    strlen(ev->name)) != NULL) {
				rearm = 1;	/* a profile folder came back */
				continue;
			}
			(void)tm_path(rel, sizeof(rel), "%s%s", prefix, ev->name);
			if (ev->mask & IN_MOVED_TO)
				tm_watch_offer(d, rel, (ev->mask & IN_ISDIR) ?
				    TM_SEEN_LISTED : TM_SEEN_MOVED);
			else if (ev->mask & IN_CLOSE_WRITE)
				tm_watch_offer(d, rel, TM_SEEN_CLOSED);
			else if (ev->mask & (IN_CREATE | IN_MODIFY))
				tm_watch_offer(d, rel, (ev->mask & IN_ISDIR) ?
				    TM_SEEN_LISTED : TM_SEEN_WRITING);
		}
	}
	if (rearm && d->state != TM_STATE_STOPPING) {
		tm_log(TM_LOG_WARNING, "an inbox folder was moved or removed; "
		    "watching it again");
		tm_watch_stop(d);
		(void)tm_watch_start(d);
	} else if (rescan) {
		tm_log(TM_LOG_WARNING, "inotify queue overflowed; listing "
		    "the inbox");
		/* The close of a file being written may be among the events
		   lost: from now on it is taken once it settles, like a
		   listed one, not after the lost-close timeout. */
		for (e = d->settling.head; e != NULL; e = e->next)
			e->writing = 0;
		tm_watch_rescan(d);
	}
}

static int
add_dir(struct tm_inotify *in, const char *path, const char *prefix)
{
	void *v;
	int wd;

	if ((wd = inotify_add_watch(in->fd, path, WATCH_MASK)) < 0)
		return -errno;
	v = realloc(in->dirs, (in->ndirs + 1) * sizeof(*in->dirs));
	if (v == NULL)
		return -ENOMEM;
	in->dirs = v;
	if ((in->dirs[in->ndirs].prefix = strdup(prefix)) == NULL)
		return -ENOMEM;
	in->dirs[in->ndirs++].wd = wd;
	return 0;
}

static int
make_dirs(const struct tm_config *c)
{
	char path[PATH_MAX];
	size_t i;

	if (mkdir(c->inbox, 0777) != 0 && errno != EEXIST)
		return -errno;
	for (i = 0; i < c->nprofiles; i++) {
		(void)tm_path(path, sizeof(path), "%s/%s", c->inbox,
		    c->profiles[i].name);
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int
tm_watch_start(struct tm_daemon *d)
{
	const struct tm_config *c = d->cfg;
	struct tm_inotify *in = NULL;
	char path[PATH_MAX], prefix[PATH_MAX];
	size_t i;
	int rc, fd = -1;

	if ((rc = make_dirs(c)) != 0) {
		tm_log(TM_LOG_ERR, "cannot create %s: %s", c->inbox,
		    strerror(-rc));
		return rc;
	}
	d->watch.polling = 1;
	if (getenv("TEXTMEND_NO_INOTIFY") == NULL)
		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		if (getenv("TEXTMEND_NO_INOTIFY") == NULL)
			tm_log(TM_LOG_WARNING, "inotify unavailable (%s); "
			    "polling the inbox", strerror(errno));
		goto listed;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL) {
		close(fd);
		goto listed;
	}
	in->fd = fd;
	in->d = d;
	rc = add_dir(in, c->inbox, "");
	for (i = 0; rc == 0 && i < c->nprofiles; i++) {
		(void)tm_path(path, sizeof(path), "%s/%s", c->inbox,
		    c->profiles[i].name);
		(void)tm_path(prefix, sizeof(prefix), "%s/", c->profiles[i].name);
		rc = add_dir(in, path, prefix);
	}
	if (rc == 0 && (rc = uv_poll_init(d->loop, &in->poll, fd)) == 0) {
		in->poll.data = in;
		if ((rc = uv_poll_start(&in->poll, UV_READABLE,
		    on_inotify)) != 0)
			uv_close((uv_handle_t *)&in->poll, on_inotify_closed);
		else {
			d->watch.in = in;
			d->watch.polling = 0;
		}
	} else {
		tm_log(TM_LOG_WARNING, "cannot watch the inbox (%s); polling",
		    rc == -ENOSPC ? "inotify watch limit reached" :
		    uv_strerror(rc));
		free_inotify(in);
	}
listed:
	/* Armed first, listed second: a file that arrives in between is
	   seen twice at worst, never missed. */
	tm_watch_rescan(d);
	return 0;
}

void
tm_watch_stop(struct tm_daemon *d)
{
	if (d->watch.in != NULL)
		uv_close((uv_handle_t *)&d->watch.in->poll, on_inotify_closed);
	d->watch.in = NULL;
	d->watch.polling = 0;
}
