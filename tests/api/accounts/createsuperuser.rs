//! `nexus createsuperuser`, run as the built binary against a temporary SQLite database.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use nexus::{config::DatabaseUrl, db::Db};

fn run(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("createsuperuser")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env(
            "EMAIL_FILE_PATH",
            std::env::temp_dir().join("nexus-createsuperuser-mail"),
        )
        .env_remove("NEXUS_SUPERUSER_PASSWORD")
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const ARGS: &[&str] = &[
    "--no-input",
    "--email",
    "Root@Shop.Example",
    "--username",
    "root",
    "--password",
    "Sturdy-Admin-Pass-42",
];

#[tokio::test]
async fn createsuperuser_creates_an_admin_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let first = run(&url, ARGS);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("created"));

    let db = Db::connect(&DatabaseUrl::new(url.clone()), 1)
        .await
        .unwrap();
    // Someone demotes and deactivates the admin; running the command again restores it.
    sqlx::query("UPDATE users SET role = 'customer', is_active = FALSE")
        .execute(&db.pool)
        .await
        .unwrap();
    let second = run(&url, ARGS);
    assert!(second.status.success(), "{}", text(&second));
    assert!(text(&second).contains("already exists"));

    let rows: Vec<(String, String, String, nexus::db::Flag)> =
        sqlx::query_as("SELECT email, username, role, is_active FROM users")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    let (email, username, role, active) = &rows[0];
    assert_eq!(
        (email.as_str(), username.as_str(), role.as_str(), active.0),
        ("Root@shop.example", "root", "admin", true)
    );
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn createsuperuser_without_input_needs_every_value_and_a_strong_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let missing = run(&url, &["--no-input", "--email", "a@shop.example"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("--username, --password"),
        "{}",
        text(&missing)
    );
    let weak = run(
        &url,
        &[
            "--no-input",
            "--email",
            "a@shop.example",
            "--username",
            "a",
            "--password",
            "password",
        ],
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak).contains("This password is too common."),
        "{}",
        text(&weak)
    );
    let bad_email = run(
        &url,
        &[
            "--no-input",
            "--email",
            "nope",
            "--username",
            "a",
            "--password",
            "Sturdy-Admin-Pass-42",
        ],
    );
    assert!(!bad_email.status.success());
    assert!(text(&bad_email).contains("Enter a valid email address."));
}

#[tokio::test]
async fn createsuperuser_prompts_for_missing_values() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("createsuperuser")
        .env("DATABASE_URL", &url)
        .env("NEXUS_SUPERUSER_PASSWORD", "Sturdy-Admin-Pass-42")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // An invalid email is asked again; then the username.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"not-an-email\nops@shop.example\nops\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("Enter a valid email address."),
        "{}",
        text(&output)
    );
    let db = Db::connect(&DatabaseUrl::new(url), 1).await.unwrap();
    let (username, role): (String, String) =
        sqlx::query_as("SELECT username, role FROM users WHERE email = 'ops@shop.example'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((username.as_str(), role.as_str()), ("ops", "admin"));
}
