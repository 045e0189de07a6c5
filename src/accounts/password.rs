//! Password hashing with Argon2id, run on the blocking pool so a hash never stalls the runtime.
//!
//! Production uses the argon2 crate's defaults (OWASP's recommended Argon2id parameters);
//! `fast_password_hashing` (test suites only) swaps in tiny parameters. Verification reads the
//! parameters from the stored hash, so hashes made either way verify either way.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

/// The Argon2id instance for the configured cost.
fn argon2(fast: bool) -> Argon2<'static> {
    if fast {
        // 1 MiB, one pass: enough to exercise the real code path without slowing test suites.
        let params = Params::new(1024, 1, 1, None).expect("constant Argon2 parameters are valid");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    } else {
        Argon2::default()
    }
}

fn hash_blocking(password: &str, fast: bool) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::thread_rng());
    argon2(fast)
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| anyhow::anyhow!("password hashing failed: {err}"))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    // An unparseable stored hash can never match; it is not worth a 500.
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String, fast: bool) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password, fast))
        .await
        .context("hashing task failed")?
}

/// True when `password` matches the stored PHC `hash`.
pub async fn verify(password: String, hash: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
        .await
        .context("verification task failed")
}

/// A hash of a random secret for each cost, computed once.
static DUMMY_HASHES: LazyLock<[String; 2]> = LazyLock::new(|| {
    let secret = uuid::Uuid::new_v4().to_string();
    [false, true].map(|fast| hash_blocking(&secret, fast).expect("hashing a constant cannot fail"))
});

/// Spends the time of one verification without a user, so a login for an unknown email takes
/// as long as one with a wrong password (no account enumeration by timing).
pub async fn verify_dummy(password: String, fast: bool) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || {
        let _ = verify_blocking(&password, &DUMMY_HASHES[usize::from(fast)]);
    })
    .await
    .context("verification task failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("s3cret-Passphrase".into(), true).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("s3cret-Passphrase".into(), stored.clone())
            .await
            .unwrap());
        assert!(!verify("s3cret-passphrase".into(), stored).await.unwrap());
    }

    #[tokio::test]
    async fn production_cost_uses_argon2_defaults() {
        let stored = hash("s3cret-Passphrase".into(), false).await.unwrap();
        let parsed = PasswordHash::new(&stored).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(params.m_cost(), Params::DEFAULT_M_COST);
        assert_eq!(params.t_cost(), Params::DEFAULT_T_COST);
    }

    #[tokio::test]
    async fn garbage_hashes_never_match() {
        assert!(!verify("x".into(), "not-a-hash".into()).await.unwrap());
        verify_dummy("x".into(), true).await.unwrap();
    }
}
