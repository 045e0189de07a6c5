//! `--media-from DIR`: the Django `MEDIA_ROOT`'s product images are copied into Nexus'
//! `MEDIA_ROOT` at the same path and served there; files that are missing or not images are
//! reported and left out.

use std::{io::Cursor, path::Path};

use image::{DynamicImage, ImageFormat, RgbImage};

use super::*;
use crate::api_test;

/// A small, real JPEG.
pub fn jpeg() -> Vec<u8> {
    let picture = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    }));
    let mut bytes = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .unwrap();
    bytes
}

/// A Django media directory with `products/<name>` files.
pub fn media_dir(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("products")).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join("products").join(name), bytes).unwrap();
    }
    dir
}

fn media_arg(dir: &Path) -> String {
    dir.display().to_string()
}

api_test! {
    async fn media_from_copies_the_images_to_the_same_path_where_the_api_serves_them(app: TestApp) {
        let photo = jpeg();
        let django_media = media_dir(&[
            ("phone.jpg", &photo),
            ("lamp.jpg", b"this is a text file, not a JPEG\n"),
        ]);
        let source = DjangoSource::sqlite().await;
        let summary = import_ok(&app, &source, &["--media-from", &media_arg(django_media.path())]);

        let copied = std::fs::read(app.media_dir.join("products/phone.jpg"))
            .expect("copied into MEDIA_ROOT at the Django path");
        assert_eq!(copied, photo);
        let (count, listed) = summary.skipped("product images", "not a readable image");
        assert_eq!((count, listed), (1, vec![ids::LAMP]), "{}", summary.stdout);
        assert!(!app.media_dir.join("products/lamp.jpg").exists());
        let [_, written, skipped] = summary.row("product images");
        assert_eq!((written, skipped), (1, 2), "{}", summary.stdout);

        let phone = app.get("products/phone/").await.body;
        let url = phone["image"].as_str().unwrap_or_default().to_owned();
        assert!(url.ends_with("/media/products/phone.jpg"), "{phone}");
        let served = app.client.get(&url).send().await.unwrap();
        assert_eq!(served.status(), 200, "{url}");
        assert_eq!(served.bytes().await.unwrap().as_ref(), photo.as_slice());
        let thumbnail = phone["images"][0]["thumbnail_url"].as_str().unwrap_or_default();
        assert_eq!(app.client.get(thumbnail).send().await.unwrap().status(), 200, "{phone}");

        // The lamp's product is imported without an image.
        let clerk = token_of(&app, ids::CLERK);
        let lamp = app.get_as(&format!("admin/products/{}/", ids::LAMP), &clerk).await;
        assert_eq!(lamp.status, 200, "{}", lamp.text);
        assert_eq!(lamp.body["image"], serde_json::Value::Null, "{}", lamp.text);
    }

    async fn media_from_reports_files_that_are_not_there(app: TestApp) {
        let django_media = media_dir(&[]);
        let source = DjangoSource::sqlite().await;
        let summary = import_ok(&app, &source, &["--media-from", &media_arg(django_media.path())]);
        let (count, listed) = summary.skipped("product images", "file not found");
        assert_eq!((count, listed), (2, vec![ids::PHONE, ids::LAMP]), "{}", summary.stdout);
        let (count, _) = summary.skipped("product images", "not a safe media path");
        assert_eq!(count, 1);
        let phone = app.get("products/phone/").await.body;
        assert_eq!(phone["image"], serde_json::Value::Null, "{phone}");
        assert_eq!(rows(&app, "products").await, 5, "the products themselves are imported");
    }

    async fn a_refused_import_copies_no_media_file(app: TestApp) {
        app.create_customer().await;
        let django_media = media_dir(&[("phone.jpg", &jpeg())]);
        let source = DjangoSource::sqlite().await;
        let output = run_import(&app, source.url(), &["--media-from", &media_arg(django_media.path())]);
        assert!(assert_refused(&output).contains("--force"));
        assert!(!app.media_dir.join("products/phone.jpg").exists(), "the target was checked first");
    }
}
