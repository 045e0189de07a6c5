//! After the import the sequences are past the Django ids: a new sign-up, address, cart,
//! order and review each get an id above every imported one.

use serde_json::json;

use super::*;
use crate::api_test;

fn id_of(response: &TestResponse) -> i64 {
    assert!(response.status.is_success(), "{}", response.text);
    response.body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id: {}", response.text))
}

/// A new customer signs up, saves an address, fills a cart, orders and reviews.
pub async fn check_new_rows_get_fresh_ids(app: &TestApp) {
    let password = "Vq7#mKp2!wRz";
    let signed_up = app
        .post(
            "auth/users/",
            &json!({
                "email": "newcomer@example.com", "username": "newcomer",
                "password": password, "password_confirm": password,
            }),
        )
        .await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    let user = signed_up.body["user"]["id"].as_i64().unwrap();
    assert!(user > ids::LAST_USER, "{}", signed_up.text);
    let token = signed_up.body["access"].as_str().unwrap().to_owned();

    let address = app
        .post_as(
            "users/addresses/",
            &token,
            &json!({
                "first_name": "New", "last_name": "Comer", "address_line_1": "5 Fresh Street",
                "city": "Bath", "postal_code": "BA1 1AA", "country": "GB",
            }),
        )
        .await;
    assert!(id_of(&address) > ids::LAST_ADDRESS, "{}", address.text);

    let added = app
        .post_as(
            "cart/add/",
            &token,
            &json!({"product_id": ids::NOVEL, "quantity": 2}),
        )
        .await;
    assert!(added.status.is_success(), "{}", added.text);
    let cart = app.get_as("cart/", &token).await;
    assert!(
        cart.body["id"].as_i64().unwrap() > ids::LAST_CART,
        "{}",
        cart.text
    );
    assert!(
        cart.body["items"][0]["id"].as_i64().unwrap() > ids::LAST_CART_ITEM,
        "{}",
        cart.text
    );

    let placed = app.post_as("orders/", &token, &json!({})).await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    let order = placed.body["id"].as_i64().unwrap();
    assert!(order > ids::LAST_ORDER, "{}", placed.text);
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    assert_eq!(
        placed.body["order_number"],
        format!("NX-{today}-{order:06}")
    );
    assert!(placed.body["items"][0]["id"].as_i64().unwrap() > ids::LAST_ORDER_ITEM);
    assert_eq!(placed.body["total_amount"], "25.00");

    let review = app
        .post_as(
            "reviews/",
            &token,
            &json!({"product": ids::NOVEL, "rating": 5, "comment": "Worth it."}),
        )
        .await;
    assert!(id_of(&review) > ids::LAST_REVIEW, "{}", review.text);
    let novel = app.get("products/a-long-novel/").await.body;
    assert_eq!(novel["reviews_count"], 2, "{novel}");
    assert_eq!(novel["average_rating"].as_f64(), Some(4.0), "{novel}");
    assert_eq!(novel["stock_quantity"], 1, "3 imported, 2 ordered");
}

api_test! {
    async fn new_sign_ups_addresses_carts_orders_and_reviews_get_ids_above_the_imported_ones(app: TestApp) {
        imported(&app).await;
        check_new_rows_get_fresh_ids(&app).await;
    }
}
