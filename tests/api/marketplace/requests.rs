//! Service requests: the client posts and edits them while open, providers read the open ones,
//! everyone else gets 404; cancelling keeps the request and rejects its pending proposals.

use serde_json::json;

use super::{deals_support::*, ids};
use crate::{api_test, helpers::TestApp};

fn future(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

api_test! {
    async fn a_request_is_created_with_the_caller_as_client_and_server_fields_ignored(app: TestApp) {
        let client = app.create_customer().await;
        let other = app.create_customer().await;
        let category = category(&app, "Painting").await;
        let deadline = future(10);
        let response = app
            .post_as(
                "requests/",
                &client.token,
                &json!({"title": "  Paint  ", "description": "Two rooms", "category": category,
                        "budget_min": 100, "budget_max": "250.5", "deadline": deadline,
                        "client": other.id, "status": "closed", "proposals_count": 9}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let body = &response.body;
        assert_eq!(body["client"], client.id);
        assert_eq!(body["title"], "Paint");
        assert_eq!(body["category"], category.as_str());
        assert_eq!(body["budget_min"], "100.00");
        assert_eq!(body["budget_max"], "250.50");
        assert_eq!(body["deadline"], deadline.as_str());
        assert_eq!(body["status"], "open");
        assert_eq!(body["proposals_count"], 0);
        assert_fields(body, &["id", "client", "category", "title", "description", "budget_min", "budget_max",
             "deadline", "status", "proposals_count", "created_at"]);
        let minimal = app
            .post_as("requests/", &client.token, &json!({"title": "Fix", "description": "A tap"}))
            .await;
        assert_eq!(minimal.status, 201, "{}", minimal.text);
        assert_eq!(minimal.body["budget_min"], serde_json::Value::Null);
        assert_eq!(minimal.body["deadline"], serde_json::Value::Null);
        assert_eq!(app.post("requests/", &json!({"title": "x", "description": "y"})).await.status, 401);
        assert_eq!(app.get("requests/").await.status, 401);
    }

    async fn every_invalid_request_field_is_a_400_under_its_name(app: TestApp) {
        let client = app.create_customer().await;
        let cases = [
            (json!({"description": "d"}), "title"),
            (json!({"title": "", "description": "d"}), "title"),
            (json!({"title": "x".repeat(201), "description": "d"}), "title"),
            (json!({"title": "t"}), "description"),
            (json!({"title": "t", "description": "d", "budget_min": "abc"}), "budget_min"),
            (json!({"title": "t", "description": "d", "budget_min": "-1.00"}), "budget_min"),
            (json!({"title": "t", "description": "d", "budget_max": "1.005"}), "budget_max"),
            (json!({"title": "t", "description": "d", "budget_max": "100000000.00"}), "budget_max"),
            (json!({"title": "t", "description": "d", "budget_min": "50", "budget_max": "49.99"}), "budget_max"),
            (json!({"title": "t", "description": "d", "deadline": "2001-01-01"}), "deadline"),
            (json!({"title": "t", "description": "d", "deadline": future(-1)}), "deadline"),
            (json!({"title": "t", "description": "d", "deadline": "next week"}), "deadline"),
            (json!({"title": "t", "description": "d", "deadline": 20300101}), "deadline"),
            (json!({"title": "t", "description": "d", "category": "nope"}), "category"),
            (json!({"title": "t", "description": "d", "category": uuid::Uuid::new_v4().to_string()}), "category"),
        ];
        for (body, field) in cases {
            let response = app.post_as("requests/", &client.token, &body).await;
            assert_eq!(response.status, 400, "{body}: {}", response.text);
            assert!(response.body[field].is_array(), "{body}: {}", response.text);
        }
        let today = app
            .post_as("requests/", &client.token,
                &json!({"title": "t", "description": "d", "deadline": future(0),
                        "budget_min": "5", "budget_max": "5"}))
            .await;
        assert_eq!(today.status, 201, "today and equal budgets are fine: {}", today.text);
        assert_eq!(
            app.post_as("requests/", &client.token, &json!([1])).await.status,
            400
        );
    }

    async fn requests_are_seen_by_staff_the_client_and_providers_while_open(app: TestApp) {
        let client = app.create_customer().await;
        let stranger = app.create_customer().await;
        let staff = app.create_staff().await;
        let (bidder, _) = new_provider(&app).await;
        let (onlooker, _) = new_provider(&app).await;
        let open = open_request(&app, &client, "Open one").await["id"].as_str().unwrap().to_owned();
        let proposed_on = open_request(&app, &client, "Proposed on").await["id"].as_str().unwrap().to_owned();
        propose(&app, &bidder, &proposed_on, "10.00").await;
        assert_eq!(app.delete_as(&format!("requests/{proposed_on}/"), &client.token).await.status, 204);

        let listed = |user: &crate::helpers::TestUser| {
            let token = user.token.clone();
            let app = &app;
            async move {
                let mut found = ids(&app.get_as("requests/", &token).await.body);
                found.sort();
                found
            }
        };
        let mut both = vec![open.clone(), proposed_on.clone()];
        both.sort();
        assert_eq!(listed(&client).await, both);
        assert_eq!(listed(&staff).await, both);
        assert_eq!(listed(&bidder).await, both, "open, and cancelled but proposed on");
        assert_eq!(listed(&onlooker).await, vec![open.clone()], "only the open one");
        assert!(listed(&stranger).await.is_empty());

        for (user, id, status) in [
            (&client, &proposed_on, 200),
            (&staff, &proposed_on, 200),
            (&bidder, &proposed_on, 200),
            (&onlooker, &open, 200),
            (&onlooker, &proposed_on, 404),
            (&stranger, &open, 404),
        ] {
            let response = app.get_as(&format!("requests/{id}/"), &user.token).await;
            assert_eq!(response.status, status, "{}", response.text);
        }
        assert_eq!(app.get_as("requests/not-a-uuid/", &client.token).await.status, 404);
        let missing = uuid::Uuid::new_v4();
        assert_eq!(app.get_as(&format!("requests/{missing}/"), &staff.token).await.status, 404);
    }

    async fn the_request_list_filters_searches_and_orders(app: TestApp) {
        let client = app.create_customer().await;
        let painting = category(&app, "Painting").await;
        let mut made = Vec::new();
        for (title, description, budget_max, deadline, cat) in [
            ("Paint the hall", "walls", Some("300.00"), Some(future(30)), Some(&painting)),
            ("Fix a tap", "kitchen 50%_off", None, Some(future(5)), None),
            ("Garden", "mow the LAWN", Some("80.00"), None, None),
        ] {
            let mut body = json!({"title": title, "description": description});
            if let Some(max) = budget_max { body["budget_max"] = json!(max); }
            if let Some(day) = deadline { body["deadline"] = json!(day); }
            if let Some(cat) = cat { body["category"] = json!(cat); }
            let response = app.post_as("requests/", &client.token, &body).await;
            assert_eq!(response.status, 201, "{}", response.text);
            made.push(response.body["id"].as_str().unwrap().to_owned());
        }
        let (paint, tap, garden) = (&made[0], &made[1], &made[2]);
        app.delete_as(&format!("requests/{garden}/"), &client.token).await;
        let list = |query: String| {
            let app = &app;
            let token = client.token.clone();
            async move { app.get_as(&format!("requests/?{query}"), &token).await }
        };
        assert_eq!(ids(&list(String::new()).await.body), vec![garden.clone(), tap.clone(), paint.clone()], "newest first");
        assert_eq!(ids(&list("status=cancelled".into()).await.body), vec![garden.clone()]);
        assert_eq!(ids(&list(format!("category={painting}")).await.body), vec![paint.clone()]);
        assert_eq!(ids(&list("search=lawn".into()).await.body), vec![garden.clone()]);
        assert_eq!(ids(&list("search=PAINT".into()).await.body), vec![paint.clone()]);
        assert_eq!(ids(&list("search=50%25_".into()).await.body), vec![tap.clone()]);
        assert_eq!(ids(&list("search=5_%25".into()).await.body), Vec::<String>::new(), "wildcards match themselves");
        assert_eq!(ids(&list("ordering=deadline".into()).await.body), vec![tap.clone(), paint.clone(), garden.clone()]);
        assert_eq!(ids(&list("ordering=-deadline".into()).await.body), vec![garden.clone(), paint.clone(), tap.clone()]);
        assert_eq!(ids(&list("ordering=-budget_max".into()).await.body), vec![tap.clone(), paint.clone(), garden.clone()]);
        assert_eq!(ids(&list("ordering=created_at,bogus".into()).await.body), vec![paint.clone(), tap.clone(), garden.clone()]);
        let page = list("page_size=2&page=2".into()).await;
        assert_eq!(page.body["count"], 3);
        assert_eq!(ids(&page.body), vec![paint.clone()]);
        for (query, field) in [("status=done", "status"), ("category=paint", "category")] {
            let response = list(query.into()).await;
            assert_eq!(response.status, 400, "{query}");
            assert!(response.body[field].is_array(), "{}", response.text);
        }
        assert_eq!(list("page=9".into()).await.status, 404);
    }

    async fn only_the_client_edits_an_open_request(app: TestApp) {
        let client = app.create_customer().await;
        let (bidder, _) = new_provider(&app).await;
        let staff = app.create_staff().await;
        let request = open_request(&app, &client, "Paint").await;
        let id = request["id"].as_str().unwrap();
        let path = format!("requests/{id}/");

        let edited = app
            .patch_as(&path, &client.token, &json!({"title": "Paint it blue", "deadline": null, "status": "closed"}))
            .await;
        assert_eq!(edited.status, 200, "{}", edited.text);
        assert_eq!(edited.body["title"], "Paint it blue");
        assert_eq!(edited.body["status"], "open");
        assert_eq!(edited.body["budget_max"], "500.00", "untouched");

        // The stored budget_max (500) stands in for the one the PATCH leaves out.
        let above = app.patch_as(&path, &client.token, &json!({"budget_min": "600"})).await;
        assert_eq!(above.status, 400);
        assert!(above.body["budget_max"].is_array(), "{}", above.text);
        let bad_title = app.patch_as(&path, &client.token, &json!({"title": ""})).await;
        assert_eq!(bad_title.status, 400);

        for user in [&bidder, &staff] {
            assert_eq!(app.patch_as(&path, &user.token, &json!({"title": "Mine"})).await.status, 404);
            assert_eq!(app.delete_as(&path, &user.token).await.status, 404);
        }
        assert_eq!(app.delete_as(&path, &client.token).await.status, 204);
        let late = app.patch_as(&path, &client.token, &json!({"title": "Again"})).await;
        assert_eq!(late.status, 409);
        assert_eq!(late.body["code"], "invalid_state");
        let again = app.delete_as(&path, &client.token).await;
        assert_eq!(again.status, 409);
        assert_eq!(again.body["code"], "invalid_state");
    }

    async fn cancelling_keeps_the_request_and_rejects_pending_proposals_with_a_notice(app: TestApp) {
        let deal = proposed(&app).await;
        let (withdrawn_by, _) = new_provider(&app).await;
        let withdrawn = propose(&app, &withdrawn_by, &deal.request, "20.00").await;
        app.delete_as(&format!("proposals/{}/", withdrawn["id"].as_str().unwrap()), &withdrawn_by.token).await;
        assert_eq!(notices_of(&app, &deal.provider, "proposal").await, 0);

        let response = app.delete_as(&format!("requests/{}/", deal.request), &deal.client.token).await;
        assert_eq!(response.status, 204, "{}", response.text);
        let kept = app.get_as(&format!("requests/{}/", deal.request), &deal.client.token).await;
        assert_eq!(kept.status, 200);
        assert_eq!(kept.body["status"], "cancelled");
        let proposal = app.get_as(&format!("proposals/{}/", deal.proposal), &deal.provider.token).await;
        assert_eq!(proposal.body["status"], "rejected");
        assert_eq!(proposals_in(&app, &deal.request, "withdrawn").await, 1, "a withdrawn one stays withdrawn");
        let told = notices(&app, &deal.provider).await;
        assert_eq!(told.len(), 1);
        assert_eq!(told[0]["type"], "proposal");
        assert_eq!(told[0]["action_url"], format!("/proposals/{}", deal.proposal));
        assert_eq!(notices_of(&app, &withdrawn_by, "proposal").await, 0);
    }

    async fn a_requests_proposals_are_all_for_its_client_and_own_for_a_provider(app: TestApp) {
        let deal = proposed(&app).await;
        let (second, _) = new_provider(&app).await;
        let (idle, _) = new_provider(&app).await;
        let theirs = propose(&app, &second, &deal.request, "40.00").await["id"].as_str().unwrap().to_owned();
        let stranger = app.create_customer().await;
        let staff = app.create_staff().await;
        let path = format!("requests/{}/proposals/", deal.request);

        let all = app.get_as(&path, &deal.client.token).await;
        assert_eq!(all.status, 200, "{}", all.text);
        assert_eq!(ids(&all.body), vec![theirs.clone(), deal.proposal.clone()]);
        assert_eq!(ids(&app.get_as(&format!("{path}?ordering=-price"), &deal.client.token).await.body),
            vec![deal.proposal.clone(), theirs.clone()]);
        assert_eq!(ids(&app.get_as(&path, &deal.provider.token).await.body), vec![deal.proposal.clone()]);
        assert_eq!(ids(&app.get_as(&path, &second.token).await.body), vec![theirs]);
        assert!(ids(&app.get_as(&path, &idle.token).await.body).is_empty());
        assert_eq!(app.get_as(&path, &stranger.token).await.status, 404);
        assert_eq!(app.get_as(&path, &staff.token).await.status, 404, "staff see the request, not the bids");
    }
}
