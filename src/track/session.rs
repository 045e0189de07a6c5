//! Sessions and addresses as stored (SPEC §3.7): the session is a valid `X-Session-Id`, else the
//! signed-in user, else the truncated address and User-Agent; what is stored is a keyed hash of
//! that, so no raw id, address or User-Agent reaches the table. Addresses are truncated (IPv4 to
//! /24, IPv6 to /48) before anything else sees them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::http::HeaderValue;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// The request header a frontend names its session with.
pub const SESSION_HEADER: &str = "x-session-id";

/// The longest `X-Session-Id` accepted.
const MAX_SESSION_ID_LEN: usize = 64;

/// The longest User-Agent kept for a session, in bytes: enough to tell browsers apart, and a
/// bound on what a request can make the buffer hold.
const MAX_USER_AGENT_BYTES: usize = 512;

/// Hex characters of the stored key (128 bits: no two sessions of a shop will meet).
const KEY_HEX_CHARS: usize = 32;

/// Where a session comes from, before hashing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Session {
    /// A valid `X-Session-Id`.
    Header(String),
    /// The signed-in user's id.
    User(i64),
    /// An anonymous visitor: the truncated address and the User-Agent.
    Visitor {
        ip_prefix: Option<IpAddr>,
        user_agent: String,
    },
}

impl Session {
    /// The session of a request: its `X-Session-Id` when valid (an invalid one is ignored, never an
    /// error), else the user, else the visitor's truncated address and User-Agent.
    pub fn derive(
        header: Option<&HeaderValue>,
        user_id: Option<i64>,
        ip_prefix: Option<IpAddr>,
        user_agent: Option<&HeaderValue>,
    ) -> Self {
        if let Some(id) = header.and_then(valid_session_id) {
            return Session::Header(id.to_owned());
        }
        if let Some(user_id) = user_id {
            return Session::User(user_id);
        }
        let user_agent = user_agent.map_or(&b""[..], HeaderValue::as_bytes);
        let user_agent = &user_agent[..user_agent.len().min(MAX_USER_AGENT_BYTES)];
        Session::Visitor {
            ip_prefix,
            user_agent: String::from_utf8_lossy(user_agent).into_owned(),
        }
    }

    /// The tagged text that is hashed: `s:<header>`, `u:<user id>` or `h:<prefix>|<agent>`, so
    /// values of different sources never hash alike.
    fn tagged(&self) -> String {
        match self {
            Session::Header(id) => format!("s:{id}"),
            Session::User(id) => format!("u:{id}"),
            Session::Visitor {
                ip_prefix,
                user_agent,
            } => {
                let ip = ip_prefix.map(|ip| ip.to_string()).unwrap_or_default();
                format!("h:{ip}|{user_agent}")
            }
        }
    }
}

/// The header's value when it is 1–64 characters of `[A-Za-z0-9_-]`.
pub fn valid_session_id(value: &HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    let valid = (1..=MAX_SESSION_ID_LEN).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    // Only ASCII got through, so the text is valid UTF-8.
    valid.then(|| value.to_str().ok()).flatten()
}

/// The stored form of an address: IPv4 to its /24, IPv6 to its /48; an IPv4-mapped IPv6 address
/// (`::ffff:203.0.113.9`, what a dual-stack socket reports) is the IPv4 address it carries.
pub fn truncate_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(truncate_v4(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(truncate_v4(v4)),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
            }
        },
    }
}

fn truncate_v4(ip: Ipv4Addr) -> Ipv4Addr {
    let [a, b, c, _] = ip.octets();
    Ipv4Addr::new(a, b, c, 0)
}

/// Hashes sessions into `session_key`: HMAC-SHA256 under a key derived from `SECRET_KEY`, so the
/// stored value can't be reversed or recomputed (say, from a known address) without the secret.
#[derive(Clone)]
pub struct SessionKeys {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

impl SessionKeys {
    /// Keys derived from `secret` for this one purpose: the JWT signing key itself is never the
    /// HMAC key, so a session key says nothing about it.
    pub fn new(secret: &SecretString) -> Self {
        let derived = Self::keyed(secret.expose_secret().as_bytes())
            .chain_update(b"nexus analytics session key v1")
            .finalize()
            .into_bytes();
        Self {
            mac: Self::keyed(&derived),
        }
    }

