//! Typed settings read once at start-up from environment variables (and an optional `.env`).
//!
//! Names follow the Django backend's settings where one existed, so operators can reuse their
//! environment files. Secrets are wrapped in [`SecretString`] so they never appear in `Debug` output
//! or logs.
//!
//! `config` depends on no feature: the settings a feature reads live here (`cache`,
//! `rate_limit`) and the feature re-exports them, rather than `config` importing the feature's
//! types. Plain settings types in one place were simpler than copying values between two structs.

pub mod analytics;
pub mod cache;
mod database;
pub mod jobs;
pub mod notifications;
mod payment;
mod production;
pub mod rate_limit;
mod secret_key;
mod values;

use std::{env, net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{bail, Context};
use secrecy::{ExposeSecret, SecretString};

use self::values::{parse_bool, parse_media_url};
pub use self::{
    database::{DatabaseUrl, SqliteSynchronous},
    payment::PaymentProviderName,
    secret_key::{
        secret_key_weakness, DEFAULT_SECRET_KEY, EXAMPLE_SECRET_KEY, MIN_SECRET_KEY_CHARS,
        MIN_SECRET_KEY_DISTINCT_CHARS,
    },
    values::split_list,
};

/// Every setting the server reads.
#[derive(Clone, Debug)]
pub struct Settings {
    pub debug: bool,
    pub secret_key: SecretString,
    pub database_url: DatabaseUrl,
    pub database_max_connections: u32,
    /// `SQLITE_SYNCHRONOUS` (ignored on PostgreSQL).
    pub sqlite_synchronous: SqliteSynchronous,
    /// How long a request waits for a pooled connection before answering `503`.
    pub database_acquire_timeout: Duration,
    /// `GROUP_COMMIT`: checkouts waiting at one moment share one write transaction, written
    /// together (`db::group_commit`); `false` gives each its own. Unset, the default
    /// (`db::group_commit::on_by_default`: on).
    pub group_commit: Option<bool>,
    /// `GROUP_COMMIT_LANES`: how many such shared transactions run at once; unset, the
    /// engine's default (`db::group_commit::default_lanes`).
    pub group_commit_lanes: Option<usize>,
    /// How long `serve` keeps retrying an unreachable database at start before giving up.
    pub database_connect_timeout: Duration,
    /// How long shutdown waits for in-flight requests before exiting anyway.
    pub shutdown_grace_period: Duration,
    /// Redirect plain-HTTP requests (health probes excepted) to `https://` with `301`.
    pub secure_ssl_redirect: bool,
    pub bind_addr: SocketAddr,
    /// `Host` values served. Unset means `*` in development and nothing in production, where
    /// start-up refuses it.
    pub allowed_hosts: Vec<String>,
    /// `PAYMENT_PROVIDER` when set; development falls back to the test provider, production
    /// refuses to start without it (see [`Settings::payment_provider`]).
    pub payment_provider: Option<PaymentProviderName>,
    /// Browser origins allowed to call the API with credentials (CORS).
    pub cors_allowed_origins: Vec<String>,
    /// Peers whose `X-Forwarded-*` headers are believed (IPs or CIDR blocks).
    pub trusted_proxies: Vec<String>,
    pub access_token_lifetime: Duration,
    pub refresh_token_lifetime: Duration,
    pub frontend_url: String,
    pub default_from_email: String,
    /// `EMAIL_FILE_PATH`: where the file mailer writes messages (see [`Settings::email_dir`]).
    pub email_file_path: Option<PathBuf>,
    pub log_level: String,
    pub log_format: LogFormat,
    /// Directory uploaded media (product images) is written under.
    pub media_root: PathBuf,
    /// Where media is reachable: a path served by this app (`/media/`) or an absolute URL
    /// (`https://cdn.example.com/media/`) served by something else. Always ends with `/`.
    pub media_url: String,
    /// Cheaper Argon2 parameters; only for test suites, never in production.
    pub fast_password_hashing: bool,
    /// `RATE_LIMIT_*` and `REDIS_URL`.
    pub rate_limit: rate_limit::RateLimitSettings,
    /// `CACHE_*` and `REDIS_URL`.
    pub cache: cache::CacheSettings,
    /// `JOBS_*`: the background job queue.
    pub jobs: jobs::JobSettings,
    /// `SMTP_URL`, `SMTP_CA_FILE`, `LOW_STOCK_THRESHOLD`.
    pub notifications: notifications::NotificationSettings,
    /// `ANALYTICS_*`: event capture and retention.
    pub analytics: analytics::AnalyticsSettings,
}

/// Output format of the logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Settings {
    /// The directory the file mailer writes one `.eml` file per message into.
    pub fn email_dir(&self) -> PathBuf {
        self.email_file_path
            .clone()
            .unwrap_or_else(|| "./data/mail".into())
    }

    /// Reads `.env` (when present) and the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        // A missing .env is normal; a malformed one is reported by the loader.
        let _ = dotenvy::dotenv();
        Self::from_lookup(|key| env::var(key).ok())
    }

    /// Builds settings from any key lookup (the environment in production, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let settings = Self::from_lookup_unchecked(get)?;
        settings.refuse_insecure_production()?;
        Ok(settings)
    }

    /// Like [`Settings::from_env`] without refusing an insecure production setup: `nexus check`
    /// reports that as an ERROR row instead of stopping at it.
    pub fn from_env_unchecked() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        Self::from_lookup_unchecked(|key| env::var(key).ok())
    }

    /// Parses every setting, without the production safety refusal.
    pub fn from_lookup_unchecked(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        let debug = parse_bool(var("DEBUG").as_deref(), true).context("DEBUG")?;
        let secret_key = var("SECRET_KEY").unwrap_or_else(|| DEFAULT_SECRET_KEY.to_owned());
        // Lifetimes are whole units (minutes for access, days for refresh), as in the Django settings.
        let lifetime = |key: &str, default: u64, unit_secs: u64| -> anyhow::Result<Duration> {
            let value = var(key)
                .map(|v| v.parse::<u64>())
                .transpose()
                .with_context(|| key.to_owned())?;
            Ok(Duration::from_secs(value.unwrap_or(default) * unit_secs))
        };
        let seconds = |key: &str, default: u64| lifetime(key, default, 1);
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("LOG_FORMAT must be json or pretty, not {other:?}"),
        };
        let settings = Settings {
            debug,
            secret_key: SecretString::from(secret_key),
            database_url: DatabaseUrl::new(
                var("DATABASE_URL").unwrap_or_else(|| "sqlite://./data/nexus.db".to_owned()),
            ),
            database_max_connections: var("DATABASE_MAX_CONNECTIONS")
                .map(|v| v.parse())
                .transpose()
                .context("DATABASE_MAX_CONNECTIONS")?
                .unwrap_or(16),
            sqlite_synchronous: var("SQLITE_SYNCHRONOUS")
                .map(|v| SqliteSynchronous::parse(&v))
                .transpose()?
                .unwrap_or_default(),
            database_acquire_timeout: seconds("DATABASE_ACQUIRE_TIMEOUT", 3)?,
            group_commit: var("GROUP_COMMIT")
                .map(|v| parse_bool(Some(&v), true))
                .transpose()
                .context("GROUP_COMMIT")?,
            group_commit_lanes: var("GROUP_COMMIT_LANES")
                .map(|v| {
                    let lanes = values::positive_number("GROUP_COMMIT_LANES", Some(v), 1)?;
                    usize::try_from(lanes).context("GROUP_COMMIT_LANES is too large")
                })
                .transpose()?,
            database_connect_timeout: seconds("DATABASE_CONNECT_TIMEOUT", 60)?,
            shutdown_grace_period: seconds("SHUTDOWN_GRACE_PERIOD", 30)?,
            secure_ssl_redirect: parse_bool(var("SECURE_SSL_REDIRECT").as_deref(), false)
                .context("SECURE_SSL_REDIRECT")?,
            bind_addr: var("BIND_ADDR")
                .unwrap_or_else(|| "127.0.0.1:8000".to_owned())
                .parse()
                .context("BIND_ADDR must be an address like 127.0.0.1:8000")?,
            // Production gets no default: an unset list is refused at start-up.
            allowed_hosts: match var("ALLOWED_HOSTS") {
                Some(hosts) => split_list(&hosts),
                None if debug => vec!["*".to_owned()],
                None => Vec::new(),
            },
            payment_provider: var("PAYMENT_PROVIDER")
                .map(|v| PaymentProviderName::parse(&v))
                .transpose()?,
            cors_allowed_origins: split_list(&var("CORS_ALLOWED_ORIGINS").unwrap_or_default()),
            trusted_proxies: split_list(
                &var("TRUSTED_PROXIES").unwrap_or_else(|| "127.0.0.1,::1".to_owned()),
            ),
            access_token_lifetime: lifetime("ACCESS_TOKEN_LIFETIME", 15, 60)?,
            refresh_token_lifetime: lifetime("REFRESH_TOKEN_LIFETIME", 7, 24 * 3600)?,
            frontend_url: var("FRONTEND_URL")
                .unwrap_or_else(|| "http://localhost:3000".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            default_from_email: var("DEFAULT_FROM_EMAIL")
                .unwrap_or_else(|| "Nexus Commerce <noreply@localhost>".to_owned()),
            email_file_path: var("EMAIL_FILE_PATH").map(PathBuf::from),
            log_level: var("LOG_LEVEL").unwrap_or_else(|| "info".to_owned()),
            log_format,
            media_root: PathBuf::from(
                var("MEDIA_ROOT").unwrap_or_else(|| "./data/media".to_owned()),
            ),
            media_url: parse_media_url(var("MEDIA_URL").as_deref().unwrap_or("/media/"))?,
            fast_password_hashing: false,
            cache: cache::CacheSettings::from_lookup(var)?,
            rate_limit: rate_limit::RateLimitSettings::from_lookup(var)?,
            jobs: jobs::JobSettings::from_lookup(var)?,
            notifications: notifications::NotificationSettings::from_lookup(var)?,
            analytics: analytics::AnalyticsSettings::from_lookup(var)?,
        };
        Ok(settings)
    }

    /// The payment provider to use: the configured one, or the test provider in development.
    pub fn payment_provider(&self) -> PaymentProviderName {
        self.payment_provider.unwrap_or(PaymentProviderName::Test)
    }

    /// True while the built-in development key signs tokens (start-up logs a warning).
    pub fn uses_development_key(&self) -> bool {
        self.secret_key.expose_secret() == DEFAULT_SECRET_KEY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    pub(super) fn settings(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    pub(super) const STRONG_KEY: &str =
        "3f9a1c27e4b85d06a7c2e91f4b3d8a60c5e7f1a2b9d04c6e8f3a1b7c5d2e9f04";

    #[test]
    fn defaults_give_a_working_sqlite_dev_server() {
        let s = settings(&[]).unwrap();
        assert!(s.debug);
        assert_eq!(s.database_url.expose(), "sqlite://./data/nexus.db");
        assert_eq!(s.bind_addr.to_string(), "127.0.0.1:8000");
        assert_eq!(s.access_token_lifetime, Duration::from_secs(15 * 60));
        assert_eq!(s.refresh_token_lifetime, Duration::from_secs(7 * 24 * 3600));
        assert_eq!(s.database_acquire_timeout, Duration::from_secs(3));
        assert_eq!(s.database_connect_timeout, Duration::from_secs(60));
        assert_eq!(s.shutdown_grace_period, Duration::from_secs(30));
        assert!(!s.secure_ssl_redirect);
    }

    #[test]
    fn resilience_timeouts_are_read_in_seconds() {
        let s = settings(&[
            ("DATABASE_ACQUIRE_TIMEOUT", "1"),
            ("DATABASE_CONNECT_TIMEOUT", "5"),
            ("SHUTDOWN_GRACE_PERIOD", "2"),
            ("SECURE_SSL_REDIRECT", "true"),
        ])
        .unwrap();
        assert_eq!(s.database_acquire_timeout, Duration::from_secs(1));
        assert_eq!(s.database_connect_timeout, Duration::from_secs(5));
        assert_eq!(s.shutdown_grace_period, Duration::from_secs(2));
        assert!(s.secure_ssl_redirect);
        assert!(settings(&[("SHUTDOWN_GRACE_PERIOD", "soon")]).is_err());
    }

    #[test]
    fn group_commit_and_its_lanes_are_the_engines_unless_set() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.group_commit, None);
        assert_eq!(s.group_commit_lanes, None);
        let s = settings(&[("GROUP_COMMIT", "false"), ("GROUP_COMMIT_LANES", "3")]).unwrap();
        assert_eq!(s.group_commit, Some(false));
        assert_eq!(s.group_commit_lanes, Some(3));
        assert!(settings(&[("GROUP_COMMIT_LANES", "0")]).is_err());
    }

    #[test]
    fn sqlite_is_synchronous_full_unless_told_otherwise() {
        assert_eq!(
            settings(&[]).unwrap().sqlite_synchronous,
            SqliteSynchronous::Full
        );
        let s = settings(&[("SQLITE_SYNCHRONOUS", "normal")]).unwrap();
        assert_eq!(s.sqlite_synchronous, SqliteSynchronous::Normal);
        assert!(settings(&[("SQLITE_SYNCHRONOUS", "off")]).is_err());
    }

    #[test]
    fn media_defaults_to_a_local_directory_served_under_media() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.media_root, PathBuf::from("./data/media"));
        assert_eq!(s.media_url, "/media/");
    }

    #[test]
    fn media_url_gets_a_trailing_slash_and_must_be_a_path_or_url() {
        let s = settings(&[("MEDIA_URL", "/files")]).unwrap();
        assert_eq!(s.media_url, "/files/");
        let s = settings(&[("MEDIA_URL", "https://cdn.example.com/m/")]).unwrap();
        assert_eq!(s.media_url, "https://cdn.example.com/m/");
        for bad in ["media/", "//evil.example/", "/a/../b/", "ftp://x/"] {
            assert!(settings(&[("MEDIA_URL", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_lifetimes_are_read_in_minutes_and_days() {
        let s = settings(&[
            ("ACCESS_TOKEN_LIFETIME", "5"),
            ("REFRESH_TOKEN_LIFETIME", "2"),
        ])
        .unwrap();
        assert_eq!(s.access_token_lifetime, Duration::from_secs(300));
        assert_eq!(s.refresh_token_lifetime, Duration::from_secs(2 * 24 * 3600));
    }
}
