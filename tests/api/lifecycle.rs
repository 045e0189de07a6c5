//! The real `nexus` binary's life cycle: graceful shutdown bounded by `SHUTDOWN_GRACE_PERIOD`,
//! and a start that waits for an unreachable PostgreSQL instead of crashing.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    path::Path,
    time::{Duration, Instant},
};

use crate::helpers::free_port;
use crate::nexus_process::{nexus, Server, TEST_SECRET_KEY};

/// `nexus <command>` in `dir` with a test signing key and `vars` on top.
fn run(command: &str, dir: &Path, vars: &[(&str, &str)]) -> Server {
    let vars = [&[("SECRET_KEY", TEST_SECRET_KEY)][..], vars].concat();
    Server::spawn(nexus(dir, command, &vars))
}

/// `nexus serve` the same way.
fn start(dir: &Path, vars: &[(&str, &str)]) -> Server {
    run("serve", dir, vars)
}

/// A registration whose body is only half sent: the request is in flight until the rest comes.
fn half_sent_registration(address: SocketAddr) -> (TcpStream, Vec<u8>) {
    let body = serde_json::json!({
        "email": "late@example.com",
        "username": "late",
        "password": "Correct-Horse-Battery-9",
    })
    .to_string();
    let head = format!(
        "POST /api/v1/auth/users/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(address).unwrap();
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first).unwrap();
    stream.flush().unwrap();
    (stream, rest.to_vec())
}

/// Waits until the server is serving a request besides the `/metrics` scrape asking, i.e. it
/// has read the half-sent request's head: a connection whose head is not read yet counts as idle
/// and is closed at shutdown. A fixed pause was not enough on a loaded machine (CI, 2026-12-06
/// and 2026-12-07), nor was a second connection's request answered first.
fn wait_until_in_flight(address: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let (_, answer) = get_answer(address, "/metrics").unwrap();
        let in_flight = answer
            .lines()
            .find_map(|line| line.strip_prefix("http_requests_in_flight "))
            .and_then(|value| value.trim().parse::<f64>().ok());
        if in_flight.is_some_and(|count| count >= 2.0) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the half-sent request never came in flight");
}

/// The status code of a raw HTTP/1.1 answer read to its end.
fn read_status(stream: &mut TcpStream) -> (u16, String) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    (status, answer)
}

/// `GET path` over a fresh connection: the status.
fn get(address: SocketAddr, path: &str) -> std::io::Result<u16> {
    Ok(get_answer(address, path)?.0)
}

/// `GET path` over a fresh connection: the status and the whole answer.
fn get_answer(address: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )?;
    Ok(read_status(&mut stream))
}

/// Retries connecting until the listener is gone (the signal is handled asynchronously).
fn connections_are_refused(address: SocketAddr) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if TcpStream::connect(address).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn sigterm_lets_an_in_flight_request_finish_refuses_new_connections_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let mut server = start(dir.path(), &[("DATABASE_URL", &url)]);
    let address = server.address();
    let (mut stream, rest) = half_sent_registration(address);
    wait_until_in_flight(address);

    server.terminate();
    assert!(server
        .wait_for("shutdown signal received", Duration::from_secs(10))
        .is_some());
    assert!(
        connections_are_refused(address),
        "new connections are refused after the signal"
    );
    assert!(
        server.wait_exit(Duration::from_millis(500)).is_none(),
        "the process waits for the in-flight request"
    );

    stream.write_all(&rest).unwrap();
    let (status, answer) = read_status(&mut stream);
    assert_eq!(status, 201, "{answer}");
    assert!(answer.contains("late@example.com"), "{answer}");
    let exit = server
        .wait_exit(Duration::from_secs(10))
        .expect("the process exits soon after");
    assert!(exit.success(), "{exit:?}");
    assert!(server.wait_for("stopped", Duration::from_secs(1)).is_some());
    assert!(server
        .wait_for("shutdown grace period expired", Duration::ZERO)
        .is_none());
}

#[test]
fn sigterm_right_after_start_still_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let mut server = start(dir.path(), &[("DATABASE_URL", &url)]);
    // The moment the server says it is serving, before it has necessarily polled anything.
    server.address();
    server.terminate();
    let exit = server
        .wait_exit(Duration::from_secs(10))
        .expect("the process exits");
    assert!(
        exit.success(),
        "killed by the signal instead of draining: {exit:?}"
    );
    assert!(server.wait_for("stopped", Duration::from_secs(1)).is_some());
}

