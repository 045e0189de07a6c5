//! Reviewers' emails (SPEC §5): masked (`a***@example.org`) in every public review answer, whole
//! for the author and for staff; anonymous (cacheable) answers never carry a whole address.

use serde_json::Value;

use super::*;
use crate::api_test;

/// `alice@example.com` → `a***@example.com`.
fn masked(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap();
    format!("{}***@{domain}", &local[..1])
}

/// The `user_email` of review `id` in `body` (a page or one review).
fn email_of(body: &Value, id: i64) -> String {
    let review = match body["results"].as_array() {
        Some(results) => results
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {body}")),
        None => body,
    };
    review["user_email"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

api_test! {
    async fn public_review_answers_mask_emails_and_the_author_and_staff_see_them_whole(
        app: TestApp,
    ) {
        let author = app.create_customer().await;
        let admin = app.create_admin().await;
        let other = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(1000).stock(5).create().await;
        let mine = create_review(&app, &author, pen, 4).await["id"]
            .as_i64()
            .unwrap();
        let admins = create_review(&app, &admin, pen, 5).await["id"]
            .as_i64()
            .unwrap();

        let every_public_answer = [
            "reviews/".to_owned(),
            format!("reviews/?user={}", author.id),
            format!("reviews/{mine}/"),
            format!("reviews/product/{pen}/"),
            format!("reviews/user/{}/", author.id),
        ];
        for path in &every_public_answer {
            // Anonymous and another customer: masked, and the address appears nowhere.
            for token in [None, Some(other.token.as_str())] {
                let response = match token {
                    None => app.get(path).await,
                    Some(token) => app.get_as(path, token).await,
                };
                assert_eq!(response.status, 200, "{path}: {}", response.text);
                assert_eq!(
                    email_of(&response.body, mine),
                    masked(&author.email),
                    "{path}"
                );
                assert!(
                    !response.text.contains(&author.email),
                    "{path}: {}",
                    response.text
                );
                assert!(
                    !response.text.contains(&admin.email),
                    "{path}: admins too: {}",
                    response.text
                );
            }
            // The author sees their own address; staff see every address.
            let own = app.get_as(path, &author.token).await;
            assert_eq!(email_of(&own.body, mine), author.email, "{path}");
            let by_staff = app.get_as(path, &staff.token).await;
            assert_eq!(email_of(&by_staff.body, mine), author.email, "{path}");
        }
        // In one list: the author sees theirs whole and the admin's masked; staff see both whole.
        let list = format!("reviews/product/{pen}/");
        let own = app.get_as(&list, &author.token).await.body;
        assert_eq!(email_of(&own, admins), masked(&admin.email));
        let by_staff = app.get_as(&list, &staff.token).await.body;
        assert_eq!(email_of(&by_staff, admins), admin.email);
        // The author's own list is theirs: whole.
        let own_list = app.get_as("reviews/user/", &author.token).await.body;
        assert_eq!(email_of(&own_list, mine), author.email);
    }

    async fn a_staff_read_never_reaches_anonymous_readers(app: TestApp) {
        let author = app.create_customer().await;
        let staff = app.create_staff().await;
        let pen = app.product().price_cents(1000).stock(5).create().await;
        let id = create_review(&app, &author, pen, 3).await["id"]
            .as_i64()
            .unwrap();
        // Staff (and the author) read first; anonymous readers after them still get the mask,
        // and an anonymous answer read twice (so from the cache, if it is ever cached) too.
        for path in [
            format!("reviews/product/{pen}/"),
            format!("reviews/{id}/"),
            "reviews/".to_owned(),
        ] {
            assert_eq!(
                email_of(&app.get_as(&path, &staff.token).await.body, id),
                author.email
            );
            assert_eq!(
                email_of(&app.get_as(&path, &author.token).await.body, id),
                author.email
            );
            for _ in 0..2 {
                let anonymous = app.get(&path).await;
                assert_eq!(
                    email_of(&anonymous.body, id),
                    masked(&author.email),
                    "{path}"
                );
            }
        }
    }
}
