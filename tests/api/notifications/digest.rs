//! The digest job: users who chose `digest: daily|weekly` get one email per period listing their
//! unread notifications of that period (SPEC §3.6). The job is queued due now and run by the test
//! app's worker; the digests are read from the queued `email` jobs.

use nexus::{
    db::now_micros,
    jobs::Kind,
    notifications::{notify_user, Notice, NotificationType},
};
use serde_json::{json, Value};

use crate::{api_test, helpers::TestApp};

const HOUR_MICROS: i64 = 3600 * 1_000_000;

/// Sets `user_id`'s digest preference, with email on or off.
async fn choose_digest(app: &TestApp, user_id: i64, digest: &str, email_enabled: bool) {
    let flag = if email_enabled { "TRUE" } else { "FALSE" };
    sqlx::query(&format!(
        "INSERT INTO notification_preferences (user_id, digest, email_enabled, updated_at) \
         VALUES ($1, $2, {flag}, $3)"
    ))
    .bind(user_id)
    .bind(digest)
    .bind(now_micros())
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// Notifies `user_id` as a domain event does, in a transaction of its own.
async fn notify(app: &TestApp, user_id: i64, title: &str) {
    let notice = Notice {
        kind: NotificationType::Order,
        title: title.to_owned(),
        message: format!("About {title}."),
        action_url: "/orders/1".to_owned(),
        email: None,
    };
    let mut tx = app.db.begin_write().await.unwrap();
    let announcement = notify_user(&mut tx, user_id, &notice).await.unwrap();
    tx.commit().await.unwrap();
    announcement.announce(&app.state().live);
}

/// Inserts a notification created `hours_ago`, read or not.
async fn insert_notification(app: &TestApp, user_id: i64, title: &str, hours_ago: i64, read: bool) {
    let flag = if read { "TRUE" } else { "FALSE" };
    sqlx::query(&format!(
        "INSERT INTO notifications (user_id, type, title, message, is_read, created_at) \
         VALUES ($1, 'info', $2, 'Old news.', {flag}, $3)"
    ))
    .bind(user_id)
    .bind(title)
    .bind(now_micros() - hours_ago * HOUR_MICROS)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn run_digest(app: &TestApp, period: &str) {
    app.run_job(Kind::Digest, &json!({"period": period})).await;
}

/// The queued digest emails: `(recipient, message)`, oldest first.
async fn digests(app: &TestApp) -> Vec<(String, Value)> {
    app.job_payloads(Kind::Email)
        .await
        .into_iter()
        .filter(|email| email["message"]["template"] == "digest")
        .map(|email| {
            (
                email["to"].as_str().unwrap().to_owned(),
                email["message"].clone(),
            )
        })
        .collect()
}

fn titles(message: &Value) -> Vec<&str> {
    message["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect()
}

api_test! {
    async fn a_daily_digest_lists_the_days_unread_notifications_newest_first(app: TestApp) {
        let user = app.create_customer().await;
        choose_digest(&app, user.id, "daily", true).await;
        notify(&app, user.id, "Order ORD-1 placed").await;
        notify(&app, user.id, "Order ORD-1 shipped").await;
        insert_notification(&app, user.id, "Already read", 1, true).await;
        insert_notification(&app, user.id, "From the day before", 25, false).await;
        run_digest(&app, "daily").await;

        let digests = digests(&app).await;
        assert_eq!(digests.len(), 1, "{digests:?}");
        let (to, message) = &digests[0];
        assert_eq!(to, &user.email);
        assert_eq!(message["period"], "daily");
        assert_eq!(message["more"], 0);
        assert_eq!(titles(message), ["Order ORD-1 shipped", "Order ORD-1 placed"]);
        let item = &message["notifications"][0];
        assert_eq!(item["message"], "About Order ORD-1 shipped.");
        assert_eq!(item["action_url"], "/orders/1");
        assert!(item["created_at"].as_str().unwrap().ends_with('Z'));

        let key: String = sqlx::query_scalar("SELECT unique_key FROM jobs WHERE kind = 'email'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%d");
        assert!(
            key == format!("digest:daily:{today}:{}", user.id)
                || key == format!("digest:daily:{yesterday}:{}", user.id),
            "{key}"
        );
    }

    async fn a_weekly_digest_reaches_back_seven_days_and_the_daily_run_skips_it(app: TestApp) {
        let user = app.create_customer().await;
        choose_digest(&app, user.id, "weekly", true).await;
        insert_notification(&app, user.id, "Two days ago", 48, false).await;
        insert_notification(&app, user.id, "Eight days ago", 8 * 24, false).await;
        run_digest(&app, "daily").await;
        assert!(digests(&app).await.is_empty());

        run_digest(&app, "weekly").await;
        let digests = digests(&app).await;
        assert_eq!(digests.len(), 1, "{digests:?}");
        assert_eq!(digests[0].0, user.email);
        assert_eq!(digests[0].1["period"], "weekly");
        assert_eq!(titles(&digests[0].1), ["Two days ago"]);
    }

    async fn running_the_days_digest_again_queues_nothing_twice(app: TestApp) {
        let user = app.create_customer().await;
        choose_digest(&app, user.id, "daily", true).await;
        notify(&app, user.id, "First").await;
        run_digest(&app, "daily").await;
        notify(&app, user.id, "Second").await;
        run_digest(&app, "daily").await;
        let digests = digests(&app).await;
        assert_eq!(digests.len(), 1, "{digests:?}");
        assert_eq!(titles(&digests[0].1), ["First"]);
    }

    async fn digest_runs_racing_each_other_queue_one_email_per_user(app: TestApp) {
        let mut expected = Vec::new();
        for _ in 0..3 {
            let user = app.create_customer().await;
            choose_digest(&app, user.id, "daily", true).await;
            notify(&app, user.id, "Something happened").await;
            expected.push(user.email);
        }
        let runs: Vec<_> = (0..4).map(|_| (Kind::Digest, json!({"period": "daily"}))).collect();
        app.run_jobs(&runs).await;
        let mut recipients: Vec<String> = digests(&app).await.into_iter().map(|(to, _)| to).collect();
        recipients.sort();
        expected.sort();
        assert_eq!(recipients, expected);
    }

    async fn users_who_chose_no_digest_or_another_period_get_none(app: TestApp) {
        let defaults = app.create_customer().await;
        let none = app.create_customer().await;
        choose_digest(&app, none.id, "none", true).await;
        let weekly = app.create_customer().await;
        choose_digest(&app, weekly.id, "weekly", true).await;
        let daily = app.create_customer().await;
        choose_digest(&app, daily.id, "daily", true).await;
        for user in [&defaults, &none, &weekly, &daily] {
            notify(&app, user.id, "Unread").await;
        }
        run_digest(&app, "daily").await;
        let recipients: Vec<String> = digests(&app).await.into_iter().map(|(to, _)| to).collect();
        assert_eq!(recipients, [daily.email]);
    }

    async fn email_off_nothing_unread_or_a_deactivated_account_gets_no_digest(app: TestApp) {
        let email_off = app.create_customer().await;
        choose_digest(&app, email_off.id, "daily", false).await;
        notify(&app, email_off.id, "Unread").await;
        let all_read = app.create_customer().await;
        choose_digest(&app, all_read.id, "daily", true).await;
        insert_notification(&app, all_read.id, "Read", 1, true).await;
        let deactivated = app.create_customer().await;
        choose_digest(&app, deactivated.id, "daily", true).await;
        notify(&app, deactivated.id, "Unread").await;
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(deactivated.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let control = app.create_customer().await;
        choose_digest(&app, control.id, "daily", true).await;
        notify(&app, control.id, "Unread").await;
        run_digest(&app, "daily").await;
        let recipients: Vec<String> = digests(&app).await.into_iter().map(|(to, _)| to).collect();
        assert_eq!(recipients, [control.email]);
    }
}
