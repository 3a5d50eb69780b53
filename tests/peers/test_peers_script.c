/*
 * test_peers_script.c - the script filter against its peers.
 *
 *   opencc_cases  OpenCC's own test cases (testcases.json from the OpenCC
 *                 sources, in the shared folder): for every config that
 *                 has a textmend mode, run the case through
 *                 `textmend --filters script --script MODE` (quotes off:
 *                 OpenCC keeps corner quotes) and count passes. When the
 *                 `opencc` command is installed its result for each case
 *                 is computed here too, and every case it passes must
 *                 pass here; without it, the committed list of cases
 *                 Debian's opencc 1.1.6 passes (opencc_pass.txt) stands
 *                 in (regenerate it from this test's "opencc-passes"
 *                 lines). Prints both totals and the cases textmend
 *                 fails.
 *   ud_accuracy   character accuracy on the UD Chinese GSD dev sentences
 *                 (dev.hant.txt <-> dev.hans.txt, aligned by line) in
 *                 t2s, tw2s, s2tw and s2t, beside ICU's Hant-Hans and
 *                 Hans-Hant on the same lines; textmend must beat ICU
 *                 both ways (s2t is printed only: see ud_accuracy()).
 *
 * The JSON file has trailing commas, so they are removed before jansson
 * reads it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "textmend/pipeline.h"
#include "textmend/report.h"
#include "textmend/utf8.h"
#include "translit.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 65537 > cap) {
			cap = (n + 65537) * 2;
			if ((b = realloc(b, cap)) == NULL)
				exit(2);
		}
		if ((r = fread(b + n, 1, 65536, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	b[n] = '\0';
	if (len != NULL)
		*len = n;
	return b;
}

/* Convert with textmend; the result is malloc'd. */
static char *
tm_convert(const char *mode, int quotes, const char *in)
{
	struct tm_chain *c;
	struct tm_report *r = tm_report_new("t");
	struct tm_buf out;
	struct tm_diag d;

	tm_buf_init(&out, TM_BUF_DEFAULT_MAX);
	if (tm_chain_new(&c, "script", &d) != 0 ||
	    tm_chain_set(c, "script", "mode", mode, &d) != 0 ||
	    tm_chain_set(c, "script", "quotes", quotes ? "on" : "off",
	    &d) != 0 ||
	    tm_clean_mem(c, in, strlen(in), &out, r, &d) != 0) {
		fprintf(stderr, "textmend: %s\n", d.msg);
		exit(2);
	}
	tm_chain_free(c);
	tm_report_free(r);
	return out.ptr;
}

