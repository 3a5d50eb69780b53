#!/usr/bin/env python3
"""Generate filters/hanpair.c, the Han character pair table with which the
UTF-8-read-as-Big5 repair (filters/mojibake_cjk.c) chooses a character
that lost bytes by its neighbours.

Source data: rime-essay (Debian package `rime-essay`, file
/usr/share/rime-data/essay.txt), a list of Chinese words with frequency
weights from the RIME input method project, licensed LGPL-3.0. The list is
in Traditional characters in OpenCC's standard forms; its Simplified
counterpart and one in Taiwan's forms are made with OpenCC, converting
word by word, as filters/tables/hanfreq.py does.

The model is the character bigram that text made of those words, drawn by
their weights, would have. After a character a, the next one b is either
inside the same word, with the weight of the words in which b follows a,
or starts the next word, with the weight of a ending a word times how
often b starts one:

    P(b | a) = (inside(a, b) + end(a) * Pstart(b)) / count(a)

so its cost in bits is E(a) + S(b) - G(a, b), with
    S(b) = -log2 Pstart(b)             (how rarely b starts a word),
    E(a) = -log2 (end(a) / count(a))   (how rarely a ends one),
    G(a, b) = log2(1 + inside(a, b) / (end(a) * Pstart(b))),
the gain of the pair over two words that merely meet. A pair left out of
the table gains nothing. Only characters of U+3400..U+9FFF are counted;
only those costing at most MAX_COST bits as single characters (those of
hanfreq.c) get S and E, and of the pairs of two such characters the
NPAIRS with the most weight inside words are kept, among those gaining at
least MIN_GAIN bits. Each of the three lists is counted on its own; a
character takes S and E from the list where it is more frequent, a pair
its largest gain. All three are in half bits. A character SCRIPT_RATIO
times more frequent in one script (in either Traditional list) is marked
as of that script (Traditional 1, Simplified 2), so that a guess can keep
to the script of the text around it.

Regenerate (from the project root; needs python3 and the opencc command,
which this script runs itself; neither is needed to build textmend):
    python3 filters/tables/hanpair.py /usr/share/rime-data/essay.txt \\
        > filters/hanpair.c
"""
import math
import sys

from hanfreq import read_essay, simplified, taiwan

FIRST, LAST = 0x3400, 0x9FFF
MAX_COST = 19       # as hanfreq.py: rarer characters are left out
MAX_HALF = 63       # S and E in half bits, at most this
NPAIRS = 30000      # pairs kept (must stay within TM_HANPAIR_MAX)
MIN_GAIN = 1.0      # bits a pair must gain to be kept
SCRIPT_RATIO = 8    # how much more of one script makes a character its


def is_han(ch):
    return FIRST <= ord(ch) <= LAST


def half(bits):
    return max(0, min(MAX_HALF, int(round(2 * bits))))


def model(words, weights):
    """count, start, end and inside weights of one script."""
    count, start, end, inside = {}, {}, {}, {}
    for w, n in zip(words, weights):
        if n <= 0:
            continue
        # a word is cut into runs of Han characters
        run = ""
        for ch in w + " ":
            if is_han(ch):
                run += ch
                continue
            if run:
                start[run[0]] = start.get(run[0], 0) + n
                end[run[-1]] = end.get(run[-1], 0) + n
                for i, c in enumerate(run):
                    count[c] = count.get(c, 0) + n
                    if i + 1 < len(run):
                        k = (c, run[i + 1])
                        inside[k] = inside.get(k, 0) + n
            run = ""
    total = sum(count.values())
    starts = sum(start.values())
    chars = {}
    for c, n in count.items():
        if -math.log2(n / total) > MAX_COST:
            continue
        ps = max(start.get(c, 0), 1) / starts
        chars[c] = (n, -math.log2(ps), -math.log2(max(end.get(c, 0), 1) /
                                                   n))
    pairs = {}
    for (a, b), n in inside.items():
        if a not in chars or b not in chars:
            continue
        s_b = chars[b][1]
        e_a = chars[a][2]
        # inside / (end(a) * Pstart(b)) = n / count(a) * 2^(E(a) + S(b))
        gain = math.log2(1 + n / chars[a][0] * 2 ** (e_a + s_b))
        pairs[(a, b)] = (n, gain)
    return chars, pairs


