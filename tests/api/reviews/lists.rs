//! The public list with its filters and ordering, lists by product and by user, and stats.

use serde_json::json;

use super::*;
use crate::api_test;

api_test! {
    async fn the_list_is_public_newest_first_filterable_and_orderable(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let pen = app.product().price_cents(1000).stock(5).create().await;
        let ink = app.product().price_cents(500).stock(5).create().await;
        let a = create_review(&app, &ann, pen, 5).await["id"]
            .as_i64()
            .unwrap();
        let b = create_review(&app, &bob, pen, 2).await["id"]
            .as_i64()
            .unwrap();
        let c = create_review(&app, &ann, ink, 4).await["id"]
            .as_i64()
            .unwrap();
        app.post_as(&format!("reviews/{a}/helpful/"), &bob.token, &json!({}))
            .await;
        app.post_as(&format!("reviews/{c}/helpful/"), &bob.token, &json!({}))
            .await;
        app.post_as(&format!("reviews/{c}/helpful/"), &ann.token, &json!({}))
            .await;

        let all = app.get("reviews/").await;
        assert_eq!(all.status, 200);
        assert_eq!(all.body["count"], 3);
        assert_eq!(ids(&all.body), vec![c, b, a], "newest first");
        assert_eq!(
            ids(&app.get(&format!("reviews/?product={pen}")).await.body),
            vec![b, a]
        );
        assert_eq!(
            ids(&app.get(&format!("reviews/?user={}", ann.id)).await.body),
            vec![c, a]
        );
        assert_eq!(
            ids(&app
                .get(&format!("reviews/?user={}&product={pen}", ann.id))
                .await
                .body),
            vec![a]
        );
        assert_eq!(ids(&app.get("reviews/?rating=2").await.body), vec![b]);
        assert_eq!(
            ids(&app.get("reviews/?ordering=created_at").await.body),
            vec![a, b, c]
        );
        assert_eq!(
            ids(&app.get("reviews/?ordering=rating").await.body),
            vec![b, c, a]
        );
        assert_eq!(
            ids(&app.get("reviews/?ordering=-rating").await.body),
            vec![a, c, b]
        );
        assert_eq!(
            ids(&app.get("reviews/?ordering=-helpful_count").await.body),
            vec![c, a, b]
        );
        assert_eq!(
            ids(&app.get("reviews/?ordering=helpful_count").await.body),
            vec![b, a, c]
        );
        assert_eq!(
            ids(&app.get("reviews/?ordering=comment").await.body),
            vec![c, b, a],
            "unknown ordering is ignored"
        );
        let bad = app.get("reviews/?product=pen").await;
        assert_eq!(bad.status, 400);
        assert_eq!(
            bad.body,
            json!({"product": ["A valid integer is required."]})
        );

        let first = app.get("reviews/?page_size=2").await;
        assert_eq!(ids(&first.body), vec![c, b]);
        assert!(first.body["next"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/reviews/?page=2&page_size=2"));
        assert_eq!(first.body["previous"], serde_json::Value::Null);
        assert_eq!(
            ids(&app.get("reviews/?page_size=2&page=2").await.body),
            vec![a]
        );
        let past = app.get("reviews/?page=3&page_size=2").await;
        assert_eq!(past.status, 404);
        assert_eq!(past.detail(), "Invalid page.");
    }

    async fn reviews_by_product_and_by_user(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let pen = app.product().price_cents(1000).stock(5).create().await;
        let ink = app.product().price_cents(500).stock(5).create().await;
        let a = create_review(&app, &ann, pen, 5).await["id"]
            .as_i64()
            .unwrap();
        let b = create_review(&app, &bob, pen, 3).await["id"]
            .as_i64()
            .unwrap();
        let c = create_review(&app, &ann, ink, 1).await["id"]
            .as_i64()
            .unwrap();

        let by_product = app.get(&format!("reviews/product/{pen}/")).await;
        assert_eq!(by_product.status, 200);
        assert_eq!(by_product.body["count"], 2);
        assert_eq!(ids(&by_product.body), vec![b, a]);
        assert_eq!(
            ids(&app
                .get(&format!("reviews/product/{pen}/?ordering=rating"))
                .await
                .body),
            vec![b, a]
        );
        let unknown = app.get("reviews/product/999999/").await;
        assert_eq!(
            (unknown.status.as_u16(), unknown.body["count"].as_i64()),
            (200, Some(0)),
            "as the Django backend answers"
        );

        let own = app.get_as("reviews/user/", &ann.token).await;
        assert_eq!(own.status, 200);
        assert_eq!(ids(&own.body), vec![c, a]);
        assert_eq!(app.get("reviews/user/").await.status, 401);
        let bobs = app.get(&format!("reviews/user/{}/", bob.id)).await;
        assert_eq!(bobs.status, 200);
        assert_eq!(ids(&bobs.body), vec![b]);
        assert_eq!(app.get("reviews/user/999999/").await.body["count"], 0);
    }

    async fn stats_count_totals_average_and_distribution(app: TestApp) {
        let pen = app.product().price_cents(1000).stock(5).create().await;
        let empty = app.get(&format!("reviews/product/{pen}/stats/")).await;
        assert_eq!(empty.status, 200);
        assert_eq!(
            empty.body,
            json!({"total_reviews": 0, "average_rating": 0,
            "rating_distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}})
        );
        for rating in [5, 4, 4] {
            let user = app.create_customer().await;
            create_review(&app, &user, pen, rating).await;
        }
        let stats = app.get(&format!("reviews/product/{pen}/stats")).await;
        assert_eq!(
            stats.body,
            json!({"total_reviews": 3, "average_rating": 4.33,
            "rating_distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}})
        );
        let missing = app.get("reviews/product/999999/stats/").await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.body["code"], "not_found");
        let inactive = app
            .product()
            .price_cents(1000)
            .stock(5)
            .inactive()
            .create()
            .await;
        assert_eq!(
            app.get(&format!("reviews/product/{inactive}/stats/"))
                .await
                .status,
            404,
            "like its product page"
        );
    }
}
