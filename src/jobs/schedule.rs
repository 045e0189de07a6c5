//! Scheduled jobs: a small table of what runs when, and the planner every worker runs.
//!
//! Planning takes no lock and elects no leader. Every instance inserts the next occurrence of each
//! entry at start and then about once a minute, under a key naming the period
//! (`digest:daily:2025-03-31`); the `jobs.unique_key` constraint lets the first insert win and
//! turns the others into no-ops. An occurrence is planned as soon as the one before it has
//! passed, so it is in the table long before it is due; periods during which no instance ran at
//! all are skipped rather than caught up (yesterday's digest is no news).

use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveTime, Utc, Weekday};
use tokio_util::sync::CancellationToken;

use super::{store, Kind, NewJob};
use crate::db::Db;

/// How often a worker plans again.
pub const PLAN_INTERVAL: Duration = Duration::from_secs(60);

/// When an entry recurs (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// Every day at this hour.
    Day { hour: u32 },
    /// Every week on this day at this hour.
    Week { weekday: Weekday, hour: u32 },
}

/// One recurring job.
#[derive(Clone, Copy, Debug)]
pub struct Scheduled {
    /// The unique key's prefix; the occurrence's date follows it.
    pub name: &'static str,
    pub kind: Kind,
    /// The job's JSON payload.
    pub payload: &'static str,
    pub every: Every,
}

/// What is planned. Cleanup and the analytics jobs run at night, well before the digests' 08:00;
/// the roll-up an hour after midnight (yesterday is complete, and the dashboard computes it live
/// until then), retention after it.
pub const SCHEDULE: [Scheduled; 5] = [
    Scheduled {
        name: "digest:daily",
        kind: Kind::Digest,
        payload: r#"{"period":"daily"}"#,
        every: Every::Day { hour: 8 },
    },
    Scheduled {
        name: "digest:weekly",
        kind: Kind::Digest,
        payload: r#"{"period":"weekly"}"#,
        every: Every::Week {
            weekday: Weekday::Mon,
            hour: 8,
        },
    },
    Scheduled {
        name: "cleanup:daily",
        kind: Kind::Cleanup,
        payload: "{}",
        every: Every::Day { hour: 3 },
    },
    Scheduled {
        name: "analytics_rollup:daily",
        kind: Kind::AnalyticsRollup,
        payload: "{}",
        every: Every::Day { hour: 1 },
    },
    Scheduled {
        name: "analytics_retention:daily",
        kind: Kind::AnalyticsRetention,
        payload: "{}",
        every: Every::Day { hour: 2 },
    },
];

impl Every {
    /// The first occurrence strictly after `now`: one that is exactly now has been planned by
    /// the previous round already.
    pub fn next_after(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let (hour, weekday) = match self {
            Every::Day { hour } => (hour, None),
            Every::Week { weekday, hour } => (hour, Some(weekday)),
        };
        let at = NaiveTime::from_hms_opt(hour, 0, 0).expect("schedule hours are below 24");
        let today = now.date_naive();
        (0..=7u64)
            .filter_map(|days| today.checked_add_days(Days::new(days)))
            .filter(|day| weekday.is_none_or(|weekday| day.weekday() == weekday))
            .map(|day| day.and_time(at).and_utc())
            .find(|occurrence| *occurrence > now)
            .expect("every weekday occurs within eight days")
    }
}

impl Scheduled {
    /// The job for the occurrence at `at`, keyed by its date.
    pub fn job(&self, at: DateTime<Utc>) -> NewJob {
        NewJob {
            kind: self.kind,
            payload: self.payload.to_owned(),
            due_at: at.timestamp_micros(),
            unique_key: Some(format!("{}:{}", self.name, at.format("%Y-%m-%d"))),
        }
    }
}

/// Inserts the next occurrence of every entry after `now`; returns how many were new (the
/// others were planned already, here or by another instance).
pub async fn plan(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for entry in &SCHEDULE {
        let job = entry.job(entry.every.next_after(now));
        let mut conn = db.write_connection().await?;
        inserted += store::insert(&mut conn, &job).await?;
    }
    Ok(inserted)
}

/// Plans at once and then every [`PLAN_INTERVAL`] until `shutdown`.
pub async fn run_planner(db: Db, shutdown: CancellationToken) {
    loop {
        match plan(&db, Utc::now()).await {
            Ok(0) => {}
            Ok(planned) => tracing::info!(planned, "planned scheduled jobs"),
            Err(err) => tracing::warn!(error = %err, "could not plan scheduled jobs"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(PLAN_INTERVAL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_next_daily_eight_oclock_is_today_before_it_and_tomorrow_from_it_on() {
        let day = Every::Day { hour: 8 };
        let cases = [
            ("2025-03-31T07:59:59Z", "2025-03-31T08:00:00Z"),
            ("2025-03-31T08:00:00Z", "2025-04-01T08:00:00Z"),
            ("2025-03-31T08:00:01Z", "2025-04-01T08:00:00Z"),
            ("2025-12-31T23:30:00Z", "2026-01-01T08:00:00Z"),
            ("2024-02-28T09:00:00Z", "2024-02-29T08:00:00Z"),
        ];
        for (now, next) in cases {
            assert_eq!(day.next_after(at(now)), at(next), "after {now}");
        }
    }

    #[test]
    fn the_next_monday_eight_oclock_skips_to_next_week_once_passed() {
        let week = Every::Week {
            weekday: Weekday::Mon,
            hour: 8,
        };
        let cases = [
            // 2025-03-31 is a Monday.
            ("2025-03-31T07:00:00Z", "2025-03-31T08:00:00Z"),
            ("2025-03-31T08:00:00Z", "2025-04-07T08:00:00Z"),
            ("2025-04-01T00:00:00Z", "2025-04-07T08:00:00Z"),
            ("2025-04-06T23:59:59Z", "2025-04-07T08:00:00Z"),
            ("2025-12-30T12:00:00Z", "2026-01-05T08:00:00Z"),
        ];
        for (now, next) in cases {
            assert_eq!(week.next_after(at(now)), at(next), "after {now}");
        }
    }

    #[test]
    fn each_occurrence_is_keyed_by_its_period_and_date() {
        let now = at("2025-04-02T10:00:00Z");
        let keys: Vec<String> = SCHEDULE
            .iter()
            .map(|entry| entry.job(entry.every.next_after(now)).unique_key.unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "digest:daily:2025-04-03",
                "digest:weekly:2025-04-07",
                "cleanup:daily:2025-04-03",
                "analytics_rollup:daily:2025-04-03",
                "analytics_retention:daily:2025-04-03"
            ]
        );
        let digest = SCHEDULE[1].job(at("2025-04-07T08:00:00Z"));
        assert_eq!(digest.payload, r#"{"period":"weekly"}"#);
        assert_eq!(digest.due_at, at("2025-04-07T08:00:00Z").timestamp_micros());
    }
}
