#!/usr/bin/env bash
# Debian's Redis and PostgreSQL for the queue-mode tests and `npm run demo:queue` (test/e2e/lib/queueStack.js starts
# private instances of both in a temp folder; the system services are never started or used).
# Skips itself when redis-server, redis-cli, initdb and pg_ctl are already there.
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; }
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && have_postgres && command -v psql >/dev/null 2>&1; then
	exit 0
fi
packages=()
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then packages+=(redis-server); fi
if ! have_postgres || ! command -v psql >/dev/null 2>&1; then packages+=(postgresql); fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
	echo "missing for the queue-mode tests: ${packages[*]} (install Debian's packages: apt-get install ${packages[*]})" >&2
	exit 1
fi
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
echo "== apt-get install ${packages[*]} (Redis and PostgreSQL for the queue-mode tests; only private instances are started)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
redis-server --version
ls -d /usr/lib/postgresql/*/bin