/* Run `opencc -c CFG.json` on in; NULL when there is no opencc. */
static char *
opencc_convert(const char *cfg, const char *in)
{
	char inpath[] = "/tmp/tm-peers-XXXXXX", cmd[512], *out;
	FILE *p;
	size_t n = 0, cap = 4096, r;
	int fd;

	if ((fd = mkstemp(inpath)) < 0)
		return NULL;
	if (write(fd, in, strlen(in)) != (ssize_t)strlen(in)) {
		close(fd);
		unlink(inpath);
		return NULL;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "opencc -c %s.json -i %s 2>/dev/null",
	    cfg, inpath);
	if ((p = popen(cmd, "r")) == NULL || (out = malloc(cap)) == NULL)
		exit(2);
	while ((r = fread(out + n, 1, cap - n - 1, p)) > 0) {
		n += r;
		if (n + 1 == cap && (out = realloc(out, cap *= 2)) == NULL)
			exit(2);
	}
	out[n] = '\0';
	unlink(inpath);
	if (pclose(p) != 0) {
		free(out);
		return NULL;
	}
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

static int
have_opencc(void)
{
	const char *off = getenv("TM_PEERS_NO_OPENCC");

	if (off != NULL && *off != '\0')
		return 0;	/* to test the committed list */
	return system("opencc --help >/dev/null 2>&1") == 0;
}

/* Strip commas that stand before ] or } (outside strings). */
static void
strip_trailing_commas(char *s)
{
	char *w = s, *r = s, *k;
	int in_str = 0;

	for (; *r != '\0'; r++) {
		if (in_str) {
			if (*r == '\\' && r[1] != '\0') {
				*w++ = *r++;
			} else if (*r == '"')
				in_str = 0;
		} else if (*r == '"')
			in_str = 1;
		else if (*r == ',') {
			for (k = r + 1; *k == ' ' || *k == '\n' || *k == '\t' ||
			    *k == '\r'; k++)
				;
			if (*k == ']' || *k == '}')
				continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

static const char *const configs[] = {
	"t2s", "s2t", "s2tw", "s2hk", "tw2s", "hk2s", NULL
};

static int
opencc_cases(void)
{
	char path[1024], *text, *base = NULL, *got, *peer;
	json_t *root, *cases, *c, *exp, *v;
	json_error_t jerr;
	size_t i;
	int k, total = 0, ours = 0, theirs = 0, regress = 0, live;

	snprintf(path, sizeof(path), "%s/peers/opencc/testcases.json",
	    TM_SHARED_DIR);
	if ((text = slurp(path, NULL)) == NULL) {
		perror(path);
		return 2;
	}
	strip_trailing_commas(text);
	if ((root = json_loads(text, 0, &jerr)) == NULL) {
		fprintf(stderr, "%s:%d: %s\n", path, jerr.line, jerr.text);
		return 1;
	}
	live = have_opencc();
	if (!live) {
		snprintf(path, sizeof(path), "%s/tests/peers/opencc_pass.txt",
		    TM_SOURCE_DIR);
		if ((base = slurp(path, NULL)) == NULL) {
			perror(path);
			return 2;
		}
	}
	cases = json_object_get(root, "cases");
	json_array_foreach(cases, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *in = json_string_value(json_object_get(c,
		    "input"));

		exp = json_object_get(c, "expected");
		for (k = 0; configs[k] != NULL; k++) {
			int pass, peer_pass;
			char key[128];

			if ((v = json_object_get(exp, configs[k])) == NULL)
				continue;
			total++;
			got = tm_convert(configs[k], 0, in);
			pass = strcmp(got, json_string_value(v)) == 0;
			snprintf(key, sizeof(key), "%s %s\n", id, configs[k]);
			if (live) {
				peer = opencc_convert(configs[k], in);
				peer_pass = peer != NULL &&
				    strcmp(peer, json_string_value(v)) == 0;
				free(peer);
				if (peer_pass)
					printf("opencc-passes %s", key);
			} else {
				char needle[136];

				snprintf(needle, sizeof(needle), "\n%s", key);
				peer_pass = strstr(base, needle) != NULL;
			}
			ours += pass;
			theirs += peer_pass;
			if (!pass) {
				printf("%s %s: %s -> %s (expected %s)%s\n", id,
				    configs[k], in, got, json_string_value(v),
				    peer_pass ? " REGRESSION: opencc passes" :
				    "");
				regress += peer_pass;
			}
			free(got);
		}
	}
	printf("textmend passes %d of %d cases, opencc (%s) %d; %d that "
	    "opencc passes fail here\n", ours, total,
	    live ? "run now" : "committed list", theirs, regress);
	printf("%d passed, %d failed\n", regress == 0, regress != 0);
	json_decref(root);
	free(text);
	free(base);
	return regress == 0 ? 0 : 1;
}

/* Split into lines (in place). */
static size_t
lines(char *s, char ***out)
{
	size_t n = 0, cap = 1024;
	char **v = malloc(cap * sizeof(*v)), *nl;

	while (*s != '\0') {
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = s;
		if ((nl = strchr(s, '\n')) == NULL)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	*out = v;
	return n;
}

/* Characters of got equal to ref, position by position. */
static void
score(const char *got, const char *ref, size_t *right, size_t *all)
{
	const char *g = got, *ge = got + strlen(got), *r = ref;
	const char *re = ref + strlen(ref);

	while (r < re) {
		unsigned cr = tm_utf8_next(&r, re);
		unsigned cg = g < ge ? tm_utf8_next(&g, ge) : 0;

		*all += 1;
		*right += cr == cg;
	}
}

static double
accuracy(char **src, char **ref, size_t n, const char *mode,
    const char *icu, double *icu_acc, size_t *wrong)
{
	struct tm_translit *t;
	struct tm_buf b;
	size_t i, r1 = 0, a1 = 0, r2 = 0, a2 = 0;
	char *got;

	if (tm_translit_open(&t, icu, NULL) != 0)
		exit(2);
	for (i = 0; i < n; i++) {
		got = tm_convert(mode, 1, src[i]);
		score(got, ref[i], &r1, &a1);
		free(got);
		tm_buf_init(&b, TM_BUF_DEFAULT_MAX);
		if (tm_translit_run(t, src[i], strlen(src[i]), &b) != 0)
			exit(2);
		score(b.ptr, ref[i], &r2, &a2);
		tm_buf_release(&b);
	}
	tm_translit_close(t);
	*icu_acc = 100.0 * (double)r2 / (double)a2;
	*wrong = a1 - r1;
	return 100.0 * (double)r1 / (double)a1;
}

static int
ud_accuracy(void)
{
	char path[1024], *hant, *hans, **t, **s;
	size_t nt, ns, w1, w2;
	double a1, i1, a2, i2;
	int ok;

	snprintf(path, sizeof(path), "%s/corpus/ud-zh/dev.hant.txt",
	    TM_SHARED_DIR);
	if ((hant = slurp(path, NULL)) == NULL) {
		perror(path);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/corpus/ud-zh/dev.hans.txt",
	    TM_SHARED_DIR);
	if ((hans = slurp(path, NULL)) == NULL) {
		perror(path);
		return 2;
	}
	nt = lines(hant, &t);
	ns = lines(hans, &s);
	if (nt != ns || nt == 0) {
		fprintf(stderr, "dev sets do not align (%zu, %zu lines)\n",
		    nt, ns);
		return 1;
	}
	/* The sentences are Taiwan's (GSD is Wikipedia): t2s/tw2s and s2tw
	   must beat ICU. s2t writes OpenCC's standard forms (爲, 着, 衆),
	   which Taiwan does not use; it is printed for comparison only. */
	a1 = accuracy(t, s, nt, "t2s", "Hant-Hans", &i1, &w1);
	printf("ud-zh dev, %zu lines: t2s  %.3f%% (%zu wrong), ICU Hant-Hans "
	    "%.3f%%\n", nt, a1, w1, i1);
	ok = a1 > i1;
	a1 = accuracy(t, s, nt, "tw2s", "Hant-Hans", &i1, &w1);
	printf("ud-zh dev, %zu lines: tw2s %.3f%% (%zu wrong), ICU Hant-Hans "
	    "%.3f%%\n", nt, a1, w1, i1);
	ok = ok && a1 > i1;
	a2 = accuracy(s, t, nt, "s2tw", "Hans-Hant", &i2, &w2);
	printf("ud-zh dev, %zu lines: s2tw %.3f%% (%zu wrong), ICU Hans-Hant "
	    "%.3f%%\n", nt, a2, w2, i2);
	ok = ok && a2 > i2;
	a2 = accuracy(s, t, nt, "s2t", "Hans-Hant", &i2, &w2);
	printf("ud-zh dev, %zu lines: s2t  %.3f%% (%zu wrong; OpenCC's "
	    "standard forms, not Taiwan's), ICU Hans-Hant %.3f%%\n", nt, a2,
	    w2, i2);
	printf("%d passed, %d failed\n", ok, !ok);
	free(t);
	free(s);
	free(hant);
	free(hans);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "opencc_cases") == 0)
		return opencc_cases();
	if (argc == 2 && strcmp(argv[1], "ud_accuracy") == 0)
		return ud_accuracy();
	fprintf(stderr, "usage: test_peers_script opencc_cases|ud_accuracy\n");
	return 2;
}
