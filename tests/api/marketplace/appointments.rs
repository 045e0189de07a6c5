//! Appointments (SPEC §3.12): a contract's parties propose, confirm, cancel and finish them;
//! anyone else gets `404`; a provider's confirmed appointments never overlap, even when
//! confirmations race.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{contract, ids, provider};
use crate::{
    api_test,
    helpers::{TestApp, TestResponse, TestUser},
};

/// A client and a provider with an active contract between them.
struct Deal {
    client: TestUser,
    pro: TestUser,
    provider: String,
    contract: String,
}

async fn deal(app: &TestApp) -> Deal {
    let client = app.create_customer().await;
    let pro = app.create_customer().await;
    let provider = provider(app, &pro).await;
    let contract = contract(app, &client, &provider).await;
    Deal {
        client,
        pro,
        provider,
        contract,
    }
}

/// Another client's active contract with the same provider.
async fn second_deal(app: &TestApp, first: &Deal) -> Deal {
    let client = app.create_customer().await;
    let contract = contract(app, &client, &first.provider).await;
    Deal {
        client,
        pro: first.pro.clone(),
        provider: first.provider.clone(),
        contract,
    }
}

/// `2027-03-<day>T<hour>:<minute>:00Z`.
fn at(day: u32, hour: u32, minute: u32) -> String {
    format!("2027-03-{day:02}T{hour:02}:{minute:02}:00Z")
}

/// How the API writes the same time back.
fn shown(day: u32, hour: u32, minute: u32) -> String {
    format!("2027-03-{day:02}T{hour:02}:{minute:02}:00.000000Z")
}

