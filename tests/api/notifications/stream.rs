//! `GET notifications/stream/` and `POST notifications/stream/ticket/` (SPEC §3.6): events as
//! they happen, replay by `Last-Event-ID`, tickets, authentication, shutdown, slow clients, and
//! fan-out between two instances through Redis.

use std::{collections::HashMap, time::Duration};

use nexus::notifications::{notify_user, Notice, NotificationType};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::stream_support::{notify, notify_with_message, EventStream};
use crate::api_test;
use crate::helpers::{free_port, test_redis_url, Backend, TestApp, POSTGRES_UNSET, REDIS_UNSET};

/// How long a test waits for what may take a while on a loaded machine.
const PATIENTLY: Duration = Duration::from_secs(10);

/// Notifications made for the client that stops reading.
const SENT: usize = 160;

/// How long a live event may take to arrive (SPEC: within a second, across instances).
const PROMPTLY: Duration = Duration::from_secs(1);

api_test! {
    async fn a_notification_created_after_connecting_arrives_as_an_event(app: TestApp) {
        let user = app.create_customer().await;
        let before = notify(&app, user.id, "Already there").await;
        let mut stream = EventStream::open(&app.address, Some(&user.token), "", None).await;
        assert_eq!(stream.headers["content-type"], "text/event-stream");
        assert_eq!(stream.headers["x-accel-buffering"], "no");
        assert_eq!(stream.headers["cache-control"], "no-cache");
        let id = notify(&app, user.id, "Order shipped").await;
        assert!(id > before);
        let event = stream.next_within(PROMPTLY).await.expect("the stream is open");
        assert_eq!(event.id, id, "only what is new since connecting");
        assert_eq!(event.event, "notification");
        assert_eq!(event.data["id"], id);
        assert_eq!(event.data["type"], "order");
        assert_eq!(event.data["title"], "Order shipped");
        assert_eq!(event.data["message"], "Something happened.");
        assert_eq!(event.data["action_url"], "/orders/1");
        assert_eq!(event.data["is_read"], false);
        assert_eq!(event.data["read_at"], Value::Null);
        let mut keys: Vec<&str> =
            event.data.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["action_url", "created_at", "id", "is_read", "message", "read_at", "title", "type"]
        );
    }

    async fn a_stream_carries_only_its_own_users_notifications(app: TestApp) {
        let alice = app.create_customer().await;
        let bob = app.create_customer().await;
        let mut alices = EventStream::open(&app.address, Some(&alice.token), "", None).await;
        notify(&app, bob.id, "For Bob").await;
        let mine = notify(&app, alice.id, "For Alice").await;
        let event = alices.next_within(PROMPTLY).await.unwrap();
        assert_eq!(event.id, mine);
        assert_eq!(event.data["title"], "For Alice");
        assert!(!alices.has_event_within(Duration::from_millis(300)).await);
    }

    async fn last_event_id_replays_what_was_missed_oldest_first_then_goes_live(app: TestApp) {
        let user = app.create_customer().await;
        let seen = notify(&app, user.id, "Seen").await;
        let first = notify(&app, user.id, "Missed 1").await;
        let second = notify(&app, user.id, "Missed 2").await;
        let mut stream = EventStream::open(&app.address, Some(&user.token), "", Some(seen)).await;
        assert_eq!(stream.next_within(PROMPTLY).await.unwrap().id, first);
        assert_eq!(stream.next_within(PROMPTLY).await.unwrap().id, second);
        let live = notify(&app, user.id, "Live").await;
        let event = stream.next_within(PROMPTLY).await.unwrap();
        assert_eq!((event.id, event.data["title"].as_str()), (live, Some("Live")));
        assert!(!stream.has_event_within(Duration::from_millis(300)).await, "nothing twice");
    }

    async fn the_replay_is_bounded_to_the_newest_hundred(app: TestApp) {
        let user = app.create_customer().await;
        let mut ids = Vec::new();
        for n in 0..105 {
            ids.push(notify(&app, user.id, &format!("N{n}")).await);
        }
        let mut stream = EventStream::open(&app.address, Some(&user.token), "", Some(0)).await;
        let mut replayed = Vec::new();
        while replayed.len() < 100 {
            replayed.push(stream.next_within(PROMPTLY).await.unwrap().id);
        }
        assert_eq!(replayed, ids[5..]);
        assert!(!stream.has_event_within(Duration::from_millis(300)).await);
    }

    async fn a_last_event_id_beyond_the_newest_is_treated_as_the_newest(app: TestApp) {
        let user = app.create_customer().await;
        let mut stream =
            EventStream::open(&app.address, Some(&user.token), "", Some(i64::MAX)).await;
        let id = notify(&app, user.id, "Next").await;
        assert_eq!(stream.next_within(PROMPTLY).await.unwrap().id, id);
    }

    async fn a_ticket_opens_the_stream_once(app: TestApp) {
        let user = app.create_customer().await;
        let issued = app.post_as("notifications/stream/ticket/", &user.token, &json!({})).await;
        assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
        assert_eq!(issued.body["expires_in"], 60);
        let ticket = issued.body["ticket"].as_str().unwrap().to_owned();
        let stored: String = sqlx::query_scalar("SELECT ticket_hash FROM stream_tickets")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_ne!(stored, ticket, "only a hash is stored");

        let query = format!("?ticket={ticket}");
        let mut stream = EventStream::open(&app.address, None, &query, None).await;
        let id = notify(&app, user.id, "Via ticket").await;
        assert_eq!(stream.next_within(PROMPTLY).await.unwrap().id, id);

        // A browser reconnects with a new ticket and says where it was in the query.
        let next = app.post_as("notifications/stream/ticket/", &user.token, &json!({})).await;
        let missed = notify(&app, user.id, "While reconnecting").await;
        let resumed = format!("?ticket={}&last_event_id={id}", next.body["ticket"].as_str().unwrap());
        let mut resumed = EventStream::open(&app.address, None, &resumed, None).await;
        assert_eq!(resumed.next_within(PROMPTLY).await.unwrap().id, missed);

        let again = app.get(&format!("notifications/stream/{query}")).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED);
        assert_eq!(again.body["code"], "authentication_failed");
        assert_eq!(again.detail(), "Invalid or expired stream ticket.");
    }

    async fn an_expired_or_unknown_ticket_is_refused(app: TestApp) {
        let user = app.create_customer().await;
        let issued = app.post_as("notifications/stream/ticket/", &user.token, &json!({})).await;
        let ticket = issued.body["ticket"].as_str().unwrap().to_owned();
        // A minute later, as far as the row can tell.
        sqlx::query("UPDATE stream_tickets SET expires_at = $1")
            .bind(nexus::db::now_micros() - 1)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let expired = app.get(&format!("notifications/stream/?ticket={ticket}")).await;
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED, "{}", expired.text);
        let unknown = app.get("notifications/stream/?ticket=not-a-ticket").await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{}", unknown.text);
        assert_eq!(unknown.body["code"], "authentication_failed");
        // The next ticket sweeps the expired row away.
        app.post_as("notifications/stream/ticket/", &user.token, &json!({})).await;
        let left = crate::fixtures::count_rows(&app, "stream_tickets").await;
        assert_eq!(left, 1);
    }

    async fn a_deactivated_users_ticket_is_refused(app: TestApp) {
        let user = app.create_customer().await;
        let issued = app.post_as("notifications/stream/ticket/", &user.token, &json!({})).await;
        let ticket = issued.body["ticket"].as_str().unwrap().to_owned();
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(user.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let refused = app.get(&format!("notifications/stream/?ticket={ticket}")).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    }

    async fn the_stream_and_its_tickets_need_authentication(app: TestApp) {
        for path in ["notifications/stream/", "notifications/stream", "notifications/stream/?ticket="] {
            let anonymous = app.get(path).await;
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(anonymous.body["code"], "not_authenticated", "{path}");
            assert!(anonymous.headers.contains_key("www-authenticate"), "{path}");
        }
        let forged = app.get_as("notifications/stream/", "not.a.jwt").await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
        assert_eq!(forged.body["code"], "token_not_valid");
        let ticket = app.post("notifications/stream/ticket/", &json!({})).await;
        assert_eq!(ticket.status, StatusCode::UNAUTHORIZED);
        assert_eq!(ticket.body["code"], "not_authenticated");
    }

    async fn shutdown_ends_open_streams(app: TestApp) {
        let user = app.create_customer().await;
        let mut stream = EventStream::open(&app.address, Some(&user.token), "", None).await;
        // Also stops this app's job worker: nothing else here needs it.
        app.state().shutdown.cancel();
        let ended = tokio::time::timeout(Duration::from_secs(2), async {
            while stream.next_within(Duration::from_secs(2)).await.is_some() {}
        })
        .await;
        assert!(ended.is_ok(), "the stream was still open after shutdown began");
    }

    async fn a_client_that_stops_reading_is_cut_off_and_catches_up_by_replay(app: TestApp) {
        let user = app.create_customer().await;
        let addr = app.address.trim_start_matches("http://").to_owned();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        // A small receive window: the server's buffers, not this socket's, have to fill.
        socket.set_recv_buffer_size(4096).unwrap();
        let mut conn = socket.connect(addr.parse().unwrap()).await.unwrap();
        let request = format!(
            "GET /api/v1/notifications/stream/ HTTP/1.1\r\nHost: {addr}\r\n\
             Authorization: Bearer {}\r\nConnection: close\r\n\r\n",
            user.token
        );
        conn.write_all(request.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0_u8; 1];
            conn.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        assert!(String::from_utf8_lossy(&head).starts_with("HTTP/1.1 200"));

        // ~10 MB of events: more than the server's socket (up to 4 MB here, tcp_wmem), its write
        // buffer (~400 KB) and the stream's 32 buffered events hold together.
        let big = "x".repeat(64 * 1024);
        let mut newest = 0;
        for n in 0..SENT {
            newest = notify_with_message(&app, user.id, &format!("N{n}"), &big).await;
        }
        // Not reading for longer than the stream waits for room (5 s).
        tokio::time::sleep(Duration::from_secs(7)).await;
        let mut received = Vec::new();
        let mut ended = false;
        let mut chunk = vec![0_u8; 64 * 1024];
        while let Ok(Ok(read)) = tokio::time::timeout(PATIENTLY, conn.read(&mut chunk)).await {
            if read == 0 {
                ended = true;
                break;
            }
            received.extend_from_slice(&chunk[..read]);
        }
        let text = String::from_utf8_lossy(&received);
        let ids: Vec<i64> = text
            .lines()
            .filter_map(|line| line.strip_prefix("id: "))
            .map(|id| id.trim().parse().unwrap())
            .collect();
        assert!(ended, "not ended for its slow client after {} of {SENT} events", ids.len());
        assert!(!ids.is_empty(), "what was buffered is still delivered");
        assert!(ids.len() < SENT, "{} events: the client was never cut off", ids.len());
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order");
        let last = *ids.last().unwrap();
        assert!(last < newest);

        // Reconnecting like EventSource does brings the newest hundred of what was missed.
        let mut again = EventStream::open(&app.address, Some(&user.token), "", Some(last)).await;
        let mut replayed = Vec::new();
        while replayed.last() != Some(&newest) {
            replayed.push(again.next_within(PATIENTLY).await.unwrap().id);
        }
        assert!(replayed[0] > last);
        assert_eq!(replayed.len(), usize::min(100, (newest - last) as usize));
    }
}

