#!/usr/bin/env bash
# make serve: the production stack on this machine. gunicorn (npp_db/gunicorn_conf.py) with WhiteNoise for
# static files, against PostgreSQL and Redis: DATABASE_URL and CACHE_URL when set, otherwise a throwaway
# PostgreSQL and Redis started here (stopped on exit) with the corpus loaded. Plain HTTP on 127.0.0.1, so
# the HTTPS-only measures are off (SECURE_COOKIES=0); production sets the variables of the README instead.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d /tmp/npp-serve.XXXXXX)"
. scripts/lib/pg.sh
. scripts/lib/redis.sh
cleanup() { stop_redis; stop_postgres; rm -rf "$work"; }
trap cleanup EXIT INT TERM

export DEBUG=0 SECURE_COOKIES=0 ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DB_CONN_MAX_AGE="${DB_CONN_MAX_AGE:-60}"
export ENV_FILE=/nonexistent  # no development .env: this is the production configuration
if [ -z "${DATABASE_URL:-}" ]; then start_postgres "$work"; fi
if [ -z "${CACHE_URL:-}" ]; then start_redis "$work"; export CACHE_URL="$REDIS_URL"; fi
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_corpus --if-empty -v0
.venv/bin/python manage.py collectstatic --noinput -v0
export GUNICORN_BIND="${GUNICORN_BIND:-${HOST:-127.0.0.1}:${PORT:-8000}}"
echo "Serving http://$GUNICORN_BIND/ (gunicorn; Ctrl-C stops it and the throwaway servers)"
.venv/bin/python -m gunicorn -c npp_db/gunicorn_conf.py npp_db.wsgi
