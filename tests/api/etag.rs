//! `ETag` + `If-None-Match` → `304` on anonymous catalog reads.

use serde_json::json;

use crate::api_test;
use crate::helpers::TestApp;

async fn get_if_none_match(app: &TestApp, path: &str, tag: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/api/v1/{path}", app.address))
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap()
}

api_test! {
    async fn a_matching_tag_answers_304_until_staff_edit_the_product(app: TestApp) {
        let product = app.product().price_cents(1500).stock(4).create().await;
        let staff = app.create_staff().await;
        let path = format!("products/{product}/");

        let first = app.get(&path).await;
        assert_eq!(first.status, 200);
        let tag = first.headers["etag"].to_str().unwrap().to_owned();
        assert!(
            tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34,
            "{tag}"
        );
        assert_eq!(
            app.get(&path).await.headers["etag"],
            tag.as_str(),
            "stable for one body"
        );

        let revalidated = get_if_none_match(&app, &path, &tag).await;
        assert_eq!(revalidated.status(), 304);
        assert_eq!(revalidated.headers()["etag"], tag.as_str());
        assert!(revalidated.bytes().await.unwrap().is_empty());
        assert_eq!(
            get_if_none_match(&app, &path, "\"stale\"").await.status(),
            200
        );

        let list_tag = app.get("products/").await.headers["etag"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            get_if_none_match(&app, "products/", &list_tag)
                .await
                .status(),
            304
        );

        let edit = app
            .patch_as(&path, &staff.token, &json!({"price": "17.00"}))
            .await;
        assert_eq!(edit.status, 200, "{}", edit.text);
        let changed = get_if_none_match(&app, &path, &tag).await;
        assert_eq!(changed.status(), 200);
        assert_ne!(changed.headers()["etag"], tag.as_str());
        let body: serde_json::Value = changed.json().await.unwrap();
        assert_eq!(body["price"], "17.00");
        assert_eq!(
            get_if_none_match(&app, "products/", &list_tag)
                .await
                .status(),
            200
        );
    }

    async fn authenticated_and_non_catalog_reads_carry_no_tag(app: TestApp) {
        let product = app.product().price_cents(1500).stock(4).create().await;
        let user = app.create_customer().await;
        let response = app
            .get_as(&format!("products/{product}/"), &user.token)
            .await;
        assert_eq!(response.status, 200);
        assert!(response.headers.get("etag").is_none());
        assert!(app
            .get_as("cart/", &user.token)
            .await
            .headers
            .get("etag")
            .is_none());
        assert!(
            app.get("products/999999/")
                .await
                .headers
                .get("etag")
                .is_none(),
            "404s untagged"
        );
    }
}