#[test]
fn the_grace_period_bounds_how_long_shutdown_waits_for_a_stuck_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let mut server = start(
        dir.path(),
        &[("DATABASE_URL", &url), ("SHUTDOWN_GRACE_PERIOD", "1")],
    );
    let address = server.address();
    // Never completed: without a bound the process would wait for it forever.
    let (_stream, _rest) = half_sent_registration(address);
    wait_until_in_flight(address);

    let signalled = Instant::now();
    server.terminate();
    let exit = server
        .wait_exit(Duration::from_secs(10))
        .expect("the process exits after the grace period");
    assert!(exit.success(), "{exit:?}");
    assert!(signalled.elapsed() >= Duration::from_secs(1));
    let expired = server
        .wait_for("shutdown grace period expired", Duration::from_secs(1))
        .expect("the expiry is logged");
    assert_eq!(expired["cut_off"], 1, "{expired}");
    assert!(server.wait_for("stopped", Duration::from_secs(1)).is_some());
}

#[test]
fn start_retries_an_unreachable_database_then_gives_up_without_showing_the_password() {
    retries_an_unreachable_database_then_gives_up("serve");
}

#[test]
fn migrate_waits_for_an_unreachable_database_like_serve() {
    retries_an_unreachable_database_then_gives_up("migrate");
}

fn retries_an_unreachable_database_then_gives_up(command: &str) {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = free_port();
    let url = format!("postgres://shop:hunter2@127.0.0.1:{port}/shop");
    let mut server = run(
        command,
        dir.path(),
        &[("DATABASE_URL", &url), ("DATABASE_CONNECT_TIMEOUT", "2")],
    );
    let retry = server
        .wait_for(
            "database not reachable yet, retrying in 1s",
            Duration::from_secs(10),
        )
        .unwrap_or_else(|| panic!("no retry line; log: {:?}", server.seen));
    assert_eq!(retry["attempt"], 1);
    assert_eq!(retry["error"], "io: connection refused");
    assert_eq!(
        retry["database"],
        format!("postgres://***@127.0.0.1:{port}/shop")
    );
    let exit = server
        .wait_exit(Duration::from_secs(15))
        .expect("it gives up after DATABASE_CONNECT_TIMEOUT");
    assert!(!exit.success());
    server.wait_for("never logged", Duration::from_millis(200));
    let log = format!("{:?}", server.seen);
    assert!(!log.contains("hunter2"), "{log}");
}

/// `TEST_DATABASE_URL` with another database name.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn start_waits_for_a_database_that_refuses_connections_then_serves() {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect(crate::helpers::POSTGRES_UNSET);
    let name = format!("nexus_test_{}", uuid::Uuid::new_v4().simple());
    let admin = |sql: String| {
        let admin_url = admin_url.clone();
        async move {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                .await
                .unwrap();
            sqlx::Executor::execute(&mut conn, sql.as_str())
                .await
                .unwrap();
        }
    };
    admin(format!("CREATE DATABASE {name}")).await;
    admin(format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
    ))
    .await;

    let dir = tempfile::tempdir().unwrap();
    // A fixed port, so "not listening yet" can be observed before the server says where it is.
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = start(
        dir.path(),
        &[
            ("DATABASE_URL", &with_database(&admin_url, &name)),
            ("BIND_ADDR", &bind),
            ("DATABASE_CONNECT_TIMEOUT", "60"),
        ],
    );
    let retry = server
        .wait_for(
            "database not reachable yet, retrying in",
            Duration::from_secs(30),
        )
        .unwrap_or_else(|| panic!("no retry line; log: {:?}", server.seen));
    assert_eq!(retry["attempt"], 1, "{retry}");
    assert!(
        retry["error"]
            .as_str()
            .unwrap()
            .contains("not currently accepting connections"),
        "{retry}"
    );
    let address: SocketAddr = bind.parse().unwrap();
    assert!(
        get(address, "/health/liveness/").is_err(),
        "not serving before the database answers"
    );
    assert!(
        server.wait_exit(Duration::from_millis(1500)).is_none(),
        "still waiting, not crashed"
    );

    admin(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")).await;
    assert_eq!(server.address(), address);
    assert_eq!(get(address, "/health/").unwrap(), 200);
    assert_eq!(get(address, "/health/readiness/").unwrap(), 200);

    drop(server);
    admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}
