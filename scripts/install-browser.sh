#!/usr/bin/env bash
# Debian's chromium for the editor tests (playwright-core drives it; it never downloads a browser of its own).
# Installs with apt-get as root (or through sudo): ~100 MB to download, ~400 MB installed, about a minute.
set -euo pipefail
. "$(dirname "$0")/lib/progress.sh"
version() { dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo "not from apt"; }
if command -v chromium >/dev/null 2>&1; then
	echo "   chromium already installed ($(version))"
	exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
	echo "chromium is missing: install Debian's chromium package (apt-get install chromium)" >&2
	exit 1
fi
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
echo "   apt-get install chromium ($([ -z "$SUDO" ] && echo "as root" || echo "with sudo"), ~400 MB, about a minute)"
install() {
	$SUDO apt-get update -qq
	# debconf's "delaying package configuration, since apt-utils is not installed" is not a failure: left out.
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null \
		2> >(grep -v 'apt-utils is not installed' >&2)
}
with_progress "apt-get install chromium" "" "" -- install
echo "   chromium $(version)"
