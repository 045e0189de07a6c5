//! Callers kept per accounts version when instances share Redis (docs/accounts.md, "Who is
//! calling"): a change made through the app reaches the caller's very next request, on every
//! instance, although the row is no longer read on every request.

use serde_json::json;

use crate::helpers::{get_status, OwnRedis, TestApp, TestUser};

/// The status of `GET /api/v1/{path}` on the instance at `base`, as `user`.
async fn status_on(base: &str, path: &str, user: &TestUser) -> u16 {
    get_status(&format!("{base}/api/v1/{path}"), &user.token).await
}

#[tokio::test]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
async fn a_role_change_or_deactivation_on_one_instance_applies_on_the_other_at_once() {
    let redis = OwnRedis::new();
    let app = TestApp::spawn_shareable(&redis.settings()).await;
    let other = app.sibling(&redis.settings()).await;
    let admin = app.create_admin().await;
    let user = app.create_customer().await;
    // Both instances have now read (and kept) the customer.
    assert_eq!(status_on(&app.address, "admin/users/", &user).await, 403);
    assert_eq!(status_on(&other, "admin/users/", &user).await, 403);

    let promoted = app
        .patch_as(
            &format!("admin/users/{}/", user.id),
            &admin.token,
            &json!({"role": "admin"}),
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!(
        status_on(&other, "admin/users/", &user).await,
        200,
        "the other instance sees the new role on the very next request"
    );

    let deactivated = app
        .patch_as(
            &format!("admin/users/{}/", user.id),
            &admin.token,
            &json!({"is_active": false}),
        )
        .await;
    assert_eq!(deactivated.status, 200, "{}", deactivated.text);
    assert_eq!(status_on(&other, "auth/users/me/", &user).await, 401);
    assert_eq!(status_on(&app.address, "auth/users/me/", &user).await, 401);
}

#[tokio::test]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
async fn a_caller_is_read_once_per_accounts_version() {
    let redis = OwnRedis::new();
    let app = TestApp::spawn_shareable(&redis.settings()).await;
    let user = app.create_customer().await;
    assert_eq!(app.get_as("admin/users/", &user.token).await.status, 403);

    // A change by SQL by hand bumps nothing: the kept caller answers until the version moves
    // (or `CALLER_TTL` passes).
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(user.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        app.get_as("admin/users/", &user.token).await.status,
        403,
        "the caller kept under this version is used, not the row"
    );

    // A username change through the API bumps the version (callers carry their username).
    let renamed = app
        .patch_as(
            "auth/users/me/",
            &user.token,
            &json!({"username": "renamed"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(app.get_as("admin/users/", &user.token).await.status, 200);
}
