#!/bin/sh
# Throughput of decode (and of the whole default chain) against iconv and
# uconv on the same input, in the same run; then peak memory cleaning a
# 1 GiB file, which must stay under 64 MB. Not a CTest test: it takes a
# few minutes and measures the machine as much as the code.
#
# usage: bench_decode.sh [TEXTMEND]
#   TEXTMEND        the binary (default: $TEXTMEND, else ./textmend)
#   TM_SHARED_DIR   shared material with seeds/ (default: beside the tree)
#   BENCH_MB        size of the input per encoding (default 64)
#   BENCH_BIG_MB    size of the memory-check input (default 1024)
#   BENCH_RSS_MAX_MB the limit for the memory check (default 64)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${TEXTMEND:-./textmend}}
shared=${TM_SHARED_DIR:-$here/../../../shared}
mb=${BENCH_MB:-64}
big_mb=${BENCH_BIG_MB:-1024}
rss_max=${BENCH_RSS_MAX_MB:-64}

[ -x "$bin" ] || { echo "bench: no textmend binary at $bin" >&2; exit 2; }
ls "$shared"/seeds/*.txt >/dev/null 2>&1 ||
    { echo "bench: no seeds in $shared/seeds" >&2; exit 2; }
for tool in iconv uconv; do
	command -v $tool >/dev/null || { echo "bench: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s%N; }

# Repeat the seeds until the file has at least $2 MB.
fill() {
	out=$1
	want=$(($2 * 1048576))
	cat "$shared"/seeds/*.txt >"$work/unit"
	: >"$out"
	# Double a block, then append blocks: a few dozen cat calls.
	cp "$work/unit" "$work/block"
	while [ "$(wc -c <"$work/block")" -lt 4194304 ]; do
		cat "$work/block" "$work/block" >"$work/block2"
		mv "$work/block2" "$work/block"
	done
	while [ "$(wc -c <"$out")" -lt "$want" ]; do
		cat "$work/block" >>"$out"
	done
	rm -f "$work/block" "$work/unit"
}

echo "building ${mb} MB inputs from the seeds..." >&2
fill "$work/in.UTF-8" "$mb"
iconv -f UTF-8 -t GB18030 "$work/in.UTF-8" >"$work/in.GB18030"
# Big5 cannot spell every Simplified character: drop what it lacks.
iconv -c -f UTF-8 -t BIG5 "$work/in.UTF-8" >"$work/in.BIG5" 2>/dev/null || true
iconv -f UTF-8 -t UTF-16LE "$work/in.UTF-8" >"$work/in.UTF-16LE"

# time_cmd OUTFILE CMD...: run CMD with stdout to OUTFILE, print seconds.
time_cmd() {
	out=$1
	shift
	t0=$(now)
	"$@" >"$out"
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }'
}

mbps() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1f", $1 / 1048576 / $2; else print "-" }'; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }'; }

printf '\n%-9s %7s | %9s %9s %9s %9s | %8s %8s\n' \
    encoding MB "decode" "chain" iconv uconv "dec/icv" "dec/ucv"
printf '%-9s %7s | %9s %9s %9s %9s | %8s %8s\n' \
    "" "" "MB/s" "MB/s" "MB/s" "MB/s" "speed" "speed"
for enc in UTF-8 GB18030 BIG5 UTF-16LE; do
	in=$work/in.$enc
	size=$(wc -c <"$in")
	td=$(time_cmd "$work/out.decode" "$bin" clean -q --filters decode --from-code "$enc" "$in")
	tc=$(time_cmd "$work/out.chain" "$bin" clean -q --from-code "$enc" "$in")
	ti=$(time_cmd "$work/out.iconv" iconv -f "$enc" -t UTF-8 "$in")
	tu=$(time_cmd "$work/out.uconv" uconv -f "$enc" -t UTF-8 "$in")
	# decode must agree with iconv byte for byte (no BOM, no bad bytes).
	if ! cmp -s "$work/out.decode" "$work/out.iconv"; then
		echo "bench: decode output differs from iconv for $enc" >&2
		exit 1
	fi
	printf '%-9s %7.1f | %9s %9s %9s %9s | %8s %8s\n' "$enc" \
	    "$(echo "$size" | awk '{ print $1 / 1048576 }')" \
	    "$(mbps "$size" "$td")" "$(mbps "$size" "$tc")" \
	    "$(mbps "$size" "$ti")" "$(mbps "$size" "$tu")" \
	    "$(ratio "$ti" "$td")" "$(ratio "$tu" "$td")"
	rm -f "$work"/out.*
done
echo "(speed: iconv or uconv time / decode time; above 1 = decode is faster)"
rm -f "$work"/in.*

echo >&2
echo "building a ${big_mb} MB input for the memory check..." >&2
fill "$work/big.txt" "$big_mb"
size=$(wc -c <"$work/big.txt")
/usr/bin/time -v "$bin" clean -q "$work/big.txt" >/dev/null 2>"$work/time.txt"
rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time.txt")
elapsed=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time.*: //p' "$work/time.txt")
rm -f "$work/big.txt"
printf '\nmemory: default chain over %.0f MB: peak RSS %.1f MB (limit %d MB), wall %s\n' \
    "$(echo "$size" | awk '{ print $1 / 1048576 }')" \
    "$(echo "$rss_kb" | awk '{ print $1 / 1024 }')" "$rss_max" "$elapsed"
if [ "$rss_kb" -ge $((rss_max * 1024)) ]; then
	echo "bench: peak RSS over ${rss_max} MB" >&2
	exit 1
fi