/// A notification written by a transaction that commits after a newer one was streamed (ids
/// come from a sequence, so on PostgreSQL they need not be in commit order) still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn a_notification_that_commits_after_a_newer_one_still_arrives() {
    let app = TestApp::spawn(Backend::Postgres)
        .await
        .expect(POSTGRES_UNSET);
    let staff = app.create_staff().await;
    let mut stream = EventStream::open(&app.address, Some(&staff.token), "", None).await;
    let mut slow = app.db.begin_write().await.unwrap();
    let notice = Notice {
        kind: NotificationType::Stock,
        title: "Low stock: lamp".into(),
        message: "2 left".into(),
        action_url: String::new(),
        email: None,
    };
    let late = notify_user(&mut slow, staff.id, &notice).await.unwrap();
    let late_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM notifications")
        .fetch_one(&mut *slow)
        .await
        .unwrap();
    let fast = notify(&app, staff.id, "Low stock: desk").await;
    assert!(late_id < fast);
    assert_eq!(stream.next_within(PROMPTLY).await.unwrap().id, fast);
    slow.commit().await.unwrap();
    late.announce(&app.state().live);
    let event = stream.next_within(PROMPTLY).await.unwrap();
    assert_eq!(
        (event.id, event.data["title"].as_str()),
        (late_id, Some("Low stock: lamp"))
    );
}

