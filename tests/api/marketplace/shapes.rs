//! The marketplace's response shapes (SPEC §3.12), one journey through the API: every body a
//! client of the services platform reads, snapshotted once for both engines (ids are UUIDs,
//! redacted by `snapshot::portable`).

use serde_json::{json, Value};

use crate::{
    api_test, assert_shape,
    helpers::{TestApp, TestUser},
};

/// `POST path` as `user`, expecting `status`; the body.
async fn created(app: &TestApp, user: &TestUser, path: &str, body: Value, status: u16) -> Value {
    let answer = app.post_as(path, &user.token, &body).await;
    assert_eq!(answer.status, status, "{path}: {}", answer.text);
    answer.body
}

/// `GET path` as `user`, expecting `200`; the body.
async fn read(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let answer = app.get_as(path, &user.token).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.body
}

api_test! {
    async fn marketplace_shapes(app: TestApp) {
        let staff = app.create_staff().await;
        let seller = app.create_customer().await;
        let buyer = app.create_customer().await;

        let category = created(&app, &staff, "service-categories/",
            json!({"name": "Design", "description": "Logos and more."}), 201).await;
        assert_shape!(app, "service_category", category);
        let skill = created(&app, &staff, "skills/", json!({"name": "Logo design"}), 201).await;
        assert_shape!(app, "skill", skill);
        let company = created(&app, &seller, "companies/",
            json!({"name": "Bright Studio", "website": "https://bright.example.com"}), 201).await;
        assert_shape!(app, "company", company);
        let provider = created(&app, &seller, "providers/", json!({
            "display_name": "Bright Logos", "bio": "Ten years of logos.", "skills": [skill["id"]],
            "company": company["id"], "hourly_rate": "45.00",
        }), 201).await;
        assert_shape!(app, "provider", provider);
        let service = created(&app, &seller, "services/", json!({
            "category": category["id"], "title": "Logo and brand identity",
            "description": "Three drafts, two rounds.", "price_from": "250.00",
            "price_unit": "fixed", "duration_minutes": 120,
        }), 201).await;
        assert_shape!(app, "service", service);
        let service_id = service["id"].as_str().unwrap().to_owned();
        assert_shape!(app, "service_list_page", read(&app, &buyer, "services/?search=logo").await);
        let like = created(&app, &buyer, &format!("services/{service_id}/like/"), json!({}), 200).await;
        assert_shape!(app, "service_like", like);

        let request = created(&app, &buyer, "requests/", json!({
            "category": category["id"], "title": "A logo for a bakery",
            "description": "Warm colours.", "budget_min": "200.00", "budget_max": "400.00",
            "deadline": "2099-01-31",
        }), 201).await;
        assert_shape!(app, "service_request", request);
        let proposal = created(&app, &seller, "proposals/", json!({
            "request": request["id"], "service": service_id, "price": "300.00",
            "message": "Happy to help.", "estimated_days": 7,
        }), 201).await;
        assert_shape!(app, "proposal", proposal);
        let request_path = format!("requests/{}/proposals/", request["id"].as_str().unwrap());
        assert_shape!(app, "request_proposal_list_page", read(&app, &buyer, &request_path).await);
        let contract = created(&app, &buyer,
            &format!("proposals/{}/accept/", proposal["id"].as_str().unwrap()), json!({}), 201).await;
        assert_shape!(app, "contract", contract);
        let contract_id = contract["id"].as_str().unwrap().to_owned();

        let appointment = created(&app, &buyer, "appointments/", json!({
            "contract": contract_id, "starts_at": "2099-01-10T10:00:00Z",
            "ends_at": "2099-01-10T11:00:00Z", "location": "Video call", "notes": "Kick-off",
        }), 201).await;
        assert_shape!(app, "appointment", appointment);

        let moved = |status: &str, note: &str| json!({"status": status, "note": note});
        let status_path = format!("contracts/{contract_id}/update_status/");
        created(&app, &seller, &status_path, moved("delivered", "Files sent."), 200).await;
        let completed = created(&app, &buyer, &status_path, moved("completed", ""), 200).await;
        assert_shape!(app, "contract_completed", completed);
        let refused = app.post_as(&status_path, &buyer.token, &moved("active", "")).await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        assert_shape!(app, "contract_invalid_transition", refused.body);
        assert_shape!(app, "contract_list_page", read(&app, &seller, "contracts/").await);

        let comment = created(&app, &buyer, &format!("services/{service_id}/comments/"),
            json!({"rating": 5, "comment": "Lovely work."}), 201).await;
        assert_shape!(app, "service_comment", comment);

        assert_shape!(app, "provider_figures", read(&app, &seller, "analytics/provider/").await);
        // The search is recorded by the capture task, which writes within 50 ms in tests.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let client = loop {
            let figures = read(&app, &buyer, "analytics/client/").await;
            if figures["recent_searches"].as_array().is_some_and(|s| !s.is_empty())
                || std::time::Instant::now() > deadline
            {
                break figures;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_shape!(app, "client_figures", client);
    }
}
