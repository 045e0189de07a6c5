//! Running the real `nexus` binary from a test: a command with a clean environment, and a `serve`
//! child whose JSON log lines are read as they come.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::Path,
    process::{Child, Command, ExitStatus, Output, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use serde_json::Value;

/// A signing key long enough for every mode, for tests that are not about the key.
pub const TEST_SECRET_KEY: &str = "a-test-secret-key-that-is-long-enough-0123456789";

/// Settings taken out of the inherited environment, so a developer's shell (or CI's) cannot change
/// what a test proves; a test sets the ones it is about.
const CLEARED: [&str; 15] = [
    "RUST_LOG",
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "DATABASE_CONNECT_TIMEOUT",
    "ALLOWED_HOSTS",
    "PAYMENT_PROVIDER",
    "SQLITE_SYNCHRONOUS",
    "CORS_ALLOWED_ORIGINS",
    "REDIS_URL",
    "SMTP_URL",
    "MEDIA_ROOT",
    "EMAIL_FILE_PATH",
    "SHUTDOWN_GRACE_PERIOD",
    "NEXUS_SUPERUSER_PASSWORD",
];

/// `nexus <command>` run in `dir` (so no stray `.env` is read) with every [`CLEARED`] setting
/// removed and nothing set.
pub fn clean(dir: &Path, command: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nexus"));
    cmd.arg(command).current_dir(dir);
    for key in CLEARED {
        cmd.env_remove(key);
    }
    cmd
}

/// `nexus <command> <args>` against `database_url` (a test's own database), warnings-only logs,
/// run to completion: an admin command as an operator runs it.
pub fn admin(database_url: &str, command: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path(), command)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("the binary runs")
}

/// A finished command's standard output, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// [`clean`] plus what a test server needs: a SQLite file, media and mail directories in `dir`,
/// an OS-chosen port, JSON logs at `info`; then `vars` on top. `SECRET_KEY` stays unset (the
/// development key) unless `vars` sets it.
pub fn nexus(dir: &Path, command: &str, vars: &[(&str, &str)]) -> Command {
    let mut cmd = clean(dir, command);
    cmd.env(
        "DATABASE_URL",
        format!("sqlite://{}/nexus.db", dir.display()),
    )
    .env("BIND_ADDR", "127.0.0.1:0")
    .env("MEDIA_ROOT", dir.join("media"))
    .env("EMAIL_FILE_PATH", dir.join("mail"))
    .env("LOG_FORMAT", "json")
    .env("LOG_LEVEL", "info")
    .envs(vars.iter().copied());
    cmd
}

/// A `nexus` child process whose log lines (JSON when they parse, strings otherwise) are read
/// as they come; killed when dropped.
pub struct Server {
    child: Child,
    lines: mpsc::Receiver<Value>,
    /// Every line received so far, for assertions and failure messages.
    pub seen: Vec<Value>,
}

impl Server {
    /// Spawns `cmd` with stdout discarded and stderr read line by line on a thread.
    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first log line (seen before or arriving within `timeout`) whose message starts with
    /// `message`.
    pub fn wait_for(&mut self, message: &str, timeout: Duration) -> Option<Value> {
        let matches = |line: &Value| {
            line["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(message))
        };
        if let Some(line) = self.seen.iter().find(|l| matches(l)) {
            return Some(line.clone());
        }
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else {
                break;
            };
            self.seen.push(line.clone());
            if matches(&line) {
                return Some(line);
            }
        }
        None
    }

    /// The address from the "serving" line (needs `info` logs); every line before it is kept.
    pub fn address(&mut self) -> SocketAddr {
        let line = self
            .wait_for("serving", Duration::from_secs(60))
            .unwrap_or_else(|| panic!("the server never served; log: {:?}", self.seen));
        line["addr"].as_str().unwrap().parse().unwrap()
    }

    /// `http://<address>`.
    pub fn base_url(&mut self) -> String {
        format!("http://{}", self.address())
    }

    /// True when a line seen so far was a warning mentioning `text`.
    pub fn warned(&self, text: &str) -> bool {
        self.seen.iter().any(|line| {
            line["level"] == "WARN" && line["message"].as_str().is_some_and(|m| m.contains(text))
        })
    }

    /// Sends SIGTERM, as a process manager does to stop the server.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The exit status, if the process exits within `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
