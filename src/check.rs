//! `nexus check`: configuration sanity for production and connectivity of what the server
//! depends on, printed as a table of `OK / WARN / ERROR  name  detail` rows.
//! The exit code is 1 when any row is an ERROR (decisions in docs/admin-commands.md).

use std::{fmt, path::Path, time::Duration};

use anyhow::bail;
use secrecy::ExposeSecret;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    config::{secret_key_weakness, PaymentProviderName, Settings, SqliteSynchronous},
    db::{migrations, Db},
};

/// How long a network check may take before it counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The verdict of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        })
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct Row {
    pub level: Level,
    pub name: &'static str,
    pub detail: String,
}

fn row(level: Level, name: &'static str, detail: impl Into<String>) -> Row {
    Row {
        level,
        name,
        detail: detail.into(),
    }
}

/// Runs every check, prints the table and fails when any row is an ERROR.
pub async fn run() -> anyhow::Result<()> {
    let rows = match Settings::from_env_unchecked() {
        Ok(settings) => {
            let mut rows = configuration(&settings);
            rows.extend(database(&settings).await);
            rows.push(redis(std::env::var("REDIS_URL").ok().as_deref()).await);
            rows.push(smtp(std::env::var("SMTP_URL").ok().as_deref()).await);
            rows.push(writable_dir("MEDIA_ROOT", &settings.media_root));
            // The file mailer is the one that sends (SMTP_URL above is only probed).
            rows.push(writable_dir("EMAIL_FILE_PATH", &settings.email_dir()));
            rows
        }
        Err(err) => vec![row(Level::Error, "configuration", format!("{err:#}"))],
    };
    print!("{}", render(&rows));
    let errors = rows.iter().filter(|r| r.level == Level::Error).count();
    let warnings = rows.iter().filter(|r| r.level == Level::Warn).count();
    println!("\n{errors} error(s), {warnings} warning(s)");
    if errors > 0 {
        bail!("{errors} check(s) failed");
    }
    Ok(())
}

/// The table, one line per row.
pub fn render(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:<6} {:<width$}  DETAIL\n", "STATUS", "NAME");
    for r in rows {
        out.push_str(&format!(
            "{:<6} {:<width$}  {}\n",
            r.level, r.name, r.detail
        ));
    }
    out
}

/// Signing keys must resist guessing: anyone who finds the key can mint tokens for any user.
/// A weak key ([`secret_key_weakness`], the rule `serve` refuses by) is an error in production
/// and a warning in development.
fn secret_key_row(key: &str, production: bool) -> Row {
    match secret_key_weakness(key) {
        None => row(
            Level::Ok,
            "SECRET_KEY",
            format!("set ({} characters)", key.chars().count()),
        ),
        Some(why) if production => row(
            Level::Error,
            "SECRET_KEY",
            format!("weak ({why}): set at least 32 random characters (openssl rand -hex 32)"),
        ),
        Some(why) => row(
            Level::Warn,
            "SECRET_KEY",
            format!("weak ({why}); set at least 32 random characters before production"),
        ),
    }
}

/// `ALLOWED_HOSTS`: unset is refused in production; `*` is accepted there but warned about.
fn allowed_hosts_row(settings: &Settings) -> Row {
    let production = !settings.debug;
    if settings.allowed_hosts.is_empty() && production {
        row(
            Level::Error,
            "ALLOWED_HOSTS",
            "not set: production refuses to start; list your domains (and localhost for probes)",
        )
    } else if settings.allowed_hosts.is_empty() {
        row(
            Level::Warn,
            "ALLOWED_HOSTS",
            "empty: every request will be refused",
        )
    } else if production && settings.allowed_hosts.iter().any(|h| h == "*") {
        row(
            Level::Warn,
            "ALLOWED_HOSTS",
            "\"*\" accepts any Host header in production; list your domains",
        )
    } else {
        row(
            Level::Ok,
            "ALLOWED_HOSTS",
            settings.allowed_hosts.join(", "),
        )
    }
}

/// `PAYMENT_PROVIDER`: production must set it; the test provider never takes real money.
fn payment_provider_row(settings: &Settings) -> Row {
    match settings.payment_provider {
        None if !settings.debug => row(
            Level::Error,
            "PAYMENT_PROVIDER",
            "not set: production refuses to start; set it explicitly (test is the only provider so far)",
        ),
        None => row(
            Level::Warn,
            "PAYMENT_PROVIDER",
            "not set (development uses test): payments are approved without moving money",
        ),
        Some(PaymentProviderName::Test) => row(
            Level::Warn,
            "PAYMENT_PROVIDER",
            "test: payments are approved without moving money",
        ),
    }
}

