//! Users (admins only): the list and its search, a role change and a deactivation through the
//! API's own rules (token revocation, no self-lockout), and their effect on dashboard sessions.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::{
    accounts::refresh_token_for,
    api_test,
    helpers::{TestApp, TestUser},
};

/// A browser signed in as `user`, and the CSRF token of its session.
async fn signed_in<'a>(app: &'a TestApp, user: &TestUser) -> (Browser<'a>, String) {
    let mut browser = Browser::new(app);
    browser.sign_in(&user.email).await;
    let token = browser.get("/dashboard/").await.csrf_token();
    (browser, token)
}

/// The user as the API's admin detail shows it.
async fn api_user(app: &TestApp, admin: &TestUser, id: i64) -> serde_json::Value {
    let answer = app
        .get_as(&format!("admin/users/{id}/"), &admin.token)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body
}

api_test! {
    async fn staff_are_refused_the_users_pages_and_change_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        let customer = app.create_customer().await;
        let (mut browser, token) = signed_in(&app, &staff).await;
        let detail = format!("/dashboard/users/{}/", customer.id);
        for path in ["/dashboard/users/", detail.as_str()] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
            assert!(page.text.contains("<h1>Not allowed</h1>"), "{}", page.text);
        }
        let post = browser.post_form(&detail, &[("csrf_token", &token), ("role", "admin")]).await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
        let admin = app.create_admin().await;
        assert_eq!(api_user(&app, &admin, customer.id).await["role"], "customer");
    }

    async fn admins_see_every_user_with_role_and_status_and_user_text_escaped(app: TestApp) {
        let admin = app.create_admin().await;
        let customer = app.create_customer().await;
        sqlx::query("UPDATE users SET first_name = '<b>Ada</b>', is_active = FALSE WHERE id = $1")
            .bind(customer.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let (mut browser, _) = signed_in(&app, &admin).await;
        let page = browser.get("/dashboard/users/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("<h1>Users</h1>"));
        assert!(page.text.contains("2 users, newest first."), "{}", page.text);
        assert!(page.text.contains(&format!(r#"<a href="/dashboard/users/{}/">{}</a>"#, customer.id, customer.email)));
        assert!(page.text.contains(r#"<span class="badge bad">Inactive</span>"#));
        assert!(page.text.contains(r#"<span class="badge">Admin</span>"#));
        assert!(page.text.contains("&lt;b&gt;Ada&lt;&#x2f;b&gt;"));
        assert!(!page.text.contains("<b>Ada"));
        let detail = browser.get(&format!("/dashboard/users/{}/", customer.id)).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.text.contains("&lt;b&gt;Ada&lt;&#x2f;b&gt;"));
        assert!(detail.text.contains(">Reactivate</button>"), "{}", detail.text);
        assert!(detail.text.contains(r#"<option value="customer" selected>Customer</option>"#));
    }

    async fn search_and_role_filter_as_the_api_does_and_the_pager_keeps_them(app: TestApp) {
        let admin = app.create_admin().await;
        let staff = app.create_staff().await;
        for _ in 0..21 {
            app.create_customer().await;
        }
        let (mut browser, _) = signed_in(&app, &admin).await;
        let found = browser.get(&format!("/dashboard/users/?search={}", &staff.username[6..].to_uppercase())).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.text);
        assert!(found.text.contains("1 user, newest first."), "{}", found.text);
        assert!(found.text.contains(&staff.email));

        let customers = browser.get("/dashboard/users/?search=customer_&role=customer").await;
        assert!(customers.text.contains("21 users"), "{}", customers.text);
        assert!(customers.text.contains("Page 1 of 2"));
        assert!(customers.text.contains(r#"href="?search=customer_&amp;role=customer&amp;page=2""#), "{}", customers.text);
        assert!(!customers.text.contains(&staff.email));
        let second = browser.get("/dashboard/users/?search=customer_&role=customer&page=2").await;
        assert!(second.text.contains("Page 2 of 2"));
        assert_eq!(second.text.matches("<tr>").count(), 1 + 1, "a header row and one user");

        let none = browser.get("/dashboard/users/?search=nobody-by-that-name").await;
        assert!(none.text.contains("No users match."), "{}", none.text);
        let bad_role = browser.get("/dashboard/users/?role=superuser").await;
        assert_eq!(bad_role.status, StatusCode::BAD_REQUEST);
        assert!(bad_role.text.contains("Select a valid choice."), "{}", bad_role.text);
    }

    async fn a_role_change_is_the_apis_and_the_users_old_token_gets_the_new_role(app: TestApp) {
        let admin = app.create_admin().await;
        let customer = app.create_customer().await;
        assert_eq!(app.get_as("reviews/reports/", &customer.token).await.status, StatusCode::FORBIDDEN);
        let (mut browser, token) = signed_in(&app, &admin).await;
        let path = format!("/dashboard/users/{}/", customer.id);
        let saved = browser.post_form(&path, &[("csrf_token", &token), ("role", "staff")]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
        assert_eq!(saved.location(), format!("{path}?done=role"));
        assert_eq!(api_user(&app, &admin, customer.id).await["role"], "staff");
        // As after `PATCH admin/users/{id}/`: the same access token, the new role's powers.
        assert_eq!(app.get_as("reviews/reports/", &customer.token).await.status, StatusCode::OK);
        let page = browser.get(saved.location()).await;
        assert!(page.text.contains("Role saved."));
        assert!(page.text.contains(r#"<option value="staff" selected>Staff</option>"#));
    }

    async fn deactivating_a_staff_member_ends_their_dashboard_session_and_their_tokens(app: TestApp) {
        let admin = app.create_admin().await;
        let staff = app.create_staff().await;
        let refresh = refresh_token_for(&app, &staff.email).await;
        let (mut theirs, _) = signed_in(&app, &staff).await;
        let (mut browser, token) = signed_in(&app, &admin).await;
        let path = format!("/dashboard/users/{}/", staff.id);
        let done = browser.post_form(&path, &[("csrf_token", &token), ("is_active", "false")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert_eq!(done.location(), format!("{path}?done=deactivated"));
        assert!(browser.get(done.location()).await.text.contains("Deactivated"));

        let ended = theirs.get("/dashboard/").await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER);
        assert_eq!(ended.location(), "/dashboard/login/");
        assert_eq!(api_user(&app, &admin, staff.id).await["is_active"], false);
        assert_eq!(app.get_as("auth/users/me/", &staff.token).await.status, StatusCode::UNAUTHORIZED);
        let refreshed = app.post("auth/jwt/refresh/", &json!({"refresh": refresh})).await;
        assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);

        // Reactivated, they sign in again; the old refresh token stays revoked, as in the API.
        let back = browser.post_form(&path, &[("csrf_token", &token), ("is_active", "true")]).await;
        assert_eq!(back.location(), format!("{path}?done=reactivated"));
        theirs.sign_in(&staff.email).await;
        let refreshed = app.post("auth/jwt/refresh/", &json!({"refresh": refresh})).await;
        assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);
    }

    async fn demoting_a_staff_member_to_customer_ends_their_dashboard_session(app: TestApp) {
        let admin = app.create_admin().await;
        let staff = app.create_staff().await;
        let (mut theirs, _) = signed_in(&app, &staff).await;
        let (mut browser, token) = signed_in(&app, &admin).await;
        let path = format!("/dashboard/users/{}/", staff.id);
        let done = browser.post_form(&path, &[("csrf_token", &token), ("role", "customer")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(theirs.get("/dashboard/reviews/").await.location(), "/dashboard/login/");
    }

    async fn an_admin_cannot_demote_or_deactivate_themselves_and_sees_why(app: TestApp) {
        let admin = app.create_admin().await;
        let (mut browser, token) = signed_in(&app, &admin).await;
        let path = format!("/dashboard/users/{}/", admin.id);
        let page = browser.get(&path).await;
        assert!(page.text.contains("This is you"), "{}", page.text);

        let demote = browser.post_form(&path, &[("csrf_token", &token), ("role", "staff")]).await;
        assert_eq!(demote.status, StatusCode::BAD_REQUEST);
        assert!(demote.text.contains(r#"<span class="field-error" id="role-error">You cannot change your own role.</span>"#), "{}", demote.text);
        assert!(demote.text.contains(r#"<option value="staff" selected>Staff</option>"#), "the role as chosen");
        let deactivate = browser.post_form(&path, &[("csrf_token", &token), ("is_active", "false")]).await;
        assert_eq!(deactivate.status, StatusCode::BAD_REQUEST);
        assert!(deactivate.text.contains("You cannot deactivate your own account."));
        let invalid = browser.post_form(&path, &[("csrf_token", &token), ("role", "overlord")]).await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        assert!(invalid.text.contains(r#"id="role-error">"#), "{}", invalid.text);

        let me = api_user(&app, &admin, admin.id).await;
        assert_eq!((me["role"].as_str(), me["is_active"].as_bool()), (Some("admin"), Some(true)));
        assert_eq!(browser.get("/dashboard/users/").await.status, StatusCode::OK, "still signed in");
    }

    async fn a_change_without_the_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let admin = app.create_admin().await;
        let staff = app.create_staff().await;
        let (mut browser, _) = signed_in(&app, &admin).await;
        let path = format!("/dashboard/users/{}/", staff.id);
        let answer = browser.post_form(&path, &[("is_active", "false"), ("role", "customer")]).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        let user = api_user(&app, &admin, staff.id).await;
        assert_eq!((user["role"].as_str(), user["is_active"].as_bool()), (Some("staff"), Some(true)));
    }

    async fn an_unknown_user_is_the_404_page(app: TestApp) {
        let admin = app.create_admin().await;
        let (mut browser, token) = signed_in(&app, &admin).await;
        for path in ["/dashboard/users/999999/", "/dashboard/users/abc/"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text.contains("<h1>Not found</h1>"));
        }
        let post = browser.post_form("/dashboard/users/999999/", &[("csrf_token", &token), ("role", "staff")]).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
    }
}
