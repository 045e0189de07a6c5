//! nginx in front: load spreading, TLS and the redirect, media and body limits.

use std::{collections::BTreeSet, process::Command};

use reqwest::Method;
use serde_json::Value;

use crate::support::{call, client, header, Cluster};

pub async fn nginx_spreads_requests_over_both_instances(cluster: &Cluster) {
    let client = client(10);
    let mut upstreams = BTreeSet::new();
    for _ in 0..10 {
        let answer = call(
            &client,
            Method::GET,
            &format!("{}/health/", cluster.nginx()),
            None,
            None,
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["database"], "ok");
        assert_eq!(answer.body["cache"], "ok");
        upstreams.insert(header(&answer, "x-upstream").to_owned());
    }
    let expected: BTreeSet<String> = ["A", "B"]
        .iter()
        .map(|w| cluster.instance(w).trim_start_matches("http://").to_owned())
        .collect();
    assert_eq!(upstreams, expected);
}

/// One request with curl (the tests' reqwest has no TLS stack): `(status line + headers, body)`.
fn curl(args: &[&str]) -> (String, String) {
    let output = Command::new("curl")
        .args(["-sS", "-D", "-"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    (head.to_ascii_lowercase(), body.to_owned())
}

pub async fn tls_is_terminated_by_nginx_and_plain_http_redirects_to_https(cluster: &Cluster) {
    let https = format!("https://localhost:{}", cluster.get("HTTPS_PORT"));
    let (head, body) = curl(&[
        "--cacert",
        cluster.get("CERT"),
        "-H",
        "X-Request-Id: cluster-tls-1",
        &format!("{https}/api/v1/products/?page=1"),
    ]);
    assert!(head.starts_with("http/2 200"), "{head}");
    // The app believed nginx's X-Forwarded-Proto: HSTS is only sent for HTTPS.
    assert!(
        head.contains("strict-transport-security: max-age="),
        "{head}"
    );
    assert!(head.contains("x-request-id: cluster-tls-1"), "{head}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["count"], 0);

    let (head, _) = curl(&[&format!(
        "http://localhost:{}/api/v1/products/?page=2",
        cluster.get("HTTP_PORT")
    )]);
    assert!(head.starts_with("http/1.1 301"), "{head}");
    assert!(
        head.contains("location: https://localhost/api/v1/products/?page=2"),
        "{head}"
    );

    // Over plain HTTP (no TLS at the edge) the app sends no HSTS.
    let answer = call(
        &client(11),
        Method::GET,
        &format!("{}/api/v1/products/", cluster.nginx()),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers.get("strict-transport-security").is_none());
}

pub async fn uploaded_images_are_served_by_nginx_and_oversized_bodies_refused_there(
    cluster: &Cluster,
) {
    let token = cluster.staff_token().await;
    let id = cluster.create_product(&token, "Cluster Poster", 3).await;
    let nginx = cluster.nginx();
    let staff = client(20);
    let mut png = Vec::new();
    let pixels =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let upload = |bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("poster.png")
            .mime_str("image/png")
            .unwrap();
        staff
            .post(format!("{nginx}/api/v1/products/{id}/images/"))
            .bearer_auth(&token)
            .multipart(reqwest::multipart::Form::new().part("image", part))
            .send()
    };

    let response = upload(png).await.unwrap();
    assert_eq!(response.status(), 201);
    let image: Value = response.json().await.unwrap();
    // The URL is absolute (https://host/media/...); fetch its path through nginx.
    let url = image["url"].as_str().unwrap();
    let path = &url[url.find("/media/").unwrap_or_else(|| panic!("{url}"))..];
    let file = staff.get(format!("{nginx}{path}")).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert!(
        file.headers().get("x-upstream").is_none(),
        "nginx served the file itself, no instance did"
    );
    let content_type = file.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("image/"), "{content_type}");
    let on_disk = std::fs::read(cluster.media_root().join(&path["/media/".len()..])).unwrap();
    assert_eq!(
        file.bytes().await.unwrap(),
        on_disk,
        "nginx serves MEDIA_ROOT's file"
    );

    // Above the app's upload limit (5 MiB + 64 KiB) nginx answers, in the API's error format.
    let response = upload(vec![0; 5 * 1024 * 1024 + 100 * 1024]).await.unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.headers().get("x-upstream").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");
}
