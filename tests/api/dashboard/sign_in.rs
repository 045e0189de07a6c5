//! Signing in and out, the session's cookie, CSRF, roles and the idle timeout.

use reqwest::StatusCode;

use super::Browser;
use crate::{
    api_test,
    fixtures::count_rows,
    helpers::{Backend, TestApp, PASSWORD},
};

api_test! {
    async fn staff_sign_in_sets_a_strict_http_only_session_cookie(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        let form = browser.get("/dashboard/login/").await;
        let csrf_cookie = form.set_cookie("nexus_dashboard_csrf").expect("a CSRF cookie");
        assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
        let answer = browser
            .post_form(
                "/dashboard/login/",
                &[("email", &staff.email), ("password", PASSWORD), ("csrf_token", &form.csrf_token())],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
        assert_eq!(answer.location(), "/dashboard/");
        let session = answer.set_cookie("nexus_dashboard").expect("a session cookie");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/dashboard"] {
            assert!(session.contains(part), "{part} in {session}");
        }
        assert!(!session.contains("Secure"), "plain HTTP here: {session}");
        // Only the token's hash is stored.
        let token = browser.cookies["nexus_dashboard"].clone();
        let stored: String = sqlx::query_scalar("SELECT token_hash FROM dashboard_sessions")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_ne!(stored, token);
        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains(&staff.email));
    }

    async fn behind_a_tls_proxy_the_session_cookie_is_secure(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        let form = browser.get("/dashboard/login/").await;
        let request = app
            .client
            .post(format!("{}/dashboard/login/", app.address))
            .header("x-forwarded-proto", "https")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("nexus_dashboard_csrf={}", form.csrf_token()))
            .body(format!(
                "email={}&password={PASSWORD}&csrf_token={}",
                staff.email.replace('@', "%40"),
                form.csrf_token()
            ));
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let cookie = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|line| line.to_str().unwrap().to_owned())
            .find(|line| line.starts_with("nexus_dashboard="))
            .expect("a session cookie");
        // `TRUSTED_PROXIES` trusts loopback by default, as a deployment behind nginx on the same
        // machine does.
        assert!(cookie.contains("Secure"), "{cookie}");
    }

    async fn without_a_session_every_page_leads_to_sign_in(app: TestApp) {
        let mut browser = Browser::new(&app);
        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location(), "/dashboard/login/");
        browser.cookies.insert("nexus_dashboard".into(), "made-up".into());
        assert_eq!(browser.get("/dashboard").await.location(), "/dashboard/login/");
    }

    async fn a_customer_is_not_allowed_in(app: TestApp) {
        let customer = app.create_customer().await;
        let mut browser = Browser::new(&app);
        let answer = browser.sign_in_with(&customer.email, PASSWORD).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert!(answer.text.contains("not allowed"), "{}", answer.text);
        assert!(answer.set_cookie("nexus_dashboard").is_none());
        assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);
    }

    async fn a_wrong_password_shows_the_form_again_with_what_was_typed(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        let answer = browser.sign_in_with(&staff.email, "Wrong-Password-123").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.text.contains("No active account found"), "{}", answer.text);
        assert!(answer.text.contains(&format!(r#"value="{}""#, staff.email)));
        assert!(!answer.text.contains("Wrong-Password-123"), "a password is never echoed");
        assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);
        // The form still works.
        let retry = browser.post_form(
            "/dashboard/login/",
            &[("email", &staff.email), ("password", PASSWORD), ("csrf_token", &answer.csrf_token())],
        ).await;
        assert_eq!(retry.status, StatusCode::SEE_OTHER);
    }

    async fn what_a_page_shows_is_escaped(app: TestApp) {
        let mut browser = Browser::new(&app);
        let email = "<script>alert(1)</script>@shop.example";
        let answer = browser.sign_in_with(email, "Wrong-Password-123").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(!answer.text.contains("<script>"), "{}", answer.text);
        assert!(answer.text.contains("&lt;script&gt;"));
    }

    async fn forms_without_their_csrf_token_are_refused(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.get("/dashboard/login/").await;
        for token in ["", "forged"] {
            let answer = browser
                .post_form(
                    "/dashboard/login/",
                    &[("email", &staff.email), ("password", PASSWORD), ("csrf_token", token)],
                )
                .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "token {token:?}");
        }
        assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);

        browser.sign_in(&staff.email).await;
        let refused = browser.post_form("/dashboard/logout/", &[("csrf_token", "forged")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(browser.get("/dashboard/").await.status, StatusCode::OK, "still signed in");
    }

    async fn signing_out_ends_the_session(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/").await;
        let token = browser.cookies["nexus_dashboard"].clone();
        let answer = browser
            .post_form("/dashboard/logout/", &[("csrf_token", &page.csrf_token())])
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert_eq!(answer.location(), "/dashboard/login/");
        assert!(!browser.cookies.contains_key("nexus_dashboard"), "the cookie is cleared");
        assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);
        // A copy of the old cookie opens nothing.
        browser.cookies.insert("nexus_dashboard".into(), token);
        assert_eq!(browser.get("/dashboard/").await.location(), "/dashboard/login/");
    }

    async fn a_session_idle_for_twelve_hours_ends(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let hour = 3_600_000_000_i64;
        let idle_for = |micros: i64| {
            sqlx::query("UPDATE dashboard_sessions SET last_seen_at = last_seen_at - $1")
                .bind(micros)
                .execute(&app.db.pool)
        };
        idle_for(11 * hour).await.unwrap();
        assert_eq!(browser.get("/dashboard/").await.status, StatusCode::OK, "11 hours idle");
        // That visit counted as use.
        idle_for(12 * hour - 60_000_000).await.unwrap();
        assert_eq!(browser.get("/dashboard/").await.status, StatusCode::OK, "used 12 h - 1 min ago");
        idle_for(12 * hour + 60_000_000).await.unwrap();
        assert_eq!(browser.get("/dashboard/").await.location(), "/dashboard/login/");
        assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);
    }

    async fn a_session_ends_when_its_user_is_no_longer_staff_or_active(app: TestApp) {
        for change in ["role = 'customer'", "is_active = FALSE"] {
            let staff = app.create_staff().await;
            let mut browser = Browser::new(&app);
            browser.sign_in(&staff.email).await;
            sqlx::query(&format!("UPDATE users SET {change} WHERE id = $1"))
                .bind(staff.id)
                .execute(&app.db.pool)
                .await
                .unwrap();
            assert_eq!(browser.get("/dashboard/").await.location(), "/dashboard/login/", "{change}");
        }
    }
}

#[tokio::test]
async fn the_sign_in_shares_the_apis_login_rate_limit() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_LOGIN", "2/minute"),
        ],
    )
    .await
    .unwrap();
    let staff = app.create_staff().await;
    // One attempt through the API, one through the dashboard: the same per-IP budget.
    let api = app
        .post(
            "auth/jwt/create/",
            &serde_json::json!({"email": staff.email, "password": "Wrong-Password-123"}),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    let mut browser = Browser::new(&app);
    let second = browser
        .sign_in_with(&staff.email, "Wrong-Password-123")
        .await;
    assert_eq!(second.status, StatusCode::UNAUTHORIZED);
    let third = browser.sign_in_with(&staff.email, PASSWORD).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.text
    );
    assert_eq!(count_rows(&app, "dashboard_sessions").await, 0);
}
