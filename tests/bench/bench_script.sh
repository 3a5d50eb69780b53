#!/bin/sh
# bench_script.sh - throughput of the script filter beside its peers.
#
# Builds a 20 MB Traditional input and a 20 MB Simplified one from the
# UD Chinese dev sentences (repeated), then times, one run each:
#   textmend clean --filters script --script t2s / s2t
#   opencc -c t2s.json / s2t.json          (Debian's opencc, if installed)
#   uconv -x Hant-Hans / Hans-Hant         (ICU, if installed)
#   libopencc's C API, opencc_convert_utf8 on the whole input in memory
#                                          (if cc and libopencc-dev are)
# and prints MB/s side by side with textmend's ratio to each; then the
# startup time of textmend (mean of 50 runs on a one-line input).
#
# usage: TEXTMEND=path/to/textmend TM_SHARED_DIR=... sh bench_script.sh
set -eu
: "${TEXTMEND:?set TEXTMEND to the textmend binary}"
: "${TM_SHARED_DIR:?set TM_SHARED_DIR to the shared material}"
SIZE=${BENCH_SIZE:-20000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

make_input() {	# SRC OUT: repeat SRC until OUT is SIZE bytes
	: >"$2"
	while [ "$(wc -c <"$2")" -lt "$SIZE" ]; do
		cat "$1" "$1" "$1" "$1" "$1" "$1" "$1" "$1" >>"$2"
	done
}
make_input "$TM_SHARED_DIR/corpus/ud-zh/dev.hant.txt" "$dir/hant.txt"
make_input "$TM_SHARED_DIR/corpus/ud-zh/dev.hans.txt" "$dir/hans.txt"

now() { date +%s%N; }

# time_cmd IN CMD...: seconds (3 decimals) to run CMD <IN >/dev/null
time_cmd() {
	in=$1
	shift
	t0=$(now)
	"$@" <"$in" >"$dir/out"
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }'
}

mbps() {	# FILE SECONDS
	echo "$(wc -c <"$1") $2" | awk '{ printf "%.1f", $1 / 1e6 / $2 }'
}

# A small program around libopencc's C API: time the conversion alone
# (after loading the config), without the command's line-by-line I/O.
have_libopencc=0
cat >"$dir/ocapi.c" <<'CEOF'
#include <opencc/opencc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int
main(int argc, char **argv)
{
	FILE *f = fopen(argv[2], "rb");
	char *in, *out;
	long n;
	struct timespec a, b;
	opencc_t oc;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		return 1;
	rewind(f);
	if ((in = malloc((size_t)n + 1)) == NULL ||
	    fread(in, 1, (size_t)n, f) != (size_t)n)
		return 1;
	in[n] = 0;
	if ((oc = opencc_open(argv[1])) == (opencc_t)-1)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	out = opencc_convert_utf8(oc, in, (size_t)n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (out == NULL)
		return 1;
	printf("%.1f\n", n / 1e6 / ((b.tv_sec - a.tv_sec) +
	    (b.tv_nsec - a.tv_nsec) / 1e9));
	opencc_convert_utf8_free(out);
	opencc_close(oc);
	return 0;
}
CEOF
if cc -O2 -o "$dir/ocapi" "$dir/ocapi.c" -lopencc 2>/dev/null; then
	have_libopencc=1
fi

row() {	# DIRECTION IN MODE OPENCC_CFG ICU_ID
	tm=$(time_cmd "$2" "$TEXTMEND" clean -q --filters script --script "$3")
	tm_r=$(mbps "$2" "$tm")
	oc_r=- ic_r=- r1=- r2=-
	if command -v opencc >/dev/null 2>&1; then
		oc=$(time_cmd "$2" opencc -c "$4")
		oc_r=$(mbps "$2" "$oc")
		r1=$(echo "$tm_r $oc_r" | awk '{ printf "%.1fx", $1 / $2 }')
	fi
	if command -v uconv >/dev/null 2>&1; then
		ic=$(time_cmd "$2" uconv -x "$5")
		ic_r=$(mbps "$2" "$ic")
		r2=$(echo "$tm_r $ic_r" | awk '{ printf "%.1fx", $1 / $2 }')
	fi
	api_r=- r3=-
	if [ $have_libopencc = 1 ]; then
		api_r=$("$dir/ocapi" "$4" "$2")
		r3=$(echo "$tm_r $api_r" | awk '{ printf "%.1fx", $1 / $2 }')
	fi
	printf '%-5s %10s %10s %10s %10s %12s %10s %10s\n' "$1" "$tm_r" \
	    "$oc_r" "$ic_r" "$api_r" "$r1" "$r2" "$r3"
}

echo "input: $(wc -c <"$dir/hant.txt") bytes Traditional, $(wc -c <"$dir/hans.txt") bytes Simplified"
printf '%-5s %10s %10s %10s %10s %12s %10s %10s\n' mode "textmend" \
    "opencc" "uconv" "libopencc" "vs opencc" "vs uconv" "vs lib"
printf '%-5s %10s %10s %10s %10s %12s %10s %10s\n' "" "MB/s" "MB/s" \
    "MB/s" "MB/s" "" "" ""
row t2s "$dir/hant.txt" t2s t2s.json Hant-Hans
row s2t "$dir/hans.txt" s2t s2t.json Hans-Hant

echo "一隻貓" >"$dir/one.txt"
t0=$(now)
i=0
while [ $i -lt 50 ]; do
	"$TEXTMEND" clean -q --filters script --script t2s "$dir/one.txt" \
	    >/dev/null
	i=$((i + 1))
done
t1=$(now)
echo "$t0 $t1" | awk '{ printf "startup (textmend clean, t2s, one line): %.1f ms\n", ($2 - $1) / 1e6 / 50 }'
if command -v opencc >/dev/null 2>&1; then
	t0=$(now)
	i=0
	while [ $i -lt 50 ]; do
		opencc -c t2s.json -i "$dir/one.txt" >/dev/null
		i=$((i + 1))
	done
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "startup (opencc -c t2s.json, one line): %.1f ms\n", ($2 - $1) / 1e6 / 50 }'
fi
