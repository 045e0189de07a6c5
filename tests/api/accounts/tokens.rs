//! Token refresh (rotation, reuse detection), verification, logout, and what makes an access
//! token stop working.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

use super::refresh_token_for;
use crate::api_test;

/// A token signed with the test server's key (`SECRET_KEY=test-secret-key`).
fn signed(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(b"test-secret-key"),
    )
    .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

api_test! {
    async fn refresh_rotates_the_pair_and_revokes_the_old_token(app: TestApp) {
        let user = app.create_customer().await;
        let first = refresh_token_for(&app, &user.email).await;
        let response = app
            .post("auth/jwt/refresh/", &json!({"refresh": first}))
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        let second = response.body["refresh"].as_str().unwrap().to_owned();
        assert_ne!(second, first);
        let me = app
            .get_as("auth/users/me/", response.body["access"].as_str().unwrap())
            .await;
        assert_eq!(me.body["id"], user.id);
        let family: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1")
                .bind(user.id)
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(family.len(), 1, "the new token joins the old one's family");
        // The alias path rotates too.
        assert_eq!(
            app.post("auth/token/refresh/", &json!({"refresh": second}))
                .await
                .status,
            200
        );
    }

    async fn reusing_a_rotated_refresh_token_revokes_its_whole_family(app: TestApp) {
        let user = app.create_customer().await;
        let other_session = refresh_token_for(&app, &user.email).await;
        let stolen = refresh_token_for(&app, &user.email).await;
        let rotated = app
            .post("auth/jwt/refresh/", &json!({"refresh": stolen}))
            .await;
        let current = rotated.body["refresh"].as_str().unwrap().to_owned();

        let replay = app
            .post("auth/jwt/refresh/", &json!({"refresh": stolen}))
            .await;
        assert_eq!(replay.status, 401);
        assert_eq!(
            replay.body,
            json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
        );
        let after = app
            .post("auth/jwt/refresh/", &json!({"refresh": current}))
            .await;
        assert_eq!(after.status, 401, "the family's newest token died with it");
        assert_eq!(after.detail(), "Token is blacklisted");
        // Another login (another family) is untouched.
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": other_session}))
                .await
                .status,
            200
        );
    }

    async fn refresh_rejects_missing_garbage_expired_and_access_tokens(app: TestApp) {
        let user = app.create_customer().await;
        let missing = app.post("auth/jwt/refresh/", &json!({})).await;
        assert_eq!(missing.status, 400);
        assert_eq!(
            missing.body,
            json!({"refresh": ["This field is required."]})
        );
        let garbage = app
            .post("auth/jwt/refresh/", &json!({"refresh": "abc.def.ghi"}))
            .await;
        assert_eq!(garbage.status, 401);
        assert_eq!(
            garbage.body,
            json!({"detail": "Token is invalid", "code": "token_not_valid"})
        );
        let expired = signed(
            &json!({
                "token_type": "refresh", "exp": now() - 10, "iat": now() - 100, "jti": "e1",
                "user_id": user.id,
            }),
        );
        let response = app
            .post("auth/jwt/refresh/", &json!({"refresh": expired}))
            .await;
        assert_eq!(response.status, 401);
        assert_eq!(response.detail(), "Token is expired");
        let access = app
            .post("auth/jwt/refresh/", &json!({"refresh": user.token}))
            .await;
        assert_eq!(access.status, 401);
        assert_eq!(access.body["code"], "token_not_valid");
    }

    async fn a_validly_signed_but_never_issued_refresh_token_is_invalid(app: TestApp) {
        let user = app.create_customer().await;
        let forged = signed(
            &json!({
                "token_type": "refresh", "exp": now() + 600, "iat": now(), "jti": "never-issued",
                "user_id": user.id,
            }),
        );
        let response = app
            .post("auth/jwt/refresh/", &json!({"refresh": forged}))
            .await;
        assert_eq!(response.status, 401);
        assert_eq!(response.detail(), "Token is invalid");
    }

    async fn refresh_fails_for_a_deactivated_user(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(user.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let response = app
            .post("auth/jwt/refresh/", &json!({"refresh": refresh}))
            .await;
        assert_eq!(response.status, 401);
        assert_eq!(response.body["code"], "no_active_account");
    }

    async fn verify_accepts_live_tokens_of_either_type_and_rejects_others(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        let ok = app
            .post("auth/jwt/verify/", &json!({"token": user.token}))
            .await;
        assert_eq!((ok.status.as_u16(), ok.body.clone()), (200, json!({})));
        assert_eq!(
            app.post("auth/jwt/verify/", &json!({"token": refresh}))
                .await
                .status,
            200
        );
        let bad = app
            .post("auth/jwt/verify/", &json!({"token": "nope"}))
            .await;
        assert_eq!(bad.status, 401);
        assert_eq!(
            bad.body,
            json!({"detail": "Token is invalid", "code": "token_not_valid"})
        );
        assert_eq!(
            app.post("auth/jwt/verify/", &json!({})).await.body,
            json!({"token": ["This field is required."]})
        );
        app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
            .await;
        let revoked = app
            .post("auth/jwt/verify/", &json!({"token": refresh}))
            .await;
        assert_eq!(revoked.status, 401);
        assert_eq!(revoked.detail(), "Token is blacklisted");
    }

    async fn an_unsigned_or_wrongly_typed_access_token_is_refused(app: TestApp) {
        let user = app.create_customer().await;
        let claims = json!({
            "token_type": "access", "exp": now() + 600, "iat": now(), "jti": "x", "user_id": user.id,
        });
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let response = app.get_as("auth/users/me/", &unsigned).await;
        assert_eq!(response.status, 401);
        assert_eq!(response.body["code"], "token_not_valid");
        assert!(response.headers.contains_key("www-authenticate"));
        let hs512 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"test-secret-key"),
        )
        .unwrap();
        assert_eq!(app.get_as("auth/users/me/", &hs512).await.status, 401);
        let refresh = refresh_token_for(&app, &user.email).await;
        let response = app.get_as("auth/users/me/", &refresh).await;
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body["messages"][0]["message"],
            "Token has wrong type"
        );
    }

    async fn a_deactivated_users_access_token_stops_working_at_once(app: TestApp) {
        let admin = app.create_admin().await;
        let user = app.create_customer().await;
        assert_eq!(app.get_as("auth/users/me/", &user.token).await.status, 200);
        let refresh = refresh_token_for(&app, &user.email).await;
        let patched = app
            .patch_as(
                &format!("admin/users/{}/", user.id),
                &admin.token,
                &json!({"is_active": false}),
            )
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(app.get_as("auth/users/me/", &user.token).await.status, 401);
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
                .await
                .status,
            401
        );
    }

    async fn logout_answers_205_and_revokes_the_refresh_token(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        let response = app
            .post_as("auth/logout/", &user.token, &json!({"refresh": refresh}))
            .await;
        assert_eq!(response.status, 205);
        assert_eq!(response.body, json!({"message": "Successfully logged out"}));
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
                .await
                .status,
            401
        );
        // Logging out again with the same token still "succeeds", but says so.
        let again = app
            .post_as(
                "auth/logout/",
                &user.token,
                &json!({"refresh_token": refresh}),
            )
            .await;
        assert_eq!(again.status, 205);
        assert_eq!(
            again.body,
            json!({"message": "Logged out (token may already be invalid)"})
        );
    }

    async fn logout_accepts_refresh_token_and_the_users_alias(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        let response = app
            .post_as(
                "users/logout/",
                &user.token,
                &json!({"refresh_token": refresh}),
            )
            .await;
        assert_eq!(response.status, 205);
        assert_eq!(response.body["message"], "Successfully logged out");
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
                .await
                .status,
            401
        );
    }

    async fn logout_never_revokes_someone_elses_token(app: TestApp) {
        let alice = app.create_customer().await;
        let bob = app.create_customer().await;
        let bobs = refresh_token_for(&app, &bob.email).await;
        let response = app
            .post_as("auth/logout/", &alice.token, &json!({"refresh": bobs}))
            .await;
        assert_eq!(response.status, 205);
        assert_eq!(
            response.body["message"],
            "Logged out (token may already be invalid)"
        );
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": bobs}))
                .await
                .status,
            200
        );
        let garbage = app
            .post_as("auth/logout/", &alice.token, &json!({"refresh": "garbage"}))
            .await;
        assert_eq!(garbage.status, 205);
    }

    async fn logout_needs_a_user_and_a_token(app: TestApp) {
        let user = app.create_customer().await;
        let anonymous = app.post("auth/logout/", &json!({"refresh": "x"})).await;
        assert_eq!(anonymous.status, 401);
        assert_eq!(anonymous.body["code"], "not_authenticated");
        let missing = app.post_as("auth/logout/", &user.token, &json!({})).await;
        assert_eq!(missing.status, 400);
        assert_eq!(
            missing.body,
            json!({"refresh": ["This field is required."]})
        );
    }

    async fn of_concurrent_refreshes_with_one_token_exactly_one_wins(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = refresh_token_for(&app, &user.email).await;
        let body = json!({"refresh": refresh});
        let attempts = (0..6).map(|_| app.post("auth/jwt/refresh/", &body));
        let statuses: Vec<u16> = futures_util::future::join_all(attempts)
            .await
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 401),
            "{statuses:?}"
        );
    }
}
