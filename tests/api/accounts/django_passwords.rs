//! Users imported from Django keep their `pbkdf2_sha256$…` hash: they sign in (API and staff
//! dashboard) and change their password with the old password, and the first sign-in replaces the
//! hash with Argon2id (docs/migrating-from-django.md, "Passwords").

use nexus::tokens::TokenType;
use reqwest::StatusCode;
use serde_json::json;

use super::{login, reset_link, STRONG};
use crate::{api_test, dashboard::Browser, helpers::TestApp};

/// The password behind [`DJANGO_HASH`] and [`DJANGO_HASH_FEW_ROUNDS`].
const OLD: &str = "Django-Era-Passw0rd";

/// As Django 4.2 writes it (600,000 rounds), computed independently:
/// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'Django-Era-Passw0rd', b'Xq3bL9tV2mKp7RcWz4NfYh', 600000)).decode())"
const DJANGO_HASH: &str =
    "pbkdf2_sha256$600000$Xq3bL9tV2mKp7RcWz4NfYh$Con/4JH2yyO8LMfW51Ss3cEthIgCY03sOMDFpVpmH+k=";

/// The same password and salt at 1,000 rounds, where the count doesn't matter: test builds are
/// unoptimised where PBKDF2's generic code is compiled, and take seconds for 600,000 rounds.
/// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'Django-Era-Passw0rd', b'Xq3bL9tV2mKp7RcWz4NfYh', 1000)).decode())"
const DJANGO_HASH_FEW_ROUNDS: &str =
    "pbkdf2_sha256$1000$Xq3bL9tV2mKp7RcWz4NfYh$vHbvUAQln85OIlsDMANhZCTC4vEz1e6bYIo1ObP6HmQ=";

/// The same password and salt at 200,000 rounds, so verifying it takes long enough (about a
/// second in a test build) for another request to land meanwhile:
/// python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'Django-Era-Passw0rd', b'Xq3bL9tV2mKp7RcWz4NfYh', 200000)).decode())"
const DJANGO_HASH_SLOW: &str =
    "pbkdf2_sha256$200000$Xq3bL9tV2mKp7RcWz4NfYh$1NdkCOOgXzSsop/tKRssuSVOPEESKUzZZTiOVNP9sZk=";

/// Django's unusable password (`set_unusable_password`): `!` and 40 random characters.
const UNUSABLE: &str = "!Hq3ZyT8kLm2PwX9vRb4NcJ6sDf1GtYe7Ua5Wi0O";

const NEW: &str = "Brand-New-Secret-71";

/// An imported user: inserted as `import-django` writes one, with a Django `hash`.
struct Imported {
    id: i64,
    email: String,
}

async fn insert_imported(app: &TestApp, role: &str, hash: &str) -> Imported {
    let user = app.create_user_with_hash(role, hash).await;
    Imported {
        id: user.id,
        email: user.email,
    }
}

async fn stored_hash(app: &TestApp, user_id: i64) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