/// `SQLITE_SYNCHRONOUS` on SQLite: `normal` may lose acknowledged orders on power loss.
fn sqlite_synchronous_row(settings: &Settings) -> Option<Row> {
    if settings.database_url.is_postgres() {
        return None;
    }
    Some(match settings.sqlite_synchronous {
        SqliteSynchronous::Full => row(Level::Ok, "SQLITE_SYNCHRONOUS", "full"),
        SqliteSynchronous::Normal => row(
            Level::Warn,
            "SQLITE_SYNCHRONOUS",
            "normal: the last commits (answered orders) can be lost on power loss or an OS crash",
        ),
    })
}

/// The settings-only checks (no I/O).
pub fn configuration(settings: &Settings) -> Vec<Row> {
    let production = !settings.debug;
    let mut rows = vec![if settings.debug {
        row(
            Level::Warn,
            "DEBUG",
            "true: development mode; set DEBUG=false in production",
        )
    } else {
        row(Level::Ok, "DEBUG", "false")
    }];
    rows.push(secret_key_row(
        settings.secret_key.expose_secret(),
        production,
    ));
    rows.push(allowed_hosts_row(settings));
    rows.push(payment_provider_row(settings));
    let insecure: Vec<&str> = settings
        .cors_allowed_origins
        .iter()
        .filter(|o| o.starts_with("http://"))
        .map(String::as_str)
        .collect();
    rows.push(if production && !insecure.is_empty() {
        row(
            Level::Warn,
            "CORS_ALLOWED_ORIGINS",
            format!("plain-HTTP origins in production: {}", insecure.join(", ")),
        )
    } else if settings.cors_allowed_origins.is_empty() {
        row(
            Level::Ok,
            "CORS_ALLOWED_ORIGINS",
            "none (cross-origin requests refused)",
        )
    } else {
        row(
            Level::Ok,
            "CORS_ALLOWED_ORIGINS",
            settings.cors_allowed_origins.join(", "),
        )
    });
    rows.push(row(
        Level::Ok,
        "TRUSTED_PROXIES",
        if settings.trusted_proxies.is_empty() {
            "none: X-Forwarded-For/-Proto ignored (HSTS only when serving HTTPS directly)"
                .to_owned()
        } else {
            format!(
                "{} (their X-Forwarded-For/-Proto are believed: TLS terminated there)",
                settings.trusted_proxies.join(", ")
            )
        },
    ));
    rows.push(ssl_redirect(settings));
    rows.extend(sqlite_synchronous_row(settings));
    rows
}

/// `SECURE_SSL_REDIRECT` against how TLS reaches the app: the app never serves TLS itself, so
/// without a trusted proxy a redirect would loop, and no redirect leaves plain HTTP open.
fn ssl_redirect(settings: &Settings) -> Row {
    let proxied = !settings.trusted_proxies.is_empty();
    match (settings.secure_ssl_redirect, proxied) {
        (true, true) => row(
            Level::Ok,
            "SECURE_SSL_REDIRECT",
            "true: plain-HTTP requests get 301 to https:// (health probes exempt)",
        ),
        (true, false) => row(
            Level::Warn,
            "SECURE_SSL_REDIRECT",
            "true but no TRUSTED_PROXIES: no request can prove it came over HTTPS, so every one is redirected",
        ),
        (false, true) => row(
            Level::Ok,
            "SECURE_SSL_REDIRECT",
            "false: redirecting to HTTPS is left to the TLS proxy",
        ),
        (false, false) if !settings.debug => row(
            Level::Warn,
            "SECURE_SSL_REDIRECT",
            "false and no TRUSTED_PROXIES: clients can use plain HTTP; set SECURE_SSL_REDIRECT=true behind a TLS proxy",
        ),
        (false, false) => row(Level::Ok, "SECURE_SSL_REDIRECT", "false"),
    }
}

