//! Concurrency over real HTTP: no overselling, one order per idempotency key, no lost cart
//! updates (the Django defects of DJANGO-OBSERVED §6 and §8), and a latency probe.

use serde_json::json;

use crate::fixtures::*;
use crate::{
    api_test,
    helpers::{Backend, TestApp},
};

api_test! {
    async fn forty_buyers_racing_for_the_last_five_units_buy_exactly_five(app: TestApp) {
        let product = app.product().price_cents(999).stock(5).create().await;
        let mut buyers = Vec::new();
        for _ in 0..40 {
            buyers.push(app.create_customer().await);
        }
        let url = format!("{}/api/v1/orders/", app.address);
        let body = json!({"items": [{"product_id": product, "quantity": 1}]});
        let tasks: Vec<_> = buyers
            .iter()
            .map(|buyer| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    buyer.token.clone(),
                    body.clone(),
                    None,
                ))
            })
            .collect();
        let (mut created, mut short, mut server_errors, mut other) = (0, 0, 0, Vec::new());
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status.as_u16() {
                201 => created += 1,
                409 if body["code"] == "insufficient_stock" => short += 1,
                s if s >= 500 => server_errors += 1,
                s => other.push((s, body)),
            }
        }
        let sold: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items WHERE product_id = $1")
            .bind(product).fetch_one(&app.db.pool).await.unwrap();
        eprintln!(
            "checkout race on {:?}: {created} x 201, {short} x 409 insufficient_stock, \
            {server_errors} x 5xx, other {other:?}; stock {}, movements sum {}, units sold {sold}",
            app.backend,
            stock_of(&app, product).await,
            movement_sum(&app, product).await
        );
        assert_eq!(
            (created, short, server_errors),
            (5, 35, 0),
            "other answers: {other:?}"
        );
        assert!(other.is_empty());
        assert_stock(&app, product, 0).await;
        assert_eq!(sold, 5);
        assert_eq!(count_rows(&app, "orders").await, 5);
    }

    async fn cart_adds_racing_a_cart_checkout_are_ordered_or_stay_in_the_cart(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(999).stock(1000).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": product, "quantity": 1}),
        )
        .await;
        let base = app.address.clone();
        let add = json!({"product_id": product, "quantity": 1});
        let mut tasks: Vec<_> = (0..10)
            .map(|_| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    format!("{base}/api/v1/cart/add/"),
                    user.token.clone(),
                    add.clone(),
                    None,
                ))
            })
            .collect();
        tasks.insert(
            5,
            tokio::spawn(race_post(
                app.client.clone(),
                format!("{base}/api/v1/orders/"),
                user.token.clone(),
                json!({}),
                None,
            )),
        );
        let mut added = 1;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status.as_u16() {
                201 if body.get("order_number").is_some() => {}
                201 => added += 1,
                s => panic!("unexpected {s}: {body}"),
            }
        }
        let ordered: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items WHERE product_id = $1")
            .bind(product).fetch_one(&app.db.pool).await.unwrap();
        let in_cart = app.get_as("cart/count/", &user.token).await.body["count"]
            .as_i64()
            .unwrap();
        assert!(ordered >= 1, "the checkout took at least the first unit");
        assert_eq!(
            ordered + in_cart,
            added,
            "every added unit was ordered or is still in the cart"
        );
    }

    async fn ten_concurrent_replays_of_one_key_make_one_order(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(999).stock(100).create().await;
        let url = format!("{}/api/v1/orders/", app.address);
        let body = json!({"items": [{"product_id": product, "quantity": 1}]});
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    user.token.clone(),
                    body.clone(),
                    Some("race-key".into()),
                ))
            })
            .collect();
        let mut order_ids = Vec::new();
        let mut in_progress = 0;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status.as_u16() {
                201 => order_ids.push(body["id"].as_i64().unwrap()),
                409 if body["code"] == "idempotency_in_progress" => in_progress += 1,
                s => panic!("unexpected {s}: {body}"),
            }
        }
        eprintln!(
            "idempotency race on {:?}: {} x 201, {in_progress} x 409 in progress",
            app.backend,
            order_ids.len()
        );
        order_ids.dedup();
        assert_eq!(order_ids.len(), 1, "every 201 is the same order");
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, product, 99).await;
    }

    async fn ten_concurrent_replays_of_one_cart_checkout_make_one_order(app: TestApp) {
        // The losers find the cart emptied by the winner; each must answer the winner's order.
        let user = app.create_customer().await;
        let product = app.product().price_cents(999).stock(100).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": product, "quantity": 2}),
        )
        .await;
        let url = format!("{}/api/v1/orders/", app.address);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    user.token.clone(),
                    json!({}),
                    Some("cart-race-key".into()),
                ))
            })
            .collect();
        let mut order_ids = Vec::new();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status.as_u16(), 201, "{body}");
            order_ids.push(body["id"].as_i64().unwrap());
        }
        order_ids.dedup();
        assert_eq!(order_ids.len(), 1, "every 201 is the same order");
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, product, 98).await;
    }

    async fn racing_adds_of_one_product_never_put_more_than_its_stock_in_the_cart(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(100).stock(5).create().await;
        let url = format!("{}/api/v1/cart/add/", app.address);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    user.token.clone(),
                    json!({"product_id": product, "quantity": 1}),
                    None,
                ))
            })
            .collect();
        let (mut added, mut refused) = (0, 0);
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status.as_u16() {
                201 => added += 1,
                400 => {
                    assert_eq!(body, json!({"quantity": ["Only 5 left in stock."]}));
                    refused += 1;
                }
                s => panic!("unexpected {s}: {body}"),
            }
        }
        assert_eq!((added, refused), (5, 7));
        let cart = app.get_as("cart/", &user.token).await.body;
        assert_eq!(cart["items"][0]["quantity"], 5);
        assert_eq!(count_rows(&app, "cart_items").await, 1);
        let (cart_changed, line_changed): (i64, i64) = sqlx::query_as(
            "SELECT c.updated_at, ci.updated_at FROM carts c JOIN cart_items ci ON ci.cart_id = c.id")
            .fetch_one(&app.db.pool).await.unwrap();
        assert!(
            cart_changed <= line_changed,
            "a refused add never marks the cart changed"
        );
    }

    async fn concurrent_adds_to_a_new_cart_add_up_in_one_row(app: TestApp) {
        let product = app.product().price_cents(100).stock(100).create().await;
        let mut users = Vec::new();
        for _ in 0..5 {
            users.push(app.create_customer().await);
        }
        let url = format!("{}/api/v1/cart/add/", app.address);
        let tasks: Vec<_> = users
            .iter()
            .flat_map(|user| {
                (0..6)
                    .map(|_| {
                        tokio::spawn(race_post(
                            app.client.clone(),
                            url.clone(),
                            user.token.clone(),
                            json!({"product_id": product, "quantity": 1}),
                            None,
                        ))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 201, "{body}");
        }
        assert_eq!(count_rows(&app, "carts").await, 5, "one cart per user");
        assert_eq!(
            count_rows(&app, "cart_items").await,
            5,
            "one row per user and product"
        );
        for user in &users {
            let cart = app.get_as("cart/", &user.token).await;
            assert_eq!(cart.status, 200);
            assert_eq!(cart.body["items"][0]["quantity"], 6, "no lost update");
        }
    }
}
