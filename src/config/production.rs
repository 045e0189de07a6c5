//! What production (`DEBUG=false`) refuses to start with (SPEC §3.8): a weak signing key, no
//! `ALLOWED_HOSTS`, an implicit payment provider. `nexus check` reports the same list as rows.

use anyhow::bail;
use secrecy::ExposeSecret;

use super::{secret_key_weakness, PaymentProviderName, Settings, MIN_SECRET_KEY_CHARS};

impl Settings {
    /// Every reason production (`DEBUG=false`) must not start with these settings, one line each
    /// naming the variable (SPEC §3.8); empty in development.
    pub fn production_problems(&self) -> Vec<String> {
        if self.debug {
            return Vec::new();
        }
        let mut problems = Vec::new();
        if let Some(why) = secret_key_weakness(self.secret_key.expose_secret()) {
            problems.push(format!(
                "SECRET_KEY is too weak: {why}. Anyone who knows or guesses the key can sign \
                 tokens as any user; set at least {MIN_SECRET_KEY_CHARS} random characters \
                 (openssl rand -hex 32)"
            ));
        }
        if self.allowed_hosts.is_empty() {
            problems.push(
                "ALLOWED_HOSTS is not set: list the host names this server answers for \
                 (e.g. shop.example.com,localhost), so requests with a forged Host header are \
                 refused; `*` accepts any host explicitly"
                    .to_owned(),
            );
        }
        if self.payment_provider.is_none() {
            problems.push(format!(
                "PAYMENT_PROVIDER is not set: production must choose how orders are paid \
                 explicitly ({}); `test` approves payments without moving money",
                PaymentProviderName::ALLOWED.join(", ")
            ));
        }
        problems
    }

    /// `DEBUG=false` means production: refuse what would make it unsafe (see
    /// [`Settings::production_problems`]).
    pub(super) fn refuse_insecure_production(&self) -> anyhow::Result<()> {
        let problems = self.production_problems();
        if !problems.is_empty() {
            bail!(
                "refusing to start with DEBUG=false (production):\n  - {}",
                problems.join("\n  - ")
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{
        tests::{settings, STRONG_KEY},
        DEFAULT_SECRET_KEY, EXAMPLE_SECRET_KEY,
    };

    /// A complete production configuration with `pairs` replacing or removing (empty) values.
    fn production<'a>(pairs: &[(&'a str, &'a str)]) -> anyhow::Result<Settings> {
        let mut all: Vec<(&'a str, &'a str)> = vec![
            ("DEBUG", "false"),
            ("SECRET_KEY", STRONG_KEY),
            ("ALLOWED_HOSTS", "shop.example"),
            ("PAYMENT_PROVIDER", "test"),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(key, _)| key == k));
        all.extend_from_slice(pairs);
        settings(&all)
    }

    #[test]
    fn production_refuses_a_weak_secret_key_naming_the_variable() {
        for weak in [
            "",
            EXAMPLE_SECRET_KEY,
            "short-but-random-9f2c",
            &"xy".repeat(32),
        ] {
            let err = production(&[("SECRET_KEY", weak)]).unwrap_err().to_string();
            assert!(err.contains("SECRET_KEY is too weak"), "{weak}: {err}");
            assert!(
                !err.contains("ALLOWED_HOSTS") && !err.contains("PAYMENT_PROVIDER"),
                "{err}"
            );
        }
        assert!(production(&[]).is_ok());
    }

    #[test]
    fn production_refuses_unset_allowed_hosts_but_accepts_an_explicit_star() {
        let err = production(&[("ALLOWED_HOSTS", "")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("ALLOWED_HOSTS is not set"), "{err}");
        assert_eq!(
            production(&[("ALLOWED_HOSTS", "*")]).unwrap().allowed_hosts,
            ["*"]
        );
        assert_eq!(settings(&[]).unwrap().allowed_hosts, ["*"], "development");
    }

    #[test]
    fn production_refuses_an_implicit_payment_provider() {
        let err = production(&[("PAYMENT_PROVIDER", "")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("PAYMENT_PROVIDER is not set"), "{err}");
        let s = production(&[]).unwrap();
        assert_eq!(s.payment_provider(), PaymentProviderName::Test);
        let dev = settings(&[]).unwrap();
        assert_eq!(dev.payment_provider, None);
        assert_eq!(dev.payment_provider(), PaymentProviderName::Test);
    }

    #[test]
    fn an_unknown_payment_provider_is_an_error_naming_the_allowed_values() {
        let err = settings(&[("PAYMENT_PROVIDER", "stripe")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("PAYMENT_PROVIDER must be one of: test"),
            "{err}"
        );
    }

    #[test]
    fn production_lists_every_problem_at_once() {
        let err = settings(&[("DEBUG", "false")]).unwrap_err().to_string();
        for name in ["SECRET_KEY", "ALLOWED_HOSTS", "PAYMENT_PROVIDER"] {
            assert!(err.contains(name), "{name}: {err}");
        }
        assert!(
            !err.contains(DEFAULT_SECRET_KEY),
            "the key itself is never shown"
        );
    }

    #[test]
    fn development_never_refuses_but_knows_when_it_signs_with_the_development_key() {
        let s = settings(&[("DEBUG", "true")]).unwrap();
        assert!(s.uses_development_key());
        assert!(s.production_problems().is_empty());
        assert!(!settings(&[("SECRET_KEY", STRONG_KEY)])
            .unwrap()
            .uses_development_key());
    }
}
