//! Reviews: every row of SPEC §3.5 and the §5 moderation rules, plus the races.

mod crud;
mod feedback;
mod lists;
mod moderation;
mod privacy;
mod ratings;
mod shapes;

use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};

/// Posts a review and returns its body; panics unless `201`.
pub async fn create_review(app: &TestApp, user: &TestUser, product: i64, rating: i64) -> Value {
    let response = app
        .post_as(
            "reviews/",
            &user.token,
            &json!({"product": product, "rating": rating, "comment": format!("{rating} stars")}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

/// The product's stored `(average_rating, reviews_count)`.
pub async fn product_rating(app: &TestApp, product: i64) -> (f64, i64) {
    sqlx::query_as("SELECT average_rating, reviews_count FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// The ids of a paginated list's results.
pub fn ids(page: &Value) -> Vec<i64> {
    page["results"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

/// Hides (or unhides) a review as `staff`; panics unless `200`.
pub async fn set_hidden(app: &TestApp, staff: &TestUser, review: i64, hidden: bool) {
    let action = if hidden { "hide" } else { "unhide" };
    let response = app
        .post_as(
            &format!("reviews/{review}/{action}/"),
            &staff.token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.body["is_hidden"], hidden);
}
