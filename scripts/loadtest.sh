#!/usr/bin/env bash
# make loadtest: the production stack (gunicorn, PostgreSQL, Redis, DEBUG off) on 127.0.0.1 only, the public
# rate limits raised; 50 concurrent clients on every public page type and API list (hey), then a fault run
# that stops PostgreSQL for ten seconds mid-load. Results: the "Load" and "Fault" sections of BENCHMARKS.md.
# A few minutes: LOADTEST_SECONDS (per URL, default 6) and LOADTEST_CLIENTS (default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hey >/dev/null || { echo "hey not found (apt-get install hey)"; exit 1; }
work="$(mktemp -d /tmp/npp-load.XXXXXX)"
chmod 755 "$work"
. scripts/lib/pg.sh
. scripts/lib/redis.sh
gunicorn_pid=""
cleanup() {
  [ -z "$gunicorn_pid" ] || { kill "$gunicorn_pid" 2>/dev/null; wait "$gunicorn_pid" 2>/dev/null || true; }
  stop_redis; stop_postgres; rm -rf "$work"
}
trap cleanup EXIT INT TERM

export DEBUG=0 SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1 ENV_FILE=/nonexistent
export SECRET_KEY="loadtest-only-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(30))')"
export DB_CONN_MAX_AGE=60 SITE_THROTTLE=off API_THROTTLE_ANON=100000000/minute API_BULK_GENERATE_ON_REQUEST=1
export UNAVAILABLE_RETRY_AFTER=5 BULK_EXPORT_DIR="$work/bulk"
start_postgres "$work"
start_redis "$work"
export CACHE_URL="$REDIS_URL"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_corpus -v0
.venv/bin/python manage.py collectstatic --noinput -v0 >/dev/null
port=$(( 20000 + RANDOM % 2000 ))
GUNICORN_BIND="127.0.0.1:$port" GUNICORN_ACCESS_LOG="" .venv/bin/python -m gunicorn -c npp_db/gunicorn_conf.py \
  npp_db.wsgi >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
# How the fault run stops and starts this cluster (the same options start_postgres used).
pg_port="${DATABASE_URL##*port=}"
export LOADTEST_PG_STOP="${runas[*]} $pg_ctl -D $pg_data -m fast -w stop"
export LOADTEST_PG_START="${runas[*]} $pg_ctl -D $pg_data -l $work/postgres.log -w -o \"-k $work -p $pg_port -c listen_addresses='' -c fsync=off\" start"
.venv/bin/python scripts/loadtest.py "http://127.0.0.1:$port" BENCHMARKS.md \
  --seconds "${LOADTEST_SECONDS:-6}" --clients "${LOADTEST_CLIENTS:-50}" --workers-info "$(grep -c processor /proc/cpuinfo) cores"
grep -c " 500 \|Traceback" "$work/gunicorn.log" | sed 's/^/gunicorn log: tracebacks or 500 lines: /' || true
