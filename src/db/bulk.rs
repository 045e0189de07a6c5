//! Bulk writes: multi-row INSERTs through the one query builder, for the admin commands that
//! load a whole database (`seed`, `import-django`) and for checkout, which writes a batch of
//! orders' rows together.

use indicatif::ProgressBar;
use sqlx::AnyConnection;

use super::{Param, SqlBuilder};

/// Most bind parameters per statement: under SQLite's 32,766 (PostgreSQL allows 65,535).
const MAX_BIND_PARAMS: usize = 32_000;

/// Rows per multi-row INSERT. PostgreSQL gains from fewer round trips. SQLite has none to save,
/// and binding a statement's parameters costs it more than linearly in their number: a million
/// rows took 45 s to write in 500-row statements and 16 s in 100-row ones
/// (docs/PERFORMANCE.md, log 38).
fn rows_per_statement(conn: &AnyConnection) -> u64 {
    if conn.backend_name() == "SQLite" {
        100
    } else {
        500
    }
}

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
    insert_values(conn, &head, "", rows, |written| bar.inc(written)).await?;
    Ok(())
}

/// Inserts `rows` with multi-row INSERTs: `head` is `INSERT INTO t (…) VALUES `, `tail` what
/// follows the rows (an `ON CONFLICT` clause, or nothing). Calls `written` with each statement's
/// row count and answers how many rows the statements reported written in all (a row an
/// `ON CONFLICT … DO NOTHING` skipped is not).
pub async fn insert_values(
    conn: &mut AnyConnection,
    head: &str,
    tail: &str,
    rows: Vec<Vec<Param>>,
    mut written: impl FnMut(u64),
) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    let mut batch = SqlBuilder::new(head);
    let mut in_batch = 0;
    let batch_rows = rows_per_statement(conn);
    for row in rows {
        let full = in_batch == batch_rows || batch.bound() + row.len() > MAX_BIND_PARAMS;
        if full {
            let full = std::mem::replace(&mut batch, SqlBuilder::new(head));
            total += execute(conn, full, tail).await?;
            written(in_batch);
            in_batch = 0;
        }
        if in_batch > 0 {
            batch.push(", ");
        }
        batch.push("(").push_list(row).push(")");
        in_batch += 1;
    }
    if in_batch > 0 {
        total += execute(conn, batch, tail).await?;
        written(in_batch);
    }
    Ok(total)
}

/// Ends `statement` with `tail`, runs it and answers how many rows it wrote.
async fn execute(
    conn: &mut AnyConnection,
    mut statement: SqlBuilder,
    tail: &str,
) -> Result<u64, sqlx::Error> {
    let done = statement.push(tail).query().execute(conn).await?;
    Ok(done.rows_affected())
}
