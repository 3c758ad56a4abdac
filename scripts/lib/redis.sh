# Sourced by the test, serve and load-test scripts: a throwaway Redis (Debian's redis-server) in a temporary
# folder, on 127.0.0.1 only, nothing written to disk. start_redis WORKDIR exports REDIS_URL; stop_redis
# stops it (call it from an EXIT trap).
redis_pid=""

start_redis() {
  local work="$1" port
  command -v redis-server >/dev/null 2>&1 || { echo "redis-server not found (run scripts/system-deps.sh)"; return 1; }
  port=$(( 46000 + RANDOM % 4000 ))
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --daemonize no --logfile "$work/redis.log" &
  redis_pid=$!
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$port" ping >/dev/null 2>&1 || { cat "$work/redis.log"; return 1; }
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "Redis $(redis-server --version | awk '{print $3}') started (port $port)"
}

stop_redis() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  fi
}
