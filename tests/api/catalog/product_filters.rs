//! The product list: every filter, ordering, pagination and the featured/latest lists.

use serde_json::json;

use super::{titles, Shop};
use crate::api_test;

api_test! {
    async fn the_default_order_is_newest_first(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        for title in ["First", "Second", "Third"] {
            shop.product(&category, json!({"title": title})).await;
        }
        let page = app.get("products/").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["count"], 3);
        assert_eq!(titles(&page.body), ["Third", "Second", "First"]);
        assert_eq!(
            titles(&app.get("products/?ordering=created_at").await.body),
            ["First", "Second", "Third"]
        );
        assert_eq!(
            titles(&app.get("products/?ordering=bogus").await.body),
            ["Third", "Second", "First"]
        );
    }

    async fn category_filter_takes_an_id_or_slug_and_includes_descendants(app: TestApp) {
        let shop = Shop::new(&app).await;
        let root = shop.category("Electronics", None).await;
        let audio = shop.category("Audio", root["id"].as_i64()).await;
        let books = shop.category("Books", None).await;
        shop.product(&root, json!({"title": "TV"})).await;
        shop.product(&audio, json!({"title": "Buds"})).await;
        shop.product(&books, json!({"title": "Novel"})).await;
        assert_eq!(
            titles(
                &app.get(&format!("products/?category={}", root["id"]))
                    .await
                    .body
            ),
            ["Buds", "TV"]
        );
        assert_eq!(
            titles(&app.get("products/?category=electronics").await.body),
            ["Buds", "TV"]
        );
        assert_eq!(
            titles(&app.get("products/?category=audio").await.body),
            ["Buds"]
        );
        let unknown = app.get("products/?category=999").await;
        assert_eq!(unknown.status, 400);
        assert_eq!(
            unknown.body,
            json!({"category": ["Select a valid choice. That choice is not one of the available choices."]})
        );
    }

    async fn brand_filter_takes_an_id_or_slug(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let acme = shop.brand("Acme").await;
        let other = shop.brand("Other").await;
        shop.product(&category, json!({"title": "A", "brand": acme["id"]}))
            .await;
        shop.product(&category, json!({"title": "B", "brand": other["id"]}))
            .await;
        shop.product(&category, json!({"title": "C"})).await;
        assert_eq!(
            titles(
                &app.get(&format!("products/?brand={}", acme["id"]))
                    .await
                    .body
            ),
            ["A"]
        );
        assert_eq!(titles(&app.get("products/?brand=other").await.body), ["B"]);
        assert_eq!(app.get("products/?brand=nope").await.status, 400);
    }

    async fn price_bounds_are_inclusive_and_malformed_ones_are_a_400(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        for (title, price) in [("Cheap", "5.00"), ("Mid", "10.00"), ("Dear", "20.00")] {
            shop.product(&category, json!({"title": title, "price": price}))
                .await;
        }
        assert_eq!(
            titles(&app.get("products/?price_min=10&ordering=price").await.body),
            ["Mid", "Dear"]
        );
        assert_eq!(
            titles(
                &app.get("products/?price_max=10.00&ordering=price")
                    .await
                    .body
            ),
            ["Cheap", "Mid"]
        );
        assert_eq!(
            titles(
                &app.get("products/?price_min=5.01&price_max=19.99")
                    .await
                    .body
            ),
            ["Mid"]
        );
        let bad = app.get("products/?price_min=cheap&price_max=1.2.3").await;
        assert_eq!(bad.status, 400);
        assert_eq!(
            bad.body,
            json!({"price_min": ["Enter a number."], "price_max": ["Enter a number."]})
        );
    }

    async fn in_stock_and_is_featured_filters(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(
            &category,
            json!({"title": "Empty", "stock_quantity": 0, "is_featured": true}),
        )
        .await;
        shop.product(&category, json!({"title": "Stocked", "stock_quantity": 3}))
            .await;
        assert_eq!(
            titles(&app.get("products/?in_stock=true").await.body),
            ["Stocked"]
        );
        assert_eq!(
            titles(&app.get("products/?is_featured=true").await.body),
            ["Empty"]
        );
        assert_eq!(
            titles(
                &app.get("products/?in_stock=true&is_featured=true")
                    .await
                    .body
            ),
            Vec::<String>::new()
        );
        assert_eq!(app.get("products/?in_stock=false").await.body["count"], 2);
    }

    async fn every_ordering_field_sorts_both_ways(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let b = shop
            .product(
                &category,
                json!({"title": "banana", "price": "3.00", "stock_quantity": 1}),
            )
            .await;
        shop.product(
            &category,
            json!({"title": "Apple", "price": "1.00", "stock_quantity": 9}),
        )
        .await;
        shop.product(
            &category,
            json!({"title": "cherry", "price": "2.00", "stock_quantity": 5}),
        )
        .await;
        sqlx::query("UPDATE products SET average_rating = 4.5 WHERE id = $1")
            .bind(b["id"].as_i64().unwrap())
            .execute(&app.db.pool)
            .await
            .unwrap();
        let app = &app;
        let order = |q: &'static str| async move {
            titles(&app.get(&format!("products/?ordering={q}")).await.body)
        };
        assert_eq!(order("price").await, ["Apple", "cherry", "banana"]);
        assert_eq!(order("-price").await, ["banana", "cherry", "Apple"]);
        assert_eq!(order("title").await, ["Apple", "banana", "cherry"]);
        assert_eq!(order("-title").await, ["cherry", "banana", "Apple"]);
        assert_eq!(order("stock_quantity").await, ["banana", "cherry", "Apple"]);
        assert_eq!(
            order("-stock_quantity").await,
            ["Apple", "cherry", "banana"]
        );
        assert_eq!(order("-average_rating").await[0], "banana");
        assert_eq!(order("average_rating").await[2], "banana");
        assert_eq!(order("-created_at").await, ["cherry", "Apple", "banana"]);
        let rated = app.get(&format!("products/{}/", b["id"])).await;
        assert_eq!(rated.body["average_rating"], 4.5);
    }

    async fn several_ordering_fields_apply_in_turn(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(&category, json!({"title": "B", "price": "1.00"}))
            .await;
        shop.product(&category, json!({"title": "A", "price": "1.00"}))
            .await;
        shop.product(&category, json!({"title": "C", "price": "0.50"}))
            .await;
        assert_eq!(
            titles(&app.get("products/?ordering=-price,title").await.body),
            ["A", "B", "C"]
        );
        assert_eq!(
            titles(&app.get("products/?ordering=-price,-title").await.body),
            ["B", "A", "C"]
        );
        assert_eq!(
            titles(&app.get("products/?ordering=nope,price,title").await.body),
            ["C", "A", "B"]
        );
    }

    async fn pages_link_to_their_neighbours_with_absolute_urls(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        for n in 0..5 {
            shop.product(&category, json!({"title": format!("P{n}")}))
                .await;
        }
        let first = app.get("products/?page_size=2&ordering=title").await;
        assert_eq!(first.body["count"], 5);
        assert_eq!(titles(&first.body), ["P0", "P1"]);
        let base = format!("{}/api/v1/products/", app.address);
        assert_eq!(
            first.body["next"],
            format!("{base}?ordering=title&page=2&page_size=2")
        );
        assert_eq!(first.body["previous"], serde_json::Value::Null);
        let second = app.get("products/?page_size=2&ordering=title&page=2").await;
        assert_eq!(titles(&second.body), ["P2", "P3"]);
        assert_eq!(
            second.body["previous"],
            format!("{base}?ordering=title&page_size=2")
        );
        let last = app.get("products/?page_size=2&ordering=title&page=3").await;
        assert_eq!(titles(&last.body), ["P4"]);
        assert_eq!(last.body["next"], serde_json::Value::Null);
        let past = app.get("products/?page_size=2&page=4").await;
        assert_eq!(past.status, 404);
        assert_eq!(past.detail(), "Invalid page.");
        // SPEC §5 over DRF: a page that is not a positive integer is bad input, not a missing page.
        assert_eq!(app.get("products/?page=abc").await.status, 400);
        assert_eq!(
            app.get("products/?page_size=1000").await.body["results"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
    }

    async fn featured_and_latest_are_paginated_newest_first(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        shop.product(&category, json!({"title": "Old star", "is_featured": true}))
            .await;
        shop.product(&category, json!({"title": "Plain"})).await;
        shop.product(&category, json!({"title": "New star", "is_featured": true}))
            .await;
        let featured = app.get("products/featured/").await;
        assert_eq!(featured.status, 200);
        assert_eq!(featured.body["count"], 2);
        assert_eq!(titles(&featured.body), ["New star", "Old star"]);
        let latest = app.get("products/latest/?page_size=2").await;
        assert_eq!(latest.body["count"], 3);
        assert_eq!(titles(&latest.body), ["New star", "Plain"]);
        assert!(latest.body["next"]
            .as_str()
            .unwrap()
            .contains("/api/v1/products/latest/?page=2&page_size=2"));
    }

    async fn paths_work_without_a_trailing_slash(app: TestApp) {
        let shop = Shop::new(&app).await;
        let category = shop.category("Misc", None).await;
        let product = shop.product(&category, json!({})).await;
        assert_eq!(app.get("products").await.status, 200);
        assert_eq!(
            app.get(&format!("products/{}", product["id"])).await.status,
            200
        );
        let response = app
            .patch_as(
                &format!("products/{}", product["id"]),
                &shop.staff.token,
                &json!({"title": "New"}),
            )
            .await;
        assert_eq!(response.status, 200);
    }
}
