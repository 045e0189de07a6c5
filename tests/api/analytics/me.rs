//! `GET analytics/me/`: the caller's own counted orders, spending and favourite categories.

use serde_json::json;

use super::{categorise, order_at, Shop};
use crate::api_test;

api_test! {
    async fn my_figures_count_only_my_counted_orders(app: TestApp) {
        let shop = Shop::open(&app).await;
        let lighting = categorise(&app, shop.lamp, "Lighting").await;
        let furniture = categorise(&app, shop.desk, "Furniture").await;
        // Ann's counted orders: 20.00 (lamps), 35.00 (lamp + desk), 25.00 (desk, before the
        // dashboard's period: `me` is all time). Her refunded order is out.
        let ann = app.get_as("analytics/me/", &shop.ann.token).await;
        assert_eq!(ann.status, 200, "{}", ann.text);
        assert_eq!(
            ann.body,
            json!({
                "orders": 3,
                "total_spent": "80.00",
                "average_order_value": "26.67",
                "favourite_categories": [
                    {"category_id": lighting, "name": "Lighting", "orders": 2},
                    {"category_id": furniture, "name": "Furniture", "orders": 2},
                ],
            })
        );
        // Bob: one counted order (his cancelled and failed ones are out).
        let bob = app.get_as("analytics/me/", &shop.bob.token).await.body;
        assert_eq!(
            bob,
            json!({
                "orders": 1,
                "total_spent": "25.00",
                "average_order_value": "25.00",
                "favourite_categories": [{"category_id": furniture, "name": "Furniture", "orders": 1}],
            })
        );
        // Cy has no order; staff see only their own figures here too.
        let nobody = json!({
            "orders": 0, "total_spent": "0.00", "average_order_value": "0.00",
            "favourite_categories": [],
        });
        assert_eq!(app.get_as("analytics/me/", &shop.cy.token).await.body, nobody);
        assert_eq!(app.get_as("analytics/me/", &shop.staff.token).await.body, nobody);
    }

    async fn favourite_categories_are_the_top_five_by_orders(app: TestApp) {
        let ann = app.create_customer().await;
        let mut categories = Vec::new();
        for n in 0..6 {
            let product = app.product().stock(100).create().await;
            let category = categorise(&app, product, &format!("Cat{n}")).await;
            categories.push(category);
            // Category n is in n + 1 orders.
            for _ in 0..=n {
                order_at(&app, &ann, &[(product, 1)], "2024-05-01T10:00:00Z", "pending", "unpaid")
                    .await;
            }
        }
        // Category 0 gains a second product; one order with both counts once: 2 orders, tied
        // with category 1, and ahead of it by the lower id.
        let second = app.product().stock(100).create().await;
        sqlx::query("UPDATE products SET category_id = $1 WHERE id = $2")
            .bind(categories[0])
            .bind(second)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let first: i64 = sqlx::query_scalar("SELECT id FROM products WHERE category_id = $1 AND id <> $2")
            .bind(categories[0])
            .bind(second)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        order_at(&app, &ann, &[(first, 1), (second, 1)], "2024-05-02T10:00:00Z", "pending", "unpaid")
            .await;
        let body = app.get_as("analytics/me/", &ann.token).await.body;
        let favourites: Vec<(i64, i64)> = body["favourite_categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["category_id"].as_i64().unwrap(), c["orders"].as_i64().unwrap()))
            .collect();
        let expected = [
            (categories[5], 6),
            (categories[4], 5),
            (categories[3], 4),
            (categories[2], 3),
            (categories[0], 2),
        ];
        assert_eq!(favourites, expected);
        assert_eq!(body["orders"], 22);
    }
}
