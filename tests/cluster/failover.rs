//! An instance killed mid-traffic: no lost GET through nginx, no lost or doubled order.

use std::{
    process::Command,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use reqwest::Method;
use serde_json::json;

use crate::support::{call, client, try_call, Cluster};

/// What the load loops saw.
#[derive(Default)]
struct Tally {
    ok: usize,
    failures: Vec<String>,
}

pub async fn killing_an_instance_mid_traffic_loses_no_get_and_no_order(cluster: &Cluster) {
    let token = cluster.staff_token().await;
    const STOCK: i64 = 100_000;
    let product = cluster.create_product(&token, "Cluster Mug", STOCK).await;
    let nginx = cluster.nginx();

    // Customers register through nginx, each from its own address (registration: 3/hour per IP).
    let mut customers = Vec::new();
    for n in 0..4u8 {
        let answer = call(
            &client(100 + n),
            Method::POST,
            &format!("{nginx}/api/v1/auth/users/"),
            None,
            Some(
                &json!({"email": format!("buyer{n}@cluster.test"), "username": format!("buyer{n}"),
                "password": "Sturdy-Buyer-Passphrase-7"}),
            ),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        customers.push((
            n,
            answer.body["user"]["id"].as_i64().unwrap(),
            answer.body["access"].as_str().unwrap().to_owned(),
        ));
    }

    let stop = Arc::new(AtomicBool::new(false));
    // Readers: anonymous (cached) and authenticated (uncached, so they are in flight longer)
    // GETs, each reader from its own address, at about nginx's per-IP rate.
    let mut readers = Vec::new();
    for n in 0..6u8 {
        let (stop, nginx) = (stop.clone(), nginx.clone());
        let token = customers[usize::from(n) % customers.len()].2.clone();
        readers.push(tokio::spawn(async move {
            let client = client(200 + n);
            let mut tally = Tally::default();
            let urls = [
                format!("{nginx}/api/v1/products/{product}/"),
                format!("{nginx}/api/v1/products/?page_size=5"),
                format!("{nginx}/api/v1/orders/"),
            ];
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let token = (i % 3 == 2).then_some(token.as_str());
                match try_call(&client, Method::GET, &urls[i % 3], token, None, &[]).await {
                    Ok(a) if a.status.is_success() => tally.ok += 1,
                    Ok(a) => tally.failures.push(format!("{} {}", a.status, a.body)),
                    Err(e) => tally.failures.push(e.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tally
        }));
    }
    let mut buyers = Vec::new();
    for (n, user_id, token) in customers {
        let (stop, nginx) = (stop.clone(), nginx.clone());
        buyers.push(tokio::spawn(async move {
            let client = client(100 + n);
            let body = json!({"items": [{"product_id": product, "quantity": 1}]});
            // (key, order id) of every order that answered 2xx, and how many attempts were retried.
            let (mut placed, mut retries, mut failures) = (Vec::new(), 0usize, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let key = uuid::Uuid::new_v4().to_string();
                let mut outcome = None;
                for _attempt in 0..50 {
                    match try_call(
                        &client,
                        Method::POST,
                        &format!("{nginx}/api/v1/orders/"),
                        Some(&token),
                        Some(&body),
                        &[("Idempotency-Key", &key)],
                    )
                    .await
                    {
                        Ok(a) if a.status.is_success() => {
                            outcome = Some(a.body["id"].as_i64().unwrap());
                            break;
                        }
                        // The instance died with the request (502/503 from nginx), or a replay
                        // raced the first attempt: retry with the same key.
                        Ok(a)
                            if [502, 503, 504].contains(&a.status.as_u16())
                                || a.body["code"] == "idempotency_in_progress" =>
                        {
                            retries += 1
                        }
                        Ok(a) => {
                            failures.push(format!("{} {}", a.status, a.body));
                            break;
                        }
                        Err(_) => retries += 1,
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                match outcome {
                    Some(id) => placed.push((key, id)),
                    None => failures.push(format!("key {key} never succeeded")),
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (user_id, placed, retries, failures)
        }));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = Command::new("kill")
        .args(["-KILL", cluster.get("A_PID")])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -KILL instance A");
    // Past nginx's fail_timeout (5 s), so it also sends live traffic to the dead instance again.
    tokio::time::sleep(Duration::from_millis(6000)).await;
    stop.store(true, Ordering::Relaxed);

    let mut reads = Tally::default();
    for reader in readers {
        let tally = reader.await.unwrap();
        reads.ok += tally.ok;
        reads.failures.extend(tally.failures);
    }
    let db = cluster.db().await;
    let (mut orders, mut retried) = (0usize, 0usize);
    let mut ordered_users = Vec::new();
    for buyer in buyers {
        let (user_id, placed, retries, failures) = buyer.await.unwrap();
        assert!(failures.is_empty(), "checkout failures: {failures:?}");
        retried += retries;
        orders += placed.len();
        ordered_users.push(user_id);
        for (key, order_id) in placed {
            let stored: Vec<i64> = sqlx::query_scalar(
                "SELECT k.order_id FROM idempotency_keys k JOIN orders o ON o.id = k.order_id \
                 WHERE k.user_id = $1 AND k.idempotency_key = $2",
            )
            .bind(user_id)
            .bind(&key)
            .fetch_all(&db.pool)
            .await
            .unwrap();
            assert_eq!(
                stored,
                [order_id],
                "key {key} maps to exactly its one order"
            );
        }
    }
    eprintln!(
        "failover: {} GETs ok, {} failed; {orders} orders placed, {retried} retried attempts",
        reads.ok,
        reads.failures.len()
    );
    assert!(
        reads.failures.is_empty(),
        "GETs lost during the kill: {:?}",
        reads.failures
    );
    assert!(
        reads.ok > 50 && orders > 10,
        "too little traffic to mean anything"
    );

    // Every order in the database is one a client was told about: no orphan from a retry.
    let in_db: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(in_db as usize, orders);
    // The books balance: stock = starting stock - units sold = the sum of its movements.
    let stock: i64 = sqlx::query_scalar("SELECT stock_quantity FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let moved: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(delta) AS BIGINT) FROM stock_movements WHERE product_id = $1",
    )
    .bind(product)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let sold: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_items WHERE product_id = $1",
    )
    .bind(product)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(sold as usize, orders);
    assert_eq!(stock, STOCK - sold);
    assert_eq!(moved, stock);
    db.pool.close().await;
}
