//! `nexus import-django`: copies a Django shop backend's database into an empty Nexus database
//! (SPEC §3.10; every decision, the runbook and the skip reasons are in
//! docs/migrating-from-django.md).
//!
//! Three steps. Read every Django table (`source.rs`: the same SQL on both engines). Plan what
//! Nexus gets: rows kept, merged or skipped with a reason, by pure functions over what was read
//! (`users.rs`, `catalog.rs`, `carts.rs`, `orders.rs`, `reviews.rs`), so a row Nexus would refuse
//! is a line in the summary, never a failed statement. Write the plan in ONE transaction
//! (`target.rs`): all or nothing. `--dry-run` runs every step and rolls back, so it reports
//! exactly what a real run would write.

mod carts;
mod catalog;
mod media;
mod orders;
mod report;
mod reviews;
mod source;
mod target;
mod users;
mod values;

use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    time::Instant,
};

use anyhow::Context;

use crate::{
    config::{DatabaseUrl, Settings},
    db::{Db, Param},
};
use report::Report;
use source::Source;

/// Arguments of `nexus import-django`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportDjango {
    /// The Django database: `postgres://user@host/db` or `sqlite:///path/db.sqlite3` (opened
    /// read-only).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub from: DatabaseUrl,
    /// Django's MEDIA_ROOT: copy each product's image from there into Nexus' media store,
    /// checking it is a real image.
    #[arg(long, value_name = "DIR")]
    pub media_from: Option<PathBuf>,
    /// Replace the data of a target database that is not empty (in the same transaction).
    #[arg(long)]
    pub force: bool,
    /// Read, plan and write everything, report, then roll back: nothing is written.
    #[arg(long)]
    pub dry_run: bool,
}

/// Rows planned for one Nexus table, in its column order.
#[derive(Debug)]
pub struct Rows {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Param>>,
}

/// What the plan kept so far, for the rows that depend on it.
#[derive(Debug, Default)]
pub struct Kept {
    pub users: HashSet<i64>,
    /// Category id → name (products' search text).
    pub categories: HashMap<i64, String>,
    /// Product id → title (the order lines' title snapshot).
    pub products: HashMap<i64, String>,
    /// Order id → its creation time (its lines' `created_at`).
    pub orders: HashMap<i64, i64>,
}

/// `--from` kept in the type whose `Debug` hides the password.
fn parse_url(url: &str) -> Result<DatabaseUrl, std::convert::Infallible> {
    Ok(DatabaseUrl::new(url))
}

/// Why a row with a timestamp that doesn't parse is skipped (no Django database should have one).
pub const UNREADABLE_DATE: &str = "a date is not readable";

impl ImportDjango {
    /// Imports into `db` (migrated); prints progress bars and the summary.
    pub async fn run(self, db: &Db, settings: &Settings) -> anyhow::Result<()> {
        let started = Instant::now();
        let mut source = Source::open(&self.from).await?;
        // The target is checked (and with --force cleared) first, so a refused import reads
        // nothing and copies no media file; the same transaction then takes the rows.
        let mut tx = db
            .begin_write()
            .await
            .context("could not begin the import")?;
        target::prepare(&mut tx, db.backend, self.force).await?;
        let mut report = Report::default();
        let mut kept = Kept::default();
        let mut plan = Vec::new();
        plan.extend(users::import(&mut source, &mut kept, &mut report).await?);
        let (catalog, images) = catalog::import(&mut source, &mut kept, &mut report).await?;
        plan.extend(catalog);
        plan.extend(carts::import(&mut source, &kept, &mut report).await?);
        plan.extend(orders::import(&mut source, &mut kept, &mut report).await?);
        plan.extend(reviews::import(&mut source, &kept, &mut report).await?);
        source.close().await?;
        let images = media::import(
            images,
            &kept,
            self.media_from.as_deref(),
            settings,
            self.dry_run,
            &mut report,
        )
        .await?;
        plan.push(images);

        let planned = started.elapsed().as_secs_f64();
        let tables: Vec<&str> = plan.iter().map(|rows| rows.table).collect();
        for rows in plan {
            target::write(&mut tx, rows).await?;
        }
        target::finish(&mut tx, db.backend, &tables).await?;
        if self.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await.context("could not commit the import")?;
            // Statistics for the planner; the rows were written once into empty tables (only the
            // rating recount rewrote products), so the seed's VACUUM FULL would be wasted time.
            db.refresh_planner_statistics().await?;
        }
        println!("{}", report.render());
        let elapsed = started.elapsed().as_secs_f64();
        let phases = format!(
            "read and planned in {planned:.1}s, written in {:.1}s",
            elapsed - planned
        );
        if self.dry_run {
            println!("Dry run in {elapsed:.1}s ({phases}): nothing was written.");
        } else {
            println!("Imported from the Django database in {elapsed:.1}s ({phases}).");
        }
        Ok(())
    }
}
