//! A database lost while the server runs: `503` with the SPEC body, readiness `503`, and service
//! resuming by itself when the database comes back (PostgreSQL only: SQLite can't go away).

use crate::helpers::{Backend, TestApp, POSTGRES_UNSET};

/// Runs `sql` on the administrative database of `TEST_DATABASE_URL`.
async fn admin(sql: &str) {
    let url = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::Executor::execute(&mut conn, sql).await.unwrap();
}

/// Ends every connection to database `name` but this one (the pool's included).
async fn terminate_connections_to(name: &str) {
    admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn a_lost_database_answers_503_until_it_returns_then_service_resumes() {
    let app = TestApp::spawn_with(Backend::Postgres, &[("DATABASE_ACQUIRE_TIMEOUT", "1")])
        .await
        .expect(POSTGRES_UNSET);
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let user = app.create_customer().await;
    assert_eq!(app.get_as("auth/users/me/", &user.token).await.status, 200);

    admin(&format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
    ))
    .await;
    terminate_connections_to(&name).await;

    let started = std::time::Instant::now();
    let me = app.get_as("auth/users/me/", &user.token).await;
    assert_eq!(me.status, 503, "{}", me.text);
    assert_eq!(me.body["code"], "service_unavailable");
    assert_eq!(me.body["detail"], "Service temporarily unavailable.");
    assert_eq!(
        me.body["request_id"].as_str(),
        me.headers["x-request-id"].to_str().ok()
    );
    assert!(
        !me.text.contains("accepting connections"),
        "no internal detail: {}",
        me.text
    );
    let login = app
        .post(
            "auth/jwt/create/",
            &serde_json::json!({"email": user.email, "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 503, "{}", login.text);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "answered quickly"
    );
    assert_eq!(app.get("/health/readiness/").await.status, 503);
    assert_eq!(app.get("/health/").await.body["status"], "unhealthy");
    assert_eq!(app.get("/health/liveness/").await.status, 200);

    admin(&format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
    ))
    .await;
    assert_eq!(app.get_as("auth/users/me/", &user.token).await.status, 200);
    assert_eq!(app.get("/health/readiness/").await.status, 200);
    let login = app
        .post(
            "auth/jwt/create/",
            &serde_json::json!({"email": user.email, "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
}

/// Connections the database dropped while they sat in the pool (a restart, an idle timeout on
/// the way) are found by the ping sqlx sends before handing one out, so the next request gets a
/// fresh one, not a `503`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn connections_killed_while_idle_are_replaced_before_a_request_uses_them() {
    let app = TestApp::spawn(Backend::Postgres)
        .await
        .expect(POSTGRES_UNSET);
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let user = app.create_customer().await;
    assert_eq!(app.get_as("auth/users/me/", &user.token).await.status, 200);

    terminate_connections_to(&name).await;
    // As after a restart while the pool sat idle.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    for _ in 0..5 {
        let me = app.get_as("auth/users/me/", &user.token).await;
        assert_eq!(me.status, 200, "{}", me.text);
    }
}
