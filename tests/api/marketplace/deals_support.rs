//! Fixtures for the deals tests (requests, proposals, contracts): each goes through the API
//! (the part under test owns those endpoints), except categories, which are inserted.

use serde_json::{json, Value};

use super::provider;
use crate::helpers::{TestApp, TestUser};

/// A service category; returns its id.
pub async fn category(app: &TestApp, name: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO service_categories (id, name, slug, description, created_at) \
         VALUES ($1, $2, $3, '', 0)",
    )
    .bind(&id)
    .bind(name)
    .bind(format!("{}-{}", name.to_lowercase(), &id[..8]))
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

/// `client` posts an open request titled `title`; returns its body.
pub async fn open_request(app: &TestApp, client: &TestUser, title: &str) -> Value {
    let response = app
        .post_as(
            "requests/",
            &client.token,
            &json!({"title": title, "description": "Paint two rooms", "budget_min": "100.00",
                    "budget_max": "500.00"}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

/// A new user with a provider profile: the user and the provider id.
pub async fn new_provider(app: &TestApp) -> (TestUser, String) {
    let user = app.create_customer().await;
    let id = provider(app, &user).await;
    (user, id)
}

/// `provider` proposes `price` on `request`; returns the proposal's body.
pub async fn propose(app: &TestApp, provider: &TestUser, request: &str, price: &str) -> Value {
    let response = app
        .post_as(
            "proposals/",
            &provider.token,
            &json!({"request": request, "price": price, "message": "I can do it",
                    "estimated_days": 5}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

/// A client, a provider, an open request and the provider's pending proposal on it.
pub struct Deal {
    pub client: TestUser,
    pub provider: TestUser,
    pub provider_id: String,
    pub request: String,
    pub proposal: String,
}

/// A [`Deal`] with its proposal still pending.
pub async fn proposed(app: &TestApp) -> Deal {
    let client = app.create_customer().await;
    let (provider, provider_id) = new_provider(app).await;
    let request = open_request(app, &client, "Paint the flat").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let proposal = propose(app, &provider, &request, "300.00").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Deal {
        client,
        provider,
        provider_id,
        request,
        proposal,
    }
}

/// A [`Deal`] whose proposal the client accepted; also returns the contract's body.
pub async fn contracted(app: &TestApp) -> (Deal, Value) {
    let deal = proposed(app).await;
    let response = app
        .post_as(
            &format!("proposals/{}/accept/", deal.proposal),
            &deal.client.token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    (deal, response.body)
}

/// `user`'s notifications, newest first.
pub async fn notices(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let response = app
        .get_as("notifications/?page_size=100", &user.token)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["results"].as_array().unwrap().clone()
}

/// How many of `user`'s notifications are of `kind`.
pub async fn notices_of(app: &TestApp, user: &TestUser, kind: &str) -> usize {
    notices(app, user)
        .await
        .iter()
        .filter(|n| n["type"] == kind)
        .count()
}

/// The status of request `id`, read from the database.
pub async fn request_status(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM service_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// How many proposals of request `id` are in `status`.
pub async fn proposals_in(app: &TestApp, request: &str, status: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM proposals WHERE request_id = $1 AND status = $2",
    )
    .bind(request)
    .bind(status)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// Asserts `body` has exactly the fields `expected` (in any order: the test client's JSON maps
/// sort their keys).
pub fn assert_fields(body: &Value, expected: &[&str]) {
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = expected.to_vec();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected, "{body}");
}
