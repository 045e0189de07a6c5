//! The roll-ups: they never change an answer, fold late rows in, re-run idempotently, and
//! retention deletes only raw events that are rolled up, leaving the answers as they were.

use serde_json::{json, Value};

use super::{
    cancel_order_at, dashboard, months::assert_months_sum_their_days, order_at, roll_up, Shop,
    PERIOD,
};
use crate::{api_test, fixtures::Event, helpers::TestApp};

/// Every roll-up row, daily and monthly, as text, in a stable order (`rolled_at` left out).
async fn rolled_rows(app: &TestApp) -> Vec<String> {
    let queries = [
        "SELECT day || ' ' || CAST(revenue_cents AS TEXT) || ' ' || CAST(orders AS TEXT) || ' ' || \
         CAST(new_users AS TEXT) || ' ' || CAST(sessions AS TEXT) || ' ' || \
         CAST(viewing_sessions AS TEXT) || ' ' || CAST(product_views AS TEXT) || ' ' || \
         CAST(searches AS TEXT) || ' ' || CAST(zero_result_searches AS TEXT) \
         FROM analytics_daily ORDER BY day",
        "SELECT day || ' views ' || CAST(product_id AS TEXT) || ' ' || CAST(views AS TEXT) \
         FROM analytics_daily_views ORDER BY day, product_id",
        "SELECT day || ' sales ' || CAST(product_id AS TEXT) || ' ' || CAST(units AS TEXT) || ' ' || \
         CAST(revenue_cents AS TEXT) FROM analytics_daily_sales ORDER BY day, product_id",
        "SELECT day || ' search ' || query || ' ' || CAST(searches AS TEXT) || ' ' || \
         CAST(zero_results AS TEXT) FROM analytics_daily_searches ORDER BY day, query",
        "SELECT day || ' user ' || CAST(user_id AS TEXT) FROM analytics_daily_users \
         ORDER BY day, user_id",
        "SELECT month || ' views ' || CAST(product_id AS TEXT) || ' ' || CAST(views AS TEXT) \
         FROM analytics_monthly_views ORDER BY month, product_id",
        "SELECT month || ' sales ' || CAST(product_id AS TEXT) || ' ' || CAST(units AS TEXT) || \
         ' ' || CAST(revenue_cents AS TEXT) FROM analytics_monthly_sales ORDER BY month, product_id",
        "SELECT month || ' search ' || query || ' ' || CAST(searches AS TEXT) || ' ' || \
         CAST(zero_results AS TEXT) FROM analytics_monthly_searches ORDER BY month, query",
        "SELECT month || ' user ' || CAST(user_id AS TEXT) || ' ' || CAST(days AS TEXT) \
         FROM analytics_monthly_users ORDER BY month, user_id",
    ];
    let mut rows = Vec::new();
    for query in queries {
        let found: Vec<String> = sqlx::query_scalar(query)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        rows.extend(found);
    }
    rows
}

/// The rolled row of `day`: revenue, orders, viewing sessions, product views, searches.
async fn rolled_day(app: &TestApp, day: &str) -> (i64, i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT revenue_cents, orders, viewing_sessions, product_views, searches \
         FROM analytics_daily WHERE day = $1",
    )
    .bind(day)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// The dashboards of the shop's period and of a wider one around it.
async fn answers(app: &TestApp, shop: &Shop) -> (Value, Value) {
    (
        dashboard(app, &shop.staff, PERIOD).await,
        dashboard(app, &shop.staff, "from=2024-04-01&to=2024-05-31").await,
    )
}

