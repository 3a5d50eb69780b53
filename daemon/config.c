/*
 * config.c - read the daemon's INI file into a struct tm_config.
 *
 * inih (Debian's libinih) does the lexing. Its handler does not get line
 * numbers in Debian's build, so the file is fed through a reader that
 * counts lines, and every entry is first collected with its line, then
 * applied in two passes: the base chain ([filters], [filter.NAME]) before
 * the profiles ([profile.NAME]), which start from a clone of it. That
 * way a profile sees the whole base chain whatever order the sections
 * come in, and every error names file, line and key.
 *
 *   [paths]    inbox outbox failed reports work archive socket
 *   [serve]    workers queue settle rescan summary max-size sync archive
 *              admin-uid admin-gid
 *   [filters]  chain = decode,space,...
 *   [filter.F] KEY = VALUE          (tm_chain_set)
 *   [profile.P] script = MODE | from-code = ENC | chain = LIST | F.KEY = V
 *
 * Runs on the loop thread (start and SIGHUP) or in `serve --check`.
 */
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <stddef.h>
#include <uv.h>

#include "textmend/err.h"
#include "textmend/pipeline.h"
#include "config.h"

struct entry {
	char *section, *key, *value;
	int line;
};

struct loader {
	FILE *f;
	int line;
	struct entry *v;
	size_t n, cap;
	int oom;
};

static char *
loader_gets(char *str, int num, void *arg)
{
	struct loader *l = arg;
	char *s = fgets(str, num, l->f);

	if (s != NULL)
		l->line++;
	return s;
}

static int
loader_entry(void *arg, const char *section, const char *key,
    const char *value)
{
	struct loader *l = arg;
	struct entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;

		if ((e = realloc(l->v, cap * sizeof(*e))) == NULL) {
			l->oom = 1;
			return 0;
		}
		l->v = e;
		l->cap = cap;
	}
	e = &l->v[l->n];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = l->line;
	if (e->section == NULL || e->key == NULL || e->value == NULL) {
		free(e->section);
		free(e->key);
		free(e->value);
		l->oom = 1;
		return 0;
	}
	l->n++;
	return 1;
}

static int
fail(char *err, size_t errlen, const char *file, int line, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
fail(char *err, size_t errlen, const char *file, int line, const char *key,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s: %s", file, line, key, msg);
	return TM_ECONF;
}

/* The decimal number at the start of s, and where it ends. */
static int
leading_number(const char *s, unsigned long long *v, char **end)
{
	errno = 0;
	if (*s < '0' || *s > '9')
		return TM_ECONF;
	*v = strtoull(s, end, 10);
	return errno != 0 ? TM_ECONF : 0;
}

/* v times its unit into *out, unless that overflows. */
static int
scaled(unsigned long long v, uint64_t mul, uint64_t *out)
{
	if (v > UINT64_MAX / mul)
		return TM_ECONF;
	*out = v * mul;
	return 0;
}

int
tm_config_parse_ms(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mul;
	char *end;

	if (leading_number(s, &v, &end) != 0)
		return TM_ECONF;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else
		return TM_ECONF;
	return scaled(v, mul, out);
}

int
tm_config_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	if (leading_number(s, &v, &end) != 0)
		return TM_ECONF;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'M': mul = 1ULL << 20; end++; break;
	case 'G': mul = 1ULL << 30; end++; break;
	default: return TM_ECONF;
	}
	if (*end == 'i' && mul > 1)
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0')
		return TM_ECONF;
	return scaled(v, mul, out);
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return TM_ECONF;
}

static int
parse_id(const char *s, int group, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return TM_ECONF;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end == '\0' && errno == 0 && v >= 0) {
		*out = v;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(s);

		if (g == NULL)
			return TM_ECONF;
		*out = (long)g->gr_gid;
	} else {
		struct passwd *p = getpwnam(s);

		if (p == NULL)
			return TM_ECONF;
		*out = (long)p->pw_uid;
	}
	return 0;
}

static int
set_str(char **slot, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return -ENOMEM;
	free(*slot);
	*slot = s;
	return 0;
}

