//! The inventory response shapes (SPEC §5): a stock adjustment and the stock movement page.

use serde_json::json;

use crate::{api_test, assert_shape};

api_test! {
    async fn stock_adjustment_and_movement_page_shapes(app: TestApp) {
        let staff = app.create_staff().await;
        let pen = app.product().title("Ink pen").stock(10).create().await;
        let path = format!("products/{pen}/stock/");
        let body = json!({"delta": -3, "reason": "found a box short"});
        let adjusted = app.post_as(&path, &staff.token, &body).await;
        assert!(adjusted.status.is_success(), "{}", adjusted.text);
        assert_shape!(app, "stock_adjustment", adjusted.body);
        let page = app.get_as(&path, &staff.token).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_shape!(app, "stock_movement_page", page.body);
    }
}
