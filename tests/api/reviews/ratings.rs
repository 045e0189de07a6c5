//! The product's `average_rating`/`reviews_count` after every kind of review write, and
//! `verified_purchase` following the order's delivery.

use serde_json::json;

use super::*;
use crate::{
    api_test,
    fixtures::{place_order, race_post},
};

async fn rendered(app: &TestApp, product: i64) -> (serde_json::Value, serde_json::Value) {
    let body = app.get(&format!("products/{product}/")).await.body;
    (
        body["average_rating"].clone(),
        body["reviews_count"].clone(),
    )
}

api_test! {
    async fn product_rating_and_count_follow_every_write(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let cat = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let other = app.product().price_cents(1000).stock(5).create().await;
        assert_eq!(rendered(&app, product).await, (json!(0), json!(0)));

        let a = create_review(&app, &ann, product, 5).await["id"]
            .as_i64()
            .unwrap();
        let b = create_review(&app, &bob, product, 4).await["id"]
            .as_i64()
            .unwrap();
        let c = create_review(&app, &cat, product, 4).await["id"]
            .as_i64()
            .unwrap();
        create_review(&app, &ann, other, 1).await;
        assert_eq!(
            rendered(&app, product).await,
            (json!(4.33), json!(3)),
            "created"
        );
        assert_eq!(
            product_rating(&app, other).await,
            (1.0, 1),
            "other products are untouched"
        );

        app.patch_as(&format!("reviews/{b}/"), &bob.token, &json!({"rating": 1}))
            .await;
        assert_eq!(
            rendered(&app, product).await,
            (json!(3.33), json!(3)),
            "updated"
        );

        set_hidden(&app, &staff, a, true).await;
        assert_eq!(
            rendered(&app, product).await,
            (json!(2.5), json!(2)),
            "hidden"
        );
        set_hidden(&app, &staff, a, false).await;
        assert_eq!(
            rendered(&app, product).await,
            (json!(3.33), json!(3)),
            "unhidden"
        );

        app.delete_as(&format!("reviews/{c}/"), &cat.token).await;
        assert_eq!(
            rendered(&app, product).await,
            (json!(3.0), json!(2)),
            "deleted"
        );
        set_hidden(&app, &staff, a, true).await;
        set_hidden(&app, &staff, b, true).await;
        assert_eq!(
            rendered(&app, product).await,
            (json!(0), json!(0)),
            "all hidden"
        );
        assert_eq!(product_rating(&app, product).await, (0.0, 0));
    }

    async fn verified_purchase_is_true_only_once_the_order_is_delivered(app: TestApp) {
        let buyer = app.create_customer().await;
        let browser = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let order = place_order(&app, &buyer, &[(product, 1)]).await["id"]
            .as_i64()
            .unwrap();
        let id = create_review(&app, &buyer, product, 5).await["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            app.get(&format!("reviews/{id}/")).await.body["verified_purchase"],
            false,
            "pending"
        );

        for status in ["processing", "shipped"] {
            let moved = app
                .patch_as(
                    &format!("orders/{order}/"),
                    &staff.token,
                    &json!({"status": status}),
                )
                .await;
            assert_eq!(moved.status, 200, "{}", moved.text);
            assert_eq!(
                app.get(&format!("reviews/{id}/")).await.body["verified_purchase"],
                false,
                "{status}"
            );
        }
        app.patch_as(
            &format!("orders/{order}/"),
            &staff.token,
            &json!({"status": "delivered"}),
        )
        .await;
        assert_eq!(
            app.get(&format!("reviews/{id}/")).await.body["verified_purchase"],
            true,
            "delivered"
        );
        app.patch_as(
            &format!("orders/{order}/"),
            &staff.token,
            &json!({"status": "completed"}),
        )
        .await;
        assert_eq!(
            app.get(&format!("reviews/{id}/")).await.body["verified_purchase"],
            true,
            "completed"
        );

        let unbought = create_review(&app, &browser, product, 2).await;
        assert_eq!(
            unbought["verified_purchase"], false,
            "someone else's order doesn't count"
        );
        let other = app.product().price_cents(1000).stock(5).create().await;
        let elsewhere = create_review(&app, &buyer, other, 3).await;
        assert_eq!(
            elsewhere["verified_purchase"], false,
            "another product doesn't count"
        );
    }

    async fn racing_reviews_by_different_users_keep_the_rating_exact(app: TestApp) {
        let product = app.product().price_cents(1000).stock(5).create().await;
        let url = format!("{}/api/v1/reviews/", app.address);
        let mut tasks = Vec::new();
        for n in 0..8 {
            let user = app.create_customer().await;
            let body = json!({"product": product, "rating": 1 + n % 5});
            tasks.push(tokio::spawn(race_post(
                app.client.clone(),
                url.clone(),
                user.token,
                body,
                None,
            )));
        }
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 201, "{body}");
        }
        // Ratings 1,2,3,4,5,1,2,3: 21 / 8.
        assert_eq!(product_rating(&app, product).await, (21.0 / 8.0, 8));
    }
}
