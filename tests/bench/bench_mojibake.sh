#!/bin/sh
# Throughput of `decode,mojibake` on clean Chinese and on heavily broken
# text, beside ftfy's fix_text on the same documents in the same run when
# ftfy is installed. Not a CTest test: it measures the machine as much as
# the code.
#
# The clean documents are the UD Chinese sentences in shared/corpus
# (Simplified and Traditional, one document each). The broken ones are the
# same text put through the confusions the filter repairs, every sentence
# of it, with Python's codecs: UTF-8 read as cp1252, UTF-8 read as GBK
# (invalid pairs lost to U+FFFD) and GBK read as Latin-1; apart from
# those, as "big5", UTF-8 read as Big5 (invalid pairs lost to "?"),
# whose repair weighs candidates by their neighbours and is the slowest
# of all. Each set is
# cleaned in one process by the bench_chain driver (REPS times, best of
# BEST, one core) and ftfy gets the same documents as Python strings.
#
# usage: bench_mojibake.sh BUILD-DIR
#   TM_SHARED_DIR  shared material with corpus/ud-zh (default: beside
#                  the tree)
#   BENCH_REPS     cleanings of each document per run (default 100)
#   BENCH_BEST     runs, the fastest counts (default 5)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench_mojibake.sh BUILD-DIR}
driver=$build/tests/bench_chain
shared=${TM_SHARED_DIR:-$here/../../../shared}
reps=${BENCH_REPS:-100}
best=${BENCH_BEST:-5}
ud=$shared/corpus/ud-zh

[ -x "$driver" ] || { echo "bench: no driver at $driver (build it)" >&2; exit 2; }
[ -r "$ud/dev.hans.txt" ] && [ -r "$ud/dev.hant.txt" ] ||
    { echo "bench: no UD sentences in $ud" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 not found" >&2; exit 2; }

pin=
command -v taskset >/dev/null && pin="taskset -c 0"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/clean" "$work/broken" "$work/big5"
cp "$ud/dev.hans.txt" "$ud/dev.hant.txt" "$work/clean/"
python3 - "$work/clean" "$work/broken" "$work/big5" <<'EOF'
import os, sys
src, dst, big5 = sys.argv[1], sys.argv[2], sys.argv[3]
for name in sorted(os.listdir(src)):
    text = open(os.path.join(src, name), encoding="utf-8").read()
    stem = name[:-4]
    broken = {
        "utf8-as-cp1252": text.encode("utf-8").decode("cp1252", "replace"),
        "utf8-as-gbk": text.encode("utf-8").decode("gbk", "replace"),
        "gbk-as-latin1": text.encode("gbk", "replace").decode("latin-1"),
    }
    for kind, b in broken.items():
        with open(os.path.join(dst, "%s.%s.txt" % (stem, kind)), "w",
                  encoding="utf-8") as f:
            f.write(b)
    with open(os.path.join(big5, "%s.utf8-as-big5.txt" % stem), "w",
              encoding="utf-8") as f:
        f.write(text.encode("utf-8").decode("big5", "replace")
                .replace("\ufffd", "?"))
EOF

# mbps BYTES NANOSECONDS
mbps() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1f", $1 / 1e6 / ($2 / 1e9); else print "-" }'; }

have_ftfy=0
python3 -c 'import ftfy' 2>/dev/null && have_ftfy=1

echo "decode,mojibake, in process, one core, best of $best," \
    "each document $reps times per run"
printf '%-8s %5s %9s %12s %10s\n' text docs MB/run "textmend MB/s" "ftfy MB/s"
for set in clean broken big5; do
	$pin "$driver" -f decode,mojibake -n "$reps" -b "$best" \
	    "$work/$set"/*.txt >"$work/$set.out"
	bytes=$(sed -n 's/^bytes //p' "$work/$set.out")
	total=$(sed -n 's/^total //p' "$work/$set.out")
	ours=$(mbps "$bytes" "$total")
	peer=-
	if [ $have_ftfy -eq 1 ]; then
		ns=$($pin python3 "$here/ftfy_time.py" "$reps" "$best" "$work/$set"/*.txt)
		peer=$(mbps "$bytes" "$ns")
		ratio=$(echo "$ns $total" | awk '{ printf "%.1f", $1 / $2 }')
	fi
	printf '%-8s %5d %9s %12s %10s' "$set" "$(ls "$work/$set" | wc -l)" \
	    "$(echo "$bytes $reps" | awk '{ printf "%.2f", $1 / 1e6 }')" \
	    "$ours" "$peer"
	[ $have_ftfy -eq 1 ] && printf '   textmend/ftfy %sx' "$ratio"
	echo
done
if [ $have_ftfy -eq 0 ]; then
	echo "ftfy: not installed (Debian 12 does not package it); for"
	echo "its fix_text the issue quotes 4-5 MB/s on this machine, so"
	echo "20x on clean text is 80-100 MB/s, 5x on broken 20-25 MB/s"
fi
