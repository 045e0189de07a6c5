//! Bulk writes for the admin commands that load a whole database (`seed`, `import-django`):
//! multi-row INSERTs through the one query builder.

use indicatif::ProgressBar;
use sqlx::AnyConnection;

use super::{Param, SqlBuilder};

/// Rows per multi-row INSERT, lowered for wide tables to stay under SQLite's 32,766 bind
/// parameters (PostgreSQL allows 65,535).
const BATCH_ROWS: u64 = 500;
const MAX_BIND_PARAMS: usize = 32_000;

/// Inserts `rows` (each one value per column, in `columns` order) into `table` with multi-row
/// INSERTs, advancing `bar` by one per row written.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Param>>,
    bar: &ProgressBar,
) -> Result<(), sqlx::Error> {
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut batch = SqlBuilder::new(&head);
    let mut in_batch = 0;
    for row in rows {
        let full = in_batch == BATCH_ROWS || batch.bound() + columns.len() > MAX_BIND_PARAMS;
        if full {
            batch.query().execute(&mut *conn).await?;
            bar.inc(in_batch);
            batch = SqlBuilder::new(&head);
            in_batch = 0;
        }
        if in_batch > 0 {
            batch.push(", ");
        }
        batch.push("(").push_list(row).push(")");
        in_batch += 1;
    }
    if in_batch > 0 {
        batch.query().execute(&mut *conn).await?;
        bar.inc(in_batch);
    }
    Ok(())
}
