//! The database row of `nexus check`: reachable, and its migrations up to date.

use std::{path::Path, time::Duration};

use super::{row, Level, Row};
use crate::{
    config::Settings,
    db::{migrations, Db},
};

/// Connectivity and migration state of the database.
pub(super) async fn database(settings: &Settings) -> Vec<Row> {
    let url = &settings.database_url;
    if !url.is_postgres() {
        let path = url
            .expose()
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        if !path.is_empty() && path != ":memory:" && !Path::new(&path).exists() {
            // Don't create the file: a check must not change anything.
            return vec![row(
                Level::Warn,
                "database",
                format!("SQLite file {path} does not exist yet (`nexus migrate` creates it)"),
            )];
        }
    }
    let db = match tokio::time::timeout(Duration::from_secs(10), Db::connect(url, 1)).await {
        Ok(Ok(db)) => db,
        Ok(Err(err)) => {
            return vec![row(
                Level::Error,
                "database",
                format!("unreachable: {err:#}"),
            )]
        }
        Err(_) => return vec![row(Level::Error, "database", format!("{url:?}: timed out"))],
    };
    if !db.ping().await {
        return vec![row(
            Level::Error,
            "database",
            format!("{url:?}: SELECT 1 failed"),
        )];
    }
    let engine = match db.backend {
        crate::db::Backend::Sqlite => "SQLite",
        crate::db::Backend::Postgres => "PostgreSQL",
    };
    let mut rows = vec![row(
        Level::Ok,
        "database",
        format!("{engine} reachable ({url:?})"),
    )];
    rows.push(if migrations::is_up_to_date(&db).await {
        row(Level::Ok, "migrations", "up to date")
    } else {
        row(
            Level::Warn,
            "migrations",
            "pending migrations: run `nexus migrate`",
        )
    });
    db.close().await;
    rows
}
