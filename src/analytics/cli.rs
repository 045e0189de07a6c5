//! `nexus analytics rollup`: the daily roll-up, run now. The `analytics_rollup` job rolls up at
//! 01:00 UTC; after an import or a seed an operator (or the benchmark harness) wants the
//! year-long dashboard read from roll-ups at once rather than computed live until then.

use std::time::Instant;

use super::{period::today, rollup::roll_up_days, store};
use crate::db::Db;

/// Arguments of `nexus analytics`.
#[derive(Debug, clap::Args)]
pub struct AnalyticsCommand {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Roll up now what the 01:00 UTC job would: every complete day not rolled yet or touched
    /// by a late row (today, still filling, never).
    Rollup,
}

impl AnalyticsCommand {
    /// Runs the command against a migrated database.
    pub async fn run(self, db: &Db) -> anyhow::Result<()> {
        match self.action {
            Action::Rollup => {
                let started = Instant::now();
                let days = roll_up_days(db, today()).await?;
                if days > 0 {
                    // After an import or a seed the roll-up tables grow by months at once, before
                    // autovacuum (PostgreSQL) or the next start (SQLite) looks at them; on stale
                    // statistics the planner misjudged them a hundredfold (log 32 of
                    // docs/PERFORMANCE.md).
                    let mut conn = db.pool.acquire().await?;
                    store::refresh_rollup_statistics(&mut conn).await?;
                }
                let noun = if days == 1 { "day" } else { "days" };
                println!(
                    "{days} {noun} rolled up in {:.1}s",
                    started.elapsed().as_secs_f64()
                );
                Ok(())
            }
        }
    }
}
