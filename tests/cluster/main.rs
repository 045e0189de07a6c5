//! The production topology end to end: `deploy/local-cluster.sh start` runs two `nexus serve`
//! instances on one PostgreSQL database and one Redis behind nginx (the shipped
//! `deploy/nginx.conf`), and these tests talk to it over real sockets.
//!
//! The tests share one cluster and run in order (the last one kills an instance), so this binary
//! runs them with `libtest-mimic` (`harness = false`) on one thread, and always stops the cluster.
//! They are reported ignored, with the reason, when nginx, psql, curl or openssl is missing or
//! `TEST_DATABASE_URL` / `TEST_REDIS_URL` is unset — or fail instead when `NEXUS_REQUIRE_CLUSTER=1`
//! (CI sets it, so a machine without nginx can't pass by skipping them).
//!
//! Every simulated client connects from its own loopback address (`127.0.0.x`): nginx and the app
//! then see distinct client IPs, as they would in production, so per-IP limits don't mix clients.
//!
//! `support.rs` starts and stops the cluster and holds the HTTP helpers; the tests are grouped in
//! `topology.rs` (nginx in front), `shared_state.rs` (what the instances share through
//! PostgreSQL and Redis) and `failover.rs` (an instance killed mid-traffic).

mod failover;
mod notifications;
mod shared_state;
mod support;
mod topology;

use std::{
    future::Future,
    path::PathBuf,
    pin::Pin,
    process::ExitCode,
    sync::{Arc, OnceLock},
};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use failover::killing_an_instance_mid_traffic_loses_no_get_and_no_order;
use notifications::{
    a_notification_announced_over_redis_reaches_a_stream_held_on_b_through_nginx,
    a_notification_made_through_a_reaches_a_stream_held_on_b_through_nginx,
};
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
        "a_notification_announced_over_redis_reaches_a_stream_held_on_b_through_nginx",
        |c| {
            Box::pin(
                a_notification_announced_over_redis_reaches_a_stream_held_on_b_through_nginx(c),
            )
        },
    ),
    (
        "a_notification_made_through_a_reaches_a_stream_held_on_b_through_nginx",
        |c| Box::pin(a_notification_made_through_a_reaches_a_stream_held_on_b_through_nginx(c)),
    ),
    (
        "killing_an_instance_mid_traffic_loses_no_get_and_no_order",
        |c| Box::pin(killing_an_instance_mid_traffic_loses_no_get_and_no_order(c)),
    ),
];

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    // One shared cluster, tests in the order above.
    args.test_threads = Some(1);
    let shared = Arc::new(Shared {
        skip: prerequisites().err(),
        runtime: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
        cluster: OnceLock::new(),
    });
    let trials = TESTS
        .iter()
        .map(|&(name, test)| {
            let shared = shared.clone();
            Trial::ignorable_test(name, move || shared.run(test))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // The trials (and their handles) are gone: this drops the cluster, which stops it.
    drop(shared);
    conclusion.exit_code()
}

/// What the tests share: the cluster, started by the first test that runs (a run that filters
/// every test out starts nothing) and stopped when the run is over.
struct Shared {
    /// Why the cluster can't run on this machine, if it can't.
    skip: Option<String>,
    runtime: tokio::runtime::Runtime,
    cluster: OnceLock<Result<Cluster, String>>,
}

impl Shared {
    fn run(&self, test: TestFn) -> Result<Completion, Failed> {
        if let Some(reason) = &self.skip {
            if cluster_required() {
                return Err(format!("NEXUS_REQUIRE_CLUSTER=1 but {reason}").into());
            }
            return Ok(Completion::ignored_with(reason));
        }
        let cluster = self
            .cluster
            .get_or_init(Cluster::start)
            .as_ref()
            .map_err(|err| Failed::from(err.as_str()))?;
        self.runtime.block_on(test(cluster));
        Ok(Completion::Completed)
    }
}

/// `NEXUS_REQUIRE_CLUSTER=1`: missing prerequisites fail the tests instead of skipping them.
fn cluster_required() -> bool {
    std::env::var("NEXUS_REQUIRE_CLUSTER").is_ok_and(|v| v == "1")
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
