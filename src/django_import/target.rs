//! The Nexus side of an import, all inside the one transaction: refuse (or, with `--force`,
//! clear) a database that has data, write the planned rows, then what depends on them —
//! product ratings and the id sequences.

use anyhow::{bail, Context};
use sqlx::AnyConnection;

use super::Rows;
use crate::{
    db::{insert_rows, Backend},
    progress::phase,
};

/// Every table with shop data, children before parents, so deleting in this order never trips
/// a foreign key. `--force` empties them all: what was there belongs to another shop's history.
const CLEARED: &[&str] = &[
    // The services marketplace (SPEC §3.12) belongs to the users being replaced.
    "appointments",
    "service_comments",
    "contract_status_history",
    "contracts",
    "proposals",
    "service_requests",
    "service_likes",
    "provider_skills",
    "services",
    "providers",
    "companies",
    "skills",
    "service_categories",
    "review_votes",
    "review_reports",
    "reviews",
    "payments",
    "idempotency_keys",
    "order_status_history",
    "stock_movements",
    "order_items",
    "orders",
    "cart_items",
    "carts",
    "product_images",
    "products",
    "brands",
    "categories",
    "notifications",
    "notification_preferences",
    "stream_tickets",
    "dashboard_sessions",
    "refresh_tokens",
    "password_reset_tokens",
    "addresses",
    "analytics_events",
    "analytics_daily",
    "analytics_daily_sales",
    "analytics_daily_searches",
    "analytics_daily_users",
    "analytics_daily_views",
    "analytics_monthly_sales",
    "analytics_monthly_searches",
    "analytics_monthly_users",
    "analytics_monthly_views",
    // Queued emails and notices name users and orders of the data being replaced; the
    // scheduled jobs are planned again by the next instance that starts.
    "jobs",
    "users",
];

/// Tables `--force` leaves alone: the migrations' record and the roll-up marks (reset to 0).
const KEPT: &[&str] = &["_sqlx_migrations", "analytics_marks"];

/// The tables whose rows say "this database is in use".
const IN_USE: &[&str] = &["users", "categories", "brands", "products", "orders"];

/// SQLite's page cache for the import's connection. Its default (2 MB) is far smaller than the
/// indexes a million rows touch, so every batch would evict and re-read index pages; a command
/// that runs alone can afford more (PostgreSQL sizes its shared buffers itself).
const SQLITE_IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// Refuses a target with data unless `force`, in which case its data is deleted first; sizes
/// SQLite's page cache for the load.
pub async fn prepare(
    conn: &mut AnyConnection,
    backend: Backend,
    force: bool,
) -> anyhow::Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query(&format!("PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"))
            .execute(&mut *conn)
            .await?;
    }
    let mut found = Vec::new();
    for table in IN_USE {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *conn)
            .await?;
        if count > 0 {
            found.push(format!("{count} {table}"));
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    if !force {
        bail!(
            "the Nexus database is not empty ({}); import only into an empty database, or pass \
             --force to replace its data",
            found.join(", ")
        );
    }
    clear(conn, backend).await
}

/// Deletes every shop row; refuses when the schema has a table this list doesn't know about,
/// so a new migration's table is a decision, not silently left with the old shop's data.
async fn clear(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<()> {
    for table in table_names(conn, backend).await? {
        let known = CLEARED.contains(&table.as_str()) || KEPT.contains(&table.as_str());
        // SQLite's own tables and the FTS5 indexes' tables follow their tables by trigger.
        let internal = table.starts_with("sqlite_")
            || table.starts_with("products_fts")
            || table.starts_with("services_fts");
        if !known && !internal {
            bail!("--force doesn't know whether to clear the table {table}; nothing was changed");
        }
    }
    for table in CLEARED {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await
            .with_context(|| format!("could not clear {table}"))?;
    }
    sqlx::query("UPDATE analytics_marks SET value = 0")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The tables of the target's schema.
async fn table_names(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<String>, sqlx::Error> {
    // Both catalogs hold the answer; each engine only has its own.
    let sqlite = "SELECT name FROM sqlite_master WHERE type = 'table'";
    let postgres =
        "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema()";
    let sql = match backend {
        Backend::Sqlite => sqlite,
        Backend::Postgres => postgres,
    };
    sqlx::query_scalar(sql).fetch_all(conn).await
}

/// Writes one table's planned rows with batched INSERTs, under a progress bar.
pub async fn write(conn: &mut AnyConnection, rows: Rows) -> anyhow::Result<()> {
    let bar = phase(rows.table, rows.rows.len() as u64);
    insert_rows(conn, rows.table, rows.columns, rows.rows, &bar)
        .await
        .with_context(|| format!("could not write {}", rows.table))?;
    bar.finish();
    Ok(())
}

/// After the rows: products' ratings from their reviews, and every written table's id sequence
/// past its highest id, so the next sign-up or order gets a fresh id.
pub async fn finish(
    conn: &mut AnyConnection,
    backend: Backend,
    tables: &[&str],
) -> anyhow::Result<()> {
    crate::reviews::recount_all_ratings(&mut *conn).await?;
    for table in tables {
        let sql = match backend {
            Backend::Postgres => format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ),
            // AUTOINCREMENT's counter: explicit ids raise it, but after `--force` cleared the
            // table it would still be the old shop's highest.
            Backend::Sqlite => format!(
                "UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(id), 0) FROM {table}) \
                 WHERE name = '{table}'"
            ),
        };
        sqlx::query(&sql)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("could not set the id sequence of {table}"))?;
    }
    Ok(())
}
