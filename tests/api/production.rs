//! Production mode (`DEBUG=false`) as the real binary sees it: `serve` refuses a weak signing
//! key, an unset `ALLOWED_HOSTS` and an implicit `PAYMENT_PROVIDER` with a message naming the
//! variable; a complete configuration starts; a token forged with the public development key is
//! refused there, while a development server (which warns about that key) would accept it.

use std::{
    path::Path,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use nexus::{
    config::DEFAULT_SECRET_KEY,
    tokens::{TokenKeys, TokenType},
};
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::{
    helpers::get_status,
    nexus_process::{self, Server},
};

const STRONG_KEY: &str = "3f9a1c27e4b85d06a7c2e91f4b3d8a60c5e7f1a2b9d04c6e8f3a1b7c5d2e9f04";

/// `nexus <command>` in `dir` with rate limiting off and `vars` on top (no `SECRET_KEY` unless
/// `vars` sets one).
fn nexus(dir: &Path, command: &str, vars: &[(&str, &str)]) -> Command {
    let vars = [&[("RATE_LIMIT_ENABLED", "false")][..], vars].concat();
    nexus_process::nexus(dir, command, &vars)
}

/// A complete production configuration with `changes` applied (an empty value unsets).
fn production<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars: Vec<(&str, &str)> = vec![
        ("DEBUG", "false"),
        ("SECRET_KEY", STRONG_KEY),
        ("ALLOWED_HOSTS", "127.0.0.1,localhost"),
        ("PAYMENT_PROVIDER", "test"),
    ];
    vars.retain(|(key, _)| !changes.iter().any(|(k, _)| k == key));
    vars.extend(changes.iter().filter(|(_, v)| !v.is_empty()));
    vars
}

/// Runs `serve` expecting it to exit on its own; a server that starts instead is killed and the
/// test fails.
fn serve_expecting_refusal(dir: &Path, vars: &[(&str, &str)]) -> Output {
    let mut child = nexus(dir, "serve", vars)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "serve started with {vars:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn production_serve_refuses_a_weak_key_unset_hosts_or_an_implicit_payment_provider() {
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("SECRET_KEY", "")], "SECRET_KEY is too weak"),
        (
            &[(
                "SECRET_KEY",
                "change-me-to-the-output-of-openssl-rand-hex-32",
            )],
            "SECRET_KEY is too weak",
        ),
        (
            &[("SECRET_KEY", "only-twenty-chars-ab")],
            "SECRET_KEY is too weak",
        ),
        (
            &[("SECRET_KEY", "abababababababababababababababababababab")],
            "SECRET_KEY is too weak",
        ),
        (&[("ALLOWED_HOSTS", "")], "ALLOWED_HOSTS is not set"),
        (&[("PAYMENT_PROVIDER", "")], "PAYMENT_PROVIDER is not set"),
    ];
    for (changes, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let output = serve_expecting_refusal(dir.path(), &production(changes));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{changes:?}: {stderr}");
        assert!(stderr.contains(expected), "{changes:?}: {stderr}");
        assert!(stderr.contains("DEBUG=false"), "{changes:?}: {stderr}");
        assert!(
            !stderr.contains(DEFAULT_SECRET_KEY) && !stderr.contains("change-me-to-the"),
            "a key is never printed: {stderr}"
        );
    }
}

#[test]
fn an_unknown_payment_provider_is_refused_naming_the_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    for debug in ["true", "false"] {
        let vars = production(&[("PAYMENT_PROVIDER", "stripe"), ("DEBUG", debug)]);
        let output = serve_expecting_refusal(dir.path(), &vars);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        assert!(
            stderr.contains("PAYMENT_PROVIDER must be one of: test"),
            "{stderr}"
        );
    }
}

/// What `GET /api/v1/admin/users/` answers with `token`.
async fn admin_users_status(base_url: &str, token: &str) -> u16 {
    get_status(&format!("{base_url}/api/v1/admin/users/"), token).await
}

#[tokio::test]
async fn a_complete_production_setup_starts_and_refuses_tokens_forged_with_the_development_key() {
    let dir = tempfile::tempdir().unwrap();
    let vars = production(&[]);
    let created = nexus(dir.path(), "createsuperuser", &vars)
        .args([
            "--no-input",
            "--email",
            "root@shop.example",
            "--username",
            "root",
        ])
        .args(["--password", "Sturdy-Admin-Pass-42"])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    // Anyone can read the development key in the source and sign an access token for user 1.
    let forger = TokenKeys::new(
        &SecretString::from(DEFAULT_SECRET_KEY),
        Duration::from_secs(900),
        Duration::from_secs(3600),
    );
    let (forged, _) = forger.issue(TokenType::Access, 1);

    let mut server = Server::spawn(nexus(dir.path(), "serve", &vars));
    let base_url = server.base_url();
    assert!(!server.warned("development key"), "{:?}", server.seen);
    assert_eq!(admin_users_status(&base_url, &forged).await, 401);
    let login = reqwest::Client::new()
        .post(format!("{base_url}/api/v1/auth/jwt/create/"))
        .json(&json!({"email": "root@shop.example", "password": "Sturdy-Admin-Pass-42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let genuine: Value = login.json().await.unwrap();
    let genuine = genuine["access"].as_str().unwrap();
    assert_eq!(admin_users_status(&base_url, genuine).await, 200);
    drop(server);

    // The same database served in development mode, without SECRET_KEY: the forged token is an
    // admin's there, which is what the start-up warning is about.
    let mut development = Server::spawn(nexus(
        dir.path(),
        "serve",
        &[("ALLOWED_HOSTS", "127.0.0.1")],
    ));
    let base_url = development.base_url();
    assert!(
        development.warned("development key"),
        "{:?}",
        development.seen
    );
    assert_eq!(admin_users_status(&base_url, &forged).await, 200);
}
