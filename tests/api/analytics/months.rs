//! The monthly roll-ups: a period of whole months and edge days against hand-computed figures,
//! whole months read from the monthly tables, and a late event or a cancellation in a month
//! already rolled (shown at once, then folded into the month by the next roll-up). Every test
//! checks that each month's rows are the sum of its days' rows.

use serde_json::{json, Value};

use super::{cancel_order_at, dashboard, joined_at, order_at, roll_up};
use crate::{
    api_test,
    fixtures::Event,
    helpers::{TestApp, TestUser},
};

/// Two whole months (February 2024, a leap one, and March) and the edges 20–31 January and 1–10
/// April.
const MONTHS: &str = "from=2024-01-20&to=2024-04-10";

/// A shop with rows in every part of [`MONTHS`] and just outside it (the comments give each
/// row's part in the figures).
struct Months {
    staff: TestUser,
    bob: TestUser,
    dee: TestUser,
    lamp: i64,
    desk: i64,
}

impl Months {
    async fn open(app: &TestApp) -> Months {
        let (ann, bob, cy, dee, eve) = (
            app.create_customer().await,
            app.create_customer().await,
            app.create_customer().await,
            app.create_customer().await,
            app.create_customer().await,
        );
        // New users: Ann on the first day, Bob on the leap day; Dee a microsecond before the
        // period, Cy the day after it. Eve joins today, like the staff member.
        joined_at(app, &ann, "2024-01-20T00:00:00Z").await;
        joined_at(app, &bob, "2024-02-29T10:00:00Z").await;
        joined_at(app, &dee, "2024-01-19T23:59:59.999999Z").await;
        joined_at(app, &cy, "2024-04-11T00:00:00Z").await;
        let staff = app.create_staff().await;
        let product = |title: &'static str, price: i64| async move {
            app.product()
                .title(title)
                .price_cents(price)
                .stock(100)
                .create()
                .await
        };
        let (lamp, desk) = (product("Lamp", 1000).await, product("Desk", 2500).await);
        // Counted, 140.00 in all: 10.00 on the first day, 25.00 on the leap day, 30.00 and 50.00
        // in March (the last at its last microsecond), 25.00 on the last day.
        for (user, items, at) in [
            (&ann, [(lamp, 1)], "2024-01-20T00:00:00Z"),
            (&bob, [(desk, 1)], "2024-02-29T12:00:00Z"),
            (&bob, [(lamp, 3)], "2024-03-15T10:00:00Z"),
            (&cy, [(desk, 2)], "2024-03-31T23:59:59.999999Z"),
            (&ann, [(desk, 1)], "2024-04-10T23:59:59.999999Z"),
            // Outside: a microsecond before, the day after.
            (&ann, [(lamp, 2)], "2024-01-19T23:59:59.999999Z"),
            (&cy, [(lamp, 1)], "2024-04-11T00:00:00Z"),
        ] {
            order_at(app, user, &items, at, "processing", "paid").await;
        }
        // Not counted: cancelled in February.
        order_at(
            app,
            &bob,
            &[(desk, 1)],
            "2024-02-10T09:00:00Z",
            "cancelled",
            "unpaid",
        )
        .await;
        app.insert_events(&[
            // Views: the desk 4 (twice in February, twice in March), the lamp 3; one viewing
            // session a day on six days.
            Event::view("2024-01-20T00:00:00Z", "s1", lamp).by(ann.id),
            Event::view("2024-02-01T00:00:00Z", "s2", desk),
            Event::view("2024-02-29T08:00:00Z", "s3", desk).by(bob.id),
            Event::view("2024-03-15T09:00:00Z", "s4", lamp).by(bob.id),
            Event::view("2024-03-15T09:01:00Z", "s4", desk).by(bob.id),
            Event::view("2024-03-31T23:00:00Z", "s5", desk).by(cy.id),
            Event::view("2024-04-10T22:00:00Z", "s6", lamp),
            // Searches: lamp ×2, unicorn ×2 (nothing found), desk ×1.
            Event::search("2024-01-20T00:01:00Z", "s1", "lamp", 10).by(ann.id),
            Event::search("2024-02-15T10:00:00Z", "s8", "lamp", 10),
            Event::search("2024-03-01T10:00:00Z", "s9", "unicorn", 0),
            Event::search("2024-03-02T10:00:00Z", "s9", "unicorn", 0),
            Event::search("2024-04-01T10:00:00Z", "s10", "desk", 3),
            // Dee's only activity in the period: a login in February.
            Event::new("login", "2024-02-10T08:00:00Z", "s11").by(dee.id),
            // Outside: a view a microsecond before and one the day after, a search and Eve's
            // login the day after.
            Event::view("2024-01-19T23:59:59.999999Z", "s0", lamp),
            Event::view("2024-04-11T00:00:00Z", "s7", lamp),
            Event::search("2024-04-11T00:00:00Z", "s7", "zebra", 0),
            Event::new("login", "2024-04-11T09:00:00Z", "s12").by(eve.id),
        ])
        .await;
        Months {
            staff,
            bob,
            dee,
            lamp,
            desk,
        }
    }

    async fn dashboard(&self, app: &TestApp) -> Value {
        dashboard(app, &self.staff, MONTHS).await
    }
}

