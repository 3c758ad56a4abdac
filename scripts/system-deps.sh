#!/usr/bin/env bash
# Installs, when missing, what the test suite needs from the system: Debian's chromium (browser tests),
# fonts-noto-cjk (screenshots show Chinese), the PostgreSQL server binaries (second test backend) and
# redis-server (the shared cache, tested against the real server).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing+=(fonts-noto-cjk)
"$here/find-pg-bin.sh" >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the shared cache (tests, make serve)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: chromium, fonts-noto-cjk, PostgreSQL server binaries and redis-server present"
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
