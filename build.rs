//! Compile-time switches for the test suites. libtest can't mark a test ignored at run time, so a
//! test that needs PostgreSQL, Redis, a real SMTP server or a real browser carries
//! `#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]` (or the Redis
//! or SMTP twin), and this script turns the cfg on when the variable is set. Cargo reruns it
//! whenever a variable changes, so setting or unsetting one rebuilds what depends on it.

/// (environment variable, cfg it turns on). `NEXUS_SMTP_SERVER` is the `aiosmtpd` executable
/// (tests/api/smtp_server.rs; `.ci/run` installs it).
/// `NEXUS_CHROMEDRIVER` is Debian's `chromedriver` (tests/api/dashboard/chromium.rs; `.ci/run`
/// installs it with Chromium).
const SERVICES: [(&str, &str); 4] = [
    ("TEST_DATABASE_URL", "nexus_test_postgres"),
    ("TEST_REDIS_URL", "nexus_test_redis"),
    ("NEXUS_SMTP_SERVER", "nexus_test_smtp"),
    ("NEXUS_CHROMEDRIVER", "nexus_test_browser"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (variable, cfg) in SERVICES {
        println!("cargo::rerun-if-env-changed={variable}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var(variable).is_ok_and(|value| !value.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
