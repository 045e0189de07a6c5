//! Staff stock adjustments and the movement log (SPEC §3.2, §5).

mod shapes;

use serde_json::json;

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn only_staff_see_and_adjust_stock(app: TestApp) {
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let path = format!("products/{pen}/stock/");
        assert_eq!(app.get(&path).await.status, 401);
        assert_eq!(
            app.post(&path, &json!({"delta": 1, "reason": "x"}))
                .await
                .status,
            401
        );
        assert_eq!(app.get_as(&path, &customer.token).await.status, 403);
        assert_eq!(
            app.post_as(&path, &customer.token, &json!({"delta": 1, "reason": "x"}))
                .await
                .status,
            403
        );
        assert_eq!(
            app.get_as("products/999999/stock/", &staff.token)
                .await
                .status,
            404
        );
        assert_eq!(
            app.post_as(
                "products/999999/stock/",
                &staff.token,
                &json!({"delta": 1, "reason": "x"})
            )
            .await
            .status,
            404
        );
        assert_stock(&app, pen, 10).await;
    }

    async fn an_unknown_product_is_a_404_whatever_the_body_says(app: TestApp) {
        let staff = app.create_staff().await;
        let path = "products/999999/stock/";
        for body in [json!({}), json!({"delta": "many", "reason": 7}), json!({"delta": 0})] {
            let response = app.post_as(path, &staff.token, &body).await;
            assert_eq!(response.status, 404, "{body}: {}", response.text);
        }
        let pen = app.product().price_cents(100).stock(10).create().await;
        let response = app
            .post_as(&format!("products/{pen}/stock/"), &staff.token, &json!({"delta": "many"}))
            .await;
        assert_eq!(
            response.body,
            json!({"delta": ["A valid integer is required."], "reason": ["This field is required."]})
        );
    }

    async fn adjustments_are_recorded_and_never_take_stock_below_zero(app: TestApp) {
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let path = format!("products/{pen}/stock/");
        let added = app
            .post_as(
                &path,
                &staff.token,
                &json!({"delta": 5, "reason": "delivery"}),
            )
            .await;
        assert_eq!(added.status, 201, "{}", added.text);
        assert_eq!(added.body["delta"], 5);
        assert_eq!(added.body["reason"], "delivery");
        assert_eq!(added.body["product"], pen);
        assert_eq!(added.body["actor"], staff.id);
        assert_eq!(added.body["order"], serde_json::Value::Null);
        assert_eq!(added.body["stock_quantity"], 15);
        let removed = app
            .post_as(
                &path,
                &staff.token,
                &json!({"delta": -15, "reason": "flood"}),
            )
            .await;
        assert_eq!(removed.body["stock_quantity"], 0);
        let below = app
            .post_as(
                &path,
                &staff.token,
                &json!({"delta": -1, "reason": "recount"}),
            )
            .await;
        assert_eq!(below.status, 409);
        assert_eq!(below.body["code"], "insufficient_stock");
        assert_eq!(below.body["available"], 0);
        assert_eq!(
            app.post_as(&path, &staff.token, &json!({"delta": 0, "reason": "x"}))
                .await
                .body,
            json!({"delta": ["Ensure this value is not 0."]})
        );
        assert_eq!(
            app.post_as(&path, &staff.token, &json!({"delta": 1, "reason": "  "}))
                .await
                .body,
            json!({"reason": ["This field may not be blank."]})
        );
        assert_eq!(
            app.post_as(
                &path,
                &staff.token,
                &json!({"delta": "many", "reason": "x"})
            )
            .await
            .status,
            400
        );
        assert_stock(&app, pen, 0).await;
    }

    async fn the_log_lists_every_movement_newest_first(app: TestApp) {
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let order = place_order(&app, &customer, &[(pen, 2)]).await["id"]
            .as_i64()
            .unwrap();
        app.post_as(
            &format!("orders/{order}/cancel/"),
            &customer.token,
            &json!({}),
        )
        .await;
        app.post_as(
            &format!("products/{pen}/stock/"),
            &staff.token,
            &json!({"delta": 3, "reason": "found a box"}),
        )
        .await;
        let log = app
            .get_as(&format!("products/{pen}/stock/"), &staff.token)
            .await;
        assert_eq!(log.status, 200);
        assert_eq!(log.body["count"], 4);
        let reasons: Vec<&str> = log.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["reason"].as_str().unwrap())
            .collect();
        assert_eq!(
            reasons,
            vec!["found a box", "order_cancelled", "order", "initial"]
        );
        assert_eq!(log.body["results"][2]["order"], order);
        assert_eq!(log.body["results"][2]["delta"], -2);
        let page = app
            .get_as(
                &format!("products/{pen}/stock/?page_size=3&page=2"),
                &staff.token,
            )
            .await;
        assert_eq!(page.body["results"][0]["reason"], "initial");
        assert_stock(&app, pen, 13).await;
    }
}

api_test! {
    async fn stock_set_through_the_product_form_is_recorded_as_movements(app: TestApp) {
        let staff = app.create_staff().await;
        let category: i64 = sqlx::query_scalar(
            "INSERT INTO categories (name, slug, description, created_at) \
             VALUES ('Pens', 'pens', '', 0) RETURNING id",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let created = app
            .post_as(
                "products/",
                &staff.token,
                &json!({"title": "Ink pen", "price": "2.50", "category": category, "stock_quantity": 12}),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        assert_eq!(created.body["stock_quantity"], 12);
        let pen = created.body["id"].as_i64().unwrap();
        let edited = app
            .patch_as(
                &format!("products/{pen}/"),
                &staff.token,
                &json!({"stock_quantity": 5}),
            )
            .await;
        assert_eq!(edited.status, 200);
        assert_eq!(edited.body["stock_quantity"], 5);
        assert_stock(&app, pen, 5).await;
        let log = app
            .get_as(&format!("products/{pen}/stock/"), &staff.token)
            .await;
        let moves: Vec<(i64, String, i64)> = log.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["delta"].as_i64().unwrap(),
                    m["reason"].as_str().unwrap().to_owned(),
                    m["actor"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            moves,
            [
                (-7, "product_edit".to_owned(), staff.id),
                (12, "initial".to_owned(), staff.id)
            ]
        );
    }
}
