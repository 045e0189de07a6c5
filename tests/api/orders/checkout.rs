//! `POST orders/` (SPEC §3.4): one transaction, stock taken, prices snapshotted.

use serde_json::json;

use crate::fixtures::*;
use crate::{api_test, helpers::Backend};

api_test! {
    async fn ordering_the_cart_takes_stock_snapshots_prices_and_empties_the_cart(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1062).stock(10).create().await;
        let ink = app.product().price_cents(500).stock(5).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": pen, "quantity": 2}),
        )
        .await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": ink, "quantity": 1}),
        )
        .await;

        let response = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"notes": " leave at the door "}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let order = &response.body;
        let id = order["id"].as_i64().unwrap();
        let today = chrono::Utc::now().format("%Y%m%d").to_string();
        assert_eq!(order["order_number"], format!("NX-{today}-{id:06}"));
        assert_eq!(order["user"], user.id);
        assert_eq!(order["user_email"], user.email);
        assert_eq!(order["status"], "pending");
        assert_eq!(order["payment_status"], "unpaid");
        assert_eq!(order["total_amount"], "26.24");
        assert_eq!(order["shipping_address"], serde_json::Value::Null);
        assert_eq!(order["notes"], "leave at the door");
        let items = order["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["product"], pen);
        assert_eq!(items[0]["product_id"], pen);
        assert!(items[0]["product_title"]
            .as_str()
            .unwrap()
            .starts_with("Product "));
        assert_eq!(items[0]["quantity"], 2);
        assert_eq!(items[0]["unit_price"], "10.62");
        assert_eq!(items[0]["subtotal"], "21.24");
        assert_eq!(order["status_history"].as_array().unwrap().len(), 1);
        assert_eq!(order["status_history"][0]["status"], "pending");
        assert!(order["created_at"].as_str().unwrap().ends_with('Z'));

        assert_stock(&app, pen, 8).await;
        assert_stock(&app, ink, 4).await;
        assert_eq!(
            app.get_as("cart/", &user.token).await.body["items"],
            json!([])
        );
        let movements: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT delta, reason, order_id FROM stock_movements WHERE product_id = $1 ORDER BY id",
        )
        .bind(pen)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(movements[1], (-2, "order".to_owned(), Some(id)));
    }

    async fn the_placed_order_answer_is_the_order_as_read_back(app: TestApp) {
        // The checkout answer is built from what it wrote, not read back: it must not differ.
        let user = app.create_customer().await;
        let lamp = app.product().price_cents(1999).stock(5).create().await;
        let address = create_address(&app, &user).await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": lamp, "quantity": 3}),
        )
        .await;
        let placed = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"shipping_address_id": address, "notes": "ring twice"}),
            )
            .await;
        assert_eq!(placed.status, 201, "{}", placed.text);
        let read = app
            .get_as(&format!("orders/{}/", placed.body["id"]), &user.token)
            .await;
        assert_eq!(read.status, 200);
        assert_eq!(placed.body, read.body);
        let explicit = place_order(&app, &user, &[(lamp, 1)]).await;
        let read = app
            .get_as(&format!("orders/{}/", explicit["id"]), &user.token)
            .await;
        assert_eq!(explicit, read.body);
    }

    async fn order_numbers_keep_every_digit_past_six_and_follow_the_ids(app: TestApp) {
        // The insert derives the number from the id it draws; push the id past six digits.
        let next_id = match app.backend {
            Backend::Postgres => "SELECT setval(pg_get_serial_sequence('orders', 'id'), 1234566)",
            Backend::Sqlite => "UPDATE sqlite_sequence SET seq = 1234566 WHERE name = 'orders'",
        };
        let user = app.create_customer().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let first = place_order(&app, &user, &[(pen, 1)]).await;
        sqlx::query(next_id).execute(&app.db.pool).await.unwrap();
        let second = place_order(&app, &user, &[(pen, 1)]).await;
        let today = chrono::Utc::now().format("%Y%m%d").to_string();
        let first_id = first["id"].as_i64().unwrap();
        assert_eq!(first["order_number"], format!("NX-{today}-{first_id:06}"));
        assert_eq!(second["id"], 1234567);
        assert_eq!(second["order_number"], format!("NX-{today}-1234567"));
        let stored: Vec<String> = sqlx::query_scalar("SELECT order_number FROM orders ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            stored,
            [
                first["order_number"].as_str().unwrap(),
                second["order_number"].as_str().unwrap()
            ]
        );
    }

    async fn explicit_items_merge_duplicates_and_leave_the_cart_alone(app: TestApp) {
        let user = app.create_customer().await;
        let in_cart = app.product().price_cents(100).stock(10).create().await;
        let ordered = app.product().price_cents(300).stock(10).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": in_cart, "quantity": 2}),
        )
        .await;
        let body = json!({"items": [
            {"product_id": ordered, "quantity": 1},
            {"product_id": ordered.to_string(), "quantity": 2},
        ]});
        let response = app.post_as("orders/create/", &user.token, &body).await;
        assert_eq!(
            response.status, 201,
            "the Django alias works: {}",
            response.text
        );
        let items = response.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "one line per product");
        assert_eq!(items[0]["quantity"], 3);
        assert_eq!(response.body["total_amount"], "9.00");
        assert_stock(&app, ordered, 7).await;
        assert_stock(&app, in_cart, 10).await;
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body["count"],
            2,
            "cart untouched"
        );
    }

    async fn empty_carts_lists_and_malformed_items_are_400s(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let post = |body: serde_json::Value| {
            let token = user.token.clone();
            let app = &app;
            async move { app.post_as("orders/", &token, &body).await }
        };
        assert_eq!(
            post(json!({})).await.body,
            json!({"non_field_errors": ["Your cart is empty."]})
        );
        assert_eq!(
            post(json!({"items": []})).await.body,
            json!({"items": ["This list may not be empty."]})
        );
        assert_eq!(
            post(json!({"items": {"product_id": pen}})).await.body,
            json!({"items": ["Expected a list of items but got type \"dict\"."]})
        );
        assert_eq!(
            post(json!({"items": [{"product_id": pen}]})).await.body,
            json!({"items": ["Each item must have product_id and quantity."]})
        );
        for bad in [json!("2"), json!(1.5), json!(null)] {
            let response = post(json!({"items": [{"product_id": pen, "quantity": bad}]})).await;
            assert_eq!(response.status, 400, "quantity {bad} is a 400, never a 500");
            assert_eq!(
                response.body,
                json!({"items": ["A valid integer is required for quantity."]})
            );
        }
        assert_eq!(
            post(json!({"items": [{"product_id": pen, "quantity": 0}]}))
                .await
                .body,
            json!({"items": ["Quantity must be greater than 0."]})
        );
        assert_eq!(
            post(json!({"items": [{"product_id": "abc", "quantity": 1}]}))
                .await
                .status,
            400
        );
        assert_eq!(
            post(json!({"items": [{"product_id": 999_999, "quantity": 1}]}))
                .await
                .body,
            json!({"items": ["Product with id 999999 does not exist."]})
        );
        let hidden = app
            .product()
            .price_cents(100)
            .stock(10)
            .inactive()
            .create()
            .await;
        assert_eq!(
            post(json!({"items": [{"product_id": hidden, "quantity": 1}]}))
                .await
                .body,
            json!({"items": [format!("Product with id {hidden} does not exist.")]})
        );
        assert_stock(&app, hidden, 10).await;
        assert_eq!(count_rows(&app, "orders").await, 0);
        assert_eq!(app.post("orders/", &json!({})).await.status, 401);
    }

    async fn server_owned_fields_in_the_body_are_ignored(app: TestApp) {
        let user = app.create_customer().await;
        let other = app.create_customer().await;
        let pen = app.product().price_cents(700).stock(10).create().await;
        let body = json!({"items": [{"product_id": pen, "quantity": 1}], "status": "completed",
            "payment_status": "paid", "total_amount": "0.01", "user": other.id});
        let order = app.post_as("orders/", &user.token, &body).await.body;
        assert_eq!(order["status"], "pending");
        assert_eq!(order["payment_status"], "unpaid");
        assert_eq!(order["total_amount"], "7.00");
        assert_eq!(order["user"], user.id);
    }

    async fn any_short_line_refuses_the_whole_order_and_lists_every_short_line(app: TestApp) {
        let user = app.create_customer().await;
        let two_left = app.product().price_cents(100).stock(2).create().await;
        let plenty = app.product().price_cents(100).stock(50).create().await;
        let none_left = app.product().price_cents(100).stock(0).create().await;
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": plenty, "quantity": 1}),
        )
        .await;
        let body = json!({"items": [{"product_id": two_left, "quantity": 3},
            {"product_id": plenty, "quantity": 1}, {"product_id": none_left, "quantity": 1}]});
        let response = app.post_as("orders/", &user.token, &body).await;
        assert_eq!(response.status, 409);
        assert_eq!(
            response.body,
            json!({
                "detail": "Insufficient stock for one or more items.",
                "code": "insufficient_stock",
                "items": [
                    {"product_id": two_left, "available": 2},
                    {"product_id": none_left, "available": 0},
                ],
            })
        );
        assert_stock(&app, two_left, 2).await;
        assert_stock(&app, plenty, 50).await;
        assert_eq!(count_rows(&app, "orders").await, 0);
        assert_eq!(count_rows(&app, "order_items").await, 0);
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body["count"],
            1
        );

        // The cart is checked the same way, and is kept when its order is refused.
        let buyer = app.create_customer().await;
        app.post_as(
            "cart/add/",
            &buyer.token,
            &json!({"product_id": two_left, "quantity": 2}),
        )
        .await;
        sqlx::query("UPDATE products SET stock_quantity = 1 WHERE id = $1")
            .bind(two_left)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let response = app.post_as("orders/", &buyer.token, &json!({})).await;
        assert_eq!(response.status, 409);
        assert_eq!(
            response.body["items"],
            json!([{"product_id": two_left, "available": 1}])
        );
        assert_eq!(
            app.get_as("cart/count/", &buyer.token).await.body["count"],
            2
        );
    }

    async fn shipping_addresses_are_snapshotted_inline_or_from_the_users_own(app: TestApp) {
        let user = app.create_customer().await;
        let stranger = app.create_customer().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let items = json!([{"product_id": pen, "quantity": 1}]);
        let inline = json!({"first_name": "Grace", "last_name": "Hopper", "address_line_1": "1 Navy Way",
            "city": "Arlington", "postal_code": "22202", "country": "US"});
        let order = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"items": items, "shipping_address": inline}),
            )
            .await;
        assert_eq!(order.status, 201, "{}", order.text);
        assert_eq!(
            order.body["shipping_address"],
            json!({"first_name": "Grace", "last_name": "Hopper",
            "address_line_1": "1 Navy Way", "address_line_2": "", "city": "Arlington",
            "postal_code": "22202", "country": "US", "phone_number": ""})
        );

        let missing = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"items": items, "shipping_address": {"first_name": "Grace"}}),
            )
            .await;
        assert_eq!(missing.status, 400);
        assert_eq!(
            missing.body["shipping_address.city"],
            json!(["This field is required."])
        );
        assert_eq!(
            missing.body["shipping_address.country"],
            json!(["This field is required."])
        );

        let saved = create_address(&app, &user).await;
        let order = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"items": items, "shipping_address_id": saved}),
            )
            .await;
        assert_eq!(order.status, 201);
        assert_eq!(order.body["shipping_address"]["city"], "London");
        // Editing the saved address later doesn't rewrite the order.
        sqlx::query("UPDATE addresses SET city = 'Paris' WHERE id = $1")
            .bind(saved)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let id = order.body["id"].as_i64().unwrap();
        assert_eq!(
            app.get_as(&format!("orders/{id}/"), &user.token).await.body["shipping_address"]
                ["city"],
            "London"
        );

        let theirs = create_address(&app, &stranger).await;
        let refused = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"items": items, "shipping_address_id": theirs}),
            )
            .await;
        assert_eq!(refused.status, 400);
        assert_eq!(
            refused.body,
            json!({"shipping_address_id": [format!("Invalid pk \"{theirs}\" - object does not exist.")]})
        );
        assert_stock(&app, pen, 8).await;
    }

    async fn order_lines_keep_the_price_and_title_they_were_bought_at(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1000).stock(10).create().await;
        let order = place_order(&app, &user, &[(pen, 2)]).await;
        let id = order["id"].as_i64().unwrap();
        sqlx::query("UPDATE products SET price_cents = 9999, title = 'Renamed' WHERE id = $1")
            .bind(pen)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let again = app.get_as(&format!("orders/{id}/"), &user.token).await.body;
        assert_eq!(again["items"][0]["unit_price"], "10.00");
        assert_eq!(
            again["items"][0]["product_title"],
            order["items"][0]["product_title"]
        );
        assert_eq!(again["total_amount"], "20.00");
        let newer = place_order(&app, &user, &[(pen, 1)]).await;
        assert_eq!(newer["items"][0]["unit_price"], "99.99");
        assert_eq!(newer["items"][0]["product_title"], "Renamed");
    }
}
