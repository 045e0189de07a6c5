//! The scheme and host a client used, for absolute URLs in responses.
//!
//! `X-Forwarded-Proto`/`X-Forwarded-Host` are believed only when the TCP peer is one of the
//! configured `TRUSTED_PROXIES`; anyone else could forge them to poison links.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, HeaderMap},
};

use crate::error::ApiError;

/// The peers whose forwarding headers are believed.
#[derive(Clone, Debug)]
pub struct TrustedProxies(pub Vec<ipnet::IpNet>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// `scheme://host` as seen by the client.
#[derive(Debug, Clone)]
pub struct RequestOrigin {
    pub scheme: String,
    pub host: String,
}

impl RequestOrigin {
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let trusted = match (parts.extensions.get::<TrustedProxies>(), peer) {
            (Some(proxies), Some(ip)) => proxies.contains(ip),
            _ => false,
        };
        let forwarded = |name: &str| {
            trusted
                .then(|| header(name))
                .flatten()
                .map(|v| v.split(',').next().unwrap_or(v).trim().to_owned())
        };
        let host = forwarded("x-forwarded-host")
            .or_else(|| header(header::HOST.as_str()).map(str::to_owned))
            .or_else(|| parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_owned());
        let scheme = forwarded("x-forwarded-proto")
            .filter(|s| s == "https" || s == "http")
            .unwrap_or_else(|| "http".to_owned());
        Ok(Self { scheme, host })
    }
}

/// The client's address for a request: the TCP peer, or — when the peer is a trusted proxy — the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (entries left of it
/// were written by the client and could be forged). Uses the `TrustedProxies` extension.
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let none = TrustedProxies(Vec::new());
    let proxies = parts.extensions.get::<TrustedProxies>().unwrap_or(&none);
    client_ip_from(&parts.headers, peer, proxies)
}

/// [`client_ip`] from its inputs.
pub fn client_ip_from(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    proxies: &TrustedProxies,
) -> Option<IpAddr> {
    let mut client = peer?;
    if !proxies.contains(client) {
        return Some(client);
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        // An unreadable entry ends the chain: what is left of it cannot be trusted.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !proxies.contains(ip) {
            break;
        }
    }
    Some(client)
}

/// An `X-Forwarded-For` entry: an address, optionally `[v6]:port` or `v4:port`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// Parses `TRUSTED_PROXIES` entries: single addresses or CIDR blocks.
pub fn parse_trusted_proxies(entries: &[String]) -> anyhow::Result<TrustedProxies> {
    entries
        .iter()
        .map(|entry| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!("TRUSTED_PROXIES: {entry:?} is not an IP address or CIDR block")
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(TrustedProxies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_accept_addresses_and_blocks() {
        let proxies =
            parse_trusted_proxies(&["127.0.0.1".into(), "10.0.0.0/8".into(), "::1".into()])
                .unwrap();
        assert!(proxies.contains("10.1.2.3".parse().unwrap()));
        assert!(proxies.contains("::1".parse().unwrap()));
        assert!(!proxies.contains("192.168.1.1".parse().unwrap()));
        assert!(parse_trusted_proxies(&["nope".into()]).is_err());
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn client_ip_believes_forwarded_for_only_from_trusted_peers() {
        let proxies = parse_trusted_proxies(&["127.0.0.1".into(), "10.0.0.0/8".into()]).unwrap();
        let headers = xff("1.1.1.1, 2.2.2.2");
        // Untrusted peer: the header is ignored.
        assert_eq!(
            client_ip_from(&headers, Some(ip("8.8.8.8")), &proxies),
            Some(ip("8.8.8.8"))
        );
        // Trusted peer: the right-most untrusted entry, not the (forgeable) left-most.
        assert_eq!(
            client_ip_from(&headers, Some(ip("127.0.0.1")), &proxies),
            Some(ip("2.2.2.2"))
        );
        // Trusted hops in the chain are skipped.
        assert_eq!(
            client_ip_from(
                &xff("9.9.9.9, 3.3.3.3, 10.0.0.5"),
                Some(ip("10.1.1.1")),
                &proxies
            ),
            Some(ip("3.3.3.3"))
        );
        // No header: the peer.
        assert_eq!(
            client_ip_from(&HeaderMap::new(), Some(ip("127.0.0.1")), &proxies),
            Some(ip("127.0.0.1"))
        );
        // Garbage ends the chain at the last readable hop.
        assert_eq!(
            client_ip_from(&xff("4.4.4.4, garbage"), Some(ip("127.0.0.1")), &proxies),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            client_ip_from(&xff("[2001:db8::1]:443"), Some(ip("127.0.0.1")), &proxies),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(client_ip_from(&headers, None, &proxies), None);
    }
}
