//! Products that were ordered outlive a staff delete: they are deactivated, and order history
//! keeps showing their lines.

use crate::api_test;
use crate::fixtures::*;

api_test! {
    async fn deleting_a_product_that_was_ordered_deactivates_it(app: TestApp) {
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1250).stock(10).create().await;
        let order = place_order(&app, &customer, &[(product, 2)]).await;
        let order_id = order["id"].as_i64().unwrap();
        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);

        let deleted = app
            .delete_as(&format!("products/{product}/"), &staff.token)
            .await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);

        let active: Option<nexus::db::Flag> =
            sqlx::query_scalar("SELECT is_active FROM products WHERE id = $1")
                .bind(product)
                .fetch_optional(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(
            active,
            Some(nexus::db::Flag(false)),
            "the row stays, deactivated"
        );

        let detail = app
            .get_as(&format!("orders/{order_id}/"), &customer.token)
            .await;
        assert_eq!(detail.status, 200);
        assert_eq!(
            detail.body["items"], order["items"],
            "the order still shows the line"
        );
        assert_eq!(detail.body["items"][0]["product"], product);
        assert_eq!(detail.body["items"][0]["quantity"], 2);

        assert_eq!(app.get(&format!("products/{product}/")).await.status, 404);
        assert_eq!(
            app.get_as(&format!("products/{product}/"), &customer.token)
                .await
                .status,
            404
        );
    }
}
