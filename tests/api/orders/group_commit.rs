//! Group commit (`db::group_commit`, docs/orders.md "How checkout commits"): checkouts racing over
//! real HTTP share write transactions, and each still succeeds or fails on its own; the combiner's
//! rules (a failing unit alone undone, a failed commit re-run unit by unit) on both engines.

use std::collections::BTreeSet;

use futures_util::future::{join_all, BoxFuture};
use serde_json::json;
use sqlx::AnyConnection;

use crate::fixtures::*;
use crate::{
    api_test,
    helpers::{Backend, TestApp},
};
use nexus::db::Done;

/// Races one checkout per buyer (`items` as given) and answers each buyer's status and body.
async fn race_checkouts(
    app: &TestApp,
    orders: Vec<(String, serde_json::Value)>,
) -> Vec<(u16, serde_json::Value)> {
    let url = format!("{}/api/v1/orders/", app.address);
    let tasks: Vec<_> = orders
        .into_iter()
        .map(|(token, body)| {
            tokio::spawn(race_post(
                app.client.clone(),
                url.clone(),
                token,
                body,
                None,
            ))
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        answers.push((status.as_u16(), body));
    }
    answers
}

/// A unit for the combiner: inserts `n` into `gc_probe` (NULL fails the statement) and keeps it.
fn probe(
    n: Option<i64>,
) -> impl FnMut(&mut AnyConnection) -> BoxFuture<'_, Result<Done<i64>, sqlx::Error>> + Send + 'static
{
    move |conn| {
        Box::pin(async move {
            sqlx::query("INSERT INTO gc_probe (n) VALUES ($1)")
                .bind(n)
                .execute(&mut *conn)
                .await?;
            Ok(Done::Keep(n.unwrap_or_default()))
        })
    }
}

async fn probe_values(app: &TestApp) -> BTreeSet<i64> {
    sqlx::query_scalar::<_, i64>("SELECT n FROM gc_probe")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

// Off by default on PostgreSQL (docs/orders.md): these tests turn it on for both engines.
api_test! {
    settings = [("GROUP_COMMIT", "true")];

    async fn a_lone_checkout_runs_at_once_in_a_transaction_of_its_own(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(250).stock(3).create().await;
        let before = app.state().writes.stats().batches();
        let started = std::time::Instant::now();
        let response = app
            .post_as("orders/", &user.token, &json!({"items": [{"product_id": product, "quantity": 2}]}))
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        // Nothing waits for company: a lone order is not held back to fill a batch.
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let stats = app.state().writes.stats();
        assert_eq!(stats.batches() - before, 1, "one transaction for the one order");
        assert_eq!(stats.largest_batch(), 1);
        assert_stock(&app, product, 1).await;
    }

    async fn short_orders_in_a_batch_fail_alone_and_the_others_commit(app: TestApp) {
        // 3 units of `scarce` for 12 buyers, and `plenty` for 12 more: every batch mixes orders
        // that must fail with orders that must commit.
        let scarce = app.product().price_cents(999).stock(3).create().await;
        let plenty = app.product().price_cents(100).stock(1000).create().await;
        let mut buyers = Vec::new();
        for _ in 0..24 {
            buyers.push(app.create_customer().await);
        }
        let orders = buyers
            .iter()
            .enumerate()
            .map(|(i, buyer)| {
                let product = if i % 2 == 0 { scarce } else { plenty };
                (buyer.token.clone(), json!({"items": [{"product_id": product, "quantity": 1}]}))
            })
            .collect();
        let answers = race_checkouts(&app, orders).await;
        let mut placed = BTreeSet::new();
        let (mut scarce_sold, mut short) = (0, 0);
        for (i, (status, body)) in answers.iter().enumerate() {
            match (i % 2, *status) {
                (0, 201) => {
                    scarce_sold += 1;
                    placed.insert(body["id"].as_i64().unwrap());
                }
                (0, 409) => {
                    assert_eq!(body["code"], "insufficient_stock", "{body}");
                    assert_eq!(body["items"][0]["product_id"], scarce);
                    short += 1;
                }
                (1, 201) => {
                    placed.insert(body["id"].as_i64().unwrap());
                }
                (_, status) => panic!("buyer {i}: unexpected {status}: {body}"),
            }
        }
        assert_eq!((scarce_sold, short), (3, 9));
        // Exactly the answered orders exist, with one line each.
        let stored: BTreeSet<i64> = sqlx::query_scalar::<_, i64>("SELECT id FROM orders")
            .fetch_all(&app.db.pool).await.unwrap().into_iter().collect();
        assert_eq!(stored, placed);
        assert_eq!(count_rows(&app, "order_items").await, 15);
        // Books balanced: stock = Σ movements for both products.
        assert_stock(&app, scarce, 0).await;
        assert_stock(&app, plenty, 988).await;
        eprintln!("group commit on {:?}: {} transactions for {} orders, largest {}",
            app.backend, app.state().writes.stats().batches(),
            app.state().writes.stats().units(), app.state().writes.stats().largest_batch());
    }

    async fn cart_adds_ride_in_the_shared_transactions_on_sqlite_only(app: TestApp) {
        let product = app.product().price_cents(100).stock(1000).create().await;
        let mut adds = Vec::new();
        for _ in 0..16 {
            let buyer = app.create_customer().await;
            adds.push((buyer.token, json!({"product_id": product, "quantity": 2})));
        }
        let before = app.state().writes.stats().units();
        let url = format!("{}/api/v1/cart/add/", app.address);
        let tasks: Vec<_> = adds
            .into_iter()
            .map(|(token, body)| tokio::spawn(race_post(app.client.clone(), url.clone(), token, body, None)))
            .collect();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 201, "{body}");
        }
        let quantities: i64 = sqlx::query_scalar(
            "SELECT CAST(SUM(quantity) AS BIGINT) FROM cart_items WHERE product_id = $1")
            .bind(product).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(quantities, 32);
        // SQLite's adds would each pay a commit on the one writer; PostgreSQL's run beside it.
        let through_the_combiner = app.state().writes.stats().units() - before;
        match app.backend {
            Backend::Sqlite => assert_eq!(through_the_combiner, 16),
            Backend::Postgres => assert_eq!(through_the_combiner, 0),
        }
    }

    async fn units_waiting_together_share_a_transaction_and_fail_alone(app: TestApp) {
        sqlx::query("CREATE TABLE gc_probe (n BIGINT NOT NULL)")
            .execute(&app.db.pool).await.unwrap();
        let writes = app.state().writes.clone();
        // Every third unit breaks NOT NULL: on PostgreSQL that would abort a shared transaction
        // without the unit's savepoint.
        let units = (0..48).map(|i| {
            let writes = writes.clone();
            async move { writes.run(probe((i % 3 != 0).then_some(i))).await }
        });
        let outcomes = join_all(units).await;
        for (i, outcome) in outcomes.iter().enumerate() {
            match outcome {
                Ok(n) => assert!(i % 3 != 0 && *n == i as i64, "unit {i}: {outcome:?}"),
                Err(sqlx::Error::Database(_)) => assert_eq!(i % 3, 0, "unit {i} failed"),
                Err(other) => panic!("unit {i}: {other}"),
            }
        }
        let expected: BTreeSet<i64> = (0..48).filter(|i| i % 3 != 0).collect();
        assert_eq!(probe_values(&app).await, expected);
        assert!(
            writes.stats().largest_batch() > 1,
            "48 units queued at once share transactions (largest batch {})",
            writes.stats().largest_batch()
        );
    }

    async fn a_batch_that_cannot_commit_is_run_again_unit_by_unit(app: TestApp) {
        // A deferred foreign key fails at COMMIT, not at the statement: the shared transaction
        // fails as a whole, and only the unit that broke it may answer an error.
        for statement in [
            "CREATE TABLE gc_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE gc_probe (n BIGINT NOT NULL, \
             parent_id INTEGER REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED)",
            "INSERT INTO gc_parent (id) VALUES (1)",
        ] {
            sqlx::query(statement).execute(&app.db.pool).await.unwrap();
        }
        let writes = app.state().writes.clone();
        let units = (0..32i64).map(|i| {
            let writes = writes.clone();
            let parent = if i == 7 { 99 } else { 1 };
            async move {
                writes.run(move |conn: &mut AnyConnection| -> BoxFuture<'_, Result<Done<i64>, sqlx::Error>> {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO gc_probe (n, parent_id) VALUES ($1, $2)")
                            .bind(i).bind(parent).execute(&mut *conn).await?;
                        Ok(Done::Keep(i))
                    })
                }).await
            }
        });
        let outcomes = join_all(units).await;
        for (i, outcome) in outcomes.iter().enumerate() {
            assert_eq!(outcome.is_ok(), i != 7, "unit {i}: {outcome:?}");
        }
        let expected: BTreeSet<i64> = (0..32).filter(|&i| i != 7).collect();
        assert_eq!(probe_values(&app).await, expected);
    }

    async fn a_replay_sharing_a_transaction_with_cart_adds_places_no_second_order(app: TestApp) {
        // On SQLite cart adds ride in the checkouts' transactions: a replay whose key the
        // database already holds must leave nothing behind when the adds beside it commit.
        let product = app.product().price_cents(100).stock(10_000).create().await;
        let buyer = app.create_customer().await;
        let body = json!({"items": [{"product_id": product, "quantity": 1}]});
        let first = post_with_key(&app, "orders/", &buyer.token, "once", &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let mut adders = Vec::new();
        for _ in 0..12 {
            adders.push(app.create_customer().await.token);
        }
        let orders_url = format!("{}/api/v1/orders/", app.address);
        let add_url = format!("{}/api/v1/cart/add/", app.address);
        for _ in 0..5 {
            let mut tasks = Vec::new();
            for token in &adders {
                let add = json!({"product_id": product, "quantity": 1});
                tasks.push(tokio::spawn(race_post(app.client.clone(), add_url.clone(), token.clone(), add, None)));
            }
            tasks.push(tokio::spawn(race_post(app.client.clone(), orders_url.clone(), buyer.token.clone(), body.clone(), Some("once".into()))));
            let replay = tasks.pop().unwrap();
            for task in tasks {
                let (status, body) = task.await.unwrap();
                assert_eq!(status, 201, "{body}");
            }
            let (status, order) = replay.await.unwrap();
            assert_eq!(status, 201, "{order}");
            assert_eq!(order["id"], first.body["id"], "the replay answers the first order");
        }
        assert_eq!(count_rows(&app, "orders").await, 1);
        assert_stock(&app, product, 10_000 - 1).await;
    }

    async fn a_batch_of_every_kind_of_checkout_answers_each_as_if_it_ran_alone(app: TestApp) {
        // A batch is written set-wise (one statement per table), yet each order must get the
        // answer it would get alone. 41 checkouts at once, so lanes take many per transaction.
        let plenty = app.product().price_cents(100).stock(1000).create().await;
        let scarce = app.product().price_cents(500).stock(3).create().await;
        let hidden = app.product().price_cents(100).stock(10).inactive().create().await;
        let one_of = |product: i64| json!({"items": [{"product_id": product, "quantity": 1}]});
        // (kind, token, body, key)
        let mut requests: Vec<(&str, String, serde_json::Value, Option<String>)> = Vec::new();
        for _ in 0..12 {
            let buyer = app.create_customer().await;
            let added = app
                .post_as("cart/add/", &buyer.token, &json!({"product_id": plenty, "quantity": 2}))
                .await;
            assert_eq!(added.status, 201, "{}", added.text);
            requests.push(("cart", buyer.token, json!({}), None));
        }
        for _ in 0..10 {
            requests.push(("scarce", app.create_customer().await.token, one_of(scarce), None));
        }
        for _ in 0..4 {
            requests.push(("hidden", app.create_customer().await.token, one_of(hidden), None));
            requests.push(("empty cart", app.create_customer().await.token, json!({}), None));
        }
        // One customer checks out one cart twice at once: one order, one empty cart.
        let twice = app.create_customer().await;
        app.post_as("cart/add/", &twice.token, &json!({"product_id": plenty, "quantity": 1}))
            .await;
        for _ in 0..2 {
            requests.push(("twice", twice.token.clone(), json!({}), None));
        }
        // Three customers each send one key three times at once: one order each.
        for i in 0..3 {
            let buyer = app.create_customer().await;
            for _ in 0..3 {
                requests.push(("replay", buyer.token.clone(), one_of(plenty), Some(format!("k{i}"))));
            }
        }
        // Two customers replay, twice each, an order placed before: its key is in the database.
        let mut earlier = Vec::new();
        for i in 0..2 {
            let buyer = app.create_customer().await;
            let key = format!("earlier-{i}");
            let first = post_with_key(&app, "orders/", &buyer.token, &key, &one_of(plenty)).await;
            assert_eq!(first.status, 201, "{}", first.text);
            earlier.push(first.body["id"].as_i64().unwrap());
            for _ in 0..2 {
                requests.push(("earlier", buyer.token.clone(), one_of(plenty), Some(key.clone())));
            }
        }

        let url = format!("{}/api/v1/orders/", app.address);
        let tasks: Vec<_> = requests
            .iter()
            .map(|(_, token, body, key)| {
                tokio::spawn(race_post(app.client.clone(), url.clone(), token.clone(), body.clone(), key.clone()))
            })
            .collect();
        let mut answers: std::collections::BTreeMap<&str, Vec<(u16, serde_json::Value)>> =
            Default::default();
        for ((kind, ..), task) in requests.iter().zip(tasks) {
            let (status, body) = task.await.unwrap();
            answers.entry(kind).or_default().push((status.as_u16(), body));
        }
        let statuses = |kind: &str| -> Vec<u16> {
            let mut statuses: Vec<u16> = answers[kind].iter().map(|(status, _)| *status).collect();
            statuses.sort_unstable();
            statuses
        };
        assert_eq!(statuses("cart"), vec![201; 12], "{:?}", answers["cart"]);
        for (_, order) in &answers["cart"] {
            assert_eq!(order["items"][0]["quantity"], 2, "{order}");
        }
        assert_eq!(statuses("scarce"), [vec![201; 3], vec![409; 7]].concat());
        for (status, body) in &answers["scarce"] {
            if *status == 409 {
                assert_eq!(body["items"], json!([{"product_id": scarce, "available": 0}]), "{body}");
            }
        }
        assert_eq!(statuses("hidden"), vec![400; 4], "{:?}", answers["hidden"]);
        assert_eq!(statuses("empty cart"), vec![400; 4], "{:?}", answers["empty cart"]);
        assert_eq!(statuses("twice"), vec![201, 400], "{:?}", answers["twice"]);
        assert_eq!(statuses("replay"), vec![201; 9], "{:?}", answers["replay"]);
        let replayed: BTreeSet<i64> =
            answers["replay"].iter().map(|(_, order)| order["id"].as_i64().unwrap()).collect();
        assert_eq!(replayed.len(), 3, "one order per key");
        for (i, (status, order)) in answers["earlier"].iter().enumerate() {
            assert_eq!(*status, 201, "{order}");
            assert_eq!(order["id"].as_i64(), Some(earlier[i / 2]), "the earlier order replayed");
        }

        // Exactly the answered orders exist, each with its line, its first history row, its
        // notification and its confirmation email; the books balance; the carts ordered are
        // empty.
        let placed = 12 + 3 + 1 + 3 + 2;
        for table in ["orders", "order_items", "order_status_history"] {
            assert_eq!(count_rows(&app, table).await, placed, "{table}");
        }
        let notices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE type = 'order'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(notices, placed);
        let emails: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND payload LIKE '%order_confirmation%'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(emails, placed);
        assert_stock(&app, plenty, 1000 - 24 - 1 - 3 - 2).await;
        assert_stock(&app, scarce, 0).await;
        assert_stock(&app, hidden, 10).await;
        assert_eq!(count_rows(&app, "cart_items").await, 0);
        assert!(
            app.state().writes.stats().largest_batch() > 1,
            "41 checkouts at once share transactions"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_group_commit_off_racing_buyers_still_buy_exactly_the_stock() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("GROUP_COMMIT", "false")])
        .await
        .unwrap();
    let product = app.product().price_cents(999).stock(4).create().await;
    let mut orders = Vec::new();
    for _ in 0..12 {
        let buyer = app.create_customer().await;
        orders.push((
            buyer.token,
            json!({"items": [{"product_id": product, "quantity": 1}]}),
        ));
    }
    let answers = race_checkouts(&app, orders).await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 4, "{answers:?}");
    assert_stock(&app, product, 0).await;
    assert_eq!(
        app.state().writes.stats().batches(),
        0,
        "no lane ran: each order had its own transaction"
    );
}
