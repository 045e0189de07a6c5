//! Who a per-IP limit counts: the client IP, or for IPv6 its /64 (SPEC §5).
//!
//! A single IPv6 subscriber usually gets a whole /64 (often more), so keying by address would
//! give every client 2^64 separate budgets.

use std::net::IpAddr;

use ipnet::Ipv6Net;

/// The limiter key of a client, put in the request's extensions by the middleware so the login
/// handler keys its per-IP account budget the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientKey(pub String);

impl ClientKey {
    /// An IPv4 address as written; an IPv6 address as its /64 network (`2001:db8:1:2::/64`);
    /// an IPv4-mapped IPv6 address as the IPv4 address; `unknown` without an address.
    pub fn of(ip: Option<IpAddr>) -> Self {
        let key = match ip {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => Ipv6Net::new(v6, 64)
                    .map(|net| net.trunc().to_string())
                    .unwrap_or_else(|_| v6.to_string()),
            },
        };
        Self(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ip: &str) -> String {
        ClientKey::of(Some(ip.parse().unwrap())).0
    }

    #[test]
    fn ipv6_clients_are_keyed_per_64_and_ipv4_per_address() {
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_ne!(key("203.0.113.8"), key("203.0.113.7"));
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(ClientKey::of(None).0, "unknown");
    }
}
