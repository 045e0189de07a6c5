//! The production topology end to end: `deploy/local-cluster.sh start` runs two `nexus serve`
//! instances on one PostgreSQL database and one Redis behind nginx (the shipped
//! `deploy/nginx.conf`), and these tests talk to it over real sockets.
//!
//! The tests share one cluster and run in order (the last one kills an instance), so this file has
//! its own small runner (`harness = false`): it prints libtest-style lines, honours name filters,
//! `--skip` and `--list`, and always stops the cluster. It skips, with a line saying why, when
//! nginx, psql, curl or openssl is missing or `TEST_DATABASE_URL` / `TEST_REDIS_URL` is unset.
//!
//! Every simulated client connects from its own loopback address (`127.0.0.x`): nginx and the app
//! then see distinct client IPs, as they would in production, so per-IP limits don't mix clients.

use std::{
    collections::{BTreeSet, HashMap},
    future::Future,
    net::{IpAddr, Ipv4Addr},
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    pin::Pin,
    process::{Command, ExitCode},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use nexus::{config::DatabaseUrl, db::Db};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

type TestFn = for<'a> fn(&'a Cluster) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// In running order: the failover test kills instance A, so it comes last.
const TESTS: &[(&str, TestFn)] = &[
    ("nginx_spreads_requests_over_both_instances", |c| {
        Box::pin(nginx_spreads_requests_over_both_instances(c))
    }),
    (
        "tls_is_terminated_by_nginx_and_plain_http_redirects_to_https",
        |c| Box::pin(tls_is_terminated_by_nginx_and_plain_http_redirects_to_https(c)),
    ),
    (
        "a_price_edit_through_one_instance_is_visible_at_once_through_the_other_and_nginx",
        |c| {
            Box::pin(
                a_price_edit_through_one_instance_is_visible_at_once_through_the_other_and_nginx(c),
            )
        },
    ),
    ("the_login_rate_limit_is_shared_by_both_instances", |c| {
        Box::pin(the_login_rate_limit_is_shared_by_both_instances(c))
    }),
    (
        "uploaded_images_are_served_by_nginx_and_oversized_bodies_refused_there",
        |c| Box::pin(uploaded_images_are_served_by_nginx_and_oversized_bodies_refused_there(c)),
    ),
    (
        "killing_an_instance_mid_traffic_loses_no_get_and_no_order",
        |c| Box::pin(killing_an_instance_mid_traffic_loses_no_get_and_no_order(c)),
    ),
];

const STAFF_EMAIL: &str = "ops@cluster.test";
const STAFF_PASSWORD: &str = "Cluster-Operator-Passphrase-42";

fn main() -> ExitCode {
    let selected = select_tests(std::env::args().skip(1).collect());
    let Some(selected) = selected else {
        return ExitCode::SUCCESS; // --list
    };
    let filtered = TESTS.len() - selected.len();
    let summary = |passed, failed, ignored, elapsed| {
        summary(
            Counts {
                passed,
                failed,
                ignored,
                filtered,
            },
            elapsed,
        )
    };
    println!("\nrunning {} tests", selected.len());
    if selected.is_empty() {
        return summary(0, 0, 0, Duration::ZERO);
    }
    if let Err(reason) = prerequisites() {
        eprintln!("cluster tests skipped: {reason}");
        for (name, _) in &selected {
            println!("test {name} ... ignored, {reason}");
        }
        return summary(0, 0, selected.len(), Duration::ZERO);
    }
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cluster = match Cluster::start() {
        Ok(cluster) => cluster,
        Err(err) => {
            eprintln!("{err}");
            for (name, _) in &selected {
                println!("test {name} ... FAILED");
            }
            return summary(0, selected.len(), 0, started.elapsed());
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in &selected {
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(test(&cluster))));
        match result {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED");
            }
        }
    }
    drop(cluster);
    summary(passed, failed, 0, started.elapsed())
}

