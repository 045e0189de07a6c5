//! `nexus import-django` (SPEC §3.10, docs/migrating-from-django.md), run as the built binary
//! against each test's fresh Nexus database, from a Django database built by [`django_source`]:
//! what the summary reports, what the API then shows the frontends, and how the command behaves.

mod behaviour;
mod catalogue;
mod django_source;
mod fresh_ids;
mod media;
mod orders;
mod postgres_source;
mod shoppers;
mod summary;

use std::process::{Command, Output};

pub use django_source::{ids, DjangoSource, ADA_HASH, DJANGO_PASSWORD};
use serde_json::json;

use crate::helpers::{TestApp, TestResponse};

/// Runs `nexus import-django --from <from> <args>` against the app's database and media root.
pub fn run_import(app: &TestApp, from: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("import-django")
        .arg("--from")
        .arg(from)
        .args(args)
        .current_dir(dir.path())
        .env("DATABASE_URL", &app.database_url)
        .env("MEDIA_ROOT", &app.media_dir)
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("the binary runs")
}

/// Stdout then stderr, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Imports `source` (with `args`) and returns the summary; panics unless it exits 0.
pub fn import_ok(app: &TestApp, source: &DjangoSource, args: &[&str]) -> summary::Summary {
    let output = run_import(app, source.url(), args);
    assert!(output.status.success(), "{}", text(&output));
    summary::Summary::of(&output)
}

/// Imports the fixture shop from a fresh SQLite source; returns the source and the summary.
pub async fn imported(app: &TestApp) -> (DjangoSource, summary::Summary) {
    let source = DjangoSource::sqlite().await;
    let summary = import_ok(app, &source, &[]);
    (source, summary)
}

/// Asserts the command failed as documented: exit 1, an `error: …` line on stderr.
pub fn assert_refused(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{}", text(output));
    assert!(
        stderr.lines().any(|line| line.starts_with("error: ")),
        "{}",
        text(output)
    );
    stderr
}

/// `POST auth/jwt/create/` with `email` and `password`.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> TestResponse {
    app.post(
        "auth/jwt/create/",
        &json!({"email": email, "password": password}),
    )
    .await
}

/// An access token for `email` from signing in with the Django password; panics unless the
/// sign-in succeeds.
pub async fn signed_in(app: &TestApp, email: &str) -> String {
    let response = sign_in(app, email, DJANGO_PASSWORD).await;
    assert_eq!(response.status, 200, "{email}: {}", response.text);
    response.body["access"].as_str().unwrap().to_owned()
}

/// An access token for the imported user `id`, signed by the app (for tests about what a user
/// sees rather than how they sign in).
pub fn token_of(app: &TestApp, id: i64) -> String {
    app.state()
        .tokens
        .issue(nexus::tokens::TokenType::Access, id)
        .0
}

/// `SELECT COUNT(*) FROM <table>` on the app's database.
pub async fn rows(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// The Nexus tables the importer writes, for "nothing was written" checks.
pub const NEXUS_TABLES: [&str; 11] = [
    "users",
    "addresses",
    "categories",
    "products",
    "product_images",
    "carts",
    "cart_items",
    "orders",
    "order_items",
    "order_status_history",
    "reviews",
];

/// Row counts of [`NEXUS_TABLES`], in that order.
pub async fn table_counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in NEXUS_TABLES {
        counts.push((table, rows(app, table).await));
    }
    counts
}

/// Asserts every table the importer writes is empty.
pub async fn assert_nothing_written(app: &TestApp) {
    for (table, count) in table_counts(app).await {
        assert_eq!(count, 0, "{table} has rows");
    }
}
