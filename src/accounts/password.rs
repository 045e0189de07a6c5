//! Password hashing with Argon2id, run on the blocking pool so a hash never stalls the runtime.
//! Verification also accepts the `pbkdf2_sha256$…` hashes of users imported from Django
//! ([`django`]); those are replaced with Argon2id at their next sign-in ([`needs_rehash`]).
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

mod django;

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
    if django::is_pbkdf2_sha256(hash) {
        return django::verify_pbkdf2_sha256(password, hash);
    }
    // An unparseable stored hash (Django's unusable `!…`, another Django hasher's string, an
    // empty one) can never match; it is not worth a 500.
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

/// True when `password` matches the stored `hash`: an Argon2 PHC string or an imported Django
/// `pbkdf2_sha256$…` hash. Anything else never matches.
pub async fn verify(password: String, hash: String) -> anyhow::Result<bool> {
    in_hash_slot(move || verify_blocking(&password, &hash)).await
}

/// True when a stored hash should be replaced by a fresh [`hash`] once the password is known
/// (at sign-in): anything but an Argon2id PHC string, i.e. an imported Django hash.
pub fn needs_rehash(stored: &str) -> bool {
    PasswordHash::new(stored).map_or(true, |parsed| {
        parsed.algorithm != Algorithm::Argon2id.ident()
    })
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

    /// "Django-Era-Passw0rd" with a Django-like 22-character salt at Django 4.2's 600,000 rounds:
    /// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'Django-Era-Passw0rd', b'Xq3bL9tV2mKp7RcWz4NfYh', 600000)).decode())"
    const DJANGO_42: &str =
        "pbkdf2_sha256$600000$Xq3bL9tV2mKp7RcWz4NfYh$Con/4JH2yyO8LMfW51Ss3cEthIgCY03sOMDFpVpmH+k=";

    /// "correct horse" at 1,000 rounds:
    /// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'correct horse', b'aB3dE5gH7jK9mN1pQ3sT5v', 1000)).decode())"
    const DJANGO_FEW_ROUNDS: &str =
        "pbkdf2_sha256$1000$aB3dE5gH7jK9mN1pQ3sT5v$8JOPW6Zx6b6u+QGXvy6jvazCz9GKyFfxGffRzHfGIkI=";

    /// A non-ASCII password (hashed as UTF-8) at one round:
    /// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', 'pässwörd-ü'.encode(), b'Rk2mW9xQ4pLz7NcVb3TyHs', 1)).decode())"
    const DJANGO_UTF8: &str =
        "pbkdf2_sha256$1$Rk2mW9xQ4pLz7NcVb3TyHs$kNPFJkbo62UxTIieTsyHdTnRg1qdnzkhrdIK2zf4Eww=";

    async fn matches(password: &str, stored: &str) -> bool {
        verify(password.into(), stored.into()).await.unwrap()
    }

    #[tokio::test]
    async fn a_django_42_pbkdf2_hash_verifies_its_password() {
        // One verification only: the generic PBKDF2/HMAC code is compiled into this crate, so
        // unoptimised test builds take seconds per 600,000 rounds. Wrong passwords: below.
        assert!(matches("Django-Era-Passw0rd", DJANGO_42).await);
    }

    #[tokio::test]
    async fn a_pbkdf2_hash_verifies_its_password_only_at_its_own_iteration_count() {
        assert!(matches("correct horse", DJANGO_FEW_ROUNDS).await);
        for wrong in ["correct horse!", "Correct horse", "correct hors", ""] {
            assert!(!matches(wrong, DJANGO_FEW_ROUNDS).await, "{wrong:?}");
        }
        let other_count = DJANGO_FEW_ROUNDS.replace("$1000$", "$1001$");
        assert!(!matches("correct horse", &other_count).await);
    }

    #[tokio::test]
    async fn a_pbkdf2_password_is_hashed_as_utf8_and_the_salt_as_written() {
        assert!(matches("pässwörd-ü", DJANGO_UTF8).await);
        assert!(!matches("passwoord-u", DJANGO_UTF8).await);
        let other_salt = DJANGO_UTF8.replace("Rk2mW9", "rk2mW9");
        assert!(!matches("pässwörd-ü", &other_salt).await);
    }

    #[tokio::test]
    async fn pbkdf2_iteration_counts_outside_the_bound_or_not_decimal_never_match() {
        let with_count = |count: &str| {
            format!("pbkdf2_sha256${count}$aB3dE5gH7jK9mN1pQ3sT5v$8JOPW6Zx6b6u+QGXvy6jvazCz9GKyFfxGffRzHfGIkI=")
        };
        let over = (django::MAX_ITERATIONS + 1).to_string();
        for count in [
            "0",
            over.as_str(),
            "99999999999",
            "",
            "1e3",
            "+1000",
            " 1000",
            "-1",
            "abc",
        ] {
            assert!(
                !matches("correct horse", &with_count(count)).await,
                "{count:?}"
            );
        }
        // Leading zeros are still the same decimal count.
        assert!(matches("correct horse", &with_count("01000")).await);
    }

    #[tokio::test]
    async fn malformed_pbkdf2_hashes_never_match() {
        let digest = "8JOPW6Zx6b6u+QGXvy6jvazCz9GKyFfxGffRzHfGIkI=";
        let salt = "aB3dE5gH7jK9mN1pQ3sT5v";
        for stored in [
            format!("pbkdf2_sha256$1000${salt}"),
            format!("pbkdf2_sha256$1000${salt}${digest}$extra"),
            format!("pbkdf2_sha256$1000$${digest}"),
            format!("pbkdf2_sha256$1000${salt}$not*base64!"),
            format!("pbkdf2_sha256$1000${salt}${}", &digest[..digest.len() - 1]),
            // 31 and 64 bytes: not a SHA-256 digest.
            format!("pbkdf2_sha256$1000${salt}$LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSA=="),
            format!("pbkdf2_sha256$1000${salt}${digest}{digest}"),
            format!("PBKDF2_SHA256$1000${salt}${digest}"),
            format!("pbkdf2_sha1$1000${salt}${digest}"),
            format!("pbkdf2_sha256_$1000${salt}${digest}"),
        ] {
            assert!(!matches("correct horse", &stored).await, "{stored}");
        }
    }

    #[tokio::test]
    async fn other_django_hashes_and_unusable_passwords_never_match() {
        for stored in [
            "!abc",
            "!",
            "",
            "bcrypt_sha256$$2b$12$Qm0VmHWvY2u5d2r6Ze9yUeT9eKqkq5y1rZ8YpDkq0sM2cU1D3iY5e",
            "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$Y2hlY2tzdW0",
            "md5$aB3dE5gH7jK9mN1pQ3sT5v$0123456789abcdef0123456789abcdef",
        ] {
            assert!(!matches("correct horse", stored).await, "{stored:?}");
        }
    }

    #[tokio::test]
    async fn only_django_and_other_non_argon2id_hashes_need_a_rehash() {
        assert!(needs_rehash(DJANGO_42));
        assert!(needs_rehash(DJANGO_FEW_ROUNDS));
        assert!(needs_rehash("!abc"));
        assert!(needs_rehash(""));
        for fast in [true, false] {
            assert!(!needs_rehash(
                &hash("s3cret-Passphrase".into(), fast).await.unwrap()
            ));
        }
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default())
            .hash_password(b"x", &SaltString::generate(&mut rand::thread_rng()))
            .unwrap()
            .to_string();
        assert!(needs_rehash(&argon2i));
    }

    #[tokio::test]
    async fn garbage_hashes_never_match() {
        assert!(!verify("x".into(), "not-a-hash".into()).await.unwrap());
        verify_dummy("x".into(), true).await.unwrap();
    }
}
