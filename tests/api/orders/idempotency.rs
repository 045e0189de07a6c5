//! `Idempotency-Key` on checkout, sequential cases (the concurrent one is in `races`).

use serde_json::json;

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn a_replayed_key_returns_the_original_order_and_creates_nothing(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(10).create().await;
        let body = json!({"items": [{"product_id": pen, "quantity": 2}], "notes": "gift"});
        let first = post_with_key(&app, "orders/", &user.token, "key-1", &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        assert!(!first.headers.contains_key("idempotent-replayed"));
        // Same body with its keys in another order: still the same request.
        let reordered = json!({"notes": "gift", "items": [{"quantity": 2, "product_id": pen}]});
        let replay = post_with_key(&app, "orders/", &user.token, "key-1", &reordered).await;
        assert_eq!(replay.status, 201, "the original status code");
        assert_eq!(replay.headers["idempotent-replayed"], "true");
        assert_eq!(replay.body["id"], first.body["id"]);
        assert_eq!(replay.body["order_number"], first.body["order_number"]);
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, pen, 8).await;
    }

    async fn a_key_reused_with_another_body_is_a_conflict(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(10).create().await;
        let first = post_with_key(
            &app,
            "orders/",
            &user.token,
            "key-2",
            &json!({"items": [{"product_id": pen, "quantity": 1}]}),
        )
        .await;
        assert_eq!(first.status, 201);
        let reused = post_with_key(
            &app,
            "orders/",
            &user.token,
            "key-2",
            &json!({"items": [{"product_id": pen, "quantity": 5}]}),
        )
        .await;
        assert_eq!(reused.status, 409);
        assert_eq!(reused.body["code"], "idempotency_key_reused");
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, pen, 9).await;
    }

    async fn a_replayed_cart_checkout_returns_its_order_though_the_cart_is_now_empty(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(10).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": pen, "quantity": 3}),
        )
        .await;
        let first = post_with_key(&app, "orders/", &user.token, "cart-key", &json!({})).await;
        assert_eq!(first.status, 201, "{}", first.text);
        // The first order emptied the cart; the replay must not answer "Your cart is empty."
        let replay = post_with_key(&app, "orders/", &user.token, "cart-key", &json!({})).await;
        assert_eq!(replay.status, 201, "{}", replay.text);
        assert_eq!(replay.headers["idempotent-replayed"], "true");
        assert_eq!(replay.body, first.body);
        // A key of its own still gets the empty-cart answer.
        let fresh = post_with_key(&app, "orders/", &user.token, "other-key", &json!({})).await;
        assert_eq!(fresh.status, 400);
        assert_eq!(fresh.body["non_field_errors"][0], "Your cart is empty.");
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, pen, 7).await;
    }

    async fn a_replay_after_the_stock_ran_out_still_returns_the_original_order(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(2).create().await;
        let body = json!({"items": [{"product_id": pen, "quantity": 2}]});
        let first = post_with_key(&app, "orders/", &user.token, "last-units", &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let replay = post_with_key(&app, "orders/", &user.token, "last-units", &body).await;
        assert_eq!(
            replay.status, 201,
            "not insufficient_stock: {}",
            replay.text
        );
        assert_eq!(replay.body["id"], first.body["id"]);
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_eq!(count_rows(&app, "idempotency_keys").await, 1);
        assert_stock(&app, pen, 0).await;
    }

    async fn a_reused_key_is_a_conflict_even_when_the_new_request_would_fail(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(10).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": pen, "quantity": 1}),
        )
        .await;
        let first = post_with_key(&app, "orders/", &user.token, "key-3", &json!({})).await;
        assert_eq!(first.status, 201, "{}", first.text);
        // Another body, and the cart is empty now: the key's misuse is what the client must hear.
        let reused = post_with_key(
            &app,
            "orders/",
            &user.token,
            "key-3",
            &json!({"notes": "again"}),
        )
        .await;
        assert_eq!(reused.status, 409, "{}", reused.text);
        assert_eq!(reused.body["code"], "idempotency_key_reused");
        assert_eq!(count_rows(&app, "orders").await, 1);
    }

    async fn keys_belong_to_one_user_and_failed_attempts_can_be_retried(app: TestApp) {
        let alice = app.create_customer().await;
        let bob = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(1).create().await;
        let body = json!({"items": [{"product_id": pen, "quantity": 2}]});
        let short = post_with_key(&app, "orders/", &alice.token, "shared", &body).await;
        assert_eq!(short.status, 409);
        assert_eq!(short.body["code"], "insufficient_stock");
        assert_eq!(
            count_rows(&app, "idempotency_keys").await,
            0,
            "a refused checkout leaves no claim"
        );
        sqlx::query("UPDATE products SET stock_quantity = 5 WHERE id = $1")
            .bind(pen)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let retried = post_with_key(&app, "orders/", &alice.token, "shared", &body).await;
        assert_eq!(
            retried.status, 201,
            "the same key works once the stock is there"
        );
        let bobs = post_with_key(&app, "orders/", &bob.token, "shared", &body).await;
        assert_eq!(bobs.status, 201);
        assert_ne!(
            bobs.body["id"], retried.body["id"],
            "another user's key is another key"
        );
        let blank = post_with_key(&app, "orders/", &bob.token, " ", &body).await;
        assert_eq!(blank.status, 400);
        assert_eq!(blank.body["code"], "invalid_idempotency_key");
    }
}
