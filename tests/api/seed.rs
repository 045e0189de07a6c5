//! `nexus seed --demo`, run as the built binary against each test's fresh database (SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set): counts, invariants, determinism, search.

use std::process::{Command, Output};

use serde_json::json;

use crate::{api_test, catalog::titles, helpers::TestApp};

const SMALL: &[&str] = &[
    "--products",
    "40",
    "--users",
    "12",
    "--reviews",
    "80",
    "--orders",
    "20",
];

fn seed(app: &TestApp, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("seed")
        .args(args)
        .current_dir(dir.path())
        .env("DATABASE_URL", &app.database_url)
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn seeded(app: &TestApp, extra: &[&str]) -> Output {
    let args: Vec<&str> = ["--demo"]
        .iter()
        .chain(SMALL)
        .chain(extra)
        .copied()
        .collect();
    let output = seed(app, &args);
    assert!(output.status.success(), "{}", text(&output));
    output
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Title, price and stock of every product, in slug order.
async fn catalogue(app: &TestApp) -> Vec<(String, i64, i64)> {
    sqlx::query_as("SELECT title, price_cents, stock_quantity FROM products ORDER BY slug")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

api_test! {
    async fn a_demo_seed_leaves_thirty_days_of_analytics_events(app: TestApp) {
        let output = seeded(&app, &["--events", "600"]);
        assert!(text(&output).contains("600 analytics events"), "{}", text(&output));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM analytics_events").await, 600);
        let month_ago = nexus::db::now_micros() - 30 * 86_400_000_000;
        let older = format!("SELECT COUNT(*) FROM analytics_events WHERE occurred_at < {month_ago}");
        assert_eq!(count(&app, &older).await, 0, "all within the last 30 days");
        for kind in ["product_view", "search", "login"] {
            let sql = format!("SELECT COUNT(*) FROM analytics_events WHERE kind = '{kind}'");
            assert!(count(&app, &sql).await > 0, "{kind}");
        }
        let zero = "SELECT COUNT(*) FROM analytics_events WHERE kind = 'search' AND result_count = 0";
        assert!(count(&app, zero).await > 0, "some zero-result searches");
        let dangling = "SELECT COUNT(*) FROM analytics_events e WHERE e.product_id IS NOT NULL \
                        AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = e.product_id)";
        assert_eq!(count(&app, dangling).await, 0, "views of seeded products");
    }

    async fn event_days_spread_the_events_over_that_many_days(app: TestApp) {
        let output = seeded(&app, &["--events", "1500", "--event-days", "365"]);
        assert!(text(&output).contains("1500 analytics events"), "{}", text(&output));
        let day = 86_400_000_000;
        let now = nexus::db::now_micros();
        let between = |from: i64, to: i64| {
            format!(
                "SELECT COUNT(*) FROM analytics_events WHERE occurred_at >= {} AND occurred_at < {}",
                now - from * day,
                now - to * day
            )
        };
        assert_eq!(count(&app, &between(365, -1)).await, 1500, "all within the last 365 days");
        assert!(count(&app, &between(365, 300)).await > 100, "the oldest months have events");
        for bad in ["0", "3651", "x"] {
            let output = seed(&app, &["--demo", "--event-days", bad]);
            assert!(!output.status.success(), "--event-days {bad}");
            assert!(text(&output).contains("--event-days"), "{}", text(&output));
        }
    }

    async fn seeds_the_asked_counts_and_a_three_level_category_tree(app: TestApp) {
        let output = seeded(&app, &[]);
        assert!(
            text(&output).contains("Seeded 60 categories, 50 brands, 40 products"),
            "{}",
            text(&output)
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM categories").await, 60);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM categories WHERE parent_id IS NULL"
            )
            .await,
            6
        );
        // Leaves: their parent has a parent, which has none (three levels, no deeper).
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM categories c JOIN categories p ON p.id = c.parent_id \
                                WHERE p.parent_id IS NOT NULL"
            )
            .await,
            36
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM brands").await, 50);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM products").await, 40);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM products WHERE price_cents < 100 OR price_cents > 200000"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM products WHERE stock_quantity < 0 OR stock_quantity > 500"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM users WHERE username LIKE 'demo.%' AND role = 'customer'"
            )
            .await,
            12
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM reviews").await, 80);
        let orders = count(&app, "SELECT COUNT(*) FROM orders").await;
        assert!((1..=20).contains(&orders), "{orders}");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS \
                                (SELECT 1 FROM order_items i WHERE i.order_id = o.id)"
            )
            .await,
            0
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM orders o WHERE total_cents != \
                                (SELECT SUM(quantity * unit_price_cents) FROM order_items i \
                                WHERE i.order_id = o.id)").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS \
                                (SELECT 1 FROM order_status_history h \
                                WHERE h.order_id = o.id AND h.status = o.status)").await, 0);
        // The list endpoint shows them.
        assert!(app.get("products/").await.body["count"].as_i64().unwrap() > 30);
    }

    async fn stock_is_the_sum_of_movements_and_ratings_match_the_visible_reviews(app: TestApp) {
        seeded(&app, &["--seed", "3"]);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM products p WHERE stock_quantity != \
                                (SELECT COALESCE(SUM(delta), 0) FROM stock_movements m \
                                WHERE m.product_id = p.id)").await, 0);
        assert!(
            count(
                &app,
                "SELECT COUNT(*) FROM stock_movements WHERE reason = 'order'"
            )
            .await
                > 0
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM products p WHERE reviews_count != \
                                (SELECT COUNT(*) FROM reviews r \
                                WHERE r.product_id = p.id AND r.is_hidden = FALSE)").await, 0);
        let ratings: Vec<(i64, f64)> = sqlx::query_as("SELECT id, average_rating FROM products")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        for (id, average) in ratings {
            let visible: Vec<i64> = sqlx::query_scalar(
                "SELECT rating FROM reviews WHERE product_id = $1 AND is_hidden = FALSE",
            )
            .bind(id)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
            let expected = if visible.is_empty() {
                0.0
            } else {
                visible.iter().sum::<i64>() as f64 / visible.len() as f64
            };
            assert!(
                (average - expected).abs() < 1e-9,
                "product {id}: {average} != {expected}"
            );
        }
        // Skewed positive: more 4–5 star reviews than 1–2.
        assert!(
            count(&app, "SELECT COUNT(*) FROM reviews WHERE rating >= 4").await
                > count(&app, "SELECT COUNT(*) FROM reviews WHERE rating <= 2").await
        );
    }

    async fn the_same_seed_gives_the_same_catalogue(app: TestApp) {
        seeded(&app, &["--seed", "11"]);
        let twin = TestApp::spawn(app.backend).await.unwrap();
        seeded(&twin, &["--seed", "11"]);
        let first = catalogue(&app).await;
        assert_eq!(first.len(), 40);
        assert_eq!(first, catalogue(&twin).await);
        let other = TestApp::spawn(app.backend).await.unwrap();
        seeded(&other, &["--seed", "12"]);
        assert_ne!(first, catalogue(&other).await);
    }

    async fn seeded_products_are_found_by_search_and_demo_users_can_sign_in(app: TestApp) {
        seeded(&app, &[]);
        let (title, description): (String, String) = sqlx::query_as(
            "SELECT title, description FROM products \
             WHERE is_active = TRUE AND title NOT LIKE '%-%' ORDER BY id LIMIT 1",
        )
        .fetch_one(&app.db.pool).await.unwrap();
        let query: String = form_urlencoded::byte_serialize(title.as_bytes()).collect();
        let found = titles(&app.get(&format!("products/?search={query}")).await.body);
        assert!(found.contains(&title), "{title:?} not in {found:?}");
        // search_text: the category name is searchable too.
        let category: String = sqlx::query_scalar(
            "SELECT c.name FROM products p JOIN categories c ON c.id = p.category_id \
             WHERE p.is_active = TRUE AND c.name NOT LIKE '%-%' AND c.name NOT LIKE '%''%' \
             ORDER BY p.id LIMIT 1",
        )
        .fetch_one(&app.db.pool).await.unwrap();
        let query: String = form_urlencoded::byte_serialize(category.as_bytes()).collect();
        assert!(
            app.get(&format!("products/?search={query}")).await.body["count"]
                .as_i64()
                .unwrap()
                > 0
        );
        assert!(!description.is_empty());

        let email: String = sqlx::query_scalar(
            "SELECT email FROM users WHERE username LIKE 'demo.%' ORDER BY id LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let login = app
            .post(
                "auth/login/",
                &json!({"email": email, "password": nexus::seed::DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(login.status, 200, "{}", login.text);
    }

    async fn refuses_a_database_that_has_products_and_needs_demo(app: TestApp) {
        let output = seed(&app, &["--products", "5"]);
        assert!(!output.status.success());
        assert!(text(&output).contains("--demo"), "{}", text(&output));
        seeded(&app, &[]);
        let again = seed(&app, &["--demo", "--products", "5"]);
        assert!(!again.status.success());
        assert!(
            text(&again).contains("already has 40 products"),
            "{}",
            text(&again)
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM products").await, 40);

        // A catalogue without products (categories or brands only) is not fresh either.
        let taxonomy_only = TestApp::spawn(app.backend).await.unwrap();
        let output = seed(
            &taxonomy_only,
            &["--demo", "--products", "0", "--users", "0"],
        );
        assert!(output.status.success(), "{}", text(&output));
        let again = seed(&taxonomy_only, &["--demo", "--products", "5"]);
        assert!(!again.status.success());
        assert!(
            text(&again).contains("already has categories or brands"),
            "{}",
            text(&again)
        );
    }
}

api_test! {
    async fn a_demo_seed_gives_a_living_marketplace_that_keeps_its_invariants(app: TestApp) {
        let output = seed(
            &app,
            &[
                "--demo", "--products", "20", "--users", "30", "--reviews", "10", "--orders", "5",
                "--providers", "8", "--services", "20", "--requests", "25",
            ],
        );
        assert!(output.status.success(), "{}", text(&output));
        assert!(
            text(&output).contains("Marketplace: 8 providers, 20 services, 25 requests"),
            "{}",
            text(&output)
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM providers").await, 8);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM services").await, 20);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM service_requests").await, 25);
        assert!(count(&app, "SELECT COUNT(*) FROM service_categories").await > 0);
        assert!(count(&app, "SELECT COUNT(*) FROM contracts").await > 0);
        assert!(count(&app, "SELECT COUNT(*) FROM proposals").await > 0);
        // An awarded or closed request has exactly one accepted proposal and one contract;
        // no other request has either.
        let awarded = "r.status IN ('awarded', 'closed')";
        let accepted = "(SELECT COUNT(*) FROM proposals p WHERE p.request_id = r.id \
                        AND p.status = 'accepted')";
        let contracts = "(SELECT COUNT(*) FROM contracts c WHERE c.request_id = r.id)";
        for (bad, what) in [
            (format!("{awarded} AND ({accepted} != 1 OR {contracts} != 1)"), "awarded"),
            (format!("NOT ({awarded}) AND ({accepted} + {contracts}) > 0"), "not awarded"),
        ] {
            let sql = format!("SELECT COUNT(*) FROM service_requests r WHERE {bad}");
            assert_eq!(count(&app, &sql).await, 0, "{what}");
        }
        // Counters equal what they count.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM services s WHERE likes_count != \
                                (SELECT COUNT(*) FROM service_likes l WHERE l.service_id = s.id)").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM service_requests r WHERE proposals_count != \
                                (SELECT COUNT(*) FROM proposals p WHERE p.request_id = r.id)").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM providers v WHERE reviews_count != \
                                (SELECT COUNT(*) FROM service_comments c JOIN services s \
                                 ON s.id = c.service_id WHERE s.provider_id = v.id)").await, 0);
        // Comments only on completed contracts; history ends at the contract's status.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM service_comments m JOIN contracts c \
                                ON c.id = m.contract_id WHERE c.status != 'completed'").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM contracts c WHERE c.status != \
                                (SELECT h.status FROM contract_status_history h \
                                 WHERE h.contract_id = c.id ORDER BY h.id DESC LIMIT 1)").await, 0);
        // No provider has overlapping confirmed appointments.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM appointments a JOIN appointments b \
                                ON a.provider_id = b.provider_id AND a.id < b.id \
                                AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
                                WHERE a.status = 'confirmed' AND b.status = 'confirmed'").await, 0);
        // Every service's search text names its provider.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM services s JOIN providers p \
                                ON p.id = s.provider_id \
                                WHERE s.search_text NOT LIKE '%' || p.display_name || '%'").await, 0);
    }
}
