//! Stream tickets: `EventSource` can't send an `Authorization` header, so a signed-in client
//! trades its token for a random one-minute ticket and puts it in the stream's URL. Only the
//! ticket's SHA-256 is stored (a leaked table opens no stream), and redeeming deletes it.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a ticket can be redeemed, in seconds (SPEC §3.6: one minute).
pub(super) const LIFETIME_SECONDS: i64 = 60;

/// A new ticket: the text for the client and the hash to store.
pub(super) struct Ticket {
    pub text: String,
    pub hash: String,
}

impl Ticket {
    /// 256 random bits, base64url: unguessable, and safe in a URL as is.
    pub(super) fn generate() -> Self {
        let mut raw = [0_u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        let text = URL_SAFE_NO_PAD.encode(raw);
        let hash = hash(&text);
        Self { text, hash }
    }
}

/// What is stored for `ticket`, and looked up when it is redeemed.
pub(super) fn hash(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_unique_url_safe_and_stored_only_as_their_hash() {
        let first = Ticket::generate();
        let second = Ticket::generate();
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
