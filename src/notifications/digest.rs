//! The `digest` job (SPEC §3.6): users who chose `digest: daily|weekly` get one email per period
//! listing their unread notifications, instead of an email per event.
//!
//! The period ends when the job runs (it is planned for 08:00 UTC) and reaches back one day or one
//! week. Each email job carries the unique key `digest:{period}:{date}:{user_id}`, so running the
//! same day's digest again (a retry, a second instance, `nexus jobs retry`) queues nothing twice.
//! Users with nothing unread in the period get no email. docs/notifications.md, "Digests".

use serde::Deserialize;

use super::store::{self, DigestRow};
use crate::{
    db::{now_micros, types::format_micros},
    jobs::{self, Job, Kind, NewJob},
    mail::{DigestItem, Email, Message},
    state::AppState,
};

/// How many notifications one digest lists; the rest are counted ("… and 12 more").
const LISTED: usize = 20;

/// Users whose emails one transaction queues: short write transactions keep SQLite's one writer
/// free for checkouts, and the unique keys make a retry after a partial run safe.
const USERS_PER_TRANSACTION: usize = 100;

const DAY_MICROS: i64 = 24 * 3600 * 1_000_000;

/// How often a user asked to be mailed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Period {
    Daily,
    Weekly,
}

impl Period {
    /// The stored preference (`notification_preferences.digest`).
    fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
        }
    }

    fn length_micros(self) -> i64 {
        match self {
            Period::Daily => DAY_MICROS,
            Period::Weekly => 7 * DAY_MICROS,
        }
    }
}

/// The job's payload, as the scheduler plans it: `{"period": "daily"}`.
#[derive(Debug, Deserialize)]
struct DigestJob {
    period: Period,
}

/// One user's digest, before it becomes an email.
#[derive(Debug, PartialEq)]
struct Digest {
    user_id: i64,
    to: String,
    listed: Vec<DigestItem>,
    more: i64,
}

/// Runs a `digest` job: queues one email per user with something unread in the period.
pub async fn send_digests(state: AppState, job: Job) -> anyhow::Result<()> {
    let DigestJob { period } = job.payload()?;
    let until = now_micros();
    let since = until - period.length_micros();
    let rows = store::digest_rows(&state.db.pool, period.as_str(), since, until).await?;
    let digests = gather(rows);
    let day = chrono::DateTime::from_timestamp_micros(until)
        .unwrap_or_default()
        .format("%Y-%m-%d");
    for chunk in digests.chunks(USERS_PER_TRANSACTION) {
        let mut tx = state.db.begin_write().await?;
        for digest in chunk {
            let email = Email {
                to: digest.to.clone(),
                message: Message::Digest {
                    period: period.as_str().to_owned(),
                    notifications: digest.listed.clone(),
                    more: digest.more,
                },
            };
            let key = format!("digest:{}:{day}:{}", period.as_str(), digest.user_id);
            jobs::enqueue(&mut tx, NewJob::new(Kind::Email, &email).unique(key)).await?;
        }
        tx.commit().await?;
    }
    tracing::info!(
        period = period.as_str(),
        users = digests.len(),
        "digest emails queued"
    );
    Ok(())
}

/// One digest per user from rows ordered by user, newest first; the first [`LISTED`] are listed.
fn gather(rows: Vec<DigestRow>) -> Vec<Digest> {
    let mut digests: Vec<Digest> = Vec::new();
    for row in rows {
        let digest = match digests.last_mut() {
            Some(digest) if digest.user_id == row.user_id => digest,
            _ => {
                digests.push(Digest {
                    user_id: row.user_id,
                    to: row.email,
                    listed: Vec::new(),
                    more: 0,
                });
                digests.last_mut().expect("just pushed")
            }
        };
        if digest.listed.len() < LISTED {
            digest.listed.push(DigestItem {
                title: row.title,
                message: row.message,
                action_url: row.action_url,
                created_at: format_micros(row.created_at),
            });
        } else {
            digest.more += 1;
        }
    }
    digests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user_id: i64, title: &str) -> DigestRow {
        DigestRow {
            user_id,
            email: format!("user{user_id}@example.com"),
            title: title.to_owned(),
            message: String::new(),
            action_url: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn rows_become_one_digest_per_user_in_their_order() {
        let digests = gather(vec![row(1, "b"), row(1, "a"), row(3, "c")]);
        let summary: Vec<(i64, &str, Vec<&str>)> = digests
            .iter()
            .map(|d| {
                let titles = d.listed.iter().map(|item| item.title.as_str()).collect();
                (d.user_id, d.to.as_str(), titles)
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "user1@example.com", vec!["b", "a"]),
                (3, "user3@example.com", vec!["c"]),
            ]
        );
        assert!(gather(Vec::new()).is_empty());
    }

    #[test]
    fn a_digest_lists_the_newest_and_counts_the_rest() {
        let rows = (0..LISTED + 3).map(|i| row(5, &format!("n{i}"))).collect();
        let digests = gather(rows);
        assert_eq!(digests.len(), 1);
        assert_eq!(digests[0].listed.len(), LISTED);
        assert_eq!(digests[0].listed[0].title, "n0");
        assert_eq!(digests[0].more, 3);
    }

    #[test]
    fn the_payload_names_the_period_in_lower_case() {
        let job: DigestJob = serde_json::from_str(r#"{"period":"weekly"}"#).unwrap();
        assert_eq!(job.period, Period::Weekly);
        assert!(serde_json::from_str::<DigestJob>(r#"{"period":"monthly"}"#).is_err());
    }
}
