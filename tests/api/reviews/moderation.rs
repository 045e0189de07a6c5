//! Staff moderation: hidden reviews vanish for everyone but their author and staff.

use serde_json::json;

use super::*;
use crate::api_test;

api_test! {
    async fn only_staff_hide_and_unhide(app: TestApp) {
        let author = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, product, 3).await["id"]
            .as_i64()
            .unwrap();
        let hide = format!("reviews/{id}/hide/");
        assert_eq!(app.post(&hide, &json!({})).await.status, 401);
        assert_eq!(
            app.post_as(&hide, &author.token, &json!({})).await.status,
            403
        );
        assert_eq!(
            app.post_as("reviews/999999/hide/", &staff.token, &json!({}))
                .await
                .status,
            404
        );
        set_hidden(&app, &staff, id, true).await;
        set_hidden(&app, &staff, id, true).await;
        assert_eq!(
            app.post_as(&format!("reviews/{id}/unhide/"), &author.token, &json!({}))
                .await
                .status,
            403
        );
        set_hidden(&app, &staff, id, false).await;
        assert_eq!(app.get(&format!("reviews/{id}/")).await.status, 200);
    }

    async fn a_hidden_review_is_invisible_to_others_but_not_to_its_author(app: TestApp) {
        let author = app.create_customer().await;
        let other = app.create_customer().await;
        let staff = app.create_staff().await;
        let product = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, product, 1).await["id"]
            .as_i64()
            .unwrap();
        let visible = create_review(&app, &other, product, 5).await["id"]
            .as_i64()
            .unwrap();
        set_hidden(&app, &staff, id, true).await;
        let detail = format!("reviews/{id}/");

        assert_eq!(app.get(&detail).await.status, 404);
        assert_eq!(app.get_as(&detail, &other.token).await.status, 404);
        let own = app.get_as(&detail, &author.token).await;
        assert_eq!(own.status, 200);
        assert_eq!(own.body["is_hidden"], true);
        assert_eq!(app.get_as(&detail, &staff.token).await.status, 200);

        for path in [
            "reviews/".to_owned(),
            format!("reviews/product/{product}/"),
            format!("reviews/user/{}/", author.id),
            format!("reviews/?user={}", author.id),
        ] {
            let page = app.get_as(&path, &author.token).await;
            assert!(
                !ids(&page.body).contains(&id),
                "{path} hides it: {}",
                page.text
            );
        }
        assert_eq!(
            ids(&app.get(&format!("reviews/product/{product}/")).await.body),
            vec![visible]
        );
        assert_eq!(
            ids(&app.get_as("reviews/user/", &author.token).await.body),
            vec![id],
            "the author still sees it"
        );
        let stats = app.get(&format!("reviews/product/{product}/stats/")).await;
        assert_eq!(stats.body["total_reviews"], 1);
        assert_eq!(stats.body["average_rating"], 5.0);
        assert_eq!(stats.body["rating_distribution"]["1"], 0);

        assert_eq!(
            app.post_as(&format!("reviews/{id}/helpful/"), &other.token, &json!({}))
                .await
                .status,
            404
        );
        assert_eq!(
            app.post_as(
                &format!("reviews/{id}/report/"),
                &other.token,
                &json!({"reason": "spam"})
            )
            .await
            .status,
            404
        );
        let edit = app
            .patch_as(&detail, &author.token, &json!({"comment": "Reworded."}))
            .await;
        assert_eq!(edit.status, 200, "the author may still edit it");
        assert_eq!(edit.body["is_hidden"], true, "editing doesn't unhide");
        let again = app
            .post_as(
                "reviews/",
                &author.token,
                &json!({"product": product, "rating": 4}),
            )
            .await;
        assert_eq!(
            again.status, 400,
            "a hidden review still counts as the author's one review"
        );
    }
}
