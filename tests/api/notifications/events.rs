//! The six producing events of SPEC §3.6, read back from the tables they write in the event's
//! transaction: the notification row and the queued `email` job, as the preferences allow.

use serde_json::{json, Value};

use super::email_jobs;
use crate::api_test;
use crate::fixtures::*;
use crate::helpers::{TestApp, TestUser, PASSWORD};

/// One stored notification, as the tests compare it.
#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Row {
    #[sqlx(rename = "type")]
    kind: String,
    title: String,
    message: String,
    action_url: String,
}

/// `user`'s notifications, oldest first.
async fn notifications_of(app: &TestApp, user: &TestUser) -> Vec<Row> {
    sqlx::query_as(
        "SELECT type, title, message, action_url FROM notifications WHERE user_id = $1 ORDER BY id",
    )
    .bind(user.id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// The `(to, template)` of every queued email.
async fn emails_queued(app: &TestApp) -> Vec<(String, String)> {
    email_jobs(app)
        .await
        .iter()
        .map(|job| {
            let to = job["to"].as_str().unwrap().to_owned();
            (to, job["message"]["template"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Stores `user`'s preferences row (no row means every default).
async fn set_preferences(app: &TestApp, user: &TestUser, preferences: Value) {
    let flag = |name: &str| preferences[name].as_bool().unwrap_or(true);
    sqlx::query(
        "INSERT INTO notification_preferences (user_id, email_enabled, in_app_enabled, \
         order_updates, review_updates, marketing, digest, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7)",
    )
    .bind(user.id)
    .bind(flag("email_enabled"))
    .bind(flag("in_app_enabled"))
    .bind(flag("order_updates"))
    .bind(flag("review_updates"))
    .bind(preferences["digest"].as_str().unwrap_or("none"))
    .bind(nexus::db::now_micros())
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// Places an order of one unit of a fresh 12.50 product; returns `(id, order_number)`.
async fn an_order(app: &TestApp, user: &TestUser) -> (i64, String) {
    let product = app.product().price_cents(1250).stock(100).create().await;
    let order = place_order(app, user, &[(product, 1)]).await;
    (
        order["id"].as_i64().unwrap(),
        order["order_number"].as_str().unwrap().to_owned(),
    )
}

async fn pay(app: &TestApp, user: &TestUser, order: i64, method: &str, card: &str) -> u16 {
    let body = json!({"payment_method": method, "payment_details": {"card_number": card}});
    let path = format!("orders/{order}/payment/");
    app.post_as(&path, &user.token, &body).await.status.as_u16()
}

async fn change_password(app: &TestApp, user: &TestUser) {
    let new = "Another-Horse-Battery-7";
    let body = json!({"old_password": PASSWORD, "new_password": new, "new_password_confirm": new});
    let response = app
        .post_as("auth/password/change/", &user.token, &body)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
}

async fn deactivate(app: &TestApp, user: &TestUser) {
    sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
        .bind(user.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

fn security_notice() -> Row {
    Row {
        kind: "security".into(),
        title: "Password changed".into(),
        message: "Your password was changed and every signed-in session was signed out. If this \
                  was not you, reset your password now and contact support."
            .into(),
        action_url: String::new(),
    }
}

api_test! {
    async fn placing_an_order_notifies_the_customer_and_queues_the_confirmation(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().title("Pen").price_cents(250).stock(100).create().await;
        let ink = app.product().title("Ink").price_cents(1000).stock(100).create().await;
        let order = place_order(&app, &user, &[(pen, 3), (ink, 1)]).await;
        let (id, number) = (order["id"].as_i64().unwrap(), order["order_number"].as_str().unwrap());
        assert_eq!(
            notifications_of(&app, &user).await,
            [Row {
                kind: "order".into(),
                title: format!("Order {number} placed"),
                message: "We received your order of 4 items totalling 17.50.".into(),
                action_url: format!("/orders/{id}"),
            }]
        );
        let jobs = email_jobs(&app).await;
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(
            jobs[0],
            json!({"to": user.email, "message": {
                "template": "order_confirmation", "order_id": id, "order_number": number,
                "total": "17.50", "items": [
                    {"title": "Pen", "quantity": 3, "line_total": "7.50"},
                    {"title": "Ink", "quantity": 1, "line_total": "10.00"},
                ],
            }})
        );
    }

    async fn an_idempotent_replay_creates_no_second_notification_or_email(app: TestApp) {
        let user = app.create_customer().await;
        let pen = app.product().stock(100).create().await;
        let body = json!({"items": [{"product_id": pen, "quantity": 1}]});
        let first = post_with_key(&app, "orders/", &user.token, "key-1", &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let replay = post_with_key(&app, "orders/", &user.token, "key-1", &body).await;
        assert_eq!(replay.status, 201, "{}", replay.text);
        assert_eq!(replay.body["id"], first.body["id"]);
        assert_eq!(notifications_of(&app, &user).await.len(), 1);
        assert_eq!(email_jobs(&app).await.len(), 1);
    }

    async fn a_checkout_refused_for_stock_or_validation_writes_no_notification_and_no_job(
        app: TestApp,
    ) {
        let user = app.create_customer().await;
        let _staff = app.create_staff().await;
        let pen = app.product().stock(1).create().await;
        let short = json!({"items": [{"product_id": pen, "quantity": 2}]});
        let refused = app.post_as("orders/", &user.token, &short).await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        let invalid = json!({"items": [{"product_id": pen, "quantity": 0}]});
        assert_eq!(app.post_as("orders/", &user.token, &invalid).await.status, 400);
        let empty_cart = app.post_as("orders/", &user.token, &json!({})).await;
        assert_eq!(empty_cart.status, 400, "{}", empty_cart.text);
        assert_eq!(count_rows(&app, "notifications").await, 0);
        assert!(crate::notifications::email_jobs(&app).await.is_empty());
    }

    async fn each_staff_status_change_notifies_the_owner_once(app: TestApp) {
        let user = app.create_customer().await;
        let staff = app.create_staff().await;
        let (id, number) = an_order(&app, &user).await;
        let path = format!("orders/{id}/");
        let moved = app.patch_as(&path, &staff.token, &json!({"status": "processing"})).await;
        assert_eq!(moved.status, 200, "{}", moved.text);
        let shipped = app.put_as(&path, &staff.token, &json!({"status": "shipped"})).await;
        assert_eq!(shipped.status, 200, "{}", shipped.text);
        // Refused changes tell nobody anything: the same status, and a move the machine forbids.
        for refused in ["shipped", "pending"] {
            let response = app.patch_as(&path, &staff.token, &json!({"status": refused})).await;
            assert_eq!(response.status, 409, "{refused}: {}", response.text);
        }
        let rows = notifications_of(&app, &user).await;
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(
            rows[2],
            Row {
                kind: "order".into(),
                title: format!("Order {number} shipped"),
                message: format!("Your order {number} has shipped."),
                action_url: format!("/orders/{id}"),
            }
        );
        assert_eq!(rows[1].title, format!("Order {number} processing"));
        let jobs = email_jobs(&app).await;
        assert_eq!(jobs.len(), 3, "{jobs:?}");
        assert_eq!(
            jobs[2],
            json!({"to": user.email, "message": {
                "template": "order_status", "order_id": id, "order_number": number,
                "status": "shipped",
            }})
        );
        assert!(notifications_of(&app, &staff).await.is_empty());
    }

    async fn a_customer_cancel_notifies_the_owner(app: TestApp) {
        let user = app.create_customer().await;
        let (id, number) = an_order(&app, &user).await;
        let path = format!("orders/{id}/cancel/");
        assert_eq!(app.post_as(&path, &user.token, &json!({})).await.status, 200);
        assert_eq!(app.post_as(&path, &user.token, &json!({})).await.status, 409);
        let rows = notifications_of(&app, &user).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[1].title, format!("Order {number} cancelled"));
        assert_eq!(rows[1].message, format!("Your order {number} was cancelled."));
        let templates: Vec<String> =
            emails_queued(&app).await.into_iter().map(|(_, template)| template).collect();
        assert_eq!(templates, ["order_confirmation", "order_status"]);
    }

    async fn a_captured_payment_is_one_payment_notice_without_a_status_notice(app: TestApp) {
        let user = app.create_customer().await;
        let (id, number) = an_order(&app, &user).await;
        assert_eq!(pay(&app, &user, id, "card", "4242424242424242").await, 200);
        let rows = notifications_of(&app, &user).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(
            rows[1],
            Row {
                kind: "payment".into(),
                title: "Payment received".into(),
                message: format!("We received your payment of 12.50 for order {number}."),
                action_url: format!("/orders/{id}"),
            }
        );
        let jobs = email_jobs(&app).await;
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert_eq!(
            jobs[1]["message"],
            json!({"template": "payment_result", "order_id": id, "order_number": number,
                "amount": "12.50", "succeeded": true})
        );
    }

    async fn a_declined_payment_writes_exactly_the_decline_notice(app: TestApp) {
        let user = app.create_customer().await;
        let (id, number) = an_order(&app, &user).await;
        assert_eq!(pay(&app, &user, id, "card", "4000000000000002").await, 402);
        let rows = notifications_of(&app, &user).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(
            rows[1],
            Row {
                kind: "payment".into(),
                title: "Payment declined".into(),
                message: format!(
                    "Your payment of 12.50 for order {number} was declined, so the order failed."
                ),
                action_url: format!("/orders/{id}"),
            }
        );
        let jobs = email_jobs(&app).await;
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert_eq!(jobs[1]["message"]["template"], "payment_result");
        assert_eq!(jobs[1]["message"]["succeeded"], false);
    }

    async fn a_bank_transfer_notifies_nothing_until_confirmed(app: TestApp) {
        let user = app.create_customer().await;
        let (id, _) = an_order(&app, &user).await;
        assert_eq!(pay(&app, &user, id, "bank_transfer", "").await, 202);
        assert_eq!(notifications_of(&app, &user).await.len(), 1);
        assert_eq!(email_jobs(&app).await.len(), 1);
        let confirm = format!("orders/{id}/payment/confirm/");
        assert_eq!(app.post_as(&confirm, &user.token, &json!({})).await.status, 200);
        let rows = notifications_of(&app, &user).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[1].title, "Payment received");
        assert_eq!(email_jobs(&app).await[1]["message"]["succeeded"], true);
    }

    async fn changing_the_password_is_a_security_notice_and_email(app: TestApp) {
        let user = app.create_customer().await;
        change_password(&app, &user).await;
        assert_eq!(notifications_of(&app, &user).await, [security_notice()]);
        assert_eq!(
            email_jobs(&app).await,
            [json!({"to": user.email, "message": {"template": "password_changed"}})]
        );
        let refused = app
            .post_as(
                "auth/password/change/",
                &user.token,
                &json!({"old_password": "Wrong-old-pass-1", "new_password": "x",
                    "new_password_confirm": "x"}),
            )
            .await;
        assert_eq!(refused.status, 400);
        assert_eq!(notifications_of(&app, &user).await.len(), 1);
    }

    async fn a_password_reset_is_a_security_notice_and_email(app: TestApp) {
        let user = app.create_customer().await;
        let asked = app.post("auth/password/reset/", &json!({"email": user.email})).await;
        assert_eq!(asked.status, 200);
        let mail = app.wait_for_emails(1).await;
        let (uid, token) = crate::accounts::reset_link(&mail[0]);
        let new = "Another-Horse-Battery-7";
        let body = json!({"uid": uid, "token": token, "new_password": new,
            "new_password_confirm": new});
        let confirmed = app.post("auth/password/reset/confirm/", &body).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert_eq!(notifications_of(&app, &user).await, [security_notice()]);
        assert_eq!(
            emails_queued(&app).await,
            [(user.email.clone(), "password_changed".to_owned())]
        );
        // The link works once: a refused replay tells nobody anything.
        assert_eq!(app.post("auth/password/reset/confirm/", &body).await.status, 400);
        assert_eq!(notifications_of(&app, &user).await.len(), 1);
    }

    async fn in_app_disabled_stores_nothing_but_still_emails(app: TestApp) {
        let user = app.create_customer().await;
        set_preferences(&app, &user, json!({"in_app_enabled": false})).await;
        an_order(&app, &user).await;
        change_password(&app, &user).await;
        assert!(notifications_of(&app, &user).await.is_empty());
        let templates: Vec<String> =
            emails_queued(&app).await.into_iter().map(|(_, template)| template).collect();
        assert_eq!(templates, ["order_confirmation", "password_changed"]);
    }

    async fn email_disabled_queues_no_order_email_but_the_password_email_goes(app: TestApp) {
        let user = app.create_customer().await;
        set_preferences(&app, &user, json!({"email_enabled": false})).await;
        let (id, _) = an_order(&app, &user).await;
        assert_eq!(pay(&app, &user, id, "card", "4242424242424242").await, 200);
        change_password(&app, &user).await;
        assert_eq!(notifications_of(&app, &user).await.len(), 3);
        assert_eq!(
            emails_queued(&app).await,
            [(user.email.clone(), "password_changed".to_owned())]
        );
    }

    async fn order_updates_off_suppresses_order_and_payment_notices_and_their_emails(
        app: TestApp,
    ) {
        let user = app.create_customer().await;
        let staff = app.create_staff().await;
        set_preferences(&app, &user, json!({"order_updates": false})).await;
        let (id, _) = an_order(&app, &user).await;
        assert_eq!(pay(&app, &user, id, "card", "4242424242424242").await, 200);
        let shipped = json!({"status": "shipped"});
        let path = format!("orders/{id}/");
        assert_eq!(app.patch_as(&path, &staff.token, &shipped).await.status, 200);
        assert!(notifications_of(&app, &user).await.is_empty());
        assert!(email_jobs(&app).await.is_empty());
        change_password(&app, &user).await;
        assert_eq!(notifications_of(&app, &user).await, [security_notice()]);
        assert_eq!(email_jobs(&app).await.len(), 1);
    }

    async fn a_daily_digest_replaces_per_event_emails_except_security(app: TestApp) {
        let user = app.create_customer().await;
        set_preferences(&app, &user, json!({"digest": "daily"})).await;
        an_order(&app, &user).await;
        assert_eq!(notifications_of(&app, &user).await.len(), 1, "the digest lists it");
        assert!(email_jobs(&app).await.is_empty());
        change_password(&app, &user).await;
        assert_eq!(
            emails_queued(&app).await,
            [(user.email.clone(), "password_changed".to_owned())]
        );
    }

    async fn a_reported_review_reaches_active_staff_and_admins_only(app: TestApp) {
        let author = app.create_customer().await;
        let reporter = app.create_customer().await;
        let staff = app.create_staff().await;
        let admin = app.create_admin().await;
        let retired = app.create_staff().await;
        deactivate(&app, &retired).await;
        let product = app.product().title("Pen").create().await;
        let review = crate::reviews::create_review(&app, &author, product, 1).await;
        let id = review["id"].as_i64().unwrap();
        let path = format!("reviews/{id}/report/");
        let refused = app.post_as(&path, &reporter.token, &json!({"reason": "boring"})).await;
        assert_eq!(refused.status, 400);
        let missing = app.post_as("reviews/999999/report/", &reporter.token,
            &json!({"reason": "spam"})).await;
        assert_eq!(missing.status, 404);
        assert_eq!(count_rows(&app, "notifications").await, 0);
        let reported = app.post_as(&path, &reporter.token, &json!({"reason": "fake_review"})).await;
        assert_eq!(reported.status, 201, "{}", reported.text);
        let expected = Row {
            kind: "review".into(),
            title: "Review reported: Pen".into(),
            message: format!("Review #{id} of Pen was reported as fake review."),
            action_url: format!("/reviews/{id}"),
        };
        assert_eq!(notifications_of(&app, &staff).await, [expected]);
        assert_eq!(notifications_of(&app, &admin).await.len(), 1);
        for nobody in [&author, &reporter, &retired] {
            assert!(notifications_of(&app, nobody).await.is_empty());
        }
        assert!(email_jobs(&app).await.is_empty(), "staff notices are in-app only");
    }

    async fn review_updates_off_keeps_a_staff_member_out_of_report_notices(app: TestApp) {
        let author = app.create_customer().await;
        let staff = app.create_staff().await;
        let quiet = app.create_staff().await;
        set_preferences(&app, &quiet, json!({"review_updates": false})).await;
        let product = app.product().create().await;
        let id = crate::reviews::create_review(&app, &author, product, 2).await["id"].clone();
        let path = format!("reviews/{id}/report/");
        let reported = app.post_as(&path, &author.token, &json!({"reason": "spam"})).await;
        assert_eq!(reported.status, 201, "{}", reported.text);
        assert_eq!(notifications_of(&app, &staff).await.len(), 1);
        assert!(notifications_of(&app, &quiet).await.is_empty());
    }

    async fn a_checkout_leaving_stock_at_the_threshold_notifies_staff(app: TestApp) {
        let buyer = app.create_customer().await;
        let staff = app.create_staff().await;
        let admin = app.create_admin().await;
        let low = app.product().title("Pen").stock(7).create().await;
        let plenty = app.product().title("Ink").stock(9).create().await;
        place_order(&app, &buyer, &[(low, 2), (plenty, 1)]).await;
        let expected = Row {
            kind: "stock".into(),
            title: "Low stock: Pen".into(),
            message: "Pen has 5 left in stock (threshold 5).".into(),
            action_url: format!("/products/{low}"),
        };
        assert_eq!(notifications_of(&app, &staff).await, [expected]);
        assert_eq!(notifications_of(&app, &admin).await.len(), 1);
        // 9 → 8 stays above the threshold.
        place_order(&app, &buyer, &[(plenty, 1)]).await;
        assert_eq!(notifications_of(&app, &staff).await.len(), 1);
        // Every further decrease at or below it tells staff again.
        place_order(&app, &buyer, &[(low, 1)]).await;
        let rows = notifications_of(&app, &staff).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[1].message, "Pen has 4 left in stock (threshold 5).");
        let emails: Vec<String> =
            emails_queued(&app).await.into_iter().map(|(to, _)| to).collect();
        assert!(emails.iter().all(|to| *to == buyer.email), "{emails:?}");
    }

    async fn a_checkout_leaving_several_products_low_notifies_each(app: TestApp) {
        let buyer = app.create_customer().await;
        let staff = [app.create_staff().await, app.create_staff().await, app.create_admin().await];
        let pen = app.product().title("Pen").stock(6).create().await;
        let ink = app.product().title("Ink").stock(3).create().await;
        place_order(&app, &buyer, &[(pen, 1), (ink, 3)]).await;
        for member in &staff {
            let titles: Vec<String> =
                notifications_of(&app, member).await.into_iter().map(|row| row.title).collect();
            assert_eq!(titles, ["Low stock: Pen", "Low stock: Ink"]);
        }
    }

    async fn stock_adjustments_notify_on_a_decrease_into_the_low_range_only(app: TestApp) {
        let staff = app.create_staff().await;
        let pen = app.product().title("Pen").stock(10).create().await;
        let adjust = |delta: i64| {
            let body = json!({"delta": delta, "reason": "count"});
            let path = format!("products/{pen}/stock/");
            let token = staff.token.clone();
            let app = &app;
            async move { app.post_as(&path, &token, &body).await }
        };
        let down = adjust(-7).await;
        assert_eq!(down.status, 201, "{}", down.text);
        let rows = notifications_of(&app, &staff).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].message, "Pen has 3 left in stock (threshold 5).");
        // An increase that stays low is staff acting on it already.
        assert_eq!(adjust(1).await.status, 201);
        // A refused adjustment changes nothing and tells nobody.
        assert_eq!(adjust(-100).await.status, 409);
        assert_eq!(notifications_of(&app, &staff).await.len(), 1);
    }

    async fn typing_a_lower_stock_into_the_product_form_notifies_staff(app: TestApp) {
        let staff = app.create_staff().await;
        let pen = app.product().title("Pen").stock(20).create().await;
        let path = format!("products/{pen}/");
        let raised = app.patch_as(&path, &staff.token, &json!({"stock_quantity": 4})).await;
        assert_eq!(raised.status, 200, "{}", raised.text);
        let rows = notifications_of(&app, &staff).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].message, "Pen has 4 left in stock (threshold 5).");
        let up = app.patch_as(&path, &staff.token, &json!({"stock_quantity": 5})).await;
        assert_eq!(up.status, 200, "{}", up.text);
        assert_eq!(notifications_of(&app, &staff).await.len(), 1);
    }
}

/// `LOW_STOCK_THRESHOLD` moves the line: at 10, a checkout leaving 8 notifies; at the default it
/// would not.
async fn the_low_stock_threshold_follows_the_setting(backend: crate::helpers::Backend) {
    let app = TestApp::spawn_with(backend, &[("LOW_STOCK_THRESHOLD", "10")])
        .await
        .expect(crate::helpers::POSTGRES_UNSET);
    let buyer = app.create_customer().await;
    let staff = app.create_staff().await;
    let pen = app.product().title("Pen").stock(12).create().await;
    place_order(&app, &buyer, &[(pen, 4)]).await;
    let rows = notifications_of(&app, &staff).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].message, "Pen has 8 left in stock (threshold 10).");
}

mod the_low_stock_threshold_follows_the_setting {
    use crate::helpers::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_low_stock_threshold_follows_the_setting(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
    async fn postgres() {
        super::the_low_stock_threshold_follows_the_setting(Backend::Postgres).await
    }
}
