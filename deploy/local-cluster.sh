#!/usr/bin/env bash
# The production topology on one machine, without containers: two `nexus serve` instances
# sharing one PostgreSQL database and one Redis, behind Debian's nginx running the shipped
# deploy/nginx.conf (rendered for loopback ports, a temp directory and a self-signed certificate).
#
#   deploy/local-cluster.sh start          start everything, wait until healthy, write the state file
#   deploy/local-cluster.sh stop           stop everything it started, drop the database it created
#   deploy/local-cluster.sh status         print the state file and whether each process is alive
#   deploy/local-cluster.sh check-config   `nginx -t` on deploy/nginx.conf as shipped and as rendered
#
# Rendering rewrites only the lines of deploy/nginx.conf that end in a "local-cluster" comment
# (ports, paths, the certificate, the upstream addresses), enables the X-Upstream header (which
# instance answered), and adds one listener: the TLS server block also on a plain-HTTP loopback
# port (PLAIN_PORT), so test clients without a TLS stack go through the same locations, proxy
# settings, limits and failover as HTTPS clients.
#
# Environment (all optional):
#   NEXUS_BIN           the binary (default target/debug/nexus)
#   CLUSTER_DIR         working directory: state, logs, certificate, media (default target/local-cluster)
#   DATABASE_URL        an existing PostgreSQL database to use (it is never dropped); when unset a
#                       fresh database is created on ADMIN_DATABASE_URL and dropped by `stop`
#   ADMIN_DATABASE_URL  server to create it on (default TEST_DATABASE_URL, else
#                       postgres://postgres@127.0.0.1:5432/postgres)
#   REDIS_URL           default redis://127.0.0.1:6379; keys get a per-run prefix (removed by `stop`)
#
# The state file ($CLUSTER_DIR/state.env) holds KEY=VALUE lines: HTTPS_PORT, HTTP_PORT, A_PORT,
# B_PORT, A_PID, B_PID, NGINX_PID, DATABASE_URL, REDIS_URL, CACHE_REDIS_PREFIX, ...
set -euo pipefail

# nginx lives in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEXUS_BIN="${NEXUS_BIN:-$ROOT/target/debug/nexus}"
CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/target/local-cluster}"
STATE="$CLUSTER_DIR/state.env"
NGINX_CONF_SRC="$ROOT/deploy/nginx.conf"
GIVEN_DATABASE_URL="${DATABASE_URL:-}"

