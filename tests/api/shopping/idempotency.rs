//! `Idempotency-Key` on checkout, sequential cases (the concurrent one is in `races`).

use serde_json::json;

use super::helpers::*;
use crate::api_test;

api_test! {
    async fn a_replayed_key_returns_the_original_order_and_creates_nothing(app: TestApp) {
        let user = app.create_customer().await;
        let pen = create_product(&app, 250, 10).await;
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
        let pen = create_product(&app, 250, 10).await;
        let first = post_with_key(&app, "orders/", &user.token, "key-2",
            &json!({"items": [{"product_id": pen, "quantity": 1}]})).await;
        assert_eq!(first.status, 201);
        let reused = post_with_key(&app, "orders/", &user.token, "key-2",
            &json!({"items": [{"product_id": pen, "quantity": 5}]})).await;
        assert_eq!(reused.status, 409);
        assert_eq!(reused.body["code"], "idempotency_key_reused");
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, pen, 9).await;
    }

    async fn keys_belong_to_one_user_and_failed_attempts_can_be_retried(app: TestApp) {
        let alice = app.create_customer().await;
        let bob = app.create_customer().await;
        let pen = create_product(&app, 250, 1).await;
        let body = json!({"items": [{"product_id": pen, "quantity": 2}]});
        let short = post_with_key(&app, "orders/", &alice.token, "shared", &body).await;
        assert_eq!(short.status, 409);
        assert_eq!(short.body["code"], "insufficient_stock");
        assert_eq!(count_rows(&app, "idempotency_keys").await, 0, "a refused checkout leaves no claim");
        sqlx::query("UPDATE products SET stock_quantity = 5 WHERE id = $1").bind(pen).execute(&app.db.pool).await.unwrap();
        let retried = post_with_key(&app, "orders/", &alice.token, "shared", &body).await;
        assert_eq!(retried.status, 201, "the same key works once the stock is there");
        let bobs = post_with_key(&app, "orders/", &bob.token, "shared", &body).await;
        assert_eq!(bobs.status, 201);
        assert_ne!(bobs.body["id"], retried.body["id"], "another user's key is another key");
        let blank = post_with_key(&app, "orders/", &bob.token, " ", &body).await;
        assert_eq!(blank.status, 400);
        assert_eq!(blank.body["code"], "invalid_idempotency_key");
    }
}
