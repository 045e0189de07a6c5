//! Products: shape, staff writes and their rules, slugs, visibility and delete.

use serde_json::{json, Value};

use super::{assert_key_order, titles, Shop};
use crate::api_test;

api_test! {
    async fn a_created_product_has_the_spec_shape(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Phones", None).await;
        let brand = shop.brand("Apple").await;
        let response = app.post_as("products/", &shop.staff.token, &json!({
            "title": "iPhone 15 Pro", "description": "A phone", "price": "999.99", "category": category["id"],
            "brand": brand["id"], "stock_quantity": 7, "is_featured": true,
        })).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let product = &response.body;
        assert_key_order(
            &response.text,
            &[
                "id",
                "title",
                "slug",
                "description",
                "price",
                "category",
                "category_name",
                "brand",
                "brand_name",
                "image",
                "images",
                "stock_quantity",
                "is_active",
                "is_featured",
                "created_at",
                "updated_at",
                "average_rating",
                "reviews_count",
            ],
        );
        assert_eq!(product["slug"], "iphone-15-pro");
        assert_eq!(product["price"], "999.99");
        assert_eq!(product["category"], category["id"]);
        assert_eq!(product["category_name"], "Phones");
        assert_eq!(product["brand"], brand["id"]);
        assert_eq!(product["brand_name"], "Apple");
        assert_eq!(product["image"], Value::Null);
        assert_eq!(product["images"], json!([]));
        assert_eq!(
            (
                product["stock_quantity"].clone(),
                product["is_active"].clone(),
                product["is_featured"].clone()
            ),
            (json!(7), json!(true), json!(true))
        );
        assert_eq!(product["average_rating"], json!(0));
        assert_eq!(product["reviews_count"], 0);
        let created = product["created_at"].as_str().unwrap();
        assert_eq!(
            created.len(),
            "2025-03-31T22:53:35.136176Z".len(),
            "{created}"
        );
        assert!(created.ends_with('Z'));
        assert_eq!(
            app.get(&format!("products/{}/", product["id"])).await.body,
            *product
        );
        assert_eq!(app.get("products/iphone-15-pro/").await.body, *product);
    }

    async fn a_product_without_a_brand_shows_nulls_and_defaults(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let response = app
            .post_as(
                "products/",
                &shop.staff.token,
                &json!({"title": "Thing", "price": 5, "category": category["id"].to_string()}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        assert_eq!(response.body["brand"], Value::Null);
        assert_eq!(response.body["brand_name"], Value::Null);
        assert_eq!(response.body["price"], "5.00");
        assert_eq!(response.body["stock_quantity"], 0);
        assert_eq!(response.body["description"], "");
        assert_eq!(response.body["is_featured"], false);
    }

    async fn missing_fields_are_all_reported(app: TestApp) {
        let shop = Shop::new(&app).await;
        let response = app
            .post_as("products/", &shop.staff.token, &json!({"title": ""}))
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "title": ["This field may not be blank."],
                "price": ["This field is required."],
                "category": ["This field is required."],
            })
        );
    }

    async fn price_stock_and_references_are_validated(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let (app, token) = (&app, shop.staff.token.clone());
        let post = |body: Value| {
            let token = token.clone();
            async move { app.post_as("products/", &token, &body).await }
        };
        let base = |extra: Value| {
            let mut body = json!({"title": "T", "price": "1.00", "category": category["id"]});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        for (price, message) in [
            (json!("0"), "Price must be greater than 0."),
            (json!("-5.00"), "Price must be greater than 0."),
            (json!("abc"), "A valid number is required."),
            (
                json!("1.234"),
                "Ensure that there are no more than 2 decimal places.",
            ),
            (
                json!("12345678901"),
                "Ensure that there are no more than 10 digits in total.",
            ),
        ] {
            let response = post(base(json!({"price": price}))).await;
            assert_eq!(response.status, 400);
            assert_eq!(response.body, json!({"price": [message]}), "{price}");
        }
        let response = post(base(json!({"stock_quantity": -1}))).await;
        assert_eq!(
            response.body,
            json!({"stock_quantity": ["Ensure this value is greater than or equal to 0."]})
        );
        let response = post(base(json!({"stock_quantity": "many"}))).await;
        assert_eq!(
            response.body,
            json!({"stock_quantity": ["A valid integer is required."]})
        );
        let response = post(base(json!({"category": 999}))).await;
        assert_eq!(
            response.body,
            json!({"category": ["Invalid pk \"999\" - object does not exist."]})
        );
        let response = post(base(json!({"category": "abc"}))).await;
        assert_eq!(
            response.body,
            json!({"category": ["Incorrect type. Expected pk value, received str."]})
        );
        let response = post(base(json!({"brand": 999}))).await;
        assert_eq!(
            response.body,
            json!({"brand": ["Invalid pk \"999\" - object does not exist."]})
        );
        let response = post(base(json!({"price": 19.99}))).await;
        assert_eq!(response.body["price"], "19.99");
    }

    async fn a_blank_title_and_an_unknown_category_come_in_one_response(app: TestApp) {
        let shop = Shop::new(&app).await;
        let body = json!({"title": " ", "price": "1.00", "category": 999});
        let response = app.post_as("products/", &shop.staff.token, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "title": ["This field may not be blank."],
                "category": ["Invalid pk \"999\" - object does not exist."],
            })
        );
    }

    async fn server_owned_fields_are_ignored(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let response = app.post_as("products/", &shop.staff.token, &json!({
            "id": 4242, "title": "T", "price": "1.00", "category": category["id"], "average_rating": 5,
            "reviews_count": 99, "created_at": "2000-01-01T00:00:00Z",
        })).await;
        assert_eq!(response.status, 201);
        assert_ne!(response.body["id"], 4242);
        assert_eq!(response.body["average_rating"], 0);
        assert_eq!(response.body["reviews_count"], 0);
        assert!(!response.body["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2000"));
    }

    async fn a_repeated_title_gets_a_numbered_slug_and_a_given_slug_must_be_unique(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Phones", None).await;
        assert_eq!(
            shop.product(&category, json!({"title": "iPhone 15 Pro"}))
                .await["slug"],
            "iphone-15-pro"
        );
        assert_eq!(
            shop.product(&category, json!({"title": "iPhone 15 Pro"}))
                .await["slug"],
            "iphone-15-pro-2"
        );
        assert_eq!(
            shop.product(&category, json!({"title": "iPhone 15 Pro"}))
                .await["slug"],
            "iphone-15-pro-3"
        );
        let body = json!({
            "title": "Other", "slug": "iphone-15-pro", "price": "1", "category": category["id"],
        });
        let response = app.post_as("products/", &shop.staff.token, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"slug": ["product with this slug already exists."]})
        );
        assert_eq!(
            shop.product(&category, json!({"title": "Custom", "slug": "my-slug"}))
                .await["slug"],
            "my-slug"
        );
    }

    async fn put_requires_the_full_body_and_patch_changes_only_what_it_sends(app: TestApp) {
        let shop = Shop::new(&app).await;
        let phones = shop.category("Phones", None).await;
        let tablets = shop.category("Tablets", None).await;
        let product = shop
            .product(&phones, json!({"title": "Pad", "description": "old"}))
            .await;
        let path = format!("products/{}/", product["id"]);
        let put = app
            .put_as(&path, &shop.staff.token, &json!({"title": "Pad"}))
            .await;
        assert_eq!(
            put.body,
            json!({"price": ["This field is required."], "category": ["This field is required."]})
        );
        let put = app
            .put_as(
                &path,
                &shop.staff.token,
                &json!({"title": "Pad Pro", "price": "20.50", "category": tablets["id"]}),
            )
            .await;
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.body["title"], "Pad Pro");
        assert_eq!(put.body["slug"], "pad");
        assert_eq!(put.body["category_name"], "Tablets");
        assert_eq!(put.body["description"], "old");
        let patch = app
            .patch_as(
                &path,
                &shop.staff.token,
                &json!({"stock_quantity": 0, "is_featured": true}),
            )
            .await;
        assert_eq!(patch.status, 200);
        assert_eq!(
            (patch.body["title"].clone(), patch.body["price"].clone()),
            (json!("Pad Pro"), json!("20.50"))
        );
        assert_eq!(
            (
                patch.body["stock_quantity"].clone(),
                patch.body["is_featured"].clone()
            ),
            (json!(0), json!(true))
        );
        assert!(patch.body["updated_at"].as_str() >= put.body["updated_at"].as_str());
        let bad = app
            .patch_as(&path, &shop.staff.token, &json!({"price": "0.00"}))
            .await;
        assert_eq!(
            bad.body,
            json!({"price": ["Price must be greater than 0."]})
        );
        let by_slug = app
            .patch_as("products/pad/", &shop.staff.token, &json!({"brand": null}))
            .await;
        assert_eq!(by_slug.status, 200);
        assert_eq!(
            app.patch_as("products/999/", &shop.staff.token, &json!({}))
                .await
                .status,
            404
        );
    }

    async fn inactive_products_are_invisible_to_everyone_but_staff(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(&category, json!({"title": "Visible"})).await;
        let hidden = shop
            .product(&category, json!({"title": "Hidden", "is_active": false}))
            .await;
        let customer = app.create_customer().await;
        assert_eq!(titles(&app.get("products/").await.body), ["Visible"]);
        assert_eq!(
            titles(&app.get_as("products/", &customer.token).await.body),
            ["Visible"]
        );
        assert_eq!(
            titles(&app.get_as("products/", &shop.staff.token).await.body),
            ["Hidden", "Visible"]
        );
        let path = format!("products/{}/", hidden["id"]);
        assert_eq!(app.get(&path).await.status, 404);
        assert_eq!(app.get_as(&path, &customer.token).await.status, 404);
        assert_eq!(app.get("products/hidden/").await.status, 404);
        assert_eq!(
            app.get_as(&path, &shop.staff.token).await.body["is_active"],
            false
        );
        assert_eq!(app.get("products/featured/").await.body["count"], 0);
        assert_eq!(app.get("products/search/?q=hidden").await.body["count"], 0);
    }

    async fn only_staff_write_products(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let product = shop.product(&category, json!({})).await;
        let customer = app.create_customer().await;
        let body = json!({"title": "T", "price": "1", "category": category["id"]});
        let anonymous = app.post("products/", &body).await;
        assert_eq!(anonymous.status, 401);
        assert_eq!(anonymous.body["code"], "not_authenticated");
        let forbidden = app.post_as("products/", &customer.token, &body).await;
        assert_eq!(forbidden.status, 403);
        assert_eq!(
            forbidden.detail(),
            "You do not have permission to perform this action."
        );
        let path = format!("products/{}/", product["id"]);
        assert_eq!(app.put_as(&path, &customer.token, &body).await.status, 403);
        assert_eq!(
            app.patch_as(&path, &customer.token, &body).await.status,
            403
        );
        assert_eq!(app.delete_as(&path, &customer.token).await.status, 403);
        assert_eq!(
            app.request(reqwest::Method::PATCH, &path, None, Some(&body))
                .await
                .status,
            401
        );
        let bad_token = app.get_as("products/", "not-a-token").await;
        assert_eq!(bad_token.status, 401);
        let admin = app.create_admin().await;
        assert_eq!(
            app.post_as("products/", &admin.token, &body).await.status,
            201
        );
    }

    async fn deleting_a_product_removes_it(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let product = shop.product(&category, json!({})).await;
        let path = format!("products/{}/", product["id"]);
        let response = app.delete_as(&path, &shop.staff.token).await;
        assert_eq!(response.status, 204);
        assert_eq!(response.text, "");
        assert_eq!(app.get_as(&path, &shop.staff.token).await.status, 404);
        assert_eq!(app.delete_as(&path, &shop.staff.token).await.status, 404);
    }

    async fn deleting_an_ordered_product_deactivates_it_instead(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let product = shop.product(&category, json!({"title": "Ordered"})).await;
        // Stands in for order_items, which will reference products with ON DELETE RESTRICT.
        sqlx::query(
            "CREATE TABLE order_lines_probe (id BIGINT PRIMARY KEY, \
                     product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT)",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO order_lines_probe (id, product_id) VALUES (1, $1)")
            .bind(product["id"].as_i64().unwrap())
            .execute(&app.db.pool)
            .await
            .unwrap();
        let path = format!("products/{}/", product["id"]);
        assert_eq!(app.delete_as(&path, &shop.staff.token).await.status, 204);
        let kept = app.get_as(&path, &shop.staff.token).await;
        assert_eq!(kept.status, 200);
        assert_eq!(kept.body["is_active"], false);
        assert_eq!(app.get(&path).await.status, 404);
        assert_eq!(app.get("products/").await.body["count"], 0);
    }
}
