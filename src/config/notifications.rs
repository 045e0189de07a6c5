//! Notification and email settings (`SMTP_URL`, `SMTP_CA_FILE`, `LOW_STOCK_THRESHOLD`).

use std::path::PathBuf;

use anyhow::Context;
use secrecy::SecretString;

/// How notifications are produced and emails delivered (SPEC §3.6).
#[derive(Clone, Debug)]
pub struct NotificationSettings {
    /// `SMTP_URL`: `smtp://user:pass@host:587` (STARTTLS), `smtps://…:465` (implicit TLS) or
    /// `smtp://host:25?tls=none` (a local relay). Unset: the file mailer writes `.eml` files.
    /// A secret: it may carry the relay's password.
    pub smtp_url: Option<SecretString>,
    /// `SMTP_CA_FILE`: a PEM certificate trusted besides the system's roots (a private relay's CA).
    pub smtp_ca_file: Option<PathBuf>,
    /// `LOW_STOCK_THRESHOLD` (default 5): stock at or below this after a checkout or an adjustment
    /// notifies staff.
    pub low_stock_threshold: i64,
}

impl NotificationSettings {
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        Ok(Self {
            smtp_url: var("SMTP_URL").map(SecretString::from),
            smtp_ca_file: var("SMTP_CA_FILE").map(PathBuf::from),
            low_stock_threshold: var("LOW_STOCK_THRESHOLD")
                .map(|v| v.trim().parse::<i64>().ok().filter(|n| *n >= 0))
                .map(|v| v.context("LOW_STOCK_THRESHOLD must be a whole number, 0 or more"))
                .transpose()?
                .unwrap_or(5),
        })
    }
}
