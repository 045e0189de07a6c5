//! The settings-only checks of `nexus check` (no I/O): what production needs (the refusals of
//! `serve` become ERROR rows) and what is risky without being refused (WARN rows).

use secrecy::ExposeSecret;

use super::{row, Level, Row};
use crate::config::{secret_key_weakness, PaymentProviderName, Settings, SqliteSynchronous};

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
}
