//! Provider profiles: one per user (the race included), owner writes, staff verification,
//! validation, lists, and the services' search text following the name and skills.

use serde_json::{json, Value};

use super::{
    companies::company,
    ids, service,
    taxonomy::{search_text, skill},
};
use crate::{
    api_test,
    fixtures::race_post,
    helpers::{TestApp, TestResponse, TestUser},
};

const DUPLICATE: &str = "You already have a provider profile.";

/// Creates `user`'s profile through the API; returns its body.
async fn create(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let response = app.post_as("providers/", &user.token, &body).await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

async fn profiles_of(app: &TestApp, user: &TestUser) -> i64 {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM providers WHERE user_id = $1")
        .bind(user.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Sets a profile's stored rating counters (the services part keeps them).
async fn set_rating(app: &TestApp, id: &str, sum: i64, count: i64) {
    sqlx::query("UPDATE providers SET rating_sum = $1, reviews_count = $2 WHERE id = $3")
        .bind(sum)
        .bind(count)
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

async fn post(app: &TestApp, user: &TestUser, body: Value) -> TestResponse {
    app.post_as("providers/", &user.token, &body).await
}

async fn list(app: &TestApp, query: &str) -> TestResponse {
    app.get(&format!("providers/{query}")).await
}

api_test! {
    async fn a_user_creates_a_profile_and_anyone_reads_it(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let rust = skill(&app, &staff, "Rust").await;
        let go = skill(&app, &staff, "Go").await;
        let acme = company(&app, &ann, "Acme").await;
        let body = json!({
            "display_name": "Ann Dev", "bio": "Backend work", "skills": [rust, go, rust.to_uppercase()],
            "company": acme, "hourly_rate": "45.5", "is_verified": true, "user": 999,
            "rating": 5, "reviews_count": 10,
        });
        assert_eq!(app.post("providers/", &body).await.status, 401);
        let created = create(&app, &ann, body).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let created_at = created["created_at"].as_str().unwrap();
        assert_eq!(
            created,
            json!({
                "id": id, "user": ann.id, "display_name": "Ann Dev", "bio": "Backend work",
                "skills": [
                    {"id": go, "name": "Go", "slug": "go"},
                    {"id": rust, "name": "Rust", "slug": "rust"},
                ],
                "company": acme, "hourly_rate": "45.50", "rating": 0, "reviews_count": 0,
                "is_verified": false, "created_at": created_at,
            })
        );
        let detail = app.get(&format!("providers/{id}/")).await;
        assert_eq!(detail.status, 200);
        assert_eq!(detail.body, created);
        let list = app.get("providers/").await;
        assert_eq!(list.body["count"], 1);
        assert_eq!(list.body["results"][0], created);
        assert_eq!(app.state().db.backend, app.backend);
        let found = nexus::marketplace::providers::find(&app.db, &id).await.unwrap().unwrap();
        assert_eq!(found.user, ann.id);

        let bob = app.create_customer().await;
        let minimal = create(&app, &bob, json!({"display_name": "Bob"})).await;
        assert_eq!(
            (&minimal["skills"], &minimal["company"], &minimal["hourly_rate"], &minimal["bio"]),
            (&json!([]), &Value::Null, &Value::Null, &json!(""))
        );
    }

    async fn a_second_profile_is_refused(app: TestApp) {
        let ann = app.create_customer().await;
        create(&app, &ann, json!({"display_name": "Ann"})).await;
        let second = app.post_as("providers/", &ann.token, &json!({"display_name": "Ann again"})).await;
        assert_eq!(second.status, 400);
        assert_eq!(second.body, json!({"non_field_errors": [DUPLICATE]}));
        assert_eq!(profiles_of(&app, &ann).await, 1);
    }

    async fn concurrent_creates_by_one_user_make_exactly_one_profile(app: TestApp) {
        let ann = app.create_customer().await;
        let url = format!("{}/api/v1/providers/", app.address);
        let tasks: Vec<_> = (0..10)
            .map(|n| {
                let body = json!({"display_name": format!("Ann {n}")});
                tokio::spawn(race_post(app.client.clone(), url.clone(), ann.token.clone(), body, None))
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status.as_u16() {
                201 => created += 1,
                400 => assert_eq!(body, json!({"non_field_errors": [DUPLICATE]})),
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(created, 1);
        assert_eq!(profiles_of(&app, &ann).await, 1);
    }

    async fn every_bad_profile_field_is_a_400_under_its_name(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let known = skill(&app, &staff, "Rust").await;
        let unknown = uuid::Uuid::new_v4().to_string();

        assert_eq!(post(&app, &ann, json!({"bio": "x"})).await.body, json!({"display_name": ["This field is required."]}));
        assert_eq!(post(&app, &ann, json!({"display_name": " "})).await.body, json!({"display_name": ["This field may not be blank."]}));
        for (rate, message) in [
            (json!("abc"), "A valid number is required."),
            (json!("-1"), "Ensure this value is greater than or equal to 0."),
            (json!("100000000"), "Ensure that there are no more than 8 digits before the decimal point."),
            (json!("1.234"), "Ensure that there are no more than 2 decimal places."),
        ] {
            let response = post(&app, &ann, json!({"display_name": "Ann", "hourly_rate": rate})).await;
            assert_eq!(response.status, 400);
            assert_eq!(response.body, json!({"hourly_rate": [message]}), "{rate}");
        }
        let response = post(&app, &ann, json!({"display_name": "Ann", "skills": [known, unknown]})).await;
        assert_eq!(response.body, json!({"skills": [format!("Invalid pk \"{unknown}\" - object does not exist.")]}));
        let response = post(&app, &ann, json!({"display_name": "Ann", "skills": ["rust"]})).await;
        assert_eq!(response.body, json!({"skills": ["“rust” is not a valid UUID."]}));
        let response = post(&app, &ann, json!({"display_name": "Ann", "skills": known})).await;
        assert_eq!(response.body, json!({"skills": ["Expected a list of items but got type \"str\"."]}));
        let response = post(&app, &ann, json!({"display_name": "Ann", "company": unknown})).await;
        assert_eq!(response.body, json!({"company": [format!("Invalid pk \"{unknown}\" - object does not exist.")]}));
        let response = post(&app, &ann, json!({"display_name": "Ann", "company": 5})).await;
        assert_eq!(response.body, json!({"company": ["Incorrect type. Expected pk value, received int."]}));
        let response = post(&app, &ann, json!({"display_name": "", "company": unknown, "hourly_rate": "x"})).await;
        assert_eq!(response.status, 400);
        let fields: Vec<&String> = response.body.as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), 3, "{}", response.text);
        assert_eq!(profiles_of(&app, &ann).await, 0);
    }

    async fn only_the_owner_edits_a_profile_and_their_is_verified_is_ignored(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let rust = skill(&app, &staff, "Rust").await;
        let go = skill(&app, &staff, "Go").await;
        let acme = company(&app, &ann, "Acme").await;
        let id = create(&app, &ann, json!({"display_name": "Ann", "skills": [rust], "company": acme, "hourly_rate": 30})).await["id"]
            .as_str().unwrap().to_owned();
        let item = format!("providers/{id}/");
        assert_eq!(app.patch_as(&item, &bob.token, &json!({"display_name": "Bob"})).await.status, 404);
        assert_eq!(app.put_as(&item, &bob.token, &json!({"display_name": "Bob"})).await.status, 404);
        let anonymous = app.request(reqwest::Method::PATCH, &item, None, Some(&json!({}))).await;
        assert_eq!(anonymous.status, 401);

        let patched = app
            .patch_as(&item, &ann.token, &json!({"bio": "New", "skills": [go], "is_verified": true, "user": bob.id}))
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(patched.body["bio"], "New");
        assert_eq!(patched.body["display_name"], "Ann");
        assert_eq!(patched.body["skills"], json!([{"id": go, "name": "Go", "slug": "go"}]));
        assert_eq!(patched.body["is_verified"], false);
        assert_eq!(patched.body["user"], ann.id);
        assert_eq!(patched.body["hourly_rate"], "30.00");

        let cleared = app
            .patch_as(&item, &ann.token, &json!({"company": null, "hourly_rate": null, "skills": []}))
            .await;
        assert_eq!(cleared.status, 200);
        assert_eq!((&cleared.body["company"], &cleared.body["hourly_rate"], &cleared.body["skills"]),
            (&Value::Null, &Value::Null, &json!([])));
        let put = app.put_as(&item, &ann.token, &json!({"display_name": "Ann B", "company": acme})).await;
        assert_eq!(put.status, 200);
        assert_eq!((&put.body["display_name"], &put.body["company"], &put.body["bio"]),
            (&json!("Ann B"), &json!(acme), &json!("New")));
        let put_without_name = app.put_as(&item, &ann.token, &json!({"bio": "x"})).await;
        assert_eq!(put_without_name.body, json!({"display_name": ["This field is required."]}));
        let unknown = uuid::Uuid::new_v4().to_string();
        let bad = app.patch_as(&item, &ann.token, &json!({"skills": [unknown], "hourly_rate": "-5"})).await;
        assert_eq!(bad.status, 400);
        assert!(bad.body["skills"].is_array() && bad.body["hourly_rate"].is_array(), "{}", bad.text);
        assert_eq!(app.patch_as(&format!("providers/{unknown}/"), &ann.token, &json!({})).await.status, 404);
        assert_eq!(app.patch_as("providers/not-a-uuid/", &ann.token, &json!({})).await.status, 404);
        assert_eq!(app.get("providers/not-a-uuid/").await.status, 404);
        assert_eq!(app.get(&format!("providers/{unknown}/")).await.status, 404);
    }

    async fn staff_verify_any_profile_and_change_nothing_else_on_it(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let id = create(&app, &ann, json!({"display_name": "Ann", "bio": "Mine"})).await["id"]
            .as_str().unwrap().to_owned();
        let item = format!("providers/{id}/");
        let verified = app
            .patch_as(&item, &staff.token, &json!({"is_verified": true, "display_name": "Staff's", "bio": ""}))
            .await;
        assert_eq!(verified.status, 200, "{}", verified.text);
        assert_eq!(verified.body["is_verified"], true);
        assert_eq!((&verified.body["display_name"], &verified.body["bio"]), (&json!("Ann"), &json!("Mine")));
        let put = app.put_as(&item, &staff.token, &json!({"is_verified": "false"})).await;
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.body["is_verified"], false);
        let bad = app.patch_as(&item, &staff.token, &json!({"is_verified": "maybe", "display_name": ""})).await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body, json!({"is_verified": ["Must be a valid boolean."]}));

        let admin_own = app.create_admin().await;
        let own = create(&app, &admin_own, json!({"display_name": "Boss", "is_verified": true})).await;
        assert_eq!(own["is_verified"], true);

        nexus::marketplace::providers::set_verified(&app.db, &id, true).await.unwrap();
        assert_eq!(app.get(&item).await.body["is_verified"], true);
        let missing = nexus::marketplace::providers::set_verified(&app.db, &uuid::Uuid::new_v4().to_string(), true).await;
        assert!(missing.is_err());
    }

    async fn lists_filter_by_skill_company_verification_rating_and_search(app: TestApp) {
        let staff = app.create_staff().await;
        let (ann, bob, cat) = (app.create_customer().await, app.create_customer().await, app.create_customer().await);
        let rust = skill(&app, &staff, "Rust").await;
        let acme = company(&app, &ann, "Acme").await;
        let a = create(&app, &ann, json!({"display_name": "Ann", "skills": [rust], "company": acme, "hourly_rate": "50"})).await["id"]
            .as_str().unwrap().to_owned();
        let b = create(&app, &bob, json!({"display_name": "Bob 100%", "bio": "Plumber", "hourly_rate": "20"})).await["id"]
            .as_str().unwrap().to_owned();
        let c = create(&app, &cat, json!({"display_name": "Cat", "bio": "plumbing too"})).await["id"]
            .as_str().unwrap().to_owned();
        set_rating(&app, &a, 14, 3).await;
        set_rating(&app, &b, 9, 2).await;
        app.patch_as(&format!("providers/{b}/"), &staff.token, &json!({"is_verified": true})).await;

        assert_eq!(ids(&list(&app, "").await.body), [c.clone(), b.clone(), a.clone()]);
        assert_eq!(list(&app, &format!("?skill={rust}")).await.body["results"][0]["rating"], json!(4.67));
        assert_eq!(ids(&list(&app, &format!("?skill={rust}")).await.body), [a.as_str()]);
        assert_eq!(ids(&list(&app, &format!("?company={acme}")).await.body), [a.as_str()]);
        assert_eq!(ids(&list(&app, &format!("?skill={}", uuid::Uuid::new_v4())).await.body), Vec::<String>::new());
        assert_eq!(ids(&list(&app, "?is_verified=true").await.body), [b.as_str()]);
        assert_eq!(ids(&list(&app, "?is_verified=false").await.body), [c.clone(), a.clone()]);
        assert_eq!(ids(&list(&app, "?min_rating=4.5").await.body), [b.clone(), a.clone()]);
        assert_eq!(ids(&list(&app, "?min_rating=4.6").await.body), [a.as_str()]);
        assert_eq!(ids(&list(&app, "?min_rating=0").await.body).len(), 3);
        assert_eq!(ids(&list(&app, "?min_rating=99999999999").await.body), Vec::<String>::new());
        assert_eq!(ids(&list(&app, "?search=PLUMB").await.body), [c.clone(), b.clone()]);
        assert_eq!(ids(&list(&app, "?search=0%25").await.body), [b.as_str()]);
        assert_eq!(ids(&list(&app, "?ordering=-rating").await.body), [a.clone(), b.clone(), c.clone()]);
        assert_eq!(ids(&list(&app, "?ordering=rating").await.body), [c.clone(), b.clone(), a.clone()]);
        assert_eq!(ids(&list(&app, "?ordering=hourly_rate").await.body), [b.clone(), a.clone(), c.clone()]);
        assert_eq!(ids(&list(&app, "?ordering=-hourly_rate").await.body), [c.clone(), a.clone(), b.clone()]);
        assert_eq!(ids(&list(&app, "?ordering=-reviews_count,created_at").await.body), [a.clone(), b.clone(), c.clone()]);
        assert_eq!(ids(&list(&app, "?ordering=created_at").await.body), [a.clone(), b.clone(), c.clone()]);
        let page = list(&app, "?page=2&page_size=2").await;
        assert_eq!((page.body["count"].clone(), ids(&page.body)), (json!(3), vec![a.clone()]));
        assert_eq!(list(&app, "?page=3&page_size=2").await.status, 404);

        let bad = list(&app, "?min_rating=high&skill=rust&company=1").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body["min_rating"], json!(["Enter a number."]));
        assert!(bad.body["skill"].is_array() && bad.body["company"].is_array(), "{}", bad.text);
    }

    async fn a_new_name_or_skills_rewrite_the_services_search_text(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let rust = skill(&app, &staff, "Rust").await;
        let id = create(&app, &ann, json!({"display_name": "Ann"})).await["id"].as_str().unwrap().to_owned();
        let service = service(&app, &id, "Backend", 1000).await;
        let item = format!("providers/{id}/");
        app.patch_as(&item, &ann.token, &json!({"display_name": "Annika", "skills": [rust]})).await;
        let text = search_text(&app, &service).await;
        assert!(text.contains("Annika") && text.contains("Rust"), "{text}");
        app.patch_as(&item, &ann.token, &json!({"skills": []})).await;
        assert!(!search_text(&app, &service).await.contains("Rust"));
        app.patch_as(&item, &ann.token, &json!({"bio": "unrelated"})).await;
        assert!(search_text(&app, &service).await.contains("Annika"));
    }
}
