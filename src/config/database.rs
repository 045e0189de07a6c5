//! Database settings types: the URL (its password kept out of `Debug`) and SQLite's durability.

use anyhow::bail;
use secrecy::{ExposeSecret, SecretString};

/// `SQLITE_SYNCHRONOUS`: when SQLite waits for the disk. `full` (the default) makes a commit
/// durable before it is answered; `normal` (in WAL mode) may lose the last commits on power loss
/// or an OS crash, never corrupting the file (docs/PERFORMANCE.md has the measured cost).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteSynchronous {
    #[default]
    Full,
    Normal,
}

impl SqliteSynchronous {
    pub(super) fn parse(value: &str) -> anyhow::Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            _ => bail!("SQLITE_SYNCHRONOUS must be full or normal, not {value:?}"),
        }
    }

    /// The value of SQLite's `PRAGMA synchronous`.
    pub fn pragma_value(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

/// A database URL whose `Debug` output hides the password.
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    /// The full URL, password included: only for handing to the driver.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True for `postgres://` and `postgresql://` URLs.
    pub fn is_postgres(&self) -> bool {
        let url = self.expose();
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.expose();
        // Keep the scheme, host and database; drop any `user:password@` part.
        let redacted = match (url.find("://"), url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                format!("{}://***@{}", &url[..scheme_end], &url[at + 1..])
            }
            _ => url.to_owned(),
        };
        f.write_str(&redacted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_debug_hides_the_password() {
        let url = DatabaseUrl::new("postgres://app:hunter2@db:5432/shop");
        let shown = format!("{url:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db:5432/shop"));
    }
}