/// Every month's rows, and what its days' rows add up to: the two must be equal.
async fn months_and_their_days(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let pairs = [
        (
            "SELECT month || ' views ' || CAST(product_id AS TEXT) || ' ' || CAST(views AS TEXT) \
             FROM analytics_monthly_views ORDER BY month, product_id",
            "SELECT substr(day, 1, 7) || ' views ' || CAST(product_id AS TEXT) || ' ' || \
             CAST(SUM(views) AS TEXT) FROM analytics_daily_views \
             GROUP BY substr(day, 1, 7), product_id ORDER BY substr(day, 1, 7), product_id",
        ),
        (
            "SELECT month || ' sales ' || CAST(product_id AS TEXT) || ' ' || CAST(units AS TEXT) \
             || ' ' || CAST(revenue_cents AS TEXT) FROM analytics_monthly_sales \
             ORDER BY month, product_id",
            "SELECT substr(day, 1, 7) || ' sales ' || CAST(product_id AS TEXT) || ' ' || \
             CAST(SUM(units) AS TEXT) || ' ' || CAST(SUM(revenue_cents) AS TEXT) \
             FROM analytics_daily_sales GROUP BY substr(day, 1, 7), product_id \
             ORDER BY substr(day, 1, 7), product_id",
        ),
        (
            "SELECT month || ' search ' || query || ' ' || CAST(searches AS TEXT) || ' ' || \
             CAST(zero_results AS TEXT) FROM analytics_monthly_searches ORDER BY month, query",
            "SELECT substr(day, 1, 7) || ' search ' || query || ' ' || CAST(SUM(searches) AS TEXT) \
             || ' ' || CAST(SUM(zero_results) AS TEXT) FROM analytics_daily_searches \
             GROUP BY substr(day, 1, 7), query ORDER BY substr(day, 1, 7), query",
        ),
        (
            "SELECT month || ' user ' || CAST(user_id AS TEXT) || ' ' || CAST(days AS TEXT) \
             FROM analytics_monthly_users ORDER BY month, user_id",
            "SELECT substr(day, 1, 7) || ' user ' || CAST(user_id AS TEXT) || ' ' || \
             CAST(COUNT(*) AS TEXT) FROM analytics_daily_users \
             GROUP BY substr(day, 1, 7), user_id ORDER BY substr(day, 1, 7), user_id",
        ),
    ];
    let (mut months, mut days) = (Vec::new(), Vec::new());
    for (month, day) in pairs {
        for (sql, into) in [(month, &mut months), (day, &mut days)] {
            let rows: Vec<String> = sqlx::query_scalar(sql)
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
            into.extend(rows);
        }
    }
    (months, days)
}