static int
defaults(struct tm_config *c)
{
	unsigned n = uv_available_parallelism();

	c->refs = 1;
	c->workers = n;
	c->queue = 4096;
	c->settle_ms = 1000;
	c->rescan_ms = 30000;
	c->summary_ms = 300000;
	c->max_size = 256ULL << 20;
	c->sync = 1;
	c->archive_mode = TM_ARCHIVE_NONE;
	c->admin_uid = c->admin_gid = -1;
	if (set_str(&c->inbox, "inbox") || set_str(&c->outbox, "outbox") ||
	    set_str(&c->failed, "failed") || set_str(&c->reports, "reports") ||
	    set_str(&c->work, ".work") || set_str(&c->archive, "archive") ||
	    set_str(&c->socket, "textmend.sock"))
		return -ENOMEM;
	return 0;
}

static int
apply_paths(struct tm_config *c, const struct entry *e, char *err,
    size_t errlen, const char *file)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "inbox", offsetof(struct tm_config, inbox) },
		{ "outbox", offsetof(struct tm_config, outbox) },
		{ "failed", offsetof(struct tm_config, failed) },
		{ "reports", offsetof(struct tm_config, reports) },
		{ "work", offsetof(struct tm_config, work) },
		{ "archive", offsetof(struct tm_config, archive) },
		{ "socket", offsetof(struct tm_config, socket) },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(e->key, keys[i].key) != 0)
			continue;
		if (e->value[0] == '\0')
			return fail(err, errlen, file, e->line, e->key,
			    "empty path");
		if (strcmp(e->key, "socket") == 0 &&
		    strlen(e->value) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return fail(err, errlen, file, e->line, e->key,
			    "socket path longer than %zu bytes",
			    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return set_str((char **)((char *)c + keys[i].off), e->value);
	}
	return fail(err, errlen, file, e->line, e->key,
	    "unknown key in [paths]");
}

static int
apply_serve(struct tm_config *c, const struct entry *e, char *err,
    size_t errlen, const char *file)
{
	const char *k = e->key, *v = e->value;
	uint64_t n;

	if (strcmp(k, "workers") == 0 || strcmp(k, "queue") == 0) {
		if (tm_config_parse_size(v, &n) != 0 || n == 0 || n > 100000)
			return fail(err, errlen, file, e->line, k,
			    "'%s' is not a count from 1 to 100000", v);
		if (k[0] == 'w')
			c->workers = (unsigned)(n > 1024 ? 1024 : n);
		else
			c->queue = (unsigned)n;
		return 0;
	}
	if (strcmp(k, "settle") == 0 || strcmp(k, "rescan") == 0 ||
	    strcmp(k, "summary") == 0) {
		if (tm_config_parse_ms(v, &n) != 0)
			return fail(err, errlen, file, e->line, k,
			    "'%s' is not a duration (250ms, 2s, 5m)", v);
		if (k[0] == 's' && k[1] == 'e')
			c->settle_ms = n;
		else if (k[0] == 'r')
			c->rescan_ms = n;
		else
			c->summary_ms = n;
		return 0;
	}
	if (strcmp(k, "max-size") == 0) {
		if (tm_config_parse_size(v, &n) != 0 || n == 0)
			return fail(err, errlen, file, e->line, k,
			    "'%s' is not a size (4096, 64M, 1G)", v);
		c->max_size = n;
		return 0;
	}
	if (strcmp(k, "sync") == 0) {
		if (parse_bool(v, &c->sync) != 0)
			return fail(err, errlen, file, e->line, k,
			    "'%s' is not yes or no", v);
		return 0;
	}
	if (strcmp(k, "archive") == 0) {
		if (strcmp(v, "none") == 0)
			c->archive_mode = TM_ARCHIVE_NONE;
		else if (strcmp(v, "keep") == 0)
			c->archive_mode = TM_ARCHIVE_KEEP;
		else if (strcmp(v, "gzip") == 0)
			c->archive_mode = TM_ARCHIVE_GZIP;
		else
			return fail(err, errlen, file, e->line, k,
			    "'%s' is not none, keep or gzip", v);
		return 0;
	}
	if (strcmp(k, "admin-uid") == 0 || strcmp(k, "admin-gid") == 0) {
		int group = k[6] == 'g';

		if (parse_id(v, group, group ? &c->admin_gid : &c->admin_uid))
			return fail(err, errlen, file, e->line, k,
			    "no such %s '%s'", group ? "group" : "user", v);
		return 0;
	}
	return fail(err, errlen, file, e->line, k, "unknown key in [serve]");
}

