#!/bin/sh
# Install what textmend needs to build and to run its whole test suite, from
# Debian 12's packages. Used by the README's two commands and by CI.
#   libuv1-dev      the daemon's event loop
#   libicu-dev      charset converters, transliterators, word breaks
#   zlib1g-dev      gzip input and archives, CRC-32 in reports
#   libjansson-dev  JSON reports and the status socket protocol
#   libinih-dev     the daemon's INI config
#   libhunspell-dev, hunspell-en-us  reflow's dehyphenation dictionary
#   opencc          OpenCC's dictionaries (the script filter's tables are
#                   built from them) and the peer measured beside us
#   clang, libclang-rt-14-dev  libFuzzer targets
#   python3, socat, systemd, util-linux, gzip, file, patch: used by tests
set -eu
pkgs="build-essential cmake pkg-config libuv1-dev libicu-dev icu-devtools
zlib1g-dev libjansson-dev libinih-dev libhunspell-dev hunspell-en-us opencc libopencc-dev clang
libclang-rt-14-dev python3 socat systemd util-linux gzip file patch"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	--no-install-recommends $missing
