//! The test harness: [`TestApp`] and the [`api_test!`] macro that runs a test on every backend.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{LazyLock, Once},
};

use argon2::{password_hash::SaltString, Argon2, PasswordHasher};
use nexus::{config::Settings, db::Db, startup::Application, tokens::TokenType};
use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::Value;

/// Runs each test body once per backend: `mod name { fn sqlite(); fn postgres(); }`.
/// The PostgreSQL variant is compiled as ignored, with the reason, when `TEST_DATABASE_URL` is
/// unset (build.rs), so the closing line counts it as ignored rather than passed.
/// `api_test! { settings = [("NAME", "value")]; async fn ... }` runs them with those settings.
#[macro_export]
macro_rules! api_test {
    (settings = $settings:expr; $(async fn $name:ident($app:ident: TestApp $(,)?) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::helpers::*;

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = TestApp::spawn_with(Backend::Sqlite, &$settings).await;
                run(app.expect("SQLite always runs")).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
            async fn postgres() {
                let app = TestApp::spawn_with(Backend::Postgres, &$settings).await;
                run(app.expect(POSTGRES_UNSET)).await
            }
        }
    )*};
    ($(async fn $name:ident($app:ident: TestApp $(,)?) $body:block)*) => {
        $crate::api_test! { settings = []; $(async fn $name($app: TestApp) $body)* }
    };
}

/// Why a PostgreSQL test that was built to run has no database: the variable was unset after the
/// build (running the test binary directly). Tests that need PostgreSQL carry
/// `#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]` and
/// `.expect(POSTGRES_UNSET)` the app, so they are either ignored or run, never silently passed.
pub const POSTGRES_UNSET: &str =
    "TEST_DATABASE_URL was set when this test was built but is not set now";

/// The same for Redis (`nexus_test_redis`, `TEST_REDIS_URL`).
pub const REDIS_UNSET: &str = "TEST_REDIS_URL was set when this test was built but is not set now";

/// `TEST_REDIS_URL`, for tests compiled with
/// `#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]`.
pub fn test_redis_url() -> String {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect(REDIS_UNSET)
}

/// A Redis of the test's own: `TEST_REDIS_URL` under a fresh key prefix, so nothing another test
/// (or an earlier run) keeps there is read.
pub struct OwnRedis {
    url: String,
    prefix: String,
}

impl OwnRedis {
    /// For tests compiled with
    /// `#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]`.
    pub fn new() -> Self {
        Self {
            url: test_redis_url(),
            prefix: format!("nexus-test-{}:", uuid::Uuid::new_v4().simple()),
        }
    }

    /// `REDIS_URL` and `CACHE_REDIS_PREFIX`, for the servers and commands that share it.
    pub fn settings(&self) -> [(&str, &str); 2] {
        [
            ("REDIS_URL", self.url.as_str()),
            ("CACHE_REDIS_PREFIX", self.prefix.as_str()),
        ]
    }
}

/// The status of a `GET` of `url` with `token` as its bearer: a request to an instance that
/// isn't the [`TestApp`]'s own (a sibling, a server run as a process).
pub async fn get_status(url: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// First and size of the range [`free_port`] hands out: below Linux's default ephemeral range
/// (32768–60999), from which every `bind(:0)` listener and every outgoing connection takes its port.
const TEST_PORTS: (u16, u16) = (20_000, 12_000);

/// A loopback port nothing listens on, for a server the test starts itself (or leaves down).
///
/// A port from `bind(:0)` goes back to the kernel's pool the moment it is released, so another
/// test's listener could take it before this test's server binds it, and the readiness check would
/// then find the wrong server (seen: an SMTPS test talking TLS to a plain SMTP server). Ports here
/// come from outside that pool and are never handed out twice in this process; each process starts
/// at its own offset, so separate test processes rarely meet either.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let (first, size) = TEST_PORTS;
    let start = (std::process::id() % u32::from(size)) as u16;
    for _ in 0..size {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % size;
        let port = first + (start + offset) % size;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {first}..{}", first + size);
}

/// Which database a test runs on: the server's own engine enum.
pub use nexus::db::Backend;

/// The password every helper-made user has.
pub const PASSWORD: &str = "Correct-Horse-Battery-9";

static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut rand::thread_rng());
    Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
});

/// A user created by the harness, with a valid access token.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub token: String,
}

/// An HTTP answer: status, headers and the body parsed as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    /// The `detail` message of an error body.
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }
}

/// A running server with its own database.
pub struct TestApp {
    pub address: String,
    /// The database the server uses (for commands run against it, like `nexus seed`).
    pub database_url: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub backend: Backend,
    pub mail_dir: PathBuf,
    /// `MEDIA_ROOT`: uploaded files land here (inside the test's temporary directory).
    pub media_dir: PathBuf,
    state: nexus::state::AppState,
    _temp: tempfile::TempDir,
    postgres_cleanup: Option<(String, String)>,
}

