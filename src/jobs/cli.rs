//! `nexus jobs`: what the queue holds (counts by kind and state, then the failed jobs), and
//! `nexus jobs retry ID|--all-failed` to give failed jobs a fresh set of attempts.

use std::{collections::BTreeMap, fmt::Write as _};

use anyhow::bail;

use super::{metrics::STATES, store, Kind};
use crate::db::{types::format_micros, Db};

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
                Ok(())
            }
            Action::Retry(Retry { id, .. }) => {
                let retried = retry(db, id).await?;
                let noun = if retried == 1 { "job" } else { "jobs" };
                println!("{retried} failed {noun} queued again");
                Ok(())
            }
        }
    }
}

/// The listing: a table of counts (every known kind, plus any unknown one the table holds),
/// then the failed jobs.
async fn list(db: &Db) -> anyhow::Result<String> {
    let mut counts: BTreeMap<String, [i64; STATES.len()]> = Kind::ALL
        .iter()
        .map(|kind| (kind.as_str().to_owned(), [0; STATES.len()]))
        .collect();
    for row in store::count_by_state(db).await? {
        if let Some(column) = STATES.iter().position(|state| *state == row.state) {
            counts.entry(row.kind).or_default()[column] = row.count;
        }
    }
    let mut out = format!("{:<16}", "kind");
    for state in STATES {
        write!(out, "{state:>10}")?;
    }
    out.push('\n');
    for (kind, row) in &counts {
        write!(out, "{kind:<16}")?;
        for count in row {
            write!(out, "{count:>10}")?;
        }
        out.push('\n');
    }
    let failed = store::failed(db).await?;
    if failed.is_empty() {
        out.push_str("\nno failed jobs\n");
        return Ok(out);
    }
    writeln!(out, "\nfailed jobs ({}):", failed.len())?;
    for job in failed {
        let when = job
            .finished_at
            .map_or_else(|| "-".to_owned(), format_micros);
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

/// Requeues failed job `id` (refusing any other state), or every failed job when `None`.
async fn retry(db: &Db, id: Option<i64>) -> anyhow::Result<u64> {
    let retried = store::requeue_failed(db, id).await?;
    if let (Some(id), 0) = (id, retried) {
        match store::state_of(db, id).await? {
            None => bail!("there is no job {id}"),
            Some(state) => {
                bail!("job {id} is {state}, not failed: only failed jobs can be retried")
            }
        }
    }
    Ok(retried)
}
