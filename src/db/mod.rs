//! The database: one `sqlx::AnyPool` over SQLite or PostgreSQL, picked from the URL at run time.
//!
//! Every query in the code base is written once, with `$1`-style placeholders that both drivers
//! accept. The few places where the dialects must differ (full-text search, some DDL) ask
//! [`Db::backend`] and keep both variants side by side.

mod bulk;
mod constraint;
mod full_text;
pub mod group_commit;
pub mod migrations;
mod sql;
pub mod types;

use std::{path::Path, str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    pool::PoolConnection,
    AnyConnection, AnyPool, Connection, Executor,
};

use crate::config::{DatabaseUrl, SqliteSynchronous};

pub use bulk::{insert_rows, insert_values};
pub use constraint::{
    is_foreign_key_violation, is_unique_violation, unique_constraint, ResultExt, Violation,
};
pub use full_text::fts5_query;
pub use group_commit::{AnyBatch, Batch, Done, GroupCommit, Ran};
pub use sql::{Param, SqlBuilder};
pub use types::{now_micros, Flag};

/// Which database engine is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The shared connection pool and the engine it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    /// Where [`Db::begin_write`] takes its connection: on SQLite a pool of one, so writers queue
    /// in the pool (first come, first served, woken the moment the writer before them commits)
    /// instead of in SQLite's busy handler, which polls with sleeps of up to 100 ms. On
    /// PostgreSQL the same pool as `pool`.
    writer: AnyPool,
    pub backend: Backend,
}

/// How long a request waits for a pooled connection unless the caller says otherwise.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest pause between two start-up connection attempts.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(10);

/// How long one start-up connection attempt may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

impl Db {
    /// Opens a pool; for SQLite the file (and its directory) is created when missing.
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> anyhow::Result<Self> {
        Self::connect_with(
            url,
            max_connections,
            DEFAULT_ACQUIRE_TIMEOUT,
            SqliteSynchronous::default(),
        )
        .await
    }

    /// Like [`Db::connect_with`], but a PostgreSQL server that can't be reached yet (still
    /// starting, restarting, refusing connections) is retried with a doubling delay for up to
    /// `patience`, logging each failed attempt. A container started beside its database then
    /// waits for it instead of crashing.
    pub async fn connect_patiently(
        url: &DatabaseUrl,
        max_connections: u32,
        acquire_timeout: Duration,
        patience: Duration,
        synchronous: SqliteSynchronous,
    ) -> anyhow::Result<Self> {
        if url.is_postgres() {
            let started = std::time::Instant::now();
            let mut delay = Duration::from_secs(1);
            let mut attempt = 1u32;
            // A single connection first: the pool would retry a refused connection itself and
            // report only "pool timed out", hiding what is wrong.
            while let Err(cause) = probe(url).await {
                let left = patience.saturating_sub(started.elapsed());
                if !is_connection_error(&cause) || left.is_zero() {
                    return Err(anyhow::Error::from(cause)
                        .context(format!("could not connect to the database at {url:?}")));
                }
                let wait = delay.min(left);
                // The error kind and the redacting `Debug` of the URL: never the password.
                tracing::warn!(
                    attempt,
                    error = %connection_error_kind(&cause),
                    database = ?url,
                    "database not reachable yet, retrying in {}s",
                    wait.as_secs_f64().ceil()
                );
                tokio::time::sleep(wait).await;
                delay = (delay * 2).min(MAX_RETRY_DELAY);
                attempt += 1;
            }
        }
        Self::connect_with(url, max_connections, acquire_timeout, synchronous).await
    }

    /// Opens a pool whose requests wait at most `acquire_timeout` for a connection; SQLite
    /// connections use `synchronous` (ignored on PostgreSQL).
    pub async fn connect_with(
        url: &DatabaseUrl,
        max_connections: u32,
        acquire_timeout: Duration,
        synchronous: SqliteSynchronous,
    ) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.is_postgres() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let raw = match backend {
            Backend::Postgres => url.expose().to_owned(),
            Backend::Sqlite => prepare_sqlite_url(url.expose())?,
        };
        let options = AnyConnectOptions::from_str(&raw).context("invalid DATABASE_URL")?;
        let connect = |max: u32| {
            pool_options(backend, max, acquire_timeout, synchronous).connect_with(options.clone())
        };
        let pool = connect(max_connections.max(1))
            .await
            .with_context(|| format!("could not connect to the database at {url:?}"))?;
        let writer = match backend {
            Backend::Sqlite => connect(1)
                .await
                .with_context(|| format!("could not connect to the database at {url:?}"))?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Self {
            pool,
            writer,
            backend,
        })
    }

    /// Closes the pools (waiting for connections in use to come back).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Applies every pending migration; on SQLite, then refreshes the planner's statistics.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        migrations::run(self).await?;
        if self.backend == Backend::Sqlite {
            self.refresh_planner_statistics().await?;
        }
        Ok(())
    }

    /// `ANALYZE`: without statistics SQLite's planner takes any index on an equality
    /// (`is_active = TRUE`) over the one that gives the requested order, and sorts every active
    /// product for a page of 20 (docs/PERFORMANCE.md, log 7). SQLite never gathers statistics by
    /// itself, so this runs at every start (a sampled `analysis_limit` misjudged `is_active` and
    /// kept the bad plan) and after `nexus seed`. PostgreSQL's autovacuum keeps its own; the seed refreshes them at
    /// once after its bulk load.
    pub async fn refresh_planner_statistics(&self) -> anyhow::Result<()> {
        self.pool
            .execute("ANALYZE")
            .await
            .context("could not refresh the planner statistics")?;
        Ok(())
    }

    /// After a bulk load (`nexus seed`, a fresh database): fresh planner statistics, and on
    /// PostgreSQL the tables rewritten compactly first. The load's own updates (the rating
    /// recount rewrites every product) leave half of `products` dead, and a plain `VACUUM` frees
    /// that space without shrinking the table, so every scan would still read twice the pages
    /// (docs/PERFORMANCE.md, log 14). The second, plain `VACUUM` marks the pages
    /// all-visible, so counts can be answered from indexes alone.
    pub async fn tidy_after_bulk_load(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Postgres => {
                for statement in ["VACUUM FULL", "VACUUM ANALYZE"] {
                    self.pool
                        .execute(statement)
                        .await
                        .with_context(|| format!("{statement} after the bulk load failed"))?;
                }
                Ok(())
            }
            Backend::Sqlite => self.refresh_planner_statistics().await,
        }
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes can't be upgraded
    /// while another writer holds the lock and fails with "database is locked" instead of
    /// waiting, so racing writers must queue from the start. PostgreSQL uses row locks and
    /// conditional updates instead.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    /// A connection for a write that is one statement and needs no transaction (it commits on
    /// its own). On SQLite it is the writer, so it queues behind [`Db::begin_write`]'s
    /// transactions like they queue behind each other; on PostgreSQL any pooled connection.
    pub async fn write_connection(&self) -> Result<PoolConnection<sqlx::Any>, sqlx::Error> {
        self.writer.acquire().await
    }

    /// Answers `SELECT 1`: the cheapest proof that the database is reachable.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Pool settings shared by the pool and SQLite's writer pool.
