#!/usr/bin/env bash
# Installs, when missing, what `make bench` needs from the system: the PostgreSQL server binaries, Redis, `hey`
# (the bounded HTTP load tool) and GNU time (peak memory of export_bulk), from Debian's packages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
command -v hey >/dev/null 2>&1 || missing+=(hey)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/time ] || missing+=(time)
"$here/find-pg-bin.sh" >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench-deps: hey, GNU time, redis-server and PostgreSQL server binaries present"
  exit 0
fi
echo "bench-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
