//! The product image response shapes (SPEC §5): the upload answer and the product's images.

use image::ImageFormat;

use super::support::{encode, photo, upload};
use crate::{api_test, assert_shape};

api_test! {
    async fn image_upload_and_product_images_shapes(app: TestApp) {
        let staff = app.create_staff().await;
        let pen = app.product().title("Ink pen").create().await;
        let png = encode(photo(64, 48), ImageFormat::Png);
        let file = Some(("front.png", "image/png", png));
        let fields = [("alt_text", "Front view")];
        let response = upload(&app, pen, Some(&staff.token), file, &fields).await;
        assert_eq!(response.status, 201, "{}", response.text);
        // The file key is random and the folder is the product's id: the place is the shape.
        let mut body = response.body.clone();
        for (key, suffix) in [("url", ".jpg"), ("thumbnail_url", "-thumb.jpg")] {
            let url = body[key].as_str().unwrap();
            let (folder, name) = url.rsplit_once('/').unwrap();
            assert!(name.ends_with(suffix), "{url}");
            let folder = folder.replace(&format!("/products/{pen}"), "/products/[id]");
            body[key] = format!("{folder}/[key]{suffix}").into();
        }
        assert_shape!(app, "image_upload", body);
        let product = app.get(&format!("products/{pen}/")).await;
        assert_eq!(product.body["images"][0]["id"], response.body["id"]);
    }
}
