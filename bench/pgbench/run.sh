#!/bin/bash
# The checkout transaction on PostgreSQL alone, without HTTP, the server or goose: pgbench runs
# the statements of one checkout iteration (cart add, then the order's transaction) with and
# without the notice of issue 17, in alternating rounds (docs/PERFORMANCE.md, log 33).
#
#   bench/pgbench/run.sh [ROUNDS] [VARIANT...]     variants: base notice notice-cte job-only notification-only
#
# Needs a database seeded by the harness (`nexus-bench --backend postgres ...` leaves
# `nexus_bench`); it is copied to `nexus_pgbench`, where every user gets a cart and every
# product enough stock, so the original stays as the harness left it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-3}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- base notice notice-cte job-only notification-only
variants=("$@")
url=${BENCH_PGBENCH_URL:-postgres://postgres@127.0.0.1:5432}
psql "$url/postgres" -qc "DROP DATABASE IF EXISTS nexus_pgbench WITH (FORCE)" \
    -c "CREATE DATABASE nexus_pgbench TEMPLATE ${BENCH_PGBENCH_FROM:-nexus_bench}"
db="$url/nexus_pgbench"
psql "$db" -qc "INSERT INTO carts (user_id, created_at, updated_at) SELECT id, 1, 1 FROM users ON CONFLICT DO NOTHING" \
    -c "UPDATE products SET stock_quantity = 100000000, is_active = TRUE" -c "VACUUM ANALYZE"
users=$(psql "$db" -Atc "SELECT max(id) FROM users"); products=$(psql "$db" -Atc "SELECT max(id) FROM products")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
p="$here/parts"
cat "$p/cart_add.sql" "$p/order.sql" "$p/key_commit.sql" > "$work/base.sql"
cat "$p/cart_add.sql" "$p/order.sql" "$p/notice.sql" "$p/key_commit.sql" > "$work/notice.sql"
cat "$p/cart_add.sql" "$p/order.sql" "$p/notice_cte.sql" "$p/key_commit.sql" > "$work/notice-cte.sql"
{ cat "$p/cart_add.sql" "$p/order.sql"; grep '^INSERT INTO jobs' "$p/notice.sql"; cat "$p/key_commit.sql"; } > "$work/job-only.sql"
{ cat "$p/cart_add.sql" "$p/order.sql"; grep '^INSERT INTO notifications' "$p/notice.sql"; cat "$p/key_commit.sql"; } > "$work/notification-only.sql"
for round in $(seq 1 "$rounds"); do
    for variant in "${variants[@]}"; do
        # A client that hits an error (a deadlock between two checkouts of one user) ends pgbench
        # with a non-zero status; its tps still counts the transactions that committed.
        out=$(pgbench "$db" -n -M prepared -c 32 -j 2 -T 10 -D users="$users" -D products="$products" \
            -f "$work/$variant.sql" 2>&1) || echo "$variant: $(grep -m1 -i error <<<"$out")" >&2
        echo "$round $variant $(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")"
    done
done | tee "$work/rounds"
echo "mean transactions/s:"
awk '{sum[$2] += $3; n[$2]++} END {for (v in sum) printf "  %-18s %8.0f\n", v, sum[v] / n[v]}' "$work/rounds"