def main():
    words, weights = read_essay(sys.argv[1])
    trad = model(words, weights)
    simp = model(simplified(words), weights)
    tw = model(taiwan(words), weights)
    chars = {}
    for cs, _ in (trad, simp, tw):
        for c, (n, s, e) in cs.items():
            if c not in chars or n > chars[c][0]:
                chars[c] = (n, s, e)
    # which script a character is of, if it is much more of one
    script = {}
    for c in chars:
        nt = max(trad[0][c][0] if c in trad[0] else 0,
                 tw[0][c][0] if c in tw[0] else 0)
        ns = simp[0][c][0] if c in simp[0] else 0
        script[c] = (1 if nt > SCRIPT_RATIO * ns else
                     2 if ns > SCRIPT_RATIO * nt else 0)
    pairs = {}
    for _, ps in (trad, simp, tw):
        for k, (n, g) in ps.items():
            if g < MIN_GAIN:
                continue
            if k not in pairs:
                pairs[k] = (n, g)
            else:
                pairs[k] = (max(n, pairs[k][0]), max(g, pairs[k][1]))
    kept = sorted(pairs.items(), key=lambda kv: (-kv[1][0], kv[0]))
    kept = kept[:NPAIRS]
    entries = sorted(((ord(a) - FIRST) << 15 | (ord(b) - FIRST),
                      min(255, int(round(2 * g))))
                     for (a, b), (n, g) in kept)
    cps = sorted((ord(c), script[c], half(s), half(e))
                 for c, (n, s, e) in chars.items())
    out = sys.stdout
    out.write("""/*
 * hanpair.c - how well Han characters follow one another, for the
 * UTF-8-read-as-Big5 repair of mojibake_cjk.c (see hanpair.h).
 *
 * GENERATED by filters/tables/hanpair.py; do not edit. Source data:
 * rime-essay (RIME project, LGPL-3.0), word frequencies in Traditional
 * characters, converted to Simplified and to Taiwan's forms with OpenCC.
 * The cost of b after a is E(a) + S(b) - G(a, b), in half bits.
 *
 * tm_hanpair_char: script << 28 | code point << 12 | S << 6 | E, by code
 * point, for the %d characters costing at most %d bits alone; script 1
 * where one is %d times more frequent in a Traditional list than in the
 * Simplified, 2 the other way round, else 0. tm_hanpair: (a - 0x3400) <<
 * 15 | (b - 0x3400), sorted, for the %d pairs with the most weight inside
 * words that gain at least %g bit; tm_hanpair_gain: G of each.
 *
 * To regenerate:
 *   python3 filters/tables/hanpair.py /usr/share/rime-data/essay.txt \\
 *       > filters/hanpair.c
 */
#include "hanpair.h"

""" % (len(cps), MAX_COST, SCRIPT_RATIO, len(entries), MIN_GAIN))
    emit(out, "const uint32_t tm_hanpair_char[]",
         ["0x%x" % (k << 28 | cp << 12 | s << 6 | e)
          for cp, k, s, e in cps])
    emit(out, "const uint32_t tm_hanpair[]",
         ["0x%x" % k for k, g in entries])
    emit(out, "const uint8_t tm_hanpair_gain[]",
         ["%d" % g for k, g in entries])
    out.write("const size_t tm_hanpair_char_len = sizeof(tm_hanpair_char) /\n"
              "    sizeof(tm_hanpair_char[0]);\n"
              "const size_t tm_hanpair_len = sizeof(tm_hanpair) / "
              "sizeof(tm_hanpair[0]);\n\n"
              "_Static_assert(sizeof(tm_hanpair) / sizeof(tm_hanpair[0]) <=\n"
              "    TM_HANPAIR_MAX, \"more pairs than TM_HANPAIR_MAX\");\n")


def emit(out, decl, items):
    out.write(decl + " = {\n")
    line = "\t"
    for item in items:
        item += ","
        if len(line) + len(item) + 1 > 72:
            out.write(line.rstrip() + "\n")
            line = "\t"
        line += item + " "
    out.write(line.rstrip() + "\n};\n\n")


if __name__ == "__main__":
    main()