/// Connectivity and migration state of the database.
async fn database(settings: &Settings) -> Vec<Row> {
    let url = &settings.database_url;
    if !url.is_postgres() {
        let path = url
            .expose()
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        if !path.is_empty() && path != ":memory:" && !Path::new(&path).exists() {
            // Don't create the file: a check must not change anything.
            return vec![row(
                Level::Warn,
                "database",
                format!("SQLite file {path} does not exist yet (`nexus migrate` creates it)"),
            )];
        }
    }
    let db = match tokio::time::timeout(Duration::from_secs(10), Db::connect(url, 1)).await {
        Ok(Ok(db)) => db,
        Ok(Err(err)) => {
            return vec![row(
                Level::Error,
                "database",
                format!("unreachable: {err:#}"),
            )]
        }
        Err(_) => return vec![row(Level::Error, "database", format!("{url:?}: timed out"))],
    };
    if !db.ping().await {
        return vec![row(
            Level::Error,
            "database",
            format!("{url:?}: SELECT 1 failed"),
        )];
    }
    let engine = match db.backend {
        crate::db::Backend::Sqlite => "SQLite",
        crate::db::Backend::Postgres => "PostgreSQL",
    };
    let mut rows = vec![row(
        Level::Ok,
        "database",
        format!("{engine} reachable ({url:?})"),
    )];
    rows.push(if migrations::is_up_to_date(&db).await {
        row(Level::Ok, "migrations", "up to date")
    } else {
        row(
            Level::Warn,
            "migrations",
            "pending migrations: run `nexus migrate`",
        )
    });
    db.close().await;
    rows
}

/// `host:port` and the userinfo of a `scheme://[user[:password]@]host[:port][/...]` URL.
fn authority(url: &str, default_port: u16) -> Option<(String, Option<String>, Option<String>)> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if hostport.is_empty() {
        return None;
    }
    let has_port = match hostport.rsplit_once(':') {
        Some((_, port)) => !port.contains(']') && port.parse::<u16>().is_ok(),
        None => false,
    };
    let address = if has_port {
        hostport.to_owned()
    } else {
        format!("{hostport}:{default_port}")
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, password)) => (Some(user.to_owned()), Some(password.to_owned())),
            None => (Some(u.to_owned()), None),
        },
        None => (None, None),
    };
    Some((address, user.filter(|u| !u.is_empty()), password))
}

/// Connects with the check timeout.
async fn connect(address: &str) -> Result<TcpStream, String> {
    match tokio::time::timeout(TIMEOUT, TcpStream::connect(address)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(err)) => Err(format!("{address} unreachable: {err}")),
        Err(_) => Err(format!("{address}: timed out")),
    }
}

/// Reads one reply line (up to CRLF) with the check timeout.
async fn read_line(stream: &mut TcpStream) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        loop {
            match stream.read(&mut byte).await {
                Ok(0) => break,
                Ok(_) => {
                    buf.push(byte[0]);
                    if buf.ends_with(b"\r\n") || buf.len() > 512 {
                        break;
                    }
                }
                Err(err) => return Err(err.to_string()),
            }
        }
        Ok(String::from_utf8_lossy(&buf).trim().to_owned())
    };
    match tokio::time::timeout(TIMEOUT, read).await {
        Ok(result) => result,
        Err(_) => Err("no answer (timed out)".to_owned()),
    }
}

/// `REDIS_URL`: `PING` over plain TCP (with `AUTH` when the URL has a password).
pub async fn redis(url: Option<&str>) -> Row {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return row(
            Level::Ok,
            "REDIS_URL",
            "not configured (in-process cache and rate limits)",
        );
    };
    let Some((address, user, password)) = authority(url, 6379) else {
        return row(Level::Error, "REDIS_URL", "not a redis://host[:port] URL");
    };
    let result = async {
        let mut stream = connect(&address).await?;
        if let Some(password) = password {
            let auth = match user {
                Some(user) => format!("AUTH {user} {password}\r\n"),
                None => format!("AUTH {password}\r\n"),
            };
            stream
                .write_all(auth.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            let answer = read_line(&mut stream).await?;
            if !answer.starts_with("+OK") {
                return Err(format!("{address}: AUTH refused ({answer})"));
            }
        }
        stream
            .write_all(b"PING\r\n")
            .await
            .map_err(|e| e.to_string())?;
        let answer = read_line(&mut stream).await?;
        if answer.starts_with("+PONG") {
            Ok(address.clone())
        } else {
            Err(format!("{address}: unexpected answer to PING: {answer:?}"))
        }
    }
    .await;
    let tls = if url.starts_with("rediss://") {
        " (TLS handshake not checked)"
    } else {
        ""
    };
    match result {
        Ok(address) => row(
            Level::Ok,
            "REDIS_URL",
            format!("{address} answers PING{tls}"),
        ),
        Err(err) => row(Level::Error, "REDIS_URL", err),
    }
}

