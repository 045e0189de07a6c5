//! The `nexus serve` child process: started on a database, killed with SIGKILL, started again.

use std::{
    fs::File,
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use serde_json::Value;

/// How long a start may take before the test gives up (a debug build migrating PostgreSQL on a
/// busy CI machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `nexus serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`: the port is chosen by the OS at each start.
    pub address: String,
    /// From spawning the process to its "serving" line (connect, migrate, bind).
    pub started_in: Duration,
    log: PathBuf,
}

impl Server {
    /// Starts `nexus serve` on `database_url` with only the settings below (no `.env`: it runs in
    /// `dir`) and waits for its "serving" line. Every start appends its log to `dir/server.log`.
    pub fn start(dir: &Path, database_url: &str) -> Server {
        let log = dir.join("server.log");
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_nexus"))
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", "127.0.0.1:0")
            .env("DEBUG", "true")
            .env(
                "SECRET_KEY",
                "crash-test-signing-key-long-enough-0123456789abcdef",
            )
            .env("PAYMENT_PROVIDER", "test")
            .env("RATE_LIMIT_ENABLED", "false")
            .env("MEDIA_ROOT", dir.join("media"))
            .env("EMAIL_FILE_PATH", dir.join("mail"))
            .env("LOG_FORMAT", "json")
            // Warnings and errors, plus the start-up lines (the "serving" line carries the port).
            .env("RUST_LOG", "warn,nexus::startup=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the nexus binary starts");
        let stderr = child.stderr.take().unwrap();
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let (tx, serving) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = writeln!(file, "---- nexus serve started");
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = writeln!(file, "{line}");
                let Ok(value) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if value["message"] == "serving" {
                    if let Some(addr) = value["addr"].as_str() {
                        let _ = tx.send(addr.to_owned());
                    }
                }
            }
        });
        let addr = serving.recv_timeout(START_TIMEOUT).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!(
                "nexus serve did not serve within {START_TIMEOUT:?}; its log:\n{}",
                tail(&log)
            )
        });
        Server {
            child,
            address: format!("http://{addr}"),
            started_in: started.elapsed(),
            log,
        }
    }

    /// SIGKILL (`Child::kill` on Unix): no shutdown code runs, as in a crash or an OOM kill.
    pub fn kill(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "the server exited by itself ({status}) before the kill; its log:\n{}",
                tail(&self.log)
            );
        }
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of the server log, for a failure message.
pub fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
