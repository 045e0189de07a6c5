//! Random bearer secrets that are stored only as their hash: the notification stream's tickets,
//! password-reset links and the staff dashboard's session cookies. A leaked table opens nothing;
//! the holder of the text is found by hashing it again.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret: the text for its holder and the hash to store.
pub struct RandomToken {
    pub text: String,
    pub hash: String,
}

impl RandomToken {
    /// 256 random bits, base64url: unguessable, and safe in a URL or a cookie as is.
    pub fn generate() -> Self {
        let mut raw = [0_u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        let text = URL_SAFE_NO_PAD.encode(raw);
        let hash = hash(&text);
        Self { text, hash }
    }
}

/// What is stored for `text` (hex SHA-256), and looked up when it is presented.
pub fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_url_safe_and_stored_only_as_their_hash() {
        let first = RandomToken::generate();
        let second = RandomToken::generate();
        assert_ne!(first.text, second.text);
        assert_eq!(first.text.len(), 43);
        assert!(first
            .text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(first.hash, hash(&first.text));
        assert_ne!(first.hash, first.text);
    }
}
