#!/usr/bin/env bash
# Runs the whole test suite on SQLite and on a real, throwaway PostgreSQL server started here in a
# temporary folder and stopped afterwards, whatever happened. Usage: test-both-backends.sh [sqlite|postgresql]...
# TEST_WORKERS sets the pytest-xdist workers (default auto: one per core; 0 runs in this process).
# Coverage is measured on one backend, COVERAGE_BACKEND (default sqlite; "none" for no coverage): tracing
# costs about half again the suite's CPU, and both backends run the same code but for search.py's branches.
set -uo pipefail
cd "$(dirname "$0")/.."
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgresql)

export DEBUG=1
# Compiled bytecode (and pytest's assertion-rewritten test modules) is kept between runs in one folder out of
# the source tree, even where the environment sets PYTHONDONTWRITEBYTECODE to keep __pycache__ folders out of
# the checkout: without it every process (the controller and each xdist worker) compiles every imported
# module again, about 7 s of CPU each on this machine (collection: 11.4 s -> 4.3 s of CPU).
# tests/db_image.py keeps the migrated test database with the corpus loaded in the same .test-cache/.
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-$PWD/.test-cache/pycache}"
unset PYTHONDONTWRITEBYTECODE
mkdir -p test-artifacts
work="$(mktemp -d /tmp/npp-test.XXXXXX)"
. scripts/lib/pg.sh
. scripts/lib/redis.sh

cleanup() {
  stop_redis
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The shared-cache tests run against a real Redis (tests/test_shared_cache.py reads REDIS_URL).
start_redis "$work" || echo "no Redis: the shared-cache tests will be skipped"

declare -A result
status=0
for backend in "${backends[@]}"; do
  echo
  echo "======================== backend: $backend ========================"
  case "$backend" in
    sqlite) export DATABASE_URL="sqlite:///$work/npp_db.sqlite3" ;;
    postgresql)
      start_postgres "$work" || { result[$backend]="could not start"; status=1; continue; }
      # A real streaming replica for tests/test_replicas.py (skipped without it).
      start_standby "$work" || echo "no standby: the replica tests will be skipped"
      ;;
    *) echo "unknown backend $backend"; exit 2 ;;
  esac
  cov=()
  [ "$backend" = "${COVERAGE_BACKEND:-sqlite}" ] && cov=(--cov --cov-report=term)
  # Not --dist worksteal: a worker stealing from the other's queue runs database tests after transactional
  # ones (live server, browser), whose teardown flushes the database: the corpus and the migration-made
  # groups are gone for them (32 failures). pytest-django's order holds only with the default distribution.
  COVERAGE_FILE="$work/.coverage" .venv/bin/python -m pytest -p no:cacheprovider -n "${TEST_WORKERS:-auto}" \
    --durations=15 "${cov[@]}" --junitxml="$work/$backend.xml" -q
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
