//! `SMTP_URL`, read the way SPEC §3.6 defines it rather than the way lettre's own `from_url` does:
//! a plain `smtp://` URL *requires* STARTTLS (lettre would send in the clear), `smtps://` is
//! implicit TLS, and only an explicit `?tls=none` allows an unencrypted local relay.

use std::fmt;

use anyhow::{bail, Context};
use secrecy::SecretString;

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: plaintext greeting, then STARTTLS, refused if the server doesn't offer it.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    ImplicitTls,
    /// `smtp://…?tls=none`: no encryption at all, for a relay on the same host or network.
    None,
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Security::StartTls => "STARTTLS required",
            Security::ImplicitTls => "implicit TLS",
            Security::None => "unencrypted",
        })
    }
}

/// A parsed `SMTP_URL`. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct SmtpUrl {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<SecretString>,
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl SmtpUrl {
    /// Parses `smtp://[user[:pass]@]host[:port][?tls=none]` or `smtps://…`. Errors never quote the
    /// URL: it may hold the password.
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let url = url::Url::parse(raw.trim()).ok().context(
            "SMTP_URL is not a URL (smtp://user:pass@host:587, smtps://…:465, smtp://host:25?tls=none)",
        )?;
        let mut plain = false;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "none") => plain = true,
                ("tls", _) => {
                    bail!("SMTP_URL: tls= only takes `none` (STARTTLS is the default of smtp://)")
                }
                (other, _) => bail!("SMTP_URL: unknown parameter {other:?}"),
            }
        }
        let (security, default_port) = match (url.scheme(), plain) {
            ("smtp", false) => (Security::StartTls, 587),
            ("smtp", true) => (Security::None, 25),
            ("smtps", false) => (Security::ImplicitTls, 465),
            ("smtps", true) => bail!("SMTP_URL: smtps:// is always encrypted; drop ?tls=none"),
            (scheme, _) => bail!("SMTP_URL: the scheme must be smtp or smtps, not {scheme:?}"),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .context("SMTP_URL has no host")?
            // An IPv6 literal comes bracketed; the TLS name and the socket want it bare.
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |part: &str| -> anyhow::Result<String> {
            Ok(percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .ok()
                .context("SMTP_URL: credentials are not valid UTF-8")?
                .into_owned())
        };
        let username = Some(url.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()?;
        let password = url
            .password()
            .map(decode)
            .transpose()?
            .map(SecretString::from);
        if password.is_some() && username.is_none() {
            bail!("SMTP_URL has a password but no user name");
        }
        Ok(Self {
            security,
            host,
            port: url.port().unwrap_or(default_port),
            username,
            password,
        })
    }

    /// `host:port`, for messages and the TCP probe.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn the_three_forms_of_the_spec() {
        let url = SmtpUrl::parse("smtp://user:pass@mail.example:587").unwrap();
        assert_eq!(url.security, Security::StartTls);
        assert_eq!(url.address(), "mail.example:587");
        assert_eq!(url.username.as_deref(), Some("user"));
        assert_eq!(url.password.unwrap().expose_secret(), "pass");

        let url = SmtpUrl::parse("smtps://user:pass@mail.example:465").unwrap();
        assert_eq!(url.security, Security::ImplicitTls);

        let url = SmtpUrl::parse("smtp://relay:25?tls=none").unwrap();
        assert_eq!(url.security, Security::None);
        assert_eq!((url.username, url.password.is_none()), (None, true));
    }

    #[test]
    fn ports_default_by_form_and_credentials_are_percent_decoded() {
        assert_eq!(SmtpUrl::parse("smtp://m.example").unwrap().port, 587);
        assert_eq!(SmtpUrl::parse("smtps://m.example").unwrap().port, 465);
        assert_eq!(
            SmtpUrl::parse("smtp://m.example?tls=none").unwrap().port,
            25
        );
        let url = SmtpUrl::parse("smtp://me%40shop.example:p%2Bw%3A%2F@m.example").unwrap();
        assert_eq!(url.username.as_deref(), Some("me@shop.example"));
        assert_eq!(url.password.unwrap().expose_secret(), "p+w:/");
        assert_eq!(
            SmtpUrl::parse("smtp://[::1]:2525").unwrap().address(),
            "[::1]:2525"
        );
    }

    #[test]
    fn anything_else_is_refused_without_echoing_the_password() {
        for bad in [
            "mail.example:587",
            "http://mail.example",
            "smtps://mail.example?tls=none",
            "smtp://mail.example?tls=maybe",
            "smtp://mail.example?timeout=5",
            "smtp://:secret-pw@mail.example",
            "smtp://",
        ] {
            let err = SmtpUrl::parse(bad).expect_err(bad);
            assert!(!format!("{err:#}").contains("secret-pw"), "{err:#}");
        }
    }

    #[test]
    fn debug_redacts_the_password() {
        let url = SmtpUrl::parse("smtp://user:hunter2-secret@mail.example").unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(
            shown.contains("[redacted]") && shown.contains("user"),
            "{shown}"
        );
    }
}
