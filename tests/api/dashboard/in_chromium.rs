//! The dashboard in a real browser (Chromium, `chromium.rs`): keyboard-only sign-in, the roles
//! and CSRF refusals as a person meets them, the overview's chart drawn by the vendored scripts
//! under the pages' Content-Security-Policy, a staff member's whole journey (catalog, image,
//! stock, an order moved to shipped, a reported review hidden, the overview's figures), and the
//! screenshots docs/dashboard.md shows.

use fantoccini::key::Key;
use reqwest::StatusCode;
use serde_json::json;

use super::chromium::Chromium;
use crate::{
    browser_test,
    fixtures::{assert_stock, place_order},
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

browser_test! {
    async fn a_staff_member_runs_the_shop_from_the_dashboard(app: TestApp) {
        let admin = app.create_admin().await;
        let buyer = app.create_customer().await;
        let reporter = app.create_customer().await;
        let chromium = Chromium::start(&app).await;
        chromium.sign_in(&admin.email, PASSWORD).await;
        chromium.expect_heading("Overview").await;
        assert_eq!(chromium.text("#revenue").await, "0.00");

        // A category, then a product in it, through the forms.
        chromium.open("/dashboard/categories/new/").await;
        chromium.fill("name", "Desks").await;
        chromium.submit("/dashboard/categories/new/").await;
        chromium.wait_for_path("/dashboard/categories/").await;
        chromium.find(".notice").await;
        chromium.open("/dashboard/categories/").await;
        chromium.screenshot("categories").await;

        chromium.open("/dashboard/products/new/").await;
        chromium.fill("title", "Walnut Desk").await;
        chromium.fill("price", "199.00").await;
        chromium.choose("category", "Desks").await;
        chromium.fill("stock_quantity", "5").await;
        chromium.submit("/dashboard/products/new/").await;
        chromium.expect_heading("Walnut Desk").await;
        let path = chromium.path().await;
        let product: i64 = path["/dashboard/products/".len()..].split('/').next().unwrap().parse().unwrap();
        let public = app.get(&format!("products/{product}/")).await;
        assert_eq!(public.status, StatusCode::OK, "the new product is in the shop");
        assert_eq!(public.body["price"], "199.00");

        // An image, uploaded from a file as a person picks it.
        let picture = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
        std::fs::write(picture.path(), png(320, 200)).unwrap();
        chromium.find("input[name='image']").await.send_keys(&picture.path().display().to_string()).await.unwrap();
        chromium.submit(&format!("/dashboard/products/{product}/images/")).await;
        chromium.wait_for_path(&format!("/dashboard/products/{product}/?uploaded")).await;
        chromium.find(".product-images img").await;
        let images = app.get(&format!("products/{product}/")).await.body["images"].clone();
        assert_eq!(images.as_array().map(Vec::len), Some(1), "{images}");

        // Stock adjusted with a reason: a movement, as through the API.
        chromium.fill("delta", "3").await;
        chromium.fill("reason", "Restock from the supplier").await;
        chromium.submit(&format!("/dashboard/products/{product}/stock/")).await;
        chromium.wait_for_path(&format!("/dashboard/products/{product}/?")).await;
        chromium.find("//td[normalize-space()='Restock from the supplier']").await;
        assert_stock(&app, product, 8).await;
        chromium.screenshot("product").await;
        chromium.open("/dashboard/products/").await;
        chromium.screenshot("products").await;

        // A customer orders through the API; staff move the order along to shipped.
        let order = place_order(&app, &buyer, &[(product, 2)]).await;
        let order_id = order["id"].as_i64().unwrap();
        let number = order["order_number"].as_str().unwrap().to_owned();
        chromium.open("/dashboard/orders/").await;
        chromium.find(&format!("//a[normalize-space()='{number}']")).await;
        chromium.screenshot("orders").await;
        chromium.open(&format!("/dashboard/orders/{order_id}/")).await;
        for status in ["processing", "shipped"] {
            chromium.choose_value("status", status).await;
            chromium.submit(&format!("/dashboard/orders/{order_id}/status/")).await;
            chromium.wait_for_path(&format!("/dashboard/orders/{order_id}/?moved")).await;
            chromium.find(".notice").await;
            // The next form is for the next state: open the page afresh for it.
            chromium.open(&format!("/dashboard/orders/{order_id}/")).await;
        }
        chromium.screenshot("order").await;
        let seen = app.get_as(&format!("orders/{order_id}/"), &buyer.token).await;
        assert_eq!(seen.body["status"], "shipped");
        let notices = app.get_as("notifications/", &buyer.token).await.body;
        assert!(notices.to_string().contains("shipped"), "the customer is told: {notices}");

        // A reported review, hidden by staff.
        let review = app
            .post_as("reviews/", &buyer.token, &json!({"product": product, "rating": 1, "comment": "Wobbly legs"}))
            .await;
        assert_eq!(review.status, StatusCode::CREATED, "{}", review.text);
        let review_id = review.body["id"].as_i64().unwrap();
        let report = app
            .post_as(&format!("reviews/{review_id}/report/"), &reporter.token, &json!({"reason": "spam"}))
            .await;
        assert!(report.status.is_success(), "{}", report.text);
        chromium.open("/dashboard/reviews/").await;
        chromium.find("//*[contains(normalize-space(), 'Wobbly legs')]").await;
        chromium.screenshot("reviews").await;
        chromium.submit(&format!("/dashboard/reviews/{review_id}/hide/")).await;
        chromium.wait_for_path("/dashboard/reviews/").await;
        chromium.find(".notice").await;
        let public_reviews = app.get(&format!("reviews/product/{product}/")).await.body;
        assert!(!public_reviews.to_string().contains("Wobbly legs"), "{public_reviews}");

        // The overview's figures moved with the order; the other sections for the pictures.
        chromium.open("/dashboard/").await;
        assert_eq!(chromium.text("#revenue").await, "398.00");
        assert_eq!(chromium.text("#orders").await, "1");
        for (path, name) in [
            ("/dashboard/brands/", "brands"),
            ("/dashboard/users/", "users"),
            ("/dashboard/jobs/", "jobs"),
            ("/dashboard/requests/", "requests"),
            ("/dashboard/contracts/", "contracts"),
            ("/dashboard/providers/", "providers"),
        ] {
            chromium.open(path).await;
            chromium.find("h1").await;
            chromium.screenshot(name).await;
        }
        chromium.close().await;
    }
}

/// A `width` × `height` PNG, as a camera or an editor would save it.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 160])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}
