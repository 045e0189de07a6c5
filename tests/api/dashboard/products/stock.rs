//! The stock section: an adjustment is inventory's (a movement the API lists, the stock
//! changed), a change below 0 is refused with the API's message.

use reqwest::StatusCode;

use super::{csrf, signed_in};
use crate::{
    api_test,
    fixtures::{assert_stock, count_rows},
    helpers::TestApp,
};

api_test! {
    async fn an_adjustment_writes_a_movement_the_api_lists(app: TestApp) {
        let product = app.product().stock(5).create().await;
        let (staff, mut browser) = signed_in(&app).await;
        let token = csrf(&mut browser).await;
        let adjusted = browser
            .post_form(
                &format!("/dashboard/products/{product}/stock/"),
                &[("csrf_token", &token), ("delta", "-2"), ("reason", "Broken in the shop")],
            )
            .await;
        assert_eq!(adjusted.status, StatusCode::SEE_OTHER, "{}", adjusted.text);
        assert_eq!(adjusted.location(), format!("/dashboard/products/{product}/?adjusted=1"));
        assert_stock(&app, product, 3).await;
        let movements = app.get_as(&format!("products/{product}/stock/"), &staff.token).await;
        let latest = &movements.body["results"][0];
        assert_eq!(latest["delta"], -2);
        assert_eq!(latest["reason"], "Broken in the shop");
        assert_eq!(latest["actor"], staff.id);

        let page = browser.get(adjusted.location()).await;
        assert!(page.text.contains("The stock was adjusted."));
        assert!(page.text.contains(r#"<strong id="stock-quantity">3</strong>"#));
        assert!(page.text.contains("<td>Broken in the shop</td>"), "the movement history");
        // Left at 3, at or below the threshold: staff were told, as after the API's adjustment.
        assert_eq!(count_rows(&app, "notifications").await, 1);
    }

    async fn a_change_below_zero_is_refused_with_the_apis_message(app: TestApp) {
        let product = app.product().stock(5).create().await;
        let (_, mut browser) = signed_in(&app).await;
        let token = csrf(&mut browser).await;
        let refused = browser
            .post_form(
                &format!("/dashboard/products/{product}/stock/"),
                &[("csrf_token", &token), ("delta", "-6"), ("reason", "Recount")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
        assert!(refused.text.contains("Insufficient stock: only 5 available."));
        assert!(refused.text.contains(r#"name="delta" type="number" value="-6""#));
        assert!(refused.text.contains(r#"value="Recount""#));
        assert_stock(&app, product, 5).await;

        let blank = browser
            .post_form(
                &format!("/dashboard/products/{product}/stock/"),
                &[("csrf_token", &token), ("delta", "0"), ("reason", "")],
            )
            .await;
        assert_eq!(blank.status, StatusCode::BAD_REQUEST);
        assert!(blank.text.contains("Ensure this value is not 0."));
        assert!(blank.text.contains(r#"id="reason-error""#));
        assert_stock(&app, product, 5).await;
    }

    async fn an_adjustment_without_the_csrf_token_changes_nothing(app: TestApp) {
        let product = app.product().stock(5).create().await;
        let (_, mut browser) = signed_in(&app).await;
        let forged = browser
            .post_form(
                &format!("/dashboard/products/{product}/stock/"),
                &[("delta", "10"), ("reason", "Forged")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_stock(&app, product, 5).await;
        assert_eq!(count_rows(&app, "stock_movements").await, 1);
    }
}
