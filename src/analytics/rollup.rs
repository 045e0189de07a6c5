//! The analytics jobs: the daily roll-up and the retention sweep (SPEC §3.7).
//!
//! The roll-up rolls every complete day that ended since the last run (it was still filling then),
//! and every earlier day touched by rows past the marks: a late event, an old order cancelled or
//! seeded, a back-dated sign-up. Each day goes
//! in its own transaction; then the marks advance. Days without any row are never rolled: the
//! dashboard computes their zeros live at no cost. Retention deletes raw events older than
//! `ANALYTICS_RETENTION_DAYS` only from rolled days and only those the roll-up has folded in.
//! docs/analytics.md, "Figures".

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{
    period::{day_number, today, DAY_MICROS},
    store,
};
use crate::{db::Db, jobs::Job, state::AppState};

/// Runs an `analytics_rollup` job.
pub async fn roll_up(state: AppState, _job: Job) -> anyhow::Result<()> {
    let days = roll_up_days(&state.db, today()).await?;
    tracing::info!(days, "analytics days rolled up");
    Ok(())
}

/// Rolls up what needs it as of `today` (never today itself, which is still filling); returns
/// how many days were rolled.
pub async fn roll_up_days(db: &Db, today: NaiveDate) -> Result<usize, sqlx::Error> {
    let today = day_number(today);
    let reading = {
        let mut tx = db.begin_write().await?;
        let reading = store::readings(&mut tx, db.backend, today).await?;
        tx.commit().await?;
        reading
    };
    let days = {
        let mut conn = db.pool.acquire().await?;
        let marks = store::marks(&mut conn).await?;
        let changed = store::changed_days(&mut conn, &marks).await?;
        // The days that were still filling at the last run, and any day a row past the marks
        // touched. Before the first run every row is past the marks.
        let unrolled = if marks.unrolled_from > 0 {
            marks.unrolled_from..today
        } else {
            0..0
        };
        let days: BTreeSet<i64> = changed
            .events
            .union(&changed.orders)
            .copied()
            .chain(unrolled)
            .filter(|day| *day < today)
            .collect();
        days
    };
    for &day in &days {
        let mut tx = db.begin_write().await?;
        store::roll_day(&mut tx, db.backend, day).await?;
        tx.commit().await?;
    }
    let mut tx = db.begin_write().await?;
    store::advance_marks(&mut tx, &reading).await?;
    tx.commit().await?;
    Ok(days.len())
}

/// Runs an `analytics_retention` job.
pub async fn delete_old_events(state: AppState, _job: Job) -> anyhow::Result<()> {
    let retention = state.settings.analytics.retention_days;
    let (deleted, kept) = prune(&state.db, today(), retention).await?;
    tracing::info!(
        deleted,
        unrolled_days_kept = kept,
        "old analytics events deleted"
    );
    Ok(())
}

/// Deletes the raw events of days before `today - retention_days` that are rolled up and folded
/// in, one day per transaction; returns how many events went and how many old days were kept
/// because they are not rolled yet (the next roll-up rolls them).
pub async fn prune(
    db: &Db,
    today: NaiveDate,
    retention_days: u32,
) -> Result<(u64, usize), sqlx::Error> {
    let cutoff = day_number(today) - i64::from(retention_days);
    let (days, marks) = {
        let mut conn = db.pool.acquire().await?;
        let days = store::event_days_before(&mut conn, cutoff * DAY_MICROS).await?;
        (days, store::marks(&mut conn).await?)
    };
    let (mut deleted, mut kept) = (0, 0);
    for day in days {
        let mut tx = db.begin_write().await?;
        match store::prune_day(&mut tx, day, marks.events).await? {
            Some(count) => deleted += count,
            None => kept += 1,
        }
        tx.commit().await?;
    }
    Ok((deleted, kept))
}
