//! `nexus analytics rollup` through the built binary against each test's database: it rolls up
//! what the scheduled job would, changes no answer, and a second run finds nothing to do.

use std::process::Output;

use super::{dashboard, Shop, PERIOD};
use crate::{
    api_test,
    helpers::TestApp,
    nexus_process::{admin, stdout},
};

fn analytics(app: &TestApp, args: &[&str]) -> Output {
    admin(&app.database_url, "analytics", args)
}

async fn rolled_days(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT day FROM analytics_daily ORDER BY day")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

api_test! {
    async fn rollup_rolls_every_complete_day_at_once_and_changes_no_answer(app: TestApp) {
        let shop = Shop::open(&app).await;
        let before = dashboard(&app, &shop.staff, PERIOD).await;
        let output = analytics(&app, &["rollup"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout(&output).starts_with("5 days rolled up in "), "{}", stdout(&output));
        // The shop's days; today (the staff member's sign-up) is still filling.
        assert_eq!(
            rolled_days(&app).await,
            ["2024-04-30", "2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"]
        );
        let (revenue, views): (i64, i64) = sqlx::query_as(
            "SELECT revenue_cents, product_views FROM analytics_daily WHERE day = '2024-05-01'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!((revenue, views), (2000, 3));
        assert_eq!(dashboard(&app, &shop.staff, PERIOD).await, before);

        // Nothing past the marks: a second run rolls nothing.
        let again = analytics(&app, &["rollup"]);
        assert!(again.status.success());
        assert!(stdout(&again).starts_with("0 days rolled up in "), "{}", stdout(&again));
        // Naming no action is a usage error.
        assert!(!analytics(&app, &[]).status.success());
    }
}
