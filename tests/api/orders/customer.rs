//! Customer order endpoints: history, detail, status, tracking, cancellation, ownership.

use serde_json::json;

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn history_is_own_newest_first_paginated_and_filterable(app: TestApp) {
        let user = app.create_customer().await;
        let other = app.create_customer().await;
        let pen = app.product().price_cents(100).stock(100).create().await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(
                place_order(&app, &user, &[(pen, 1)]).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        place_order(&app, &other, &[(pen, 1)]).await;
        let list = app.get_as("orders/", &user.token).await;
        assert_eq!(list.status, 200);
        assert_eq!(list.body["count"], 3);
        let got: Vec<i64> = list.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, vec![ids[2], ids[1], ids[0]]);
        assert_eq!(
            list.body["results"][0]["items"][0]["product"], pen,
            "lines are loaded on list pages"
        );

        let history = app.get_as("orders/history/?page_size=2", &user.token).await;
        assert_eq!(history.body["count"], 3);
        assert_eq!(history.body["results"].as_array().unwrap().len(), 2);
        assert!(history.body["next"].as_str().unwrap().contains("page=2"));
        assert_eq!(
            app.get_as("orders/?page=3&page_size=2", &user.token)
                .await
                .status,
            404
        );

        app.post_as(
            &format!("orders/{}/cancel/", ids[0]),
            &user.token,
            &json!({}),
        )
        .await;
        let cancelled = app
            .get_as("orders/?status=cancelled", &user.token)
            .await
            .body;
        assert_eq!(cancelled["count"], 1);
        assert_eq!(cancelled["results"][0]["id"], ids[0]);
        assert_eq!(
            app.get_as("orders/?status=pending", &user.token).await.body["count"],
            2
        );
        assert_eq!(
            app.get_as("orders/?status=bogus", &user.token).await.status,
            400
        );
        assert_eq!(app.get("orders/").await.status, 401);
    }

    async fn detail_and_status_are_for_the_owner_or_staff(app: TestApp) {
        let owner = app.create_customer().await;
        let stranger = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let id = place_order(&app, &owner, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let detail = app.get_as(&format!("orders/{id}/"), &owner.token).await;
        assert_eq!(detail.status, 200);
        assert_eq!(detail.body["id"], id);
        let status = app
            .get_as(&format!("orders/{id}/status/"), &owner.token)
            .await;
        assert_eq!(
            status.body,
            json!({"order_id": id, "status": "pending", "payment_status": "unpaid"})
        );

        for path in [
            format!("orders/{id}/"),
            format!("orders/{id}/status/"),
            format!("orders/{id}/track/"),
        ] {
            let response = app.get_as(&path, &stranger.token).await;
            assert_eq!(response.status, 404, "{path}");
            assert_eq!(response.body["detail"], "Not found.");
        }
        assert_eq!(
            app.post_as(&format!("orders/{id}/cancel/"), &stranger.token, &json!({}))
                .await
                .status,
            404
        );
        assert_eq!(
            app.post_as(
                &format!("orders/{id}/payment/"),
                &stranger.token,
                &json!({"payment_method": "card"})
            )
            .await
            .status,
            404
        );
        assert_eq!(
            app.post_as(
                &format!("orders/{id}/payment/confirm/"),
                &stranger.token,
                &json!({})
            )
            .await
            .status,
            404
        );
        assert_eq!(app.get_as("orders/999999/", &owner.token).await.status, 404);

        // Staff read others' orders (SPEC §3.4) but track, cancel and pay only their own (§5).
        assert_eq!(
            app.get_as(&format!("orders/{id}/"), &staff.token)
                .await
                .status,
            200
        );
        assert_eq!(
            app.get_as(&format!("orders/{id}/status/"), &staff.token)
                .await
                .status,
            200
        );
        assert_eq!(
            app.get_as(&format!("orders/{id}/track/"), &staff.token)
                .await
                .status,
            404
        );
        assert_eq!(
            app.post_as(&format!("orders/{id}/cancel/"), &staff.token, &json!({}))
                .await
                .status,
            404
        );
        assert_eq!(
            app.post_as(
                &format!("orders/{id}/payment/"),
                &staff.token,
                &json!({"payment_method": "card"})
            )
            .await
            .status,
            404
        );
        assert_eq!(
            app.get_as(&format!("orders/{id}/status/"), &owner.token)
                .await
                .body["status"],
            "pending"
        );
    }

    async fn tracking_lists_the_history_with_a_tracking_number(app: TestApp) {
        let owner = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let id = place_order(&app, &owner, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let track = app
            .get_as(&format!("orders/{id}/track/"), &owner.token)
            .await;
        assert_eq!(track.status, 200);
        assert_eq!(track.body["order_id"], id);
        assert_eq!(track.body["tracking_number"], format!("TRK{id:08}"));
        assert_eq!(track.body["status"], "pending");
        assert_eq!(track.body["estimated_delivery"], serde_json::Value::Null);
        assert_eq!(track.body["tracking_events"][0]["status"], "pending");
        assert_eq!(
            track.body["tracking_events"][0]["description"],
            "Order placed."
        );
        assert!(track.body["order_number"]
            .as_str()
            .unwrap()
            .starts_with("NX-"));

        app.patch_as(
            &format!("orders/{id}/"),
            &staff.token,
            &json!({"status": "processing"}),
        )
        .await;
        app.patch_as(
            &format!("orders/{id}/"),
            &staff.token,
            &json!({"status": "shipped", "note": "Sent with DHL."}),
        )
        .await;
        let track = app
            .get_as(&format!("orders/{id}/track/"), &owner.token)
            .await
            .body;
        let expected = (chrono::Utc::now() + chrono::Duration::days(5))
            .format("%Y-%m-%d")
            .to_string();
        assert_eq!(track["estimated_delivery"], expected);
        let events = track["tracking_events"].as_array().unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[1]["description"], "Order is being prepared.");
        assert_eq!(events[2]["description"], "Sent with DHL.");
        assert!(events[2]["date"].as_str().unwrap().ends_with('Z'));
    }

    async fn cancelling_restocks_every_line_in_one_go(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let ink = app.product().price_cents(100).stock(10).create().await;
        let id = place_order(&app, &user, &[(pen, 3), (ink, 1)]).await["id"]
            .as_i64()
            .unwrap();
        assert_stock(&app, pen, 7).await;
        let response = app
            .post_as(&format!("orders/{id}/cancel/"), &user.token, &json!({}))
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body["message"], "Order cancelled successfully.");
        assert_eq!(response.body["order"]["status"], "cancelled");
        assert_eq!(response.body["order"]["payment_status"], "unpaid");
        assert_eq!(
            response.body["order"]["status_history"][1]["status"],
            "cancelled"
        );
        assert_stock(&app, pen, 10).await;
        assert_stock(&app, ink, 10).await;
        let reasons: Vec<String> = sqlx::query_scalar(
            "SELECT reason FROM stock_movements WHERE order_id = $1 AND delta > 0",
        )
        .bind(id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(reasons, vec!["order_cancelled", "order_cancelled"]);

        let again = app
            .post_as(&format!("orders/{id}/cancel/"), &user.token, &json!({}))
            .await;
        assert_eq!(again.status, 409);
        assert_eq!(again.body["code"], "invalid_status_transition");
        assert_eq!(
            again.body["detail"],
            "Cannot cancel order. Order is already cancelled."
        );
        assert_stock(&app, pen, 10).await;
    }

    async fn a_paid_order_is_refunded_on_cancel_and_a_shipped_one_cannot_be_cancelled(
        app: TestApp,
    ) {
        let user = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let paid = place_order(&app, &user, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let pay = app
            .post_as(
                &format!("orders/{paid}/payment/"),
                &user.token,
                &json!({"payment_method": "card"}),
            )
            .await;
        assert_eq!(pay.status, 200);
        let cancelled = app
            .post_as(&format!("orders/{paid}/cancel/"), &user.token, &json!({}))
            .await;
        assert_eq!(cancelled.status, 200, "processing orders can be cancelled");
        assert_eq!(cancelled.body["order"]["payment_status"], "refunded");
        let payment: String = sqlx::query_scalar("SELECT status FROM payments WHERE order_id = $1")
            .bind(paid)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(payment, "refunded");
        assert_stock(&app, pen, 10).await;

        let shipped = place_order(&app, &user, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        for status in ["processing", "shipped"] {
            assert_eq!(
                app.patch_as(
                    &format!("orders/{shipped}/"),
                    &staff.token,
                    &json!({"status": status})
                )
                .await
                .status,
                200
            );
        }
        let refused = app
            .post_as(
                &format!("orders/{shipped}/cancel/"),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(refused.status, 409);
        assert_eq!(refused.body["code"], "invalid_status_transition");
        assert_eq!(
            refused.body["detail"],
            "Cannot cancel shipped order. Please contact customer service."
        );
        assert_stock(&app, pen, 9).await;
    }
}