/// Panics unless every month's rows are the sum of its days' rows; returns the months' rows.
pub async fn assert_months_sum_their_days(app: &TestApp) -> Vec<String> {
    let (months, days) = months_and_their_days(app).await;
    assert_eq!(months, days, "each month sums its days");
    months
}

/// The views of `month` by product.
async fn monthly_views(app: &TestApp, month: &str) -> Vec<(i64, i64)> {
    sqlx::query_as(
        "SELECT product_id, views FROM analytics_monthly_views WHERE month = $1 \
         ORDER BY product_id",
    )
    .bind(month)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

api_test! {
    async fn whole_months_and_edge_days_give_the_hand_computed_figures(app: TestApp) {
        let shop = Months::open(&app).await;
        let live = shop.dashboard(&app).await;
        assert_eq!((live["from"].clone(), live["to"].clone()), (json!("2024-01-20"), json!("2024-04-10")));
        assert_eq!(live["revenue"], "140.00");
        assert_eq!(live["orders"], 5);
        assert_eq!(live["average_order_value"], "28.00");
        assert_eq!(live["new_users"], 2);
        // Ann, Bob, Cy and Dee (her login); Eve only after the period.
        assert_eq!(live["active_users"], 4);
        // 5 orders / 6 sessions with a view.
        assert_eq!(live["conversion_rate"], 0.8333);
        assert_eq!(
            live["top_products_by_revenue"],
            json!([
                {"product_id": shop.desk, "title": "Desk", "revenue": "100.00", "units": 4},
                {"product_id": shop.lamp, "title": "Lamp", "revenue": "40.00", "units": 4},
            ])
        );
        assert_eq!(
            live["top_products_by_views"],
            json!([
                {"product_id": shop.desk, "title": "Desk", "views": 4},
                {"product_id": shop.lamp, "title": "Lamp", "views": 3},
            ])
        );
        assert_eq!(
            live["top_searches"],
            json!([{"query": "lamp", "count": 2}, {"query": "unicorn", "count": 2}, {"query": "desk", "count": 1}])
        );
        assert_eq!(live["zero_result_searches"], json!([{"query": "unicorn", "count": 2}]));
        let daily = live["daily"].as_array().unwrap();
        assert_eq!(daily.len(), 12 + 29 + 31 + 10);
        assert_eq!(daily[0], json!({"date": "2024-01-20", "revenue": "10.00", "orders": 1, "new_users": 1}));
        assert_eq!(daily[12 + 28], json!({"date": "2024-02-29", "revenue": "25.00", "orders": 1, "new_users": 1}));
        assert_eq!(daily[81], json!({"date": "2024-04-10", "revenue": "25.00", "orders": 1, "new_users": 0}));

        roll_up(&app).await;
        let months = assert_months_sum_their_days(&app).await;
        assert!(months.len() > 10, "{months:?}");
        assert_eq!(monthly_views(&app, "2024-02").await, [(shop.desk, 2)]);
        assert_eq!(monthly_views(&app, "2024-03").await, [(shop.lamp, 1), (shop.desk, 2)]);
        assert_eq!(shop.dashboard(&app).await, live, "the roll-up changes no figure");
        // February and March come from the monthly tables now: a (tampered) monthly figure shows
        // once the rolled figures are read again. They are kept until the roll-up marks move, as
        // only a roll-up writes those tables: here a sign-up past the marks, then a roll-up.
        sqlx::query(
            "UPDATE analytics_monthly_views SET views = 40 WHERE month = '2024-02' AND product_id = $1",
        )
        .bind(shop.desk)
        .execute(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(shop.dashboard(&app).await, live, "kept for this roll-up state");
        app.create_customer().await;
        roll_up(&app).await;
        let read = shop.dashboard(&app).await;
        assert_eq!(read["top_products_by_views"][0], json!({"product_id": shop.desk, "title": "Desk", "views": 42}));
        // A period that cuts February reads its days instead.
        let cut = dashboard(&app, &shop.staff, "from=2024-02-01&to=2024-02-28").await;
        assert_eq!(cut["top_products_by_views"], json!([{"product_id": shop.desk, "title": "Desk", "views": 1}]));
    }

    async fn a_late_event_in_a_rolled_month_shows_at_once_and_is_folded_into_the_month(app: TestApp) {
        let shop = Months::open(&app).await;
        roll_up(&app).await;
        roll_up(&app).await;
        // A view of the lamp and a zero-result search on 14 February arrive after February was rolled.
        app.insert_events(&[
            Event::view("2024-02-14T12:00:00Z", "late", shop.lamp).by(shop.bob.id),
            Event::search("2024-02-14T12:01:00Z", "late", "zebra", 0),
        ])
        .await;
        let live = shop.dashboard(&app).await;
        assert_eq!(
            live["top_products_by_views"],
            json!([
                {"product_id": shop.lamp, "title": "Lamp", "views": 4},
                {"product_id": shop.desk, "title": "Desk", "views": 4},
            ])
        );
        // 5 orders / 7 viewing sessions.
        assert_eq!(live["conversion_rate"], 0.7143);
        assert_eq!(live["zero_result_searches"], json!([{"query": "unicorn", "count": 2}, {"query": "zebra", "count": 1}]));
        assert_eq!(monthly_views(&app, "2024-02").await, [(shop.desk, 2)], "not rolled yet");
        roll_up(&app).await;
        assert_eq!(monthly_views(&app, "2024-02").await, [(shop.lamp, 1), (shop.desk, 2)]);
        assert_months_sum_their_days(&app).await;
        assert_eq!(shop.dashboard(&app).await, live);
    }

    async fn a_cancelled_order_in_a_rolled_month_leaves_at_once_and_its_month_is_rolled_again(app: TestApp) {
        let shop = Months::open(&app).await;
        roll_up(&app).await;
        roll_up(&app).await;
        // Bob cancels his paid order of 15 March (3 lamps, 30.00) today: it is refunded.
        cancel_order_at(&app, &shop.bob, "2024-03-15T10:00:00Z").await;
        let live = shop.dashboard(&app).await;
        assert_eq!(live["revenue"], "110.00");
        assert_eq!(live["orders"], 4);
        assert_eq!(
            live["top_products_by_revenue"],
            json!([
                {"product_id": shop.desk, "title": "Desk", "revenue": "100.00", "units": 4},
                {"product_id": shop.lamp, "title": "Lamp", "revenue": "10.00", "units": 1},
            ])
        );
        // Placing an order is activity whatever became of it: still four active users.
        assert_eq!(live["active_users"], 4);
        roll_up(&app).await;
        let march: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT product_id, units, revenue_cents FROM analytics_monthly_sales \
             WHERE month = '2024-03' ORDER BY product_id",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(march, [(shop.desk, 2, 5000)], "the lamps are out of March");
        assert_months_sum_their_days(&app).await;
        assert_eq!(shop.dashboard(&app).await, live);
    }

    async fn deleting_a_user_deletes_their_monthly_rows_too(app: TestApp) {
        let shop = Months::open(&app).await;
        roll_up(&app).await;
        let dee_rows = "SELECT COUNT(*) FROM analytics_monthly_users WHERE user_id = $1";
        let count = |sql: &'static str| {
            sqlx::query_scalar::<_, i64>(sql).bind(shop.dee.id).fetch_one(&app.db.pool)
        };
        assert_eq!(count(dee_rows).await.unwrap(), 1, "her February login");
        assert_eq!(shop.dashboard(&app).await["active_users"], 4, "Dee among them");
        // Dee placed no order, so her account can go (orders keep their customer).
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(shop.dee.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(count(dee_rows).await.unwrap(), 0);
        assert_months_sum_their_days(&app).await;
        assert_eq!(shop.dashboard(&app).await["active_users"], 3);
    }
}
