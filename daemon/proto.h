/*
 * proto.h - the control protocol, apart from the socket that carries it.
 *
 * control.c owns the connections; this part turns bytes into request
 * lines, a line into a command call, and decides who is an admin. None of
 * it touches the loop or the daemon, so a fuzz target
 * (tests/fuzz/fuzz_control.c) drives the very same code with arbitrary
 * bytes. Loop thread (or any single thread).
 */
#ifndef TEXTMEND_DAEMON_PROTO_H
#define TEXTMEND_DAEMON_PROTO_H

#include <stddef.h>
#include <sys/types.h>

#include "textmend/buf.h"

#define TM_PROTO_LINE_MAX (64 * 1024)	/* longer: the client is closed */
#define TM_PROTO_REQUEST_MAX 4096	/* longer: an error reply */

struct json_t;

/* -- framing -------------------------------------------------------- */

struct tm_lines {
	struct tm_buf in;
};

void tm_lines_init(struct tm_lines *l);
void tm_lines_release(struct tm_lines *l);

/* Called once per complete line: NUL-terminated, trailing CR, spaces and
   tabs removed, never empty. Return non-zero to stop reading. */
typedef int (*tm_line_fn)(void *arg, const char *line, size_t len);

/*
 * Append n bytes and call fn for each line they complete. Returns 0, the
 * non-zero value fn stopped with, TM_ELIMIT once a line grows past
 * TM_PROTO_LINE_MAX bytes without a newline, or -ENOMEM (the caller says
 * so and closes the connection; the buffered bytes are dropped).
 */
int tm_lines_feed(struct tm_lines *l, const void *p, size_t n, tm_line_fn fn,
    void *arg);

/* -- requests ------------------------------------------------------- */

/* A handler gets the request object; it returns the reply's fields (the
   caller adds "ok", "cmd" and "id"), or NULL with err set. */
typedef struct json_t *(*tm_cmd_fn)(void *ctx, struct json_t *req,
    char *err, size_t errlen);

struct tm_command {
	const char *name;
	int admin;		/* pause, resume, reload, rescan */
	tm_cmd_fn fn;
};

/* What tm_proto_handle did, for the caller's log. */
struct tm_proto_call {
	const struct tm_command *cmd;	/* NULL: not a known command */
	int refused;			/* an admin command, not an admin */
	int ok;				/* the handler succeeded */
};

/*
 * One request line in, one reply object out: a JSON object
 * ({"cmd":"recent","n":5,"id":...}) or bare words ("recent 5"). table is
 * NULL-terminated; `admin` says whether the peer may run admin commands.
 * Never returns NULL unless memory ran out. call may be NULL.
 */
struct json_t *tm_proto_handle(const struct tm_command *table, void *ctx,
    int admin, const char *line, size_t len, struct tm_proto_call *call);

/* The non-negative integer req[key] (def when absent), at most max.
   0, or TM_EDATA with err set. */
int tm_proto_count(struct json_t *req, const char *key, long long def,
    long long max, long long *out, char *err, size_t errlen);

/* -- who is an admin ------------------------------------------------ */

struct tm_peer {
	int known;		/* SO_PEERCRED answered */
	uid_t uid;
	gid_t gid;		/* primary group */
	gid_t *groups;		/* supplementary groups (owned) */
	size_t ngroups;
};

/*
 * Root, the daemon's own uid (self), admin_uid, or a member of admin_gid
 * by primary or supplementary group (-1: no such setting).
 */
int tm_proto_is_admin(const struct tm_peer *p, uid_t self, long admin_uid,
    long admin_gid);

#endif
