//! Response compression: large JSON is gzip'd or brotli'd for clients that ask; small bodies
//! and clients that don't ask get identity.

use std::io::Read;

use crate::api_test;
use crate::helpers::TestApp;

async fn get_with_encoding(app: &TestApp, path: &str, encoding: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap()
}

api_test! {
    async fn a_large_product_list_is_gzipped_when_accepted(app: TestApp) {
        for _ in 0..6 {
            app.product().price_cents(1000).stock(1).create().await;
        }
        let plain = app.get("products/").await;
        assert_eq!(plain.status, 200);
        assert!(
            plain.headers.get("content-encoding").is_none(),
            "not asked, not compressed"
        );
        assert!(
            plain.text.len() > 1024,
            "the list is large enough: {}",
            plain.text.len()
        );

        let response = get_with_encoding(&app, "/api/v1/products/", "gzip").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert!(
            response.headers().get_all("vary").iter().any(|v| v
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding")),
            "caches told the body depends on Accept-Encoding"
        );
        let compressed = response.bytes().await.unwrap();
        assert!(compressed.len() < plain.text.len());
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_string(&mut decoded)
            .unwrap();
        let decoded: serde_json::Value = serde_json::from_str(&decoded).unwrap();
        assert_eq!(decoded["count"], plain.body["count"]);
        assert_eq!(decoded["results"], plain.body["results"]);

        let brotli = get_with_encoding(&app, "/api/v1/products/", "br").await;
        assert_eq!(brotli.headers()["content-encoding"], "br");
    }

    async fn small_responses_stay_uncompressed(app: TestApp) {
        let response = get_with_encoding(&app, "/health/liveness/", "gzip, br").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers().get("content-encoding").is_none());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "alive");
    }
}

/// `GET path` with the given request headers.
async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

api_test! {
    async fn cached_lists_are_stored_compressed_per_encoding_with_the_tag_of_their_json(
        app: TestApp,
    ) {
        for _ in 0..6 {
            app.product().price_cents(1000).stock(1).create().await;
        }
        let path = "/api/v1/products/";
        let plain = get_with(&app, path, &[]).await;
        assert_eq!(plain.headers()["x-cache"], "MISS");
        let tag = plain.headers()["etag"].to_str().unwrap().to_owned();
        let plain = plain.text().await.unwrap();

        // Another encoding is another entry: a miss, then a hit served as stored.
        let first = get_with(&app, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(first.headers()["x-cache"], "MISS");
        let hit = get_with(&app, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(hit.headers()["x-cache"], "HIT");
        assert_eq!(hit.headers()["content-encoding"], "gzip");
        assert_eq!(
            hit.headers()["etag"].to_str().unwrap(),
            tag,
            "one tag for every encoding of a body"
        );
        assert!(hit
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v == "accept-encoding"));
        let compressed = hit.bytes().await.unwrap();
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(
            decoded, plain,
            "the cached gzip body is the JSON the handler wrote"
        );

        let identity = get_with(&app, path, &[]).await;
        assert_eq!(identity.headers()["x-cache"], "HIT");
        assert!(identity.headers().get("content-encoding").is_none());
        assert_eq!(identity.text().await.unwrap(), plain);

        // Revalidating a cached, compressed answer: 304 with no body and no encoding.
        let revalidated = get_with(
            &app,
            path,
            &[("accept-encoding", "gzip"), ("if-none-match", &tag)],
        )
        .await;
        assert_eq!(revalidated.status(), 304);
        assert!(revalidated.headers().get("content-encoding").is_none());
        assert!(revalidated.bytes().await.unwrap().is_empty());
    }
}
