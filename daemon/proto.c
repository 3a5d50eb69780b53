/*
 * proto.c - the control protocol: framing, requests, admin decision.
 *
 * Bytes from a client are cut into lines here (at most 64 KiB each; the
 * buffer never holds more than that plus one read), each line becomes a
 * request object, its "cmd" is looked up in the caller's static table,
 * admin commands are refused to peers that are not admins, and the reply
 * object gets "ok", "cmd" and the request's "id". Every malformed input
 * (invalid JSON or UTF-8, a non-object, no "cmd", unknown words, too long
 * a request) is an error reply, never a dropped connection. No loop, no
 * daemon state: control.c and tests/fuzz/fuzz_control.c call the same
 * functions. Loop thread.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textmend/err.h"
#include "proto.h"

#define READ_SLICE 4096

void
tm_lines_init(struct tm_lines *l)
{
	tm_buf_init(&l->in, TM_PROTO_LINE_MAX + READ_SLICE);
}

void
tm_lines_release(struct tm_lines *l)
{
	tm_buf_release(&l->in);
}

/* Hand every complete line in the buffer to fn. */
static int
split(struct tm_lines *l, tm_line_fn fn, void *arg)
{
	char *nl;
	size_t len, used;
	int rc;

	while ((nl = memchr(l->in.ptr, '\n', l->in.len)) != NULL) {
		used = (size_t)(nl - l->in.ptr) + 1;
		len = used - 1;
		*nl = '\0';
		while (len > 0 && (l->in.ptr[len - 1] == '\r' ||
		    l->in.ptr[len - 1] == ' ' || l->in.ptr[len - 1] == '\t'))
			l->in.ptr[--len] = '\0';
		rc = len > 0 ? fn(arg, l->in.ptr, len) : 0;
		tm_buf_consume(&l->in, used);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
tm_lines_feed(struct tm_lines *l, const void *p, size_t n, tm_line_fn fn,
    void *arg)
{
	const char *s = p;
	size_t k;
	int rc;

	/* A slice at a time, so the buffer stays within its limit however
	   much a caller hands over at once. */
	while (n > 0) {
		k = n < READ_SLICE ? n : READ_SLICE;
		if ((rc = tm_buf_append(&l->in, s, k)) != 0) {
			tm_buf_reset(&l->in);
			return rc;	/* -ENOMEM, or TM_ELIMIT past the cap */
		}
		s += k;
		n -= k;
		if ((rc = split(l, fn, arg)) != 0)
			return rc;
		if (l->in.len >= TM_PROTO_LINE_MAX) {
			tm_buf_reset(&l->in);
			return TM_ELIMIT;
		}
	}
	return 0;
}

/* -- requests ------------------------------------------------------- */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Turn "recent 5" into {"cmd":"recent","n":5}: a word and an optional
   count, nothing more. */
static json_t *
parse_words(const char *line, size_t len, char *err, size_t errlen)
{
	const char *end = line + len, *w[3], *we[3];
	char num[24], *stop = num;
	long long n = -1;
	json_t *o;
	int k = 0;

	if (memchr(line, '\0', len) != NULL) {
		snprintf(err, errlen, "a NUL byte in the request");
		return NULL;
	}
	while (line < end && k < 3) {
		while (line < end && is_blank(*line))
			line++;
		if (line == end)
			break;
		w[k] = line;
		while (line < end && !is_blank(*line))
			line++;
		we[k++] = line;
	}
	if (k == 0) {
		snprintf(err, errlen, "empty request");
		return NULL;
	}
	if (k == 3) {
		snprintf(err, errlen, "too many words (a command and a count)");
		return NULL;
	}
	if ((o = json_object()) == NULL)
		return NULL;
	/* Not UTF-8: not a command name either; say so below. */
	if (json_object_set_new(o, "cmd", json_stringn(w[0],
	    (size_t)(we[0] - w[0]))) != 0) {
		json_decref(o);
		snprintf(err, errlen, "a command is a word in UTF-8");
		return NULL;
	}
	if (k == 2) {
		size_t nl = (size_t)(we[1] - w[1]);

		errno = 0;
		if (nl < sizeof(num)) {
			memcpy(num, w[1], nl);
			num[nl] = '\0';
			n = strtoll(num, &stop, 10);
		}
		if (nl >= sizeof(num) || nl == 0 || *stop != '\0' ||
		    errno != 0 || n < 0 || num[0] < '0' || num[0] > '9') {
			json_decref(o);
			snprintf(err, errlen, "the argument is not a count");
			return NULL;
		}
		json_object_set_new(o, "n", json_integer((json_int_t)n));
	}
	return o;
}

/* An error reply whose text is always valid UTF-8. */
static json_t *
error_reply(const char *err)
{
	char safe[512];
	json_t *s;
	size_t i;

	if ((s = json_string(err)) == NULL) {
		for (i = 0; err[i] != '\0' && i < sizeof(safe) - 1; i++)
			safe[i] = (unsigned char)err[i] < 0x80 ? err[i] : '?';
		safe[i] = '\0';
		s = json_string(safe);
	}
	return json_pack("{s:b, s:o}", "ok", 0, "error", s);
}

int
tm_proto_count(json_t *req, const char *key, long long def, long long max,
    long long *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(req, key);
	long long n = def;

	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(err, errlen, "%s must be a count", key);
			return TM_EDATA;
		}
		n = (long long)json_integer_value(v);
	}
	*out = n > max ? max : n;
	return 0;
}

