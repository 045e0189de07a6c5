//! `analytics/provider/` and `analytics/client/`: figures from the marketplace's rows and the
//! analytics events, on both engines. Rows are inserted straight into the database: these tests
//! are about the sums, not the endpoints that write them.

use serde_json::json;

use super::{provider, service};
use crate::{api_test, helpers::TestApp};

const DAY: i64 = 86_400_000_000;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// A request of `client` with a proposal of `provider` at `status`; with `contract`, the
/// proposal is accepted and a contract at that status (with its history) exists. Returns the
/// proposal id.
async fn deal(
    app: &TestApp,
    client: i64,
    provider: &str,
    price_cents: i64,
    proposal_status: &str,
    contract: Option<&str>,
) -> String {
    let id = || uuid::Uuid::new_v4().to_string();
    let (request, proposal) = (id(), id());
    let at = now() - DAY;
    let request_status = if contract.is_some() {
        "awarded"
    } else {
        "open"
    };
    sqlx::query(
        "INSERT INTO service_requests (id, client_id, title, status, created_at, updated_at) \
         VALUES ($1, $2, 'Need help', $3, $4, $4)",
    )
    .bind(&request)
    .bind(client)
    .bind(request_status)
    .bind(at)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO proposals (id, request_id, provider_id, price_cents, status, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&proposal)
    .bind(&request)
    .bind(provider)
    .bind(price_cents)
    .bind(proposal_status)
    .bind(at)
    .execute(&app.db.pool)
    .await
    .unwrap();
    if let Some(status) = contract {
        let contract = id();
        sqlx::query(
            "INSERT INTO contracts (id, request_id, proposal_id, client_id, provider_id, \
             price_cents, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&contract)
        .bind(&request)
        .bind(&proposal)
        .bind(client)
        .bind(provider)
        .bind(price_cents)
        .bind(status)
        .bind(at)
        .execute(&app.db.pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO contract_status_history (contract_id, status, created_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(&contract)
        .bind(status)
        .bind(now())
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    proposal
}

async fn event(
    app: &TestApp,
    kind: &str,
    user: Option<i64>,
    service: Option<&str>,
    query: Option<&str>,
    at: i64,
) {
    sqlx::query(
        "INSERT INTO analytics_events (kind, occurred_at, session_key, user_id, service_id, query) \
         VALUES ($1, $2, 's', $3, $4, $5)",
    )
    .bind(kind)
    .bind(at)
    .bind(user)
    .bind(service)
    .bind(query)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

api_test! {
    async fn a_provider_sees_views_proposals_contracts_revenue_and_this_months_activity(app: TestApp) {
        let user = app.create_customer().await;
        let client = app.create_customer().await;
        let profile = provider(&app, &user).await;
        let popular = service(&app, &profile, "Logo design", 5_000).await;
        let quiet = service(&app, &profile, "Poster", 2_000).await;
        for _ in 0..3 {
            event(&app, "service_view", None, Some(&popular), None, now()).await;
        }
        event(&app, "service_view", None, Some(&quiet), None, now()).await;
        event(&app, "product_view", None, None, None, now()).await;
        deal(&app, client.id, &profile, 10_000, "accepted", Some("completed")).await;
        deal(&app, client.id, &profile, 7_000, "accepted", Some("active")).await;
        deal(&app, client.id, &profile, 3_000, "rejected", None).await;
        deal(&app, client.id, &profile, 4_000, "pending", None).await;

        let answer = app.get_as("analytics/provider/", &user.token).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let figures = &answer.body;
        assert_eq!(figures["provider_id"], profile.as_str());
        assert_eq!((figures["services"].as_i64(), figures["views"].as_i64()), (Some(2), Some(4)));
        assert_eq!(figures["by_service"][0]["service_id"], popular.as_str());
        assert_eq!(figures["by_service"][0]["views"], 3);
        assert_eq!(figures["proposals_sent"], 4);
        assert_eq!(figures["proposals_won"], 2);
        assert_eq!(figures["win_rate"], 0.5);
        assert_eq!(figures["contracts"], json!({"active": 1, "delivered": 0, "completed": 1,
            "disputed": 0, "cancelled": 0}));
        assert_eq!(figures["revenue"], "100.00");
        assert_eq!(figures["rating"], 0);
        let monthly = figures["monthly"].as_array().unwrap();
        assert_eq!(monthly.len(), 12);
        let this_month = &monthly[11];
        assert_eq!(this_month["contracts_completed"], 1);
        assert_eq!(this_month["revenue"], "100.00");
        // Proposals were made a day ago: this month or, on the 1st, the last one.
        let sent: i64 = monthly.iter().map(|m| m["proposals_sent"].as_i64().unwrap()).sum();
        assert_eq!(sent, 4);
    }

    async fn provider_figures_need_a_provider_profile_and_a_sign_in(app: TestApp) {
        let user = app.create_customer().await;
        let answer = app.get_as("analytics/provider/", &user.token).await;
        assert_eq!(answer.status, 403, "{}", answer.text);
        assert_eq!(answer.body["detail"], "You have no provider profile.");
        assert_eq!(app.get("analytics/provider/").await.status, 401);
        assert_eq!(app.get("analytics/client/").await.status, 401);
    }

    async fn a_client_sees_requests_contracts_spending_categories_and_recent_searches(app: TestApp) {
        let client = app.create_customer().await;
        let other = app.create_customer().await;
        let seller = app.create_customer().await;
        let profile = provider(&app, &seller).await;
        deal(&app, client.id, &profile, 12_345, "accepted", Some("completed")).await;
        deal(&app, client.id, &profile, 5_000, "accepted", Some("disputed")).await;
        deal(&app, client.id, &profile, 1_000, "pending", None).await;
        deal(&app, other.id, &profile, 9_999, "accepted", Some("completed")).await;
        let category = uuid::Uuid::new_v4().to_string();
        sqlx::query("INSERT INTO service_categories (id, name, slug, created_at) VALUES ($1, 'Design', 'design', 0)")
            .bind(&category)
            .execute(&app.db.pool)
            .await
            .unwrap();
        sqlx::query("UPDATE service_requests SET category_id = $1 WHERE client_id = $2")
            .bind(&category)
            .bind(client.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        for (minutes, query) in (0..12).map(|n| (n, format!("query {n}"))) {
            event(&app, "marketplace_search", Some(client.id), None, Some(&query), now() - DAY + minutes * 60_000_000).await;
        }
        event(&app, "search", Some(client.id), None, Some("a product search"), now()).await;
        event(&app, "marketplace_search", Some(other.id), None, Some("not mine"), now()).await;

        let answer = app.get_as("analytics/client/", &client.token).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let figures = &answer.body;
        assert_eq!(figures["requests"], 3);
        assert_eq!(figures["requests_by_status"], json!({"open": 1, "awarded": 2, "closed": 0, "cancelled": 0}));
        assert_eq!(figures["contracts"], 2);
        assert_eq!(figures["contracts_by_status"]["disputed"], 1);
        assert_eq!(figures["spending"], "123.45");
        assert_eq!(figures["favourite_categories"], json!([{"category_id": category, "name": "Design", "requests": 3}]));
        let searches: Vec<&str> = figures["recent_searches"].as_array().unwrap().iter()
            .map(|s| s["query"].as_str().unwrap()).collect();
        assert_eq!(searches.len(), 10);
        assert_eq!(searches[0], "query 11", "newest first, marketplace searches only");

        let nobody = app.create_customer().await;
        let empty = app.get_as("analytics/client/", &nobody.token).await;
        assert_eq!(empty.status, 200);
        assert_eq!(empty.body["requests"], 0);
        assert_eq!(empty.body["spending"], "0.00");
        assert_eq!(empty.body["recent_searches"], json!([]));
    }
}

/// A stored marketplace event: `(kind, service_id, query, result_count)`.
type MarketplaceEvent = (String, Option<String>, Option<String>, Option<i64>);

/// The stored marketplace events, once at least `count` are stored (the capture task flushes
/// every 50 ms in tests).
async fn wait_for_marketplace_events(app: &TestApp, count: usize) -> Vec<MarketplaceEvent> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let stored: Vec<MarketplaceEvent> = sqlx::query_as(
            "SELECT kind, service_id, query, result_count FROM analytics_events \
             WHERE kind IN ('service_view', 'service_like', 'marketplace_search') ORDER BY id",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        if stored.len() >= count {
            return stored;
        }
        assert!(std::time::Instant::now() < deadline, "{stored:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

api_test! {
    async fn service_views_likes_and_searches_are_recorded_and_counted(app: TestApp) {
        let seller = app.create_customer().await;
        let shopper = app.create_customer().await;
        let profile = provider(&app, &seller).await;
        let logo = service(&app, &profile, "Logo design", 5_000).await;
        // Written through the API, so the search text is set.
        let patched = app
            .patch_as(&format!("services/{logo}/"), &seller.token, &json!({"description": "Vector logos"}))
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(app.get(&format!("services/{logo}/")).await.status, 200);
        assert_eq!(app.get_as(&format!("services/{logo}/"), &shopper.token).await.status, 200);
        let found = app.get_as("services/?search=Logo%20%20Design", &shopper.token).await;
        assert_eq!(found.body["count"], 1, "{}", found.text);
        assert_eq!(app.get("services/").await.status, 200, "a list without a search is no search");
        let liked = app.post_as(&format!("services/{logo}/like/"), &shopper.token, &json!({})).await;
        assert_eq!(liked.body["liked"], true);
        let unliked = app.post_as(&format!("services/{logo}/like/"), &shopper.token, &json!({})).await;
        assert_eq!(unliked.body["liked"], false, "an unlike records nothing");

        let stored = wait_for_marketplace_events(&app, 4).await;
        let kinds: Vec<&str> = stored.iter().map(|(kind, ..)| kind.as_str()).collect();
        assert_eq!(kinds, ["service_view", "service_view", "marketplace_search", "service_like"]);
        assert_eq!(stored[0].1.as_deref(), Some(logo.as_str()));
        assert_eq!(stored[2].2.as_deref(), Some("logo design"));
        assert_eq!(stored[2].3, Some(1));

        let figures = app.get_as("analytics/provider/", &seller.token).await.body;
        assert_eq!(figures["views"], 2);
        assert_eq!(figures["by_service"][0]["views"], 2);
        let client = app.get_as("analytics/client/", &shopper.token).await.body;
        assert_eq!(client["recent_searches"][0]["query"], "logo design");
    }
}
