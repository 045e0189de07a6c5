//! The cluster (`deploy/local-cluster.sh`) and the HTTP helpers the tests share.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr},
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use nexus::{config::DatabaseUrl, db::Db};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const STAFF_EMAIL: &str = "ops@cluster.test";
const STAFF_PASSWORD: &str = "Cluster-Operator-Passphrase-42";

/// A running cluster: its state file, stopped on drop.
pub struct Cluster {
    dir: tempfile::TempDir,
    state: HashMap<String, String>,
    /// The settings the instances run with (`nexus.env`), for admin commands.
    env: Vec<(String, String)>,
}

impl Cluster {
    fn script() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/local-cluster.sh")
    }

    fn command(dir: &Path, action: &str) -> Command {
        let mut command = Command::new("bash");
        command
            .arg(Self::script())
            .arg(action)
            .env("NEXUS_BIN", env!("CARGO_BIN_EXE_nexus"))
            .env("CLUSTER_DIR", dir)
            .env(
                "ADMIN_DATABASE_URL",
                std::env::var("TEST_DATABASE_URL").unwrap(),
            )
            .env("REDIS_URL", std::env::var("TEST_REDIS_URL").unwrap())
            .env_remove("DATABASE_URL");
        command
    }

    /// Runs `local-cluster.sh start` in a fresh directory and reads its state file.
    pub fn start() -> Result<Self, String> {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let output = Self::command(dir.path(), "start")
            .output()
            .map_err(|e| format!("could not run local-cluster.sh: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "local-cluster.sh start failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        eprintln!("cluster up in {:.1}s", started.elapsed().as_secs_f64());
        let read_pairs = |path: &Path| -> Vec<(String, String)> {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter_map(|line| line.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        let state = read_pairs(&dir.path().join("state.env"))
            .into_iter()
            .collect();
        let env = read_pairs(&dir.path().join("nexus.env"));
        Ok(Self { dir, state, env })
    }

    /// A value of the state file (`A_PORT`, `CERT`...).
    pub fn get(&self, key: &str) -> &str {
        self.state
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{key} not in the state file"))
    }

    /// `MEDIA_ROOT` of both instances (nginx serves `/media/` from it).
    pub fn media_root(&self) -> PathBuf {
        self.dir.path().join("media")
    }

    /// `http://127.0.0.1:<port>` of instance `A` or `B`.
    pub fn instance(&self, which: &str) -> String {
        format!("http://127.0.0.1:{}", self.get(&format!("{which}_PORT")))
    }

    /// nginx's TLS server block on its plain loopback port.
    pub fn nginx(&self) -> String {
        format!("http://127.0.0.1:{}", self.get("PLAIN_PORT"))
    }

    /// A connection to the cluster's database, for checking what was stored.
    pub async fn db(&self) -> Db {
        Db::connect(&DatabaseUrl::new(self.get("DATABASE_URL")), 2)
            .await
            .unwrap()
    }

    /// Runs `nexus <args>` with the instances' settings.
    pub fn nexus(&self, args: &[&str], extra_env: &[(&str, &str)]) {
        let output = Command::new(env!("CARGO_BIN_EXE_nexus"))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra_env.iter().copied())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "nexus {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// An admin's access token (created with `nexus createsuperuser --no-input`, logged in
    /// through instance A from its own address). Tests share the cluster, so a later call finds
    /// the admin there: `--promote-existing` re-asserts it, as a deploy script would.
    pub async fn staff_token(&self) -> String {
        self.nexus(
            &[
                "createsuperuser",
                "--email",
                STAFF_EMAIL,
                "--username",
                "ops",
                "--no-input",
                "--promote-existing",
            ],
            &[("NEXUS_SUPERUSER_PASSWORD", STAFF_PASSWORD)],
        );
        let login = call(
            &client(20),
            Method::POST,
            &format!("{}/api/v1/auth/jwt/create/", self.instance("A")),
            None,
            Some(&json!({"email": STAFF_EMAIL, "password": STAFF_PASSWORD})),
        )
        .await;
        assert_eq!(login.status, 200, "{}", login.body);
        login.body["access"].as_str().unwrap().to_owned()
    }

    /// A product with `stock` units in a new category, created through instance A.
    pub async fn create_product(&self, token: &str, title: &str, stock: i64) -> i64 {
        let a = self.instance("A");
        let staff = client(20);
        let category = call(
            &staff,
            Method::POST,
            &format!("{a}/api/v1/categories/"),
            Some(token),
            Some(&json!({"name": format!("{title} shelf")})),
        )
        .await;
        assert_eq!(category.status, 201, "{}", category.body);
        let product = call(
            &staff,
            Method::POST,
            &format!("{a}/api/v1/products/"),
            Some(token),
            Some(&json!({
                "title": title, "price": "10.00", "category": category.body["id"],
                "stock_quantity": stock,
            })),
        )
        .await;
        assert_eq!(product.status, 201, "{}", product.body);
        product.body["id"].as_i64().unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        match Self::command(self.dir.path(), "stop").output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "local-cluster.sh stop: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(err) => eprintln!("local-cluster.sh stop: {err}"),
        }
    }
}

/// A client connecting from `127.0.0.<host>`: its own client IP for nginx and the app.
pub fn client(host: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap()
}

/// An HTTP answer: status, headers and the body as JSON (a JSON string when it isn't JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// A request that must get an answer (any status).
pub async fn call(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    try_call(client, method, url, token, body, &[])
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// A request with extra headers; a connection failure is an `Err`, not a panic.
pub async fn try_call(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Result<Answer, reqwest::Error> {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await?;
    Ok(Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    })
}

/// A response header as text (empty when missing).
pub fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}
