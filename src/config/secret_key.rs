//! The signing key (`SECRET_KEY`): the placeholders and the one rule saying when a key is too weak
//! to sign tokens with, asked by both `serve` (which refuses it in production) and `nexus check`.

/// The signing key used when none is configured; refused when `DEBUG=false`.
pub const DEFAULT_SECRET_KEY: &str = "nexus-insecure-development-key-change-me";

/// The placeholder `deploy/nexus.env.example` ships in place of a key.
pub const EXAMPLE_SECRET_KEY: &str = "change-me-to-the-output-of-openssl-rand-hex-32";

/// The shortest signing key accepted in production (SPEC §3.8).
pub const MIN_SECRET_KEY_CHARS: usize = 32;

/// The fewest distinct characters a production signing key may have (SPEC §3.8).
pub const MIN_SECRET_KEY_DISTINCT_CHARS: usize = 8;

/// Why `key` is too weak to sign tokens with, or `None` when it is strong enough (SPEC §3.8):
/// the built-in default, a documented placeholder, fewer than 32 characters or fewer than 8
/// distinct ones. Anyone who knows or guesses the key can mint a token for any user, so `serve`
/// refuses such a key in production and `nexus check` reports it; both ask this one function.
pub fn secret_key_weakness(key: &str) -> Option<String> {
    let lowered = key.to_ascii_lowercase();
    let chars = key.chars().count();
    let distinct = key.chars().collect::<std::collections::HashSet<_>>().len();
    if key == DEFAULT_SECRET_KEY {
        Some("it is the built-in development key".to_owned())
    } else if key == EXAMPLE_SECRET_KEY
        || ["change-me", "changeme", "change_me"]
            .iter()
            .any(|placeholder| lowered.contains(placeholder))
    {
        Some("it is still the example file's placeholder".to_owned())
    } else if chars < MIN_SECRET_KEY_CHARS {
        Some(format!(
            "it has only {chars} characters (at least {MIN_SECRET_KEY_CHARS} are needed)"
        ))
    } else if distinct < MIN_SECRET_KEY_DISTINCT_CHARS {
        Some(format!(
            "it has only {distinct} distinct characters (at least {MIN_SECRET_KEY_DISTINCT_CHARS} are needed)"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::STRONG_KEY;

    #[test]
    fn weak_keys_are_the_default_the_placeholder_short_or_repetitive_ones() {
        for weak in [
            DEFAULT_SECRET_KEY,
            EXAMPLE_SECRET_KEY,
            "a-real-secret",
            "0123456789abcdef0123456789abcde",
            &"ab".repeat(40),
            "0123456-CHANGEME-0123456789abcdef0123456789",
        ] {
            assert!(secret_key_weakness(weak).is_some(), "{weak}");
        }
        for strong in [STRONG_KEY, "0123456789abcdef0123456789abcdef"] {
            assert_eq!(secret_key_weakness(strong), None, "{strong}");
        }
    }
}
