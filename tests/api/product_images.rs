//! Product image upload and delete (`products/{id}/images/`), file serving under `/media/`, and
//! the image list the catalog renders.

mod shapes;
mod support;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use nexus::product_images::{self, INVALID_IMAGE};
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::TestResponse;
use support::*;

api_test! {
    async fn staff_upload_answers_201_with_absolute_urls_to_served_files(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = encode(photo(800, 600), ImageFormat::Png);
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("front.png", "image/png", png)),
            &[("alt_text", "Front view")],
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let body = &response.body;
        let mut keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["alt_text", "id", "position", "thumbnail_url", "url"]);
        assert!(
            response.text.starts_with("{\"id\":"),
            "fields in SPEC order: {}",
            response.text
        );
        assert!(body["id"].is_i64());
        assert_eq!(body["alt_text"], "Front view");
        assert_eq!(body["position"], 0, "the first image goes first");
        let url = body["url"].as_str().unwrap();
        let thumbnail_url = body["thumbnail_url"].as_str().unwrap();
        let folder = format!("{}/media/products/{product}/", app.address);
        assert!(url.starts_with(&folder) && url.ends_with(".jpg"), "{url}");
        assert!(
            thumbnail_url.starts_with(&folder) && thumbnail_url.ends_with("-thumb.jpg"),
            "{thumbnail_url}"
        );
        assert!(
            !url.contains("front"),
            "keys are ours, never the client's file name: {url}"
        );

        let (status, content_type, image_bytes) = fetch(&app, url).await;
        assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
        assert_eq!(image_bytes, std::fs::read(stored_path(&app, url)).unwrap());
        let image = image::load_from_memory(&image_bytes).unwrap();
        assert_eq!((image.width(), image.height()), (800, 600));

        let (status, _, thumb_bytes) = fetch(&app, thumbnail_url).await;
        assert_eq!(status, 200);
        let thumb = image::load_from_memory(&thumb_bytes).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 240));
        assert!(thumb_bytes.len() < image_bytes.len());
        assert_eq!(image_rows(&app, product).await, 1);
    }

    async fn positions_default_to_after_the_last_image(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = || {
            Some((
                "a.png",
                "image/png",
                encode(photo(10, 10), ImageFormat::Png),
            ))
        };
        assert_eq!(
            upload(&app, product, Some(&staff.token), png(), &[])
                .await
                .body["position"],
            0
        );
        assert_eq!(
            upload(
                &app,
                product,
                Some(&staff.token),
                png(),
                &[("position", "7")]
            )
            .await
            .body["position"],
            7
        );
        assert_eq!(
            upload(&app, product, Some(&staff.token), png(), &[])
                .await
                .body["position"],
            8
        );
        let bad = upload(
            &app,
            product,
            Some(&staff.token),
            png(),
            &[("position", "-1")],
        )
        .await;
        assert_eq!(bad.status, 400);
        assert_eq!(
            bad.body,
            json!({"position": ["Ensure this value is greater than or equal to 0."]})
        );
    }

    async fn exif_metadata_is_stripped_and_its_orientation_applied(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let jpeg = jpeg_with_exif(60, 30, "GPS 51.5007N 0.1246W serial 4242");
        assert!(
            contains(&jpeg, b"Exif") && contains(&jpeg, b"serial 4242"),
            "the upload really carries EXIF"
        );
        assert!(
            image::load_from_memory(&jpeg).is_ok(),
            "and is a valid JPEG"
        );
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("photo.jpg", "image/jpeg", jpeg)),
            &[],
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.text);
        for field in ["url", "thumbnail_url"] {
            let stored =
                std::fs::read(stored_path(&app, response.body[field].as_str().unwrap())).unwrap();
            assert!(
                !contains(&stored, b"Exif"),
                "{field}: no EXIF block is left"
            );
            assert!(
                !contains(&stored, b"serial 4242"),
                "{field}: no metadata text is left"
            );
            let image = image::load_from_memory(&stored).unwrap();
            assert_eq!(
                (image.width(), image.height()),
                (30, 60),
                "{field}: rotated upright as EXIF asked"
            );
        }
    }

    async fn gif_and_webp_are_accepted_and_transparency_is_kept(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let gif = encode(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(50, 40, Rgba([255, 0, 0, 255]))),
            ImageFormat::Gif,
        );
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("a.gif", "image/gif", gif)),
            &[],
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let (status, content_type, bytes) =
            fetch(&app, response.body["url"].as_str().unwrap()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "image/png"),
            "GIF decodes with alpha, stored as PNG"
        );
        assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 50);

        let webp = encode(photo(64, 48), ImageFormat::WebP);
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("a.webp", "image/webp", webp)),
            &[],
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let (status, _, bytes) = fetch(&app, response.body["url"].as_str().unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(image::load_from_memory(&bytes).unwrap().height(), 48);

        let logo = encode(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 20, Rgba([0, 0, 255, 100]))),
            ImageFormat::Png,
        );
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("logo.png", "image/png", logo)),
            &[],
        )
        .await;
        let (_, content_type, bytes) = fetch(&app, response.body["url"].as_str().unwrap()).await;
        assert_eq!(content_type, "image/png");
        assert_eq!(
            image::load_from_memory(&bytes)
                .unwrap()
                .to_rgba8()
                .get_pixel(3, 3)[3],
            100,
            "alpha survives"
        );
    }

    async fn a_text_file_named_png_is_not_an_image(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let text = b"just some text, honestly not a picture\n".to_vec();
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("photo.png", "image/png", text)),
            &[],
        )
        .await;
        assert_eq!(response.status, 400);
        assert_eq!(response.body, json!({"image": [INVALID_IMAGE]}));
        let mut truncated = encode(photo(100, 100), ImageFormat::Png);
        truncated.truncate(truncated.len() / 2);
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("photo.png", "image/png", truncated)),
            &[],
        )
        .await;
        assert_eq!(
            response.body,
            json!({"image": [INVALID_IMAGE]}),
            "a corrupted image too"
        );
        assert_eq!(image_rows(&app, product).await, 0);
        assert!(files_under(&app.media_dir).is_empty());
    }

    async fn a_decompression_bomb_is_refused_from_its_header(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let bomb = png_announcing(100_000, 100_000);
        assert!(bomb.len() < 100, "a tiny file");
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("bomb.png", "image/png", bomb)),
            &[],
        )
        .await;
        assert_eq!(response.status, 400);
        let message = response.body["image"][0].as_str().unwrap();
        // This message comes only from the header check, which runs before any decoding.
        assert!(
            message.starts_with("Image dimensions 100000×100000 are too large"),
            "{message}"
        );
        let wide = png_announcing(12_000, 10);
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("wide.png", "image/png", wide)),
            &[],
        )
        .await;
        assert_eq!(response.status, 400, "a side over 10,000 px");
        assert_eq!(image_rows(&app, product).await, 0);
        assert!(files_under(&app.media_dir).is_empty());
    }

    async fn uploads_over_5_mb_answer_413_and_up_to_5_mb_are_read(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        // Over the global 1 MB JSON limit but under 5 MB: the upload route's own limit applies.
        let big_png = encode(noise(800, 800), ImageFormat::Png);
        assert!(big_png.len() > 1024 * 1024 && big_png.len() < 5 * 1024 * 1024);
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("big.png", "image/png", big_png)),
            &[],
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.text);

        for size in [5 * 1024 * 1024 + 1, 6 * 1024 * 1024] {
            let response = upload(
                &app,
                product,
                Some(&staff.token),
                Some(("huge.png", "image/png", vec![0u8; size])),
                &[],
            )
            .await;
            assert_eq!(response.status, 413, "{size} bytes");
            assert_eq!(response.body["code"], "payload_too_large");
            assert!(response.detail().contains("5 MB"), "{}", response.text);
        }
        assert_eq!(image_rows(&app, product).await, 1);
    }

    async fn form_mistakes_answer_like_drf(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            None,
            &[("alt_text", "x")],
        )
        .await;
        assert_eq!(response.status, 400);
        assert_eq!(response.body, json!({"image": ["No file was submitted."]}));
        let response = app
            .post_as(
                &format!("products/{product}/images/"),
                &staff.token,
                &json!({"image": "aGVsbG8="}),
            )
            .await;
        assert_eq!(response.status, 415);
        assert_eq!(response.body["code"], "unsupported_media_type");
        assert_eq!(
            response.detail(),
            "Unsupported media type \"application/json\" in request."
        );
    }

    async fn only_staff_may_upload_or_delete(app: TestApp) {
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = || {
            Some((
                "a.png",
                "image/png",
                encode(photo(10, 10), ImageFormat::Png),
            ))
        };
        let anonymous = upload(&app, product, None, png(), &[]).await;
        assert_eq!(anonymous.status, 401);
        assert!(anonymous.headers.contains_key("www-authenticate"));
        assert_eq!(
            upload(&app, product, Some(&customer.token), png(), &[])
                .await
                .status,
            403
        );
        let created = upload(&app, product, Some(&staff.token), png(), &[]).await;
        let path = format!("products/{product}/images/{}/", created.body["id"]);
        assert_eq!(
            app.request(reqwest::Method::DELETE, &path, None, None)
                .await
                .status,
            401
        );
        assert_eq!(app.delete_as(&path, &customer.token).await.status, 403);
        assert_eq!(image_rows(&app, product).await, 1);

        let admin = app.create_admin().await;
        let created = upload(&app, product, Some(&admin.token), png(), &[]).await;
        assert_eq!(created.status, 201, "admins have staff rights");
        let path = format!("products/{product}/images/{}/", created.body["id"]);
        assert_eq!(app.delete_as(&path, &admin.token).await.status, 204);
    }

    async fn images_are_replaced_not_edited(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = Some((
            "a.png",
            "image/png",
            encode(photo(10, 10), ImageFormat::Png),
        ));
        let created = upload(&app, product, Some(&staff.token), png, &[]).await;
        let path = format!("products/{product}/images/{}/", created.body["id"]);
        let put = app
            .put_as(&path, &staff.token, &json!({"alt_text": "x"}))
            .await;
        assert_eq!(put.status, 405);
        assert_eq!(put.detail(), "Method \"PUT\" not allowed.");
        assert_eq!(
            app.patch_as(&path, &staff.token, &json!({"alt_text": "x"}))
                .await
                .status,
            405
        );
    }

    async fn unknown_products_and_other_products_images_are_not_found(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let other = app.product().price_cents(1999).create().await;
        let png = || {
            Some((
                "a.png",
                "image/png",
                encode(photo(10, 10), ImageFormat::Png),
            ))
        };
        let response = upload(&app, 999_999, Some(&staff.token), png(), &[]).await;
        assert_eq!(response.status, 404);
        assert_eq!(response.body["detail"], "Not found.");
        let created = upload(&app, product, Some(&staff.token), png(), &[]).await;
        let id = created.body["id"].as_i64().unwrap();
        assert_eq!(
            app.delete_as(&format!("products/{other}/images/{id}/"), &staff.token)
                .await
                .status,
            404
        );
        assert_eq!(
            app.delete_as(
                &format!("products/{product}/images/{}/", id + 1000),
                &staff.token
            )
            .await
            .status,
            404
        );
        assert_eq!(image_rows(&app, product).await, 1, "nothing was deleted");
    }

    async fn delete_removes_the_row_and_both_files(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = Some((
            "a.png",
            "image/png",
            encode(photo(400, 400), ImageFormat::Png),
        ));
        let created = upload(&app, product, Some(&staff.token), png, &[]).await;
        let urls = [
            created.body["url"].as_str().unwrap(),
            created.body["thumbnail_url"].as_str().unwrap(),
        ];
        for url in urls {
            assert_eq!(fetch(&app, url).await.0, 200);
        }
        let response = app
            .delete_as(
                &format!("products/{product}/images/{}", created.body["id"]),
                &staff.token,
            )
            .await;
        assert_eq!(response.status, 204);
        assert_eq!(image_rows(&app, product).await, 0);
        for url in urls {
            assert!(!stored_path(&app, url).exists());
            let (status, _, body) = fetch(&app, url).await;
            assert_eq!(status, 404);
            assert_eq!(
                serde_json::from_slice::<Value>(&body).unwrap()["code"],
                "not_found"
            );
        }
        let again = app
            .delete_as(
                &format!("products/{product}/images/{}/", created.body["id"]),
                &staff.token,
            )
            .await;
        assert_eq!(again.status, 404);
    }

    async fn media_outside_stored_files_is_not_served(app: TestApp) {
        std::fs::create_dir_all(&app.media_dir).unwrap();
        std::fs::write(app.media_dir.parent().unwrap().join("secret.txt"), "secret").unwrap();
        for path in [
            "/media/../secret.txt",
            "/media/%2e%2e/secret.txt",
            "/media/products/",
            "/media/nope.jpg",
        ] {
            let response = app.get(path).await;
            assert_eq!(response.status, 404, "{path}");
            assert!(!response.text.contains("secret"), "{path}");
        }
        let post = app
            .request(reqwest::Method::POST, "/media/nope.jpg", None, None)
            .await;
        assert_eq!(post.status, 405);
        assert_eq!(post.body["code"], "method_not_allowed");
    }

    async fn images_for_products_renders_a_page_in_one_call(app: TestApp) {
        let staff = app.create_staff().await;
        let first = app.product().price_cents(1999).create().await;
        let second = app.product().price_cents(1999).create().await;
        let bare = app.product().price_cents(1999).create().await;
        let png = || {
            Some((
                "a.png",
                "image/png",
                encode(photo(10, 10), ImageFormat::Png),
            ))
        };
        let back = upload(
            &app,
            first,
            Some(&staff.token),
            png(),
            &[("position", "2"), ("alt_text", "Back")],
        )
        .await;
        let front = upload(
            &app,
            first,
            Some(&staff.token),
            png(),
            &[("position", "1"), ("alt_text", "Front")],
        )
        .await;
        let side = upload(
            &app,
            first,
            Some(&staff.token),
            png(),
            &[("position", "2"), ("alt_text", "Side")],
        )
        .await;
        let only = upload(&app, second, Some(&staff.token), png(), &[]).await;
        let state = app.state();
        let images = product_images::images_for_products(
            &app.db,
            state.media.as_ref(),
            "https://shop.example",
            &[first, second, bare],
        )
        .await
        .unwrap();
        let ids = |product: i64| images[&product].iter().map(|i| i.id).collect::<Vec<_>>();
        let id = |response: &TestResponse| response.body["id"].as_i64().unwrap();
        assert_eq!(
            ids(first),
            [id(&front), id(&back), id(&side)],
            "by position, then id"
        );
        assert_eq!(ids(second), [id(&only)]);
        assert!(images[&bare].is_empty());
        let view = serde_json::to_value(&images[&first][0]).unwrap();
        assert_eq!(view["alt_text"], "Front");
        let path = front.body["url"]
            .as_str()
            .unwrap()
            .strip_prefix(&app.address)
            .unwrap();
        assert_eq!(view["url"], format!("https://shop.example{path}"));
        assert_eq!(
            view,
            json!({
                "id": id(&front),
                "url": view["url"],
                "thumbnail_url": view["thumbnail_url"],
                "alt_text": "Front",
                "position": 1,
            })
        );
    }

    async fn deleting_a_product_through_the_api_removes_its_files(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let kept = app.product().price_cents(1999).create().await;
        let png = || {
            Some((
                "a.png",
                "image/png",
                encode(photo(10, 10), ImageFormat::Png),
            ))
        };
        upload(&app, product, Some(&staff.token), png(), &[]).await;
        upload(&app, product, Some(&staff.token), png(), &[]).await;
        upload(&app, kept, Some(&staff.token), png(), &[]).await;
        assert_eq!(files_under(&app.media_dir).len(), 6);
        let response = app
            .delete_as(&format!("products/{product}/"), &staff.token)
            .await;
        assert_eq!(response.status, 204);
        assert_eq!(image_rows(&app, product).await, 0, "rows cascade");
        let left = files_under(&app.media_dir);
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left
            .iter()
            .all(|p| p.to_str().unwrap().contains(&format!("products/{kept}/"))));
    }

    async fn the_product_lists_its_uploaded_images_first_image_first(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = || {
            Some((
                "a.png",
                "image/png",
                encode(photo(10, 10), ImageFormat::Png),
            ))
        };
        let second = upload(
            &app,
            product,
            Some(&staff.token),
            png(),
            &[("position", "2")],
        )
        .await;
        let first = upload(
            &app,
            product,
            Some(&staff.token),
            png(),
            &[("position", "1")],
        )
        .await;
        let detail = app
            .get_as(&format!("products/{product}/"), &staff.token)
            .await;
        assert_eq!(detail.status, 200);
        assert_eq!(detail.body["image"], first.body["url"]);
        let ids: Vec<&Value> = detail.body["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["id"])
            .collect();
        assert_eq!(ids, [&first.body["id"], &second.body["id"]]);
        assert_eq!(
            detail.body["images"][0], first.body,
            "the same object the upload answered"
        );
    }

    async fn an_alt_text_holding_nul_is_a_400(app: TestApp) {
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1999).create().await;
        let png = encode(photo(80, 60), ImageFormat::Png);
        let response = upload(
            &app,
            product,
            Some(&staff.token),
            Some(("front.png", "image/png", png)),
            &[("alt_text", "Front\0view")],
        )
        .await;
        assert_eq!(response.status, 400, "{}", response.text);
        assert_eq!(
            response.body,
            json!({"alt_text": ["Null characters are not allowed."]})
        );
        assert_eq!(image_rows(&app, product).await, 0);
    }
}
