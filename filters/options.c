/*
 * options.c - filter options: checking a user's key=value against the
 * filter's declared options, and reading them back in a filter's init.
 *
 * Values are kept as text, as the user wrote them (or the declared
 * default); checking happens once, when the chain is built, so a bad value
 * is a usage error on the command line or a config error naming the key,
 * never a failure halfway through a file.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "on", "yes", "true", NULL };
	static const char *const no[] = { "0", "off", "no", "false", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

/* Non-negative decimal with an optional k/M/G suffix; no sign, no
   blanks, and nothing that overflows a long long. */
static int
parse_int(const char *v, long long *out)
{
	char *end;
	long long n, mul = 1;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		mul = 1LL << 10;
		end++;
		break;
	case 'M':
		mul = 1LL << 20;
		end++;
		break;
	case 'G':
		mul = 1LL << 30;
		end++;
		break;
	}
	if (*end != '\0' || n > LLONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static int
in_choices(const char *v, const char *choices)
{
	size_t n = strlen(v);
	const char *p = choices, *comma;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		if ((comma ? (size_t)(comma - p) : strlen(p)) == n &&
		    strncmp(p, v, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int
find_key(const struct tm_filter_type *type, const char *key)
{
	int i;

	for (i = 0; type->options != NULL && type->options[i].name != NULL;
	    i++)
		if (strcmp(type->options[i].name, key) == 0)
			return i;
	return -1;
}

int
tm_options_init(struct tm_options *o, const struct tm_filter_type *type)
{
	memset(o, 0, sizeof(*o));
	o->type = type;
	return 0;
}

void
tm_options_release(struct tm_options *o)
{
	int i;

	for (i = 0; i < TM_MAX_OPTIONS; i++) {
		free(o->values[i]);
		o->values[i] = NULL;
	}
}

int
tm_options_copy(struct tm_options *dst, const struct tm_options *src)
{
	int i;

	tm_options_init(dst, src->type);
	for (i = 0; i < TM_MAX_OPTIONS; i++) {
		if (src->values[i] == NULL)
			continue;
		if ((dst->values[i] = strdup(src->values[i])) == NULL) {
			tm_options_release(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

int
tm_options_set(struct tm_options *o, const char *key, const char *value,
    struct tm_diag *diag)
{
	const struct tm_option_desc *d;
	long long n;
	int i, b;
	char *copy;

	if ((i = find_key(o->type, key)) < 0 || i >= TM_MAX_OPTIONS)
		return tm_diag_set(diag, TM_EUSAGE, o->type->name, -1,
		    "filter '%s' has no option '%s' (see 'textmend filters')",
		    o->type->name, key);
	d = &o->type->options[i];
	switch (d->kind) {
	case TM_OPT_BOOL:
		if (parse_bool(value, &b) != 0)
			return tm_diag_set(diag, TM_ECONF, o->type->name, -1,
			    "%s.%s: '%s' is not on or off", o->type->name,
			    key, value);
		break;
	case TM_OPT_INT:
		if (parse_int(value, &n) != 0)
			return tm_diag_set(diag, TM_ECONF, o->type->name, -1,
			    "%s.%s: '%s' is not a non-negative number",
			    o->type->name, key, value);
		break;
	case TM_OPT_ENUM:
		if (!in_choices(value, d->choices))
			return tm_diag_set(diag, TM_ECONF, o->type->name, -1,
			    "%s.%s: '%s' is not one of %s", o->type->name,
			    key, value, d->choices);
		break;
	case TM_OPT_STRING:
		break;
	}
	if ((copy = strdup(value)) == NULL)
		return -ENOMEM;
	free(o->values[i]);
	o->values[i] = copy;
	return 0;
}

const char *
tm_opt_str(const struct tm_options *o, const char *key)
{
	int i = find_key(o->type, key);

	if (i < 0)
		return NULL;
	if (i < TM_MAX_OPTIONS && o->values[i] != NULL)
		return o->values[i];
	return o->type->options[i].def;
}

int
tm_opt_bool(const struct tm_options *o, const char *key)
{
	const char *v = tm_opt_str(o, key);
	int b = 0;

	if (v != NULL)
		parse_bool(v, &b);
	return b;
}

long long
tm_opt_int(const struct tm_options *o, const char *key)
{
	const char *v = tm_opt_str(o, key);
	long long n = 0;

	if (v != NULL)
		parse_int(v, &n);
	return n;
}
