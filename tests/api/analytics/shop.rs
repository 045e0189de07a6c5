//! The small shop the dashboard's figures are computed from by hand, and the helpers the figures
//! tests share (orders and sign-ups moved to given days, the dashboard as staff, the roll-up).

use serde_json::Value;

use crate::{
    fixtures::{micros, place_order, Event},
    helpers::{TestApp, TestUser},
};

/// The period the shop below fills: three days of May 2024.
pub const PERIOD: &str = "from=2024-05-01&to=2024-05-03";

/// Places an order through the API, then moves it to `at` (and sets its status and payment
/// status) by SQL, as if it had been placed then; returns its id.
pub async fn order_at(
    app: &TestApp,
    user: &TestUser,
    items: &[(i64, i64)],
    at: &str,
    status: &str,
    payment_status: &str,
) -> i64 {
    let id = place_order(app, user, items).await["id"].as_i64().unwrap();
    sqlx::query(
        "UPDATE orders SET created_at = $1, updated_at = $1, status = $2, payment_status = $3 \
         WHERE id = $4",
    )
    .bind(micros(at))
    .bind(status)
    .bind(payment_status)
    .bind(id)
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

/// `user` cancels their order placed at `at` through the API, as a customer would: a paid order
/// is refunded, and the status change is written to the order's history (which is how the
/// roll-ups find late changes).
pub async fn cancel_order_at(app: &TestApp, user: &TestUser, at: &str) {
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM orders WHERE user_id = $1 AND created_at = $2")
            .bind(user.id)
            .bind(micros(at))
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let response = app
        .post_as(
            &format!("orders/{id}/cancel/"),
            &user.token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
}

/// Sets when `user` joined.
pub async fn joined_at(app: &TestApp, user: &TestUser, at: &str) {
    sqlx::query("UPDATE users SET date_joined = $1 WHERE id = $2")
        .bind(micros(at))
        .bind(user.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// Moves `product` into a category named `name` (a new one); returns the category's id.
pub async fn categorise(app: &TestApp, product: i64, name: &str) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO categories (name, slug, created_at) VALUES ($1, $2, 0) RETURNING id",
    )
    .bind(name)
    .bind(name.to_lowercase())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE products SET category_id = $1 WHERE id = $2")
        .bind(id)
        .bind(product)
        .execute(&app.db.pool)
        .await
        .unwrap();
    id
}

/// `GET analytics/dashboard/?{query}` as `staff`; panics unless `200`.
pub async fn dashboard(app: &TestApp, staff: &TestUser, query: &str) -> Value {
    let response = app
        .get_as(&format!("analytics/dashboard/?{query}"), &staff.token)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body
}

/// Runs the roll-up job through the app's worker.
pub async fn roll_up(app: &TestApp) {
    app.run_job(nexus::jobs::Kind::AnalyticsRollup, &serde_json::json!({}))
        .await;
}

/// The shop the figures are computed by hand from, in [`PERIOD`] (the comments give each row's
/// part in the figures), plus rows just outside it.
pub struct Shop {
    pub staff: TestUser,
    pub ann: TestUser,
    pub bob: TestUser,
    pub cy: TestUser,
    pub lamp: i64,
    pub desk: i64,
}

impl Shop {
    pub async fn open(app: &TestApp) -> Shop {
        let (ann, bob, cy, dee) = (
            app.create_customer().await,
            app.create_customer().await,
            app.create_customer().await,
            app.create_customer().await,
        );
        // New users: Ann on 05-01, Bob on 05-02 (its last microsecond); Cy and Dee outside.
        joined_at(app, &ann, "2024-05-01T00:00:00Z").await;
        joined_at(app, &bob, "2024-05-02T23:59:59.999999Z").await;
        joined_at(app, &cy, "2024-04-30T23:59:59.999999Z").await;
        joined_at(app, &dee, "2024-05-04T00:00:00Z").await;
        // Joined today, after the customers: the roll-ups' mark on users stops before them.
        let staff = app.create_staff().await;
        let lamp = app
            .product()
            .title("Lamp")
            .price_cents(1000)
            .stock(100)
            .create()
            .await;
        let desk = app
            .product()
            .title("Desk")
            .price_cents(2500)
            .stock(100)
            .create()
            .await;
        // Counted: 20.00 on 05-01, 25.00 on 05-02 (last microsecond), 35.00 on 05-03 (first).
        order_at(
            app,
            &ann,
            &[(lamp, 2)],
            "2024-05-01T10:00:00Z",
            "processing",
            "paid",
        )
        .await;
        order_at(
            app,
            &bob,
            &[(desk, 1)],
            "2024-05-02T23:59:59.999999Z",
            "shipped",
            "paid",
        )
        .await;
        order_at(
            app,
            &ann,
            &[(lamp, 1), (desk, 1)],
            "2024-05-03T00:00:00Z",
            "pending",
            "unpaid",
        )
        .await;
        // Not counted: cancelled, failed, refunded; and one a microsecond before the period.
        order_at(
            app,
            &bob,
            &[(lamp, 1)],
            "2024-05-01T11:00:00Z",
            "cancelled",
            "unpaid",
        )
        .await;
        order_at(
            app,
            &bob,
            &[(desk, 2)],
            "2024-05-02T12:00:00Z",
            "failed",
            "unpaid",
        )
        .await;
        order_at(
            app,
            &ann,
            &[(lamp, 3)],
            "2024-05-03T12:00:00Z",
            "processing",
            "refunded",
        )
        .await;
        order_at(
            app,
            &ann,
            &[(desk, 1)],
            "2024-04-30T23:59:59.999999Z",
            "delivered",
            "paid",
        )
        .await;
        app.insert_events(&[
            // Sessions with a product view: s1, s2 on 05-01; s2 (again, a new day), s3 on
            // 05-02; s5 on 05-03. Lamp is viewed 3 times, the desk 3 times.
            Event::view("2024-05-01T09:00:00Z", "s1", lamp).by(ann.id),
            Event::view("2024-05-01T09:05:00Z", "s1", desk).by(ann.id),
            Event::view("2024-05-01T12:00:00Z", "s2", lamp),
            Event::view("2024-05-02T00:00:00Z", "s2", lamp),
            Event::view("2024-05-02T23:59:59.999999Z", "s3", desk).by(bob.id),
            Event::view("2024-05-03T08:00:00Z", "s5", desk),
            // Searches: lamp ×2, unicorn ×2 (nothing found), desk ×1, zebra ×1 (nothing found,
            // by Cy, whose only activity in the period it is).
            Event::search("2024-05-01T09:01:00Z", "s1", "lamp", 10).by(ann.id),
            Event::search("2024-05-03T10:00:00Z", "s4", "lamp", 10),
            Event::search("2024-05-02T10:00:00Z", "s2", "unicorn", 0),
            Event::search("2024-05-03T10:01:00Z", "s4", "unicorn", 0),
            Event::search("2024-05-02T10:02:00Z", "s2", "desk", 3),
            Event::search("2024-05-03T10:02:00Z", "s6", "zebra", 0).by(cy.id),
            Event::new("login", "2024-05-03T10:00:00Z", "s6").by(cy.id),
            // Outside the period: a view and a search a microsecond after it, Dee's login.
            Event::view("2024-05-04T00:00:00Z", "s7", lamp),
            Event::search("2024-04-30T23:59:59.999999Z", "s7", "lamp", 10),
            Event::new("login", "2024-05-04T09:00:00Z", "s8").by(dee.id),
        ])
        .await;
        Shop {
            staff,
            ann,
            bob,
            cy,
            lamp,
            desk,
        }
    }
}