    fn keyed(key: &[u8]) -> Hmac<Sha256> {
        // HMAC takes a key of any length.
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length")
    }

    /// The stored `session_key`: the tagged source's HMAC, hex, cut to 32 characters.
    pub fn key(&self, session: &Session) -> String {
        let digest = self
            .mac
            .clone()
            .chain_update(session.tagged().as_bytes())
            .finalize()
            .into_bytes();
        let mut hex = hex::encode(digest);
        hex.truncate(KEY_HEX_CHARS);
        hex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn header(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap()
    }

    #[test]
    fn ipv4_keeps_its_slash_24_and_ipv6_its_slash_48() {
        assert_eq!(truncate_ip(ip("203.0.113.77")), ip("203.0.113.0"));
        assert_eq!(truncate_ip(ip("10.1.2.3")).to_string(), "10.1.2.0");
        assert_eq!(
            truncate_ip(ip("2001:db8:1:2:3:4:5:6")).to_string(),
            "2001:db8:1::"
        );
        assert_eq!(truncate_ip(ip("::1")).to_string(), "::");
    }

    #[test]
    fn an_ipv4_mapped_ipv6_address_is_truncated_as_ipv4() {
        assert_eq!(truncate_ip(ip("::ffff:203.0.113.9")), ip("203.0.113.0"));
        // IPv4-compatible (deprecated, not mapped) addresses are IPv6.
        assert_eq!(truncate_ip(ip("::203.0.113.9")).to_string(), "::");
    }

    #[test]
    fn a_session_id_is_1_to_64_of_letters_digits_dash_and_underscore() {
        assert_eq!(
            valid_session_id(&header("abc-DEF_123")),
            Some("abc-DEF_123")
        );
        assert_eq!(
            valid_session_id(&header(&"a".repeat(64))).map(str::len),
            Some(64)
        );
        for bad in [
            "",
            &"a".repeat(65),
            "has space",
            "dot.ted",
            "slash/",
            "é",
            "a\tb",
        ] {
            let value = HeaderValue::from_bytes(bad.as_bytes()).unwrap();
            assert_eq!(valid_session_id(&value), None, "{bad:?}");
        }
    }

    #[test]
    fn a_valid_header_wins_then_the_user_then_the_visitor() {
        let ua = header("Mozilla/5.0");
        let addr = Some(ip("203.0.113.0"));
        assert_eq!(
            Session::derive(Some(&header("tab-1")), Some(4), addr, Some(&ua)),
            Session::Header("tab-1".into())
        );
        assert_eq!(
            Session::derive(Some(&header("bad id!")), Some(4), addr, Some(&ua)),
            Session::User(4)
        );
        assert_eq!(
            Session::derive(Some(&header("bad id!")), None, addr, Some(&ua)),
            Session::Visitor {
                ip_prefix: addr,
                user_agent: "Mozilla/5.0".into()
            }
        );
        let Session::Visitor { user_agent, .. } =
            Session::derive(None, None, None, Some(&header(&"x".repeat(2000))))
        else {
            panic!("a visitor")
        };
        assert_eq!(user_agent.len(), MAX_USER_AGENT_BYTES);
    }

    #[test]
    fn keys_are_32_hex_characters_that_depend_on_the_secret_and_the_source() {
        let keys = SessionKeys::new(&SecretString::from("one secret"));
        let other = SessionKeys::new(&SecretString::from("another secret"));
        let user = Session::User(7);
        let key = keys.key(&user);
        assert_eq!(key.len(), 32);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(key, keys.key(&Session::User(7)), "stable");
        assert_ne!(key, other.key(&user), "keyed by the secret");
        // The tag keeps a header that spells a user id apart from that user.
        assert_ne!(key, keys.key(&Session::Header("7".into())));
    }

    #[test]
    fn a_visitor_key_holds_no_address_or_agent() {
        let keys = SessionKeys::new(&SecretString::from("k"));
        let visitor = Session::Visitor {
            ip_prefix: Some(ip("203.0.113.0")),
            user_agent: "curl/8".into(),
        };
        let key = keys.key(&visitor);
        assert!(!key.contains("203.0.113") && !key.contains("curl"), "{key}");
        let elsewhere = Session::Visitor {
            ip_prefix: Some(ip("198.51.100.0")),
            user_agent: "curl/8".into(),
        };
        assert_ne!(key, keys.key(&elsewhere));
    }
}