log() { echo "local-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

# `count` distinct loopback ports nothing listens on, picked at random below the kernel's
# ephemeral range: a port that an outgoing connection holds as its local end refuses a listener
# (nginx failed to start once in CI with the range open to it). A race with another process is
# still possible, but start fails loudly if a bind fails.
free_ports() {
  local count=$1 low picked=() port
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % (low - 20000)))
    if [[ " ${picked[*]} " != *" $port "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      picked+=("$port")
      if ((${#picked[@]} == count)); then
        echo "${picked[*]}"
        return
      fi
    fi
  done
  die "no $count free ports found"
}

# Running, and not a zombie (an exited child of a finished script may never be reaped by a
# container's init).
alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]
}

# A self-signed certificate for localhost / 127.0.0.1.
make_cert() {
  local dir=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" >/dev/null 2>&1 \
    || die "openssl could not create a self-signed certificate"
}

# deploy/nginx.conf with the lines marked "local-cluster:" rewritten; nothing else changes.
render_nginx() {
  local dir=$1 http_port=$2 https_port=$3 plain_port=$4 upstream_a=$5 upstream_b=$6 media=$7
  sed -E \
    -e '/local-cluster: dropped/d' \
    -e "s#^(pid ).*#\1$dir/nginx.pid;#" \
    -e "s#^(error_log ).*#\1$dir/error.log warn;#" \
    -e "s#^( *access_log ).*#\1$dir/access.log nexus;#" \
    -e "s#^( *server )127\.0\.0\.1:8000( .*);.*local-cluster: instance A#\1$upstream_a\2;#" \
    -e "s#^( *server )127\.0\.0\.1:8001( .*);.*local-cluster: instance B#\1$upstream_b\2;#" \
    -e "s#^( *listen )80;.*#\1127.0.0.1:$http_port;#" \
    -e "s#^( *listen )443 ssl http2;.*#\1127.0.0.1:$https_port ssl http2;\n\1127.0.0.1:$plain_port;  \# local-cluster only: the TLS server block for clients without TLS#" \
    -e "s#^( *ssl_certificate +).*local-cluster.*#\1$dir/fullchain.pem;#" \
    -e "s#^( *ssl_certificate_key +).*local-cluster.*#\1$dir/privkey.pem;#" \
    -e "s#^( *alias ).*local-cluster: temp dir#\1$media/;#" \
    -e 's/^( *)# (add_header X-Upstream .*);.*local-cluster: enabled/\1\2;/' \
    "$NGINX_CONF_SRC" >"$dir/nginx.conf"
  # Every marked line must have been rewritten: a marker left behind means the two files drifted.
  if grep -n 'local-cluster:' "$dir/nginx.conf" >&2; then
    die "lines above were not rendered; update render_nginx in deploy/local-cluster.sh"
  fi
  # nginx's temp paths default to /var/lib/nginx; keep them in the cluster directory.
  sed -i -E "s#^http \{#http {\n    client_body_temp_path $dir/tmp/body;\n    proxy_temp_path $dir/tmp/proxy;\n    fastcgi_temp_path $dir/tmp/fastcgi;\n    uwsgi_temp_path $dir/tmp/uwsgi;\n    scgi_temp_path $dir/tmp/scgi;#" "$dir/nginx.conf"
  mkdir -p "$dir/tmp"
}

nginx_test() {
  local dir=$1
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
}

# `nginx -t` on deploy/nginx.conf exactly as shipped (its user, pid, log and certificate paths),
# then on the loopback rendering `start` uses. The shipped file names certificates under
# /etc/ssl/nexus/; a private mount namespace provides self-signed ones there, so the host's /etc is
# never touched. That needs root and unshare (CI has both); without them only the rendering is
# checked, and the script says so.
cmd_check_config() {
  command -v nginx >/dev/null || die "nginx is not installed"
  local dir
  dir=$(mktemp -d)
  trap "rm -rf '$dir'" EXIT
  make_cert "$dir"
  if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null; then
    unshare --mount sh -ec "mount -t tmpfs nexus-check /etc/ssl && mkdir /etc/ssl/nexus \
      && cp '$dir/fullchain.pem' '$dir/privkey.pem' /etc/ssl/nexus/ && nginx -t -q -c '$NGINX_CONF_SRC'" \
      || die "nginx -t failed on deploy/nginx.conf as shipped"
    log "deploy/nginx.conf as shipped: syntax ok, test successful"
  else
    log "not root or no unshare: skipping the check of the file as shipped"
  fi
  render_nginx "$dir" 8080 8443 8081 127.0.0.1:8000 127.0.0.1:8001 "$dir/media"
  nginx_test "$dir"
  log "deploy/nginx.conf rendered for the local cluster: syntax ok, test successful (in $dir)"
}

# Removes whatever the state file says was started; safe to run twice. A subshell, so the
# state it sources doesn't leak into a `start` that called it.
cmd_stop() (
  [[ -f "$STATE" ]] || { log "not running (no $STATE)"; return 0; }
  # shellcheck disable=SC1090
  source "$STATE"
  if alive "${NGINX_PID:-}"; then
    nginx -p "$CLUSTER_DIR" -c "$CLUSTER_DIR/nginx.conf" -e "$CLUSTER_DIR/error.log" -s quit 2>/dev/null \
      || kill "$NGINX_PID" 2>/dev/null || true
  fi
  for pid in ${A_PID:-} ${B_PID:-}; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    local any=""
    for pid in ${A_PID:-} ${B_PID:-} ${NGINX_PID:-}; do alive "$pid" && any=1; done
    [[ -z "$any" ]] && break
    sleep 0.1
  done
  for pid in ${A_PID:-} ${B_PID:-} ${NGINX_PID:-}; do
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ "${CREATED_DATABASE:-}" != "" ]]; then
    psql -q "$ADMIN_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$CREATED_DATABASE\" WITH (FORCE)" >/dev/null \
      || log "could not drop database $CREATED_DATABASE"
  fi
  if [[ -n "${REDIS_KEY_PREFIX:-}" ]] && command -v redis-cli >/dev/null; then
    redis-cli -u "$REDIS_URL" --scan --pattern "${REDIS_KEY_PREFIX}*" 2>/dev/null \
      | xargs -r redis-cli -u "$REDIS_URL" DEL >/dev/null 2>&1 || true
  fi
  rm -f "$STATE"
  log "stopped"
)

