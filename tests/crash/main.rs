//! Crash safety: the real `nexus` binary is killed with SIGKILL in the middle of concurrent
//! checkouts (explicit items, from the cart, `Idempotency-Key` retries and replays) and staff
//! stock adjustments, restarted on the same database, and the clients go on. After several
//! rounds with random kill points the database is read directly: every order a client saw `201`
//! for exists whole, every acknowledged adjustment is recorded, the books balance, nothing is
//! orphaned, and no `Idempotency-Key` has more than one order (docs/orders.md, "Crash safety").
//!
//! This covers process crashes (a kill, an OOM kill, a panic abort), not power loss: SQLite in
//! WAL mode loses nothing to a process kill even with `synchronous=NORMAL`, because a commit has
//! written its pages to the operating system before it returns; only an OS crash or power loss
//! can lose them (what `synchronous=FULL` guards against), and no test here can cause one.
//!
//! Runs on SQLite always and on a fresh PostgreSQL database when `TEST_DATABASE_URL` is set
//! (ignored otherwise, with the reason). The seed of the random choices and kill points is
//! printed; `NEXUS_CRASH_SEED=<seed>` repeats them (the interleaving of requests still varies).

mod books;
mod server;
mod workload;

use std::{
    io::Write,
    path::Path,
    sync::{atomic::Ordering, Once},
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use server::Server;
use workload::{Customer, Outcome, Product, Round, Staff};

/// Kill-and-restart rounds (then one last restart to retry what is unanswered and read the books).
const ROUNDS: usize = 12;
const CUSTOMERS: usize = 6;
const STAFF: usize = 2;
/// The kill comes at a random point up to this long after the round's first acknowledged order
/// (so every round has orders to lose, and the kill lands among requests in flight).
const MAX_KILL_DELAY: Duration = Duration::from_millis(800);
/// A round with no acknowledged order by then fails the test.
const FIRST_ORDER_TIMEOUT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "Crash-Test-Passphrase-42";

/// (title, price, starting stock): the last one runs out, so refusals are killed mid-way too.
const CATALOG: &[(&str, &str, i64)] = &[
    ("Crash mug", "12.50", 5_000),
    ("Crash lamp", "39.99", 5_000),
    ("Crash pen", "0.99", 5_000),
    ("Crash desk", "249.00", 5_000),
    ("Crash print", "75.00", 30),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_checkout_loses_nothing_it_acknowledged_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    crash_rounds("SQLite", dir.path(), &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn a_server_killed_mid_checkout_loses_nothing_it_acknowledged_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = postgres::Database::create().await;
    crash_rounds("PostgreSQL", dir.path(), &database.url).await;
}

/// What one round saw.
struct RoundReport {
    orders: usize,
    adjustments: usize,
    interrupted: usize,
    killed_after: Duration,
}

async fn crash_rounds(engine: &str, dir: &Path, database_url: &str) {
    let started = Instant::now();
    let seed = std::env::var("NEXUS_CRASH_SEED")
        .ok()
        .map(|s| s.parse().expect("NEXUS_CRASH_SEED is a number"))
        .unwrap_or_else(rand::random::<u64>);
    let _ = writeln!(
        std::io::stderr(),
        "crash test on {engine}: seed {seed} (NEXUS_CRASH_SEED={seed} repeats it)"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    let mut server = start(dir, database_url);
    let (products, mut customers, mut staff) = set_up(&server.address, database_url, seed).await;
    let mut start_times = vec![server.started_in];

    let mut rounds = Vec::new();
    for number in 1..=ROUNDS {
        if number > 1 {
            server = start(dir, database_url);
            start_times.push(server.started_in);
        }
        let round = Round::new(number, server.address.clone());
        // Each customer first retries the key a kill left unanswered, on the restarted server.
        let customer_tasks: Vec<_> = customers
            .drain(..)
            .map(|c| tokio::spawn(c.run(round.clone())))
            .collect();
        let staff_tasks: Vec<_> = staff
            .drain(..)
            .map(|s| tokio::spawn(s.run(round.clone())))
            .collect();

        let waiting = Instant::now();
        while round.orders.load(Ordering::SeqCst) == 0 && waiting.elapsed() < FIRST_ORDER_TIMEOUT {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let first_order = waiting.elapsed();
        if round.orders.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(rng.gen_range(Duration::ZERO..=MAX_KILL_DELAY)).await;
        }
        round.killed.store(true, Ordering::SeqCst);
        tokio::task::block_in_place(|| server.kill());
        for task in customer_tasks {
            customers.push(task.await.unwrap());
        }
        for task in staff_tasks {
            staff.push(task.await.unwrap());
        }
        let report = RoundReport {
            orders: round.orders.load(Ordering::SeqCst),
            adjustments: round.adjustments.load(Ordering::SeqCst),
            interrupted: round.interrupted.load(Ordering::SeqCst),
            killed_after: waiting.elapsed(),
        };
        assert!(
            report.orders > 0,
            "round {number}: no order acknowledged within {first_order:?}; server log:\n{}",
            server::tail(&dir.join("server.log"))
        );
        rounds.push(report);
    }

    // The last restart: every unanswered key is retried, answered keys are replayed.
    server = start(dir, database_url);
    start_times.push(server.started_in);
    let round = Round::new(ROUNDS + 1, server.address.clone());
    for customer in &mut customers {
        customer.resolve(&round).await;
        let retried: Vec<usize> = (0..customer.keys.len())
            .filter(|&i| customer.keys[i].interrupted > 0)
            .collect();
        for index in retried {
            let _ = customer.replay_key(&round, index).await;
        }
    }
    tokio::task::block_in_place(|| server.kill());

    let pool = connect(database_url).await;
    let findings = books::check(&pool, &products, &customers, &staff).await;
    pool.close().await;
    report(
        engine,
        seed,
        &rounds,
        &start_times,
        &customers,
        &staff,
        findings,
        started.elapsed(),
    );
}

fn start(dir: &Path, database_url: &str) -> Server {
    tokio::task::block_in_place(|| Server::start(dir, database_url))
}

async fn connect(database_url: &str) -> sqlx::AnyPool {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
    sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(database_url)
        .await
        .expect("the test reaches the database")
}

/// Registers the customers and staff (promoted in SQL: no endpoint makes staff) and creates the
/// catalog through the API as staff.
async fn set_up(
    address: &str,
    database_url: &str,
    seed: u64,
) -> (Vec<Product>, Vec<Customer>, Vec<Staff>) {
    let client = reqwest::Client::new();
    let post = |path: &'static str, token: Option<&str>, body: Value| {
        let mut request = client.post(format!("{address}/api/v1/{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 201, "POST {path}: {body}");
            body
        }
    };
    let mut users = Vec::new();
    for n in 0..CUSTOMERS + STAFF {
        let body = post(
            "auth/users/",
            None,
            json!({"email": format!("crash{n}@example.com"), "username": format!("crash{n}"),
                   "password": PASSWORD}),
        )
        .await;
        users.push((
            body["user"]["id"].as_i64().unwrap(),
            body["access"].as_str().unwrap().to_owned(),
        ));
    }
    let staff_users = users.split_off(CUSTOMERS);
    let pool = connect(database_url).await;
    for (id, _) in &staff_users {
        sqlx::query("UPDATE users SET role = 'staff' WHERE id = $1")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
    // The server alone holds the database when the kills come.
    pool.close().await;

    let token = staff_users[0].1.as_str();
    let category = post("categories/", Some(token), json!({"name": "Crash shelf"})).await;
    let mut products = Vec::new();
    for (title, price, stock) in CATALOG {
        let body = post(
            "products/",
            Some(token),
            json!({"title": title, "price": price, "stock_quantity": stock,
                   "category": category["id"]}),
        )
        .await;
        products.push(Product {
            id: body["id"].as_i64().unwrap(),
            initial_stock: *stock,
        });
    }
    let rng = |n: usize| ChaCha8Rng::seed_from_u64(seed.wrapping_add(1 + n as u64));
    let customers = users
        .into_iter()
        .enumerate()
        .map(|(n, (id, token))| Customer::new(id, token, rng(n), products.clone()))
        .collect();
    let staff = staff_users
        .into_iter()
        .enumerate()
        .map(|(n, (_, token))| Staff::new(n, token, rng(CUSTOMERS + n), products.clone()))
        .collect();
    (products, customers, staff)
}

/// Prints the numbers, then fails on any violation or on a run that proved nothing.
#[allow(clippy::too_many_arguments)]
fn report(
    engine: &str,
    seed: u64,
    rounds: &[RoundReport],
    start_times: &[Duration],
    customers: &[Customer],
    staff: &[Staff],
    findings: books::Findings,
    elapsed: Duration,
) {
    let keys = customers.iter().flat_map(|c| &c.keys);
    let placed = keys
        .clone()
        .filter(|k| matches!(k.outcome, Outcome::Placed(_)))
        .count();
    let cut: Vec<_> = keys.clone().filter(|k| k.interrupted > 0).collect();
    let cut_committed = cut.iter().filter(|k| k.replayed_after_kill).count();
    let cut_placed_on_retry = cut
        .iter()
        .filter(|k| matches!(k.outcome, Outcome::Placed(_)) && !k.replayed_after_kill)
        .count();
    let cut_refused = cut
        .iter()
        .filter(|k| matches!(k.outcome, Outcome::Refused(_)))
        .count();
    let adjustments = staff.iter().flat_map(|s| &s.adjustments);
    let acknowledged_adjustments = adjustments.clone().filter(|a| a.movement.is_some()).count();
    let cut_adjustments = adjustments.clone().filter(|a| a.cut).count();
    let interrupted: usize = rounds.iter().map(|r| r.interrupted).sum();
    let replays: usize = customers.iter().map(|c| c.replays).sum();
    let mut violations = findings.violations;
    for customer in customers {
        violations.extend(customer.violations.iter().cloned());
        violations.extend(customer.errors.unexpected.iter().cloned());
    }
    for member in staff {
        violations.extend(member.violations.iter().cloned());
        violations.extend(member.errors.unexpected.iter().cloned());
    }
    let per_round: Vec<String> = rounds
        .iter()
        .map(|r| {
            format!(
                "{}/{}/{}@{}ms",
                r.orders,
                r.adjustments,
                r.interrupted,
                r.killed_after.as_millis()
            )
        })
        .collect();
    let slowest_start = start_times.iter().max().unwrap();
    let numbers = format!(
        "crash test on {engine}, seed {seed}: {} rounds in {:.1} s (orders/adjustments/cut \
         requests @ kill time per round: {})\n  \
         orders acknowledged {placed}, found after restart {}; adjustments acknowledged \
         {acknowledged_adjustments}, found {} (cut by a kill {cut_adjustments}, of those \
         recorded {})\n  \
         requests cut in flight {interrupted}; checkouts cut {}: committed before the kill \
         (replayed) {cut_committed}, placed on retry {cut_placed_on_retry}, refused on retry \
         {cut_refused}; replays answered with the same order {replays}; slowest start to serving \
         {:.2} s; violations {}\n",
        rounds.len(),
        elapsed.as_secs_f64(),
        per_round.join(", "),
        findings.orders_found,
        findings.adjustments_found,
        findings.cut_adjustments_recorded,
        cut.len(),
        slowest_start.as_secs_f64(),
        violations.len()
    );
    // Straight to the stream, past libtest's capture: the numbers show in every run (CI's log).
    let _ = std::io::stderr().write_all(numbers.as_bytes());
    assert!(
        violations.is_empty(),
        "crash test on {engine} (seed {seed}):\n{}",
        violations.join("\n")
    );
    assert_eq!(findings.orders_found, placed);
    assert_eq!(findings.adjustments_found, acknowledged_adjustments);
    assert!(
        interrupted > 0,
        "no kill landed on a request in flight (seed {seed}): the run proved nothing"
    );
}

mod postgres {
    //! A fresh PostgreSQL database for one run, dropped afterwards.

    /// A database created on the server of `TEST_DATABASE_URL`.
    pub struct Database {
        pub url: String,
        admin_url: String,
        name: String,
    }

    impl Database {
        pub async fn create() -> Database {
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .ok()
                .filter(|url| !url.is_empty())
                .expect("TEST_DATABASE_URL was set when this test was built but is not set now");
            let name = format!("nexus_crash_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL points at a reachable PostgreSQL");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            let (base, query) = admin_url
                .split_once('?')
                .map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
            let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
            let url = match query {
                Some(query) => format!("{base}/{name}?{query}"),
                None => format!("{base}/{name}"),
            };
            Database {
                url,
                admin_url,
                name,
            }
        }
    }

    impl Drop for Database {
        fn drop(&mut self) {
            let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
            // Drop runs inside the test's runtime: drop the database from a thread of its own.
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async {
                        if let Ok(mut conn) =
                            <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await
                        {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = sqlx::Executor::execute(&mut conn, sql.as_str()).await;
                        }
                    });
            })
            .join();
        }
    }
}
