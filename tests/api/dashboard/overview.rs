//! The overview: the analytics dashboard's figures for a period, as the API computes them.

use reqwest::StatusCode;

use serde_json::json;

use super::{jobs::failed_jobs, Browser};
use crate::{api_test, fixtures::place_order, helpers::TestApp, jobs::without_worker};

api_test! {
    async fn the_overview_shows_the_periods_figures_as_the_api_computes_them(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let desk = app.product().title("Oak Desk").price_cents(12_345).create().await;
        place_order(&app, &buyer, &[(desk, 2)]).await;
        let api = app.get_as("analytics/dashboard/", &staff.token).await.body;
        assert_eq!(api["revenue"], "246.90");

        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains(r#"<span class="value" id="revenue">246.90</span>"#), "{}", page.text);
        assert!(page.text.contains(r#"<span class="value" id="orders">1</span>"#));
        assert!(page.text.contains("Oak Desk"));
        let period = format!("{} to {} (UTC)", api["from"].as_str().unwrap(), api["to"].as_str().unwrap());
        assert!(page.text.contains(&period), "{period}");
    }

    async fn an_empty_shop_says_so_instead_of_showing_empty_tables(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::OK);
        for empty in ["No orders in this period.", "No product views in this period.", "No searches in this period."] {
            assert!(page.text.contains(empty), "{empty}");
        }
    }

    async fn a_chosen_period_is_shown_and_a_bad_one_explained(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let chosen = browser.get("/dashboard/?from=2024-02-01&to=2024-02-29").await;
        assert!(chosen.text.contains("2024-02-01 to 2024-02-29 (UTC)"));
        assert!(chosen.text.contains(r#"value="2024-02-01""#), "the form keeps the dates");
        for bad in ["from=2024-13-01", "from=2024-03-01&to=2024-02-01", "from=2020-01-01&to=2024-01-01"] {
            let page = browser.get(&format!("/dashboard/?{bad}")).await;
            assert_eq!(page.status, StatusCode::OK, "{bad}");
            assert!(page.text.contains("Choose dates as YYYY-MM-DD"), "{bad}: {}", page.text);
            assert!(!page.text.contains("id=\"revenue\""), "{bad}");
        }
    }

    async fn pages_carry_the_security_headers_and_the_stylesheet_is_served(app: TestApp) {
        let mut browser = Browser::new(&app);
        let page = browser.get("/dashboard/login/").await;
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        let css = browser.get("/dashboard/static/dashboard.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.headers["content-type"].to_str().unwrap().starts_with("text/css"));
    }

    async fn needs_attention_lists_low_stock_reported_reviews_failed_payments_and_failed_jobs(app: TestApp) {
        // No worker of the app's own: it would run the job meant to fail, successfully.
        let app = without_worker(&app).await;
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let calm = browser.get("/dashboard/").await;
        for empty in ["No active product is low on stock.", "No public review is reported.", "No order's payment failed.", "No job has failed."] {
            assert!(calm.text.contains(empty), "{empty}");
        }

        let buyer = app.create_customer().await;
        let reporter = app.create_customer().await;
        let lamp = app.product().title("Brass Lamp").stock(3).create().await;
        let _plenty = app.product().title("Paper Clip").stock(500).create().await;
        let _hidden_low = app.product().title("Old Stool").stock(0).inactive().create().await;
        let order = place_order(&app, &buyer, &[(lamp, 1)]).await;
        let declined = app
            .post_as(&format!("orders/{}/payment/", order["id"]), &buyer.token,
                &json!({"payment_method": "card", "payment_details": {"card_number": "4000000000000002"}}))
            .await;
        assert_eq!(declined.status, 402, "{}", declined.text);
        let review = app.post_as("reviews/", &buyer.token, &json!({"product": lamp, "rating": 1, "comment": "Flickers <always>"})).await;
        assert_eq!(review.status, 201, "{}", review.text);
        let report = app.post_as(&format!("reviews/{}/report/", review.body["id"]), &reporter.token, &json!({"reason": "spam"})).await;
        assert!(report.status.is_success(), "{}", report.text);
        failed_jobs(&app, 1).await;

        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        // The lamp is back to 3 after the declined payment: at or below the threshold (5).
        assert!(page.text.contains(r#"id="low-stock-count">1</span>"#), "{}", page.text);
        assert!(page.text.contains("Brass Lamp</a>: 3 left"));
        assert!(!page.text.contains("Old Stool"), "inactive products are not listed");
        assert!(page.text.contains(r#"id="reported-count">1</span>"#));
        assert!(page.text.contains("Flickers &lt;always&gt;"), "escaped");
        assert!(page.text.contains(r#"id="failed-payments-count">1</span>"#));
        assert!(page.text.contains(order["order_number"].as_str().unwrap()));
        assert!(page.text.contains(r#"id="failed-jobs-count">1</span>"#));
        assert!(page.text.contains("cleanup #"));
    }
}
