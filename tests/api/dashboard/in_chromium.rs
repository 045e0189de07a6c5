//! The dashboard in a real browser (Chromium, `chromium.rs`): keyboard-only sign-in, the roles
//! and CSRF refusals as a person meets them, the overview's chart drawn by the vendored scripts
//! under the pages' Content-Security-Policy, and the screenshots docs/dashboard.md shows.

use fantoccini::key::Key;

use super::chromium::Chromium;
use crate::{
    browser_test,
    fixtures::place_order,
    helpers::{TestApp, PASSWORD},
};

browser_test! {
    async fn keyboard_only_sign_in_reaches_the_overview_and_its_chart_is_drawn(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let desk = app.product().title("Oak Desk").price_cents(12_345).create().await;
        place_order(&app, &buyer, &[(desk, 1)]).await;
        let chromium = Chromium::start(&app).await;
        chromium.open("/dashboard/login/").await;
        chromium.screenshot("sign-in").await;
        // The email field has the focus on arrival; Tab reaches the password, Enter submits.
        let focused = chromium.client.active_element().await.unwrap();
        assert_eq!(focused.attr("name").await.unwrap().as_deref(), Some("email"));
        let keys = format!("{}{}{PASSWORD}{}", staff.email, char::from(Key::Tab), char::from(Key::Enter));
        focused.send_keys(&keys).await.unwrap();
        chromium.expect_heading("Overview").await;
        assert_eq!(chromium.path().await, "/dashboard/");
        assert_eq!(chromium.text("#revenue").await, "123.45");
        // uPlot draws into the chart's element: the vendored scripts ran under the CSP.
        chromium.find("[data-chart] .uplot canvas").await;
        chromium.screenshot("overview").await;
        chromium.close().await;
    }

    async fn a_customer_is_refused_in_the_browser(app: TestApp) {
        let customer = app.create_customer().await;
        let chromium = Chromium::start(&app).await;
        chromium.sign_in(&customer.email, PASSWORD).await;
        chromium.expect_heading("Not allowed").await;
        chromium.open("/dashboard/").await;
        chromium.expect_heading("Sign in").await;
        chromium.close().await;
    }

    async fn a_form_whose_csrf_token_is_removed_is_refused_in_the_browser(app: TestApp) {
        let staff = app.create_staff().await;
        let chromium = Chromium::start(&app).await;
        chromium.sign_in(&staff.email, PASSWORD).await;
        chromium.expect_heading("Overview").await;
        chromium
            .client
            .execute("document.querySelector('.sign-out [name=csrf_token]').remove()", vec![])
            .await
            .unwrap();
        chromium.click("Sign out").await;
        chromium.expect_heading("Form expired").await;
        chromium.open("/dashboard/").await;
        chromium.expect_heading("Overview").await;
        chromium.close().await;
    }
}