/// The tests to run, after libtest's filter arguments; `None` after printing `--list`.
fn select_tests(args: Vec<String>) -> Option<Vec<(&'static str, TestFn)>> {
    let (mut filters, mut skips, mut exact, mut list, mut ignored) =
        (Vec::new(), Vec::new(), false, false, false);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => list = true,
            "--exact" => exact = true,
            "--ignored" => ignored = true,
            "--skip" => skips.extend(args.next()),
            "--test-threads" | "--format" | "--color" | "-Z" | "--logfile" => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter.to_owned()),
        }
    }
    let matches = |name: &str, pattern: &str| {
        if exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    };
    let selected: Vec<_> = TESTS
        .iter()
        .copied()
        .filter(|_| !ignored)
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| matches(name, f)))
        .filter(|(name, _)| !skips.iter().any(|s| matches(name, s)))
        .collect();
    if list {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        return None;
    }
    Some(selected)
}

/// How many tests ended which way.
struct Counts {
    passed: usize,
    failed: usize,
    ignored: usize,
    filtered: usize,
}

/// libtest's closing line (CI adds up the `passed` and `failed` of every binary's).
fn summary(counts: Counts, elapsed: Duration) -> ExitCode {
    let Counts {
        passed,
        failed,
        ignored,
        filtered,
    } = counts;
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {passed} passed; {failed} failed; {ignored} ignored; 0 measured; {filtered} filtered out; finished in {:.2}s\n",
        elapsed.as_secs_f64()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Why the cluster can't run here, if it can't.
fn prerequisites() -> Result<(), String> {
    for var in ["TEST_DATABASE_URL", "TEST_REDIS_URL"] {
        if std::env::var(var).map_or(true, |v| v.is_empty()) {
            return Err(format!("{var} is not set"));
        }
    }
    for tool in ["nginx", "psql", "curl", "openssl"] {
        // nginx is in /usr/sbin, which a non-root PATH may lack (the script adds it too).
        let path = std::env::var_os("PATH").unwrap_or_default();
        let found = std::env::split_paths(&path)
            .chain([PathBuf::from("/usr/sbin")])
            .any(|dir| dir.join(tool).is_file());
        if !found {
            return Err(format!("{tool} is not installed (CI installs nginx-light)"));
        }
    }
    Ok(())
}

/// A running cluster: its state file, stopped on drop.
struct Cluster {
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

    fn start() -> Result<Self, String> {
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

    fn get(&self, key: &str) -> &str {
        self.state
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{key} not in the state file"))
    }

    /// `http://127.0.0.1:<port>` of instance `A` or `B`.
    fn instance(&self, which: &str) -> String {
        format!("http://127.0.0.1:{}", self.get(&format!("{which}_PORT")))
    }

    /// nginx's TLS server block on its plain loopback port.
    fn nginx(&self) -> String {
        format!("http://127.0.0.1:{}", self.get("PLAIN_PORT"))
    }

    async fn db(&self) -> Db {
        Db::connect(&DatabaseUrl::new(self.get("DATABASE_URL")), 2)
            .await
            .unwrap()
    }

    /// Runs `nexus <args>` with the instances' settings.
    fn nexus(&self, args: &[&str], extra_env: &[(&str, &str)]) {
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
    /// through instance A from its own address).
    async fn staff_token(&self) -> String {
        self.nexus(
            &[
                "createsuperuser",
                "--email",
                STAFF_EMAIL,
                "--username",
                "ops",
                "--no-input",
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
    async fn create_product(&self, token: &str, title: &str, stock: i64) -> i64 {
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
        let product = call(&staff, Method::POST, &format!("{a}/api/v1/products/"), Some(token),
            Some(&json!({"title": title, "price": "10.00", "category": category.body["id"], "stock_quantity": stock}))).await;
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
fn client(host: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap()
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn call(
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

async fn try_call(
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

fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn nginx_spreads_requests_over_both_instances(cluster: &Cluster) {
    let client = client(10);
    let mut upstreams = BTreeSet::new();
    for _ in 0..10 {
        let answer = call(
            &client,
            Method::GET,
            &format!("{}/health/", cluster.nginx()),
            None,
            None,
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["database"], "ok");
        assert_eq!(answer.body["cache"], "ok");
        upstreams.insert(header(&answer, "x-upstream").to_owned());
    }
    let expected: BTreeSet<String> = ["A", "B"]
        .iter()
        .map(|w| cluster.instance(w).trim_start_matches("http://").to_owned())
        .collect();
    assert_eq!(upstreams, expected);
}

/// One request with curl (the tests' reqwest has no TLS stack): `(status line + headers, body)`.
fn curl(args: &[&str]) -> (String, String) {
    let output = Command::new("curl")
        .args(["-sS", "-D", "-"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    (head.to_ascii_lowercase(), body.to_owned())
}

async fn tls_is_terminated_by_nginx_and_plain_http_redirects_to_https(cluster: &Cluster) {
    let https = format!("https://localhost:{}", cluster.get("HTTPS_PORT"));
    let (head, body) = curl(&[
        "--cacert",
        cluster.get("CERT"),
        "-H",
        "X-Request-Id: cluster-tls-1",
        &format!("{https}/api/v1/products/?page=1"),
    ]);
    assert!(head.starts_with("http/2 200"), "{head}");
    // The app believed nginx's X-Forwarded-Proto: HSTS is only sent for HTTPS.
    assert!(
        head.contains("strict-transport-security: max-age="),
        "{head}"
    );
    assert!(head.contains("x-request-id: cluster-tls-1"), "{head}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["count"], 0);

    let (head, _) = curl(&[&format!(
        "http://localhost:{}/api/v1/products/?page=2",
        cluster.get("HTTP_PORT")
    )]);
    assert!(head.starts_with("http/1.1 301"), "{head}");
    assert!(
        head.contains("location: https://localhost/api/v1/products/?page=2"),
        "{head}"
    );

    // Over plain HTTP (no TLS at the edge) the app sends no HSTS.
    let answer = call(
        &client(11),
        Method::GET,
        &format!("{}/api/v1/products/", cluster.nginx()),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers.get("strict-transport-security").is_none());
}

async fn a_price_edit_through_one_instance_is_visible_at_once_through_the_other_and_nginx(
    cluster: &Cluster,
) {
    let token = cluster.staff_token().await;
    let id = cluster.create_product(&token, "Cluster Lamp", 5).await;
    let reader = client(12);
    let detail = |base: String| format!("{base}/api/v1/products/{id}/");
    // Warm the shared cache: B's second read is a hit, and nginx's reads come from it too.
    for base in [
        cluster.instance("B"),
        cluster.instance("B"),
        cluster.nginx(),
        cluster.nginx(),
    ] {
        let answer = call(&reader, Method::GET, &detail(base), None, None).await;
        assert_eq!(answer.body["price"], "10.00");
    }
    let answer = call(
        &reader,
        Method::GET,
        &detail(cluster.instance("B")),
        None,
        None,
    )
    .await;
    assert_eq!(header(&answer, "x-cache"), "HIT");

    let edit = call(
        &client(20),
        Method::PATCH,
        &detail(cluster.instance("A")),
        Some(&token),
        Some(&json!({"price": "12.50"})),
    )
    .await;
    assert_eq!(edit.status, 200, "{}", edit.body);

    let answer = call(
        &reader,
        Method::GET,
        &detail(cluster.instance("B")),
        None,
        None,
    )
    .await;
    assert_eq!(
        answer.body["price"], "12.50",
        "instance B still serves the old price"
    );
    let mut upstreams = BTreeSet::new();
    for _ in 0..2 {
        let answer = call(&reader, Method::GET, &detail(cluster.nginx()), None, None).await;
        assert_eq!(
            answer.body["price"],
            "12.50",
            "nginx served the old price from {}",
            header(&answer, "x-upstream")
        );
        upstreams.insert(header(&answer, "x-upstream").to_owned());
    }
    assert_eq!(upstreams.len(), 2, "both instances answered through nginx");
}

async fn the_login_rate_limit_is_shared_by_both_instances(cluster: &Cluster) {
    // SPEC 3.8: 5 logins per 5 minutes per IP. Alternating instances, a per-instance limit would
    // let 10 through; the shared one refuses the 6th.
    let attacker = client(30);
    let mut statuses = Vec::new();
    for attempt in 0..8 {
        let instance = cluster.instance(if attempt % 2 == 0 { "A" } else { "B" });
        let answer = call(&attacker, Method::POST, &format!("{instance}/api/v1/auth/jwt/create/"), None,
            Some(&json!({"email": format!("nobody{attempt}@cluster.test"), "password": "wrong-password-1"}))).await;
        if answer.status == 429 {
            assert!(header(&answer, "retry-after").parse::<u64>().unwrap() >= 1);
            assert_eq!(answer.body["code"], "throttled");
        }
        statuses.push(answer.status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
}

async fn uploaded_images_are_served_by_nginx_and_oversized_bodies_refused_there(cluster: &Cluster) {
    let token = cluster.staff_token().await;
    let id = cluster.create_product(&token, "Cluster Poster", 3).await;
    let nginx = cluster.nginx();
    let staff = client(20);
    let mut png = Vec::new();
    let pixels =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let upload = |bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("poster.png")
            .mime_str("image/png")
            .unwrap();
        staff
            .post(format!("{nginx}/api/v1/products/{id}/images/"))
            .bearer_auth(&token)
            .multipart(reqwest::multipart::Form::new().part("image", part))
            .send()
    };

    let response = upload(png).await.unwrap();
    assert_eq!(response.status(), 201);
    let image: Value = response.json().await.unwrap();
    // The URL is absolute (https://host/media/...); fetch its path through nginx.
    let url = image["url"].as_str().unwrap();
    let path = &url[url.find("/media/").unwrap_or_else(|| panic!("{url}"))..];
    let file = staff.get(format!("{nginx}{path}")).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert!(
        file.headers().get("x-upstream").is_none(),
        "nginx served the file itself, no instance did"
    );
    let content_type = file.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("image/"), "{content_type}");
    let on_disk = std::fs::read(
        cluster
            .dir
            .path()
            .join("media")
            .join(&path["/media/".len()..]),
    )
    .unwrap();
    assert_eq!(
        file.bytes().await.unwrap(),
        on_disk,
        "nginx serves MEDIA_ROOT's file"
    );

    // Above the app's upload limit (5 MiB + 64 KiB) nginx answers, in the API's error format.
    let response = upload(vec![0; 5 * 1024 * 1024 + 100 * 1024]).await.unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.headers().get("x-upstream").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");
}

/// What the load loops saw.
#[derive(Default)]
struct Tally {
    ok: usize,
    failures: Vec<String>,
}

async fn killing_an_instance_mid_traffic_loses_no_get_and_no_order(cluster: &Cluster) {
    let token = cluster.staff_token().await;
    const STOCK: i64 = 100_000;
    let product = cluster.create_product(&token, "Cluster Mug", STOCK).await;
    let nginx = cluster.nginx();

    // Customers register through nginx, each from its own address (registration: 3/hour per IP).
    let mut customers = Vec::new();
    for n in 0..4u8 {
        let answer = call(
            &client(100 + n),
            Method::POST,
            &format!("{nginx}/api/v1/auth/users/"),
            None,
            Some(
                &json!({"email": format!("buyer{n}@cluster.test"), "username": format!("buyer{n}"),
                "password": "Sturdy-Buyer-Passphrase-7"}),
            ),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        customers.push((
            n,
            answer.body["user"]["id"].as_i64().unwrap(),
            answer.body["access"].as_str().unwrap().to_owned(),
        ));
    }

    let stop = Arc::new(AtomicBool::new(false));
    // Readers: anonymous (cached) and authenticated (uncached, so they are in flight longer)
    // GETs, each reader from its own address, at about nginx's per-IP rate.
    let mut readers = Vec::new();
    for n in 0..6u8 {
        let (stop, nginx) = (stop.clone(), nginx.clone());
        let token = customers[usize::from(n) % customers.len()].2.clone();
        readers.push(tokio::spawn(async move {
            let client = client(200 + n);
            let mut tally = Tally::default();
            let urls = [
                format!("{nginx}/api/v1/products/{product}/"),
                format!("{nginx}/api/v1/products/?page_size=5"),
                format!("{nginx}/api/v1/orders/"),
            ];
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let token = (i % 3 == 2).then_some(token.as_str());
                match try_call(&client, Method::GET, &urls[i % 3], token, None, &[]).await {
                    Ok(a) if a.status.is_success() => tally.ok += 1,
                    Ok(a) => tally.failures.push(format!("{} {}", a.status, a.body)),
                    Err(e) => tally.failures.push(e.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tally
        }));
    }
    let mut buyers = Vec::new();
    for (n, user_id, token) in customers {
        let (stop, nginx) = (stop.clone(), nginx.clone());
        buyers.push(tokio::spawn(async move {
            let client = client(100 + n);
            let body = json!({"items": [{"product_id": product, "quantity": 1}]});
            // (key, order id) of every order that answered 2xx, and how many attempts were retried.
            let (mut placed, mut retries, mut failures) = (Vec::new(), 0usize, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let key = uuid::Uuid::new_v4().to_string();
                let mut outcome = None;
                for _attempt in 0..50 {
                    match try_call(
                        &client,
                        Method::POST,
                        &format!("{nginx}/api/v1/orders/"),
                        Some(&token),
                        Some(&body),
                        &[("Idempotency-Key", &key)],
                    )
                    .await
                    {
                        Ok(a) if a.status.is_success() => {
                            outcome = Some(a.body["id"].as_i64().unwrap());
                            break;
                        }
                        // The instance died with the request (502/503 from nginx), or a replay
                        // raced the first attempt: retry with the same key.
                        Ok(a)
                            if [502, 503, 504].contains(&a.status.as_u16())
                                || a.body["code"] == "idempotency_in_progress" =>
                        {
                            retries += 1
                        }
                        Ok(a) => {
                            failures.push(format!("{} {}", a.status, a.body));
                            break;
                        }
                        Err(_) => retries += 1,
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                match outcome {
                    Some(id) => placed.push((key, id)),
                    None => failures.push(format!("key {key} never succeeded")),
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (user_id, placed, retries, failures)
        }));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = Command::new("kill")
        .args(["-KILL", cluster.get("A_PID")])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -KILL instance A");
    // Past nginx's fail_timeout (5 s), so it also sends live traffic to the dead instance again.
    tokio::time::sleep(Duration::from_millis(6000)).await;
    stop.store(true, Ordering::Relaxed);

    let mut reads = Tally::default();
    for reader in readers {
        let tally = reader.await.unwrap();
        reads.ok += tally.ok;
        reads.failures.extend(tally.failures);
    }
    let db = cluster.db().await;
    let (mut orders, mut retried) = (0usize, 0usize);
    let mut ordered_users = Vec::new();
    for buyer in buyers {
        let (user_id, placed, retries, failures) = buyer.await.unwrap();
        assert!(failures.is_empty(), "checkout failures: {failures:?}");
        retried += retries;
        orders += placed.len();
        ordered_users.push(user_id);
        for (key, order_id) in placed {
            let stored: Vec<i64> = sqlx::query_scalar(
                "SELECT k.order_id FROM idempotency_keys k JOIN orders o ON o.id = k.order_id \
                 WHERE k.user_id = $1 AND k.idempotency_key = $2",
            )
            .bind(user_id)
            .bind(&key)
            .fetch_all(&db.pool)
            .await
            .unwrap();
            assert_eq!(
                stored,
                [order_id],
                "key {key} maps to exactly its one order"
            );
        }
    }
    eprintln!(
        "failover: {} GETs ok, {} failed; {orders} orders placed, {retried} retried attempts",
        reads.ok,
        reads.failures.len()
    );
    assert!(
        reads.failures.is_empty(),
        "GETs lost during the kill: {:?}",
        reads.failures
    );
    assert!(
        reads.ok > 50 && orders > 10,
        "too little traffic to mean anything"
    );

    // Every order in the database is one a client was told about: no orphan from a retry.
    let in_db: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(in_db as usize, orders);
    // The books balance: stock = starting stock - units sold = the sum of its movements.
    let stock: i64 = sqlx::query_scalar("SELECT stock_quantity FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let moved: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(delta) AS BIGINT) FROM stock_movements WHERE product_id = $1",
    )
    .bind(product)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let sold: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items WHERE product_id = $1",
    )
    .bind(product)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(sold as usize, orders);
    assert_eq!(stock, STOCK - sold);
    assert_eq!(moved, stock);
    db.pool.close().await;
}
