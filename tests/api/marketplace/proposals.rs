//! Proposals: providers propose on open requests they can see, one pending each; the two parties
//! read them; accepting awards the request, rejects the rest and opens a contract in one
//! transaction, and exactly once when clients race.

use serde_json::{json, Value};

use super::{deals_support::*, ids, service};
use crate::{api_test, fixtures::race_post, helpers::TestApp};

fn body(request: &str) -> Value {
    json!({"request": request, "price": "120.50", "message": "Two days", "estimated_days": 2})
}

api_test! {
    async fn a_proposal_counts_on_its_request_and_notifies_the_client(app: TestApp) {
        let client = app.create_customer().await;
        let (bidder, provider_id) = new_provider(&app).await;
        let service_id = service(&app, &provider_id, "Painting", 10000).await;
        let request = open_request(&app, &client, "Paint").await["id"].as_str().unwrap().to_owned();
        let mut sent = body(&request);
        sent["service"] = json!(service_id);
        sent["provider"] = json!(uuid::Uuid::new_v4().to_string());
        sent["status"] = json!("accepted");
        let response = app.post_as("proposals/", &bidder.token, &sent).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let created = &response.body;
        assert_fields(created, &["id", "request", "provider", "service", "price", "message",
            "estimated_days", "status", "created_at"]);
        assert_eq!(created["request"], request.as_str());
        assert_eq!(created["provider"], provider_id.as_str());
        assert_eq!(created["service"], service_id.as_str());
        assert_eq!(created["price"], "120.50");
        assert_eq!(created["estimated_days"], 2);
        assert_eq!(created["status"], "pending");
        let seen = app.get_as(&format!("requests/{request}/"), &client.token).await;
        assert_eq!(seen.body["proposals_count"], 1);
        let told = notices(&app, &client).await;
        assert_eq!(told.len(), 1);
        assert_eq!(told[0]["type"], "proposal");
        assert_eq!(told[0]["action_url"], format!("/proposals/{}", created["id"].as_str().unwrap()));
    }

    async fn only_providers_propose_and_every_bad_field_is_a_400(app: TestApp) {
        let client = app.create_customer().await;
        let (bidder, _) = new_provider(&app).await;
        let (_other, other_id) = new_provider(&app).await;
        let foreign_service = service(&app, &other_id, "Theirs", 100).await;
        let request = open_request(&app, &client, "Paint").await["id"].as_str().unwrap().to_owned();
        let not_provider = app.post_as("proposals/", &client.token, &body(&request)).await;
        assert_eq!(not_provider.status, 403, "{}", not_provider.text);
        assert_eq!(app.post("proposals/", &body(&request)).await.status, 401);

        // A request the bidder can't see: cancelled before they proposed on it.
        let gone = open_request(&app, &client, "Gone").await["id"].as_str().unwrap().to_owned();
        app.delete_as(&format!("requests/{gone}/"), &client.token).await;
        // Their own request (the bidder is a client too).
        let own = open_request(&app, &bidder, "Mine").await["id"].as_str().unwrap().to_owned();

        let with = |key: &str, value: Value| {
            let mut b = body(&request);
            b[key] = value;
            b
        };
        let without = |key: &str| {
            let mut b = body(&request);
            b.as_object_mut().unwrap().remove(key);
            b
        };
        let cases = [
            (without("request"), "request"),
            (with("request", json!(null)), "request"),
            (with("request", json!("nope")), "request"),
            (with("request", json!(uuid::Uuid::new_v4().to_string())), "request"),
            (with("request", json!(gone)), "request"),
            (with("request", json!(own)), "request"),
            (with("service", json!(foreign_service)), "service"),
            (with("service", json!(uuid::Uuid::new_v4().to_string())), "service"),
            (with("service", json!(7)), "service"),
            (without("price"), "price"),
            (with("price", json!("0.00")), "price"),
            (with("price", json!("-5")), "price"),
            (with("price", json!("ten")), "price"),
            (without("message"), "message"),
            (with("message", json!("")), "message"),
            (without("estimated_days"), "estimated_days"),
            (with("estimated_days", json!(0)), "estimated_days"),
            (with("estimated_days", json!(3651)), "estimated_days"),
            (with("estimated_days", json!("soon")), "estimated_days"),
        ];
        for (sent, field) in cases {
            let response = app.post_as("proposals/", &bidder.token, &sent).await;
            assert_eq!(response.status, 400, "{sent}: {}", response.text);
            assert!(response.body[field].is_array(), "{sent}: {}", response.text);
        }
        let edge = app.post_as("proposals/", &bidder.token, &with("estimated_days", json!(3650))).await;
        assert_eq!(edge.status, 201, "{}", edge.text);
        let counted = app.get_as(&format!("requests/{request}/"), &client.token).await;
        assert_eq!(counted.body["proposals_count"], 1, "refused proposals aren't counted");
    }

    async fn a_visible_request_that_is_not_open_is_a_409(app: TestApp) {
        let deal = proposed(&app).await;
        app.delete_as(&format!("requests/{}/", deal.request), &deal.client.token).await;
        // The provider still sees it (they proposed on it), but it is cancelled.
        let response = app.post_as("proposals/", &deal.provider.token, &body(&deal.request)).await;
        assert_eq!(response.status, 409, "{}", response.text);
        assert_eq!(response.body["code"], "invalid_state");
    }

    async fn one_pending_proposal_per_provider_and_request(app: TestApp) {
        let deal = proposed(&app).await;
        let again = app.post_as("proposals/", &deal.provider.token, &body(&deal.request)).await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert_eq!(again.body["code"], "duplicate_proposal");
        assert_eq!(proposals_in(&app, &deal.request, "pending").await, 1);
        let seen = app.get_as(&format!("requests/{}/", deal.request), &deal.client.token).await;
        assert_eq!(seen.body["proposals_count"], 1, "the refused one rolled back its count");
        assert_eq!(app.delete_as(&format!("proposals/{}/", deal.proposal), &deal.provider.token).await.status, 204);
        let fresh = app.post_as("proposals/", &deal.provider.token, &body(&deal.request)).await;
        assert_eq!(fresh.status, 201, "a withdrawn one doesn't block: {}", fresh.text);
    }

    async fn racing_duplicate_proposals_make_one(app: TestApp) {
        let client = app.create_customer().await;
        let (bidder, _) = new_provider(&app).await;
        let request = open_request(&app, &client, "Race").await["id"].as_str().unwrap().to_owned();
        let url = format!("{}/api/v1/proposals/", app.address);
        let tasks: Vec<_> = (0..8)
            .map(|_| tokio::spawn(race_post(app.client.clone(), url.clone(), bidder.token.clone(), body(&request), None)))
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            if status == 409 {
                assert_eq!(body["code"], "duplicate_proposal");
            }
            statuses.push(status.as_u16());
        }
        statuses.sort();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
        let seen = app.get_as(&format!("requests/{request}/"), &client.token).await;
        assert_eq!(seen.body["proposals_count"], 1);
    }

    async fn proposals_are_seen_by_their_provider_and_the_requests_client_only(app: TestApp) {
        let deal = proposed(&app).await;
        let (rival, _) = new_provider(&app).await;
        let stranger = app.create_customer().await;
        let staff = app.create_staff().await;
        let path = format!("proposals/{}/", deal.proposal);
        for (user, status) in [(&deal.provider, 200), (&deal.client, 200), (&rival, 404), (&stranger, 404), (&staff, 404)] {
            assert_eq!(app.get_as(&path, &user.token).await.status, status);
        }
        assert_eq!(ids(&app.get_as("proposals/", &deal.provider.token).await.body), vec![deal.proposal.clone()]);
        assert_eq!(ids(&app.get_as("proposals/", &deal.client.token).await.body), vec![deal.proposal.clone()]);
        assert!(ids(&app.get_as("proposals/", &rival.token).await.body).is_empty());
        assert!(ids(&app.get_as("proposals/", &staff.token).await.body).is_empty());
        let filtered = app.get_as(&format!("proposals/?request={}&status=pending", deal.request), &deal.client.token).await;
        assert_eq!(ids(&filtered.body), vec![deal.proposal.clone()]);
        assert!(ids(&app.get_as("proposals/?status=accepted", &deal.client.token).await.body).is_empty());
        for (query, field) in [("status=open", "status"), ("request=12", "request")] {
            let response = app.get_as(&format!("proposals/?{query}"), &deal.client.token).await;
            assert_eq!(response.status, 400);
            assert!(response.body[field].is_array(), "{}", response.text);
        }
    }

    async fn the_provider_edits_and_withdraws_while_pending(app: TestApp) {
        let deal = proposed(&app).await;
        let service_id = service(&app, &deal.provider_id, "Mine", 100).await;
        let path = format!("proposals/{}/", deal.proposal);
        let edited = app
            .patch_as(&path, &deal.provider.token,
                &json!({"price": "280", "estimated_days": 3, "service": service_id, "request": uuid::Uuid::new_v4().to_string()}))
            .await;
        assert_eq!(edited.status, 200, "{}", edited.text);
        assert_eq!(edited.body["price"], "280.00");
        assert_eq!(edited.body["estimated_days"], 3);
        assert_eq!(edited.body["service"], service_id.as_str());
        assert_eq!(edited.body["request"], deal.request.as_str(), "a PATCH doesn't move it");
        assert_eq!(edited.body["message"], "I can do it");
        let (other, other_id) = new_provider(&app).await;
        let foreign = service(&app, &other_id, "Theirs", 100).await;
        let bad = app.patch_as(&path, &deal.provider.token, &json!({"service": foreign, "estimated_days": 0})).await;
        assert_eq!(bad.status, 400);
        assert!(bad.body["service"].is_array() && bad.body["estimated_days"].is_array(), "{}", bad.text);
        let cleared = app.patch_as(&path, &deal.provider.token, &json!({"service": null})).await;
        assert_eq!(cleared.body["service"], Value::Null);

        for user in [&deal.client, &other] {
            assert_eq!(app.patch_as(&path, &user.token, &json!({"price": "1"})).await.status, 404);
            assert_eq!(app.delete_as(&path, &user.token).await.status, 404);
        }
        assert_eq!(app.delete_as(&path, &deal.provider.token).await.status, 204);
        let gone = app.get_as(&path, &deal.provider.token).await;
        assert_eq!(gone.body["status"], "withdrawn");
        let request = app.get_as(&format!("requests/{}/", deal.request), &deal.client.token).await;
        assert_eq!(request.body["proposals_count"], 0);
        let late = app.patch_as(&path, &deal.provider.token, &json!({"price": "1"})).await;
        assert_eq!((late.status.as_u16(), late.body["code"].clone()), (409, json!("invalid_state")));
        let twice = app.delete_as(&path, &deal.provider.token).await;
        assert_eq!((twice.status.as_u16(), twice.body["code"].clone()), (409, json!("invalid_state")));
        let request = app.get_as(&format!("requests/{}/", deal.request), &deal.client.token).await;
        assert_eq!(request.body["proposals_count"], 0, "a refused withdraw doesn't uncount");
    }

    async fn accepting_awards_the_request_rejects_the_rest_and_opens_a_contract(app: TestApp) {
        let deal = proposed(&app).await;
        let (loser, _) = new_provider(&app).await;
        let lost = propose(&app, &loser, &deal.request, "250.00").await["id"].as_str().unwrap().to_owned();
        app.patch_as(&format!("proposals/{}/", deal.proposal), &deal.provider.token, &json!({"price": "310.00"})).await;
        let client_notices_before = notices(&app, &deal.client).await.len();

        let response = app.post_as(&format!("proposals/{}/accept/", deal.proposal), &deal.client.token, &json!({})).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let contract = &response.body;
        assert_eq!(contract["request"], deal.request.as_str());
        assert_eq!(contract["proposal"], deal.proposal.as_str());
        assert_eq!(contract["client"], deal.client.id);
        assert_eq!(contract["provider"], deal.provider_id.as_str());
        assert_eq!(contract["price"], "310.00", "the proposal's price at accept time");
        assert_eq!(contract["status"], "active");
        assert_eq!(contract["status_history"].as_array().unwrap().len(), 1);
        assert_eq!(request_status(&app, &deal.request).await, "awarded");
        let accepted = app.get_as(&format!("proposals/{}/", deal.proposal), &deal.provider.token).await;
        assert_eq!(accepted.body["status"], "accepted");
        let rejected = app.get_as(&format!("proposals/{lost}/"), &loser.token).await;
        assert_eq!(rejected.body["status"], "rejected");

        // One notice per person for the event.
        let won = notices(&app, &deal.provider).await;
        assert_eq!(won.len(), 1);
        assert_eq!(won[0]["type"], "proposal");
        assert_eq!(won[0]["action_url"], format!("/contracts/{}", contract["id"].as_str().unwrap()));
        let lost_notices = notices(&app, &loser).await;
        assert_eq!(lost_notices.len(), 1);
        assert_eq!(lost_notices[0]["type"], "proposal");
        let client_notices = notices(&app, &deal.client).await;
        assert_eq!(client_notices.len(), client_notices_before + 1);
        assert_eq!(client_notices[0]["type"], "contract");

        // Accepting twice, or another proposal now, is a 409; a new proposal too.
        for id in [&deal.proposal, &lost] {
            let again = app.post_as(&format!("proposals/{id}/accept/"), &deal.client.token, &json!({})).await;
            assert_eq!(again.status, 409, "{}", again.text);
            assert_eq!(again.body["code"], "invalid_state");
        }
        let (late, _) = new_provider(&app).await;
        assert_eq!(app.post_as("proposals/", &late.token, &body(&deal.request)).await.status, 400,
            "an awarded request is no longer visible to a provider who didn't propose");
        let count: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(count, 1);
    }

    async fn only_the_requests_client_accepts_and_only_a_pending_proposal(app: TestApp) {
        let deal = proposed(&app).await;
        let stranger = app.create_customer().await;
        let staff = app.create_staff().await;
        let path = format!("proposals/{}/accept/", deal.proposal);
        for user in [&deal.provider, &stranger, &staff] {
            assert_eq!(app.post_as(&path, &user.token, &json!({})).await.status, 404);
        }
        assert_eq!(app.post_as(&format!("proposals/{}/accept/", uuid::Uuid::new_v4()), &deal.client.token, &json!({})).await.status, 404);
        app.delete_as(&format!("proposals/{}/", deal.proposal), &deal.provider.token).await;
        let withdrawn = app.post_as(&path, &deal.client.token, &json!({})).await;
        assert_eq!(withdrawn.status, 409, "{}", withdrawn.text);
        assert_eq!(withdrawn.body["code"], "invalid_state");
        assert_eq!(request_status(&app, &deal.request).await, "open", "the refused accept rolled back");

        let other = proposed(&app).await;
        app.delete_as(&format!("requests/{}/", other.request), &other.client.token).await;
        let cancelled = app.post_as(&format!("proposals/{}/accept/", other.proposal), &other.client.token, &json!({})).await;
        assert_eq!(cancelled.status, 409);
        assert_eq!(cancelled.body["code"], "invalid_state");
    }

    async fn two_concurrent_accepts_of_twenty_proposals_make_exactly_one_contract(app: TestApp) {
        let client = app.create_customer().await;
        let request = open_request(&app, &client, "Twenty").await["id"].as_str().unwrap().to_owned();
        let mut proposals = Vec::new();
        for i in 0..20 {
            let (bidder, _) = new_provider(&app).await;
            let price = format!("{}.00", 100 + i);
            proposals.push(propose(&app, &bidder, &request, &price).await["id"].as_str().unwrap().to_owned());
        }
        let tasks: Vec<_> = [&proposals[3], &proposals[17]]
            .into_iter()
            .map(|id| {
                let url = format!("{}/api/v1/proposals/{id}/accept/", app.address);
                tokio::spawn(race_post(app.client.clone(), url, client.token.clone(), json!({}), None))
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            answers.push((status.as_u16(), body));
        }
        let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{answers:?}");
        let conflict = answers.iter().find(|(s, _)| *s == 409).unwrap();
        assert_eq!(conflict.1["code"], "invalid_state");
        let contracts: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE request_id = $1")
            .bind(&request).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(contracts, 1);
        assert_eq!(proposals_in(&app, &request, "accepted").await, 1);
        assert_eq!(proposals_in(&app, &request, "rejected").await, 19);
        assert_eq!(proposals_in(&app, &request, "pending").await, 0);
        assert_eq!(request_status(&app, &request).await, "awarded");
        let winner = answers.iter().find(|(s, _)| *s == 201).unwrap();
        let accepted: String = sqlx::query_scalar("SELECT id FROM proposals WHERE request_id = $1 AND status = 'accepted'")
            .bind(&request).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(winner.1["proposal"], accepted.as_str());
    }

    async fn many_concurrent_accepts_of_one_proposal_make_one_contract(app: TestApp) {
        let deal = proposed(&app).await;
        let url = format!("{}/api/v1/proposals/{}/accept/", app.address, deal.proposal);
        let tasks: Vec<_> = (0..10)
            .map(|_| tokio::spawn(race_post(app.client.clone(), url.clone(), deal.client.token.clone(), json!({}), None)))
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().0.as_u16());
        }
        statuses.sort();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
        let contracts: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(contracts, 1);
        assert_eq!(notices_of(&app, &deal.provider, "proposal").await, 1);
    }
}