/// `SMTP_URL`: a TCP connection that gets the server's `220` greeting.
pub async fn smtp(url: Option<&str>) -> Row {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return row(
            Level::Ok,
            "SMTP_URL",
            "not configured (console/file mailer)",
        );
    };
    let default_port = if url.starts_with("smtps://") { 465 } else { 25 };
    let Some((address, _, _)) = authority(url, default_port) else {
        return row(Level::Error, "SMTP_URL", "not a smtp://host[:port] URL");
    };
    match connect(&address).await {
        Err(err) => row(Level::Error, "SMTP_URL", err),
        // Implicit TLS: the greeting comes after the handshake, so a connection is all we test.
        Ok(_) if default_port == 465 => row(
            Level::Ok,
            "SMTP_URL",
            format!("{address} accepts connections"),
        ),
        Ok(mut stream) => match read_line(&mut stream).await {
            Ok(greeting) if greeting.starts_with("220") => {
                let _ = stream.write_all(b"QUIT\r\n").await;
                row(
                    Level::Ok,
                    "SMTP_URL",
                    format!("{address} greets: {greeting}"),
                )
            }
            Ok(other) => row(
                Level::Error,
                "SMTP_URL",
                format!("{address}: unexpected greeting {other:?}"),
            ),
            Err(err) => row(Level::Error, "SMTP_URL", format!("{address}: {err}")),
        },
    }
}

