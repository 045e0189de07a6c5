//! Brands: CRUD, slugs and permissions.

use serde_json::json;

use super::{column, Shop};
use crate::api_test;

api_test! {
    async fn staff_create_brands_with_unique_generated_slugs(app: TestApp) {
        let shop = Shop::new(&app).await;
        let response = app
            .post_as(
                "brands/",
                &shop.staff.token,
                &json!({"name": "Acme Corp", "description": "d"}),
            )
            .await;
        assert_eq!(response.status, 201);
        let id = response.body["id"].clone();
        assert_eq!(
            response.body,
            json!({"id": id, "name": "Acme Corp", "slug": "acme-corp", "description": "d"})
        );
        assert_eq!(shop.brand("Acme Corp").await["slug"], "acme-corp-2");
        let duplicate = app
            .post_as(
                "brands/",
                &shop.staff.token,
                &json!({"name": "X", "slug": "acme-corp"}),
            )
            .await;
        assert_eq!(duplicate.status, 400);
        assert_eq!(
            duplicate.body,
            json!({"slug": ["brand with this slug already exists."]})
        );
        let blank = app
            .post_as("brands/", &shop.staff.token, &json!({"name": ""}))
            .await;
        assert_eq!(
            blank.body,
            json!({"name": ["This field may not be blank."]})
        );
    }

    async fn anyone_lists_and_reads_brands(app: TestApp) {
        let shop = Shop::new(&app).await;
        shop.brand("zeta").await;
        let acme = shop.brand("Acme").await;
        let page = app.get("brands/").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["count"], 2);
        assert_eq!(column(&page.body, "name"), [json!("Acme"), json!("zeta")]);
        assert_eq!(app.get(&format!("brands/{}/", acme["id"])).await.body, acme);
        assert_eq!(app.get("brands/acme/").await.body, acme);
        assert_eq!(app.get("brands/999/").await.status, 404);
    }

    async fn staff_update_and_delete_brands_and_products_keep_going(app: TestApp) {
        let shop = Shop::new(&app).await;
        let acme = shop.brand("Acme").await;
        let path = format!("brands/{}/", acme["id"]);
        let put = app
            .put_as(&path, &shop.staff.token, &json!({"name": "Acme Ltd"}))
            .await;
        assert_eq!(put.status, 200);
        assert_eq!(
            (put.body["name"].clone(), put.body["slug"].clone()),
            (json!("Acme Ltd"), json!("acme"))
        );
        let patch = app
            .patch_as(&path, &shop.staff.token, &json!({"description": "tools"}))
            .await;
        assert_eq!(patch.body["name"], "Acme Ltd");
        assert_eq!(patch.body["description"], "tools");
        assert_eq!(
            app.put_as(&path, &shop.staff.token, &json!({})).await.body,
            json!({"name": ["This field is required."]})
        );
        let category = shop.category("Tools", None).await;
        let product = shop.product(&category, json!({"brand": acme["id"]})).await;
        assert_eq!(product["brand_name"], "Acme Ltd");
        assert_eq!(app.delete_as(&path, &shop.staff.token).await.status, 204);
        assert_eq!(app.get(&path).await.status, 404);
        let orphan = app.get(&format!("products/{}/", product["id"])).await;
        assert_eq!(orphan.status, 200);
        assert_eq!(
            (
                orphan.body["brand"].clone(),
                orphan.body["brand_name"].clone()
            ),
            (json!(null), json!(null))
        );
    }

    async fn only_staff_write_brands(app: TestApp) {
        let shop = Shop::new(&app).await;
        let acme = shop.brand("Acme").await;
        let customer = app.create_customer().await;
        assert_eq!(app.post("brands/", &json!({"name": "X"})).await.status, 401);
        assert_eq!(
            app.post_as("brands/", &customer.token, &json!({"name": "X"}))
                .await
                .status,
            403
        );
        let path = format!("brands/{}/", acme["id"]);
        assert_eq!(
            app.put_as(&path, &customer.token, &json!({"name": "X"}))
                .await
                .status,
            403
        );
        assert_eq!(
            app.patch_as(&path, &customer.token, &json!({"name": "X"}))
                .await
                .status,
            403
        );
        assert_eq!(app.delete_as(&path, &customer.token).await.status, 403);
        assert_eq!(app.get(&path).await.body["name"], "Acme");
    }
}
