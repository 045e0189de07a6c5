//! The suite's own closing line tells what ran: a test that needs a service that isn't configured
//! is reported ignored, with the reason, never passed without running (build.rs sets the cfgs).
//! The test binary lists its own tests (`--list`, as libtest offers) to check it.

use std::process::Command;

/// The names this test binary lists with `args` (e.g. `--ignored`).
fn listed(args: &[&str]) -> Vec<String> {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--format", "terse"])
        .args(args)
        .output()
        .expect("the test binary lists its tests");
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

fn needs_postgres(name: &str) -> bool {
    name.ends_with("::postgres") || name.ends_with("_postgres")
}

/// The delivery tests (tests/api/mail/) need a real SMTP server (`NEXUS_SMTP_SERVER`).
fn needs_smtp(name: &str) -> bool {
    name.starts_with("mail::")
}

#[test]
fn postgres_tests_are_reported_ignored_exactly_when_test_database_url_is_unset() {
    let all = listed(&[]);
    let ignored = listed(&["--ignored"]);
    let postgres: Vec<&String> = all.iter().filter(|name| needs_postgres(name)).collect();
    assert!(
        postgres.len() > 200,
        "every api_test! has a PostgreSQL twin"
    );
    for name in postgres {
        let runs = cfg!(nexus_test_postgres) && (cfg!(nexus_test_smtp) || !needs_smtp(name));
        assert_eq!(
            ignored.contains(name),
            !runs,
            "{name}: ignored must mean TEST_DATABASE_URL (or NEXUS_SMTP_SERVER) was unset at build time"
        );
    }
}

#[test]
fn smtp_tests_are_reported_ignored_exactly_when_nexus_smtp_server_is_unset() {
    let all = listed(&[]);
    let ignored = listed(&["--ignored"]);
    let smtp: Vec<&String> = all
        .iter()
        .filter(|name| needs_smtp(name) && !needs_postgres(name))
        .collect();
    assert!(smtp.len() >= 7, "the delivery tests are listed: {smtp:?}");
    for name in smtp {
        assert_eq!(
            ignored.contains(name),
            !cfg!(nexus_test_smtp),
            "{name}: ignored must mean NEXUS_SMTP_SERVER was unset at build time"
        );
    }
}

#[test]
#[cfg_attr(
    not(all(nexus_test_postgres, nexus_test_redis, nexus_test_smtp)),
    ignore = "TEST_DATABASE_URL, TEST_REDIS_URL or NEXUS_SMTP_SERVER is not set"
)]
fn with_every_service_configured_no_test_is_ignored() {
    assert_eq!(listed(&["--ignored"]), Vec::<String>::new());
}
