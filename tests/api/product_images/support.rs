//! Fixtures for the product image tests: images generated in
//! memory (including an EXIF-carrying JPEG and a PNG header announcing a bomb), multipart uploads.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{TestApp, TestResponse};

pub fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// An opaque RGB image with a gradient (so encoders have something to encode).
pub fn photo(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }))
}

/// Incompressible pixels: a PNG of these is about 3 bytes per pixel.
pub fn noise(width: u32, height: u32) -> DynamicImage {
    let mut state: u32 = 0x1234_5678;
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |_, _| {
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        };
        Rgb([next(), next(), next()])
    }))
}

/// A JPEG carrying an APP1 Exif block with orientation 6 ("rotate 90° clockwise") and a
/// description that stands in for GPS coordinates or a camera serial number.
pub fn jpeg_with_exif(width: u32, height: u32, secret: &str) -> Vec<u8> {
    let jpeg = encode(photo(width, height), ImageFormat::Jpeg);
    let mut text = secret.as_bytes().to_vec();
    text.push(0);
    // TIFF header (big-endian), IFD0 at offset 8 with two entries, then the string's bytes.
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    // 0x0112 Orientation, SHORT, count 1, value 6.
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0]);
    // 0x010E ImageDescription, ASCII, count n, at offset 8 + 2 + 2 * 12 + 4 = 38.
    tiff.extend_from_slice(&[0x01, 0x0e, 0x00, 0x02]);
    tiff.extend_from_slice(&(text.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&38u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(&text);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A valid 1×1 PNG whose IHDR is patched to announce `width`×`height` (CRC fixed up): a few
/// dozen bytes that would need 40 GB to decode.
pub fn png_announcing(width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(photo(1, 1), ImageFormat::Png);
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Posts a multipart form with an `image` part (when given) and extra text parts.
pub async fn upload(
    app: &TestApp,
    product_id: i64,
    token: Option<&str>,
    file: Option<(&str, &str, Vec<u8>)>,
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut form = Form::new();
    if let Some((name, content_type, bytes)) = file {
        let part = Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(content_type)
            .unwrap();
        form = form.part("image", part);
    }
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let mut request = app
        .client
        .post(format!(
            "{}/api/v1/products/{product_id}/images/",
            app.address
        ))
        .multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    into_test_response(request.send().await.expect("the server answers")).await
}

pub async fn into_test_response(response: reqwest::Response) -> TestResponse {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    TestResponse {
        status,
        headers,
        body,
        text,
    }
}

/// GETs an absolute URL: status, content type and bytes.
pub async fn fetch(app: &TestApp, url: &str) -> (u16, String, Vec<u8>) {
    let response = app.client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// The file behind a URL this app serves.
pub fn stored_path(app: &TestApp, url: &str) -> std::path::PathBuf {
    let key = url
        .strip_prefix(&format!("{}/media/", app.address))
        .unwrap_or_else(|| panic!("{url} is under {}/media/", app.address));
    app.media_dir.join(key)
}

pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

pub async fn image_rows(app: &TestApp, product_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}
