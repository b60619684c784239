#!/usr/bin/env bash
# The Postgres and Redis tests start private servers (own data folder, 127.0.0.1, a free port) from
# the server binaries: PostgreSQL's (found with pg_config --bindir or in /usr/lib/postgresql/*/bin)
# and redis-server. CI (root, Debian) installs Debian's packages when they are missing; elsewhere
# this says what to install. Never starts a system service: the tests run their own instances.
set -euo pipefail
have_postgres() {
  local dir
  dir="$(pg_config --bindir 2>/dev/null || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then return 0; fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
have_redis() { command -v redis-server >/dev/null 2>&1; }
missing=()
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[cairn] The Postgres and Redis tests need the server binaries; missing: ${missing[*]}." >&2
  echo "  Install them (Debian, Ubuntu: sudo apt-get install -y ${missing[*]}; macOS: brew install postgresql redis)." >&2
  exit 1
fi
echo "[cairn] installing Debian ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# policy-rc.d 101: the packages' own services are not started (the tests start private servers).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  trap 'if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi' EXIT
fi
apt-get install -y -qq "${missing[@]}" >/dev/null
have_postgres && have_redis
