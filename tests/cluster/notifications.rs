//! The live notification stream across the cluster: an event handled by instance A reaches a
//! stream that nginx routed to instance B (through Redis pub/sub), without nginx buffering it.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{call, client, Cluster};

const OLD_PASSWORD: &str = "Stream-Watcher-Passphrase-17";
const NEW_PASSWORD: &str = "Stream-Watcher-Passphrase-18";

/// A stream held on B through nginx gets, at once, a notification written to the shared database
/// and announced on the Redis channel the way instance A announces one (the channel and message
/// format of `src/live/relay.rs`): nginx passes events on unbuffered, and B hears Redis.
pub async fn a_notification_announced_over_redis_reaches_a_stream_held_on_b_through_nginx(
    cluster: &Cluster,
) {
    let (user_id, token) = register(cluster, 33).await;
    let mut stream = stream_on_b(cluster, &token, 34).await;
    let db = cluster.db().await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (user_id, type, title, message, action_url, created_at) \
         VALUES ($1, 'info', 'Hello from A', 'Relayed', '', $2) RETURNING id",
    )
    .bind(user_id)
    .bind(nexus::db::now_micros())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let redis = redis::Client::open(cluster.get("REDIS_URL")).unwrap();
    let mut publisher = redis.get_multiplexed_async_connection().await.unwrap();
    let started = Instant::now();
    let _: i64 = redis::AsyncCommands::publish(
        &mut publisher,
        "nexus:live:notifications",
        format!("cluster-test:{user_id}"),
    )
    .await
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(1), stream.next_event())
        .await
        .expect("no event on B's stream within a second of the announcement");
    eprintln!(
        "announcement to event through nginx: {:?}",
        started.elapsed()
    );
    assert_eq!(event["id"], id, "{event}");
}

/// The whole path: an event handled by instance A (a password change, which stores a security
/// notification in its transaction and announces it) reaches a stream held on B within a second.
pub async fn a_notification_made_through_a_reaches_a_stream_held_on_b_through_nginx(
    cluster: &Cluster,
) {
    let a = cluster.instance("A");
    let (_, token) = register(cluster, 31).await;
    let mut stream = stream_on_b(cluster, &token, 32).await;
    let changed = call(
        &client(31),
        Method::POST,
        &format!("{a}/api/v1/auth/password/change/"),
        Some(&token),
        Some(&json!({
            "old_password": OLD_PASSWORD, "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        })),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let started = Instant::now();
    let event = tokio::time::timeout(Duration::from_secs(1), stream.next_event())
        .await
        .expect("no event on B's stream within a second of the change on A");
    eprintln!(
        "password change on A to event on B: {:?}",
        started.elapsed()
    );
    assert_eq!(event["type"], "security", "{event}");
}

/// A new customer registered (which signs them in) through instance A from `127.0.0.<host>`: id and
/// access token.
async fn register(cluster: &Cluster, host: u8) -> (i64, String) {
    let a = cluster.instance("A");
    let user = client(host);
    let email = format!("watcher-{}@cluster.test", uuid::Uuid::new_v4().simple());
    let registered = call(
        &user,
        Method::POST,
        &format!("{a}/api/v1/auth/users/"),
        None,
        Some(&json!({
            "email": email, "username": email.replace(['@', '.', '-'], "_"),
            "password": OLD_PASSWORD, "password_confirm": OLD_PASSWORD,
        })),
    )
    .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    (
        registered.body["user"]["id"]
            .as_i64()
            .expect("the new user's id"),
        registered.body["access"].as_str().unwrap().to_owned(),
    )
}

/// A stream opened through nginx that landed on instance B (nginx spreads them; the ones that
/// landed on A are closed).
async fn stream_on_b(cluster: &Cluster, token: &str, host: u8) -> EventStream {
    let b = format!("127.0.0.1:{}", cluster.get("B_PORT"));
    // Streams stay open: no overall request timeout on this client.
    let viewer = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, host]))
        .build()
        .unwrap();
    for _ in 0..10 {
        let response = viewer
            .get(format!("{}/api/v1/notifications/stream/", cluster.nginx()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        if response
            .headers()
            .get("x-upstream")
            .is_some_and(|u| u == b.as_str())
        {
            return EventStream {
                response,
                buffer: String::new(),
            };
        }
    }
    panic!("nginx never routed a stream to instance B");
}

struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The next event's `data:` (keep-alive comments skipped).
    async fn next_event(&mut self) -> Value {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data: String = block
                    .lines()
                    .filter_map(|line| line.strip_prefix("data: "))
                    .collect();
                if !data.is_empty() {
                    return serde_json::from_str(&data).unwrap();
                }
                continue;
            }
            let chunk = self
                .response
                .chunk()
                .await
                .unwrap()
                .expect("the stream ended");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}
