//! The Django database being read: a PostgreSQL server or a SQLite file, through the same `Any`
//! driver as Nexus' own database, so every read below is one statement for both engines.
//!
//! Values the `Any` driver can't carry are converted in SQL the same way on both engines: money
//! and timestamps as text (parsed in `values.rs`), booleans as `CASE … THEN 1 ELSE 0` (Django's
//! SQLite `bool` columns have a declared type `Any` does not map), `integer` columns cast to
//! `BIGINT`.

use std::str::FromStr;

use anyhow::Context;
use sqlx::{
    any::{AnyConnectOptions, AnyRow},
    AnyConnection, ConnectOptions, Connection, Executor, FromRow,
};

use crate::config::DatabaseUrl;

/// An open connection to the Django database.
pub struct Source {
    conn: AnyConnection,
}

impl Source {
    /// Connects to `url` (`postgres://…`, `sqlite://…`). A SQLite file is opened read-only and
    /// must exist; a PostgreSQL session reads timestamps in UTC. Errors never show the password.
    pub async fn open(url: &DatabaseUrl) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let postgres = url.is_postgres();
        let raw = if postgres {
            url.expose().to_owned()
        } else if url.expose().starts_with("sqlite:") {
            let separator = if url.expose().contains('?') { '&' } else { '?' };
            format!("{}{separator}mode=ro", url.expose())
        } else {
            anyhow::bail!("--from must be a postgres:// or sqlite:// URL, not {url:?}");
        };
        let options = AnyConnectOptions::from_str(&raw)
            .with_context(|| format!("--from is not a database URL: {url:?}"))?
            .disable_statement_logging();
        let mut conn = options
            .connect()
            .await
            .with_context(|| format!("could not open the Django database at {url:?}"))?;
        if postgres {
            conn.execute("SET TIME ZONE 'UTC'").await?;
            // A consistent snapshot of every table, even if Django is still writing.
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
        }
        Ok(Self { conn })
    }

    /// Every row of `sql` (a read of `table`); an error names the table, so a database that is not
    /// a Django shop's says which table it lacks.
    pub async fn read<T>(&mut self, table: &str, sql: &str) -> anyhow::Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as(sql)
            .fetch_all(&mut self.conn)
            .await
            .with_context(|| {
                format!(
                    "could not read the Django table {table} (is --from a Django shop database?)"
                )
            })
    }

    /// Ends the read (and its snapshot) and closes the connection.
    pub async fn close(self) -> anyhow::Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}
