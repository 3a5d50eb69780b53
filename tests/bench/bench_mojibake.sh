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
# those, as "big5", UTF-8 read by Python's big5 codec (a "?" for each
# byte it cannot read), whose repair weighs candidates by their
# neighbours and is the slowest of all. Each set is cleaned in one
# process by the bench_chain driver (REPS times, best of BEST, one core)
# and ftfy gets the same documents as Python strings.
#
# usage: bench_mojibake.sh BUILD-DIR
#   TM_SHARED_DIR  shared material with corpus/ud-zh (default: beside
#                  the tree)
#   BENCH_REPS     cleanings of each document per run (default 100)
#   BENCH_BEST     runs, the fastest counts (default 5)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
driver_setup "$@"
reps=${BENCH_REPS:-100}
best=${BENCH_BEST:-5}
ud=$shared/corpus/ud-zh

[ -r "$ud/dev.hans.txt" ] && [ -r "$ud/dev.hant.txt" ] ||
    { echo "bench: no UD sentences in $ud" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 not found" >&2; exit 2; }

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
		ratio=$(ratio "$ns" "$total")
	fi
	printf '%-8s %5d %9s %12s %10s' "$set" "$(ls "$work/$set" | wc -l)" \
	    "$(echo "$bytes $reps" | awk '{ printf "%.2f", $1 / 1e6 }')" \
	    "$ours" "$peer"
	[ $have_ftfy -eq 1 ] && printf '   textmend/ftfy %sx' "$ratio"
	echo
done
if [ $have_ftfy -eq 0 ]; then
	ftfy_absent "20x on clean text is $(ftfy_range 20) MB/s," \
	    "5x on broken $(ftfy_range 5) MB/s"
fi
