//! Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>` hashes, which `nexus import-django`
//! keeps so imported users sign in with their old password (docs/migrating-from-django.md,
//! "Passwords"). Only verification: Nexus never writes one.

use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The most PBKDF2 iterations a stored hash may ask for. Django 5.2 uses 1,000,000 (4.2 used
/// 600,000), so three times that leaves room for a shop that raised it. A hash asking for more is
/// refused (it never matches) rather than computed: every sign-in attempt against it would hold a
/// hashing slot for seconds, a denial-of-service lever; such a user resets the password instead.
pub const MAX_ITERATIONS: u32 = 3_000_000;

/// The algorithm field Django's `PBKDF2PasswordHasher` writes.
const ALGORITHM: &str = "pbkdf2_sha256";

/// True when `stored` claims to be a Django `pbkdf2_sha256` hash (well-formed or not).
pub fn is_pbkdf2_sha256(stored: &str) -> bool {
    stored
        .strip_prefix(ALGORITHM)
        .is_some_and(|rest| rest.starts_with('$'))
}

/// True when `password` matches the Django `pbkdf2_sha256` hash `stored`; a malformed hash or one
/// over [`MAX_ITERATIONS`] never matches.
pub fn verify_pbkdf2_sha256(password: &str, stored: &str) -> bool {
    let Some(hash) = Pbkdf2Sha256::parse(stored) else {
        return false;
    };
    // Django hashes the password's and the salt's UTF-8 bytes; the salt is not encoded.
    let computed: [u8; 32] = pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(
        password.as_bytes(),
        hash.salt.as_bytes(),
        hash.iterations,
    );
    computed.ct_eq(&hash.digest).into()
}

/// The fields of a well-formed hash.
struct Pbkdf2Sha256<'a> {
    iterations: u32,
    salt: &'a str,
    digest: [u8; 32],
}

impl<'a> Pbkdf2Sha256<'a> {
    /// `None` unless `stored` is exactly four `$`-separated fields: the algorithm, a decimal
    /// iteration count within 1..=[`MAX_ITERATIONS`], a non-empty salt (Django refuses an empty
    /// one too) and the standard base64 of a 32-byte digest.
    fn parse(stored: &'a str) -> Option<Self> {
        let mut fields = stored.split('$');
        let (Some(ALGORITHM), Some(iterations), Some(salt), Some(digest), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        // `u32::from_str` would also take a leading `+`.
        if iterations.is_empty() || !iterations.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let iterations: u32 = iterations.parse().ok()?;
        if !(1..=MAX_ITERATIONS).contains(&iterations) || salt.is_empty() {
            return None;
        }
        let digest = STANDARD.decode(digest).ok()?.try_into().ok()?;
        Some(Self {
            iterations,
            salt,
            digest,
        })
    }
}
