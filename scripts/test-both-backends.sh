#!/usr/bin/env bash
# Runs the whole test suite on SQLite and on a real, throwaway PostgreSQL server started here in a
# temporary folder and stopped afterwards, whatever happened. Usage: test-both-backends.sh [sqlite|postgresql]...
set -uo pipefail
cd "$(dirname "$0")/.."
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgresql)

export DEBUG=1
mkdir -p test-artifacts
work="$(mktemp -d /tmp/npp-test.XXXXXX)"
pg_data=""
pg_ctl=""
runas=()

cleanup() {
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    "${runas[@]}" "$pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

start_postgres() {
  local bin
  bin="$(scripts/find-pg-bin.sh)" || { echo "PostgreSQL server binaries not found (run scripts/system-deps.sh)"; return 1; }
  pg_ctl="$bin/pg_ctl"
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the unprivileged postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$work"
    runas=(runuser -u postgres --)
  fi
  pg_data="$work/data"
  local port=$(( 55000 + RANDOM % 5000 ))
  "${runas[@]}" "$bin/initdb" -D "$pg_data" -E UTF8 --locale=C.UTF-8 -A trust -U postgres >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; return 1; }
  "${runas[@]}" "$pg_ctl" -D "$pg_data" -l "$work/postgres.log" -w \
    -o "-k $work -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start \
    >/dev/null || { cat "$work/postgres.log"; return 1; }
  export DATABASE_URL="postgres://postgres@/npp_db?host=$work&port=$port"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started in $work (port $port)"
}

declare -A result
status=0
for backend in "${backends[@]}"; do
  echo
  echo "======================== backend: $backend ========================"
  case "$backend" in
    sqlite) export DATABASE_URL="sqlite:///$work/npp_db.sqlite3" ;;
    postgresql) start_postgres || { result[$backend]="could not start"; status=1; continue; } ;;
    *) echo "unknown backend $backend"; exit 2 ;;
  esac
  .venv/bin/python -m pytest -p no:cacheprovider --junitxml="$work/$backend.xml" -q
  rc=$?
  [ $rc -eq 0 ] || status=1
  result[$backend]="$(.venv/bin/python scripts/junit_summary.py "$work/$backend.xml" 2>/dev/null || echo "pytest exit $rc")"
done

echo
echo "======================== summary ========================"
for backend in "${backends[@]}"; do echo "$backend: ${result[$backend]}"; done
echo "backends ran: ${backends[*]}"
.venv/bin/python scripts/junit_summary.py --total "$work"/*.xml 2>/dev/null || true
exit $status
