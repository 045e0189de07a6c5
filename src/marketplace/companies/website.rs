//! A company's `website`: Django's `URLField` accepts an http(s) URL whose host is a domain name
//! with a top-level domain, `localhost` or an IP address; anything else is "Enter a valid URL.".

use url::{Host, Url};

/// Django's `URLValidator` message.
pub const INVALID_URL: &str = "Enter a valid URL.";

/// Django's `URLField` default `max_length`.
pub const MAX_LEN: usize = 200;

/// True when `text` is an http or https URL with a plausible host.
pub fn is_valid(text: &str) -> bool {
    if text.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") || rest.is_empty() {
        return false;
    }
    let Ok(url) = Url::parse(text) else {
        return false;
    };
    match url.host() {
        Some(Host::Domain(domain)) => is_domain(domain),
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
        None => false,
    }
}

/// `localhost`, or labels of letters, digits and inner hyphens ending in an alphabetic TLD.
fn is_domain(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain == "localhost" {
        return true;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && tld.len() >= 2
        && tld.chars().all(char::is_alphabetic)
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_with_a_real_host_are_websites() {
        for good in [
            "https://example.com",
            "http://sub.example.co.uk/path?q=1#x",
            "HTTPS://Example.com:8080/",
            "http://localhost:3000",
            "http://127.0.0.1/",
            "http://[::1]/",
            "https://xn--bcher-kva.example/",
        ] {
            assert!(is_valid(good), "{good}");
        }
    }

    #[test]
    fn other_schemes_hosts_and_text_are_not() {
        for bad in [
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "https://example",
            "https://exa mple.com",
            "https://-bad-.com",
            "https://example.c0m",
            "mailto:a@example.com",
            "https:///path",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