json_t *
tm_proto_handle(const struct tm_command *table, void *ctx, int admin,
    const char *line, size_t len, struct tm_proto_call *call)
{
	const struct tm_command *cmd = NULL;
	struct tm_proto_call dummy;
	json_t *req = NULL, *reply = NULL, *id = NULL, *v;
	json_error_t jerr;
	const char *name;
	char err[512];

	if (call == NULL)
		call = &dummy;
	memset(call, 0, sizeof(*call));
	err[0] = '\0';
	if (len > TM_PROTO_REQUEST_MAX) {
		snprintf(err, sizeof(err), "request longer than %d bytes",
		    TM_PROTO_REQUEST_MAX);
		goto out;
	}
	if (line[0] == '{') {
		req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (req == NULL) {
			snprintf(err, sizeof(err), "malformed JSON: %s",
			    jerr.text);
			goto out;
		}
	} else if ((req = parse_words(line, len, err, sizeof(err))) == NULL)
		goto out;
	if (!json_is_object(req)) {
		snprintf(err, sizeof(err), "a request is a JSON object");
		goto out;
	}
	if ((id = json_object_get(req, "id")) != NULL)
		json_incref(id);
	v = json_object_get(req, "cmd");
	if (!json_is_string(v)) {
		snprintf(err, sizeof(err), "no \"cmd\" string");
		goto out;
	}
	name = json_string_value(v);
	for (cmd = table; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, name) == 0)
			break;
	if (cmd->name == NULL) {
		cmd = NULL;
		snprintf(err, sizeof(err), "unknown command (status, stats, "
		    "recent, pause, resume, reload, rescan)");
		goto out;
	}
	call->cmd = cmd;
	if (cmd->admin && !admin) {
		call->refused = 1;
		snprintf(err, sizeof(err), "%s: permission denied",
		    cmd->name);
		goto out;
	}
	if ((reply = cmd->fn(ctx, req, err, sizeof(err))) == NULL &&
	    err[0] == '\0')
		snprintf(err, sizeof(err), "out of memory");
	if (reply != NULL) {
		call->ok = 1;
		json_object_set_new(reply, "ok", json_true());
		json_object_set_new(reply, "cmd", json_string(cmd->name));
	}
out:
	if (reply == NULL)
		reply = error_reply(err);
	if (id != NULL && reply != NULL)
		json_object_set_new(reply, "id", id);
	else
		json_decref(id);
	json_decref(req);
	return reply;
}

/* -- who is an admin ------------------------------------------------ */

int
tm_proto_is_admin(const struct tm_peer *p, uid_t self, long admin_uid,
    long admin_gid)
{
	size_t i;

	if (!p->known)
		return 0;
	if (p->uid == 0 || p->uid == self ||
	    (admin_uid >= 0 && (long)p->uid == admin_uid))
		return 1;
	if (admin_gid < 0)
		return 0;
	if ((long)p->gid == admin_gid)
		return 1;
	for (i = 0; i < p->ngroups; i++)
		if ((long)p->groups[i] == admin_gid)
			return 1;
	return 0;
}
