//! Staff order endpoints: the status machine and the list of all orders.

use serde_json::json;

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn staff_move_orders_along_the_machine_and_nowhere_else(app: TestApp) {
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let id = place_order(&app, &customer, &[(pen, 2)]).await["id"]
            .as_i64()
            .unwrap();
        let path = format!("orders/{id}/");

        assert_eq!(
            app.request(
                reqwest::Method::PATCH,
                &path,
                None,
                Some(&json!({"status": "processing"}))
            )
            .await
            .status,
            401
        );
        assert_eq!(
            app.patch_as(&path, &customer.token, &json!({"status": "processing"}))
                .await
                .status,
            403
        );
        assert_eq!(
            app.patch_as(
                "orders/999999/",
                &staff.token,
                &json!({"status": "processing"})
            )
            .await
            .status,
            404
        );
        let bogus = app
            .patch_as(&path, &staff.token, &json!({"status": "teleported"}))
            .await;
        assert_eq!(bogus.status, 400);
        assert_eq!(
            bogus.body,
            json!({"status": ["\"teleported\" is not a valid choice."]})
        );
        let skip = app
            .patch_as(&path, &staff.token, &json!({"status": "shipped"}))
            .await;
        assert_eq!(skip.status, 409);
        assert_eq!(
            skip.body["allowed"],
            json!(["processing", "cancelled", "failed"])
        );

        let processing = app
            .patch_as(
                &path,
                &staff.token,
                &json!({"status": "processing", "note": "Picked."}),
            )
            .await;
        assert_eq!(processing.status, 200, "{}", processing.text);
        assert_eq!(processing.body["status"], "processing");
        assert_eq!(
            processing.body["status_history"][1],
            json!({
                "status": "processing",
                "note": "Picked.",
                "created_at": processing.body["status_history"][1]["created_at"],
            })
        );
        let shipped = app
            .put_as(&path, &staff.token, &json!({"status": "shipped"}))
            .await;
        assert_eq!(shipped.status, 200);
        let back = app
            .patch_as(&path, &staff.token, &json!({"status": "pending"}))
            .await;
        assert_eq!(back.status, 409);
        assert_eq!(
            back.body,
            json!({
                "detail": "Cannot change status from shipped to pending.",
                "code": "invalid_status_transition",
                "allowed": ["delivered"],
            })
        );
        let delivered = app
            .patch_as(
                &format!("orders/admin/{id}/update-status/"),
                &staff.token,
                &json!({"status": "delivered"}),
            )
            .await;
        assert_eq!(delivered.status, 200, "the Django alias works");
        let completed = app
            .patch_as(&path, &staff.token, &json!({"status": "completed"}))
            .await;
        assert_eq!(completed.body["status"], "completed");
        let after = app
            .patch_as(&path, &staff.token, &json!({"status": "cancelled"}))
            .await;
        assert_eq!(after.status, 409);
        assert_eq!(after.body["allowed"], json!([]));
        assert_eq!(
            completed.body["status_history"].as_array().unwrap().len(),
            5
        );
        assert_stock(&app, pen, 8).await;
    }

    async fn an_unknown_order_is_a_404_whatever_the_body_says(app: TestApp) {
        let staff = app.create_staff().await;
        for body in [json!({}), json!({"status": "lost", "note": 7})] {
            let response = app.patch_as("orders/999999/", &staff.token, &body).await;
            assert_eq!(response.status, 404, "{body}: {}", response.text);
            let response = app.put_as("orders/999999/", &staff.token, &body).await;
            assert_eq!(response.status, 404, "{body}: {}", response.text);
        }
    }

    async fn staff_cancelling_or_failing_an_order_restocks_it(app: TestApp) {
        let customer = app.create_customer().await;
        let admin = app.create_admin().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let cancelled = place_order(&app, &customer, &[(pen, 2)]).await["id"]
            .as_i64()
            .unwrap();
        let failed = place_order(&app, &customer, &[(pen, 3)]).await["id"]
            .as_i64()
            .unwrap();
        assert_stock(&app, pen, 5).await;
        let response = app
            .patch_as(
                &format!("orders/{cancelled}/"),
                &admin.token,
                &json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(response.status, 200);
        assert_stock(&app, pen, 7).await;
        let response = app
            .patch_as(
                &format!("orders/{failed}/"),
                &admin.token,
                &json!({"status": "failed"}),
            )
            .await;
        assert_eq!(response.body["status"], "failed");
        assert_stock(&app, pen, 10).await;
        let actor: Option<i64> = sqlx::query_scalar(
            "SELECT actor_id FROM stock_movements WHERE order_id = $1 AND reason = 'order_failed'",
        )
        .bind(failed)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(actor, Some(admin.id));
    }

    async fn staff_list_every_order_with_filters(app: TestApp) {
        let alice = app.create_customer().await;
        let bob = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let first = place_order(&app, &alice, &[(pen, 1)]).await["id"]
            .as_i64()
            .unwrap();
        place_order(&app, &alice, &[(pen, 1)]).await;
        place_order(&app, &bob, &[(pen, 1)]).await;
        app.patch_as(
            &format!("orders/{first}/"),
            &staff.token,
            &json!({"status": "processing"}),
        )
        .await;

        assert_eq!(app.get("orders/admin/all/").await.status, 401);
        assert_eq!(
            app.get_as("orders/admin/all/", &alice.token).await.status,
            403
        );
        let all = app.get_as("orders/admin/all/", &staff.token).await;
        assert_eq!(all.status, 200);
        assert_eq!(all.body["count"], 3);
        assert_eq!(
            app.get_as(
                &format!("orders/admin/all/?user={}", alice.id),
                &staff.token
            )
            .await
            .body["count"],
            2
        );
        let processing = app
            .get_as("orders/admin/all/?status=processing", &staff.token)
            .await
            .body;
        assert_eq!(processing["count"], 1);
        assert_eq!(processing["results"][0]["id"], first);
        let today = chrono::Utc::now().date_naive();
        let yesterday = today.pred_opt().unwrap();
        let on = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
            format!("orders/admin/all/?date_from={from}&date_to={to}")
        };
        assert_eq!(
            app.get_as(&on(today, today), &staff.token).await.body["count"],
            3,
            "date_to is inclusive"
        );
        assert_eq!(
            app.get_as(&on(yesterday, yesterday), &staff.token)
                .await
                .body["count"],
            0
        );
        let bad = app
            .get_as("orders/admin/all/?date_from=07-08-2025", &staff.token)
            .await;
        assert_eq!(bad.status, 400);
        assert!(bad.body["date_from"].is_array());
        assert_eq!(
            app.get_as("orders/admin/all/?user=abc", &staff.token)
                .await
                .status,
            400
        );
        assert_eq!(
            app.get_as("orders/admin/all/?page_size=2&page=2", &staff.token)
                .await
                .body["results"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
