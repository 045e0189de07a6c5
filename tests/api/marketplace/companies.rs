//! Companies: any signed-in user creates and owns one; the owner (or staff) writes; lists.

use serde_json::json;

use super::ids;
use crate::{
    api_test,
    helpers::{TestApp, TestUser},
};

/// Creates a company owned by `owner`; returns its id.
pub async fn company(app: &TestApp, owner: &TestUser, name: &str) -> String {
    let response = app
        .post_as("companies/", &owner.token, &json!({ "name": name }))
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body["id"].as_str().unwrap().to_owned()
}

api_test! {
    async fn a_signed_in_user_creates_a_company_and_owns_it(app: TestApp) {
        let ann = app.create_customer().await;
        let body = json!({
            "name": "Acme Works", "description": "We fix things", "website": "https://acme.example.com",
            "owner": 999, "members_count": 7,
        });
        assert_eq!(app.post("companies/", &body).await.status, 401);
        let created = app.post_as("companies/", &ann.token, &body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        let created_at = created.body["created_at"].as_str().unwrap();
        assert!(created_at.ends_with('Z'), "{created_at}");
        assert_eq!(
            created.body,
            json!({
                "id": id, "name": "Acme Works", "description": "We fix things",
                "website": "https://acme.example.com", "owner": ann.id, "members_count": 0,
                "created_at": created_at,
            })
        );
        let detail = app.get(&format!("companies/{id}/")).await;
        assert_eq!(detail.status, 200);
        assert_eq!(detail.body, created.body);
        let list = app.get("companies/").await;
        assert_eq!(list.body["count"], 1);
        assert_eq!(list.body["results"][0], created.body);
        let minimal = app.post_as("companies/", &ann.token, &json!({"name": "Solo"})).await;
        assert_eq!(minimal.status, 201);
        assert_eq!((&minimal.body["website"], &minimal.body["description"]), (&json!(""), &json!("")));
    }

    async fn only_the_owner_or_staff_change_or_delete_a_company(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let staff = app.create_staff().await;
        let id = company(&app, &ann, "Acme").await;
        let item = format!("companies/{id}/");
        let body = json!({"name": "Bob's now"});
        assert_eq!(app.patch_as(&item, &bob.token, &body).await.status, 404);
        assert_eq!(app.put_as(&item, &bob.token, &body).await.status, 404);
        assert_eq!(app.delete_as(&item, &bob.token).await.status, 404);
        let anonymous = app.request(reqwest::Method::PATCH, &item, None, Some(&body)).await;
        assert_eq!(anonymous.status, 401);
        assert_eq!(app.get(&item).await.body["name"], "Acme");

        let patched = app
            .patch_as(&item, &ann.token, &json!({"website": "http://acme.example", "owner": bob.id}))
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(patched.body["website"], "http://acme.example");
        assert_eq!(patched.body["name"], "Acme");
        assert_eq!(patched.body["owner"], ann.id);
        let put = app.put_as(&item, &ann.token, &json!({"name": "Acme Ltd"})).await;
        assert_eq!(put.status, 200);
        assert_eq!(put.body["name"], "Acme Ltd");
        let put_without_name = app.put_as(&item, &ann.token, &json!({"description": "x"})).await;
        assert_eq!(put_without_name.status, 400);
        assert_eq!(put_without_name.body, json!({"name": ["This field is required."]}));

        let moderated = app.patch_as(&item, &staff.token, &json!({"description": "Moderated"})).await;
        assert_eq!(moderated.status, 200);
        assert_eq!(moderated.body["owner"], ann.id);
        assert_eq!(app.delete_as(&item, &staff.token).await.status, 204);
        assert_eq!(app.get(&item).await.status, 404);
        let own = company(&app, &bob, "Bob Co").await;
        assert_eq!(app.delete_as(&format!("companies/{own}/"), &bob.token).await.status, 204);
    }

    async fn websites_must_be_http_urls_of_at_most_200_characters(app: TestApp) {
        let ann = app.create_customer().await;
        for bad in ["acme.example.com", "ftp://acme.example.com", "javascript:alert(1)", "https://acme", "http://a b.com"] {
            let response = app
                .post_as("companies/", &ann.token, &json!({"name": "Acme", "website": bad}))
                .await;
            assert_eq!(response.status, 400, "{bad}");
            assert_eq!(response.body, json!({"website": ["Enter a valid URL."]}), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(181));
        let response = app
            .post_as("companies/", &ann.token, &json!({"name": "Acme", "website": long}))
            .await;
        assert_eq!(response.body, json!({"website": ["Ensure this field has no more than 200 characters."]}));
        let fits = format!("https://example.com/{}", "a".repeat(180));
        let response = app
            .post_as("companies/", &ann.token, &json!({"name": "Acme", "website": fits}))
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let missing = app.post_as("companies/", &ann.token, &json!({"website": ""})).await;
        assert_eq!(missing.body, json!({"name": ["This field is required."]}));
        let id = response.body["id"].as_str().unwrap();
        let patch = app
            .patch_as(&format!("companies/{id}/"), &ann.token, &json!({"website": "nope"}))
            .await;
        assert_eq!(patch.status, 400);
        assert_eq!(patch.body, json!({"website": ["Enter a valid URL."]}));
        let cleared = app
            .patch_as(&format!("companies/{id}/"), &ann.token, &json!({"website": ""}))
            .await;
        assert_eq!(cleared.body["website"], "");
    }

    async fn members_count_counts_the_providers_naming_the_company(app: TestApp) {
        let ann = app.create_customer().await;
        let acme = company(&app, &ann, "Acme").await;
        let other = company(&app, &ann, "Other").await;
        for _ in 0..2 {
            let member = app.create_customer().await;
            let created = app
                .post_as("providers/", &member.token, &json!({"display_name": "M", "company": acme}))
                .await;
            assert_eq!(created.status, 201, "{}", created.text);
        }
        assert_eq!(app.get(&format!("companies/{acme}/")).await.body["members_count"], 2);
        let by_members = app.get("companies/?ordering=-members_count").await;
        assert_eq!(ids(&by_members.body), [acme.clone(), other.clone()]);
        assert_eq!(ids(&app.get("companies/?ordering=members_count").await.body), [other, acme]);
    }

    async fn lists_filter_by_owner_and_search_and_order(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let a = company(&app, &ann, "Zed Builders").await;
        let b = company(&app, &bob, "alpha Cleaners").await;
        let c = company(&app, &ann, "Mid 100% Co").await;
        assert_eq!(ids(&app.get("companies/").await.body), [c.clone(), b.clone(), a.clone()]);
        assert_eq!(ids(&app.get("companies/?ordering=name").await.body), [b.clone(), c.clone(), a.clone()]);
        assert_eq!(ids(&app.get("companies/?ordering=created_at").await.body), [a.clone(), b.clone(), c.clone()]);
        assert_eq!(ids(&app.get(&format!("companies/?owner={}", ann.id)).await.body), [c.clone(), a.clone()]);
        assert_eq!(ids(&app.get("companies/?search=CLEAN").await.body), [b.as_str()]);
        assert_eq!(ids(&app.get("companies/?search=0%25").await.body), [c.as_str()]);
        let bad = app.get("companies/?owner=ann").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body, json!({"owner": ["A valid integer is required."]}));
        app.patch_as(&format!("companies/{a}/"), &ann.token, &json!({"description": "cleaning too"})).await;
        assert_eq!(ids(&app.get("companies/?search=clean&ordering=name").await.body), [b, a]);
    }

    async fn malformed_and_unknown_company_ids_are_404(app: TestApp) {
        let ann = app.create_customer().await;
        for id in ["nope".to_owned(), uuid::Uuid::new_v4().to_string()] {
            let item = format!("companies/{id}/");
            assert_eq!(app.get(&item).await.status, 404);
            assert_eq!(app.patch_as(&item, &ann.token, &json!({"name": "x"})).await.status, 404);
            assert_eq!(app.delete_as(&item, &ann.token).await.status, 404);
        }
    }
}