wait_healthy() {
  local url=$1 pid=$2 what=$3
  for _ in $(seq 1 300); do
    alive "$pid" || die "$what exited during start-up (see $CLUSTER_DIR/*.log)"
    if curl -fsk -o /dev/null "$url"; then return 0; fi
    sleep 0.1
  done
  die "$what not healthy after 30 s: $url"
}

cmd_start() {
  if [[ -f "$STATE" ]]; then
    # shellcheck disable=SC1090
    if (source "$STATE" && alive "${A_PID:-}" && alive "${B_PID:-}" && alive "${NGINX_PID:-}"); then
      log "already running"
      cat "$STATE"
      return 0
    fi
    log "a previous cluster is partly down; stopping it first"
    cmd_stop
  fi
  command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx-light)"
  command -v curl >/dev/null || die "curl is not installed"
  [[ -x "$NEXUS_BIN" ]] || die "no nexus binary at $NEXUS_BIN (cargo build first)"

  rm -rf "$CLUSTER_DIR"
  mkdir -p "$CLUSTER_DIR/media" "$CLUSTER_DIR/mail"
  # nginx workers (nobody when started as root) read media from here.
  chmod 755 "$CLUSTER_DIR" "$CLUSTER_DIR/media"
  local run_id
  run_id=$(openssl rand -hex 6)

  local created_db="" admin_url="" db_url="$GIVEN_DATABASE_URL"
  if [[ -z "$db_url" ]]; then
    command -v psql >/dev/null || die "psql is needed to create a database (or set DATABASE_URL)"
    admin_url="${ADMIN_DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
    created_db="nexus_cluster_$run_id"
    psql -q "$admin_url" -c "CREATE DATABASE \"$created_db\"" >/dev/null \
      || die "could not create database $created_db on $admin_url"
    # Same server and credentials, the new database name.
    db_url="${admin_url%/*}/$created_db"
  fi
  local redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
  local prefix="nexus-cluster-$run_id:"

  {
    echo "CLUSTER_DIR=$CLUSTER_DIR"
    echo "DATABASE_URL=$db_url"
    echo "ADMIN_DATABASE_URL=$admin_url"
    echo "CREATED_DATABASE=$created_db"
    echo "REDIS_URL=$redis_url"
    echo "REDIS_KEY_PREFIX=$prefix"
    echo "CACHE_REDIS_PREFIX=${prefix}cache:"
    echo "RATE_LIMIT_REDIS_PREFIX=${prefix}rl:"
  } >"$STATE"
  # From here on a failure tears down whatever was started.
  trap 'status=$?; if [[ $status -ne 0 ]]; then log "start failed; cleaning up"; cmd_stop; fi' EXIT

  # Production settings (docs/DEPLOYMENT.md), except the general per-IP/per-user limits: every
  # test client is 127.0.0.1, so they are raised; the login/registration/reset limits keep their
  # defaults and are shared through Redis.
  cat >"$CLUSTER_DIR/nexus.env" <<EOF
