//! `nexus check`: configuration sanity for production and connectivity of what the server
//! depends on, printed as a table of `OK / WARN / ERROR  name  detail` rows.
//! The exit code is 1 when any row is an ERROR (decisions in docs/admin-commands.md).

mod database;
mod directories;
mod network;
mod settings;

use std::fmt;

use anyhow::bail;

use crate::config::Settings;

pub use self::{
    directories::writable_dir,
    network::{redis, smtp},
    settings::configuration,
};

/// The verdict of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        })
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct Row {
    pub level: Level,
    pub name: &'static str,
    pub detail: String,
}

pub(super) fn row(level: Level, name: &'static str, detail: impl Into<String>) -> Row {
    Row {
        level,
        name,
        detail: detail.into(),
    }
}

/// Runs every check, prints the table and fails when any row is an ERROR.
pub async fn run() -> anyhow::Result<()> {
    let rows = match Settings::from_env_unchecked() {
        Ok(settings) => {
            let mut rows = configuration(&settings);
            rows.extend(database::database(&settings).await);
            rows.push(redis(std::env::var("REDIS_URL").ok().as_deref()).await);
            rows.push(smtp(std::env::var("SMTP_URL").ok().as_deref()).await);
            rows.push(writable_dir("MEDIA_ROOT", &settings.media_root));
            // Without SMTP_URL the file mailer sends: its directory is the mail row then.
            if settings.notifications.smtp_url.is_none() {
                rows.push(writable_dir("EMAIL_FILE_PATH", &settings.email_dir()));
            }
            rows
        }
        Err(err) => vec![row(Level::Error, "configuration", format!("{err:#}"))],
    };
    print!("{}", render(&rows));
    let errors = rows.iter().filter(|r| r.level == Level::Error).count();
    let warnings = rows.iter().filter(|r| r.level == Level::Warn).count();
    println!("\n{errors} error(s), {warnings} warning(s)");
    if errors > 0 {
        bail!("{errors} check(s) failed");
    }
    Ok(())
}

/// The table, one line per row.
pub fn render(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:<6} {:<width$}  DETAIL\n", "STATUS", "NAME");
    for r in rows {
        out.push_str(&format!(
            "{:<6} {:<width$}  {}\n",
            r.level, r.name, r.detail
        ));
    }
    out
}
