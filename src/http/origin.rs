//! The scheme and host a client used, for absolute URLs in responses.
//!
//! `X-Forwarded-Proto`/`X-Forwarded-Host` are believed only when the TCP peer is one of the
//! configured `TRUSTED_PROXIES`; anyone else could forge them to poison links.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts},
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
}
