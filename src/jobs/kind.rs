//! The kinds of job: a closed set, so metrics labels stay bounded and an unknown kind in the table
//! (written by a newer version) is reported rather than guessed at.

use std::fmt;

/// What a job does; its handler is registered under it at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Send one templated email (`mail::Email`).
    Email,
    /// Create a password-reset link and mail it: the token is made when the email goes out, so it
    /// never sits in the queue in clear.
    PasswordReset,
    /// Queue one digest email per user who chose this period (planned at 08:00 UTC).
    Digest,
    /// Delete finished jobs, expired stream tickets, reset links and idle dashboard sessions past
    /// their retention.
    Cleanup,
    /// Roll complete days of analytics up, and roll again the days late rows touched.
    AnalyticsRollup,
    /// Delete raw analytics events past `ANALYTICS_RETENTION_DAYS` from rolled-up days.
    AnalyticsRetention,
}

impl Kind {
    /// Every kind, for metrics that must exist from start-up.
    pub const ALL: [Kind; 6] = [
        Kind::Email,
        Kind::PasswordReset,
        Kind::Digest,
        Kind::Cleanup,
        Kind::AnalyticsRollup,
        Kind::AnalyticsRetention,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::PasswordReset => "password_reset",
            Kind::Digest => "digest",
            Kind::Cleanup => "cleanup",
            Kind::AnalyticsRollup => "analytics_rollup",
            Kind::AnalyticsRetention => "analytics_retention",
        }
    }

    /// The kind stored as `name`, if this version knows it.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("webhook"), None);
    }
}
