//! Fixtures inserted straight into the database (faster than the catalog endpoints and
//! independent of them), and small request helpers the shared harness doesn't have.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse, TestUser};

/// A product to insert straight into the database: `app.product().price_cents(250).stock(3)
/// .create().await` returns its id. Defaults: price 10.00, stock 5, active, a fresh category, and a
/// unique title; `.title("Pen")` gives a fixed title and slug (`pen`) for snapshots, so use it once
/// per test database.
#[must_use = "a product fixture does nothing until `.create()`"]
pub struct ProductFixture<'a> {
    app: &'a TestApp,
    title: Option<String>,
    price_cents: i64,
    stock: i64,
    active: bool,
}

impl TestApp {
    /// Starts a [`ProductFixture`].
    pub fn product(&self) -> ProductFixture<'_> {
        ProductFixture {
            app: self,
            title: None,
            price_cents: 1000,
            stock: 5,
            active: true,
        }
    }
}

impl ProductFixture<'_> {
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_owned());
        self
    }

    pub fn price_cents(mut self, cents: i64) -> Self {
        self.price_cents = cents;
        self
    }

    pub fn stock(mut self, stock: i64) -> Self {
        self.stock = stock;
        self
    }

    /// An inactive product (invisible to customers).
    pub fn inactive(mut self) -> Self {
        self.active = false;
        self
    }

    /// Inserts a category and the product with an `initial` stock movement — what product
    /// creation does, so stock always equals the sum of movements. Returns the product id.
    pub async fn create(self) -> i64 {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let (title, slug) = match self.title {
            Some(title) => (title.clone(), title.to_lowercase().replace(' ', "-")),
            None => (
                format!("Product {}", &unique[..8]),
                format!("product-{unique}"),
            ),
        };
        let pool = &self.app.db.pool;
        let now = nexus::db::now_micros();
        let category: i64 = sqlx::query_scalar(
            "INSERT INTO categories (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(format!("Category {}", &unique[..8]))
        .bind(format!("category-{unique}"))
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap();
        let product: i64 = sqlx::query_scalar(
            "INSERT INTO products (title, slug, price_cents, category_id, stock_quantity, \
             is_active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(title)
        .bind(slug)
        .bind(self.price_cents)
        .bind(category)
        .bind(self.stock)
        .bind(self.active)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO stock_movements (product_id, delta, reason, created_at) \
             VALUES ($1, $2, 'initial', $3)",
        )
        .bind(product)
        .bind(self.stock)
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
        // Written around the API: bump the catalog version as a write through it would, so
        // cached answers and the product index see the product.
        self.app.state().cache.bump_catalog_version().await;
        product
    }
}

/// Adds an image row to a product.
pub async fn add_image(app: &TestApp, product: i64, path: &str, position: i64) {
    sqlx::query(
        "INSERT INTO product_images (product_id, path, thumbnail_path, position, created_at) \
         VALUES ($1, $2, $2, $3, $4)",
    )
    .bind(product)
    .bind(path)
    .bind(position)
    .bind(nexus::db::now_micros())
    .execute(&app.db.pool)
    .await
    .unwrap();
    app.state().cache.bump_catalog_version().await;
}