static LOGGING: Once = Once::new();

impl TestApp {
    /// Starts a server on a fresh database; `None` for PostgreSQL when `TEST_DATABASE_URL` is
    /// unset (a test that needs it is compiled as ignored then: see [`POSTGRES_UNSET`]).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// An app on PostgreSQL when it is configured (a real database that instances share), else
    /// on SQLite (one file they share): the first of the instances a cluster test runs.
    pub async fn spawn_shareable(extra: &[(&str, &str)]) -> TestApp {
        match Self::spawn_with(Backend::Postgres, extra).await {
            Some(app) => app,
            None => Self::spawn_with(Backend::Sqlite, extra)
                .await
                .expect("SQLite needs no configuration"),
        }
    }

    /// Like [`TestApp::spawn`], with extra settings (environment variable names and values).
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
        LOGGING.call_once(crate::log_capture::install);
        let temp = tempfile::tempdir().unwrap();
        let (database_url, postgres_cleanup) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/nexus.db", temp.path().display()), None),
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL")
                    .ok()
                    .filter(|url| !url.is_empty())?;
                let name = format!("nexus_test_{}", uuid::Uuid::new_v4().simple());
                create_postgres_database(&admin_url, &name).await;
                (
                    replace_database_name(&admin_url, &name),
                    Some((admin_url, name)),
                )
            }
        };
        let mail_dir = temp.path().join("mail");
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", database_url.as_str()),
            ("BIND_ADDR", "127.0.0.1:0"),
            ("SECRET_KEY", "test-secret-key"),
            ("EMAIL_FILE_PATH", mail_dir.to_str().unwrap()),
            ("DATABASE_MAX_CONNECTIONS", "5"),
            // Tests that exercise rate limits turn them on through `spawn_with`.
            ("RATE_LIMIT_ENABLED", "false"),
            // Queued emails go out within a tenth of a second, not the production second.
            ("JOBS_POLL_INTERVAL_MS", "100"),
            // Analytics events are written within 50 ms, not the production second.
            ("ANALYTICS_FLUSH_INTERVAL_MS", "50"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.entry("FRONTEND_URL".into())
            .or_insert_with(|| "http://frontend.test".into());
        let media_dir = PathBuf::from(
            vars.entry("MEDIA_ROOT".into())
                .or_insert_with(|| temp.path().join("media").display().to_string())
                .clone(),
        );
        let mut settings = Settings::from_lookup(|key| vars.get(key).cloned()).unwrap();
        settings.fast_password_hashing = true;
        let application = Application::build(settings).await.expect("the app starts");
        let address = format!("http://{}", application.local_addr());
        let state = application.state().clone();
        tokio::spawn(application.run_until_stopped());
        Some(TestApp {
            address,
            database_url,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            db: state.db.clone(),
            backend,
            mail_dir,
            media_dir,
            state,
            _temp: temp,
            postgres_cleanup,
        })
    }

    /// Sends a request; `path` is relative to `/api/v1/` unless it starts with `/`.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.address)
        } else {
            format!("{}/api/v1/{path}", self.address)
        };
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, None, None).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> TestResponse {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.request(Method::POST, path, None, Some(body)).await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn put_as(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn patch_as(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete_as(&self, path: &str, token: &str) -> TestResponse {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// The state the running server uses.
    pub fn state(&self) -> &nexus::state::AppState {
        &self.state
    }

    /// Inserts a user with `role` (`customer`, `staff`, `admin`) and password [`PASSWORD`]
    /// straight into the database, and signs an access token for it.
    /// A second server on this app's database with `extra` settings (another instance, or the
    /// same one configured differently); returns its address.
    pub async fn sibling(&self, extra: &[(&str, &str)]) -> String {
        let vars: HashMap<String, String> = [
            ("DATABASE_URL", self.database_url.as_str()),
            ("BIND_ADDR", "127.0.0.1:0"),
            ("SECRET_KEY", "test-secret-key"),
            ("DATABASE_MAX_CONNECTIONS", "5"),
            ("RATE_LIMIT_ENABLED", "false"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let settings = Settings::from_lookup(|key| vars.get(key).cloned()).unwrap();
        let application = Application::build(settings).await.unwrap();
        let address = format!("http://{}", application.local_addr());
        tokio::spawn(application.run_until_stopped());
        address
    }

    pub async fn create_user(&self, role: &str) -> TestUser {
        self.create_user_with_hash(role, PASSWORD_HASH.as_str())
            .await
    }

    /// Like [`TestApp::create_user`], with the stored password hash `hash` (a Django one, an
    /// unusable `!…`).
    pub async fn create_user_with_hash(&self, role: &str, hash: &str) -> TestUser {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let username = format!("{role}_{}", &unique[..10]);
        let email = format!("{username}@example.com");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, username, password_hash, role, is_active, date_joined) \
             VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id",
        )
        .bind(&email)
        .bind(&username)
        .bind(hash)
        .bind(role)
        .bind(nexus::db::now_micros())
        .fetch_one(&self.db.pool)
        .await
        .unwrap();
        let (token, _) = self.state.tokens.issue(TokenType::Access, id);
        TestUser {
            id,
            email,
            username,
            token,
        }
    }

    pub async fn create_customer(&self) -> TestUser {
        self.create_user("customer").await
    }

    pub async fn create_staff(&self) -> TestUser {
        self.create_user("staff").await
    }

    pub async fn create_admin(&self) -> TestUser {
        self.create_user("admin").await
    }

    /// Waits (up to 5 s) until at least `count` emails were written and returns them all: emails
    /// are jobs, which the worker sends within a poll interval (100 ms in tests).
    pub async fn wait_for_emails(&self, count: usize) -> Vec<String> {
        for _ in 0..100 {
            let emails = self.sent_emails();
            if emails.len() >= count {
                return emails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {count} emails, got {:?}", self.sent_emails());
    }

    /// Queues a job of `kind` due now and waits (up to 5 s) until the app's worker finished it;
    /// panics with its error if it failed.
    pub async fn run_job(&self, kind: nexus::jobs::Kind, payload: &Value) {
        self.run_jobs(&[(kind, payload.clone())]).await;
    }

    /// Queues `jobs` at once, due now (the worker may run them side by side), and waits (up to
    /// 5 s) until every one finished; panics with the error of one that failed.
    pub async fn run_jobs(&self, jobs: &[(nexus::jobs::Kind, Value)]) {
        let mut keys = Vec::new();
        let mut tx = self.db.begin_write().await.unwrap();
        for (kind, payload) in jobs {
            let key = format!("test:{}", uuid::Uuid::new_v4().simple());
            let job = nexus::jobs::NewJob::new(*kind, payload).unique(key.clone());
            nexus::jobs::enqueue(&mut tx, job).await.unwrap();
            keys.push(key);
        }
        tx.commit().await.unwrap();
        for key in keys {
            self.wait_for_job(&key).await;
        }
    }

    async fn wait_for_job(&self, key: &str) {
        for _ in 0..100 {
            let (kind, state, error): (String, String, Option<String>) =
                sqlx::query_as("SELECT kind, state, last_error FROM jobs WHERE unique_key = $1")
                    .bind(key)
                    .fetch_one(&self.db.pool)
                    .await
                    .unwrap();
            match (state.as_str(), error) {
                ("done", _) => return,
                (_, Some(error)) => panic!("the {kind} job failed: {error}"),
                _ => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
        panic!("the job {key} did not finish within 5 s");
    }

    /// The payloads of every job of `kind` (whatever its state), oldest first.
    pub async fn job_payloads(&self, kind: nexus::jobs::Kind) -> Vec<Value> {
        let payloads: Vec<String> =
            sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = $1 ORDER BY id")
                .bind(kind.as_str())
                .fetch_all(&self.db.pool)
                .await
                .unwrap();
        payloads
            .iter()
            .map(|payload| serde_json::from_str(payload).unwrap())
            .collect()
    }

    /// The emails written so far, oldest first, as text with quoted-printable undone ([`decoded`]):
    /// lettre wraps lines longer than 76 characters, links included.
    pub fn sent_emails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        // lettre names the files by UUID: the write time gives the order.
        let mut paths: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|(_, p)| decoded(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres_cleanup.take() {
            drop_postgres_database(admin_url, name);
        }
    }
}

/// Drops a database made by [`create_postgres_database`], from a `Drop` impl: drop runs outside
/// async context, so it uses a throwaway runtime on its own thread.
pub fn drop_postgres_database(admin_url: String, name: String) {
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            if let Ok(mut conn) =
                <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await
            {
                let _ = sqlx::Executor::execute(
                    &mut conn,
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                )
                .await;
            }
        });
    })
    .join();
}

/// Creates the empty database `name` on the server of `admin_url` (`TEST_DATABASE_URL`).
pub async fn create_postgres_database(admin_url: &str, name: &str) {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin_url)
        .await
        .expect("TEST_DATABASE_URL must point at a reachable PostgreSQL");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
}

/// `url` with its database name replaced by `name` (query parameters kept).
pub fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A raw message with quoted-printable undone (soft line breaks joined, `=XX` decoded), so a test
/// can look for words and links in the bodies.
pub fn decoded(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[i] == b'=' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
