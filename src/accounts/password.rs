//! Password hashing with Argon2id, run on the blocking pool so a hash never stalls the runtime.
//!
//! At most one hash per core runs at a time ([`HASH_SLOTS`]): each takes 19 MiB, so a burst of
//! 64 logins would otherwise hold over 1 GiB at once, and more hashes than cores finish no
//! sooner. The others wait their turn (docs/PERFORMANCE.md, log 3).
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
use tokio::sync::Semaphore;

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

/// How many Argon2 computations may run at once: one per core.
fn hash_slot_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

static HASH_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(hash_slot_count()));

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn in_hash_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _slot = HASH_SLOTS.acquire().await.context("hashing slots closed")?;
    tokio::task::spawn_blocking(work)
        .await
        .context("hashing task failed")
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String, fast: bool) -> anyhow::Result<String> {
    in_hash_slot(move || hash_blocking(&password, fast)).await?
}

/// True when `password` matches the stored PHC `hash`.
pub async fn verify(password: String, hash: String) -> anyhow::Result<bool> {
    in_hash_slot(move || verify_blocking(&password, &hash)).await
}

/// A hash of a random secret for each cost, computed once.
static DUMMY_HASHES: LazyLock<[String; 2]> = LazyLock::new(|| {
    let secret = uuid::Uuid::new_v4().to_string();
    [false, true].map(|fast| hash_blocking(&secret, fast).expect("hashing a constant cannot fail"))
});

/// Spends the time of one verification without a user, so a login for an unknown email takes
/// as long as one with a wrong password (no account enumeration by timing).
pub async fn verify_dummy(password: String, fast: bool) -> anyhow::Result<()> {
    in_hash_slot(move || {
        let _ = verify_blocking(&password, &DUMMY_HASHES[usize::from(fast)]);
    })
    .await
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_slots() {
        use std::sync::{
            atomic::{AtomicUsize, Ordering},
            Arc,
        };
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(in_hash_slot(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most >= 1);
        assert!(most <= hash_slot_count(), "{most} hashes ran at once");
    }

    #[tokio::test]
    async fn garbage_hashes_never_match() {
        assert!(!verify("x".into(), "not-a-hash".into()).await.unwrap());
        verify_dummy("x".into(), true).await.unwrap();
    }
}
