#!/usr/bin/env bash
# Server CPU time per request for one URL: a low-noise A/B of two binaries.
#
# Throughput on this shared 2-core machine moves by ±25 % within an hour, so small server-side
# changes can't be seen in requests/s. This runs `nexus serve` from BIN on a database the harness
# has seeded (`nexus-bench` leaves `nexus_bench` behind), drives one URL with wrk (64
# connections, one thread) and divides the server's CPU time (`perf stat -e task-clock`) by the
# requests it answered. Needs wrk and perf (`apt-get install wrk linux-perf`).
#
#   bench/cpu-per-request.sh BIN PATH [redis|memory|off]
#   bench/cpu-per-request.sh target/release/nexus /api/v1/products/1/ redis
set -euo pipefail

bin=$1
path=$2
cache=${3:-redis}
seconds=${SECONDS_MEASURED:-8}
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))

export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nexus_bench}
export DEBUG=false RATE_LIMIT_ENABLED=false LOG_LEVEL=warn ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=cpu-per-request-secret-key-0123456789abcdef
export EMAIL_FILE_PATH=$work/mail MEDIA_ROOT=$work/media
unset REDIS_URL CACHE_ENABLED
case $cache in
  redis) export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
         export CACHE_REDIS_PREFIX="nexus:cpu:$(basename "$work"):" ;;
  off) export CACHE_ENABLED=false ;;
esac

"$bin" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$port/health/readiness/" >/dev/null && break
  sleep 0.2
done

url="http://127.0.0.1:$port$path"
wrk -t1 -c64 -d3s -H 'Accept-Encoding: gzip' "$url" >/dev/null # warm-up, fills the cache
perf stat -x, -e task-clock -p "$server" -o "$work/stat" -- sleep "$seconds" &
stat=$!
out=$(wrk -t1 -c64 -d"${seconds}s" -H 'Accept-Encoding: gzip' "$url")
wait $stat
requests=$(awk '/requests in/ {print $1}' <<<"$out")
rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
cpu_ms=$(awk -F, '/task-clock/ {print $1}' "$work/stat")
non_2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
printf '%s %s (cache %s): %s req/s, %s µs of server CPU per request%s\n' \
  "$(basename "$bin")" "$path" "$cache" "$rate" \
  "$(awk -v ms="$cpu_ms" -v n="$requests" 'BEGIN {printf "%.1f", ms * 1000 / n}')" \
  "${non_2xx:+, $non_2xx non-2xx answers}"
