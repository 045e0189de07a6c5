//! `nexus check`, run as the built binary with settings in its environment.

use std::{io::Write, net::TcpListener, path::Path, process::Output};

use crate::nexus_process::{self, stdout};

/// Runs `nexus <command>` in a clean environment with only `vars` and warnings-only logs.
fn nexus(dir: &Path, command: &str, vars: &[(&str, &str)]) -> Output {
    let mut cmd = nexus_process::clean(dir, command);
    cmd.envs(vars.iter().copied()).env("LOG_LEVEL", "warn");
    cmd.output().expect("the binary runs")
}

/// The status of the row called `name`.
fn status<'a>(table: &'a str, name: &str) -> &'a str {
    table
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some(name))
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_else(|| panic!("no {name} row in\n{table}"))
}

/// A migrated SQLite database and a media directory in a temporary directory.
fn healthy() -> (tempfile::TempDir, Vec<(&'static str, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let vars = vec![
        (
            "DATABASE_URL",
            format!("sqlite://{}/nexus.db", dir.path().display()),
        ),
        ("MEDIA_ROOT", dir.path().join("media").display().to_string()),
        ("SECRET_KEY", nexus_process::TEST_SECRET_KEY.to_owned()),
    ];
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(nexus(dir.path(), "migrate", &borrowed).status.success());
    (dir, vars)
}

fn check(extra: &[(&str, &str)]) -> Output {
    let (dir, vars) = healthy();
    let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    nexus(dir.path(), "check", &all)
}

#[test]
fn a_healthy_sqlite_setup_passes_with_a_table() {
    let output = check(&[]);
    let table = stdout(&output);
    assert!(output.status.success(), "{table}");
    assert!(table.starts_with("STATUS"), "{table}");
    for name in [
        "SECRET_KEY",
        "database",
        "migrations",
        "REDIS_URL",
        "SMTP_URL",
        "MEDIA_ROOT",
        "EMAIL_FILE_PATH",
    ] {
        assert_eq!(status(&table, name), "OK", "{table}");
    }
    assert_eq!(status(&table, "DEBUG"), "WARN");
    assert!(table.contains("0 error(s)"), "{table}");
}

#[test]
fn production_with_the_default_key_is_an_error_row_not_a_crash() {
    let output = check(&[("DEBUG", "false"), ("SECRET_KEY", "")]);
    let table = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{table}");
    assert_eq!(status(&table, "SECRET_KEY"), "ERROR");
    assert_eq!(status(&table, "ALLOWED_HOSTS"), "ERROR");
    assert_eq!(status(&table, "PAYMENT_PROVIDER"), "ERROR");
    assert_eq!(status(&table, "database"), "OK");
}

#[test]
fn a_weak_key_in_production_fails_the_check() {
    for weak in [
        "short-key",
        "change-me-to-the-output-of-openssl-rand-hex-32",
    ] {
        let output = check(&[
            ("DEBUG", "false"),
            ("SECRET_KEY", weak),
            ("ALLOWED_HOSTS", "shop.example"),
        ]);
        let table = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{table}");
        assert_eq!(status(&table, "SECRET_KEY"), "ERROR", "{table}");
    }
}

#[test]
fn production_warnings_do_not_fail() {
    let output = check(&[
        ("DEBUG", "false"),
        ("ALLOWED_HOSTS", "shop.example"),
        ("PAYMENT_PROVIDER", "test"),
        ("CORS_ALLOWED_ORIGINS", "http://shop.example"),
    ]);
    let table = stdout(&output);
    assert!(output.status.success(), "{table}");
    assert_eq!(status(&table, "SECRET_KEY"), "OK");
    assert_eq!(status(&table, "CORS_ALLOWED_ORIGINS"), "WARN");
    assert_eq!(status(&table, "ALLOWED_HOSTS"), "OK");
    assert_eq!(status(&table, "PAYMENT_PROVIDER"), "WARN");
}

#[test]
fn an_unreachable_database_is_an_error() {
    let output = check(&[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/x")]);
    let table = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{table}");
    assert_eq!(status(&table, "database"), "ERROR");
}

#[test]
fn an_unmigrated_database_warns() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/empty.db", dir.path().display());
    // A file that exists but has no tables.
    std::fs::File::create(dir.path().join("empty.db")).unwrap();
    let media = dir.path().join("media").display().to_string();
    let output = nexus(
        dir.path(),
        "check",
        &[("DATABASE_URL", &url), ("MEDIA_ROOT", &media)],
    );
    let table = stdout(&output);
    assert!(output.status.success(), "{table}");
    assert_eq!(status(&table, "migrations"), "WARN");
}

#[test]
fn an_unreachable_redis_is_an_error() {
    let output = check(&[("REDIS_URL", "redis://127.0.0.1:1")]);
    let table = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{table}");
    assert_eq!(status(&table, "REDIS_URL"), "ERROR");
}

#[test]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
fn a_reachable_redis_is_ok() {
    let url = crate::helpers::test_redis_url();
    let output = check(&[("REDIS_URL", &url)]);
    let table = stdout(&output);
    assert!(output.status.success(), "{table}");
    assert_eq!(status(&table, "REDIS_URL"), "OK");
}

#[test]
fn smtp_needs_a_greeting_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.write_all(b"220 test.example ESMTP ready\r\n");
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    });
    let output = check(&[("SMTP_URL", &format!("smtp://user:pw@127.0.0.1:{port}"))]);
    let table = stdout(&output);
    assert!(output.status.success(), "{table}");
    assert_eq!(status(&table, "SMTP_URL"), "OK");

    let output = check(&[("SMTP_URL", "smtp://127.0.0.1:1")]);
    assert_eq!(status(&stdout(&output), "SMTP_URL"), "ERROR");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn an_smtp_url_the_mailer_would_refuse_is_an_error_that_hides_the_password() {
    for url in [
        "smtps://user:s3cret-pw@127.0.0.1?tls=none",
        "http://user:s3cret-pw@127.0.0.1",
    ] {
        let output = check(&[("SMTP_URL", url)]);
        let table = stdout(&output);
        assert_eq!(status(&table, "SMTP_URL"), "ERROR", "{table}");
        assert!(!table.contains("s3cret-pw"), "{table}");
        // With SMTP configured the file mailer's directory is not what sends: no row for it.
        assert!(!table.contains("EMAIL_FILE_PATH"), "{table}");
    }
}

#[test]
fn unwritable_media_or_mail_directories_are_errors() {
    for name in ["MEDIA_ROOT", "EMAIL_FILE_PATH"] {
        let (dir, vars) = healthy();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let below_a_file = file.join("sub").display().to_string();
        let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.push((name, &below_a_file));
        let output = nexus(dir.path(), "check", &all);
        assert_eq!(status(&stdout(&output), name), "ERROR", "{name}");
        assert_eq!(output.status.code(), Some(1), "{name}");
    }
}
