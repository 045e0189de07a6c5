//! SPEC §5 bounds: prices 0.00–99999999.99 (a product's above 0), stock 0–1000000000, a cart or
//! order line 1–10000 units, at most 100 lines per order, plain-decimal price filters, bounded
//! stock adjustments, and ids in bodies that are huge or negative. A value outside is a `400`
//! field error with DRF's message and changes nothing; never a `500`.

use serde_json::{json, Value};

use crate::{
    api_test,
    catalog::Shop,
    fixtures::{assert_stock, count_rows, place_order, stock_of},
};

const HUGE_ID: i64 = i64::MAX;

async fn category(shop: &Shop<'_>) -> Value {
    shop.category("Misc", None).await
}

api_test! {
    async fn a_product_price_is_above_0_and_at_most_99999999_99(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = category(&shop).await;
        let body =
            |price: Value| json!({"title": "Thing", "price": price, "category": category["id"]});
        let top = app
            .post_as("products/", &shop.staff.token, &body(json!("99999999.99")))
            .await;
        assert_eq!(top.status, 201, "{}", top.text);
        assert_eq!(top.body["price"], "99999999.99");
        for (price, message) in [
            (
                json!("100000000.00"),
                "Ensure that there are no more than 10 digits in total.",
            ),
            (
                json!("100000000"),
                "Ensure that there are no more than 8 digits before the decimal point.",
            ),
            (
                json!("1000e-9223372036854775808"),
                "Ensure that there are no more than 10 digits in total.",
            ),
            (
                json!("1e9223372036854775807"),
                "Ensure that there are no more than 10 digits in total.",
            ),
            (
                json!(1e300),
                "Ensure that there are no more than 10 digits in total.",
            ),
            (json!("0.00"), "Price must be greater than 0."),
            (json!("-5"), "Price must be greater than 0."),
        ] {
            let response = app
                .post_as("products/", &shop.staff.token, &body(price.clone()))
                .await;
            assert_eq!(response.status, 400, "{price}: {}", response.text);
            assert_eq!(response.body, json!({"price": [message]}), "{price}");
        }
        let path = format!("products/{}/", top.body["id"]);
        let patch = app
            .patch_as(&path, &shop.staff.token, &json!({"price": "123456789.00"}))
            .await;
        assert_eq!(patch.status, 400, "{}", patch.text);
        assert_eq!(
            app.get(&path).await.body["price"],
            "99999999.99",
            "unchanged"
        );
        assert_eq!(count_rows(&app, "products").await, 1);
    }

    async fn stock_quantity_is_between_0_and_1000000000(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = category(&shop).await;
        let body = |stock: Value| {
            json!({"title": "Thing", "price": "1.00", "category": category["id"], "stock_quantity": stock})
        };
        let top = app
            .post_as("products/", &shop.staff.token, &body(json!(1_000_000_000)))
            .await;
        assert_eq!(top.status, 201, "{}", top.text);
        assert_eq!(top.body["stock_quantity"], 1_000_000_000);
        for (stock, message) in [
            (
                json!(1_000_000_001),
                "Ensure this value is less than or equal to 1000000000.",
            ),
            (
                json!(i64::MAX),
                "Ensure this value is less than or equal to 1000000000.",
            ),
            (
                json!(-1),
                "Ensure this value is greater than or equal to 0.",
            ),
            (
                json!(i64::MIN),
                "Ensure this value is greater than or equal to 0.",
            ),
            (json!(1e30), "A valid integer is required."),
        ] {
            let response = app
                .post_as("products/", &shop.staff.token, &body(stock.clone()))
                .await;
            assert_eq!(response.status, 400, "{stock}: {}", response.text);
            assert_eq!(
                response.body,
                json!({"stock_quantity": [message]}),
                "{stock}"
            );
        }
        let id = top.body["id"].as_i64().unwrap();
        let patch = app
            .patch_as(
                &format!("products/{id}/"),
                &shop.staff.token,
                &json!({"stock_quantity": 1_000_000_001}),
            )
            .await;
        assert_eq!(patch.status, 400, "{}", patch.text);
        assert_stock(&app, id, 1_000_000_000).await;
    }

    async fn a_stock_adjustment_is_bounded_and_never_wraps(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1_000).stock(5).create().await;
        let path = format!("products/{product}/stock/");
        let adjust = |delta: Value| {
            let (app, path, token) = (&app, path.clone(), staff.token.clone());
            async move {
                app.post_as(&path, &token, &json!({"delta": delta, "reason": "recount"}))
                    .await
            }
        };
        for (delta, message) in [
            (
                json!(i64::MIN),
                "Ensure this value is greater than or equal to -1000000000.",
            ),
            (
                json!(-1_000_000_001),
                "Ensure this value is greater than or equal to -1000000000.",
            ),
            (
                json!(i64::MAX),
                "Ensure this value is less than or equal to 1000000000.",
            ),
            (
                json!(1_000_000_001),
                "Ensure this value is less than or equal to 1000000000.",
            ),
            // Within the bound but past the stock limit from 5.
            (
                json!(1_000_000_000),
                "Ensure this value is less than or equal to 999999995.",
            ),
        ] {
            let response = adjust(delta.clone()).await;
            assert_eq!(response.status, 400, "{delta}: {}", response.text);
            assert_eq!(response.body, json!({"delta": [message]}), "{delta}");
        }
        let below = adjust(json!(-6)).await;
        assert_eq!(below.status, 409, "{}", below.text);
        assert_eq!(below.body["code"], "insufficient_stock");
        assert_stock(&app, product, 5).await;
        let to_the_top = adjust(json!(999_999_995)).await;
        assert_eq!(to_the_top.status, 201, "{}", to_the_top.text);
        assert_eq!(to_the_top.body["stock_quantity"], 1_000_000_000);
        assert_stock(&app, product, 1_000_000_000).await;
    }

    async fn a_cart_line_holds_1_to_10000_units(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(100).stock(50_000).create().await;
        let cap = json!({"quantity": ["Ensure this value is less than or equal to 10000."]});
        let over = app
            .post_as(
                "cart/add/",
                &user.token,
                &json!({"product_id": product, "quantity": 10_001}),
            )
            .await;
        assert_eq!(over.status, 400, "{}", over.text);
        assert_eq!(over.body, cap);
        let zero = app
            .post_as(
                "cart/add/",
                &user.token,
                &json!({"product_id": product, "quantity": 0}),
            )
            .await;
        assert_eq!(zero.status, 400);
        let first = app
            .post_as(
                "cart/add/",
                &user.token,
                &json!({"product_id": product, "quantity": 6_000}),
            )
            .await;
        assert_eq!(first.status, 201, "{}", first.text);
        let sum = app
            .post_as(
                "cart/add/",
                &user.token,
                &json!({"product_id": product, "quantity": 4_001}),
            )
            .await;
        assert_eq!(sum.status, 400, "{}", sum.text);
        assert_eq!(sum.body, cap, "the merged line would pass the cap");
        let item = first.body["id"].as_i64().unwrap();
        let update = app
            .patch_as(
                &format!("cart/update/{item}/"),
                &user.token,
                &json!({"quantity": 10_001}),
            )
            .await;
        assert_eq!(update.body, cap);
        let full = app
            .patch_as(
                &format!("cart/update/{item}/"),
                &user.token,
                &json!({"quantity": 10_000}),
            )
            .await;
        assert_eq!(full.status, 200, "{}", full.text);
        let increase = app
            .request(
                reqwest::Method::PATCH,
                &format!("cart/increase/{item}/"),
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(increase.status, 400, "{}", increase.text);
        assert_eq!(increase.body, cap);
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body["count"],
            10_000
        );
    }

    async fn an_order_line_holds_at_most_10000_units(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(100).stock(50_000).create().await;
        let response = app.post_as("orders/", &user.token, &json!({"items": [
            {"product_id": product, "quantity": 6_000}, {"product_id": product, "quantity": 4_001},
        ]})).await;
        assert_eq!(response.status, 400, "{}", response.text);
        assert_eq!(
            response.body,
            json!({"items": ["Ensure each quantity is less than or equal to 10000."]})
        );
        assert_stock(&app, product, 50_000).await;
        place_order(&app, &user, &[(product, 10_000)]).await;
    }

    async fn an_order_has_at_most_100_lines_refused_before_any_database_work(app: TestApp) {
        let user = app.create_customer().await;
        let items: Vec<Value> = (1..=24_000)
            .map(|id| json!({"product_id": id + 1_000_000, "quantity": 1}))
            .collect();
        let response = app
            .post_as("orders/", &user.token, &json!({"items": items}))
            .await;
        assert_eq!(
            response.status,
            400,
            "{}",
            &response.text[..response.text.len().min(300)]
        );
        // The list's length is the answer: no id was looked up (that would name unknown products).
        assert_eq!(
            response.body,
            json!({"items": ["Ensure this field has no more than 100 elements."]})
        );
        // From the cart too: 101 lines are refused and the cart is left as it was.
        for _ in 0..101 {
            let product = app.product().price_cents(100).stock(5).create().await;
            let added = app
                .post_as("cart/add/", &user.token, &json!({"product_id": product}))
                .await;
            assert_eq!(added.status, 201, "{}", added.text);
        }
        let from_cart = app.post_as("orders/", &user.token, &json!({})).await;
        assert_eq!(from_cart.status, 400, "{}", from_cart.text);
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body["count"],
            101
        );
        assert_eq!(count_rows(&app, "orders").await, 0);
    }

    async fn price_filters_are_plain_decimals_with_at_most_two_places(app: TestApp) {
        let product = app.product().price_cents(1_000).stock(5).create().await;
        for (query, field, message) in [
            (
                "price_min=1000e-9223372036854775808",
                "price_min",
                "Enter a number.",
            ),
            ("price_max=1e3", "price_max", "Enter a number."),
            (
                "price_min=10.001",
                "price_min",
                "Ensure that there are no more than 2 decimal places.",
            ),
            (
                "price_max=123456789012",
                "price_max",
                "Ensure that there are no more than 10 digits in total.",
            ),
            (
                "price_min=-1",
                "price_min",
                "Ensure this value is greater than or equal to 0.",
            ),
        ] {
            let response = app.get(&format!("products/?{query}")).await;
            assert_eq!(response.status, 400, "{query}: {}", response.text);
            assert_eq!(response.body, json!({field: [message]}), "{query}");
        }
        let inclusive = app.get("products/?price_min=10&price_max=10.00").await;
        assert_eq!(inclusive.status, 200);
        assert_eq!(inclusive.body["results"][0]["id"], product);
        assert_eq!(app.get("products/?price_min=10.01").await.body["count"], 0);
    }

    async fn huge_or_negative_ids_in_bodies_are_400s(app: TestApp) {
        let user = app.create_customer().await;
        let shop = Shop::new(&app).await;
        for id in [json!(HUGE_ID), json!(-1), json!(0)] {
            let cart = app
                .post_as("cart/add/", &user.token, &json!({"product_id": id}))
                .await;
            assert_eq!(cart.status, 400, "cart {id}: {}", cart.text);
            assert!(cart.body["product_id"].is_array(), "{}", cart.text);
            let order = app
                .post_as(
                    "orders/",
                    &user.token,
                    &json!({"items": [{"product_id": id, "quantity": 1}]}),
                )
                .await;
            assert_eq!(order.status, 400, "order {id}: {}", order.text);
            assert_eq!(
                order.body,
                json!({"items": [format!("Product with id {id} does not exist.")]})
            );
            let address = app
                .post_as("orders/", &user.token, &json!({"shipping_address_id": id}))
                .await;
            assert_eq!(address.status, 400, "address {id}: {}", address.text);
            assert_eq!(
                address.body,
                json!({"shipping_address_id": [format!("Invalid pk \"{id}\" - object does not exist.")]})
            );
            let product = app
                .post_as(
                    "products/",
                    &shop.staff.token,
                    &json!({"title": "T", "price": "1.00", "category": id, "brand": id}),
                )
                .await;
            assert_eq!(product.status, 400, "product {id}: {}", product.text);
            assert_eq!(
                product.body["category"],
                json!([format!("Invalid pk \"{id}\" - object does not exist.")])
            );
            assert_eq!(
                product.body["brand"],
                json!([format!("Invalid pk \"{id}\" - object does not exist.")])
            );
            let child = app
                .post_as(
                    "categories/",
                    &shop.staff.token,
                    &json!({"name": "Child", "parent": id}),
                )
                .await;
            assert_eq!(child.status, 400, "category {id}: {}", child.text);
            let review = app
                .post_as(
                    "reviews/",
                    &user.token,
                    &json!({"product": id, "rating": 5}),
                )
                .await;
            assert_eq!(review.status, 400, "review {id}: {}", review.text);
        }
        for huge in [
            json!(1e30),
            json!(18446744073709551615_u64),
            json!("99999999999999999999"),
        ] {
            let cart = app
                .post_as("cart/add/", &user.token, &json!({"product_id": huge}))
                .await;
            assert_eq!(cart.status, 400, "cart {huge}: {}", cart.text);
            let review = app
                .post_as(
                    "reviews/",
                    &user.token,
                    &json!({"product": 1, "rating": huge}),
                )
                .await;
            assert_eq!(review.status, 400, "rating {huge}: {}", review.text);
            let product = app
                .post_as(
                    "products/",
                    &shop.staff.token,
                    &json!({"title": "T", "price": "1.00", "category": huge}),
                )
                .await;
            assert_eq!(product.status, 400, "category {huge}: {}", product.text);
        }
        assert_eq!(
            count_rows(&app, "cart_items").await
                + count_rows(&app, "orders").await
                + count_rows(&app, "reviews").await,
            0
        );
    }

    async fn cancelling_never_fails_on_stock_arithmetic(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(100).stock(5).create().await;
        let order = place_order(&app, &user, &[(product, 2)]).await;
        // Only a direct database write can put stock here; the API keeps it within 1000000000.
        sqlx::query("UPDATE products SET stock_quantity = $1 WHERE id = $2")
            .bind(i64::MAX)
            .bind(product)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let cancelled = app
            .post_as(
                &format!("orders/{}/cancel/", order["id"]),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(cancelled.status, 200, "{}", cancelled.text);
        assert_eq!(
            stock_of(&app, product).await,
            i64::MAX,
            "left as it was, not wrapped"
        );
        // An ordinary cancel puts the units back whole, past the staff bound if need be.
        let other = app
            .product()
            .price_cents(100)
            .stock(1_000_000_000)
            .create()
            .await;
        let order = place_order(&app, &user, &[(other, 10)]).await;
        let staff = app.create_staff().await;
        let refill = app
            .post_as(
                &format!("products/{other}/stock/"),
                &staff.token,
                &json!({"delta": 10, "reason": "delivery"}),
            )
            .await;
        assert_eq!(refill.status, 201, "{}", refill.text);
        let cancelled = app
            .post_as(
                &format!("orders/{}/cancel/", order["id"]),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(cancelled.status, 200, "{}", cancelled.text);
        assert_stock(&app, other, 1_000_000_010).await;
    }
}
