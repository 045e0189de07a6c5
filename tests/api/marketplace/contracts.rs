//! Contracts: the two parties and staff read them, with their status history; `update_status`
//! follows the machine (409 with what the caller may do instead), records every move, tells the
//! other party, closes the request at the end, and lets only one of two racing moves through.

use serde_json::{json, Value};

use super::{deals_support::*, ids};
use crate::{
    api_test,
    fixtures::race_post,
    helpers::{TestApp, TestUser},
};

async fn move_to(
    app: &TestApp,
    contract: &str,
    user: &TestUser,
    status: &str,
) -> crate::helpers::TestResponse {
    app.post_as(
        &format!("contracts/{contract}/update_status/"),
        &user.token,
        &json!({"status": status, "note": format!("to {status}")}),
    )
    .await
}

fn allowed(response: &crate::helpers::TestResponse) -> Value {
    assert_eq!(response.status, 409, "{}", response.text);
    assert_eq!(
        response.body["code"], "invalid_transition",
        "{}",
        response.text
    );
    response.body["allowed"].clone()
}

api_test! {
    async fn a_contract_shows_its_parties_price_and_first_history_row(app: TestApp) {
        let (deal, contract) = contracted(&app).await;
        let id = contract["id"].as_str().unwrap();
        assert_fields(&contract, &["id", "request", "proposal", "client", "provider", "price", "status",
            "status_history", "created_at"]);
        let history = contract["status_history"].as_array().unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0]["from_status"], Value::Null);
        assert_eq!(history[0]["status"], "active");
        assert_eq!(history[0]["changed_by"], deal.client.id);
        assert_eq!(contract["price"], "300.00");
        let read = app.get_as(&format!("contracts/{id}/"), &deal.provider.token).await;
        assert_eq!(read.status, 200);
        assert_eq!(read.body, contract);
    }

    async fn contracts_are_seen_by_the_two_parties_and_staff_only(app: TestApp) {
        let (deal, contract) = contracted(&app).await;
        let (other_deal, other) = contracted(&app).await;
        let id = contract["id"].as_str().unwrap().to_owned();
        let other_id = other["id"].as_str().unwrap().to_owned();
        let (loner, _) = new_provider(&app).await;
        let stranger = app.create_customer().await;
        let staff = app.create_staff().await;
        for (user, status) in [(&deal.client, 200), (&deal.provider, 200), (&staff, 200),
                               (&other_deal.client, 404), (&loner, 404), (&stranger, 404)] {
            assert_eq!(app.get_as(&format!("contracts/{id}/"), &user.token).await.status, status);
        }
        assert_eq!(app.get_as(&format!("contracts/{}/", uuid::Uuid::new_v4()), &staff.token).await.status, 404);
        assert_eq!(ids(&app.get_as("contracts/", &deal.client.token).await.body), vec![id.clone()]);
        assert_eq!(ids(&app.get_as("contracts/", &deal.provider.token).await.body), vec![id.clone()]);
        assert!(ids(&app.get_as("contracts/", &stranger.token).await.body).is_empty());
        assert_eq!(ids(&app.get_as("contracts/", &staff.token).await.body), vec![other_id.clone(), id.clone()]);
        assert_eq!(ids(&app.get_as("contracts/?ordering=created_at", &staff.token).await.body), vec![id.clone(), other_id.clone()]);
        assert_eq!(move_to(&app, &id, &deal.provider, "delivered").await.status, 200);
        let page = app.get_as("contracts/?status=delivered", &staff.token).await;
        assert_eq!(ids(&page.body), vec![id.clone()]);
        // Lists carry the same shape, history included.
        assert_eq!(page.body["results"][0]["status_history"].as_array().unwrap().len(), 2);
        let all = app.get_as("contracts/", &staff.token).await;
        assert_eq!(all.body["results"][1]["status_history"].as_array().unwrap().len(), 2);
        assert_eq!(all.body["results"][0]["status_history"].as_array().unwrap().len(), 1);
        let bad = app.get_as("contracts/?status=done", &staff.token).await;
        assert_eq!(bad.status, 400);
        assert!(bad.body["status"].is_array());
        assert_eq!(app.get("contracts/").await.status, 401);
    }

    async fn delivering_then_completing_records_history_notifies_and_closes_the_request(app: TestApp) {
        let (deal, contract) = contracted(&app).await;
        let id = contract["id"].as_str().unwrap();
        let client_contract_notices = notices_of(&app, &deal.client, "contract").await;
        let delivered = move_to(&app, id, &deal.provider, "delivered").await;
        assert_eq!(delivered.status, 200, "{}", delivered.text);
        assert_eq!(delivered.body["status"], "delivered");
        let history = delivered.body["status_history"].as_array().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1], json!({"from_status": "active", "status": "delivered", "note": "to delivered",
            "changed_by": deal.provider.id, "created_at": history[1]["created_at"]}));
        assert_eq!(notices_of(&app, &deal.client, "contract").await, client_contract_notices + 1);
        assert_eq!(notices_of(&app, &deal.provider, "contract").await, 0, "the mover isn't told");
        assert_eq!(request_status(&app, &deal.request).await, "awarded");

        let completed = move_to(&app, id, &deal.client, "completed").await;
        assert_eq!(completed.status, 200, "{}", completed.text);
        assert_eq!(completed.body["status_history"].as_array().unwrap().len(), 3);
        assert_eq!(notices_of(&app, &deal.provider, "contract").await, 1);
        let told = &notices(&app, &deal.provider).await[0];
        assert_eq!(told["action_url"], format!("/contracts/{id}"));
        assert_eq!(request_status(&app, &deal.request).await, "closed");
        assert_eq!(allowed(&move_to(&app, id, &deal.client, "disputed").await), json!([]));
    }

    async fn each_caller_is_told_the_moves_they_may_make_now(app: TestApp) {
        let (deal, contract) = contracted(&app).await;
        let id = contract["id"].as_str().unwrap();
        let staff = app.create_staff().await;
        // active
        assert_eq!(allowed(&move_to(&app, id, &deal.client, "delivered").await), json!(["disputed", "cancelled"]));
        assert_eq!(allowed(&move_to(&app, id, &deal.provider, "completed").await), json!(["delivered", "cancelled"]));
        assert_eq!(allowed(&move_to(&app, id, &staff, "cancelled").await), json!([]));
        assert_eq!(allowed(&move_to(&app, id, &deal.provider, "active").await), json!(["delivered", "cancelled"]));
        // delivered
        assert_eq!(move_to(&app, id, &deal.provider, "delivered").await.status, 200);
        assert_eq!(allowed(&move_to(&app, id, &deal.provider, "cancelled").await), json!([]));
        assert_eq!(allowed(&move_to(&app, id, &deal.client, "cancelled").await), json!(["completed", "disputed"]));
        // disputed
        assert_eq!(move_to(&app, id, &deal.client, "disputed").await.status, 200);
        assert_eq!(allowed(&move_to(&app, id, &deal.client, "active").await), json!([]));
        assert_eq!(allowed(&move_to(&app, id, &deal.provider, "cancelled").await), json!([]));
        assert_eq!(allowed(&move_to(&app, id, &staff, "completed").await), json!(["active", "cancelled"]));
        // Staff resolve a dispute: both parties are told.
        let before = (notices_of(&app, &deal.client, "contract").await, notices_of(&app, &deal.provider, "contract").await);
        let resolved = move_to(&app, id, &staff, "active").await;
        assert_eq!(resolved.status, 200, "{}", resolved.text);
        assert_eq!(resolved.body["status_history"].as_array().unwrap().last().unwrap()["changed_by"], staff.id);
        let after = (notices_of(&app, &deal.client, "contract").await, notices_of(&app, &deal.provider, "contract").await);
        assert_eq!(after, (before.0 + 1, before.1 + 1));
        assert_eq!(request_status(&app, &deal.request).await, "awarded");
        // Disputed again, then cancelled by staff: final, and the request closes.
        assert_eq!(move_to(&app, id, &deal.client, "disputed").await.status, 200);
        assert_eq!(move_to(&app, id, &staff, "cancelled").await.status, 200);
        assert_eq!(request_status(&app, &deal.request).await, "closed");
        assert_eq!(allowed(&move_to(&app, id, &staff, "active").await), json!([]));
        let history: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contract_status_history WHERE contract_id = $1")
            .bind(id).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(history, 6, "created, delivered, disputed, active, disputed, cancelled");
    }

    async fn either_party_cancels_an_active_contract(app: TestApp) {
        let (deal, contract) = contracted(&app).await;
        let cancelled = move_to(&app, contract["id"].as_str().unwrap(), &deal.provider, "cancelled").await;
        assert_eq!(cancelled.status, 200, "{}", cancelled.text);
        assert_eq!(request_status(&app, &deal.request).await, "closed");
        assert_eq!(notices_of(&app, &deal.client, "contract").await, 2, "started, then cancelled");
        let (deal, contract) = contracted(&app).await;
        assert_eq!(move_to(&app, contract["id"].as_str().unwrap(), &deal.client, "cancelled").await.status, 200);
        assert_eq!(notices_of(&app, &deal.provider, "contract").await, 1);
    }

    async fn a_bad_status_is_a_400_and_a_stranger_gets_404(app: TestApp) {
        let (deal, contract) = contracted(&app).await;
        let id = contract["id"].as_str().unwrap();
        let path = format!("contracts/{id}/update_status/");
        for body in [json!({}), json!({"status": "finished"}), json!({"status": null}), json!({"status": 3}),
                     json!({"status": "delivered", "note": "x".repeat(2001)})] {
            let response = app.post_as(&path, &deal.provider.token, &body).await;
            assert_eq!(response.status, 400, "{body}: {}", response.text);
        }
        let unknown = app.post_as(&path, &deal.provider.token, &json!({"status": "finished"})).await;
        assert!(unknown.body["status"].is_array(), "{}", unknown.text);
        let stranger = app.create_customer().await;
        assert_eq!(move_to(&app, id, &stranger, "cancelled").await.status, 404);
        let (loner, _) = new_provider(&app).await;
        assert_eq!(move_to(&app, id, &loner, "delivered").await.status, 404);
        assert_eq!(move_to(&app, &uuid::Uuid::new_v4().to_string(), &deal.client, "cancelled").await.status, 404);
        let plain = app.post_as(&path, &deal.provider.token, &json!({"status": "delivered"})).await;
        assert_eq!(plain.status, 200);
        assert_eq!(plain.body["status_history"][1]["note"], "");
    }

    async fn of_two_racing_moves_one_wins_and_the_other_is_a_409(app: TestApp) {
        for _ in 0..3 {
            let (deal, contract) = contracted(&app).await;
            let id = contract["id"].as_str().unwrap();
            let url = format!("{}/api/v1/contracts/{id}/update_status/", app.address);
            let deliver = tokio::spawn(race_post(app.client.clone(), url.clone(), deal.provider.token.clone(),
                json!({"status": "delivered"}), None));
            let cancel = tokio::spawn(race_post(app.client.clone(), url, deal.client.token.clone(),
                json!({"status": "cancelled"}), None));
            let (delivered, cancelled) = (deliver.await.unwrap(), cancel.await.unwrap());
            let mut statuses = [delivered.0.as_u16(), cancelled.0.as_u16()];
            statuses.sort();
            assert_eq!(statuses, [200, 409], "{delivered:?} {cancelled:?}");
            let loser = if delivered.0 == 409 { &delivered.1 } else { &cancelled.1 };
            assert_eq!(loser["code"], "invalid_transition");
            let history: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contract_status_history WHERE contract_id = $1")
                .bind(id).fetch_one(&app.db.pool).await.unwrap();
            assert_eq!(history, 2, "one move recorded");
            let status: String = sqlx::query_scalar("SELECT status FROM contracts WHERE id = $1")
                .bind(id).fetch_one(&app.db.pool).await.unwrap();
            if delivered.0 == 200 {
                assert_eq!(status, "delivered");
                assert_eq!(loser["allowed"], json!(["completed", "disputed"]), "the client's moves from delivered");
            } else {
                assert_eq!(status, "cancelled");
                assert_eq!(loser["allowed"], json!([]));
            }
        }
    }
}
