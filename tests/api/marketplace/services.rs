//! Services: the provider's CRUD, visibility, filters, full-text search on both engines, likes
//! and comments (with their races), and the provider's services and reviews.

use serde_json::{json, Value};

use super::{completed_contract, ids, provider, service};
use crate::{
    api_test,
    fixtures::{count_rows, race_post},
    helpers::{TestApp, TestUser},
};

/// A provider user with a profile: the user and the provider id.
async fn seller(app: &TestApp) -> (TestUser, String) {
    let user = app.create_customer().await;
    let id = provider(app, &user).await;
    (user, id)
}

/// Creates a service through the API; panics unless `201`.
async fn offer(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let created = app.post_as("services/", &user.token, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

/// A service category named `name`; its id.
async fn category(app: &TestApp, name: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO service_categories (id, name, slug, created_at) VALUES ($1, $2, $3, 0)",
    )
    .bind(&id)
    .bind(name)
    .bind(name.to_lowercase())
    .execute(&app.db.pool)
    .await
    .unwrap();
    id
}

/// Gives provider `provider` the skill `name` (made here).
async fn skill(app: &TestApp, provider: &str, name: &str) {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query("INSERT INTO skills (id, name, slug, created_at) VALUES ($1, $2, $3, 0)")
        .bind(&id)
        .bind(name)
        .bind(name.to_lowercase())
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO provider_skills (provider_id, skill_id) VALUES ($1, $2)")
        .bind(provider)
        .bind(&id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// Runs one SQL statement binding `id`.
async fn exec(app: &TestApp, sql: &str, id: &str) {
    sqlx::query(sql)
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// A provider's stored `(rating_sum, reviews_count)`.
async fn provider_rating(app: &TestApp, id: &str) -> (i64, i64) {
    sqlx::query_as("SELECT rating_sum, reviews_count FROM providers WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Fires `n` concurrent POSTs of `body` to `path`, one per token; the statuses and bodies.
async fn race(app: &TestApp, path: &str, tokens: Vec<String>, body: Value) -> Vec<(u16, Value)> {
    let url = format!("{}/api/v1/{path}", app.address);
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            tokio::spawn(race_post(
                app.client.clone(),
                url.clone(),
                token,
                body.clone(),
                None,
            ))
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        answers.push((status.as_u16(), body));
    }
    answers
}

api_test! {
    async fn a_provider_offers_reads_changes_and_deletes_a_service(app: TestApp) {
        let (user, provider_id) = seller(&app).await;
        let design = category(&app, "Design").await;
        let created = offer(&app, &user, json!({
            "title": " Logo design ", "description": "Vector logos", "price_from": "150.5",
            "price_unit": "hour", "duration_minutes": 90, "category": design,
            "provider": uuid::Uuid::new_v4().to_string(), "rating": 5, "likes_count": 9,
            "reviews_count": 3,
        })).await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        assert_eq!(created["provider"], provider_id.as_str(), "the body's provider is ignored");
        assert_eq!(created["category"], design.as_str());
        assert_eq!(created["title"], "Logo design");
        assert_eq!(created["price_from"], "150.50");
        assert_eq!(created["price_unit"], "hour");
        assert_eq!(created["duration_minutes"], 90);
        assert_eq!(created["is_active"], true);
        assert_eq!(created["rating"], 0);
        assert_eq!(created["reviews_count"], 0);
        assert_eq!(created["likes_count"], 0);
        assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
        let keys: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 13, "{keys:?}");

        let path = format!("services/{id}/");
        let read = app.get(&path).await;
        assert_eq!(read.status, 200);
        assert_eq!(read.body, created);
        assert_eq!(app.get(&format!("services/{}", id.to_uppercase())).await.status, 200);

        let minimal = offer(&app, &user, json!({"title": "Audit", "price_from": 0})).await;
        assert_eq!(minimal["price_unit"], "fixed");
        assert_eq!(minimal["category"], Value::Null);
        assert_eq!(minimal["duration_minutes"], Value::Null);
        assert_eq!(minimal["price_from"], "0.00");

        let put = app.put_as(&path, &user.token, &json!({
            "title": "Brand design", "price_from": "99999999.99", "price_unit": "day",
            "duration_minutes": null, "category": null,
        })).await;
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.body["title"], "Brand design");
        assert_eq!(put.body["price_from"], "99999999.99");
        assert_eq!(put.body["duration_minutes"], Value::Null);
        assert_eq!(put.body["category"], Value::Null);
        assert_eq!(put.body["description"], "Vector logos", "PUT leaves unsent fields");

        let patch = app.patch_as(&path, &user.token, &json!({
            "duration_minutes": 100000, "is_active": false, "title": "x".repeat(200),
        })).await;
        assert_eq!(patch.status, 200, "{}", patch.text);
        assert_eq!(patch.body["is_active"], false);
        assert_eq!(patch.body["duration_minutes"], 100000);
        assert_eq!(patch.body["price_unit"], "day");

        assert_eq!(app.delete_as(&path, &user.token).await.status, 204);
        assert_eq!(app.get_as(&path, &user.token).await.status, 404);
        assert_eq!(app.delete_as(&path, &user.token).await.status, 404);
    }

    async fn only_a_user_with_a_provider_profile_may_offer_services(app: TestApp) {
        let customer = app.create_customer().await;
        let body = json!({"title": "Logo", "price_from": "10"});
        assert_eq!(app.post("services/", &body).await.status, 401);
        let refused = app.post_as("services/", &customer.token, &body).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert_eq!(refused.body["code"], "provider_profile_required");
        assert!(refused.detail().contains("provider profile"), "{}", refused.text);
        let staff = app.create_staff().await;
        assert_eq!(app.post_as("services/", &staff.token, &body).await.status, 403);
        assert_eq!(count_rows(&app, "services").await, 0);
    }

    async fn only_its_provider_writes_a_service_and_anyone_else_gets_404(app: TestApp) {
        let (owner, provider_id) = seller(&app).await;
        let (rival, _) = seller(&app).await;
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let path = format!("services/{id}/");
        let body = json!({"title": "Taken over", "price_from": "1"});
        for user in [&rival, &customer, &staff] {
            assert_eq!(app.put_as(&path, &user.token, &body).await.status, 404);
            assert_eq!(app.patch_as(&path, &user.token, &json!({"title": ""})).await.status, 404,
                "404 before the body's 400");
            assert_eq!(app.delete_as(&path, &user.token).await.status, 404);
        }
        assert_eq!(app.patch_as(&path, "", &body).await.status, 401);
        assert_eq!(app.get("services/not-a-uuid/").await.status, 404);
        assert_eq!(app.patch_as("services/not-a-uuid/", &owner.token, &body).await.status, 404);
        let unknown = format!("services/{}/", uuid::Uuid::new_v4());
        assert_eq!(app.get(&unknown).await.status, 404);
        assert_eq!(app.patch_as(&unknown, &owner.token, &body).await.status, 404);
        assert_eq!(app.get(&path).await.body["title"], "Logo");
    }

    async fn service_validation_names_every_bad_field(app: TestApp) {
        let (user, provider_id) = seller(&app).await;
        let missing = uuid::Uuid::new_v4().to_string();
        let bad = app.post_as("services/", &user.token, &json!({
            "title": "x".repeat(201), "price_from": "-0.01", "price_unit": "week",
            "duration_minutes": 0, "category": missing, "is_active": "maybe",
        })).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert_eq!(bad.body, json!({
            "category": [format!("Invalid pk \"{missing}\" - object does not exist.")],
            "title": ["Ensure this field has no more than 200 characters."],
            "price_from": ["Ensure this value is greater than or equal to 0."],
            "price_unit": ["\"week\" is not a valid choice."],
            "duration_minutes": ["Ensure this value is greater than or equal to 1."],
            "is_active": ["Must be a valid boolean."],
        }));
        let more = app.post_as("services/", &user.token, &json!({
            "price_from": "100000000.00", "duration_minutes": 100001, "category": "nope",
        })).await;
        assert_eq!(more.status, 400);
        assert_eq!(more.body["title"], json!(["This field is required."]));
        assert_eq!(more.body["price_from"],
            json!(["Ensure that there are no more than 10 digits in total."]));
        assert_eq!(more.body["duration_minutes"],
            json!(["Ensure this value is less than or equal to 100000."]));
        assert_eq!(more.body["category"], json!(["“nope” is not a valid UUID."]));
        let typed = app.post_as("services/", &user.token,
            &json!({"title": " ", "price_from": "1.234", "category": 7})).await;
        assert_eq!(typed.body, json!({
            "category": ["Incorrect type. Expected pk value, received int."],
            "title": ["This field may not be blank."],
            "price_from": ["Ensure that there are no more than 2 decimal places."],
        }));
        assert_eq!(count_rows(&app, "services").await, 0);

        let id = service(&app, &provider_id, "Logo", 1000).await;
        let patch = app.patch_as(&format!("services/{id}/"), &user.token,
            &json!({"category": missing, "price_from": null})).await;
        assert_eq!(patch.status, 400);
        assert_eq!(patch.body["price_from"], json!(["This field may not be null."]));
        assert!(patch.body["category"][0].as_str().unwrap().contains("does not exist"));
    }

    async fn inactive_services_are_seen_only_by_their_provider_and_staff(app: TestApp) {
        let (owner, provider_id) = seller(&app).await;
        let (rival, _) = seller(&app).await;
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let shown = service(&app, &provider_id, "Shown", 1000).await;
        let hidden = service(&app, &provider_id, "Hidden", 1000).await;
        let patched = app.patch_as(&format!("services/{hidden}/"), &owner.token,
            &json!({"is_active": false})).await;
        assert_eq!(patched.status, 200);
        let detail = format!("services/{hidden}/");
        assert_eq!(app.get(&detail).await.status, 404);
        for user in [&rival, &customer] {
            assert_eq!(app.get_as(&detail, &user.token).await.status, 404);
            assert_eq!(ids(&app.get_as("services/", &user.token).await.body), vec![shown.clone()]);
            assert_eq!(app.post_as(&format!("services/{hidden}/like/"), &user.token, &json!({}))
                .await.status, 404);
            assert_eq!(app.get_as(&format!("services/{hidden}/comments/"), &user.token)
                .await.status, 404);
            let theirs = app.get_as(&format!("providers/{provider_id}/services/"), &user.token).await;
            assert_eq!(ids(&theirs.body), vec![shown.clone()]);
        }
        assert_eq!(ids(&app.get("services/").await.body), vec![shown.clone()]);
        for user in [&owner, &staff] {
            assert_eq!(app.get_as(&detail, &user.token).await.status, 200);
            let all = app.get_as("services/", &user.token).await.body;
            assert_eq!(all["count"], 2);
            let theirs = app.get_as(&format!("providers/{provider_id}/services/"), &user.token).await;
            assert_eq!(theirs.body["count"], 2);
        }
    }

    async fn filters_and_ordering_narrow_and_sort_the_list(app: TestApp) {
        let (user, provider_id) = seller(&app).await;
        let (_, other_provider) = seller(&app).await;
        let design = category(&app, "Design").await;
        let cheap = offer(&app, &user, json!({"title": "b cheap", "price_from": "10.00",
            "category": design})).await["id"].as_str().unwrap().to_owned();
        let middle = offer(&app, &user, json!({"title": "C middle", "price_from": "20.00"}))
            .await["id"].as_str().unwrap().to_owned();
        let dear = service(&app, &other_provider, "a dear", 3000).await;
        exec(&app, "UPDATE services SET created_at = 1 WHERE id = $1", &dear).await;
        // Ratings: cheap 4.5 (9/2), middle 3.0 (3/1), dear none; likes: dear 5.
        exec(&app, "UPDATE services SET rating_sum = 9, reviews_count = 2 WHERE id = $1", &cheap).await;
        exec(&app, "UPDATE services SET rating_sum = 3, reviews_count = 1 WHERE id = $1", &middle).await;
        exec(&app, "UPDATE services SET likes_count = 5 WHERE id = $1", &dear).await;

        let list = |query: &str| {
            let app = &app;
            let query = query.to_owned();
            async move {
                let answer = app.get(&format!("services/?{query}")).await;
                assert_eq!(answer.status, 200, "{query}: {}", answer.text);
                ids(&answer.body)
            }
        };
        assert_eq!(list("").await, vec![middle.clone(), cheap.clone(), dear.clone()]);
        assert_eq!(list(&format!("category={design}")).await, vec![cheap.clone()]);
        assert_eq!(list(&format!("category={}", design.to_uppercase())).await, vec![cheap.clone()]);
        assert_eq!(list(&format!("provider={other_provider}")).await, vec![dear.clone()]);
        assert_eq!(list("provider=nope").await, Vec::<String>::new());
        assert_eq!(list("price_min=10&price_max=20").await, vec![middle.clone(), cheap.clone()]);
        assert_eq!(list("price_min=20.01").await, vec![dear.clone()]);
        assert_eq!(list("min_rating=3").await, vec![middle.clone(), cheap.clone()]);
        assert_eq!(list("min_rating=4.5").await, vec![cheap.clone()]);
        assert_eq!(list("min_rating=4.51").await, Vec::<String>::new());
        assert_eq!(list("min_rating=0").await.len(), 3);
        assert_eq!(list("ordering=price_from").await, vec![cheap.clone(), middle.clone(), dear.clone()]);
        assert_eq!(list("ordering=-price_from").await, vec![dear.clone(), middle.clone(), cheap.clone()]);
        assert_eq!(list("ordering=-rating").await, vec![cheap.clone(), middle.clone(), dear.clone()]);
        assert_eq!(list("ordering=-likes_count").await[0], dear);
        assert_eq!(list("ordering=title").await, vec![dear.clone(), cheap.clone(), middle.clone()]);
        assert_eq!(list("ordering=created_at").await[0], dear);
        assert_eq!(list("ordering=bogus").await, list("").await, "unknown keys are ignored");
        let paged = app.get("services/?page_size=2&page=2").await;
        assert_eq!(ids(&paged.body), vec![dear.clone()]);
        assert_eq!(app.get("services/?page=3&page_size=2").await.status, 404);

        let bad = app.get("services/?price_min=cheap&price_max=-1&min_rating=6").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.body, json!({
            "price_min": ["Enter a number."],
            "price_max": ["Ensure this value is greater than or equal to 0."],
            "min_rating": ["Ensure this value is less than or equal to 5."],
        }));
        let mine = app.get(&format!("providers/{provider_id}/services/?ordering=price_from")).await;
        assert_eq!(ids(&mine.body), vec![cheap.clone(), middle.clone()]);
        assert_eq!(app.get(&format!("providers/{provider_id}/services/?price_min=x")).await.status, 400);
        assert_eq!(app.get(&format!("providers/{}/services/", uuid::Uuid::new_v4())).await.status, 404);
        assert_eq!(app.get("providers/nope/services/").await.status, 404);
    }

    async fn search_matches_title_description_provider_name_category_and_skills(app: TestApp) {
        let (user, provider_id) = seller(&app).await;
        sqlx::query("UPDATE providers SET display_name = 'Zephyr Studio' WHERE id = $1")
            .bind(&provider_id).execute(&app.db.pool).await.unwrap();
        skill(&app, &provider_id, "Typography").await;
        let design = category(&app, "Illustration").await;
        let titled = offer(&app, &user, json!({"title": "Logo design", "price_from": "10"}))
            .await["id"].as_str().unwrap().to_owned();
        let described = offer(&app, &user, json!({"title": "Branding", "price_from": "10",
            "description": "We design every logo by hand", "category": design}))
            .await["id"].as_str().unwrap().to_owned();
        let (other, _) = seller(&app).await;
        let unrelated = offer(&app, &other, json!({"title": "Plumbing", "price_from": "10"}))
            .await["id"].as_str().unwrap().to_owned();

        let search = |text: &str| {
            let app = &app;
            let text = text.to_owned();
            async move {
                let answer = app.get(&format!("services/?search={}", urlencoding(&text))).await;
                assert_eq!(answer.status, 200, "{text}: {}", answer.text);
                ids(&answer.body)
            }
        };
        assert_eq!(search("logo").await, vec![titled.clone(), described.clone()],
            "a title match ranks above a description match");
        assert_eq!(search("designs").await, vec![titled.clone(), described.clone()], "stemming");
        assert_eq!(search("hand").await, vec![described.clone()]);
        assert_eq!(search("zephyr").await.len(), 2, "the provider's display name");
        assert_eq!(search("typography").await.len(), 2, "the provider's skills");
        assert_eq!(search("illustration").await, vec![described.clone()], "the category name");
        assert_eq!(search("plumbing").await, vec![unrelated.clone()]);
        assert_eq!(search("logo plumbing").await, Vec::<String>::new(), "every word must match");
        assert_eq!(search("nothing-like-it").await, Vec::<String>::new());
        let empty = app.get("services/?search=%21%3F%20-").await;
        assert_eq!(empty.status, 200);
        assert_eq!(empty.body["count"], 0);
        assert_eq!(
            ids(&app.get("services/?search=logo&ordering=-title").await.body),
            vec![titled.clone(), described.clone()],
        );
        assert_eq!(
            ids(&app.get("services/?search=logo&ordering=title").await.body),
            vec![described.clone(), titled.clone()],
        );

        // A write rewrites the text; a skill added later is found once the service is written.
        skill(&app, &provider_id, "Calligraphy").await;
        let patched = app.patch_as(&format!("services/{titled}/"), &user.token,
            &json!({"description": "Hand lettering"})).await;
        assert_eq!(patched.status, 200);
        assert_eq!(search("calligraphy").await, vec![titled.clone()]);
        assert_eq!(search("lettering").await, vec![titled.clone()]);
        app.patch_as(&format!("services/{titled}/"), &user.token, &json!({"is_active": false})).await;
        assert_eq!(search("lettering").await, Vec::<String>::new(), "inactive: not for others");
        let own = app.get_as("services/?search=lettering", &user.token).await;
        assert_eq!(ids(&own.body), vec![titled.clone()]);
    }

    async fn a_like_toggles_and_counts(app: TestApp) {
        let (_, provider_id) = seller(&app).await;
        let fan = app.create_customer().await;
        let other = app.create_customer().await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let path = format!("services/{id}/like/");
        assert_eq!(app.post(&path, &json!({})).await.status, 401);
        let liked = app.post_as(&path, &fan.token, &json!({})).await;
        assert_eq!(liked.status, 200, "{}", liked.text);
        assert_eq!(liked.body, json!({"liked": true, "likes_count": 1}));
        let second = app.post_as(&path, &other.token, &json!({})).await;
        assert_eq!(second.body, json!({"liked": true, "likes_count": 2}));
        let unliked = app.post_as(&path, &fan.token, &json!({})).await;
        assert_eq!(unliked.body, json!({"liked": false, "likes_count": 1}));
        assert_eq!(app.get(&format!("services/{id}/")).await.body["likes_count"], 1);
        assert_eq!(count_rows(&app, "service_likes").await, 1);
        let unknown = format!("services/{}/like/", uuid::Uuid::new_v4());
        assert_eq!(app.post_as(&unknown, &fan.token, &json!({})).await.status, 404);
    }

    async fn ten_users_liking_at_once_make_ten_likes(app: TestApp) {
        let (_, provider_id) = seller(&app).await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let mut tokens = Vec::new();
        for _ in 0..10 {
            tokens.push(app.create_customer().await.token);
        }
        let answers = race(&app, &format!("services/{id}/like/"), tokens, json!({})).await;
        for (status, body) in &answers {
            assert_eq!(*status, 200, "{body}");
            assert_eq!(body["liked"], true);
        }
        assert_eq!(app.get(&format!("services/{id}/")).await.body["likes_count"], 10);
        assert_eq!(count_rows(&app, "service_likes").await, 10);
    }

    async fn nine_racing_clicks_by_one_user_leave_one_like_counted_once(app: TestApp) {
        let (_, provider_id) = seller(&app).await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let fan = app.create_customer().await;
        let answers = race(&app, &format!("services/{id}/like/"), vec![fan.token.clone(); 9], json!({})).await;
        let likes = answers.iter().filter(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["liked"] == true
        }).count();
        assert_eq!(likes, 5, "nine toggles: five likes, four unlikes");
        let rows = count_rows(&app, "service_likes").await;
        assert_eq!(rows, 1);
        assert_eq!(app.get(&format!("services/{id}/")).await.body["likes_count"], rows);
    }

    async fn a_client_with_completed_contracts_comments_once_per_contract(app: TestApp) {
        let (provider_user, provider_id) = seller(&app).await;
        let client = app.create_customer().await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let first = completed_contract(&app, &client, &provider_id, &id).await;
        let second = completed_contract(&app, &client, &provider_id, &id).await;
        let path = format!("services/{id}/comments/");

        let made = app.post_as(&path, &client.token, &json!({"rating": 4, "comment": " Great "})).await;
        assert_eq!(made.status, 201, "{}", made.text);
        assert_eq!(made.body["service"], id.as_str());
        assert_eq!(made.body["contract"], first.as_str(), "the oldest contract first");
        assert_eq!(made.body["user"], client.id);
        assert_eq!(made.body["rating"], 4);
        assert_eq!(made.body["comment"], "Great");
        assert!(uuid::Uuid::parse_str(made.body["id"].as_str().unwrap()).is_ok());
        assert_eq!(made.body.as_object().unwrap().len(), 7);

        let again = app.post_as(&path, &client.token, &json!({"rating": 1})).await;
        assert_eq!(again.status, 201);
        assert_eq!(again.body["contract"], second.as_str());
        assert_eq!(again.body["comment"], "");
        let third = app.post_as(&path, &client.token, &json!({"rating": 5})).await;
        assert_eq!(third.status, 409, "{}", third.text);
        assert_eq!(third.body["code"], "already_commented");

        let shown = app.get(&format!("services/{id}/")).await.body;
        assert_eq!(shown["rating"], 2.5);
        assert_eq!(shown["reviews_count"], 2);
        assert_eq!(provider_rating(&app, &provider_id).await, (5, 2));

        let listed = app.get(&path).await;
        assert_eq!(listed.status, 200);
        assert_eq!(listed.body["count"], 2);
        assert_eq!(listed.body["results"][0], again.body, "newest first");
        assert_eq!(listed.body["results"][1], made.body);

        let notes: Vec<(String, String)> = sqlx::query_as(
            "SELECT type, action_url FROM notifications WHERE user_id = $1 ORDER BY id")
            .bind(provider_user.id).fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(notes, vec![("review".to_owned(), format!("/services/{id}")); 2]);

        let reviews = app.get(&format!("providers/{provider_id}/reviews/")).await;
        assert_eq!(reviews.status, 200);
        assert_eq!(reviews.body["count"], 2);
        assert_eq!(reviews.body["results"][0]["id"], again.body["id"]);
        assert_eq!(app.get(&format!("providers/{}/reviews/", uuid::Uuid::new_v4())).await.status, 404);
    }

    async fn commenting_needs_a_completed_contract_for_this_service(app: TestApp) {
        let (_, provider_id) = seller(&app).await;
        let client = app.create_customer().await;
        let stranger = app.create_customer().await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let elsewhere = service(&app, &provider_id, "Audit", 1000).await;
        let path = format!("services/{id}/comments/");
        assert_eq!(app.post(&path, &json!({"rating": 5})).await.status, 401);

        let refused = app.post_as(&path, &client.token, &json!({"rating": 5})).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert_eq!(refused.body["code"], "no_completed_contract");
        assert!(refused.detail().contains("completed contract"));

        completed_contract(&app, &client, &provider_id, &elsewhere).await;
        assert_eq!(app.post_as(&path, &client.token, &json!({"rating": 5})).await.status, 403,
            "a contract for another service");
        let active = completed_contract(&app, &client, &provider_id, &id).await;
        exec(&app, "UPDATE contracts SET status = 'delivered' WHERE id = $1", &active).await;
        assert_eq!(app.post_as(&path, &client.token, &json!({"rating": 5})).await.status, 403,
            "a contract not completed yet");
        completed_contract(&app, &client, &provider_id, &id).await;
        assert_eq!(app.post_as(&path, &stranger.token, &json!({"rating": 5})).await.status, 403,
            "another client's contract");

        for (body, field, message) in [
            (json!({}), "rating", "This field is required."),
            (json!({"rating": 0}), "rating", "Ensure this value is greater than or equal to 1."),
            (json!({"rating": 6}), "rating", "Ensure this value is less than or equal to 5."),
            (json!({"rating": "x"}), "rating", "A valid integer is required."),
            (json!({"rating": 3, "comment": null}), "comment", "This field may not be null."),
        ] {
            let bad = app.post_as(&path, &client.token, &body).await;
            assert_eq!(bad.status, 400, "{body}");
            assert_eq!(bad.body[field], json!([message]), "{body}");
        }
        let unknown = format!("services/{}/comments/", uuid::Uuid::new_v4());
        assert_eq!(app.post_as(&unknown, &client.token, &json!({"rating": 5})).await.status, 404);
        assert_eq!(app.get(&unknown).await.status, 404);
        assert_eq!(count_rows(&app, "service_comments").await, 0);
        assert_eq!(provider_rating(&app, &provider_id).await, (0, 0));
        assert_eq!(app.post_as(&path, &client.token, &json!({"rating": 5})).await.status, 201);
    }

    async fn two_racing_comments_on_one_contract_make_one(app: TestApp) {
        let (_, provider_id) = seller(&app).await;
        let client = app.create_customer().await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        completed_contract(&app, &client, &provider_id, &id).await;
        let answers = race(&app, &format!("services/{id}/comments/"),
            vec![client.token.clone(); 2], json!({"rating": 4})).await;
        let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 409], "{answers:?}");
        assert_eq!(count_rows(&app, "service_comments").await, 1);
        let shown = app.get(&format!("services/{id}/")).await.body;
        assert_eq!((shown["rating"].clone(), shown["reviews_count"].clone()), (json!(4.0), json!(1)));
        assert_eq!(provider_rating(&app, &provider_id).await, (4, 1));
    }

    async fn a_delete_racing_comments_and_likes_leaves_the_provider_rating_right(app: TestApp) {
        let (user, provider_id) = seller(&app).await;
        let id = service(&app, &provider_id, "Logo", 1000).await;
        let mut clients = Vec::new();
        for _ in 0..4 {
            let client = app.create_customer().await;
            completed_contract(&app, &client, &provider_id, &id).await;
            clients.push(client);
        }
        let url = format!("{}/api/v1/services/{id}/", app.address);
        let comments = tokio::spawn({
            let app_client = app.client.clone();
            let tokens: Vec<String> = clients.iter().map(|c| c.token.clone()).collect();
            let url = url.clone();
            async move {
                let mut tasks = Vec::new();
                for token in tokens {
                    tasks.push(tokio::spawn(race_post(app_client.clone(),
                        format!("{url}comments/"), token.clone(), json!({"rating": 5}), None)));
                    tasks.push(tokio::spawn(race_post(app_client.clone(),
                        format!("{url}like/"), token, json!({}), None)));
                }
                let mut statuses = Vec::new();
                for task in tasks {
                    statuses.push(task.await.unwrap().0.as_u16());
                }
                statuses
            }
        });
        let deleted = app.client.delete(&url).bearer_auth(&user.token).send().await.unwrap();
        assert_eq!(deleted.status().as_u16(), 204);
        for status in comments.await.unwrap() {
            assert!([200, 201, 404].contains(&status), "no 5xx under the race: {status}");
        }
        assert_eq!(provider_rating(&app, &provider_id).await, (0, 0));
        assert_eq!(count_rows(&app, "service_comments").await, 0);
        assert_eq!(count_rows(&app, "service_likes").await, 0);
    }

    async fn deleting_a_service_takes_its_ratings_off_the_provider(app: TestApp) {
        let (user, provider_id) = seller(&app).await;
        let client = app.create_customer().await;
        let kept = service(&app, &provider_id, "Kept", 1000).await;
        let gone = service(&app, &provider_id, "Gone", 1000).await;
        completed_contract(&app, &client, &provider_id, &kept).await;
        completed_contract(&app, &client, &provider_id, &gone).await;
        for id in [&kept, &gone] {
            let made = app.post_as(&format!("services/{id}/comments/"), &client.token,
                &json!({"rating": if id == &kept { 5 } else { 2 }})).await;
            assert_eq!(made.status, 201);
        }
        app.post_as(&format!("services/{gone}/like/"), &client.token, &json!({})).await;
        assert_eq!(provider_rating(&app, &provider_id).await, (7, 2));
        assert_eq!(app.delete_as(&format!("services/{gone}/"), &user.token).await.status, 204);
        assert_eq!(provider_rating(&app, &provider_id).await, (5, 1));
        assert_eq!(count_rows(&app, "service_comments").await, 1);
        assert_eq!(count_rows(&app, "service_likes").await, 0);
        let reviews = app.get(&format!("providers/{provider_id}/reviews/")).await;
        assert_eq!(reviews.body["count"], 1);
        assert_eq!(reviews.body["results"][0]["service"], kept.as_str());
        assert_eq!(app.get(&format!("services/{gone}/comments/")).await.status, 404);
    }
}

/// `text` percent-encoded for a query string.
fn urlencoding(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
