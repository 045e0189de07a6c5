//! Service categories and skills: staff CRUD, slugs, lists, and services' search text kept in step.

use serde_json::{json, Value};

use super::{provider, service};
use crate::{
    api_test,
    helpers::{TestApp, TestUser},
};

const PATHS: [&str; 2] = ["service-categories/", "skills/"];

/// Creates a skill as `staff`; returns its id.
pub async fn skill(app: &TestApp, staff: &TestUser, name: &str) -> String {
    let response = app
        .post_as("skills/", &staff.token, &json!({ "name": name }))
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body["id"].as_str().unwrap().to_owned()
}

/// Creates a service category as `staff`; returns its id.
pub async fn category(app: &TestApp, staff: &TestUser, name: &str) -> String {
    let response = app
        .post_as(
            "service-categories/",
            &staff.token,
            &json!({ "name": name }),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body["id"].as_str().unwrap().to_owned()
}

/// A service's stored search text.
pub async fn search_text(app: &TestApp, service: &str) -> String {
    sqlx::query_scalar("SELECT search_text FROM services WHERE id = $1")
        .bind(service)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

fn names(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

api_test! {
    async fn staff_create_read_replace_patch_and_delete_categories_and_skills(app: TestApp) {
        let staff = app.create_staff().await;
        for path in PATHS {
            let created = app
                .post_as(path, &staff.token, &json!({"name": "Home Cleaning", "description": "Mops"}))
                .await;
            assert_eq!(created.status, 201, "{}", created.text);
            let id = created.body["id"].as_str().unwrap().to_owned();
            assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
            assert_eq!(created.body["slug"], "home-cleaning");
            if path == "skills/" {
                assert_eq!(created.body, json!({"id": id, "name": "Home Cleaning", "slug": "home-cleaning"}));
            } else {
                assert_eq!(created.body["description"], "Mops");
            }
            let detail = app.get(&format!("{path}{id}/")).await;
            assert_eq!(detail.status, 200);
            assert_eq!(detail.body, created.body);
            let list = app.get(path).await;
            assert_eq!(list.body["count"], 1);
            assert_eq!(list.body["results"][0], created.body);

            let put = app
                .put_as(&format!("{path}{id}/"), &staff.token, &json!({"name": "Cleaning", "slug": "clean"}))
                .await;
            assert_eq!(put.status, 200, "{}", put.text);
            assert_eq!((&put.body["name"], &put.body["slug"]), (&json!("Cleaning"), &json!("clean")));
            let patch = app
                .patch_as(&format!("{path}{id}/"), &staff.token, &json!({"description": "Brooms"}))
                .await;
            assert_eq!(patch.status, 200, "{}", patch.text);
            assert_eq!(patch.body["name"], "Cleaning");
            if path == "service-categories/" {
                assert_eq!(patch.body["description"], "Brooms");
            }
            let deleted = app.delete_as(&format!("{path}{id}/"), &staff.token).await;
            assert_eq!(deleted.status, 204);
            assert_eq!(app.get(&format!("{path}{id}/")).await.status, 404);
            assert_eq!(app.delete_as(&format!("{path}{id}/"), &staff.token).await.status, 404);
        }
    }

    async fn only_staff_write_categories_and_skills(app: TestApp) {
        let staff = app.create_staff().await;
        let customer = app.create_customer().await;
        for path in PATHS {
            let id = app
                .post_as(path, &staff.token, &json!({"name": "Gardening"}))
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let item = format!("{path}{id}/");
            let body = json!({"name": "Weeding"});
            assert_eq!(app.post(path, &body).await.status, 401);
            assert_eq!(app.post_as(path, &customer.token, &body).await.status, 403);
            for method in [reqwest::Method::PUT, reqwest::Method::PATCH, reqwest::Method::DELETE] {
                let anonymous = app.request(method.clone(), &item, None, Some(&body)).await;
                assert_eq!(anonymous.status, 401, "{method} {item}");
                let customer = app
                    .request(method.clone(), &item, Some(&customer.token), Some(&body))
                    .await;
                assert_eq!(customer.status, 403, "{method} {item}");
            }
            assert_eq!(app.get(&item).await.body["name"], "Gardening");
        }
    }

    async fn slugs_are_generated_unique_and_validated(app: TestApp) {
        let staff = app.create_staff().await;
        for (path, model) in [("service-categories/", "service category"), ("skills/", "skill")] {
            let first = app.post_as(path, &staff.token, &json!({"name": "Plumbing"})).await;
            let second = app.post_as(path, &staff.token, &json!({"name": "Plumbing!"})).await;
            assert_eq!(first.body["slug"], "plumbing");
            assert_eq!(second.body["slug"], "plumbing-2");
            let numeric = app.post_as(path, &staff.token, &json!({"name": "24/7"})).await;
            assert_eq!(numeric.status, 201);

            let bad = app
                .post_as(path, &staff.token, &json!({"name": "Roofs", "slug": "not a slug"}))
                .await;
            assert_eq!(bad.status, 400);
            assert!(bad.body["slug"][0].as_str().unwrap().contains("valid “slug”"), "{}", bad.text);
            let taken = app
                .post_as(path, &staff.token, &json!({"name": "Roofs", "slug": "plumbing"}))
                .await;
            assert_eq!(taken.status, 400);
            assert_eq!(taken.body, json!({"slug": [format!("{model} with this slug already exists.")]}));
            let id = second.body["id"].as_str().unwrap();
            let clash = app
                .patch_as(&format!("{path}{id}/"), &staff.token, &json!({"slug": "plumbing"}))
                .await;
            assert_eq!(clash.status, 400);
            assert_eq!(clash.body["slug"][0], format!("{model} with this slug already exists."));

            let missing = app.post_as(path, &staff.token, &json!({"slug": "x"})).await;
            assert_eq!(missing.status, 400);
            assert_eq!(missing.body, json!({"name": ["This field is required."]}));
            let blank = app.post_as(path, &staff.token, &json!({"name": "  "})).await;
            assert_eq!(blank.body, json!({"name": ["This field may not be blank."]}));
            let put_without_name = app
                .put_as(&format!("{path}{id}/"), &staff.token, &json!({"slug": "pipes"}))
                .await;
            assert_eq!(put_without_name.status, 400);
            assert_eq!(put_without_name.body, json!({"name": ["This field is required."]}));
        }
    }

    async fn lists_search_order_and_page(app: TestApp) {
        let staff = app.create_staff().await;
        for path in PATHS {
            for name in ["beta", "Alpha", "gamma_1", "Gamma"] {
                app.post_as(path, &staff.token, &json!({ "name": name })).await;
            }
            assert_eq!(names(&app.get(path).await.body), ["Alpha", "beta", "Gamma", "gamma_1"]);
            assert_eq!(
                names(&app.get(&format!("{path}?ordering=-name")).await.body),
                ["gamma_1", "Gamma", "beta", "Alpha"]
            );
            assert_eq!(
                names(&app.get(&format!("{path}?ordering=-created_at")).await.body),
                ["Gamma", "gamma_1", "Alpha", "beta"]
            );
            assert_eq!(names(&app.get(&format!("{path}?ordering=bogus")).await.body)[0], "Alpha");
            assert_eq!(names(&app.get(&format!("{path}?search=GAM")).await.body), ["Gamma", "gamma_1"]);
            assert_eq!(names(&app.get(&format!("{path}?search=_")).await.body), ["gamma_1"]);
            let page = app.get(&format!("{path}?page=2&page_size=3")).await;
            assert_eq!(page.body["count"], 4);
            assert_eq!(names(&page.body), ["gamma_1"]);
            assert!(page.body["previous"].is_string());
            let past = app.get(&format!("{path}?page=3&page_size=3")).await;
            assert_eq!(past.status, 404);
            assert_eq!(past.body["detail"], "Invalid page.");
        }
    }

    async fn malformed_and_unknown_ids_are_404(app: TestApp) {
        let staff = app.create_staff().await;
        let unknown = uuid::Uuid::new_v4();
        for path in PATHS {
            for id in ["not-a-uuid".to_owned(), "42".to_owned(), unknown.to_string()] {
                let item = format!("{path}{id}/");
                assert_eq!(app.get(&item).await.status, 404, "{item}");
                let patch = app.patch_as(&item, &staff.token, &json!({"name": "x"})).await;
                assert_eq!(patch.status, 404, "{item}");
                assert_eq!(app.delete_as(&item, &staff.token).await.status, 404, "{item}");
            }
        }
    }

    async fn renames_and_deletes_rewrite_services_search_text(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let provider = provider(&app, &ann).await;
        let sink = service(&app, &provider, "Fix a sink", 5000).await;
        let other = service(&app, &provider, "Fix a tap", 5000).await;
        let plumbing = category(&app, &staff, "Plumbing").await;
        let soldering = skill(&app, &staff, "Soldering").await;
        sqlx::query("UPDATE services SET category_id = $1 WHERE id = $2")
            .bind(&plumbing)
            .bind(&sink)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let linked = app
            .patch_as(&format!("providers/{provider}/"), &ann.token, &json!({"skills": [soldering]}))
            .await;
        assert_eq!(linked.status, 200, "{}", linked.text);
        assert!(search_text(&app, &sink).await.contains("Soldering"));

        let renamed = app
            .patch_as(&format!("service-categories/{plumbing}/"), &staff.token, &json!({"name": "Pipework"}))
            .await;
        assert_eq!(renamed.status, 200);
        let text = search_text(&app, &sink).await;
        assert!(text.contains("Pipework") && !text.contains("Plumbing"), "{text}");
        assert!(!search_text(&app, &other).await.contains("Pipework"));

        app.put_as(&format!("skills/{soldering}/"), &staff.token, &json!({"name": "Brazing"})).await;
        for id in [&sink, &other] {
            let text = search_text(&app, id).await;
            assert!(text.contains("Brazing") && !text.contains("Soldering"), "{text}");
        }

        assert_eq!(app.delete_as(&format!("skills/{soldering}/"), &staff.token).await.status, 204);
        assert_eq!(app.delete_as(&format!("service-categories/{plumbing}/"), &staff.token).await.status, 204);
        let text = search_text(&app, &sink).await;
        assert!(!text.contains("Brazing") && !text.contains("Pipework"), "{text}");
        assert!(!search_text(&app, &other).await.contains("Brazing"));
        let profile = app.get(&format!("providers/{provider}/")).await;
        assert_eq!(profile.body["skills"], json!([]));
    }
}
