//! Every dashboard figure against the hand-computed shop of `Shop::open`, computed live (no
//! roll-up has run), the UTC day boundaries, and figures kept between requests that still show
//! every change at once.

use serde_json::json;

use super::{dashboard, Shop, PERIOD};
use crate::{
    api_test,
    fixtures::{place_order, Event},
};

api_test! {
    async fn every_figure_matches_the_hand_computed_shop(app: TestApp) {
        let shop = Shop::open(&app).await;
        let body = dashboard(&app, &shop.staff, PERIOD).await;
        assert_eq!(body["from"], "2024-05-01");
        assert_eq!(body["to"], "2024-05-03");
        // 20.00 + 25.00 + 35.00: the cancelled, failed, refunded and earlier orders are out.
        assert_eq!(body["revenue"], "80.00");
        assert_eq!(body["orders"], 3);
        assert_eq!(body["average_order_value"], "26.67");
        assert_eq!(body["new_users"], 2);
        // Ann, Bob and Cy (a search and a login while signed in); Dee only after the period.
        assert_eq!(body["active_users"], 3);
        // 3 orders / 5 sessions with a view (2 + 2 + 1, counted per day).
        assert_eq!(body["conversion_rate"], 0.6);
        assert_eq!(
            body["top_products_by_revenue"],
            json!([
                {"product_id": shop.desk, "title": "Desk", "revenue": "50.00", "units": 2},
                {"product_id": shop.lamp, "title": "Lamp", "revenue": "30.00", "units": 3},
            ])
        );
        // A tie: the lower id (the lamp) first.
        assert_eq!(
            body["top_products_by_views"],
            json!([
                {"product_id": shop.lamp, "title": "Lamp", "views": 3},
                {"product_id": shop.desk, "title": "Desk", "views": 3},
            ])
        );
        assert_eq!(
            body["top_searches"],
            json!([
                {"query": "lamp", "count": 2},
                {"query": "unicorn", "count": 2},
                {"query": "desk", "count": 1},
                {"query": "zebra", "count": 1},
            ])
        );
        assert_eq!(
            body["zero_result_searches"],
            json!([{"query": "unicorn", "count": 2}, {"query": "zebra", "count": 1}])
        );
        assert_eq!(
            body["daily"],
            json!([
                {"date": "2024-05-01", "revenue": "20.00", "orders": 1, "new_users": 1},
                {"date": "2024-05-02", "revenue": "25.00", "orders": 1, "new_users": 1},
                {"date": "2024-05-03", "revenue": "35.00", "orders": 1, "new_users": 0},
            ])
        );
    }

    async fn a_day_ends_at_its_last_microsecond_utc(app: TestApp) {
        let shop = Shop::open(&app).await;
        // 05-02 holds the order and the view at 23:59:59.999999, not those at 00:00 on 05-03.
        let day = dashboard(&app, &shop.staff, "from=2024-05-02&to=2024-05-02").await;
        assert_eq!(day["revenue"], "25.00");
        assert_eq!(day["orders"], 1);
        assert_eq!(day["new_users"], 1);
        assert_eq!(day["conversion_rate"], 0.5);
        assert_eq!(day["daily"].as_array().unwrap().len(), 1);
        let next = dashboard(&app, &shop.staff, "from=2024-05-03&to=2024-05-03").await;
        assert_eq!(next["revenue"], "35.00");
        assert_eq!(next["conversion_rate"], 1.0);
        // The day before the period holds the order a microsecond before it.
        let before = dashboard(&app, &shop.staff, "from=2024-04-30&to=2024-04-30").await;
        assert_eq!(before["revenue"], "25.00");
        assert_eq!(before["top_searches"], json!([{"query": "lamp", "count": 1}]));
    }

    async fn an_empty_period_answers_zeros_for_every_day(app: TestApp) {
        let staff = app.create_staff().await;
        let body = dashboard(&app, &staff, "from=2023-02-27&to=2023-03-02").await;
        assert_eq!(body["revenue"], "0.00");
        assert_eq!(body["average_order_value"], "0.00");
        assert_eq!(body["conversion_rate"], 0.0);
        assert_eq!((body["orders"].clone(), body["active_users"].clone()), (json!(0), json!(0)));
        let dates: Vec<&str> = body["daily"]
            .as_array()
            .unwrap()
            .iter()
            .map(|day| {
                assert_eq!((day["revenue"].as_str(), day["orders"].as_i64()), (Some("0.00"), Some(0)));
                day["date"].as_str().unwrap()
            })
            .collect();
        assert_eq!(dates, ["2023-02-27", "2023-02-28", "2023-03-01", "2023-03-02"]);
        for list in ["top_products_by_revenue", "top_products_by_views", "top_searches"] {
            assert_eq!(body[list], json!([]), "{list}");
        }
    }

    async fn an_event_recorded_now_shows_at_once_without_any_job(app: TestApp) {
        let staff = app.create_staff().await;
        let lamp = app.product().title("Lamp").create().await;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        app.insert_events(&[Event::view(&now, "fresh", lamp)]).await;
        // The default period: the last 30 days, today included.
        let body = dashboard(&app, &staff, "").await;
        assert_eq!(
            body["top_products_by_views"],
            json!([{"product_id": lamp, "title": "Lamp", "views": 1}])
        );
        let daily = body["daily"].as_array().unwrap();
        assert_eq!(daily.len(), 30);
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        assert_eq!(daily.last().unwrap()["date"], today.as_str());
        assert_eq!(body["to"], today.as_str());
    }

    async fn top_lists_stop_at_ten_and_show_current_titles(app: TestApp) {
        let staff = app.create_staff().await;
        let mut events = Vec::new();
        let mut products = Vec::new();
        for n in 0..12 {
            let product = app.product().create().await;
            products.push(product);
            // Product n is viewed n + 1 times; query qNN searched n + 1 times.
            for i in 0..=n {
                let at = format!("2024-06-01T10:{i:02}:00Z");
                events.push(Event::view(&at, "s", product));
                events.push(Event::search(&at, "s", &format!("q{n:02}"), 0));
            }
        }
        app.insert_events(&events).await;
        sqlx::query("UPDATE products SET title = 'Renamed' WHERE id = $1")
            .bind(products[11])
            .execute(&app.db.pool)
            .await
            .unwrap();
        let body = dashboard(&app, &staff, "from=2024-06-01&to=2024-06-01").await;
        let views = body["top_products_by_views"].as_array().unwrap();
        assert_eq!(views.len(), 10);
        assert_eq!(views[0], json!({"product_id": products[11], "title": "Renamed", "views": 12}));
        assert_eq!(views[9]["views"], 3);
        let searches = body["zero_result_searches"].as_array().unwrap();
        assert_eq!(searches.len(), 10);
        assert_eq!(searches[0], json!({"query": "q11", "count": 12}));
        assert_eq!(body["top_searches"], body["zero_result_searches"]);
    }

    async fn kept_figures_still_show_new_rows_renames_and_deletions_at_once(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let lamp = app.product().title("Lamp").create().await;
        let desk = app.product().title("Desk").price_cents(5000).create().await;
        let now = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let views = |body: &serde_json::Value| {
            body["top_products_by_views"]
                .as_array()
                .unwrap()
                .iter()
                .map(|entry| (entry["title"].as_str().unwrap().to_owned(), entry["views"].as_i64().unwrap()))
                .collect::<Vec<_>>()
        };
        app.insert_events(&[Event::view(&now(), "a", lamp), Event::view(&now(), "a", lamp)])
            .await;
        let first = dashboard(&app, &staff, "").await;
        assert_eq!(views(&first), [("Lamp".to_owned(), 2)]);
        assert_eq!(dashboard(&app, &staff, "").await, first, "nothing changed");

        app.insert_events(&vec![Event::view(&now(), "b", desk); 3]).await;
        let viewed = dashboard(&app, &staff, "").await;
        assert_eq!(views(&viewed), [("Desk".to_owned(), 3), ("Lamp".to_owned(), 2)]);

        place_order(&app, &buyer, &[(desk, 1)]).await;
        let ordered = dashboard(&app, &staff, "").await;
        assert_eq!(ordered["revenue"], "50.00");
        assert_eq!(ordered["top_products_by_revenue"][0]["title"], "Desk");

        // Neither a rename nor a deletion adds a row the figures depend on; the titles are read
        // on every request, and a product that is gone drops out of the lists.
        sqlx::query("UPDATE products SET title = 'Desk XL' WHERE id = $1")
            .bind(desk)
            .execute(&app.db.pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM products WHERE id = $1")
            .bind(lamp)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let renamed = dashboard(&app, &staff, "").await;
        assert_eq!(views(&renamed), [("Desk XL".to_owned(), 3)]);
        assert_eq!(renamed["top_products_by_revenue"][0]["title"], "Desk XL");
    }
}
