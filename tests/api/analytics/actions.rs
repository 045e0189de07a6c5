//! User actions: register, login (successful only), add to cart, order (after it committed),
//! review.

use serde_json::json;

use super::{wait_for_events, wait_for_kind};
use crate::{
    accounts::{login, new_user, register},
    api_test,
    fixtures::place_order,
    helpers::{TestApp, PASSWORD},
};

api_test! {
    async fn a_registration_is_recorded_for_the_new_user(app: TestApp) {
        let before = nexus::db::now_micros();
        let response = register(&app, &new_user("ada")).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let id = response.body["user"]["id"].as_i64().unwrap();
        let event = &wait_for_events(&app, 1).await[0];
        assert_eq!((event.kind.as_str(), event.user_id), ("register", Some(id)));
        assert_eq!(event.ip_prefix.as_deref(), Some("127.0.0.0"));
        let range = before..=nexus::db::now_micros();
        assert!(range.contains(&event.occurred_at), "epoch micros of the request: {event:?}");
    }

    async fn only_a_successful_login_is_recorded(app: TestApp) {
        let customer = app.create_customer().await;
        assert_eq!(login(&app, &customer.email, "wrong-password").await.status, 401);
        assert_eq!(login(&app, "nobody@example.com", PASSWORD).await.status, 401);
        assert_eq!(login(&app, &customer.email, PASSWORD).await.status, 200);
        let stored = wait_for_events(&app, 1).await;
        assert_eq!(stored.len(), 1, "failed logins record nothing: {stored:?}");
        assert_eq!((stored[0].kind.as_str(), stored[0].user_id), ("login", Some(customer.id)));
    }

    async fn adding_to_the_cart_is_recorded_with_the_product(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().stock(5).create().await;
        let refused = app
            .post_as("cart/add/", &customer.token, &json!({"product_id": product, "quantity": 9}))
            .await;
        assert_eq!(refused.status, 400, "more than the stock");
        let added = app
            .post_as("cart/add/", &customer.token, &json!({"product_id": product, "quantity": 1}))
            .await;
        assert_eq!(added.status, 201, "{}", added.text);
        let stored = wait_for_events(&app, 1).await;
        assert_eq!(stored.len(), 1, "a refused add records nothing: {stored:?}");
        let event = &stored[0];
        assert_eq!(event.kind, "add_to_cart");
        assert_eq!((event.user_id, event.product_id), (Some(customer.id), Some(product)));
    }

    async fn a_placed_order_is_recorded_once_with_its_id(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().stock(5).create().await;
        let body = json!({"items": [{"product_id": product, "quantity": 1}]});
        let key = "analytics-order-1";
        let first = crate::fixtures::post_with_key(&app, "orders/", &customer.token, key, &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let replay = crate::fixtures::post_with_key(&app, "orders/", &customer.token, key, &body).await;
        assert_eq!(replay.status, 201);
        let order_id = first.body["id"].as_i64().unwrap();
        let second = place_order(&app, &customer, &[(product, 1)]).await;
        let orders = wait_for_kind(&app, 2, "order").await;
        let ids: Vec<Option<i64>> = orders.iter().map(|o| o.order_id).collect();
        assert_eq!(ids, [Some(order_id), second["id"].as_i64()], "a replay placed nothing");
        assert!(orders.iter().all(|o| o.user_id == Some(customer.id) && o.product_id.is_none()));
    }

    async fn a_created_review_is_recorded_with_its_product(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().create().await;
        let body = json!({"product": product, "rating": 5, "comment": "Lovely."});
        assert_eq!(app.post_as("reviews/", &customer.token, &body).await.status, 201);
        assert_eq!(
            app.post_as("reviews/", &customer.token, &body).await.status,
            400,
            "a second review of the same product is refused"
        );
        let stored = wait_for_events(&app, 1).await;
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].kind, "review");
        assert_eq!((stored[0].user_id, stored[0].product_id), (Some(customer.id), Some(product)));
    }
}
