//! The images section: an upload (its CSRF token the first part) is the API's image, with its
//! checks; a new order and a delete are seen through the API.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::{
    header,
    multipart::{Form, Part},
    StatusCode,
};
use serde_json::Value;

use super::{csrf, signed_in};
use crate::{
    api_test,
    dashboard::Browser,
    fixtures::{add_image, count_rows},
    helpers::{TestApp, TestUser},
};

/// A small PNG of one colour.
fn png(shade: u8) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 30, Rgb([shade, 90, 160])));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .unwrap();
    bytes
}

/// Posts the upload form as a browser does: `csrf_token` (when given) first, then the file and
/// its alt text. Answers the status, the `Location` and the page.
async fn upload(
    app: &TestApp,
    browser: &Browser<'_>,
    product: i64,
    token: Option<&str>,
    file: Vec<u8>,
    alt_text: &str,
) -> (StatusCode, String, String) {
    let mut form = Form::new();
    if let Some(token) = token {
        form = form.text("csrf_token", token.to_owned());
    }
    let part = Part::bytes(file)
        .file_name("photo.png")
        .mime_str("image/png")
        .unwrap();
    form = form
        .part("image", part)
        .text("alt_text", alt_text.to_owned());
    let cookie = browser
        .cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    let response = app
        .client
        .post(format!(
            "{}/dashboard/products/{product}/images/",
            app.address
        ))
        .header(header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The product's images as the API lists them.
async fn api_images(app: &TestApp, staff: &TestUser, product: i64) -> Vec<Value> {
    let body = app
        .get_as(&format!("products/{product}/"), &staff.token)
        .await
        .body;
    body["images"].as_array().unwrap().clone()
}

api_test! {
    async fn uploaded_images_are_the_apis_and_can_be_reordered_and_deleted(app: TestApp) {
        let product = app.product().create().await;
        let (staff, mut browser) = signed_in(&app).await;
        let token = csrf(&mut browser).await;
        for (shade, alt_text) in [(10, "Front"), (200, "Back")] {
            let (status, location, text) =
                upload(&app, &browser, product, Some(&token), png(shade), alt_text).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
            assert_eq!(location, format!("/dashboard/products/{product}/?uploaded=1"));
        }
        let images = api_images(&app, &staff, product).await;
        let alts: Vec<&str> = images.iter().map(|i| i["alt_text"].as_str().unwrap()).collect();
        assert_eq!(alts, ["Front", "Back"]);
        let ids: Vec<String> = images.iter().map(|i| i["id"].to_string()).collect();

        let page = browser.get(&format!("/dashboard/products/{product}/?uploaded=1")).await;
        assert!(page.text.contains("The image was uploaded."));
        let thumbnail = images[0]["thumbnail_url"].as_str().unwrap();
        let file = thumbnail.rsplit('/').next().unwrap();
        assert!(page.text.contains(file), "the thumbnail is shown: {}", page.text);
        assert!(page.text.contains(r#"alt="Front""#));
        assert!(page.text.contains("Move down") && page.text.contains("Move up"));

        let reordered = browser
            .post_form(
                &format!("/dashboard/products/{product}/images/order/"),
                &[("csrf_token", &token), ("image", &ids[1]), ("image", &ids[0])],
            )
            .await;
        assert_eq!(reordered.status, StatusCode::SEE_OTHER, "{}", reordered.text);
        let images = api_images(&app, &staff, product).await;
        let alts: Vec<&str> = images.iter().map(|i| i["alt_text"].as_str().unwrap()).collect();
        assert_eq!(alts, ["Back", "Front"]);

        let incomplete = browser
            .post_form(
                &format!("/dashboard/products/{product}/images/order/"),
                &[("csrf_token", &token), ("image", &ids[0])],
            )
            .await;
        assert_eq!(incomplete.status, StatusCode::BAD_REQUEST);
        assert!(incomplete.text.contains("The images have changed since this page was shown"));

        let deleted = browser
            .post_form(
                &format!("/dashboard/products/{product}/images/{}/delete/", ids[1]),
                &[("csrf_token", &token)],
            )
            .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        let images = api_images(&app, &staff, product).await;
        assert_eq!(images.len(), 1);
        assert_eq!(images[0]["alt_text"], "Front");
    }

    async fn a_file_that_is_not_an_image_is_refused_with_the_apis_message(app: TestApp) {
        let product = app.product().create().await;
        let (_, mut browser) = signed_in(&app).await;
        let token = csrf(&mut browser).await;
        let (status, _, text) = upload(
            &app,
            &browser,
            product,
            Some(&token),
            b"just some text".to_vec(),
            "Nothing",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains(nexus::product_images::INVALID_IMAGE), "{text}");
        assert!(text.contains(r#"id="image-error""#));
        assert_eq!(count_rows(&app, "product_images").await, 0);
    }

    async fn image_forms_without_the_csrf_token_change_nothing(app: TestApp) {
        let product = app.product().create().await;
        add_image(&app, product, "products/1/kept.jpg", 0).await;
        let image: i64 = sqlx::query_scalar("SELECT id FROM product_images")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let (_, mut browser) = signed_in(&app).await;
        let (status, _, _) = upload(&app, &browser, product, None, png(1), "Forged").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = upload(&app, &browser, product, Some("wrong"), png(1), "Forged").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let delete = browser
            .post_form(&format!("/dashboard/products/{product}/images/{image}/delete/"), &[])
            .await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN);
        assert_eq!(count_rows(&app, "product_images").await, 1);
        let unknown = browser.get(&format!("/dashboard/products/{product}/")).await;
        assert_eq!(unknown.status, StatusCode::OK);
        let token = unknown.csrf_token();
        let (status, _, _) = upload(&app, &browser, 999_999, Some(&token), png(1), "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
