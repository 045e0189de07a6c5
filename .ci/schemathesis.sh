#!/usr/bin/env bash
# Fuzzes the running API against its own OpenAPI document with schemathesis (docs/testing.md).
#
#   .ci/schemathesis.sh [sqlite|postgres]...   (default: both)
#
# For each database: a fresh database, `nexus migrate`, a small demo catalogue (`nexus seed`),
# an admin (`createsuperuser --no-input`) and a customer (registered through the API), then the
# server on a free port with RATE_LIMIT_ENABLED=false (limits would turn the run into 429s) and
# one schemathesis run per role. Any finding fails the script (exit 1).
#
# Environment: NEXUS_BIN (default target/debug/nexus, built here if missing or stale),
# ST_SEED (default 1), ST_MAX_EXAMPLES (default 8), ST_EXTRA (more `st run` arguments, e.g.
# `--include-path-regex products`), TEST_DATABASE_URL (the PostgreSQL server; the run uses a
# database `nexus_schemathesis` beside it, dropped and created anew).
set -euo pipefail
cd "$(dirname "$0")/.."

ST_VERSION=4.32.5
VENV=target/schemathesis-venv
SEED="${ST_SEED:-1}"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-8}"
PG_SERVER="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_SERVER="${PG_SERVER%/*}"
PG_DB=nexus_schemathesis
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
PHASES=examples,coverage,fuzzing,stateful

if ! "$VENV/bin/st" --version 2>/dev/null | grep -qF "$ST_VERSION"; then
  echo "== installing schemathesis $ST_VERSION into $VENV"
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "Python 3 with venv is missing; installing python3-venv"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi

if [ -z "${NEXUS_BIN:-}" ]; then
  # After `cargo test` this only links the binary from the test build's artifacts.
  cargo build --locked --quiet --bin nexus
  NEXUS_BIN=target/debug/nexus
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# POSTs JSON and prints one key of the JSON answer.
post_json() { # url body key
  curl -sS -X POST -H 'Content-Type: application/json' -d "$2" "$1" |
    "$VENV/bin/python" -c "import json,sys; print(json.load(sys.stdin)['$3'])"
}

fuzz() { # database-name database-url
  local name=$1 url=$2 base port failed=0
  echo "== schemathesis on $name"
  export DATABASE_URL="$url" DEBUG=true RATE_LIMIT_ENABLED=false ACCESS_TOKEN_LIFETIME=120 \
    MEDIA_ROOT="$work/$name/media" EMAIL_FILE_PATH="$work/$name/mail" LOG_LEVEL=warn \
    ALLOWED_HOSTS='*' REDIS_URL=
  unset REDIS_URL
  # (This function runs in an `||` list, where `set -e` is off: each step checks itself.)
  local setup="$work/$name-setup.log"
  { "$NEXUS_BIN" migrate &&
    "$NEXUS_BIN" seed --demo --products 50 --users 5 --reviews 40 --orders 10 --seed 7 &&
    NEXUS_SUPERUSER_PASSWORD='Harbor-Violet-93' "$NEXUS_BIN" createsuperuser --no-input \
      --email staff@fuzz.example.com --username fuzzstaff; } >"$setup" 2>&1 ||
    { cat "$setup"; return 1; }
  port=$(free_port)
  base="http://127.0.0.1:$port"
  "$NEXUS_BIN" serve --bind "127.0.0.1:$port" >"$work/$name-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "$base/health/readiness/" >/dev/null && break; sleep 0.2; done
  curl -sf "$base/health/readiness/" >/dev/null || { cat "$work/$name-server.log"; return 1; }
  curl -sSf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"email":"customer@fuzz.example.com","username":"fuzzcustomer","password":"Quartz-Lantern-84","password_confirm":"Quartz-Lantern-84"}' \
    "$base/api/v1/auth/users/"
  local customer staff
  customer=$(post_json "$base/api/v1/auth/jwt/create/" '{"email":"customer@fuzz.example.com","password":"Quartz-Lantern-84"}' access)
  staff=$(post_json "$base/api/v1/auth/jwt/create/" '{"email":"staff@fuzz.example.com","password":"Harbor-Violet-93"}' access)
  if [ -z "$customer" ] || [ -z "$staff" ]; then
    echo "could not sign in the fuzzing users"; cat "$work/$name-server.log"; return 1
  fi
  for role in customer staff; do
    local token=$customer
    [ "$role" = staff ] && token=$staff
    echo "-- $name, as $role"
    # Aliases are copies of canonical operations (same handlers): fuzzing them too would
    # double the time and find nothing new. The notification stream is documented but never
    # ends (Server-Sent Events): every call would run into --request-timeout. Each --exclude-*
    # value excludes on its own (schemathesis ORs them).
    # Its `=== … in 12s ===` banners read like pytest's closing line to tools that look for one;
    # the closing test count of CI is cargo's (.ci/run), so they are redrawn with dashes.
    # shellcheck disable=SC2086
    if ! "$VENV/bin/st" --config-file .ci/schemathesis.toml run "$base/api/v1/schema/" --url "$base" \
      --checks "$CHECKS" --phases "$PHASES" --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
      --generation-database none --no-color --workers 2 --request-timeout 10 \
      --exclude-tag aliases --exclude-operation-id stream_notifications \
      --suppress-health-check all \
      -H "Authorization: Bearer $token" ${ST_EXTRA:-} 2>&1 |
      sed -u -E 's/^=+ (.+) =+$/--- \1 ---/'; then
      failed=1
    fi
  done
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  if grep -q "panicked\|internal error" "$work/$name-server.log"; then
    echo "server log of $name shows internal errors:"; grep "panicked\|internal error" "$work/$name-server.log" | head -20
    failed=1
  fi
  return $failed
}

status=0
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(sqlite postgres)
for target in "${targets[@]}"; do
  case $target in
    sqlite)
      mkdir -p "$work/sqlite"
      fuzz sqlite "sqlite://$work/sqlite/nexus.db" || status=1 ;;
    postgres)
      psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
      fuzz postgres "$PG_SERVER/$PG_DB" || status=1 ;;
    *) echo "unknown database $target (sqlite or postgres)"; exit 2 ;;
  esac
done
if [ $status -ne 0 ]; then
  echo "schemathesis: findings above (replay: docs/testing.md)"
fi
exit $status
