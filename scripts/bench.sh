#!/usr/bin/env bash
# The benchmark suite (`make bench`, `make bench SIZES=10000`): a throwaway PostgreSQL, the corpus and
# synthetic proposals loaded size after size (each size adds to the previous one), gunicorn on 127.0.0.1
# and Redis as in production, scripts/bench.py timing every row; BENCHMARKS.md written at the end.
# Usage: scripts/bench.sh [SIZE...]   (default: $SIZES or "10000 100000 1000000")
# BENCH_REPEAT (30 requests a row), BENCH_LOAD_SECONDS (10 s of load a throughput row), BENCH_OUTPUT
# (BENCHMARKS.md) and GUNICORN_WORKERS (2) change the run; the test suite runs it small.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a sizes <<<"${*:-${SIZES:-10000 100000 1000000}}"
mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -n)
py=.venv/bin/python
scripts/bench-deps.sh
work="$(mktemp -d /tmp/npp-bench.XXXXXX)"
results="${BENCH_RESULTS:-$work/results.json}"
gunicorn_pid=""
. scripts/lib/pg.sh
. scripts/lib/redis.sh
cleanup() {
  [ -z "$gunicorn_pid" ] || kill "$gunicorn_pid" 2>/dev/null || true
  stop_redis
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Production-like: DEBUG off, persistent connections; the API throttle raised and query counts in a header.
export DEBUG=0 SECRET_KEY=bench-only-not-secret ALLOWED_HOSTS=127.0.0.1 SECURE_COOKIES=0 BENCH=1 SITE_THROTTLE=off \
  DB_CONN_MAX_AGE=600 API_THROTTLE_ANON=999999999/minute API_BULK_GENERATE_ON_REQUEST=0 \
  GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}" PYTHONUNBUFFERED=1
# The workers share their cache through Redis, as in production (CACHE_URL): a page computed by one worker
# serves the others, and one worker computes a cold page while the others wait for it.
start_redis "$work"
export CACHE_URL="$REDIS_URL"
PG_EXTRA_OPTS="-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=4GB" \
  start_postgres "$work"
$py manage.py migrate -v0
$py manage.py load_corpus -v0
$py - "$results" <<'PY'
import json, os, subprocess, sys
from pathlib import Path
bin_dir = subprocess.run(["scripts/find-pg-bin.sh"], capture_output=True, text=True).stdout.strip()
version = subprocess.run([f"{bin_dir}/postgres", "--version"], capture_output=True, text=True).stdout.split()[2]
path = Path(sys.argv[1])
data = json.loads(path.read_text()) if path.exists() else {}
data.update(postgres=version, workers=os.environ["GUNICORN_WORKERS"])
path.write_text(json.dumps(data))
PY

loaded=0
for n in "${sizes[@]}"; do
  echo "=== $n proposals ($(uptime))"
  $py manage.py seed_synthetic --proposals $(( n - loaded )) --seed "$n" | tee "$work/seed-$n.log"
  loaded=$n
  $py manage.py shell -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
  port=$(( 18000 + RANDOM % 2000 ))
  GUNICORN_BIND="127.0.0.1:$port" $py -m gunicorn -c npp_db/gunicorn_conf.py npp_db.wsgi \
    >"$work/gunicorn.log" 2>&1 &
  gunicorn_pid=$!
  $py -c "import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(sys.argv[1]); break
    except OSError:
        time.sleep(0.2)" "http://127.0.0.1:$port/healthz"
  BENCH_GUNICORN_PID=$gunicorn_pid $py scripts/bench.py "http://127.0.0.1:$port" "$results" --size "$n" \
    --seed-log "$work/seed-$n.log" --repeat "${BENCH_REPEAT:-30}" --load-seconds "${BENCH_LOAD_SECONDS:-10}"
  kill "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true; gunicorn_pid=""
done
$py scripts/bench_report.py "$results" "${BENCH_OUTPUT:-BENCHMARKS.md}"
echo "wrote ${BENCH_OUTPUT:-BENCHMARKS.md}"
