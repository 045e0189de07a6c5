//! The switch, the flush at shutdown, and deleted users.

use std::time::Duration;

use nexus::{
    config::analytics::AnalyticsSettings,
    track::{Action, Event, Recorder, Session},
};
use secrecy::SecretString;

use super::{events, wait_for_events};
use crate::{
    accounts::{login, new_user},
    api_test,
    helpers::{TestApp, PASSWORD},
    nexus_process::{nexus, Server, TEST_SECRET_KEY},
};

fn viewed_by(user_id: Option<i64>, product_id: i64) -> Event {
    Event {
        action: Action::ProductView { product_id },
        occurred_at: nexus::db::now_micros(),
        user_id,
        ip_prefix: None,
        session: Session::User(user_id.unwrap_or(0)),
    }
}

async fn delete_user(app: &TestApp, id: i64) {
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

api_test! {
    async fn analytics_disabled_records_nothing(app: TestApp) {
        let app = TestApp::spawn_with(app.backend, &[("ANALYTICS_ENABLED", "false")])
            .await
            .unwrap();
        assert!(!app.state().analytics.is_enabled());
        let customer = app.create_customer().await;
        let product = app.product().create().await;
        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);
        assert_eq!(app.get("products/search/?q=lamp").await.status, 200);
        assert_eq!(login(&app, &customer.email, PASSWORD).await.status, 200);
        // No task runs to write anything; give an enabled one's 50 ms interval ten times over.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(events(&app).await.is_empty());
    }

    async fn buffered_events_are_written_on_graceful_shutdown(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        // A flush interval of an hour: what is recorded stays buffered until shutdown.
        let mut server = Server::spawn(nexus(dir.path(), "serve", &[
            ("DATABASE_URL", &app.database_url),
            ("SECRET_KEY", TEST_SECRET_KEY),
            ("RATE_LIMIT_ENABLED", "false"),
            ("ANALYTICS_FLUSH_INTERVAL_MS", "3600000"),
        ]));
        let base = server.base_url();
        let client = reqwest::Client::new();
        let registered = client
            .post(format!("{base}/api/v1/auth/users/"))
            .json(&new_user("leaving"))
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), 201);
        assert!(events(&app).await.is_empty(), "still buffered before the signal");

        server.terminate();
        let exit = server.wait_exit(Duration::from_secs(30)).expect("the server exits");
        assert!(exit.success(), "{exit:?}");
        let stored = events(&app).await;
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].kind, "register");
    }

    async fn deleting_a_user_clears_their_id_from_events(app: TestApp) {
        let customer = app.create_customer().await;
        let keeper = app.create_customer().await;
        let product = app.product().create().await;
        let path = format!("products/{product}/");
        assert_eq!(app.get_as(&path, &customer.token).await.status, 200);
        assert_eq!(app.get_as(&path, &keeper.token).await.status, 200);
        let stored = wait_for_events(&app, 2).await;
        assert_eq!(stored[0].user_id, Some(customer.id));
        delete_user(&app, customer.id).await;
        let after = events(&app).await;
        assert_eq!(after.len(), 2, "the events stay");
        assert_eq!(after[0].user_id, None, "without the user");
        assert_eq!(after[0].session_key, stored[0].session_key);
        assert_eq!(after[1].user_id, Some(keeper.id));
    }

    async fn a_user_deleted_before_the_flush_does_not_fail_the_batch(app: TestApp) {
        let gone = app.create_customer().await;
        let kept = app.create_customer().await;
        let settings = AnalyticsSettings {
            enabled: true,
            retention_days: 90,
            flush_interval: Duration::from_secs(3600),
        };
        let recorder = Recorder::new(&settings, &SecretString::from("k"));
        recorder.record(viewed_by(Some(gone.id), 1));
        recorder.record(viewed_by(Some(kept.id), 2));
        recorder.record(viewed_by(None, 3));
        delete_user(&app, gone.id).await;
        // The first tick comes at once: start the writer after the deletion, so the batch meets it.
        let writer = recorder.spawn_writer(app.db.clone()).unwrap();
        let stored = wait_for_events(&app, 3).await;
        writer.stop(Duration::from_secs(10)).await;
        let users: Vec<(Option<i64>, Option<i64>)> =
            stored.iter().map(|e| (e.product_id, e.user_id)).collect();
        assert_eq!(users, [(Some(1), None), (Some(2), Some(kept.id)), (Some(3), None)]);
    }

    async fn stopping_the_writer_flushes_what_is_buffered(app: TestApp) {
        let settings = AnalyticsSettings {
            enabled: true,
            retention_days: 90,
            flush_interval: Duration::from_secs(3600),
        };
        let recorder = Recorder::new(&settings, &SecretString::from("k"));
        let writer = recorder.spawn_writer(app.db.clone()).unwrap();
        // 1,203 events: two full batches wake the writer early, the rest waits for the stop.
        for product in 0..1203 {
            recorder.record(viewed_by(None, product));
        }
        wait_for_events(&app, 1000).await;
        writer.stop(Duration::from_secs(30)).await;
        let stored = events(&app).await;
        assert_eq!(stored.len(), 1203);
        let mut products: Vec<i64> = stored.iter().filter_map(|e| e.product_id).collect();
        products.sort_unstable();
        assert_eq!(products, (0..1203).collect::<Vec<_>>(), "each once");
    }
}
