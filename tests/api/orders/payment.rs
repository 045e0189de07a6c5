//! `orders/{id}/payment/` and `payment/confirm/` with the built-in test provider (SPEC §5).

use serde_json::json;

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn cards_and_paypal_are_captured_at_once(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1500).stock(10).create().await;
        for method in ["card", "credit_card", "debit_card", "paypal"] {
            let id = place_order(&app, &user, &[(pen, 1)]).await["id"]
                .as_i64()
                .unwrap();
            let response = app
                .post_as(
                    &format!("orders/{id}/payment/"),
                    &user.token,
                    &json!({
                        "payment_method": method,
                        "payment_details": {"card_number": "4242424242424242"},
                    }),
                )
                .await;
            assert_eq!(response.status, 200, "{method}: {}", response.text);
            assert_eq!(response.body["message"], "Payment processed successfully.");
            assert_eq!(response.body["payment_method"], method);
            assert_eq!(response.body["order"]["status"], "processing");
            assert_eq!(response.body["order"]["payment_status"], "paid");
            let (status, amount, reference): (String, i64, Option<String>) = sqlx::query_as(
                "SELECT status, amount_cents, provider_reference FROM payments WHERE order_id = $1",
            )
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
            assert_eq!((status.as_str(), amount), ("captured", 1500));
            assert!(reference.is_some());
            let again = app
                .post_as(
                    &format!("orders/{id}/payment/"),
                    &user.token,
                    &json!({"payment_method": method}),
                )
                .await;
            assert_eq!(again.status, 409, "paying a paid order");
            assert_eq!(again.body["code"], "already_paid");
        }
    }

    async fn a_bank_transfer_waits_for_confirmation(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1500).stock(10).create().await;
        let id = place_order(&app, &user, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let confirm_early = app
            .post_as(
                &format!("orders/{id}/payment/confirm/"),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(confirm_early.status, 409);
        assert_eq!(confirm_early.body["code"], "no_pending_payment");

        let started = app
            .post_as(
                &format!("orders/{id}/payment/"),
                &user.token,
                &json!({"payment_method": "bank_transfer"}),
            )
            .await;
        assert_eq!(started.status, 202, "{}", started.text);
        assert_eq!(started.body["payment_method"], "bank_transfer");
        assert_eq!(started.body["order"]["status"], "pending");
        assert_eq!(started.body["order"]["payment_status"], "pending");
        let twice = app
            .post_as(
                &format!("orders/{id}/payment/"),
                &user.token,
                &json!({"payment_method": "card"}),
            )
            .await;
        assert_eq!(twice.status, 409);

        let confirmed = app
            .post_as(
                &format!("orders/{id}/payment/confirm/"),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert_eq!(confirmed.body["message"], "Payment confirmed.");
        assert_eq!(confirmed.body["order"]["status"], "processing");
        assert_eq!(confirmed.body["order"]["payment_status"], "paid");
        assert_eq!(
            app.post_as(
                &format!("orders/{id}/payment/confirm/"),
                &user.token,
                &json!({})
            )
            .await
            .status,
            409
        );
    }

    async fn the_declined_card_fails_the_order_and_restores_its_stock(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1500).stock(10).create().await;
        let id = place_order(&app, &user, &[(pen, 4)]).await["id"]
            .as_i64()
            .unwrap();
        assert_stock(&app, pen, 6).await;
        let response = app.post_as(&format!("orders/{id}/payment/"), &user.token,
            &json!({"payment_method": "card", "payment_details": {"card_number": "4000000000000002"}})).await;
        assert_eq!(response.status, 402);
        assert_eq!(
            response.body,
            json!({"detail": "Payment declined.", "code": "payment_declined"})
        );
        let order = app.get_as(&format!("orders/{id}/"), &user.token).await.body;
        assert_eq!(order["status"], "failed");
        assert_eq!(order["payment_status"], "unpaid");
        assert_stock(&app, pen, 10).await;
        let reason: String = sqlx::query_scalar(
            "SELECT reason FROM stock_movements WHERE order_id = $1 AND delta > 0",
        )
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(reason, "payment_declined");
        let retry = app
            .post_as(
                &format!("orders/{id}/payment/"),
                &user.token,
                &json!({"payment_method": "card"}),
            )
            .await;
        assert_eq!(retry.status, 409, "a failed order can't be paid");
        assert_eq!(retry.body["code"], "order_not_payable");
    }

    async fn bad_methods_and_cancelled_orders_are_refused(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1500).stock(10).create().await;
        let id = place_order(&app, &user, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let bad = app
            .post_as(
                &format!("orders/{id}/payment/"),
                &user.token,
                &json!({"payment_method": "cash"}),
            )
            .await;
        assert_eq!(
            bad.body,
            json!({"payment_method": ["Invalid payment method."]})
        );
        let missing = app
            .post_as(&format!("orders/{id}/payment/"), &user.token, &json!({}))
            .await;
        assert_eq!(
            missing.body,
            json!({"payment_method": ["This field is required."]})
        );
        app.post_as(&format!("orders/{id}/cancel/"), &user.token, &json!({}))
            .await;
        let cancelled = app
            .post_as(
                &format!("orders/{id}/payment/"),
                &user.token,
                &json!({"payment_method": "card"}),
            )
            .await;
        assert_eq!(cancelled.status, 409);
        assert_eq!(cancelled.body["code"], "order_not_payable");
        assert_eq!(
            cancelled.body["detail"],
            "Cannot pay for an order that is cancelled."
        );
        assert_eq!(count_rows(&app, "payments").await, 0);
    }

    async fn concurrent_payments_capture_once(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1500).stock(10).create().await;
        let id = place_order(&app, &user, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let url = format!("{}/api/v1/orders/{id}/payment/", app.address);
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    user.token.clone(),
                    json!({"payment_method": "card"}),
                    None,
                ))
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().0.as_u16());
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 409),
            "{statuses:?}"
        );
        let captured: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments WHERE order_id = $1 AND status = 'captured'",
        )
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(captured, 1);
    }
}
