//! Probes of the network services the server may use (`REDIS_URL`, `SMTP_URL`), spoken to over
//! plain TCP with a timeout so an unreachable one answers a row rather than hanging the check.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{row, Level, Row};
use crate::mail::{Security, SmtpUrl};

/// How long a network check may take before it counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(3);

/// `host:port` and the userinfo of a `scheme://[user[:password]@]host[:port][/...]` URL.
fn authority(url: &str, default_port: u16) -> Option<(String, Option<String>, Option<String>)> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if hostport.is_empty() {
        return None;
    }
    let has_port = match hostport.rsplit_once(':') {
        Some((_, port)) => !port.contains(']') && port.parse::<u16>().is_ok(),
        None => false,
    };
    let address = if has_port {
        hostport.to_owned()
    } else {
        format!("{hostport}:{default_port}")
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, password)) => (Some(user.to_owned()), Some(password.to_owned())),
            None => (Some(u.to_owned()), None),
        },
        None => (None, None),
    };
    Some((address, user.filter(|u| !u.is_empty()), password))
}

/// Connects with the check timeout.
async fn connect(address: &str) -> Result<TcpStream, String> {
    match tokio::time::timeout(TIMEOUT, TcpStream::connect(address)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(err)) => Err(format!("{address} unreachable: {err}")),
        Err(_) => Err(format!("{address}: timed out")),
    }
}

/// Reads one reply line (up to CRLF) with the check timeout.
async fn read_line(stream: &mut TcpStream) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        loop {
            match stream.read(&mut byte).await {
                Ok(0) => break,
                Ok(_) => {
                    buf.push(byte[0]);
                    if buf.ends_with(b"\r\n") || buf.len() > 512 {
                        break;
                    }
                }
                Err(err) => return Err(err.to_string()),
            }
        }
        Ok(String::from_utf8_lossy(&buf).trim().to_owned())
    };
    match tokio::time::timeout(TIMEOUT, read).await {
        Ok(result) => result,
        Err(_) => Err("no answer (timed out)".to_owned()),
    }
}

/// `REDIS_URL`: `PING` over plain TCP (with `AUTH` when the URL has a password).
pub async fn redis(url: Option<&str>) -> Row {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return row(
            Level::Ok,
            "REDIS_URL",
            "not configured (in-process cache and rate limits)",
        );
    };
    let Some((address, user, password)) = authority(url, 6379) else {
        return row(Level::Error, "REDIS_URL", "not a redis://host[:port] URL");
    };
    let result = async {
        let mut stream = connect(&address).await?;
        if let Some(password) = password {
            let auth = match user {
                Some(user) => format!("AUTH {user} {password}\r\n"),
                None => format!("AUTH {password}\r\n"),
            };
            stream
                .write_all(auth.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            let answer = read_line(&mut stream).await?;
            if !answer.starts_with("+OK") {
                return Err(format!("{address}: AUTH refused ({answer})"));
            }
        }
        stream
            .write_all(b"PING\r\n")
            .await
            .map_err(|e| e.to_string())?;
        let answer = read_line(&mut stream).await?;
        if answer.starts_with("+PONG") {
            Ok(address.clone())
        } else {
            Err(format!("{address}: unexpected answer to PING: {answer:?}"))
        }
    }
    .await;
    let tls = if url.starts_with("rediss://") {
        " (TLS handshake not checked)"
    } else {
        ""
    };
    match result {
        Ok(address) => row(
            Level::Ok,
            "REDIS_URL",
            format!("{address} answers PING{tls}"),
        ),
        Err(err) => row(Level::Error, "REDIS_URL", err),
    }
}

/// `SMTP_URL`: parsed as the mailer parses it (so a URL the server would refuse is an error here
/// too), then a TCP connection that gets the server's `220` greeting. The TLS handshake and login
/// are not tried: that would need the CA file and the credentials at hand, and a failing login
/// shows in the `email` job's last error (`nexus jobs`).
pub async fn smtp(url: Option<&str>) -> Row {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return row(
            Level::Ok,
            "SMTP_URL",
            "not configured (console/file mailer)",
        );
    };
    let url = match SmtpUrl::parse(url) {
        Ok(url) => url,
        Err(err) => return row(Level::Error, "SMTP_URL", format!("{err:#}")),
    };
    let address = url.address();
    match connect(&address).await {
        Err(err) => row(Level::Error, "SMTP_URL", err),
        // Implicit TLS: the greeting comes after the handshake, so a connection is all we test.
        Ok(_) if url.security == Security::ImplicitTls => row(
            Level::Ok,
            "SMTP_URL",
            format!("{address} accepts connections ({})", url.security),
        ),
        Ok(mut stream) => match read_line(&mut stream).await {
            Ok(greeting) if greeting.starts_with("220") => {
                let _ = stream.write_all(b"QUIT\r\n").await;
                row(
                    Level::Ok,
                    "SMTP_URL",
                    format!("{address} greets: {greeting} ({})", url.security),
                )
            }
            Ok(other) => row(
                Level::Error,
                "SMTP_URL",
                format!("{address}: unexpected greeting {other:?}"),
            ),
            Err(err) => row(Level::Error, "SMTP_URL", format!("{address}: {err}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_and_credentials() {
        assert_eq!(
            authority("redis://:pw@cache:6380/0", 6379),
            Some(("cache:6380".into(), None, Some("pw".into())))
        );
        assert_eq!(
            authority("redis://cache", 6379),
            Some(("cache:6379".into(), None, None))
        );
        assert_eq!(authority("nonsense", 25), None);
    }
}
