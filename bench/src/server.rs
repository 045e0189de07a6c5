//! The server under test: building `nexus` in release, starting `nexus serve` on a free port,
//! reading its memory use from `/proc`, and stopping it.

use std::{
    fs::OpenOptions,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

use crate::CacheMode;

/// The workspace root (the parent of this crate's manifest directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ sits inside the workspace")
        .to_path_buf()
}

/// `cargo build --release --bin nexus`, returning the binary's path.
pub fn build_release(workspace: &Path) -> anyhow::Result<PathBuf> {
    println!("building nexus (release)…");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "nexus"])
        .current_dir(workspace)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release --bin nexus failed ({status})");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    Ok(target.join("release/nexus"))
}

/// What the server is started with.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub database_url: String,
    pub cache: CacheMode,
    pub redis_url: String,
    /// Logs, mail and media of the run go here.
    pub work_dir: PathBuf,
    /// The same for every server of a run, so access tokens stay valid across restarts.
    pub secret_key: String,
    /// `LOG_LEVEL`: `warn` (no access line per request) unless `--log-level` says otherwise.
    pub log_level: String,
}

/// A running `nexus serve`.
#[derive(Debug)]
pub struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    /// Starts `nexus serve` on a free port and waits until `/health/readiness/` answers 200.
    pub async fn start(nexus: &Path, config: &ServerConfig) -> anyhow::Result<Server> {
        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(config.work_dir.join("server.log"))?;
        let mut command = Command::new(nexus);
        command
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &config.database_url)
            .env("DEBUG", "false")
            .env("SECRET_KEY", &config.secret_key)
            .env("ALLOWED_HOSTS", "127.0.0.1,localhost")
            .env("PAYMENT_PROVIDER", "test")
            .env("RATE_LIMIT_ENABLED", "false")
            // `warn` unless asked: one access line per request costs a cached read 10–25 %
            // (log 42), and the published figures are the server's, not its log's.
            .env("LOG_LEVEL", &config.log_level)
            // Tokens must outlive the longest run.
            .env("ACCESS_TOKEN_LIFETIME", "240")
            .env("EMAIL_FILE_PATH", config.work_dir.join("mail"))
            .env("MEDIA_ROOT", config.work_dir.join("media"))
            .env_remove("REDIS_URL")
            .env_remove("CACHE_ENABLED")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        match config.cache {
            CacheMode::Redis => {
                // A prefix of its own per run: versioned keys from an earlier run on another
                // database must never be read.
                let prefix = format!("nexus:bench:{}:", uuid::Uuid::new_v4().simple());
                command
                    .env("REDIS_URL", &config.redis_url)
                    .env("CACHE_REDIS_PREFIX", prefix);
            }
            CacheMode::Memory => {}
            CacheMode::Off => {
                command.env("CACHE_ENABLED", "false");
            }
        }
        let child = command.spawn().context("starting nexus serve")?;
        let mut server = Server { child, base_url };
        server.wait_ready(Duration::from_secs(120)).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let url = format!("{}/health/readiness/", self.base_url);
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("nexus serve exited early ({status}); see target/bench/*/server.log");
            }
            if let Ok(response) = client.get(&url).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if started.elapsed() > limit {
                bail!("nexus serve not ready after {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory of the server since it started (`VmHWM` in `/proc/<pid>/status`),
    /// in KiB; 0 where `/proc` is not available.
    pub fn peak_rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmHWM:")
    }

    /// Resident memory of the server now (`VmRSS`), in KiB; 0 where `/proc` is not available.
    pub fn rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmRSS:")
    }

    /// SIGTERM (graceful shutdown), then a kill after 10 s.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One KiB figure (`VmHWM:`, `VmRSS:`) of `/proc/<pid>/status`; 0 where it can't be read.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// A port nobody listens on right now (the OS picks it; released before the server binds it).
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