/// A directory the server writes into (`MEDIA_ROOT`, `EMAIL_FILE_PATH`): created when missing,
/// then a temporary file is written and removed.
pub fn writable_dir(name: &'static str, dir: &Path) -> Row {
    let probe = dir.join(format!(".nexus-check-{}", uuid::Uuid::new_v4().simple()));
    let result = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"check"))
        .and_then(|()| std::fs::remove_file(&probe));
    match result {
        Ok(()) => row(Level::Ok, name, format!("{} is writable", dir.display())),
        Err(err) => row(
            Level::Error,
            name,
            format!("{} is not writable: {err}", dir.display()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        Settings::from_lookup_unchecked(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap()
    }

    fn level(rows: &[Row], name: &str) -> Level {
        rows.iter().find(|r| r.name == name).unwrap().level
    }

    #[test]
    fn production_with_the_default_key_is_an_error_row() {
        let rows = configuration(&settings(&[("DEBUG", "false")]));
        assert_eq!(level(&rows, "SECRET_KEY"), Level::Error);
        assert_eq!(level(&rows, "ALLOWED_HOSTS"), Level::Error);
        assert_eq!(level(&rows, "PAYMENT_PROVIDER"), Level::Error);
        assert_eq!(level(&rows, "DEBUG"), Level::Ok);
    }

    #[test]
    fn every_production_refusal_of_serve_is_an_error_row() {
        let cases: [&[(&str, &str)]; 4] = [
            &[("DEBUG", "false")],
            &[
                ("DEBUG", "false"),
                (
                    "SECRET_KEY",
                    "change-me-to-the-output-of-openssl-rand-hex-32",
                ),
            ],
            &[("DEBUG", "false"), ("ALLOWED_HOSTS", "shop.example")],
            &[
                ("DEBUG", "false"),
                ("PAYMENT_PROVIDER", "test"),
                ("ALLOWED_HOSTS", "*"),
            ],
        ];
        for pairs in cases {
            let settings = settings(pairs);
            let errors: Vec<&str> = configuration(&settings)
                .into_iter()
                .filter(|r| r.level == Level::Error)
                .map(|r| r.name)
                .collect();
            let refused: Vec<String> = settings.production_problems();
            assert_eq!(
                errors.len(),
                refused.len(),
                "{pairs:?}: {errors:?} / {refused:?}"
            );
            for name in errors {
                assert!(
                    refused.iter().any(|p| p.starts_with(name)),
                    "{name}: {refused:?}"
                );
            }
        }
    }

    #[test]
    fn a_star_host_list_and_the_test_provider_warn_in_production() {
        let strong = "3f9a1c27e4b85d06a7c2e91f4b3d8a60c5e7f1a2b9d04c6e8f3a1b7c5d2e9f04";
        let rows = configuration(&settings(&[
            ("DEBUG", "false"),
            ("SECRET_KEY", strong),
            ("ALLOWED_HOSTS", "*"),
            ("PAYMENT_PROVIDER", "test"),
        ]));
        assert_eq!(level(&rows, "ALLOWED_HOSTS"), Level::Warn);
        assert_eq!(level(&rows, "PAYMENT_PROVIDER"), Level::Warn);
        assert_eq!(level(&rows, "SECRET_KEY"), Level::Ok);
        let development = configuration(&settings(&[]));
        assert_eq!(level(&development, "PAYMENT_PROVIDER"), Level::Warn);
    }

    #[test]
    fn sqlite_synchronous_normal_warns() {
        let rows = configuration(&settings(&[]));
        assert_eq!(level(&rows, "SQLITE_SYNCHRONOUS"), Level::Ok);
        let rows = configuration(&settings(&[("SQLITE_SYNCHRONOUS", "normal")]));
        assert_eq!(level(&rows, "SQLITE_SYNCHRONOUS"), Level::Warn);
    }

    #[test]
    fn weak_keys_are_errors_in_production_and_warnings_in_development() {
        for weak in [
            "short",
            "change-me-to-the-output-of-openssl-rand-hex-32",
            &"ab".repeat(20),
        ] {
            let production = configuration(&settings(&[("DEBUG", "false"), ("SECRET_KEY", weak)]));
            assert_eq!(level(&production, "SECRET_KEY"), Level::Error, "{weak}");
            let development = configuration(&settings(&[("DEBUG", "true"), ("SECRET_KEY", weak)]));
            assert_eq!(level(&development, "SECRET_KEY"), Level::Warn, "{weak}");
        }
        let strong = "3f9a1c27e4b85d06a7c2e91f4b3d8a60c5e7f1a2b9d04c6e8f3a1b7c5d2e9f04";
        let rows = configuration(&settings(&[("DEBUG", "false"), ("SECRET_KEY", strong)]));
        assert_eq!(level(&rows, "SECRET_KEY"), Level::Ok);
    }

    #[test]
    fn plain_http_origins_warn_in_production() {
        let rows = configuration(&settings(&[
            ("DEBUG", "false"),
            ("ALLOWED_HOSTS", "shop.example"),
            ("CORS_ALLOWED_ORIGINS", "https://a.example,http://b.example"),
        ]));
        assert_eq!(level(&rows, "CORS_ALLOWED_ORIGINS"), Level::Warn);
    }

    /// Settings with no trusted proxy at all.
    fn unproxied(pairs: &[(&str, &str)]) -> Settings {
        let mut settings = settings(pairs);
        settings.trusted_proxies.clear();
        settings
    }

    #[test]
    fn production_without_a_tls_proxy_or_ssl_redirect_warns() {
        let production = [("DEBUG", "false"), ("SECRET_KEY", "k")];
        let rows = configuration(&unproxied(&production));
        assert_eq!(level(&rows, "SECURE_SSL_REDIRECT"), Level::Warn);
        let rows = configuration(&settings(&production));
        assert_eq!(
            level(&rows, "SECURE_SSL_REDIRECT"),
            Level::Ok,
            "a TLS proxy"
        );
        let rows = configuration(&unproxied(&[]));
        assert_eq!(
            level(&rows, "SECURE_SSL_REDIRECT"),
            Level::Ok,
            "development"
        );
    }

    #[test]
    fn ssl_redirect_warns_of_a_redirect_loop_without_a_trusted_proxy() {
        let rows = configuration(&unproxied(&[("SECURE_SSL_REDIRECT", "true")]));
        assert_eq!(level(&rows, "SECURE_SSL_REDIRECT"), Level::Warn);
        let rows = configuration(&settings(&[("SECURE_SSL_REDIRECT", "true")]));
        assert_eq!(level(&rows, "SECURE_SSL_REDIRECT"), Level::Ok);
    }

    #[test]
    fn urls_give_host_port_and_credentials() {
        assert_eq!(
            authority("redis://:pw@cache:6380/0", 6379),
            Some(("cache:6380".into(), None, Some("pw".into())))
        );
        assert_eq!(
            authority("smtp://mail.example", 25),
            Some(("mail.example:25".into(), None, None))
        );
        assert_eq!(authority("nonsense", 25), None);
    }
}
