//! Full-text search: relevance, the fields searched, and the search endpoint.

use serde_json::json;

use super::{titles, Shop};
use crate::api_test;

api_test! {
    async fn a_title_match_ranks_above_a_description_only_match(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(
            &category,
            json!({"title": "Desk", "description": "Comes with a lamp holder"}),
        )
        .await;
        shop.product(&category, json!({"title": "Lamp", "description": "Bright"}))
            .await;
        shop.product(
            &category,
            json!({"title": "Chair", "description": "Comfortable"}),
        )
        .await;
        let page = app.get("products/?search=lamp").await;
        assert_eq!(page.status, 200);
        assert_eq!(titles(&page.body), ["Lamp", "Desk"]);
        // An explicit ordering wins over relevance.
        assert_eq!(
            titles(&app.get("products/?search=lamp&ordering=title").await.body),
            ["Desk", "Lamp"]
        );
    }

    async fn every_word_must_match(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(&category, json!({"title": "Wireless mouse"}))
            .await;
        shop.product(&category, json!({"title": "Wireless keyboard"}))
            .await;
        assert_eq!(
            titles(&app.get("products/?search=wireless%20mouse").await.body),
            ["Wireless mouse"]
        );
        assert_eq!(app.get("products/?search=wireless").await.body["count"], 2);
        assert_eq!(
            app.get("products/?search=trampoline").await.body["count"],
            0
        );
        // Punctuation and operators are plain text, never query syntax.
        let odd = app.get("products/?search=mouse%22%20OR%20(*").await;
        assert_eq!(odd.status, 200, "{}", odd.text);
        assert_eq!(app.get("products/?search=%21%21").await.body["count"], 0);
    }

    async fn category_and_brand_names_are_searched_and_kept_current(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Kitchenware", None).await;
        let brand = shop.brand("Zephyr").await;
        shop.product(&category, json!({"title": "Pan", "brand": brand["id"]}))
            .await;
        shop.product(
            &shop.category("Garden", None).await,
            json!({"title": "Hose"}),
        )
        .await;
        assert_eq!(
            titles(&app.get("products/?search=kitchenware").await.body),
            ["Pan"]
        );
        assert_eq!(
            titles(&app.get("products/?search=zephyr").await.body),
            ["Pan"]
        );
        // Renames reach the index.
        app.patch_as(
            &format!("categories/{}/", category["id"]),
            &shop.staff.token,
            &json!({"name": "Cookware"}),
        )
        .await;
        app.patch_as(
            &format!("brands/{}/", brand["id"]),
            &shop.staff.token,
            &json!({"name": "Boreas"}),
        )
        .await;
        assert_eq!(
            app.get("products/?search=kitchenware").await.body["count"],
            0
        );
        assert_eq!(
            titles(&app.get("products/?search=cookware").await.body),
            ["Pan"]
        );
        assert_eq!(app.get("products/?search=zephyr").await.body["count"], 0);
        assert_eq!(
            titles(&app.get("products/?search=boreas").await.body),
            ["Pan"]
        );
        // A deleted brand leaves the index too.
        app.delete_as(&format!("brands/{}/", brand["id"]), &shop.staff.token)
            .await;
        assert_eq!(app.get("products/?search=boreas").await.body["count"], 0);
    }

    async fn product_edits_reach_the_index(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let other = shop.category("Outdoor", None).await;
        let product = shop
            .product(
                &category,
                json!({"title": "Tent", "description": "waterproof"}),
            )
            .await;
        let path = format!("products/{}/", product["id"]);
        app.patch_as(
            &path,
            &shop.staff.token,
            &json!({"title": "Shelter", "description": "windproof"}),
        )
        .await;
        assert_eq!(app.get("products/?search=tent").await.body["count"], 0);
        assert_eq!(
            app.get("products/?search=waterproof").await.body["count"],
            0
        );
        assert_eq!(
            titles(&app.get("products/?search=windproof").await.body),
            ["Shelter"]
        );
        app.patch_as(&path, &shop.staff.token, &json!({"category": other["id"]}))
            .await;
        assert_eq!(
            titles(&app.get("products/?search=outdoor").await.body),
            ["Shelter"]
        );
    }

    async fn search_pages_count_every_match_and_a_page_past_the_end_is_404(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        for title in ["Red lamp", "Blue lamp", "Green lamp", "Chair"] {
            shop.product(&category, json!({"title": title})).await;
        }
        let first = app.get("products/?search=lamp&page_size=2").await;
        assert_eq!(
            (
                first.body["count"].as_i64(),
                first.body["results"].as_array().unwrap().len()
            ),
            (Some(3), 2)
        );
        assert!(first.body["next"].as_str().unwrap().contains("page=2"));
        let second = app.get("products/?search=lamp&page_size=2&page=2").await;
        assert_eq!(
            (
                second.body["count"].as_i64(),
                second.body["results"].as_array().unwrap().len()
            ),
            (Some(3), 1)
        );
        assert_eq!(second.body["next"], serde_json::Value::Null);
        let past = app.get("products/?search=lamp&page_size=2&page=3").await;
        assert_eq!(past.status, 404);
        assert_eq!(past.detail(), "Invalid page.");
        let none = app.get("products/?search=trampoline").await;
        assert_eq!(
            (none.status.as_u16(), none.body["count"].as_i64()),
            (200, Some(0))
        );
    }

    async fn a_searchs_pages_keep_its_order_and_never_overlap(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        // Created in an order that neither ranking follows, so a page in id order would show.
        shop.product(
            &category,
            json!({"title": "Shelf", "description": "Comes with a lamp hook", "price": "20.00"}),
        )
        .await;
        shop.product(
            &category,
            json!({"title": "Desk", "description": "Comes with a lamp holder", "price": "50.00"}),
        )
        .await;
        shop.product(&category, json!({"title": "Lamp", "price": "5.00"}))
            .await;
        shop.product(&category, json!({"title": "Chair", "price": "1.00"}))
            .await;
        // Relevance first; equal ranks newest first.
        assert_eq!(
            titles(&app.get("products/?search=lamp&page_size=2").await.body),
            ["Lamp", "Desk"]
        );
        assert_eq!(
            titles(
                &app.get("products/?search=lamp&page_size=2&page=2")
                    .await
                    .body
            ),
            ["Shelf"]
        );
        assert_eq!(
            titles(
                &app.get("products/?search=lamp&page_size=2&ordering=-price")
                    .await
                    .body
            ),
            ["Desk", "Shelf"]
        );
        assert_eq!(
            titles(
                &app.get("products/?search=lamp&page_size=2&page=2&ordering=-price")
                    .await
                    .body
            ),
            ["Lamp"]
        );
    }

    async fn search_combines_with_filters(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(&category, json!({"title": "Cheap lamp", "price": "5.00"}))
            .await;
        shop.product(&category, json!({"title": "Dear lamp", "price": "50.00"}))
            .await;
        assert_eq!(
            titles(&app.get("products/?search=lamp&price_max=10").await.body),
            ["Cheap lamp"]
        );
    }

    async fn the_search_endpoint_takes_q_and_an_empty_q_is_an_empty_page(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(&category, json!({"title": "Lamp"})).await;
        shop.product(&category, json!({"title": "Chair"})).await;
        let found = app.get("products/search/?q=lamp").await;
        assert_eq!(found.status, 200);
        assert_eq!(titles(&found.body), ["Lamp"]);
        let empty = app.get("products/search/?q=").await;
        assert_eq!(
            empty.body,
            json!({"count": 0, "next": null, "previous": null, "results": []})
        );
        assert_eq!(app.get("products/search/").await.body["count"], 0);
    }
}
