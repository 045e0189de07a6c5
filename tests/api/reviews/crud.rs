//! Create, read, update and delete, with every validation error and the owner-only `404`s.

use serde_json::json;

use super::*;
use crate::api_test;

api_test! {
    async fn a_customer_reviews_a_product_and_gets_the_full_object(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let anonymous = app
            .post("reviews/", &json!({"product": product, "rating": 4}))
            .await;
        assert_eq!(anonymous.status, 401);

        let body = json!({
            "product": product, "rating": 4, "comment": "  Solid pen.  ", "user": 999,
            "helpful_count": 50,
        });
        let response = app.post_as("reviews/", &customer.token, &body).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let review = &response.body;
        let title: String = sqlx::query_scalar("SELECT title FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            review["user"], customer.id,
            "server-owned fields are ignored"
        );
        assert_eq!(review["user_email"], customer.email.as_str());
        assert_eq!(review["product"], product);
        assert_eq!(review["product_title"], title.as_str());
        assert_eq!(review["rating"], 4);
        assert_eq!(review["comment"], "Solid pen.");
        assert_eq!(review["helpful_count"], 0);
        assert_eq!(review["verified_purchase"], false);
        assert_eq!(review["is_hidden"], false);
        assert!(review["created_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(review["created_at"], review["updated_at"]);
        let keys: Vec<&str> = review
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 12, "{keys:?}");

        let fetched = app
            .get_as(&format!("reviews/{}/", review["id"]), &customer.token)
            .await;
        assert_eq!(fetched.status, 200);
        assert_eq!(&fetched.body, review);
        let public = app.get(&format!("reviews/{}/", review["id"])).await;
        assert_eq!(public.status, 200);
        assert_ne!(
            public.body["user_email"], review["user_email"],
            "masked for others"
        );
        assert_eq!(public.body["rating"], review["rating"]);
        assert_eq!(app.get("reviews/999999/").await.status, 404);
        assert_eq!(app.get("reviews/abc/").await.status, 404);
    }

    async fn invalid_ratings_products_and_comments_are_field_errors(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let inactive = app
            .product()
            .price_cents(1000)
            .stock(5)
            .inactive()
            .create()
            .await;
        let post = |body: serde_json::Value| {
            let (app, token) = (&app, customer.token.clone());
            async move { app.post_as("reviews/create/", &token, &body).await }
        };
        let six = post(json!({"product": product, "rating": 6})).await;
        assert_eq!(six.status, 400);
        assert_eq!(
            six.body,
            json!({"rating": ["\"6\" is not a valid choice."]})
        );
        let zero = post(json!({"product": product, "rating": 0})).await;
        assert_eq!(
            zero.body,
            json!({"rating": ["\"0\" is not a valid choice."]})
        );
        let unknown = post(json!({"product": 999999, "rating": 5})).await;
        assert_eq!(unknown.status, 400);
        assert_eq!(
            unknown.body,
            json!({"product": ["Invalid pk \"999999\" - object does not exist."]})
        );
        let hidden_product = post(json!({"product": inactive, "rating": 5})).await;
        assert_eq!(
            hidden_product.body,
            json!({"product": [format!("Invalid pk \"{inactive}\" - object does not exist.")]})
        );
        let both = post(json!({"product": 999999, "rating": 9})).await;
        assert_eq!(both.body.as_object().unwrap().len(), 2, "{}", both.text);
        let typed = post(json!({"product": 999999, "rating": "x"})).await;
        assert_eq!(
            typed.body,
            json!({
                "product": ["Invalid pk \"999999\" - object does not exist."],
                "rating": ["A valid integer is required."],
            }),
            "a type error and an unknown product come in one response"
        );
        assert_eq!(
            post(json!({"rating": 5})).await.body,
            json!({"product": ["This field is required."]})
        );
        assert_eq!(
            post(json!({"product": product})).await.body,
            json!({"rating": ["This field is required."]})
        );
        assert_eq!(
            post(json!({"product": product, "rating": "x"})).await.body,
            json!({"rating": ["A valid integer is required."]})
        );
        let long =
            post(json!({"product": product, "rating": 5, "comment": "a".repeat(5001)})).await;
        assert_eq!(
            long.body,
            json!({"comment": ["Ensure this field has no more than 5000 characters."]})
        );
        assert_eq!(
            super::product_rating(&app, product).await,
            (0.0, 0),
            "nothing was stored"
        );
    }

    async fn a_second_review_of_the_same_product_is_refused(app: TestApp) {
        let customer = app.create_customer().await;
        let other = app.create_customer().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        create_review(&app, &customer, product, 5).await;
        let again = app
            .post_as(
                "reviews/",
                &customer.token,
                &json!({"product": product, "rating": 3}),
            )
            .await;
        assert_eq!(again.status, 400);
        assert_eq!(
            again.body,
            json!({"non_field_errors": ["You have already reviewed this product."]})
        );
        let via_alias = app
            .post_as(
                "reviews/create/",
                &other.token,
                &json!({"product": product, "rating": 3}),
            )
            .await;
        assert_eq!(via_alias.status, 201, "the Django alias works");
        assert_eq!(via_alias.body["user"], other.id);
    }

    async fn only_the_author_updates_and_others_get_404(app: TestApp) {
        let author = app.create_customer().await;
        let other = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, product, 2).await["id"]
            .as_i64()
            .unwrap();
        let path = format!("reviews/{id}/");

        for user in [&other, &staff] {
            let response = app
                .patch_as(&path, &user.token, &json!({"rating": 5}))
                .await;
            assert_eq!(response.status, 404, "{}", response.text);
            assert_eq!(
                app.put_as(&path, &user.token, &json!({"rating": 5}))
                    .await
                    .status,
                404
            );
        }
        assert_eq!(
            app.request(
                reqwest::Method::PATCH,
                &path,
                None,
                Some(&json!({"rating": 5}))
            )
            .await
            .status,
            401
        );
        assert_eq!(
            app.patch_as("reviews/999999/", &author.token, &json!({"rating": 5}))
                .await
                .status,
            404
        );

        let patched = app
            .patch_as(
                &path,
                &author.token,
                &json!({"comment": "Better now.", "product": 1}),
            )
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(patched.body["rating"], 2);
        assert_eq!(patched.body["comment"], "Better now.");
        assert_eq!(
            patched.body["product"], product,
            "the product can't be changed"
        );
        assert_ne!(patched.body["updated_at"], patched.body["created_at"]);

        let put_missing = app
            .put_as(&path, &author.token, &json!({"comment": "x"}))
            .await;
        assert_eq!(
            put_missing.body,
            json!({"rating": ["This field is required."]})
        );
        let bad = app
            .patch_as(&path, &author.token, &json!({"rating": 6}))
            .await;
        assert_eq!(
            bad.body,
            json!({"rating": ["\"6\" is not a valid choice."]})
        );

        let put = app
            .put_as(
                &format!("reviews/{id}/update/"),
                &author.token,
                &json!({"rating": 4, "comment": "Via alias"}),
            )
            .await;
        assert_eq!(put.status, 200, "the Django alias works");
        assert_eq!(
            (put.body["rating"].as_i64(), put.body["comment"].as_str()),
            (Some(4), Some("Via alias"))
        );
    }

    async fn the_author_or_staff_delete_and_others_get_404(app: TestApp) {
        let author = app.create_customer().await;
        let other = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let first = create_review(&app, &author, product, 2).await["id"]
            .as_i64()
            .unwrap();
        let second = create_review(&app, &other, product, 4).await["id"]
            .as_i64()
            .unwrap();

        assert_eq!(
            app.delete_as(&format!("reviews/{first}/"), &other.token)
                .await
                .status,
            404
        );
        assert_eq!(
            app.request(
                reqwest::Method::DELETE,
                &format!("reviews/{first}/"),
                None,
                None
            )
            .await
            .status,
            401
        );
        assert_eq!(
            app.delete_as(&format!("reviews/{first}/delete/"), &author.token)
                .await
                .status,
            204
        );
        assert_eq!(app.get(&format!("reviews/{first}/")).await.status, 404);
        assert_eq!(
            app.delete_as(&format!("reviews/{first}/"), &author.token)
                .await
                .status,
            404
        );
        assert_eq!(
            app.delete_as(&format!("reviews/{second}/"), &staff.token)
                .await
                .status,
            204
        );
        assert_eq!(super::product_rating(&app, product).await, (0.0, 0));
        let again = create_review(&app, &author, product, 5).await;
        assert_eq!(
            again["rating"], 5,
            "after deleting, the author may review again"
        );
    }
}