api_test! {
    async fn a_roll_up_changes_no_answer(app: TestApp) {
        let shop = Shop::open(&app).await;
        let before = answers(&app, &shop).await;
        roll_up(&app).await;
        assert_eq!(rolled_day(&app, "2024-05-01").await, (2000, 1, 2, 3, 1));
        assert_eq!(rolled_day(&app, "2024-05-02").await, (2500, 1, 2, 2, 2));
        // The days with rows are rolled; today (the staff member's sign-up) is still filling.
        let days: Vec<String> = sqlx::query_scalar("SELECT day FROM analytics_daily ORDER BY day")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(days, ["2024-04-30", "2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"]);
        assert_eq!(answers(&app, &shop).await, before);
        // The answers come from the roll-ups as soon as one ran: a (tampered) rolled figure shows.
        sqlx::query("UPDATE analytics_daily SET revenue_cents = 2100 WHERE day = '2024-05-01'")
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(dashboard(&app, &shop.staff, PERIOD).await["revenue"], "81.00");
        // A second run finds nothing past its marks and leaves every day as it is.
        roll_up(&app).await;
        assert_eq!(dashboard(&app, &shop.staff, PERIOD).await["revenue"], "81.00");
    }

    async fn running_a_roll_up_again_changes_no_row(app: TestApp) {
        let _shop = Shop::open(&app).await;
        roll_up(&app).await;
        let first = rolled_rows(&app).await;
        assert!(first.len() > 20, "{first:?}");
        for _ in 0..2 {
            roll_up(&app).await;
            assert_eq!(rolled_rows(&app).await, first);
        }
        // A run outside the queue (a retried job, a second instance) changes nothing either.
        let today = chrono::Utc::now().date_naive();
        nexus::analytics::roll_up_days(&app.db, today).await.unwrap();
        assert_eq!(rolled_rows(&app).await, first);
    }

    async fn a_late_event_shows_at_once_and_the_next_roll_up_folds_it_in(app: TestApp) {
        let shop = Shop::open(&app).await;
        roll_up(&app).await;
        roll_up(&app).await;
        // A view of the lamp on 05-01 arrives after that day was rolled (twice).
        app.insert_events(&[Event::view("2024-05-01T20:00:00Z", "late", shop.lamp)]).await;
        let live = dashboard(&app, &shop.staff, PERIOD).await;
        assert_eq!(live["top_products_by_views"][0], json!({"product_id": shop.lamp, "title": "Lamp", "views": 4}));
        // 3 orders / 6 viewing sessions.
        assert_eq!(live["conversion_rate"], 0.5);
        assert_eq!(rolled_day(&app, "2024-05-01").await, (2000, 1, 2, 3, 1));
        roll_up(&app).await;
        assert_eq!(rolled_day(&app, "2024-05-01").await, (2000, 1, 3, 4, 1));
        assert_months_sum_their_days(&app).await;
        assert_eq!(dashboard(&app, &shop.staff, PERIOD).await, live);
    }

    async fn a_late_cancellation_shows_at_once_and_the_next_roll_up_folds_it_in(app: TestApp) {
        let shop = Shop::open(&app).await;
        roll_up(&app).await;
        roll_up(&app).await;
        // Ann cancels her paid order of 05-01 today: it is refunded.
        cancel_order_at(&app, &shop.ann, "2024-05-01T10:00:00Z").await;
        let live = dashboard(&app, &shop.staff, PERIOD).await;
        assert_eq!(live["revenue"], "60.00");
        assert_eq!(live["daily"][0]["revenue"], "0.00");
        assert_eq!(live["top_products_by_revenue"][0]["revenue"], "50.00");
        roll_up(&app).await;
        assert_eq!(rolled_day(&app, "2024-05-01").await.0, 0);
        assert_months_sum_their_days(&app).await;
        assert_eq!(dashboard(&app, &shop.staff, PERIOD).await, live);
    }

    async fn an_order_placed_through_the_api_today_shows_at_once(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let lamp = app.product().title("Lamp").price_cents(1250).create().await;
        roll_up(&app).await;
        crate::fixtures::place_order(&app, &ann, &[(lamp, 2)]).await;
        let body = dashboard(&app, &staff, "").await;
        assert_eq!(body["revenue"], "25.00");
        assert_eq!(body["daily"][29]["orders"], 1);
        assert_eq!(body["active_users"], 1);
        assert_eq!(body["new_users"], 2, "Ann and the staff member joined today");
    }

    async fn a_back_dated_event_written_after_todays_is_rolled_and_today_is_rolled_once_it_ends(
        app: TestApp,
    ) {
        let staff = app.create_staff().await;
        let lamp = app.product().title("Lamp").create().await;
        let now = chrono::Utc::now();
        let stamp = |at: chrono::DateTime<chrono::Utc>| {
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        };
        // Ids don't follow days: today's view is written first, a view of 2024-05-01 after it.
        app.insert_events(&[Event::view(&stamp(now), "today", lamp)]).await;
        app.insert_events(&[Event::view("2024-05-01T12:00:00Z", "late", lamp)]).await;
        roll_up(&app).await;
        assert_eq!(rolled_day(&app, "2024-05-01").await, (0, 0, 1, 1, 0));
        // That day is now read from its roll-up: a (tampered) rolled figure shows.
        sqlx::query("UPDATE analytics_daily_views SET views = 5 WHERE day = '2024-05-01'")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let day = dashboard(&app, &staff, "from=2024-05-01&to=2024-05-01").await;
        assert_eq!(day["top_products_by_views"][0]["views"], 5);
        // Today is below the marks now but still filling: the first run after it ends rolls it.
        let today = now.date_naive();
        let key = today.format("%Y-%m-%d").to_string();
        nexus::analytics::roll_up_days(&app.db, today).await.unwrap();
        let rolled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM analytics_daily WHERE day = $1")
            .bind(&key)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(rolled, 0, "today is never rolled");
        let tomorrow = today.succ_opt().unwrap();
        nexus::analytics::roll_up_days(&app.db, tomorrow).await.unwrap();
        assert_eq!(rolled_day(&app, &key).await.3, 1, "today's view, rolled the day after");
    }

    async fn a_back_dated_order_from_a_seed_is_folded_into_its_rolled_day(app: TestApp) {
        let shop = Shop::open(&app).await;
        roll_up(&app).await;
        roll_up(&app).await;
        // An order created now but dated 05-01 (as `nexus seed` writes them).
        order_at(&app, &shop.cy, &[(shop.desk, 4)], "2024-05-01T15:00:00Z", "delivered", "paid")
            .await;
        let live = dashboard(&app, &shop.staff, PERIOD).await;
        assert_eq!(live["revenue"], "180.00");
        assert_eq!(live["daily"][0]["orders"], 2);
        roll_up(&app).await;
        assert_eq!(rolled_day(&app, "2024-05-01").await.0, 12000);
        assert_eq!(dashboard(&app, &shop.staff, PERIOD).await, live);
    }

    async fn retention_deletes_only_old_rolled_events_and_no_answer_changes(app: TestApp) {
        let shop = Shop::open(&app).await;
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        app.insert_events(&[Event::view(&yesterday, "recent", shop.lamp)]).await;
        // The shop's own (2024) events: what the API calls above record today may still be on
        // their way from the capture buffer, so they are left out of the count.
        let old_events = || async {
            let sql = "SELECT COUNT(*) FROM analytics_events WHERE occurred_at < $1";
            sqlx::query_scalar::<_, i64>(sql)
                .bind(crate::fixtures::micros("2025-01-01T00:00:00Z"))
                .fetch_one(&app.db.pool)
                .await
                .unwrap()
        };
        let all = old_events().await;
        // Before any roll-up nothing is deleted: no day is rolled.
        let (deleted, kept) =
            nexus::analytics::prune(&app.db, chrono::Utc::now().date_naive(), 90).await.unwrap();
        assert_eq!((deleted, old_events().await), (0, all));
        assert!(kept >= 4, "{kept} old days kept");
        roll_up(&app).await;
        roll_up(&app).await;
        let before = answers(&app, &shop).await;
        app.run_job(nexus::jobs::Kind::AnalyticsRetention, &json!({})).await;
        // The shop's (2024) events are past 90 days and gone; yesterday's is left (so are those
        // the API calls above recorded today).
        let (old, recent): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM analytics_events WHERE occurred_at < $1), \
             (SELECT COUNT(*) FROM analytics_events WHERE session_key = 'recent')",
        )
        .bind(crate::fixtures::micros("2025-01-01T00:00:00Z"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!((old, recent), (0, 1));
        assert_eq!(answers(&app, &shop).await, before);
        // A later roll-up of a pruned day (after a change to one of its orders) keeps its event
        // figures and recomputes its orders.
        cancel_order_at(&app, &shop.ann, "2024-05-01T10:00:00Z").await;
        let live = answers(&app, &shop).await;
        assert_eq!(live.0["revenue"], "60.00");
        assert_eq!(live.0["top_products_by_views"], before.0["top_products_by_views"]);
        assert_eq!(live.0["active_users"], 3);
        roll_up(&app).await;
        roll_up(&app).await;
        assert_eq!(rolled_day(&app, "2024-05-01").await, (0, 0, 2, 3, 1));
        // The pruned day's sales and users left its month and came back in; its views stayed.
        assert_months_sum_their_days(&app).await;
        assert_eq!(answers(&app, &shop).await, live);
    }
}
