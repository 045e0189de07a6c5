//! What a buying scenario wrote to PostgreSQL's write-ahead log, per order: records and bytes,
//! full-page images apart. Read with `pg_walinspect` over the scenario's LSN range (warm-up
//! included, like the order count it divides by).
//!
//! Orders/s swings by tens of percent with whatever else the machine is doing; these figures
//! depend only on what the code writes, so a change to the write path can be compared from one
//! run each (docs/PERFORMANCE.md, log 28). Page images depend on when the last checkpoint was, so
//! they are reported but not part of the bytes.

use serde::Serialize;
use sqlx::AnyPool;

use crate::dataset::connect;

/// Where the log and the orders stood when a scenario started.
#[derive(Debug)]
pub struct Mark {
    lsn: String,
    orders: i64,
}

/// WAL written per order placed over a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct WalPerOrder {
    pub orders: i64,
    pub records: f64,
    /// Record bytes without full-page images.
    pub bytes: f64,
    pub page_image_bytes: f64,
    /// With `--wal-by-relation`: which table or index each kind of record went to, most first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_relation: Vec<WalShare>,
}

/// Records of one kind written to one relation, per order (`jobs_pkey Btree/INSERT_LEAF 1.21`).
#[derive(Debug, Clone, Serialize)]
pub struct WalShare {
    /// Table, index or sequence; empty for records that touch none (commits).
    pub relation: String,
    /// Resource manager and record type, as `pg_walinspect` names them.
    pub record: String,
    pub per_order: f64,
}

impl std::fmt::Display for WalPerOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} records, {:.0} bytes (+{:.0} in page images) per order over {} orders",
            self.records, self.bytes, self.page_image_bytes, self.orders
        )?;
        for share in &self.by_relation {
            let relation = if share.relation.is_empty() {
                "-"
            } else {
                &share.relation
            };
            write!(
                f,
                "\n  {:>6.2}  {relation} {}",
                share.per_order, share.record
            )?;
        }
        Ok(())
    }
}

async fn position(pool: &AnyPool) -> anyhow::Result<Mark> {
    let (lsn, orders): (String, i64) = sqlx::query_as(
        "SELECT CAST(pg_current_wal_lsn() AS TEXT), (SELECT CAST(COUNT(*) AS BIGINT) FROM orders)",
    )
    .fetch_one(pool)
    .await?;
    Ok(Mark { lsn, orders })
}

/// Reads where the log and the orders stand now.
pub async fn mark(database_url: &str) -> anyhow::Result<Mark> {
    let pool = connect(database_url).await?;
    let mark = position(&pool).await;
    pool.close().await;
    mark
}

/// The WAL written per order since `start`; `None` when no order was placed. `by_relation`
/// also splits it by relation and record type (a slower read of the same range).
pub async fn since(
    database_url: &str,
    start: &Mark,
    by_relation: bool,
) -> anyhow::Result<Option<WalPerOrder>> {
    let pool = connect(database_url).await?;
    let end = position(&pool).await?;
    let orders = end.orders - start.orders;
    if orders <= 0 {
        pool.close().await;
        return Ok(None);
    }
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        .execute(&pool)
        .await?;
    let (records, bytes, images): (i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(record_length), 0) AS BIGINT), \
         CAST(COALESCE(SUM(fpi_length), 0) AS BIGINT) \
         FROM pg_get_wal_records_info(CAST($1 AS pg_lsn), CAST($2 AS pg_lsn))",
    )
    .bind(&start.lsn)
    .bind(&end.lsn)
    .fetch_one(&pool)
    .await?;
    let shares = if by_relation {
        shares(&pool, start, &end, orders).await?
    } else {
        Vec::new()
    };
    pool.close().await;
    let per_order = |n: i64| n as f64 / orders as f64;
    Ok(Some(WalPerOrder {
        orders,
        records: per_order(records),
        bytes: per_order(bytes - images),
        page_image_bytes: per_order(images),
        by_relation: shares,
    }))
}

/// Records between the marks grouped by the relation of their first block (a record's
/// `block_ref` names it by file node, which `pg_class` maps back to a name) and type, at least
/// one per hundred orders.
async fn shares(
    pool: &AnyPool,
    start: &Mark,
    end: &Mark,
    orders: i64,
) -> anyhow::Result<Vec<WalShare>> {
    let rows: Vec<(String, String, f64)> = sqlx::query_as(
        "SELECT CAST(COALESCE(CAST(c.relname AS TEXT), '') AS TEXT) AS relation, \
         CAST(w.resource_manager || '/' || w.record_type AS TEXT) AS record, \
         CAST(COUNT(*) AS DOUBLE PRECISION) / $3 AS per_order \
         FROM (SELECT substring(block_ref from 'rel [0-9]+/[0-9]+/([0-9]+)') AS file_node, \
                      resource_manager, record_type \
               FROM pg_get_wal_records_info(CAST($1 AS pg_lsn), CAST($2 AS pg_lsn))) w \
         LEFT JOIN pg_class c ON CAST(c.relfilenode AS TEXT) = w.file_node \
         GROUP BY 1, 2 HAVING COUNT(*) * 100 >= $3 ORDER BY 3 DESC, 1, 2",
    )
    .bind(&start.lsn)
    .bind(&end.lsn)
    .bind(orders as f64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(relation, record, per_order)| WalShare {
            relation,
            record,
            per_order,
        })
        .collect())
}
