//! The order response shapes (SPEC §3.4, §5): checkout, detail, list pages, tracking, payment
//! results and the checkout conflict.

use serde_json::json;

use crate::fixtures::place_order;
use crate::{api_test, assert_shape};

api_test! {
    async fn checkout_detail_and_list_shapes(app: TestApp) {
        let customer = app.create_customer().await;
        let pen = app
            .product()
            .title("Ink pen")
            .price_cents(250)
            .stock(10)
            .create()
            .await;
        let order = place_order(&app, &customer, &[(pen, 2)]).await;
        assert_shape!(app, "checkout_201", order);
        let detail = app
            .get_as(&format!("orders/{}/", order["id"]), &customer.token)
            .await;
        assert_eq!(detail.status, 200, "{}", detail.text);
        assert_shape!(app, "order_detail", detail.body);
        let page = app.get_as("orders/", &customer.token).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_shape!(app, "order_list_page", page.body);
        let track = app
            .get_as(&format!("orders/{}/track/", order["id"]), &customer.token)
            .await;
        assert_eq!(track.status, 200, "{}", track.text);
        assert_shape!(app, "order_tracking", track.body);
        let staff = app.create_staff().await;
        let all = app.get_as("orders/admin/all/", &staff.token).await;
        assert_eq!(all.status, 200, "{}", all.text);
        assert_shape!(app, "staff_order_list_page", all.body);
    }

    async fn payment_result_shapes(app: TestApp) {
        let customer = app.create_customer().await;
        let pen = app
            .product()
            .title("Ink pen")
            .price_cents(250)
            .stock(10)
            .create()
            .await;
        let card = place_order(&app, &customer, &[(pen, 1)]).await;
        let path = format!("orders/{}/payment/", card["id"]);
        let paid = app
            .post_as(&path, &customer.token, &json!({"payment_method": "card"}))
            .await;
        assert_eq!(paid.status, 200, "{}", paid.text);
        assert_shape!(app, "payment_captured", paid.body);
        let transfer = place_order(&app, &customer, &[(pen, 1)]).await;
        let path = format!("orders/{}/payment/", transfer["id"]);
        let body = json!({"payment_method": "bank_transfer"});
        let pending = app.post_as(&path, &customer.token, &body).await;
        assert_eq!(pending.status, 202, "{}", pending.text);
        assert_shape!(app, "payment_pending", pending.body);
        let declined = place_order(&app, &customer, &[(pen, 1)]).await;
        let path = format!("orders/{}/payment/", declined["id"]);
        let body = json!({
            "payment_method": "card", "payment_details": {"card_number": "4000000000000002"},
        });
        let response = app.post_as(&path, &customer.token, &body).await;
        assert_eq!(response.status, 402, "{}", response.text);
        assert_shape!(app, "payment_declined_402", response.body);
    }

    async fn insufficient_stock_conflict_shape(app: TestApp) {
        let customer = app.create_customer().await;
        let pen = app.product().title("Ink pen").stock(2).create().await;
        let body = json!({"items": [{"product_id": pen, "quantity": 3}]});
        let response = app.post_as("orders/", &customer.token, &body).await;
        assert_eq!(response.status, 409, "{}", response.text);
        assert_shape!(app, "checkout_insufficient_stock_409", response.body);
    }
}
