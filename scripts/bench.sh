#!/usr/bin/env bash
# Benchmark on a throwaway PostgreSQL: load the corpus, add N synthetic proposals, time the pages and API.
# Usage: scripts/bench.sh [N]   (default 100000; BENCH_PROPOSALS=1000000 for the million)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-${BENCH_PROPOSALS:-100000}}"
export DEBUG=1 ALLOWED_HOSTS=testserver,127.0.0.1 API_THROTTLE_ANON=100000/minute
work="$(mktemp -d /tmp/npp-bench.XXXXXX)"
. scripts/lib/pg.sh
trap 'stop_postgres; rm -rf "$work"' EXIT INT TERM
PG_EXTRA_OPTS="-c shared_buffers=1GB -c work_mem=64MB" start_postgres "$work" || exit 1
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_corpus
.venv/bin/python manage.py seed_synthetic --proposals "$n" --delegates $(( n / 30 + 100 )) | tail -1
.venv/bin/python manage.py shell -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
.venv/bin/python scripts/bench.py