/* One setting on a chain: shorthands first, then F.KEY (or KEY of
   filter `filter` inside [filter.F]). */
static int
apply_chain_key(struct tm_chain *chain, const char *filter,
    const struct entry *e, char *err, size_t errlen, const char *file)
{
	struct tm_diag d;
	int rc;

	tm_diag_clear(&d);
	if (filter != NULL)
		rc = tm_chain_set(chain, filter, e->key, e->value, &d);
	else if (strcmp(e->key, "script") == 0) {
		if (strcmp(e->value, "none") == 0)
			rc = tm_filter_find("script") == NULL ? 0 :
			    tm_chain_enable(chain, "script", 0, &d);
		else
			rc = tm_chain_set(chain, "script", "mode", e->value,
			    &d);
	} else if (strcmp(e->key, "from-code") == 0)
		rc = tm_chain_set(chain, "decode", "from-code", e->value, &d);
	else if (strchr(e->key, '.') != NULL) {
		char *s;

		if (asprintf(&s, "%s=%s", e->key, e->value) < 0)
			return -ENOMEM;
		rc = tm_chain_set_str(chain, s, &d);
		free(s);
	} else
		return fail(err, errlen, file, e->line, e->key,
		    "unknown key (script, from-code, chain or FILTER.KEY)");
	if (rc != 0)
		return fail(err, errlen, file, e->line, e->key, "%s",
		    d.msg[0] ? d.msg : tm_strerror(rc));
	return 0;
}

