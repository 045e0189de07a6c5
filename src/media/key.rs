//! Media keys: the relative names files are stored under (`products/12/3f2a….jpg`).
//!
//! Keys are minted by us from ids and random UUIDs, never from a client's file name, and every
//! key a store touches is re-checked here so that a bug or a tampered database row can't
//! reach outside the media root (`../`, absolute paths, backslashes, hidden files).

use std::fmt;

/// Longest key accepted; generated keys are far shorter.
const MAX_KEY_LEN: usize = 255;

/// A validated media key: `/`-separated segments of `[A-Za-z0-9_-]` plus dots, none empty, none
/// starting with a dot (so no `.`, `..` or hidden files), no leading `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaKey(String);

/// Why a string is not a usable key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid media key {0:?}")]
pub struct InvalidKey(pub String);

impl MediaKey {
    /// Checks `key` and wraps it.
    pub fn parse(key: &str) -> Result<Self, InvalidKey> {
        let segment_ok = |segment: &str| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        if key.len() <= MAX_KEY_LEN && key.split('/').all(segment_ok) {
            Ok(Self(key.to_owned()))
        } else {
            Err(InvalidKey(key.to_owned()))
        }
    }

    /// A fresh random name in `folder` with `extension`: `products/12/<uuid>.jpg`.
    pub fn generate(folder: &str, extension: &str) -> Result<Self, InvalidKey> {
        Self::parse(&format!(
            "{folder}/{}.{extension}",
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// The same name with `suffix` before the extension: `<uuid>.jpg` → `<uuid>-thumb.jpg`.
    pub fn with_suffix(&self, suffix: &str, extension: &str) -> Result<Self, InvalidKey> {
        let stem = self.0.rsplit_once('.').map_or(self.0.as_str(), |(s, _)| s);
        Self::parse(&format!("{stem}{suffix}.{extension}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MediaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_valid_and_unique() {
        let a = MediaKey::generate("products/12", "jpg").unwrap();
        let b = MediaKey::generate("products/12", "jpg").unwrap();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("products/12/"));
        assert!(a.as_str().ends_with(".jpg"));
        let thumb = a.with_suffix("-thumb", "png").unwrap();
        assert_eq!(
            thumb.as_str(),
            format!("{}-thumb.png", a.as_str().trim_end_matches(".jpg"))
        );
    }

    #[test]
    fn traversal_and_odd_names_are_rejected() {
        for bad in [
            "",
            "/etc/passwd",
            "../secret",
            "products/../../x.jpg",
            "products/./x.jpg",
            "products//x.jpg",
            "products/x.jpg/",
            "products\\x.jpg",
            "products/.hidden",
            "products/x y.jpg",
            "products/%2e%2e/x.jpg",
            "products/é.jpg",
            "C:/x.jpg",
        ] {
            assert!(MediaKey::parse(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(MediaKey::parse(&"a".repeat(256)).is_err());
        assert!(MediaKey::parse("products/12/abc-thumb.webp").is_ok());
    }
}
