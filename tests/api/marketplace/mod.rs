//! The services marketplace (SPEC §3.12), one file per part. Fixtures here insert straight into
//! the database (like `fixtures.rs` for products) so each part's tests stand on their own; the
//! part that owns an object tests its endpoints.

mod companies;
mod providers;
mod taxonomy;

use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

/// Gives `user` a provider profile named after their username; returns its id.
pub async fn provider(app: &TestApp, user: &TestUser) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO providers (id, user_id, display_name, bio, created_at, updated_at) \
         VALUES ($1, $2, $3, '', 0, 0)",
    )
    .bind(&id)
    .bind(user.id)
    .bind(&user.username)
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

/// An active fixed-price service (`price_cents`) of `provider`; returns its id.
pub async fn service(app: &TestApp, provider: &str, title: &str, price_cents: i64) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO services (id, provider_id, title, description, price_from_cents, price_unit, \
         search_text, created_at, updated_at) VALUES ($1, $2, $3, '', $4, 'fixed', '', 0, 0)",
    )
    .bind(&id)
    .bind(provider)
    .bind(title)
    .bind(price_cents)
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

/// The ids (UUID strings) of a paginated list's results, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}
