//! Cart endpoints (SPEC §3.3).

mod shapes;

use serde_json::json;

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn every_cart_endpoint_requires_a_user(app: TestApp) {
        for path in ["cart/", "cart/count/", "cart/total/"] {
            assert_eq!(app.get(path).await.status, 401, "{path}");
        }
        let add = app.post("cart/add/", &json!({"product_id": 1})).await;
        assert_eq!(add.status, 401);
        assert!(add.headers.contains_key("www-authenticate"));
        for (method, path) in [
            (reqwest::Method::PATCH, "cart/update/1/"),
            (reqwest::Method::PUT, "cart/update/1/"),
            (reqwest::Method::DELETE, "cart/remove/1/"),
            (reqwest::Method::DELETE, "cart/clear/"),
            (reqwest::Method::PATCH, "cart/increase/1/"),
            (reqwest::Method::PATCH, "cart/decrease/1/"),
        ] {
            let response = app
                .request(method.clone(), path, None, Some(&json!({"quantity": 1})))
                .await;
            assert_eq!(response.status, 401, "{method} {path}");
        }
    }

    async fn the_cart_is_created_on_first_use_and_is_the_same_afterwards(app: TestApp) {
        let user = app.create_customer().await;
        let first = app.get_as("cart/", &user.token).await;
        assert_eq!(first.status, 200);
        assert_eq!(first.body["user"], user.id);
        assert_eq!(first.body["items"], json!([]));
        assert_eq!(first.body["total"], "0.00");
        assert_eq!(first.body["total_price"], "0.00");
        assert_eq!(first.body["total_items"], 0);
        assert!(first.body["created_at"].as_str().unwrap().ends_with('Z'));
        let second = app.get_as("cart/", &user.token).await;
        assert_eq!(second.body["id"], first.body["id"]);
        assert_eq!(count_rows(&app, "carts").await, 1);
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body,
            json!({"count": 0})
        );
        assert_eq!(
            app.get_as("cart/total/", &user.token).await.body,
            json!({"total": "0.00"})
        );
    }

    async fn adding_a_product_again_increases_its_quantity_and_totals_are_strings(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(1230).stock(10).create().await;
        let ink = app.product().price_cents(199).stock(10).create().await;
        add_image(&app, pen, "products/pen-2.jpg", 2).await;
        add_image(&app, pen, "products/pen-1.jpg", 1).await;

        let added = app
            .post_as(
                "cart/add/",
                &user.token,
                &json!({"product_id": pen, "quantity": 2}),
            )
            .await;
        assert_eq!(added.status, 201, "{}", added.text);
        assert_eq!(added.body["quantity"], 2);
        assert_eq!(added.body["subtotal"], "24.60");
        let product = &added.body["product"];
        assert_eq!(product["id"], pen);
        assert_eq!(product["price"], "12.30");
        assert_eq!(product["stock_quantity"], 10);
        assert_eq!(
            product["image"],
            format!("{}/media/products/pen-1.jpg", app.address),
            "the first image by position, absolute like the product's"
        );
        assert!(product["title"].as_str().unwrap().starts_with("Product "));
        assert!(product["slug"].as_str().unwrap().starts_with("product-"));

        let again = app
            .post_as("cart/add/", &user.token, &json!({"product_id": pen}))
            .await;
        assert_eq!(again.status, 201);
        assert_eq!(again.body["id"], added.body["id"], "same row");
        assert_eq!(again.body["quantity"], 3);
        let other = app
            .post_as(
                "cart/add/",
                &user.token,
                &json!({"product_id": ink, "quantity": 1}),
            )
            .await;
        assert_eq!(other.body["product"]["image"], serde_json::Value::Null);

        let cart = app.get_as("cart/", &user.token).await.body;
        assert_eq!(cart["items"].as_array().unwrap().len(), 2);
        assert_eq!(cart["total"], "38.89");
        assert_eq!(cart["total_price"], "38.89");
        assert_eq!(cart["total_items"], 4, "units, not lines");
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body,
            json!({"count": 4})
        );
        assert_eq!(
            app.get_as("cart/total/", &user.token).await.body,
            json!({"total": "38.89"})
        );
        assert_eq!(count_rows(&app, "cart_items").await, 2);
    }

    async fn adding_checks_quantity_product_and_stock(app: TestApp) {
        let user = app.create_customer().await;
        let scarce = app.product().price_cents(500).stock(3).create().await;
        let hidden = app
            .product()
            .price_cents(500)
            .stock(3)
            .inactive()
            .create()
            .await;
        let sold_out = app.product().price_cents(500).stock(0).create().await;
        let add = |body: serde_json::Value| {
            let token = user.token.clone();
            let app = &app;
            async move { app.post_as("cart/add/", &token, &body).await }
        };
        assert_eq!(
            add(json!({"product_id": scarce, "quantity": 0})).await.body,
            json!({"quantity": ["Quantity must be greater than 0."]})
        );
        assert_eq!(
            add(json!({"product_id": scarce, "quantity": -2}))
                .await
                .status,
            400
        );
        assert_eq!(
            add(json!({"quantity": 1})).await.body,
            json!({"product_id": ["This field is required."]})
        );
        assert_eq!(
            add(json!({"product_id": "abc"})).await.body,
            json!({"product_id": ["A valid integer is required."]})
        );
        assert_eq!(
            add(json!({"product_id": 999_999})).await.body,
            json!({"product_id": ["Invalid product."]})
        );
        assert_eq!(
            add(json!({"product_id": hidden})).await.body,
            json!({"product_id": ["Invalid product."]})
        );
        assert_eq!(
            add(json!({"product_id": scarce, "quantity": 4})).await.body,
            json!({"quantity": ["Only 3 left in stock."]})
        );
        assert_eq!(
            add(json!({"product_id": sold_out})).await.body,
            json!({"quantity": ["This product is out of stock."]})
        );

        assert_eq!(
            add(json!({"product_id": scarce, "quantity": 2}))
                .await
                .status,
            201
        );
        let before = app.get_as("cart/", &user.token).await.body;
        let over = add(json!({"product_id": scarce, "quantity": 2})).await;
        assert_eq!(over.status, 400, "2 in the cart + 2 > 3");
        assert_eq!(over.body, json!({"quantity": ["Only 3 left in stock."]}));
        let cart = app.get_as("cart/", &user.token).await.body;
        assert_eq!(
            cart["items"][0]["quantity"], 2,
            "the failed add changed nothing"
        );
        assert_eq!(
            cart["updated_at"], before["updated_at"],
            "not even the cart's time"
        );
    }

    async fn an_unknown_product_and_a_bad_quantity_come_in_one_response(app: TestApp) {
        let user = app.create_customer().await;
        let body = json!({"product_id": 999_999, "quantity": 0});
        let response = app.post_as("cart/add/", &user.token, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "quantity": ["Quantity must be greater than 0."],
                "product_id": ["Invalid product."],
            })
        );
        let response = app
            .patch_as("cart/update/999999/", &user.token, &json!({"quantity": "x"}))
            .await;
        assert_eq!(response.status, 404, "{}", response.text);
    }

    async fn the_carts_updated_at_moves_with_every_change_of_a_line(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(100).stock(10).create().await;
        let updated_at = || async {
            let cart = app.get_as("cart/", &user.token).await.body;
            let at = cart["updated_at"].as_str().unwrap().to_owned();
            (
                chrono::DateTime::parse_from_rfc3339(&at).unwrap(),
                cart["items"].clone(),
            )
        };
        let (created, _) = updated_at().await;
        let first = app
            .post_as("cart/add/", &user.token, &json!({"product_id": pen}))
            .await;
        let (added, _) = updated_at().await;
        assert!(added > created, "a new line: {created} -> {added}");
        app.post_as("cart/add/", &user.token, &json!({"product_id": pen}))
            .await;
        let (merged, items) = updated_at().await;
        assert!(merged > added, "a merged add: {added} -> {merged}");
        assert_eq!(items[0]["quantity"], 2);
        let item = first.body["id"].as_i64().unwrap();
        app.patch_as(&format!("cart/increase/{item}/"), &user.token, &json!({}))
            .await;
        let (increased, _) = updated_at().await;
        assert!(increased > merged, "an increase: {merged} -> {increased}");
    }

    async fn update_increase_decrease_remove_and_clear(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(10).create().await;
        let ink = app.product().price_cents(100).stock(10).create().await;
        let item = app
            .post_as("cart/add/", &user.token, &json!({"product_id": pen}))
            .await
            .body["id"]
            .as_i64()
            .unwrap();
        let other = app
            .post_as("cart/add/", &user.token, &json!({"product_id": ink}))
            .await
            .body["id"]
            .as_i64()
            .unwrap();

        let put = app
            .put_as(
                &format!("cart/update/{item}/"),
                &user.token,
                &json!({"quantity": 5}),
            )
            .await;
        assert_eq!(put.status, 200);
        assert_eq!(put.body["quantity"], 5);
        assert_eq!(put.body["subtotal"], "12.50");
        let patch = app
            .patch_as(
                &format!("cart/update/{item}"),
                &user.token,
                &json!({"quantity": 4}),
            )
            .await;
        assert_eq!(patch.status, 200, "no trailing slash works too");
        assert_eq!(patch.body["quantity"], 4);
        let zero = app
            .patch_as(
                &format!("cart/update/{item}/"),
                &user.token,
                &json!({"quantity": 0}),
            )
            .await;
        assert_eq!(
            zero.body,
            json!({"quantity": ["Quantity must be greater than 0."]})
        );
        let too_many = app
            .patch_as(
                &format!("cart/update/{item}/"),
                &user.token,
                &json!({"quantity": 11}),
            )
            .await;
        assert_eq!(
            too_many.body,
            json!({"quantity": ["Only 10 left in stock."]})
        );

        let up = app
            .request(
                reqwest::Method::PATCH,
                &format!("cart/increase/{item}/"),
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(up.status, 200);
        assert_eq!(up.body["quantity"], 5);
        let down = app
            .request(
                reqwest::Method::PATCH,
                &format!("cart/decrease/{item}/"),
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(down.status, 200);
        assert_eq!(down.body["quantity"], 4);
        app.patch_as(
            &format!("cart/update/{item}/"),
            &user.token,
            &json!({"quantity": 10}),
        )
        .await;
        let capped = app
            .request(
                reqwest::Method::PATCH,
                &format!("cart/increase/{item}/"),
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(capped.body, json!({"quantity": ["Only 10 left in stock."]}));

        app.patch_as(
            &format!("cart/update/{item}/"),
            &user.token,
            &json!({"quantity": 1}),
        )
        .await;
        let last = app
            .request(
                reqwest::Method::PATCH,
                &format!("cart/decrease/{item}/"),
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(
            last.status, 204,
            "decreasing the last unit removes the item"
        );
        assert_eq!(last.text, "");
        assert_eq!(
            app.get_as("cart/count/", &user.token).await.body["count"],
            1
        );

        assert_eq!(
            app.delete_as(&format!("cart/remove/{other}/"), &user.token)
                .await
                .status,
            204
        );
        assert_eq!(
            app.delete_as(&format!("cart/remove/{other}/"), &user.token)
                .await
                .status,
            404
        );
        app.post_as(
            "cart/add/",
            &user.token,
            &json!({"product_id": pen, "quantity": 3}),
        )
        .await;
        assert_eq!(app.delete_as("cart/clear/", &user.token).await.status, 204);
        let cart = app.get_as("cart/", &user.token).await.body;
        assert_eq!(cart["items"], json!([]));
        assert_eq!(cart["total"], "0.00");
        let fresh = app.create_customer().await;
        assert_eq!(
            app.delete_as("cart/clear/", &fresh.token).await.status,
            204,
            "clearing a never-used cart is fine"
        );
    }

    async fn another_users_items_are_not_found(app: TestApp) {
        let owner = app.create_customer().await;
        let intruder = app.create_customer().await;
        let pen = app.product().price_cents(250).stock(10).create().await;
        let item = app
            .post_as(
                "cart/add/",
                &owner.token,
                &json!({"product_id": pen, "quantity": 2}),
            )
            .await
            .body["id"]
            .as_i64()
            .unwrap();
        let token = &intruder.token;
        assert_eq!(
            app.patch_as(
                &format!("cart/update/{item}/"),
                token,
                &json!({"quantity": 1})
            )
            .await
            .status,
            404
        );
        assert_eq!(
            app.put_as(
                &format!("cart/update/{item}/"),
                token,
                &json!({"quantity": 1})
            )
            .await
            .status,
            404
        );
        assert_eq!(
            app.request(
                reqwest::Method::PATCH,
                &format!("cart/increase/{item}/"),
                Some(token),
                None
            )
            .await
            .status,
            404
        );
        assert_eq!(
            app.request(
                reqwest::Method::PATCH,
                &format!("cart/decrease/{item}/"),
                Some(token),
                None
            )
            .await
            .status,
            404
        );
        let removed = app.delete_as(&format!("cart/remove/{item}/"), token).await;
        assert_eq!(removed.status, 404);
        assert_eq!(removed.body["detail"], "Not found.");
        assert_eq!(app.delete_as("cart/clear/", token).await.status, 204);
        let cart = app.get_as("cart/", &owner.token).await.body;
        assert_eq!(cart["items"][0]["quantity"], 2, "untouched");
        assert_eq!(app.get_as("cart/", token).await.body["items"], json!([]));
    }
}
