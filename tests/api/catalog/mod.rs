//! Catalog tests: categories, brands, products, filters, search and the staff router.

mod brands;
mod categories;
mod product_filters;
mod product_history;
mod product_index;
mod products;
mod search;
mod shapes;
mod staff_router;

use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};

/// A staff member and shortcuts to create catalog rows through the API.
pub struct Shop<'a> {
    pub app: &'a TestApp,
    pub staff: TestUser,
}

impl<'a> Shop<'a> {
    pub async fn new(app: &'a TestApp) -> Shop<'a> {
        Shop {
            app,
            staff: app.create_staff().await,
        }
    }

    /// Creates a category (201 asserted) and returns its body.
    pub async fn category(&self, name: &str, parent: Option<i64>) -> Value {
        let response = self
            .app
            .post_as(
                "categories/",
                &self.staff.token,
                &json!({"name": name, "parent": parent}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body
    }

    /// Creates a brand (201 asserted) and returns its body.
    pub async fn brand(&self, name: &str) -> Value {
        let response = self
            .app
            .post_as("brands/", &self.staff.token, &json!({"name": name}))
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body
    }

    /// Creates a product from `fields` over defaults (price 10.00, stock 5) and returns its body.
    pub async fn product(&self, category: &Value, fields: Value) -> Value {
        let mut body = json!({
            "title": "Thing", "price": "10.00", "stock_quantity": 5, "category": category["id"],
        });
        for (key, value) in fields.as_object().expect("an object").clone() {
            body[key] = value;
        }
        let response = self
            .app
            .post_as("products/", &self.staff.token, &body)
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        response.body
    }
}

/// The `field` of every result of a list body, in order.
pub fn column(body: &Value, field: &str) -> Vec<Value> {
    body["results"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|item| item[field].clone())
        .collect()
}

/// The titles of a product page, in order.
pub fn titles(body: &Value) -> Vec<String> {
    column(body, "title")
        .into_iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

/// Asserts that `text` (a JSON object) has exactly `keys` at the top level, in that order.
pub fn assert_key_order(text: &str, keys: &[&str]) {
    let body: Value = serde_json::from_str(text).unwrap();
    let mut present: Vec<&String> = body.as_object().unwrap().keys().collect();
    present.sort();
    let mut expected = keys.to_vec();
    expected.sort();
    assert_eq!(present, expected);
    let positions: Vec<usize> = keys
        .iter()
        .map(|key| text.find(&format!("\"{key}\":")).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys out of order in {text}"
    );
}