fn pool_options(
    backend: Backend,
    max_connections: u32,
    acquire_timeout: Duration,
    synchronous: SqliteSynchronous,
) -> AnyPoolOptions {
    // FULL (the default) syncs the WAL at every commit, so an answered write survives power
    // loss or an OS crash; NORMAL syncs only at checkpoints and may lose the last commits.
    let sqlite_setup = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; \
         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        synchronous.pragma_value()
    );
    AnyPoolOptions::new()
        .max_connections(max_connections)
        // Short, so a lost database answers `503` quickly instead of holding requests; pooled
        // connections are pinged before use (sqlx's default), so ones killed by a database
        // restart are replaced rather than handed out.
        .acquire_timeout(acquire_timeout)
        .test_before_acquire(true)
        .after_connect(move |conn, _meta| {
            let sqlite_setup = sqlite_setup.clone();
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the single writer; the busy timeout makes a
                    // writer outside `begin_write` wait for the lock instead of failing;
                    // foreign keys are off by default in SQLite and our schema relies on them.
                    conn.execute(sqlite_setup.as_str()).await?;
                }
                Ok(())
            })
        })
}

/// Opens and closes one connection, giving up after [`PROBE_TIMEOUT`] (a host that drops
/// packets would otherwise keep the attempt waiting for the operating system's timeout).
async fn probe(url: &DatabaseUrl) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let options = AnyConnectOptions::from_str(url.expose())?;
    match tokio::time::timeout(PROBE_TIMEOUT, AnyConnection::connect_with(&options)).await {
        Ok(connection) => connection?.close().await,
        Err(_) => Err(sqlx::Error::Io(std::io::ErrorKind::TimedOut.into())),
    }
}

/// Adds `mode=rwc` (create when missing) and creates the parent directory of a file database.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("could not create the database directory {}", dir.display())
            })?;
        }
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// True when the error means the database can't be reached or refused the connection, as
/// opposed to a fault in a statement: the pool timed out, the socket failed, or PostgreSQL said
/// it is shutting down, starting, full or not accepting connections to this database.
pub fn is_connection_error(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // Class 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot
            // connect now; 53300: too many connections; 55000 is a broad class, so only its
            // "database is not currently accepting connections" case counts.
            code.starts_with("08")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
                || (code == "55000" && db.message().contains("accepting connections"))
        }
        _ => false,
    }
}

/// A short description of a connection failure for logs: the I/O error kind or the database's
/// code and message, never the URL.
pub fn connection_error_kind(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(io) => format!("io: {}", io.kind()),
        sqlx::Error::Database(db) => format!(
            "database {}: {}",
            db.code().unwrap_or_default(),
            db.message()
        ),
        sqlx::Error::PoolTimedOut => "pool timed out".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PRAGMA synchronous` of a connection from the shared pool and of the writer.
    async fn synchronous_levels(db: &Db) -> (i64, i64) {
        let read = |pool: AnyPool| async move {
            sqlx::query_scalar::<_, i64>("PRAGMA synchronous")
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        (read(db.pool.clone()).await, read(db.writer.clone()).await)
    }

    #[tokio::test]
    async fn sqlite_connections_sync_every_commit_by_default() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::new(format!("sqlite://{}/nexus.db", dir.path().display()));
        let db = Db::connect(&url, 2).await.unwrap();
        // 2 is FULL: a commit is on disk before it is answered.
        assert_eq!(synchronous_levels(&db).await, (2, 2));
        db.close().await;
        let db = Db::connect_with(&url, 2, DEFAULT_ACQUIRE_TIMEOUT, SqliteSynchronous::Normal)
            .await
            .unwrap();
        assert_eq!(synchronous_levels(&db).await, (1, 1));
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join("nexus-url-test");
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.exists());
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:?cache=shared").unwrap(),
            "sqlite::memory:?cache=shared&mode=rwc"
        );
    }
}
