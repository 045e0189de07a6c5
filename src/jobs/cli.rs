//! `nexus jobs`: what the queue holds (counts by kind and state, then the failed jobs),
//! `nexus jobs retry ID|--all-failed` to give failed jobs a fresh set of attempts, and
//! `nexus jobs discard ID` to delete a failed job. The work is the jobs front's (`admin.rs`),
//! which the staff dashboard's Jobs page calls too.

use std::fmt::Write as _;

use super::{admin, metrics::STATES};
use crate::db::Db;

/// Arguments of `nexus jobs`.
#[derive(Debug, clap::Args)]
pub struct JobsCommand {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Counts by kind and state, then every failed job (the default).
    List,
    /// Queue failed jobs again, due now, with their attempts reset.
    Retry(Retry),
    /// Delete a failed job for good.
    Discard {
        /// The failed job's id.
        id: i64,
    },
}

/// Which failed jobs to retry: one by id, or all of them.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Retry {
    /// The failed job's id.
    id: Option<i64>,
    /// Every failed job.
    #[arg(long)]
    all_failed: bool,
}

impl JobsCommand {
    pub async fn run(self, db: &Db) -> anyhow::Result<()> {
        match self.action.unwrap_or(Action::List) {
            Action::List => {
                print!("{}", list(db).await?);
            }
            Action::Retry(Retry { id: Some(id), .. }) => {
                admin::retry(db, id).await?;
                println!("1 failed job queued again");
            }
            Action::Retry(Retry { id: None, .. }) => {
                let retried = admin::retry_all_failed(db).await?;
                let noun = if retried == 1 { "job" } else { "jobs" };
                println!("{retried} failed {noun} queued again");
            }
            Action::Discard { id } => {
                admin::discard(db, id).await?;
                println!("failed job {id} discarded");
            }
        }
        Ok(())
    }
}

/// The listing: a table of counts (every known kind, plus any unknown one the table holds),
/// then the failed jobs.
async fn list(db: &Db) -> anyhow::Result<String> {
    let mut counts = admin::counts(db).await?;
    counts.sort_by(|a, b| a.kind.cmp(&b.kind));
    let mut out = format!("{:<16}", "kind");
    for state in STATES {
        write!(out, "{state:>10}")?;
    }
    out.push('\n');
    for row in &counts {
        write!(out, "{:<16}", row.kind)?;
        for count in row.counts {
            write!(out, "{count:>10}")?;
        }
        out.push('\n');
    }
    let failed = admin::failed_jobs(db).await?;
    if failed.is_empty() {
        out.push_str("\nno failed jobs\n");
        return Ok(out);
    }
    writeln!(out, "\nfailed jobs ({}):", failed.len())?;
    for job in failed {
        let when = job.finished_at.as_deref().unwrap_or("-");
        // One line per job: the error's first line is what an operator scans for.
        let error = job.last_error.as_deref().unwrap_or("-");
        let error = error.lines().next().unwrap_or_default();
        writeln!(
            out,
            "  #{}  {}  attempts {}  {when}  {error}",
            job.id, job.kind, job.attempts
        )?;
    }
    Ok(out)
}
