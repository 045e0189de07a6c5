//! `auth/password/change/`, `auth/password/reset/` and `auth/password/reset/confirm/`.

use serde_json::json;

use super::{login, refresh_token_for, reset_link, wait_for_emails, STRONG};
use crate::api_test;

const NEW: &str = "Brand-New-Secret-71";

api_test! {
    async fn changing_the_password_works_ends_sessions_and_sends_a_security_email(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        let response = app
            .post_as(
                "auth/password/change/",
                &user.token,
                &json!({
                    "old_password": PASSWORD, "new_password": NEW, "new_password_confirm": NEW,
                }),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(
            response.body,
            json!({"detail": "Password changed successfully.", "message": "Password changed successfully."})
        );
        assert_eq!(login(&app, &user.email, PASSWORD).await.status, 401);
        assert_eq!(login(&app, &user.email, NEW).await.status, 200);
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
                .await
                .status,
            401
        );
        // The security email is queued with the change (its delivery: tests/api/notifications).
        let queued = crate::notifications::email_jobs(&app).await;
        assert_eq!(
            queued,
            [json!({"to": user.email, "message": {"template": "password_changed"}})]
        );
    }

    async fn a_wrong_old_password_is_rejected_under_old_password(app: TestApp) {
        let user = app.create_customer().await;
        let response = app.post_as("users/password/change/", &user.token, &json!({
            "old_password": "Wrong-old-pass-1", "new_password": NEW, "new_password_confirm": NEW,
        })).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"old_password": ["Old password is incorrect."]})
        );
    }

    async fn a_wrong_old_password_is_reported_with_the_other_field_errors(app: TestApp) {
        let user = app.create_customer().await;
        let response = app.post_as("auth/password/change/", &user.token, &json!({
            "old_password": "Wrong-old-pass-1", "new_password": "qwerty",
        })).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "new_password_confirm": ["This field is required."],
                "old_password": ["Old password is incorrect."],
                "new_password": [
                    "This password is too short. It must contain at least 8 characters.",
                    "This password is too common.",
                ],
            })
        );
    }

    async fn the_new_password_must_follow_the_rules_and_match_its_confirmation(app: TestApp) {
        let user = app.create_customer().await;
        let weak = app.post_as("auth/password/change/", &user.token, &json!({
            "old_password": PASSWORD, "new_password": "qwerty", "new_password_confirm": "qwerty",
        })).await;
        assert_eq!(weak.status, 400);
        assert_eq!(
            weak.body,
            json!({"new_password": [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
            ]})
        );
        let mismatch = app.post_as("auth/password/change/", &user.token, &json!({
            "old_password": PASSWORD, "new_password": NEW, "new_password_confirm": "Different-71",
        })).await;
        assert_eq!(
            mismatch.body,
            json!({"non_field_errors": ["Passwords don't match."]})
        );
        let missing = app
            .post_as("auth/password/change/", &user.token, &json!({}))
            .await;
        assert_eq!(
            missing.body,
            json!({
                "old_password": ["This field is required."],
                "new_password": ["This field is required."],
                "new_password_confirm": ["This field is required."],
            })
        );
        assert_eq!(
            app.post("auth/password/change/", &json!({})).await.status,
            401
        );
    }

    async fn a_reset_link_works_once_and_not_twice(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        let response = app
            .post(
                "auth/password/reset/",
                &json!({"email": user.email.to_uppercase()}),
            )
            .await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.body,
            json!({"detail": "If the account exists, an email has been sent."})
        );
        let emails = wait_for_emails(&app, 1).await;
        assert!(emails[0].contains(&format!("To: {}", user.email)));
        let (uid, token) = reset_link(&emails[0]);
        let body =
            json!({"uid": uid, "token": token, "new_password": NEW, "new_password_confirm": NEW});
        let confirmed = app.post("auth/password/reset/confirm/", &body).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert_eq!(
            confirmed.body,
            json!({"detail": "Password reset successful."})
        );
        assert_eq!(login(&app, &user.email, NEW).await.status, 200);
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
                .await
                .status,
            401,
            "sessions end"
        );
        let body = json!({
            "uid": uid, "token": token, "new_password": STRONG, "new_password_confirm": STRONG,
        });
        let replay = app.post("users/password/reset/confirm/", &body).await;
        assert_eq!(replay.status, 400);
        assert_eq!(replay.body, json!({"token": ["Invalid or expired token."]}));
        assert_eq!(login(&app, &user.email, NEW).await.status, 200);
    }

    async fn an_unknown_email_gets_the_same_answer_and_no_mail(app: TestApp) {
        let response = app
            .post(
                "users/password/reset/",
                &json!({"email": "ghost@shop.example"}),
            )
            .await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.body,
            json!({"detail": "If the account exists, an email has been sent."})
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(app.sent_emails().is_empty());
        let missing = app.post("auth/password/reset/", &json!({})).await;
        assert_eq!(missing.body, json!({"email": ["This field is required."]}));
    }

    async fn an_expired_reset_token_fails(app: TestApp) {
        let user = app.create_customer().await;
        app.post("auth/password/reset/", &json!({"email": user.email}))
            .await;
        let (uid, token) = reset_link(&wait_for_emails(&app, 1).await[0]);
        sqlx::query("UPDATE password_reset_tokens SET expires_at = $1 WHERE user_id = $2")
            .bind(nexus::db::now_micros() - 1)
            .bind(user.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let response = app
            .post(
                "auth/password/reset/confirm/",
                &json!({
                    "uid": uid, "token": token, "new_password": NEW, "new_password_confirm": NEW,
                }),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"token": ["Invalid or expired token."]})
        );
        assert_eq!(
            login(&app, &user.email, PASSWORD).await.status,
            200,
            "the password is unchanged"
        );
    }

    async fn a_reset_token_only_works_with_its_own_uid_and_valid_passwords(app: TestApp) {
        let user = app.create_customer().await;
        let other = app.create_customer().await;
        app.post("auth/password/reset/", &json!({"email": user.email}))
            .await;
        let (uid, token) = reset_link(&wait_for_emails(&app, 1).await[0]);
        let other_uid = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            other.id.to_string(),
        );
        let wrong_uid = app.post("auth/password/reset/confirm/", &json!({
            "uid": other_uid, "token": token, "new_password": NEW, "new_password_confirm": NEW,
        })).await;
        assert_eq!(
            wrong_uid.body,
            json!({"token": ["Invalid or expired token."]})
        );
        let weak = app.post("auth/password/reset/confirm/", &json!({
            "uid": uid, "token": token, "new_password": "12345678", "new_password_confirm": "12345678",
        })).await;
        assert_eq!(weak.status, 400);
        assert_eq!(weak.body["new_password"][0], "This password is too common.");
        let mismatch = app
            .post(
                "auth/password/reset/confirm/",
                &json!({
                    "uid": uid, "token": token, "new_password": NEW, "new_password_confirm": "nope",
                }),
            )
            .await;
        assert_eq!(
            mismatch.body,
            json!({"non_field_errors": ["Passwords don't match."]})
        );
        // None of the failures used the link up.
        let ok = app
            .post(
                "auth/password/reset/confirm/",
                &json!({
                    "uid": uid, "token": token, "new_password": NEW, "new_password_confirm": NEW,
                }),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }

    async fn an_inactive_account_gets_no_reset_mail(app: TestApp) {
        let user = app.create_customer().await;
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(user.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let response = app
            .post("auth/password/reset/", &json!({"email": user.email}))
            .await;
        assert_eq!(response.status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(app.sent_emails().is_empty());
    }

    async fn a_password_change_voids_reset_links_asked_for_before_it(app: TestApp) {
        let user = app.create_customer().await;
        app.post("auth/password/reset/", &json!({"email": user.email}))
            .await;
        let (uid, token) = reset_link(&wait_for_emails(&app, 1).await[0]);
        let changed = app
            .post_as(
                "auth/password/change/",
                &user.token,
                &json!({
                    "old_password": PASSWORD, "new_password": NEW, "new_password_confirm": NEW,
                }),
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        let replay = app.post("auth/password/reset/confirm/", &json!({
            "uid": uid, "token": token, "new_password": "Attacker-Chosen-42",
            "new_password_confirm": "Attacker-Chosen-42",
        })).await;
        assert_eq!(replay.status, 400);
        assert_eq!(replay.body, json!({"token": ["Invalid or expired token."]}));
        assert_eq!(
            login(&app, &user.email, NEW).await.status,
            200,
            "the changed password stands"
        );
    }
}
