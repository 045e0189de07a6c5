//! The staff router under `admin/`: staff only, reads included, inactive products visible.

use serde_json::json;

use super::{titles, Shop};
use crate::api_test;

api_test! {
    async fn the_index_links_to_the_staff_collections(app: TestApp) {
        let shop = Shop::new(&app).await;
        let response = app.get_as("admin/", &shop.staff.token).await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.body,
            json!({
                "products": format!("{}/api/v1/admin/products", app.address),
                "categories": format!("{}/api/v1/admin/categories", app.address),
            })
        );
    }

    async fn every_staff_route_refuses_anonymous_and_customers(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let product = shop.product(&category, json!({})).await;
        let customer = app.create_customer().await;
        let paths = [
            "/api/v1/admin".to_owned(),
            "/api/v1/admin/products".to_owned(),
            format!("/api/v1/admin/products/{}", product["id"]),
            "/api/v1/admin/categories".to_owned(),
            format!("/api/v1/admin/categories/{}", category["id"]),
        ];
        for path in &paths {
            assert_eq!(app.get(path).await.status, 401, "{path}");
            assert_eq!(
                app.get_as(path, &customer.token).await.status,
                403,
                "{path}"
            );
            assert_eq!(
                app.get_as(path, &shop.staff.token).await.status,
                200,
                "{path}"
            );
        }
        let body = json!({"title": "T", "price": "1", "category": category["id"]});
        assert_eq!(
            app.post_as("/api/v1/admin/products", &customer.token, &body)
                .await
                .status,
            403
        );
        assert_eq!(app.delete_as(&paths[2], &customer.token).await.status, 403);
    }

    async fn staff_manage_products_through_the_staff_router(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let token = &shop.staff.token;
        let body = json!({
            "title": "Hidden gem", "price": "3.50", "category": category["id"], "is_active": false,
        });
        let created = app.post_as("/api/v1/admin/products", token, &body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let path = format!("/api/v1/admin/products/{}", created.body["id"]);
        assert_eq!(app.get_as(&path, token).await.body, created.body);
        assert_eq!(
            titles(&app.get_as("/api/v1/admin/products", token).await.body),
            ["Hidden gem"]
        );
        assert_eq!(app.get("products/").await.body["count"], 0);
        let patched = app
            .patch_as(&path, token, &json!({"is_active": true}))
            .await;
        assert_eq!(patched.body["is_active"], true);
        let put = app
            .put_as(
                &path,
                token,
                &json!({"title": "Gem", "price": "0", "category": category["id"]}),
            )
            .await;
        assert_eq!(
            put.body,
            json!({"price": ["Price must be greater than 0."]})
        );
        assert_eq!(app.get("products/").await.body["count"], 1);
        let filtered = app
            .get_as("/api/v1/admin/products?search=gem&price_min=3.50", token)
            .await;
        assert_eq!(titles(&filtered.body), ["Hidden gem"]);
        assert_eq!(app.delete_as(&path, token).await.status, 204);
        assert_eq!(app.get_as(&path, token).await.status, 404);
    }

    async fn staff_manage_categories_through_the_staff_router(app: TestApp) {
        let shop = Shop::new(&app).await;
        let token = &shop.staff.token;
        let created = app
            .post_as("/api/v1/admin/categories", token, &json!({"name": "Toys"}))
            .await;
        assert_eq!(created.status, 201);
        let path = format!("/api/v1/admin/categories/{}", created.body["id"]);
        assert_eq!(app.get_as(&path, token).await.body, created.body);
        assert_eq!(
            app.get_as("/api/v1/admin/categories", token).await.body["count"],
            1
        );
        let child = app
            .post_as(
                "/api/v1/admin/categories/",
                token,
                &json!({"name": "Dolls", "parent": created.body["id"]}),
            )
            .await;
        let cycle = app
            .patch_as(&path, token, &json!({"parent": child.body["id"]}))
            .await;
        assert_eq!(cycle.status, 400);
        let renamed = app.put_as(&path, token, &json!({"name": "Games"})).await;
        assert_eq!(renamed.body["name"], "Games");
        assert_eq!(app.delete_as(&path, token).await.status, 409);
        assert_eq!(
            app.delete_as(
                &format!("/api/v1/admin/categories/{}", child.body["id"]),
                token
            )
            .await
            .status,
            204
        );
        assert_eq!(app.delete_as(&path, token).await.status, 204);
    }
}
