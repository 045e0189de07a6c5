//! The imported catalogue and reviews through the public API: Django ids and slugs, prices,
//! the image path under `MEDIA_URL`, ratings computed from the imported reviews, and the
//! skipped products really gone.

use serde_json::Value;

use super::*;
use crate::{api_test, catalog::titles};

async fn product(app: &TestApp, key: &str) -> Value {
    let response = app.get(&format!("products/{key}/")).await;
    assert_eq!(response.status, 200, "product {key}: {}", response.text);
    response.body
}

fn review_ids(page: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|review| review["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

/// Categories and products keep their ids, slugs and fields; the phone's image is served
/// from its Django path.
pub async fn check_catalogue(app: &TestApp) {
    let electronics = app.get(&format!("categories/{}/", ids::ELECTRONICS)).await;
    assert_eq!(electronics.status, 200, "{}", electronics.text);
    assert_eq!(electronics.body["name"], "Electronics");
    assert_eq!(electronics.body["slug"], "electronics");
    assert_eq!(electronics.body["description"], "Things with batteries.");
    assert_eq!(electronics.body["parent"], Value::Null);
    assert_eq!(
        electronics.body["created_at"],
        "2023-06-01T10:00:00.000000Z"
    );
    for (id, slug) in [(ids::BOOKS, "books"), (ids::GARDEN, "garden")] {
        assert_eq!(app.get(&format!("categories/{slug}/")).await.body["id"], id);
    }

    let phone = product(app, &ids::PHONE.to_string()).await;
    assert_eq!(phone["title"], "Phone");
    assert_eq!(phone["slug"], "phone");
    assert_eq!(phone["description"], "A phone that fits in a pocket.");
    assert_eq!(phone["price"], "199.99");
    assert_eq!(phone["stock_quantity"], 7);
    assert_eq!(phone["category"], ids::ELECTRONICS);
    assert_eq!(phone["category_name"], "Electronics");
    assert_eq!(phone["brand"], Value::Null);
    assert_eq!(phone["is_featured"], false);
    assert_eq!(phone["created_at"], "2023-06-10T10:00:00.000000Z");
    assert_eq!(phone["updated_at"], "2024-01-02T03:04:05.000000Z");
    let image = phone["image"].as_str().unwrap_or_default();
    assert!(image.ends_with("/media/products/phone.jpg"), "{phone}");
    assert!(phone["images"][0]["url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/media/products/phone.jpg"));
    assert_eq!(product(app, "phone").await["id"], ids::PHONE);

    // An empty-string image, a NULL image and an unsafe path: no image.
    for id in [ids::HEADPHONES, ids::NOVEL, ids::GNOME] {
        let body = product(app, &id.to_string()).await;
        assert_eq!(body["image"], Value::Null, "{body}");
        assert_eq!(body["images"], serde_json::json!([]), "{body}");
    }
    assert_eq!(product(app, "a-long-novel").await["price"], "12.50");
    assert_eq!(product(app, "garden-gnome").await["category"], ids::GARDEN);

    // Stock is the sum of the movements (one `initial` movement each).
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM products p WHERE stock_quantity != \
         (SELECT COALESCE(SUM(delta), 0) FROM stock_movements m WHERE m.product_id = p.id)",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(unbalanced, 0);

    // The search text is built as the API builds it.
    assert!(titles(&app.get("products/?search=novel").await.body).contains(&"A Long Novel".into()));
    assert!(titles(&app.get("products/?search=electronics").await.body).contains(&"Phone".into()));
}

/// The skipped products answer 404; the inactive one is hidden from customers but not staff.
pub async fn check_skipped_products_are_gone(app: &TestApp) {
    let (negative, untitled) = (ids::NEGATIVE.to_string(), ids::UNTITLED.to_string());
    for key in [
        negative.as_str(),
        "broken-discount",
        untitled.as_str(),
        "untitled",
    ] {
        let response = app.get(&format!("products/{key}/")).await;
        assert_eq!(response.status, 404, "{key}: {}", response.text);
    }
    assert_eq!(rows(app, "products").await, 5);
    assert_eq!(app.get("products/46/").await.status, 404, "inactive");
    let clerk = token_of(app, ids::CLERK);
    let lamp = app.get_as("admin/products/46/", &clerk).await;
    assert_eq!(lamp.status, 200, "{}", lamp.text);
    assert_eq!(lamp.body["is_active"], false);
    assert_eq!(lamp.body["price"], "30.00");
    assert!(lamp.body["image"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/media/products/lamp.jpg"));
}

/// Old reviews are on their products, and the ratings are computed from them.
pub async fn check_reviews(app: &TestApp) {
    let phone_reviews = app.get(&format!("reviews/product/{}/", ids::PHONE)).await;
    assert_eq!(phone_reviews.status, 200, "{}", phone_reviews.text);
    assert_eq!(review_ids(&phone_reviews.body), [700, 701]);
    let first = phone_reviews.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|review| review["id"] == 700)
        .unwrap();
    assert_eq!(first["rating"], 5);
    assert_eq!(first["comment"], "Great phone, fast delivery.");
    assert_eq!(first["user"], ids::ADA);
    assert_eq!(first["is_hidden"], false);
    assert_eq!(first["helpful_count"], 0);
    assert_eq!(first["created_at"], "2024-02-10T10:00:00.000000Z");
    let phone = product(app, "phone").await;
    assert_eq!(phone["average_rating"].as_f64(), Some(4.5), "{phone}");
    assert_eq!(phone["reviews_count"], 2);

    let novel_reviews = app.get(&format!("reviews/product/{}/", ids::NOVEL)).await;
    assert_eq!(
        review_ids(&novel_reviews.body),
        [708],
        "{}",
        novel_reviews.text
    );
    assert_eq!(novel_reviews.body["results"][0]["comment"], "");
    let novel = product(app, "a-long-novel").await;
    assert_eq!(novel["average_rating"].as_f64(), Some(3.0), "{novel}");
    assert_eq!(novel["reviews_count"], 1);

    // Ratings 6 and 0 were skipped: no reviews, no rating.
    let headphones = product(app, "headphones").await;
    assert_eq!(headphones["reviews_count"], 0, "{headphones}");
    assert_eq!(headphones["average_rating"].as_f64(), Some(0.0));
    assert_eq!(rows(app, "reviews").await, 3);
}

api_test! {
    async fn categories_and_products_keep_their_ids_slugs_prices_and_image_path(app: TestApp) {
        imported(&app).await;
        check_catalogue(&app).await;
    }

    async fn the_negative_price_and_untitled_products_are_absent(app: TestApp) {
        imported(&app).await;
        check_skipped_products_are_gone(&app).await;
    }

    async fn old_reviews_are_on_their_products_and_make_their_rating(app: TestApp) {
        imported(&app).await;
        check_reviews(&app).await;
    }
}
