//! The nightly cleanup deletes the rows of dashboard sessions idle past their 12 hours, whose
//! cookie never came back to end them, and keeps live ones.

use nexus::{db::now_micros, jobs::Kind};
use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::{api_test, fixtures::count_rows, helpers::TestApp};

const HOUR: i64 = 3600 * 1_000_000;

/// Makes `user_id`'s sessions last used `hours` ago.
async fn last_seen(app: &TestApp, user_id: i64, hours: i64) {
    sqlx::query("UPDATE dashboard_sessions SET last_seen_at = $1 WHERE user_id = $2")
        .bind(now_micros() - hours * HOUR)
        .bind(user_id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

api_test! {
    async fn the_cleanup_job_deletes_sessions_idle_past_twelve_hours_and_keeps_the_rest(app: TestApp) {
        let (gone, kept) = (app.create_staff().await, app.create_staff().await);
        let mut abandoned = Browser::new(&app);
        abandoned.sign_in(&gone.email).await;
        let mut live = Browser::new(&app);
        live.sign_in(&kept.email).await;
        last_seen(&app, gone.id, 13).await;
        last_seen(&app, kept.id, 11).await;

        app.run_job(Kind::Cleanup, &json!({})).await;
        let left: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM dashboard_sessions")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(left, [kept.id]);
        assert_eq!(live.get("/dashboard/").await.status, StatusCode::OK);
        assert_eq!(abandoned.get("/dashboard/").await.location(), "/dashboard/login/");

        // Twelve hours after its last use (written just now by that page), the kept one goes too.
        let later = now_micros() + 12 * HOUR + 1_000_000;
        assert_eq!(nexus::dashboard::delete_idle_sessions(&app.db, later).await.unwrap(), 1);
        assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);
        assert_eq!(nexus::dashboard::delete_idle_sessions(&app.db, later).await.unwrap(), 0);
    }
}
