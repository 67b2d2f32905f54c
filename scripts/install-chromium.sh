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
	# Another apt or dpkg (an unattended upgrade, a second make) may hold
	# the locks: wait for them instead of failing at once.
	lock_wait="-o DPkg::Lock::Timeout=600"
	tries=0
	until apt-get $lock_wait update -q; do
		tries=$((tries + 1))
		if [ "$tries" -ge 20 ]; then
			echo "install-chromium: apt-get update kept failing" >&2
			exit 1
		fi
		echo "install-chromium: apt-get update failed (lock held?); retrying in 15 s" >&2
		sleep 15
	done
	apt-get $lock_wait install -y -q --no-install-recommends chromium fonts-liberation
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
