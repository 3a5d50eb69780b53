#!/bin/sh
#
# make-tuning.sh - print a set of Chinese sentences to tune the CJK repairs
# of the mojibake filter on.
#
# The held-out check (test_heldout_mojibake.c) measures the filter on the
# UD sentences of the shared corpus, which it must never be tuned on. To
# change a weight or a rule, measure on this set instead: lines of the
# Chinese man pages Debian ships (package manpages-zh; zh_TW, Traditional,
# by default, or zh_CN, Simplified), stripped of roff requests and font
# escapes, kept when they hold at least ten Han characters, at least 60%
# of the line, no space between two Han characters (many of these pages
# put spaces between words, which text in the wild does not) and nothing
# Big5 (for zh_CN: GBK) cannot write. Duplicates are dropped and 2,000
# lines are chosen by a stable hash, so a run on the same package gives
# the same set. Then:
#
#   sh tests/mojibake/make-tuning.sh > tune.hant.txt
#   sh tests/mojibake/make-tuning.sh zh_CN > tune.hans.txt
#   TM_HELDOUT_HANT=tune.hant.txt TM_HELDOUT_HANS=tune.hans.txt \
#       build/tests/test_heldout_mojibake chinese_big5 chinese_as_gbk
#
#   sh tests/mojibake/make-tuning.sh [zh_TW | zh_CN] [MANDIR]
#   (MANDIR default /usr/share/man/LANG)
#
# Needs python3 and the man pages (apt-get install manpages-zh). The set
# is not kept in the tree: it is the package's text, rebuilt when needed.
set -eu

lang=${1:-zh_TW}
case $lang in
zh_TW) charset=big5 ;;
zh_CN) charset=gbk ;;
*) echo "usage: make-tuning.sh [zh_TW | zh_CN] [MANDIR]" >&2; exit 2 ;;
esac
mandir=${2:-/usr/share/man/$lang}
ls "$mandir"/man* >/dev/null 2>&1 ||
    { echo "make-tuning: no man pages in $mandir (apt-get install manpages-zh)" >&2; exit 2; }

for f in "$mandir"/man*/*; do
	zcat -f "$f"
done | python3 -c '
import hashlib, re, sys

charset = sys.argv[1]

def han(c):
    return "\u4e00" <= c <= "\u9fff"

request = re.compile(r"^\.[A-Za-z]+ ?")
escape = re.compile(r"\\f[BIRP]|\\s[-+]?[0-9]|\\\(..|\\")
seen, keep = set(), []
for line in sys.stdin.buffer:
    line = line.decode("utf-8", "replace")
    if line.startswith(".\\\""):
        continue
    line = request.sub("", line.strip()).replace("\\-", "-")
    line = escape.sub("", line).strip()
    n = sum(1 for c in line if han(c))
    if n < 10 or n < 0.6 * len(line) or line in seen:
        continue
    if re.search("[\u4e00-\u9fff] [\u4e00-\u9fff]", line):
        continue
    try:
        line.encode(charset)
    except UnicodeEncodeError:
        continue
    seen.add(line)
    keep.append(line)
keep.sort(key=lambda s: hashlib.sha1(s.encode("utf-8")).hexdigest())
sys.stdout.write("".join(s + "\n" for s in keep[:2000]))
' "$charset"
