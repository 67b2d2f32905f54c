#!/bin/sh
# install-chromium.sh makes sure the browser the e2e tests drive is there:
# Debian's chromium package at /usr/bin/chromium (or $CHROMIUM).
# As root it installs the package; otherwise it says how and fails.
set -eu

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
	exit 0
fi
if [ "$CHROMIUM" != /usr/bin/chromium ]; then
	echo "install-chromium: CHROMIUM=$CHROMIUM is not an executable" >&2
	exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "install-chromium: installing Debian's chromium package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends chromium fonts-liberation
	"$CHROMIUM" --version 2>/dev/null || true
	exit 0
fi
cat >&2 <<MSG
install-chromium: the browser tests need Chromium at /usr/bin/chromium.
Install it as root, on Debian or Ubuntu:

    sudo apt-get update && sudo apt-get install -y chromium

or point CHROMIUM at another Chromium binary:  make test CHROMIUM=/path/to/chromium
MSG
exit 1
