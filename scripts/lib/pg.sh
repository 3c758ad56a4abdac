# Sourced by the test and benchmark scripts: a throwaway PostgreSQL cluster in a temporary folder.
# start_postgres WORKDIR exports DATABASE_URL; stop_postgres stops it (call it from an EXIT trap).
pg_data=""
pg_ctl=""
runas=()

start_postgres() {
  local work="$1" bin port
  bin="$(scripts/find-pg-bin.sh)" || { echo "PostgreSQL server binaries not found (run scripts/system-deps.sh)"; return 1; }
  pg_ctl="$bin/pg_ctl"
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the unprivileged postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$work"
    runas=(runuser -u postgres --)
  fi
  pg_data="$work/data"
  port=$(( 55000 + RANDOM % 5000 ))
  "${runas[@]}" "$bin/initdb" -D "$pg_data" -E UTF8 --locale=C.UTF-8 -A trust -U postgres >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; return 1; }
  "${runas[@]}" "$pg_ctl" -D "$pg_data" -l "$work/postgres.log" -w \
    -o "-k $work -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_EXTRA_OPTS:-}" \
    start >/dev/null || { cat "$work/postgres.log"; return 1; }
  # The cluster's own "postgres" database: nothing to create (pytest-django makes test_postgres beside it).
  export DATABASE_URL="postgres://postgres@/postgres?host=$work&port=$port"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started in $work (port $port)"
}

stop_postgres() {
  stop_standby
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    "${runas[@]}" "$pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

# start_standby WORKDIR: a streaming replica of the cluster start_postgres started, made by pg_basebackup -R
# as the same unprivileged user, hot standby on its own socket and port. Exports REPLICA_TEST_HOST and
# REPLICA_TEST_PORT (tests/test_replicas.py); stop_postgres stops it too.
standby_data=""

start_standby() {
  local work="$1" bin port primary_port
  bin="$(scripts/find-pg-bin.sh)" || return 1
  primary_port="${DATABASE_URL##*port=}"
  standby_data="$work/standby"
  port=$(( primary_port + 1 ))
  "${runas[@]}" "$bin/pg_basebackup" -h "$work" -p "$primary_port" -U postgres -D "$standby_data" -R -X stream \
    >"$work/basebackup.log" 2>&1 || { cat "$work/basebackup.log"; standby_data=""; return 1; }
  "${runas[@]}" "$pg_ctl" -D "$standby_data" -l "$work/standby.log" -w \
    -o "-k $work -p $port -c listen_addresses='' -c hot_standby=on -c fsync=off" start >/dev/null \
    || { cat "$work/standby.log"; standby_data=""; return 1; }
  export REPLICA_TEST_HOST="$work" REPLICA_TEST_PORT="$port"
  echo "PostgreSQL streaming standby started (port $port)"
}

stop_standby() {
  if [ -n "$standby_data" ] && [ -f "$standby_data/postmaster.pid" ]; then
    "${runas[@]}" "$pg_ctl" -D "$standby_data" -m immediate stop >/dev/null 2>&1 || true
  fi
}
