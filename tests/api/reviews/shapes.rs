//! The review response shapes (SPEC §3.5, §5): review, public and author list pages, stats and
//! reports.

use serde_json::json;

use super::create_review;
use crate::{api_test, assert_shape};

api_test! {
    async fn review_and_review_list_shapes(app: TestApp) {
        let author = app.create_customer().await;
        let pen = app.product().title("Ink pen").create().await;
        let review = create_review(&app, &author, pen, 4).await;
        assert_shape!(app, "review", review);
        let public = app.get(&format!("reviews/?product={pen}")).await;
        assert_eq!(public.status, 200, "{}", public.text);
        assert_shape!(app, "review_list_page_public", public.body);
        let own = app.get_as("reviews/user/", &author.token).await;
        assert_eq!(own.status, 200, "{}", own.text);
        assert_shape!(app, "review_list_page_author", own.body);
        let stats = app.get(&format!("reviews/product/{pen}/stats/")).await;
        assert_eq!(stats.status, 200, "{}", stats.text);
        assert_shape!(app, "review_stats", stats.body);
    }

    async fn report_shapes(app: TestApp) {
        let author = app.create_customer().await;
        let reporter = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().title("Ink pen").create().await;
        let review = create_review(&app, &author, pen, 1).await;
        let body = json!({"reason": "spam", "description": "An advert."});
        let path = format!("reviews/{}/report/", review["id"]);
        let reported = app.post_as(&path, &reporter.token, &body).await;
        assert!(reported.status.is_success(), "{}", reported.text);
        assert_shape!(app, "review_report", reported.body);
        let reports = app.get_as("reviews/reports/", &staff.token).await;
        assert_eq!(reports.status, 200, "{}", reports.text);
        assert_shape!(app, "review_report_list_page", reports.body);
    }
}
