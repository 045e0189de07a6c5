//! The catalog response shapes (SPEC §3.2): category (flat and as a tree), brand, product detail
//! as a customer and as staff, the product list page and the staff router's index.

use serde_json::json;

use super::Shop;
use crate::{api_test, assert_shape};

api_test! {
    async fn category_and_category_tree_shapes(app: TestApp) {
        let shop = Shop::new(&app).await;
        let root = shop.category("Stationery", None).await;
        assert_shape!(app, "category", root);
        let child = shop.category("Pens", root["id"].as_i64()).await;
        shop.product(&child, json!({"title": "Ink pen"})).await;
        let detail = app.get(&format!("categories/{}/", child["id"])).await;
        assert_eq!(detail.status, 200, "{}", detail.text);
        assert_shape!(app, "category_detail", detail.body);
        let tree = app.get("categories/?tree=true").await;
        assert_eq!(tree.status, 200, "{}", tree.text);
        assert_shape!(app, "category_tree", tree.body);
    }

    async fn brand_shape(app: TestApp) {
        let shop = Shop::new(&app).await;
        assert_shape!(app, "brand", shop.brand("Acme Pens").await);
        let page = app.get("brands/").await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_shape!(app, "brand_list_page", page.body);
    }

    async fn product_detail_as_customer_and_as_staff(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Pens", None).await;
        let brand = shop.brand("Acme").await;
        let fields = json!({
            "title": "Ink pen", "description": "Blue ink.", "price": "2.50", "stock_quantity": 12,
            "brand": brand["id"], "is_featured": true,
        });
        let created = shop.product(&category, fields).await;
        assert_shape!(app, "product_created", created);
        let path = format!("products/{}/", created["id"]);
        let customer = app.create_customer().await;
        let as_customer = app.get_as(&path, &customer.token).await;
        assert_eq!(as_customer.status, 200, "{}", as_customer.text);
        assert_shape!(app, "product_detail_customer", as_customer.body);
        let as_staff = app.get_as(&path, &shop.staff.token).await;
        assert_eq!(as_staff.status, 200, "{}", as_staff.text);
        assert_shape!(app, "product_detail_staff", as_staff.body);
    }

    async fn product_list_page_shape(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Pens", None).await;
        shop.product(&category, json!({"title": "Ink pen", "price": "2.50"}))
            .await;
        shop.product(
            &category,
            json!({"title": "Fountain pen", "price": "30.00"}),
        )
        .await;
        let page = app.get("products/?page_size=1&ordering=price").await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_shape!(app, "product_list_page", page.body);
    }

    async fn staff_router_index_shape(app: TestApp) {
        let shop = Shop::new(&app).await;
        let index = app.get_as("admin/", &shop.staff.token).await;
        assert_eq!(index.status, 200, "{}", index.text);
        assert_shape!(app, "staff_router_index", index.body);
    }
}
