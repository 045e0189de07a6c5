//! The services marketplace (SPEC §3.12), one file per part. Fixtures here insert straight into
//! the database (like `fixtures.rs` for products) so each part's tests stand on their own; the
//! part that owns an object tests its endpoints.

mod appointments;
mod companies;
mod contracts;
mod deals_support;
mod insights;
mod proposals;
mod providers;
mod requests;
mod shapes;
mod taxonomy;

use serde_json::Value;

use crate::helpers::{TestApp, TestUser};

mod services;

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

/// An active contract between `client` and `provider`, as an accepted proposal leaves it: an
/// awarded request, the accepted proposal and the contract; returns the contract's id.
pub async fn contract(app: &TestApp, client: &TestUser, provider: &str) -> String {
    let [request, proposal, contract] = [(); 3].map(|_| uuid::Uuid::new_v4().to_string());
    sqlx::query(
        "INSERT INTO service_requests (id, client_id, title, status, created_at, updated_at) \
         VALUES ($1, $2, 'Fixture request', 'awarded', 0, 0)",
    )
    .bind(&request)
    .bind(client.id)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO proposals (id, request_id, provider_id, price_cents, status, created_at, \
         updated_at) VALUES ($1, $2, $3, 10000, 'accepted', 0, 0)",
    )
    .bind(&proposal)
    .bind(&request)
    .bind(provider)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO contracts (id, request_id, proposal_id, client_id, provider_id, price_cents, \
         status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 10000, 'active', 0, 0)",
    )
    .bind(&contract)
    .bind(&request)
    .bind(&proposal)
    .bind(client.id)
    .bind(provider)
    .execute(&app.db.pool)
    .await
    .unwrap();
    contract
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

/// A completed contract between `client` and `provider` that came from an accepted proposal
/// naming `service` (its request awarded); returns the contract's id. A later contract is newer
/// (`created_at` is the current time).
pub async fn completed_contract(
    app: &TestApp,
    client: &TestUser,
    provider: &str,
    service: &str,
) -> String {
    let [request, proposal, contract] = [(); 3].map(|_| uuid::Uuid::new_v4().to_string());
    let now = chrono::Utc::now().timestamp_micros();
    sqlx::query(
        "INSERT INTO service_requests (id, client_id, title, status, proposals_count, created_at, \
         updated_at) VALUES ($1, $2, 'Need work', 'awarded', 1, $3, $3)",
    )
    .bind(&request)
    .bind(client.id)
    .bind(now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO proposals (id, request_id, provider_id, service_id, price_cents, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 10000, 'accepted', $5, $5)",
    )
    .bind(&proposal)
    .bind(&request)
    .bind(provider)
    .bind(service)
    .bind(now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO contracts (id, request_id, proposal_id, client_id, provider_id, price_cents, \
         status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 10000, 'completed', $6, $6)",
    )
    .bind(&contract)
    .bind(&request)
    .bind(&proposal)
    .bind(client.id)
    .bind(provider)
    .bind(now)
    .execute(&app.db.pool)
    .await
    .unwrap();
    contract
}
