//! The cart response shapes (SPEC §3.3): the added item, the cart, its count and its total.

use serde_json::json;

use crate::{api_test, assert_shape};

api_test! {
    async fn cart_shapes(app: TestApp) {
        let customer = app.create_customer().await;
        let empty = app.get_as("cart/", &customer.token).await;
        assert_eq!(empty.status, 200, "{}", empty.text);
        assert_shape!(app, "cart_empty", empty.body);
        let pen = app
            .product()
            .title("Ink pen")
            .price_cents(250)
            .stock(10)
            .create()
            .await;
        let body = json!({"product_id": pen, "quantity": 2});
        let added = app.post_as("cart/add/", &customer.token, &body).await;
        assert_eq!(added.status, 201, "{}", added.text);
        assert_shape!(app, "cart_item", added.body);
        let cart = app.get_as("cart/", &customer.token).await;
        assert_shape!(app, "cart", cart.body);
        assert_shape!(
            app,
            "cart_count",
            app.get_as("cart/count/", &customer.token).await.body
        );
        assert_shape!(
            app,
            "cart_total",
            app.get_as("cart/total/", &customer.token).await.body
        );
    }
}
