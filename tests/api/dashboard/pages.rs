//! What every section shares: the menu, and the 404 page inside the dashboard.

use reqwest::StatusCode;

use super::Browser;
use crate::{api_test, helpers::TestApp};

api_test! {
    async fn an_unknown_dashboard_address_is_the_dashboards_own_404_page(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        let signed_out = browser.get("/dashboard/no/such/page/").await;
        assert_eq!(signed_out.status, StatusCode::NOT_FOUND);
        assert!(signed_out.text.contains("<h1>Not found</h1>"), "{}", signed_out.text);
        assert!(!signed_out.text.contains("Sections"), "no menu without a session");

        browser.sign_in(&staff.email).await;
        let signed_in = browser.get("/dashboard/no/such/page/").await;
        assert_eq!(signed_in.status, StatusCode::NOT_FOUND);
        assert!(signed_in.text.contains("<h1>Not found</h1>"));
        assert!(signed_in.text.contains(r#"aria-label="Sections""#), "the menu is there");
        assert!(signed_in.text.starts_with("<!doctype html>"));
    }

    async fn only_admins_see_users_in_the_menu(app: TestApp) {
        let staff = app.create_staff().await;
        let admin = app.create_admin().await;
        let mut as_staff = Browser::new(&app);
        as_staff.sign_in(&staff.email).await;
        let page = as_staff.get("/dashboard/").await;
        assert!(page.text.contains(r#"href="/dashboard/orders/""#), "{}", page.text);
        assert!(page.text.contains(r#"href="/dashboard/" aria-current="page""#));
        assert!(!page.text.contains(r#"href="/dashboard/users/""#));

        let mut as_admin = Browser::new(&app);
        as_admin.sign_in(&admin.email).await;
        let page = as_admin.get("/dashboard/").await;
        assert!(page.text.contains(r#"href="/dashboard/users/""#));
    }
}
