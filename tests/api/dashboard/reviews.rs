//! Reviews: the queue of reported reviews, and hiding or unhiding one with the API's effects
//! (public lists, the product's rating, the catalog cache).

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Browser;
use crate::{
    api_test,
    helpers::{TestApp, TestUser},
};

/// Posts a review of `product` as `author`; returns its id.
async fn review(app: &TestApp, author: &TestUser, product: i64, rating: i64, comment: &str) -> i64 {
    let body = json!({"product": product, "rating": rating, "comment": comment});
    let created = app.post_as("reviews/", &author.token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.body["id"].as_i64().unwrap()
}

/// Reports review `id` through the API as a new customer.
async fn report(app: &TestApp, id: i64, reason: &str) {
    let reporter = app.create_customer().await;
    let body = json!({"reason": reason, "description": "seen in the shop"});
    let answer = app
        .post_as(&format!("reviews/{id}/report/"), &reporter.token, &body)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
}

/// The ids of the product's public reviews, as anyone reads them.
async fn public_reviews(app: &TestApp, product: i64) -> Vec<i64> {
    let page = app.get(&format!("reviews/product/{product}/")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|review| review["id"].as_i64().unwrap())
        .collect()
}

/// The product as an anonymous visitor reads it (through the catalog cache).
async fn product(app: &TestApp, id: i64) -> Value {
    let answer = app.get(&format!("products/{id}/")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body
}

api_test! {
    async fn the_queue_lists_reviews_reported_through_the_api_most_reported_first(app: TestApp) {
        let staff = app.create_staff().await;
        let (alice, bob, carol) = (
            app.create_customer().await,
            app.create_customer().await,
            app.create_customer().await,
        );
        let lamp = app.product().title("Brass <Lamp>").create().await;
        let once = review(&app, &alice, lamp, 2, "Dim.").await;
        let twice = review(&app, &bob, lamp, 1, "<script>alert('x')</script> & worse").await;
        let unreported = review(&app, &carol, lamp, 5, "Lovely").await;
        report(&app, once, "other").await;
        report(&app, twice, "spam").await;
        report(&app, twice, "offensive_language").await;

        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/reviews/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("<h1>Reviews</h1>"));
        assert!(page.text.contains("2 reported reviews"), "{}", page.text);
        let (first, second) = (
            page.text.find(&format!("Hide review #{twice}")).expect("the twice-reported review"),
            page.text.find(&format!("Hide review #{once}")).expect("the once-reported review"),
        );
        assert!(first < second, "the most reported first");
        assert!(!page.text.contains(&format!("review #{unreported}")));
        assert!(page.text.contains(&bob.email), "the author's whole address, as staff see it");
        assert!(page.text.contains("<dd>2: Offensive language, Spam"), "{}", page.text);
        assert!(page.text.contains("1 of 5"));
        // User text is escaped, never markup.
        assert!(page.text.contains("&lt;script&gt;alert("), "{}", page.text);
        assert!(!page.text.contains("<script>alert"));
        assert!(page.text.contains("Brass &lt;Lamp&gt;"));
        assert!(page.text.contains(r#"<span class="badge">Public</span>"#));
    }

    async fn an_empty_queue_says_there_are_no_reported_reviews(app: TestApp) {
        let staff = app.create_staff().await;
        let author = app.create_customer().await;
        let mug = app.product().create().await;
        review(&app, &author, mug, 4, "Fine").await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/reviews/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("No reported reviews."), "{}", page.text);
        let past_the_end = browser.get("/dashboard/reviews/?page=5").await;
        assert_eq!(past_the_end.status, StatusCode::NOT_FOUND);
        assert!(past_the_end.text.contains("<h1>Not found</h1>"));
    }

    async fn hiding_takes_the_review_out_of_public_lists_and_the_rating_and_unhiding_brings_it_back(
        app: TestApp,
    ) {
        let staff = app.create_staff().await;
        let (fan, critic) = (app.create_customer().await, app.create_customer().await);
        let chair = app.product().create().await;
        let kept = review(&app, &fan, chair, 5, "Great").await;
        let rude = review(&app, &critic, chair, 1, "Rubbish").await;
        report(&app, rude, "offensive_language").await;
        // Twice, so the second answer comes from the catalog cache.
        product(&app, chair).await;
        let before = product(&app, chair).await;
        assert_eq!((before["average_rating"].as_f64(), before["reviews_count"].as_i64()), (Some(3.0), Some(2)));

        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let queue = browser.get("/dashboard/reviews/").await;
        let hidden = browser
            .post_form(
                &format!("/dashboard/reviews/{rude}/hide/"),
                &[("csrf_token", &queue.csrf_token()), ("show", "visible")],
            )
            .await;
        assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.text);
        assert_eq!(hidden.location(), "/dashboard/reviews/?show=visible&done=hidden");
        assert_eq!(public_reviews(&app, chair).await, [kept]);
        let after = product(&app, chair).await;
        assert_eq!((after["average_rating"].as_f64(), after["reviews_count"].as_i64()), (Some(5.0), Some(1)));
        let api = app.get_as(&format!("reviews/{rude}/"), &staff.token).await;
        assert_eq!(api.body["is_hidden"], true);

        let page = browser.get(hidden.location()).await;
        assert!(page.text.contains("The review is hidden"), "{}", page.text);
        assert!(page.text.contains("No reported reviews."), "a hidden review left the default queue");
        let hidden_list = browser.get("/dashboard/reviews/?show=hidden").await;
        assert!(hidden_list.text.contains(r#"<span class="badge bad">Hidden</span>"#));
        assert!(hidden_list.text.contains(&format!("Unhide review #{rude}")));

        let unhidden = browser
            .post_form(
                &format!("/dashboard/reviews/{rude}/unhide/"),
                &[("csrf_token", &queue.csrf_token()), ("show", "hidden")],
            )
            .await;
        assert_eq!(unhidden.status, StatusCode::SEE_OTHER);
        assert_eq!(unhidden.location(), "/dashboard/reviews/?show=hidden&done=unhidden");
        let mut ids = public_reviews(&app, chair).await;
        ids.sort_unstable();
        assert_eq!(ids, [kept, rude]);
        let restored = product(&app, chair).await;
        assert_eq!(restored["average_rating"].as_f64(), Some(3.0));
        let all = browser.get("/dashboard/reviews/?show=all").await;
        assert!(all.text.contains(&format!("Hide review #{rude}")));
    }

    async fn a_hide_without_the_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        let author = app.create_customer().await;
        let desk = app.product().create().await;
        let id = review(&app, &author, desk, 2, "Wobbly").await;
        report(&app, id, "fake_review").await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        for fields in [vec![], vec![("csrf_token", "forged")]] {
            let answer = browser.post_form(&format!("/dashboard/reviews/{id}/hide/"), &fields).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN);
            assert!(answer.text.contains("Form expired"));
        }
        assert_eq!(public_reviews(&app, desk).await, [id]);
    }

    async fn hiding_an_unknown_review_is_the_404_page(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let token = browser.get("/dashboard/reviews/").await.csrf_token();
        for path in ["/dashboard/reviews/999999/hide/", "/dashboard/reviews/999999/unhide/", "/dashboard/reviews/abc/hide/"] {
            let answer = browser.post_form(path, &[("csrf_token", &token)]).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
            assert!(answer.text.contains("<h1>Not found</h1>"), "{path}");
        }
    }
}