static int
valid_profile_name(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '/' || (unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static int
build(struct tm_config *c, struct loader *l, const char *file, char *err,
    size_t errlen)
{
	struct tm_diag d;
	const char *chain_list = NULL;
	int chain_line = 0;
	size_t i, j;
	int rc;

	/* Pass 1: paths, serve settings, the base chain's filter list. */
	for (i = 0; i < l->n; i++) {
		struct entry *e = &l->v[i];

		if (strcmp(e->section, "paths") == 0)
			rc = apply_paths(c, e, err, errlen, file);
		else if (strcmp(e->section, "serve") == 0)
			rc = apply_serve(c, e, err, errlen, file);
		else if (strcmp(e->section, "filters") == 0) {
			if (strcmp(e->key, "chain") != 0)
				return fail(err, errlen, file, e->line, e->key,
				    "unknown key in [filters] (chain)");
			chain_list = e->value;
			chain_line = e->line;
			rc = 0;
		} else if (strncmp(e->section, "filter.", 7) == 0 ||
		    strncmp(e->section, "profile.", 8) == 0)
			rc = 0;
		else
			return fail(err, errlen, file, e->line, e->key,
			    "unknown section [%s]", e->section);
		if (rc != 0)
			return rc;
	}
	tm_diag_clear(&d);
	if ((rc = tm_chain_new(&c->chain, chain_list, &d)) != 0)
		return fail(err, errlen, file, chain_line, "chain", "%s",
		    d.msg[0] ? d.msg : tm_strerror(rc));
	/* Pass 2: options of the base chain. */
	for (i = 0; i < l->n; i++) {
		struct entry *e = &l->v[i];

		if (strncmp(e->section, "filter.", 7) != 0)
			continue;
		if ((rc = apply_chain_key(c->chain, e->section + 7, e, err,
		    errlen, file)) != 0)
			return rc;
	}
	if ((rc = tm_chain_check(c->chain, &d)) != 0)
		return fail(err, errlen, file, chain_line, "chain", "%s",
		    d.msg[0] ? d.msg : tm_strerror(rc));
	/* Pass 3: profiles, each a clone of the base chain (or a chain of
	   its own when it says `chain =`) with its settings on top. */
	for (i = 0; i < l->n; i++) {
		struct entry *e = &l->v[i];
		const char *name = e->section + 8;
		struct tm_profile *p = NULL;

		if (strncmp(e->section, "profile.", 8) != 0)
			continue;
		if (!valid_profile_name(name))
			return fail(err, errlen, file, e->line, e->section,
			    "a profile name must be a plain folder name");
		for (j = 0; j < c->nprofiles; j++)
			if (strcmp(c->profiles[j].name, name) == 0)
				p = &c->profiles[j];
		if (p == NULL) {
			p = realloc(c->profiles,
			    (c->nprofiles + 1) * sizeof(*p));
			if (p == NULL)
				return -ENOMEM;
			c->profiles = p;
			p = &c->profiles[c->nprofiles];
			p->chain = NULL;
			if ((p->name = strdup(name)) == NULL)
				return -ENOMEM;
			c->nprofiles++;
			if ((rc = tm_chain_clone(&p->chain, c->chain)) != 0)
				return rc;
		}
		if (strcmp(e->key, "chain") == 0) {
			struct tm_chain *nc;

			tm_diag_clear(&d);
			if ((rc = tm_chain_new(&nc, e->value, &d)) != 0)
				return fail(err, errlen, file, e->line,
				    e->key, "%s", d.msg);
			tm_chain_free(p->chain);
			p->chain = nc;
			continue;
		}
		if ((rc = apply_chain_key(p->chain, NULL, e, err, errlen,
		    file)) != 0)
			return rc;
	}
	for (j = 0; j < c->nprofiles; j++) {
		tm_diag_clear(&d);
		if ((rc = tm_chain_check(c->profiles[j].chain, &d)) != 0) {
			snprintf(err, errlen, "%s: [profile.%s]: %s", file,
			    c->profiles[j].name, d.msg);
			return TM_ECONF;
		}
	}
	return 0;
}

int
tm_config_load(struct tm_config **out, const char *file, char *err,
    size_t errlen)
{
	struct tm_config *c;
	struct loader l;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	err[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	if ((rc = defaults(c)) != 0)
		goto out;
	if (file != NULL) {
		if ((c->file = strdup(file)) == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		if ((l.f = fopen(file, "re")) == NULL) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
			goto out;
		}
		rc = ini_parse_stream(loader_gets, &l, loader_entry, &l);
		if (l.oom) {
			rc = -ENOMEM;
			goto out;
		}
		if (rc != 0) {
			rc = fail(err, errlen, file, rc, "syntax",
			    "expected [section] or key = value");
			goto out;
		}
	}
	rc = build(c, &l, file != NULL ? file : "(defaults)", err, errlen);
out:
	if (rc == -ENOMEM && err[0] == '\0')
		snprintf(err, errlen, "%s", strerror(ENOMEM));
	if (l.f != NULL)
		fclose(l.f);
	for (i = 0; i < l.n; i++) {
		free(l.v[i].section);
		free(l.v[i].key);
		free(l.v[i].value);
	}
	free(l.v);
	if (rc != 0) {
		tm_config_unref(c);
		return rc;
	}
	*out = c;
	return 0;
}

struct tm_config *
tm_config_ref(struct tm_config *c)
{
	c->refs++;
	return c;
}

void
tm_config_unref(struct tm_config *c)
{
	size_t i;

	if (c == NULL || --c->refs > 0)
		return;
	free(c->file);
	free(c->inbox);
	free(c->outbox);
	free(c->failed);
	free(c->reports);
	free(c->work);
	free(c->archive);
	free(c->socket);
	tm_chain_free(c->chain);
	for (i = 0; i < c->nprofiles; i++) {
		free(c->profiles[i].name);
		tm_chain_free(c->profiles[i].chain);
	}
	free(c->profiles);
	free(c);
}

const struct tm_profile *
tm_config_profile(const struct tm_config *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->nprofiles; i++)
		if (strlen(c->profiles[i].name) == len &&
		    memcmp(c->profiles[i].name, name, len) == 0)
			return &c->profiles[i];
	return NULL;
}
