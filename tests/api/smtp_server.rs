//! A real SMTP server for the delivery tests: aiosmtpd (PyPI), the executable named by
//! `NEXUS_SMTP_SERVER` (`.ci/run` installs a pinned one into a virtualenv). It stores what it
//! accepts in a Maildir, one file per message, which the tests read back. Tests that need it carry
//! `#[cfg_attr(not(nexus_test_smtp), ignore = "NEXUS_SMTP_SERVER is not set")]` (build.rs), so
//! without it they are reported ignored, never passed.

use std::{
    collections::HashMap,
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Why an SMTP test that was built to run has no server: the variable was unset after the build.
pub const SMTP_SERVER_UNSET: &str =
    "NEXUS_SMTP_SERVER was set when this test was built but is not set now";

/// How the server protects connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: the mailer needs `?tls=none`.
    None,
    /// STARTTLS offered and required before MAIL (aiosmtpd's `require_starttls`).
    StartTls,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

/// A running aiosmtpd; stopped when dropped.
pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    tls: SmtpTls,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts a server on a free loopback port and waits until it listens.
    pub fn start(tls: SmtpTls) -> SmtpServer {
        let mut server = SmtpServer::stopped(tls, crate::helpers::free_port());
        server.resume();
        server
    }

    /// A server that owns a port and a Maildir but does not listen until [`SmtpServer::resume`]:
    /// an SMTP outage that ends.
    pub fn stopped(tls: SmtpTls, port: u16) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        if tls != SmtpTls::None {
            make_certificate(dir.path());
        }
        SmtpServer {
            child: None,
            port,
            tls,
            dir,
        }
    }

    /// Starts listening (again, after [`SmtpServer::stop`]) on the same port and Maildir.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the server is running already");
        let program = std::env::var("NEXUS_SMTP_SERVER")
            .ok()
            .filter(|p| !p.is_empty())
            .expect(SMTP_SERVER_UNSET);
        let (cert, key) = (
            self.dir.path().join("cert.pem"),
            self.dir.path().join("key.pem"),
        );
        let mut cmd = Command::new(&program);
        // -n: don't switch to `nobody` (it could not write the Maildir in our temporary directory).
        cmd.args(["-n", "-l", &format!("127.0.0.1:{}", self.port)]);
        match self.tls {
            SmtpTls::None => {}
            SmtpTls::StartTls => {
                cmd.arg("--tlscert").arg(&cert).arg("--tlskey").arg(&key);
            }
            SmtpTls::Implicit => {
                cmd.arg("--smtpscert")
                    .arg(&cert)
                    .arg("--smtpskey")
                    .arg(&key);
            }
        }
        cmd.args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd
            .spawn()
            .unwrap_or_else(|err| panic!("could not start {program}: {err}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("{program} exited before listening: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "{program} never listened on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (SIGKILL): connections are refused from now on.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The `SMTP_URL` that reaches this server the way it wants to be reached.
    pub fn url(&self) -> String {
        match self.tls {
            SmtpTls::None => format!("smtp://127.0.0.1:{}?tls=none", self.port),
            SmtpTls::StartTls => format!("smtp://127.0.0.1:{}", self.port),
            SmtpTls::Implicit => format!("smtps://127.0.0.1:{}", self.port),
        }
    }

    /// The self-signed certificate to trust (`SMTP_CA_FILE`), for a TLS server.
    pub fn ca_file(&self) -> String {
        assert_ne!(self.tls, SmtpTls::None, "a plain server has no certificate");
        self.dir.path().join("cert.pem").display().to_string()
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    /// Every message accepted so far, raw.
    pub fn messages(&self) -> Vec<String> {
        let mut messages = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir().join(sub)) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                messages.push(std::fs::read_to_string(entry.path()).unwrap());
            }
        }
        messages
    }

    /// Waits (up to `timeout`) until at least `count` messages arrived; then returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A self-signed certificate for 127.0.0.1 (`cert.pem`, `key.pem` in `dir`) from the `openssl`
/// command; an end-entity certificate (`CA:FALSE`), as rustls wants a server's to be.
fn make_certificate(dir: &Path) {
    let output = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .expect("the openssl command makes the test certificate");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The value of header `name` (case-insensitive, unfolded) in a raw message.
pub fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw
        .split("\n\n")
        .next()
        .unwrap_or(raw)
        .replace("\r\n", "\n");
    let mut found: Option<String> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(value) = found.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if found.is_some() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            if key.eq_ignore_ascii_case(name) {
                found = Some(value.trim().to_owned());
            }
        }
    }
    found
}

/// How many messages carry each Message-ID.
pub fn count_by_message_id(messages: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for raw in messages {
        let id = header(raw, "Message-ID").expect("every message has a Message-ID");
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}