DEBUG=false
SECRET_KEY=$(openssl rand -hex 32)
DATABASE_URL=$db_url
DATABASE_MAX_CONNECTIONS=8
REDIS_URL=$redis_url
CACHE_REDIS_PREFIX=${prefix}cache:
RATE_LIMIT_REDIS_PREFIX=${prefix}rl:
RATE_LIMIT_ENABLED=true
RATE_LIMIT_ANON=100000/hour
RATE_LIMIT_USER=100000/hour
RATE_LIMIT_BURST=100000/minute
ALLOWED_HOSTS=localhost,127.0.0.1
PAYMENT_PROVIDER=test
TRUSTED_PROXIES=127.0.0.1,::1
MEDIA_ROOT=$CLUSTER_DIR/media
MEDIA_URL=/media/
EMAIL_FILE_PATH=$CLUSTER_DIR/mail
LOG_FORMAT=json
LOG_LEVEL=info
EOF
  set -a
  # shellcheck disable=SC1091
  source "$CLUSTER_DIR/nexus.env"
  set +a

  "$NEXUS_BIN" migrate >"$CLUSTER_DIR/migrate.log" 2>&1 || die "nexus migrate failed (see $CLUSTER_DIR/migrate.log)"
  "$NEXUS_BIN" check >"$CLUSTER_DIR/check.log" 2>&1 || { cat "$CLUSTER_DIR/check.log" >&2; die "nexus check failed"; }

  local a_port b_port http_port https_port plain_port
  read -r a_port b_port http_port https_port plain_port < <(free_ports 5)
  [[ -n "$plain_port" ]] || die "no free ports found"

  "$NEXUS_BIN" serve --bind "127.0.0.1:$a_port" </dev/null >"$CLUSTER_DIR/a.log" 2>&1 &
  local a_pid=$!
  echo "A_PORT=$a_port" >>"$STATE"; echo "A_PID=$a_pid" >>"$STATE"
  "$NEXUS_BIN" serve --bind "127.0.0.1:$b_port" </dev/null >"$CLUSTER_DIR/b.log" 2>&1 &
  local b_pid=$!
  echo "B_PORT=$b_port" >>"$STATE"; echo "B_PID=$b_pid" >>"$STATE"
  wait_healthy "http://127.0.0.1:$a_port/health/readiness/" "$a_pid" "instance A"
  wait_healthy "http://127.0.0.1:$b_port/health/readiness/" "$b_pid" "instance B"

  make_cert "$CLUSTER_DIR"
  render_nginx "$CLUSTER_DIR" "$http_port" "$https_port" "$plain_port" "127.0.0.1:$a_port" "127.0.0.1:$b_port" "$CLUSTER_DIR/media"
  nginx_test "$CLUSTER_DIR"
  nginx -p "$CLUSTER_DIR" -c "$CLUSTER_DIR/nginx.conf" -e "$CLUSTER_DIR/error.log" \
    </dev/null >"$CLUSTER_DIR/nginx.out" 2>&1 \
    || die "nginx did not start: $(tail -n 5 "$CLUSTER_DIR/error.log" "$CLUSTER_DIR/nginx.out" 2>/dev/null)"
  local nginx_pid=""
  for _ in $(seq 1 50); do
    [[ -s "$CLUSTER_DIR/nginx.pid" ]] && { nginx_pid=$(cat "$CLUSTER_DIR/nginx.pid"); break; }
    sleep 0.1
  done
  [[ -n "$nginx_pid" ]] || die "nginx wrote no pid file"
  {
    echo "NGINX_PID=$nginx_pid"
    echo "HTTP_PORT=$http_port"
    echo "HTTPS_PORT=$https_port"
    echo "PLAIN_PORT=$plain_port"
    echo "CERT=$CLUSTER_DIR/fullchain.pem"
  } >>"$STATE"
  wait_healthy "https://localhost:$https_port/health/" "$nginx_pid" "nginx"

  trap - EXIT
  log "up: https://localhost:$https_port (nginx $nginx_pid) -> A 127.0.0.1:$a_port ($a_pid), B 127.0.0.1:$b_port ($b_pid)"
  cat "$STATE"
}

cmd_status() {
  [[ -f "$STATE" ]] || { log "not running"; return 1; }
  cat "$STATE"
  # shellcheck disable=SC1090
  source "$STATE"
  for what in A B NGINX; do
    local var="${what}_PID"
    if alive "${!var:-}"; then echo "$what: running (${!var})"; else echo "$what: down"; fi
  done
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  check-config) cmd_check_config ;;
  *) echo "usage: $0 start|stop|status|check-config" >&2; exit 2 ;;
esac
