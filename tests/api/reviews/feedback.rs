//! Helpful votes (once per user, even when racing), reports, and the duplicate-review race.

use serde_json::json;

use super::*;
use crate::{
    api_test,
    fixtures::{count_rows, race_post},
};

api_test! {
    async fn a_helpful_vote_counts_once_per_user(app: TestApp) {
        let author = app.create_customer().await;
        let voter = app.create_customer().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, product, 4).await["id"]
            .as_i64()
            .unwrap();
        let path = format!("reviews/{id}/helpful/");

        assert_eq!(app.post(&path, &json!({})).await.status, 401);
        let first = app.post_as(&path, &voter.token, &json!({})).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(
            first.body,
            json!({"message": "Marked as helpful.", "review_id": id, "helpful_count": 1})
        );
        let repeat = app.post_as(&path, &voter.token, &json!({})).await;
        assert_eq!(repeat.status, 200);
        assert_eq!(repeat.body["helpful_count"], 1, "a repeat is a no-op");
        let by_author = app.post_as(&path, &author.token, &json!({})).await;
        assert_eq!(by_author.body["helpful_count"], 2);
        assert_eq!(
            app.get(&format!("reviews/{id}/")).await.body["helpful_count"],
            2
        );
        assert_eq!(
            app.post_as("reviews/999999/helpful/", &voter.token, &json!({}))
                .await
                .status,
            404
        );
    }

    async fn six_racing_helpful_votes_by_one_user_count_once(app: TestApp) {
        let author = app.create_customer().await;
        let voter = app.create_customer().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, product, 4).await["id"]
            .as_i64()
            .unwrap();
        let url = format!("{}/api/v1/reviews/{id}/helpful/", app.address);
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    voter.token.clone(),
                    json!({}),
                    None,
                ))
            })
            .collect();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 200, "no 5xx under the race: {body}");
            assert_eq!(body["helpful_count"], 1, "{body}");
        }
        assert_eq!(
            app.get(&format!("reviews/{id}/")).await.body["helpful_count"],
            1
        );
        assert_eq!(count_rows(&app, "review_votes").await, 1);
    }

    async fn five_racing_creates_by_one_user_make_exactly_one_review(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let url = format!("{}/api/v1/reviews/", app.address);
        let tasks: Vec<_> = (0..5)
            .map(|n| {
                tokio::spawn(race_post(
                    app.client.clone(),
                    url.clone(),
                    customer.token.clone(),
                    json!({"product": product, "rating": 1 + n}),
                    None,
                ))
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status.as_u16() {
                201 => created += 1,
                400 => assert_eq!(
                    body,
                    json!({"non_field_errors": ["You have already reviewed this product."]})
                ),
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(created, 1);
        assert_eq!(count_rows(&app, "reviews").await, 1);
        let (_, count) = product_rating(&app, product).await;
        assert_eq!(count, 1);
    }

    async fn reports_are_stored_and_listed_for_staff(app: TestApp) {
        let author = app.create_customer().await;
        let reporter = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, product, 1).await["id"]
            .as_i64()
            .unwrap();
        let path = format!("reviews/{id}/report/");

        assert_eq!(
            app.post(&path, &json!({"reason": "spam"})).await.status,
            401
        );
        let invalid = app
            .post_as(&path, &reporter.token, &json!({"reason": "boring"}))
            .await;
        assert_eq!(invalid.status, 400);
        assert_eq!(invalid.body, json!({"reason": ["Invalid reason."]}));
        let missing = app.post_as(&path, &reporter.token, &json!({})).await;
        assert_eq!(missing.body, json!({"reason": ["This field is required."]}));
        assert_eq!(
            app.post_as(
                "reviews/999999/report/",
                &reporter.token,
                &json!({"reason": "spam"})
            )
            .await
            .status,
            404
        );
        let long = app
            .post_as(
                &path,
                &reporter.token,
                &json!({"reason": "other", "description": "a".repeat(1001)}),
            )
            .await;
        assert_eq!(
            long.body,
            json!({"description": ["Ensure this field has no more than 1000 characters."]})
        );

        let spam = app
            .post_as(&path, &reporter.token, &json!({"reason": "spam"}))
            .await;
        assert_eq!(spam.status, 201, "{}", spam.text);
        assert_eq!(spam.body["review_id"], id);
        assert_eq!(spam.body["reason"], "spam");
        let fake = app
            .post_as(
                &path,
                &author.token,
                &json!({"reason": "fake_review", "description": " Not mine "}),
            )
            .await;
        assert_eq!(fake.status, 201);

        assert_eq!(
            app.get_as("reviews/reports/", &reporter.token).await.status,
            403
        );
        assert_eq!(app.get("reviews/reports/").await.status, 401);
        let reports = app.get_as("reviews/reports/", &staff.token).await;
        assert_eq!(reports.status, 200, "{}", reports.text);
        assert_eq!(reports.body["count"], 2);
        let newest = &reports.body["results"][0];
        assert_eq!(newest["id"], fake.body["id"], "newest first");
        assert_eq!(newest["review"], id);
        assert_eq!(newest["user"], author.id);
        assert_eq!(newest["user_email"], author.email.as_str());
        assert_eq!(newest["reason"], "fake_review");
        assert_eq!(newest["description"], "Not mine");
        assert_eq!(reports.body["results"][1]["reason"], "spam");
        assert_eq!(reports.body["results"][1]["description"], "");
    }
}
