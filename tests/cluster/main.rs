//! The production topology end to end: `deploy/local-cluster.sh start` runs two `nexus serve`
//! instances on one PostgreSQL database and one Redis behind nginx (the shipped
//! `deploy/nginx.conf`), and these tests talk to it over real sockets.
//!
//! The tests share one cluster and run in order (the last one kills an instance), so this binary has
//! its own small runner (`harness = false`): it prints libtest-style lines, honours name filters,
//! `--skip` and `--list`, and always stops the cluster. It skips, with a line saying why, when
//! nginx, psql, curl or openssl is missing or `TEST_DATABASE_URL` / `TEST_REDIS_URL` is unset.
//!
//! Every simulated client connects from its own loopback address (`127.0.0.x`): nginx and the app
//! then see distinct client IPs, as they would in production, so per-IP limits don't mix clients.
//!
//! `support.rs` starts and stops the cluster and holds the HTTP helpers; the tests are grouped in
//! `topology.rs` (nginx in front), `shared_state.rs` (what the instances share through
//! PostgreSQL and Redis) and `failover.rs` (an instance killed mid-traffic).

mod failover;
mod shared_state;
mod support;
mod topology;

use std::{
    future::Future,
    panic::AssertUnwindSafe,
    path::PathBuf,
    pin::Pin,
    process::ExitCode,
    time::{Duration, Instant},
};

use failover::killing_an_instance_mid_traffic_loses_no_get_and_no_order;
use shared_state::{
    a_price_edit_through_one_instance_is_visible_at_once_through_the_other_and_nginx,
    the_login_rate_limit_is_shared_by_both_instances,
};
use support::Cluster;
use topology::{
    nginx_spreads_requests_over_both_instances,
    tls_is_terminated_by_nginx_and_plain_http_redirects_to_https,
    uploaded_images_are_served_by_nginx_and_oversized_bodies_refused_there,
};

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