/// `who` proposes `[starts, ends)` on `contract`; returns the new appointment's id.
async fn propose(
    app: &TestApp,
    who: &TestUser,
    contract: &str,
    starts: &str,
    ends: &str,
) -> String {
    let body = json!({"contract": contract, "starts_at": starts, "ends_at": ends});
    let created = app.post_as("appointments/", &who.token, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_str().unwrap().to_owned()
}

async fn set_status(app: &TestApp, who: &TestUser, id: &str, status: &str) -> TestResponse {
    app.patch_as(
        &format!("appointments/{id}/"),
        &who.token,
        &json!({"status": status}),
    )
    .await
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM appointments WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn set_contract_status(app: &TestApp, contract: &str, status: &str) {
    sqlx::query("UPDATE contracts SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(contract)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

/// `(type, title, action_url)` of every notification `user` has, oldest first.
async fn notices(app: &TestApp, user: &TestUser) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT type, title, action_url FROM notifications WHERE user_id = $1 ORDER BY id",
    )
    .bind(user.id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

fn assert_transition_refused(response: &TestResponse, allowed: Value) {
    assert_eq!(response.status, 409, "{}", response.text);
    assert_eq!(
        response.body["code"], "invalid_transition",
        "{}",
        response.text
    );
    assert_eq!(response.body["allowed"], allowed, "{}", response.text);
}

async fn race_patch(
    client: reqwest::Client,
    url: String,
    token: String,
    body: Value,
) -> (StatusCode, Value) {
    let response = client
        .patch(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

api_test! {
    async fn a_party_proposes_and_the_other_party_is_notified(app: TestApp) {
        let d = deal(&app).await;
        let body = json!({
            "contract": d.contract, "starts_at": at(1, 9, 0), "ends_at": "2027-03-01T11:30:00+01:00",
            "location": "  Office 3 ", "notes": "Bring the plans",
            "status": "confirmed", "proposed_by": d.pro.id,
        });
        let created = app.post_as("appointments/", &d.client.token, &body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        let expected = json!({
            "id": id, "contract": d.contract, "starts_at": shown(1, 9, 0), "ends_at": shown(1, 10, 30),
            "location": "Office 3", "status": "proposed", "notes": "Bring the plans",
            "proposed_by": d.client.id, "created_at": created.body["created_at"],
        });
        assert_eq!(created.body, expected, "server-owned status and proposed_by are ignored");
        assert!(created.body["created_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(
            notices(&app, &d.pro).await,
            vec![("contract".into(), "Appointment proposed".into(), format!("/appointments/{id}"))]
        );
        assert!(notices(&app, &d.client).await.is_empty(), "the proposer isn't told");

        let by_pro = propose(&app, &d.pro, &d.contract, &at(2, 9, 0), &at(2, 10, 0)).await;
        let told = notices(&app, &d.client).await;
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].2, format!("/appointments/{by_pro}"));
        let shown_one = app.get_as(&format!("appointments/{id}/"), &d.pro.token).await;
        assert_eq!(shown_one.status, 200, "{}", shown_one.text);
        assert_eq!(shown_one.body, expected);
    }

    async fn a_proposal_reports_every_invalid_field(app: TestApp) {
        let d = deal(&app).await;
        let empty = app.post_as("appointments/", &d.client.token, &json!({})).await;
        assert_eq!(empty.status, 400, "{}", empty.text);
        let required = json!(["This field is required."]);
        assert_eq!(
            empty.body,
            json!({"contract": required, "starts_at": required, "ends_at": required})
        );
        let wrong_format = json!([
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
        ]);
        let bad = app
            .post_as(
                "appointments/",
                &d.client.token,
                &json!({"contract": "not-a-uuid", "starts_at": "tomorrow", "ends_at": 17,
                        "location": "x".repeat(256), "notes": null}),
            )
            .await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert_eq!(bad.body["contract"], json!(["“not-a-uuid” is not a valid UUID."]));
        assert_eq!(bad.body["starts_at"], wrong_format);
        assert_eq!(bad.body["ends_at"], wrong_format);
        assert_eq!(
            bad.body["location"],
            json!(["Ensure this field has no more than 255 characters."])
        );
        assert_eq!(bad.body["notes"], json!(["This field may not be null."]));
        let nulls = app
            .post_as(
                "appointments/",
                &d.client.token,
                &json!({"contract": null, "starts_at": null, "ends_at": at(1, 9, 0)}),
            )
            .await;
        assert_eq!(nulls.body["contract"], json!(["This field may not be null."]), "{}", nulls.text);
        assert_eq!(nulls.body["starts_at"], json!(["This field may not be null."]));

        for (starts, ends) in [(at(1, 10, 0), at(1, 10, 0)), (at(1, 10, 0), at(1, 9, 0))] {
            let body = json!({"contract": d.contract, "starts_at": starts, "ends_at": ends});
            let backwards = app.post_as("appointments/", &d.client.token, &body).await;
            assert_eq!(backwards.status, 400, "{}", backwards.text);
            assert_eq!(backwards.body, json!({"ends_at": ["Ensure ends_at is later than starts_at."]}));
        }

        // A contract that doesn't exist and one the caller is no party of read the same.
        let stranger = app.create_customer().await;
        let unknown = uuid::Uuid::new_v4().to_string();
        for (who, contract) in [(&d.client, &unknown), (&stranger, &d.contract)] {
            let body = json!({"contract": contract, "starts_at": at(1, 9, 0), "ends_at": at(1, 10, 0)});
            let refused = app.post_as("appointments/", &who.token, &body).await;
            assert_eq!(refused.status, 400, "{}", refused.text);
            assert_eq!(
                refused.body,
                json!({"contract": [format!("Invalid pk \"{contract}\" - object does not exist.")]})
            );
        }
        let staff = app.create_staff().await;
        let body = json!({"contract": d.contract, "starts_at": at(1, 9, 0), "ends_at": at(1, 10, 0)});
        let by_staff = app.post_as("appointments/", &staff.token, &body).await;
        assert_eq!(by_staff.status, 400, "staff are no party: {}", by_staff.text);
        let anonymous = app.post("appointments/", &body).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        let count: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM appointments")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 0);
    }

    async fn appointments_need_an_active_or_delivered_contract(app: TestApp) {
        let d = deal(&app).await;
        let body = json!({"contract": d.contract, "starts_at": at(1, 9, 0), "ends_at": at(1, 10, 0)});
        let early = propose(&app, &d.client, &d.contract, &at(3, 9, 0), &at(3, 10, 0)).await;
        set_contract_status(&app, &d.contract, "delivered").await;
        let delivered = app.post_as("appointments/", &d.client.token, &body).await;
        assert_eq!(delivered.status, 201, "{}", delivered.text);
        for status in ["completed", "disputed", "cancelled"] {
            set_contract_status(&app, &d.contract, status).await;
            let refused = app.post_as("appointments/", &d.pro.token, &body).await;
            assert_eq!(refused.status, 409, "{status}: {}", refused.text);
            assert_eq!(refused.body["code"], "invalid_state");
            let confirm = set_status(&app, &d.pro, &early, "confirmed").await;
            assert_eq!(confirm.status, 409, "{status}: {}", confirm.text);
            assert_eq!(confirm.body["code"], "invalid_state");
            let edit = app
                .patch_as(&format!("appointments/{early}/"), &d.client.token, &json!({"notes": "x"}))
                .await;
            assert_eq!(edit.status, 409, "{status}: {}", edit.text);
        }
        let cancel = app.delete_as(&format!("appointments/{early}/"), &d.client.token).await;
        assert_eq!(cancel.status, 204, "cancelling is always possible: {}", cancel.text);
    }

    async fn only_the_parties_and_staff_see_an_appointment(app: TestApp) {
        let d = deal(&app).await;
        let other = deal(&app).await;
        let id = propose(&app, &d.client, &d.contract, &at(1, 9, 0), &at(1, 10, 0)).await;
        let others = propose(&app, &other.pro, &other.contract, &at(1, 9, 0), &at(1, 10, 0)).await;
        let stranger = app.create_customer().await;
        let path = format!("appointments/{id}/");
        for who in [&stranger, &other.client, &other.pro] {
            let read = app.get_as(&path, &who.token).await;
            assert_eq!(read.status, 404, "{}", read.text);
            assert_eq!(read.body, json!({"detail": "Not found.", "code": "not_found"}));
            let patched = set_status(&app, who, &id, "confirmed").await;
            assert_eq!(patched.status, 404, "{}", patched.text);
            let bad_body = app.patch_as(&path, &who.token, &json!({"status": "bogus"})).await;
            assert_eq!(bad_body.status, 404, "404 before 400: {}", bad_body.text);
            let deleted = app.delete_as(&path, &who.token).await;
            assert_eq!(deleted.status, 404, "{}", deleted.text);
        }
        assert_eq!(status_of(&app, &id).await, "proposed");
        for missing in [format!("appointments/{}/", uuid::Uuid::new_v4()), "appointments/42/".into()] {
            let read = app.get_as(&missing, &d.client.token).await;
            assert_eq!(read.status, 404, "{missing}: {}", read.text);
        }
        let anonymous = app.get(&path).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);

        let staff = app.create_staff().await;
        let read = app.get_as(&path, &staff.token).await;
        assert_eq!(read.status, 200, "{}", read.text);
        let by_staff = set_status(&app, &staff, &id, "cancelled").await;
        assert_eq!(by_staff.status, 403, "staff see but don't move: {}", by_staff.text);
        let deleted = app.delete_as(&path, &staff.token).await;
        assert_eq!(deleted.status, 403, "{}", deleted.text);

        let list = |token: String| {
            let app = &app;
            async move { app.get_as("appointments/", &token).await.body }
        };
        assert_eq!(ids(&list(d.client.token.clone()).await), vec![id.clone()]);
        assert_eq!(ids(&list(d.pro.token.clone()).await), vec![id.clone()]);
        assert_eq!(ids(&list(other.client.token.clone()).await), vec![others.clone()]);
        assert_eq!(list(stranger.token.clone()).await["count"], 0);
        let everyone = list(staff.token.clone()).await;
        assert_eq!(everyone["count"], 2, "staff see every appointment");
    }

    async fn the_other_party_confirms_and_the_proposer_is_told(app: TestApp) {
        let d = deal(&app).await;
        let id = propose(&app, &d.pro, &d.contract, &at(1, 9, 0), &at(1, 10, 0)).await;
        let own = set_status(&app, &d.pro, &id, "confirmed").await;
        assert_transition_refused(&own, json!(["cancelled"]));
        assert_eq!(status_of(&app, &id).await, "proposed");
        let confirmed = set_status(&app, &d.client, &id, "confirmed").await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert_eq!(confirmed.body["status"], "confirmed");
        assert_eq!(confirmed.body["proposed_by"], d.pro.id);
        let told = notices(&app, &d.pro).await;
        assert_eq!(
            told,
            vec![("contract".into(), "Appointment confirmed".into(), format!("/appointments/{id}"))]
        );
        let again = set_status(&app, &d.client, &id, "confirmed").await;
        assert_eq!(again.status, 200, "sending the current status moves nothing: {}", again.text);
        assert_eq!(notices(&app, &d.pro).await.len(), 1, "and tells no one");
    }

    async fn every_status_move_answers_with_what_is_allowed(app: TestApp) {
        let d = deal(&app).await;
        let id = propose(&app, &d.client, &d.contract, &at(1, 9, 0), &at(1, 10, 0)).await;
        assert_transition_refused(&set_status(&app, &d.pro, &id, "done").await, json!(["confirmed", "cancelled"]));
        assert_transition_refused(&set_status(&app, &d.client, &id, "done").await, json!(["cancelled"]));
        for bad in [json!("maybe"), json!(3)] {
            let refused = app
                .patch_as(&format!("appointments/{id}/"), &d.pro.token, &json!({"status": bad}))
                .await;
            assert_eq!(refused.status, 400, "{}", refused.text);
            assert!(refused.body["status"][0].as_str().unwrap().ends_with("is not a valid choice."));
        }
        let null = app
            .patch_as(&format!("appointments/{id}/"), &d.pro.token, &json!({"status": null}))
            .await;
        assert_eq!(null.body, json!({"status": ["This field may not be null."]}), "{}", null.text);

        assert_eq!(set_status(&app, &d.pro, &id, "confirmed").await.status, 200);
        for who in [&d.client, &d.pro] {
            assert_transition_refused(&set_status(&app, who, &id, "proposed").await, json!(["cancelled", "done"]));
        }
        let done = set_status(&app, &d.client, &id, "done").await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert_eq!(done.body["status"], "done");
        for to in ["cancelled", "confirmed", "proposed"] {
            assert_transition_refused(&set_status(&app, &d.pro, &id, to).await, json!([]));
        }
        let delete_done = app.delete_as(&format!("appointments/{id}/"), &d.pro.token).await;
        assert_transition_refused(&delete_done, json!([]));

        // Either party cancels a proposed or a confirmed appointment, with PATCH or DELETE.
        let proposed = propose(&app, &d.client, &d.contract, &at(2, 9, 0), &at(2, 10, 0)).await;
        let cancelled = set_status(&app, &d.client, &proposed, "cancelled").await;
        assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.text);
        assert_transition_refused(&set_status(&app, &d.pro, &proposed, "confirmed").await, json!([]));
        let confirmed = propose(&app, &d.client, &d.contract, &at(3, 9, 0), &at(3, 10, 0)).await;
        set_status(&app, &d.pro, &confirmed, "confirmed").await;
        let deleted = app.delete_as(&format!("appointments/{confirmed}/"), &d.client.token).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert!(deleted.text.is_empty());
        assert_eq!(status_of(&app, &confirmed).await, "cancelled");
        let twice = app.delete_as(&format!("appointments/{confirmed}/"), &d.pro.token).await;
        assert_eq!(twice.status, 204, "cancelling a cancelled one changes nothing: {}", twice.text);
        assert_eq!(status_of(&app, &confirmed).await, "cancelled");
        let by_other = propose(&app, &d.pro, &d.contract, &at(4, 9, 0), &at(4, 10, 0)).await;
        let deleted = app.delete_as(&format!("appointments/{by_other}/"), &d.client.token).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        let shown_cancelled = app.get_as(&format!("appointments/{by_other}/"), &d.pro.token).await;
        assert_eq!(shown_cancelled.body["status"], "cancelled");
    }

    async fn the_proposer_edits_a_proposed_appointment(app: TestApp) {
        let d = deal(&app).await;
        let id = propose(&app, &d.client, &d.contract, &at(1, 9, 0), &at(1, 10, 0)).await;
        let path = format!("appointments/{id}/");
        let edited = app
            .patch_as(&path, &d.client.token, &json!({"starts_at": at(1, 8, 0), "location": "Café", "notes": "Late",
                "contract": uuid::Uuid::new_v4().to_string()}))
            .await;
        assert_eq!(edited.status, 200, "{}", edited.text);
        assert_eq!(edited.body["starts_at"], shown(1, 8, 0));
        assert_eq!(edited.body["ends_at"], shown(1, 10, 0));
        assert_eq!(edited.body["location"], "Café");
        assert_eq!(edited.body["notes"], "Late");
        assert_eq!(edited.body["contract"], d.contract, "the contract can't be changed");

        // The merged times must still run forwards.
        let backwards = app.patch_as(&path, &d.client.token, &json!({"starts_at": at(1, 10, 0)})).await;
        assert_eq!(backwards.status, 400, "{}", backwards.text);
        assert_eq!(backwards.body, json!({"ends_at": ["Ensure ends_at is later than starts_at."]}));
        let both = app
            .patch_as(&path, &d.client.token, &json!({"starts_at": at(1, 12, 0), "ends_at": at(1, 11, 0)}))
            .await;
        assert_eq!(both.status, 400, "{}", both.text);
        let bad = app.patch_as(&path, &d.client.token, &json!({"ends_at": "soon"})).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert!(bad.body["ends_at"][0].as_str().unwrap().starts_with("Datetime has wrong format."));

        let by_other = app.patch_as(&path, &d.pro.token, &json!({"notes": "mine"})).await;
        assert_eq!(by_other.status, 403, "only the proposer edits: {}", by_other.text);
        let confirm_and_edit = app
            .patch_as(&path, &d.pro.token, &json!({"status": "confirmed", "ends_at": at(1, 11, 0)}))
            .await;
        assert_eq!(confirm_and_edit.status, 403, "{}", confirm_and_edit.text);
        assert_eq!(status_of(&app, &id).await, "proposed");

        let empty = app.patch_as(&path, &d.pro.token, &json!({})).await;
        assert_eq!(empty.status, 200, "an empty PATCH changes nothing: {}", empty.text);
        assert_eq!(set_status(&app, &d.pro, &id, "confirmed").await.status, 200);
        let late = app.patch_as(&path, &d.client.token, &json!({"notes": "too late"})).await;
        assert_eq!(late.status, 409, "{}", late.text);
        assert_eq!(late.body["code"], "invalid_state");
        let shown_now = app.get_as(&path, &d.client.token).await;
        assert_eq!(shown_now.body["notes"], "Late");
    }

    async fn a_providers_confirmed_appointments_never_overlap(app: TestApp) {
        let d = deal(&app).await;
        let e = second_deal(&app, &d).await;
        let stranger_deal = deal(&app).await;
        // Clients propose; the provider confirms.
        let first = propose(&app, &d.client, &d.contract, &at(1, 9, 0), &at(1, 11, 0)).await;
        let overlapping = propose(&app, &e.client, &e.contract, &at(1, 10, 0), &at(1, 12, 0)).await;
        let after = propose(&app, &e.client, &e.contract, &at(1, 11, 0), &at(1, 12, 0)).await;
        let before = propose(&app, &d.client, &d.contract, &at(1, 8, 0), &at(1, 9, 0)).await;
        let elsewhere = propose(&app, &stranger_deal.client, &stranger_deal.contract, &at(1, 9, 0), &at(1, 11, 0)).await;
        assert_eq!(set_status(&app, &d.pro, &first, "confirmed").await.status, 200);

        let refused = set_status(&app, &d.pro, &overlapping, "confirmed").await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        assert_eq!(refused.body["code"], "appointment_overlap");
        assert_eq!(status_of(&app, &overlapping).await, "proposed", "it stays proposed");
        for touching in [&after, &before] {
            let confirmed = set_status(&app, &d.pro, touching, "confirmed").await;
            assert_eq!(confirmed.status, 200, "touching ends don't overlap: {}", confirmed.text);
        }
        let other_provider = set_status(&app, &stranger_deal.pro, &elsewhere, "confirmed").await;
        assert_eq!(other_provider.status, 200, "another provider's calendar: {}", other_provider.text);

        // Cancelled and done appointments free their time.
        assert_eq!(app.delete_as(&format!("appointments/{first}/"), &d.client.token).await.status, 204);
        assert_eq!(set_status(&app, &d.pro, &before, "done").await.status, 200);
        let again = propose(&app, &d.client, &d.contract, &at(1, 8, 30), &at(1, 11, 0)).await;
        assert_eq!(set_status(&app, &d.pro, &again, "confirmed").await.status, 200);
        // And an edit can't slip a proposed appointment into a taken slot unnoticed.
        let moved = propose(&app, &e.client, &e.contract, &at(2, 9, 0), &at(2, 10, 0)).await;
        let edit = app
            .patch_as(&format!("appointments/{moved}/"), &e.client.token, &json!({"starts_at": at(1, 10, 30), "ends_at": at(1, 11, 30)}))
            .await;
        assert_eq!(edit.status, 200, "{}", edit.text);
        let refused = set_status(&app, &d.pro, &moved, "confirmed").await;
        assert_eq!(refused.body["code"], "appointment_overlap", "{}", refused.text);
    }

    async fn the_list_filters_searches_and_orders(app: TestApp) {
        let d = deal(&app).await;
        let e = second_deal(&app, &d).await;
        let late = propose(&app, &d.client, &d.contract, &at(3, 9, 0), &at(3, 10, 0)).await;
        let early = propose(&app, &e.client, &e.contract, &at(1, 9, 0), &at(1, 10, 0)).await;
        let middle = propose(&app, &d.client, &d.contract, &at(2, 9, 0), &at(2, 10, 0)).await;
        app.patch_as(&format!("appointments/{middle}/"), &d.client.token, &json!({"location": "Harbour Office"}))
            .await;
        set_status(&app, &d.pro, &late, "confirmed").await;
        let get = |query: &'static str| {
            let (app, token) = (&app, d.pro.token.clone());
            async move { app.get_as(&format!("appointments/{query}"), &token).await }
        };
        let all = get("").await;
        assert_eq!(ids(&all.body), vec![early.clone(), middle.clone(), late.clone()], "by starts_at");
        assert_eq!(all.body["count"], 3);
        assert_eq!(ids(&get("?ordering=-starts_at").await.body), vec![late.clone(), middle.clone(), early.clone()]);
        assert_eq!(ids(&get("?ordering=created_at").await.body), vec![late.clone(), early.clone(), middle.clone()]);
        assert_eq!(ids(&get("?ordering=-created_at").await.body), vec![middle.clone(), early.clone(), late.clone()]);
        assert_eq!(ids(&get("?ordering=bogus").await.body), vec![early.clone(), middle.clone(), late.clone()]);
        let contract_filter = format!("?contract={}", d.contract);
        let by_contract = app.get_as(&format!("appointments/{contract_filter}"), &d.pro.token).await;
        assert_eq!(ids(&by_contract.body), vec![middle.clone(), late.clone()]);
        assert_eq!(ids(&get("?status=confirmed").await.body), vec![late.clone()]);
        assert_eq!(ids(&get("?status=proposed&ordering=-starts_at").await.body), vec![middle.clone(), early.clone()]);
        assert_eq!(ids(&get("?search=harbour").await.body), vec![middle.clone()]);
        assert_eq!(get("?search=50%25").await.body["count"], 0);
        let paged = get("?page_size=2&page=2").await;
        assert_eq!(ids(&paged.body), vec![late.clone()]);
        assert_eq!(get("?page=9").await.status, 404);

        let bad_status = get("?status=maybe").await;
        assert_eq!(bad_status.status, 400, "{}", bad_status.text);
        assert_eq!(
            bad_status.body,
            json!({"status": ["Select a valid choice. maybe is not one of the available choices."]})
        );
        let bad_contract = get("?contract=12").await;
        assert_eq!(bad_contract.status, 400, "{}", bad_contract.text);
        assert_eq!(bad_contract.body, json!({"contract": ["Enter a valid UUID."]}));
        let client_view = app.get_as("appointments/", &e.client.token).await;
        assert_eq!(ids(&client_view.body), vec![early.clone()], "a client sees their contract's only");
    }

    async fn racing_confirmations_of_overlapping_appointments_confirm_exactly_one(app: TestApp) {
        let d = deal(&app).await;
        let e = second_deal(&app, &d).await;
        for round in 1..=6 {
            // The provider proposes to both clients; both confirm at once.
            let a = propose(&app, &d.pro, &d.contract, &at(round, 9, 0), &at(round, 11, 0)).await;
            let b = propose(&app, &e.pro, &e.contract, &at(round, 10, 0), &at(round, 12, 0)).await;
            let tasks: Vec<_> = [(&d.client, &a), (&e.client, &b)]
                .into_iter()
                .map(|(who, id)| {
                    let url = format!("{}/api/v1/appointments/{id}/", app.address);
                    let body = json!({"status": "confirmed"});
                    tokio::spawn(race_patch(app.client.clone(), url, who.token.clone(), body))
                })
                .collect();
            let mut answers = Vec::new();
            for task in tasks {
                answers.push(task.await.unwrap());
            }
            let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| s.as_u16()).collect();
            statuses.sort_unstable();
            assert_eq!(statuses, vec![200, 409], "round {round}: {answers:?}");
            let refused = answers.iter().find(|(s, _)| *s == StatusCode::CONFLICT).unwrap();
            assert_eq!(refused.1["code"], "appointment_overlap", "round {round}");
        }
        let confirmed: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT starts_at, ends_at FROM appointments WHERE provider_id = $1 AND status = 'confirmed' \
             ORDER BY starts_at",
        )
        .bind(&d.provider)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(confirmed.len(), 6, "one per round");
        for pair in confirmed.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "no two confirmed appointments overlap: {confirmed:?}");
        }
    }
}
