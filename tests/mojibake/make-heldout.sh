#!/bin/sh
#
# make-heldout.sh - build the held-out sentences of test_heldout_mojibake.c.
#
# The Latin, Cyrillic and other-script sentences are translations that
# Debian ships as gettext catalogues (LC_MESSAGES/*.mo): real sentences
# written by people, which the mojibake filter was never tuned on. Each
# catalogue's msgstr values are read, the ones that look like one plain
# sentence are kept (a capital first, a full stop last, 30-160 characters,
# no format directives, markup, mnemonics or line breaks; Latin ones must
# hold a letter outside ASCII, or corrupting them would change nothing),
# and a fixed number per language is chosen by a stable hash, so a run
# on the same packages gives the same files. The Chinese sentences are
# not here: the test reads them from the shared UD corpus.
#
#   sh tests/mojibake/make-heldout.sh [LOCALEDIR]   (default /usr/share/locale)
#
# Writes heldout-latin.txt, heldout-cyrillic.txt and heldout-other.txt
# beside this script; each starts with '#' lines naming the Debian
# packages and versions the sentences came from. Needs python3 and dpkg.
set -eu

localedir=${1:-/usr/share/locale}
here=$(cd "$(dirname "$0")" && pwd)

python3 - "$localedir" "$here" <<'PY'
import gettext, hashlib, os, re, subprocess, sys, unicodedata

localedir, outdir = sys.argv[1], sys.argv[2]

# Catalogues with prose-like messages, in the order they are read.
domains = ["apt", "dpkg", "adduser", "glib20", "gtk20", "PackageKit",
    "software-properties", "python-apt", "systemd", "shadow", "man-db",
    "gettext-tools", "gnupg2", "wget", "coreutils", "tar", "findutils",
    "Linux-PAM", "libc", "appstream", "gsettings-desktop-schemas",
    "at-spi2-core", "gdk-pixbuf", "xdg-user-dirs", "shared-mime-info"]

groups = {
    "latin": (["fr", "de", "es", "pt", "pl", "cs", "tr", "hu", "ro", "sk",
        "hr", "sv", "it", "vi"], 40),
    "cyrillic": (["ru", "uk", "bg", "sr", "be"], 100),
    "other": (["ja", "ko", "el", "he", "ar", "th", "hi", "ka", "zh_CN",
        "zh_TW"], 25),
}

bad = re.compile(r"[%$<>&_\\`{}|\t\n\r]|\.\.\.|https?:|[A-Za-z]+[./][A-Za-z]+/")
ender = re.compile(r"[.!?。！？।]$")

def sentences(lang, used):
    seen = set()
    for d in domains:
        path = os.path.join(localedir, lang, "LC_MESSAGES", d + ".mo")
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            try:
                cat = gettext.GNUTranslations(f)._catalog
            except Exception:
                continue
        took = False
        for key in sorted(cat, key=str):
            s = cat[key]
            if not isinstance(s, str) or key == "":
                continue
            s = unicodedata.normalize("NFC", s.strip())
            if s in seen:
                continue
            if not 30 <= len(s) <= 160 or bad.search(s):
                continue
            if not ender.search(s):
                continue
            if lang not in ("ja", "ko", "zh_CN", "zh_TW", "th", "ar",
                "he", "hi", "ka") and not s[0].isupper():
                continue
            if any(unicodedata.category(c)[0] == "C" for c in s):
                continue
            seen.add(s)
            took = True
            yield d, s
        if took:
            used.add(path)

def package(path):
    out = subprocess.run(["dpkg", "-S", path], capture_output=True,
        text=True).stdout
    pkg = out.split(":")[0].strip() if out else "?"
    ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
        capture_output=True, text=True).stdout.strip()
    return "%s %s" % (pkg, ver)

for name, (langs, per_lang) in groups.items():
    used, lines = set(), []
    for lang in langs:
        cands = list(sentences(lang, used))
        if name == "latin":
            cands = [c for c in cands if any(ord(ch) > 127 for ch in c[1])]
        cands.sort(key=lambda c: hashlib.sha1(c[1].encode()).hexdigest())
        for d, s in cands[:per_lang]:
            lines.append("%s\t%s" % (lang, s))
    pkgs = sorted({package(p) for p in used})
    with open(os.path.join(outdir, "heldout-%s.txt" % name), "w",
            encoding="utf-8") as f:
        f.write("# Held-out %s sentences for test_heldout_mojibake.c, one\n"
            "# per line as LANG<TAB>SENTENCE, made by make-heldout.sh from\n"
            "# the gettext translations (msgstr) of these Debian packages\n"
            "# (each under its own free licence, see its copyright file):\n"
            % name)
        for i in range(0, len(pkgs), 3):
            f.write("#   " + ", ".join(pkgs[i:i + 3]) + "\n")
        for l in lines:
            f.write(l + "\n")
PY