/// A second `nexus serve` on `app`'s database, with `extra` settings; its address.
async fn sibling(app: &TestApp, extra: &[(&str, &str)]) -> String {
    let mail = app.mail_dir.display().to_string();
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("BIND_ADDR", "127.0.0.1:0"),
        ("SECRET_KEY", "test-secret-key"),
        ("DATABASE_MAX_CONNECTIONS", "5"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("EMAIL_FILE_PATH", mail.as_str()),
        ("JOBS_ENABLED", "false"),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let settings = nexus::config::Settings::from_lookup(|key| vars.get(key).cloned()).unwrap();
    let application = nexus::startup::Application::build(settings).await.unwrap();
    let address = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());
    address
}

/// Two instances on one database and one Redis: news announced on A reaches a stream on B.
async fn news_crosses_instances(backend: Backend) {
    let redis_url = test_redis_url();
    let settings = [("REDIS_URL", redis_url.as_str())];
    let a = TestApp::spawn_with(backend, &settings)
        .await
        .expect(POSTGRES_UNSET);
    let b = sibling(&a, &settings).await;
    let user = a.create_customer().await;
    let other = a.create_customer().await;
    let mut on_b = EventStream::open(&b, Some(&user.token), "", None).await;
    // The second event can only come through Redis: B's subscription is up by then.
    for title in ["First", "Second"] {
        notify(&a, other.id, "Not for this stream").await;
        let id = notify(&a, user.id, title).await;
        let event = on_b.next_within(PROMPTLY).await.unwrap();
        assert_eq!((event.id, event.data["title"].as_str()), (id, Some(title)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
async fn news_announced_on_one_instance_reaches_a_stream_on_another_sqlite() {
    news_crosses_instances(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    any(not(nexus_test_redis), not(nexus_test_postgres)),
    ignore = "TEST_REDIS_URL or TEST_DATABASE_URL is not set"
)]
async fn news_announced_on_one_instance_reaches_a_stream_on_another_postgres() {
    news_crosses_instances(Backend::Postgres).await;
}

fn own_redis(port: u16) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect(REDIS_UNSET)
}

/// Redis restarted while a stream is open on B and news is announced on A in between: B's
/// subscriber reconnects and the stream finds the news.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
async fn news_announced_while_redis_is_down_arrives_once_it_is_back() {
    let port = free_port();
    let mut redis = own_redis(port);
    let url = format!("redis://127.0.0.1:{port}");
    let settings = [("REDIS_URL", url.as_str())];
    let a = TestApp::spawn_with(Backend::Sqlite, &settings)
        .await
        .unwrap();
    let b = sibling(&a, &settings).await;
    let user = a.create_customer().await;
    let mut on_b = EventStream::open(&b, Some(&user.token), "", None).await;
    // Up: news crosses (retried while redis-server is still starting).
    let mut crossed = false;
    for _ in 0..20 {
        let id = notify(&a, user.id, "While up").await;
        if on_b.has_event_within(Duration::from_millis(500)).await {
            // Drain anything the start-up wake-ups also delivered.
            while on_b.has_event_within(Duration::from_millis(200)).await {}
            crossed = id > 0;
            break;
        }
    }
    assert!(crossed, "news never crossed while Redis was up");

    redis.kill().unwrap();
    redis.wait().unwrap();
    let during = notify(&a, user.id, "While down").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut redis = own_redis(port);
    let event = on_b.next_within(Duration::from_secs(15)).await.unwrap();
    assert_eq!(event.id, during);
    let after = notify(&a, user.id, "After").await;
    assert_eq!(
        on_b.next_within(Duration::from_secs(5)).await.unwrap().id,
        after
    );
    redis.kill().unwrap();
    redis.wait().unwrap();
}
