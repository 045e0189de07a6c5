//! `/metrics` exposes what capture recorded, dropped and how long its batches took. The registry
//! is process-wide and tests run in parallel, so values are compared before and after.

use super::wait_for_events;
use crate::{api_test, helpers::TestApp, metrics::sample};

async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status, 200);
    response.text
}

api_test! {
    async fn recorded_and_dropped_events_and_batch_times_are_exposed(app: TestApp) {
        let product = app.product().create().await;
        let before = scrape(&app).await;
        let views = |text: &str| {
            sample(text, "analytics_events_recorded_total{kind=\"product_view\"}").unwrap_or(-1.0)
        };
        for kind in ["search", "register", "login", "add_to_cart", "order", "review"] {
            let series = format!("analytics_events_recorded_total{{kind=\"{kind}\"}}");
            assert!(sample(&before, &series).is_some(), "{series} exists:\n{before}");
        }
        for reason in ["buffer_full", "write_failed"] {
            let series = format!("analytics_events_dropped_total{{reason=\"{reason}\"}}");
            assert!(sample(&before, &series).is_some(), "{series} exists:\n{before}");
        }
        assert!(before.contains("analytics_batch_write_seconds_bucket{le=\"0.005\"}"), "{before}");

        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);
        wait_for_events(&app, 1).await;
        let after = scrape(&app).await;
        assert!(views(&after) >= views(&before) + 1.0, "before:\n{before}\nafter:\n{after}");
        let batches = |text: &str| sample(text, "analytics_batch_write_seconds_count").unwrap();
        assert!(batches(&after) >= batches(&before) + 1.0);
    }
}