api_test! {
    async fn signing_in_with_a_django_password_replaces_its_hash_with_argon2id(app: TestApp) {
        let user = insert_imported(&app, "customer", DJANGO_HASH).await;
        let first = login(&app, &user.email, OLD).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert!(first.body["access"].is_string());
        let rehashed = stored_hash(&app, user.id).await;
        assert!(rehashed.starts_with("$argon2id$"), "{rehashed}");
        // Now against the Argon2id hash, which stays as it is.
        let again = login(&app, &user.email, OLD).await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(stored_hash(&app, user.id).await, rehashed);
        assert_eq!(login(&app, &user.email, NEW).await.status, 401);
    }

    async fn a_wrong_password_leaves_the_django_hash_as_it_was(app: TestApp) {
        let user = insert_imported(&app, "customer", DJANGO_HASH_FEW_ROUNDS).await;
        let wrong = login(&app, &user.email, "Django-Era-Passw0rD").await;
        assert_eq!(wrong.status, 401, "{}", wrong.text);
        assert_eq!(stored_hash(&app, user.id).await, DJANGO_HASH_FEW_ROUNDS);
        assert_eq!(login(&app, &user.email, OLD).await.status, 200);
    }

    async fn a_deactivated_django_user_is_refused_and_keeps_the_hash(app: TestApp) {
        let user = insert_imported(&app, "customer", DJANGO_HASH_FEW_ROUNDS).await;
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(user.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(login(&app, &user.email, OLD).await.status, 401);
        assert_eq!(stored_hash(&app, user.id).await, DJANGO_HASH_FEW_ROUNDS);
    }

    async fn an_unusable_django_password_never_signs_in_until_it_is_reset(app: TestApp) {
        let user = insert_imported(&app, "customer", UNUSABLE).await;
        for password in [OLD, UNUSABLE, &UNUSABLE[1..], "!"] {
            let refused = login(&app, &user.email, password).await;
            assert_eq!(refused.status, 401, "{password}: {}", refused.text);
        }
        assert_eq!(stored_hash(&app, user.id).await, UNUSABLE);
        app.post("auth/password/reset/", &json!({"email": user.email}))
            .await;
        let (uid, token) = reset_link(&app.wait_for_emails(1).await[0]);
        let confirmed = app
            .post(
                "auth/password/reset/confirm/",
                &json!({"uid": uid, "token": token, "new_password": NEW, "new_password_confirm": NEW}),
            )
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert_eq!(login(&app, &user.email, NEW).await.status, 200);
        assert!(stored_hash(&app, user.id).await.starts_with("$argon2id$"));
    }

    async fn the_old_django_password_is_accepted_as_old_password(app: TestApp) {
        let user = insert_imported(&app, "customer", DJANGO_HASH_FEW_ROUNDS).await;
        let (token, _) = app.state().tokens.issue(TokenType::Access, user.id);
        let wrong = app
            .post_as(
                "auth/password/change/",
                &token,
                &json!({"old_password": "not-it", "new_password": STRONG, "new_password_confirm": STRONG}),
            )
            .await;
        assert_eq!(wrong.status, 400);
        assert_eq!(wrong.body, json!({"old_password": ["Old password is incorrect."]}));
        let changed = app
            .post_as(
                "auth/password/change/",
                &token,
                &json!({"old_password": OLD, "new_password": STRONG, "new_password_confirm": STRONG}),
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert!(stored_hash(&app, user.id).await.starts_with("$argon2id$"));
        assert_eq!(login(&app, &user.email, OLD).await.status, 401);
        assert_eq!(login(&app, &user.email, STRONG).await.status, 200);
    }

    async fn a_password_reset_during_the_first_sign_in_is_not_overwritten(app: TestApp) {
        let user = insert_imported(&app, "customer", DJANGO_HASH_SLOW).await;
        app.post("auth/password/reset/", &json!({"email": user.email}))
            .await;
        let (uid, token) = reset_link(&app.wait_for_emails(1).await[0]);
        // The sign-in verifies 200,000 rounds; the reset lands while it does (were it later, the
        // reset would simply replace the new Argon2id hash: this test cannot fail by timing).
        let sign_in = login(&app, &user.email, OLD);
        let reset = async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            app.post(
                "auth/password/reset/confirm/",
                &json!({"uid": uid, "token": token, "new_password": NEW, "new_password_confirm": NEW}),
            )
            .await
        };
        let (signed_in, reset) = tokio::join!(sign_in, reset);
        assert_eq!(signed_in.status, 200, "{}", signed_in.text);
        assert_eq!(reset.status, 200, "{}", reset.text);
        // Whichever finished first, the reset's password is the one that works.
        assert_eq!(login(&app, &user.email, NEW).await.status, 200);
        assert_eq!(login(&app, &user.email, OLD).await.status, 401);
    }

    async fn a_django_staff_member_signs_in_to_the_dashboard_and_is_rehashed(app: TestApp) {
        let staff = insert_imported(&app, "staff", DJANGO_HASH_FEW_ROUNDS).await;
        let mut browser = Browser::new(&app);
        let answer = browser.sign_in_with(&staff.email, OLD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
        assert_eq!(answer.location(), "/dashboard/");
        assert!(stored_hash(&app, staff.id).await.starts_with("$argon2id$"));
        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let mut again = Browser::new(&app);
        let answer = again.sign_in_with(&staff.email, OLD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
    }
}