/// A saved address of `user`.
pub async fn create_address(app: &TestApp, user: &TestUser) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO addresses (user_id, first_name, last_name, address_line_1, city, \
         postal_code, country, created_at) \
         VALUES ($1, 'Ada', 'Lovelace', '12 St James Sq', 'London', 'SW1Y 4JH', 'GB', $2) \
         RETURNING id",
    )
    .bind(user.id)
    .bind(nexus::db::now_micros())
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// The product's stock.
pub async fn stock_of(app: &TestApp, product: i64) -> i64 {
    sqlx::query_scalar("SELECT stock_quantity FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// The sum of the product's stock movements (must equal its stock).
pub async fn movement_sum(app: &TestApp, product: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM stock_movements WHERE product_id = $1",
    )
    .bind(product)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// Asserts the stock-equals-movements invariant and returns the stock.
pub async fn assert_stock(app: &TestApp, product: i64, expected: i64) {
    assert_eq!(stock_of(app, product).await, expected, "stock of {product}");
    assert_eq!(
        movement_sum(app, product).await,
        expected,
        "movements of {product}"
    );
}

/// Number of rows in `table` (a fixed name from the test, never user input).
pub async fn count_rows(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Places an order for `items` (`[(product, quantity)]`) and returns its body; panics unless 201.
pub async fn place_order(app: &TestApp, user: &TestUser, items: &[(i64, i64)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(p, q)| json!({"product_id": p, "quantity": q}))
        .collect();
    let response = app
        .post_as("orders/", &user.token, &json!({"items": items}))
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

/// A POST with an `Idempotency-Key` header.
pub async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> TestResponse {
    let response = app
        .client
        .request(Method::POST, format!("{}/api/v1/{path}", app.address))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    TestResponse {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
        text,
    }
}

/// A bare POST for racing tasks (which can't borrow the app): status and JSON body.
pub async fn race_post(
    client: reqwest::Client,
    url: String,
    token: String,
    body: Value,
    key: Option<String>,
) -> (StatusCode, Value) {
    let mut request = client.post(url).bearer_auth(token).json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A notification for one user, written by the real `notify_user` in a transaction (so the
/// user's preferences apply): `app.notification(&user).kind(NotificationType::Order)
/// .title("Shipped").create().await` returns its id. Defaults: type `info`, a fixed title and
/// message, no action URL, no email.
#[must_use = "a notification fixture does nothing until `.create()`"]
pub struct NotificationFixture<'a> {
    app: &'a TestApp,
    user_id: i64,
    notice: nexus::notifications::Notice,
}

impl TestApp {
    /// Starts a [`NotificationFixture`] for `user`.
    pub fn notification(&self, user: &TestUser) -> NotificationFixture<'_> {
        NotificationFixture {
            app: self,
            user_id: user.id,
            notice: nexus::notifications::Notice {
                kind: nexus::notifications::NotificationType::Info,
                title: "Welcome".to_owned(),
                message: "Thanks for joining.".to_owned(),
                action_url: String::new(),
                email: None,
            },
        }
    }
}

impl NotificationFixture<'_> {
    pub fn kind(mut self, kind: nexus::notifications::NotificationType) -> Self {
        self.notice.kind = kind;
        self
    }

    pub fn title(mut self, title: &str) -> Self {
        self.notice.title = title.to_owned();
        self
    }

    pub fn message(mut self, message: &str) -> Self {
        self.notice.message = message.to_owned();
        self
    }

    pub fn action_url(mut self, url: &str) -> Self {
        self.notice.action_url = url.to_owned();
        self
    }

    /// Notifies the user and returns the new notification's id, or `None` when their
    /// preferences stored nothing (`in_app_enabled` off, or the type's topic off).
    pub async fn try_create(self) -> Option<i64> {
        let newest = "SELECT MAX(id) FROM notifications WHERE user_id = $1";
        let mut tx = self.app.db.begin_write().await.unwrap();
        let before: Option<i64> = sqlx::query_scalar(newest)
            .bind(self.user_id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let announcement = nexus::notifications::notify_user(&mut tx, self.user_id, &self.notice)
            .await
            .unwrap();
        let after: Option<i64> = sqlx::query_scalar(newest)
            .bind(self.user_id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        announcement.announce(&self.app.state().live);
        after.filter(|_| after != before)
    }

    /// Notifies the user and returns the new notification's id; panics if nothing was stored.
    pub async fn create(self) -> i64 {
        self.try_create()
            .await
            .expect("the user's preferences stored the notification")
    }
}

/// One raw analytics event for [`TestApp::insert_events`], at an explicit time (RFC 3339, UTC):
/// `Event::view("2024-05-01T09:00:00Z", "s1", product).by(user.id)`.
#[derive(Clone, Debug)]
pub struct Event {
    kind: &'static str,
    occurred_at: i64,
    session: String,
    user_id: Option<i64>,
    product_id: Option<i64>,
    query: Option<String>,
    result_count: Option<i64>,
}

/// RFC 3339 text as epoch micros.
pub fn micros(at: &str) -> i64 {
    at.parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap_or_else(|_| panic!("not an RFC 3339 time: {at}"))
        .timestamp_micros()
}

impl Event {
    /// An event of `kind` (`login`, `add_to_cart`…) in `session`.
    pub fn new(kind: &'static str, at: &str, session: &str) -> Self {
        Self {
            kind,
            occurred_at: micros(at),
            session: session.to_owned(),
            user_id: None,
            product_id: None,
            query: None,
            result_count: None,
        }
    }

    /// A product view.
    pub fn view(at: &str, session: &str, product: i64) -> Self {
        Self {
            product_id: Some(product),
            ..Self::new("product_view", at, session)
        }
    }

    /// A search for the (already normalised) `query` that found `results`.
    pub fn search(at: &str, session: &str, query: &str, results: i64) -> Self {
        Self {
            query: Some(query.to_owned()),
            result_count: Some(results),
            ..Self::new("search", at, session)
        }
    }

    /// The same event by a signed-in user.
    pub fn by(mut self, user_id: i64) -> Self {
        self.user_id = Some(user_id);
        self
    }
}

impl TestApp {
    /// Inserts `events` straight into `analytics_events`, as the capture task would, and returns
    /// their ids.
    pub async fn insert_events(&self, events: &[Event]) -> Vec<i64> {
        let mut ids = Vec::new();
        for event in events {
            let id = sqlx::query_scalar(
                "INSERT INTO analytics_events (kind, occurred_at, session_key, user_id, ip_prefix, \
                 product_id, query, filters, result_count) \
                 VALUES ($1, $2, $3, $4, '203.0.113.0', $5, $6, $7, $8) RETURNING id",
            )
            .bind(event.kind)
            .bind(event.occurred_at)
            .bind(&event.session)
            .bind(event.user_id)
            .bind(event.product_id)
            .bind(event.query.as_deref())
            .bind(event.query.as_ref().map(|_| "{}"))
            .bind(event.result_count)
            .fetch_one(&self.db.pool)
            .await
            .unwrap();
            ids.push(id);
        }
        ids
    }
}
