//! The marketplace pages: service requests, contracts (open disputes first; resolving one goes
//! through the API's status machine), providers (verify / unverify), and the overview's contract
//! figures. Rows are made through the API where it is cheap, else by the marketplace fixtures.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Browser;
use crate::{
    api_test,
    helpers::{TestApp, TestUser},
    marketplace::{completed_contract, contract, provider, service},
};

/// Posts a service request titled `title` as `client`; returns its id.
async fn request(app: &TestApp, client: &TestUser, title: &str) -> String {
    let body = json!({"title": title, "description": "Details"});
    let created = app.post_as("requests/", &client.token, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.body["id"].as_str().unwrap().to_owned()
}

/// Moves contract `id` through the API as `user`.
async fn move_to(app: &TestApp, id: &str, user: &TestUser, status: &str) {
    let body = json!({"status": status});
    let moved = app
        .post_as(
            &format!("contracts/{id}/update_status/"),
            &user.token,
            &body,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
}

/// Contract `id` as staff read it through the API.
async fn api_contract(app: &TestApp, staff: &TestUser, id: &str) -> Value {
    let answer = app.get_as(&format!("contracts/{id}/"), &staff.token).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body
}

/// How many `contract` notifications `user` has.
async fn contract_notices(app: &TestApp, user: &TestUser) -> usize {
    let answer = app
        .get_as("notifications/?page_size=100", &user.token)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|notice| notice["type"] == "contract")
        .count()
}

/// A contract between a new client and a new provider, disputed by its client through the API.
async fn disputed(app: &TestApp) -> (String, TestUser, TestUser) {
    let (client, worker) = (app.create_customer().await, app.create_customer().await);
    let profile = provider(app, &worker).await;
    let id = contract(app, &client, &profile).await;
    move_to(app, &id, &client, "disputed").await;
    (id, client, worker)
}

api_test! {
    async fn the_marketplace_pages_send_the_signed_out_to_sign_in_and_refuse_customers(app: TestApp) {
        let customer = app.create_customer().await;
        let pages = ["/dashboard/requests/", "/dashboard/contracts/", "/dashboard/providers/"];
        let mut signed_out = Browser::new(&app);
        for path in pages {
            let page = signed_out.get(path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(page.location(), "/dashboard/login/", "{path}");
        }
        let mut browser = Browser::new(&app);
        let refused = browser.sign_in_with(&customer.email, crate::helpers::PASSWORD).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        for path in pages {
            assert_eq!(browser.get(path).await.status, StatusCode::SEE_OTHER, "{path}: no session");
        }
    }

    async fn the_request_list_shows_rows_newest_first_and_filters_by_status_and_title(app: TestApp) {
        let staff = app.create_staff().await;
        let client = app.create_customer().await;
        let older = request(&app, &client, "Paint the <fence>").await;
        request(&app, &client, "Fix a leaking tap").await;
        let cancelled = app.delete_as(&format!("requests/{older}/"), &client.token).await;
        assert!(cancelled.status.is_success(), "{}", cancelled.text);

        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/requests/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("2 requests, newest first."), "{}", page.text);
        let (tap, fence) = (page.text.find("Fix a leaking tap").unwrap(), page.text.find("Paint the &lt;fence&gt;").unwrap());
        assert!(tap < fence, "newest first");
        assert!(page.text.contains(&client.email));

        let searched = browser.get("/dashboard/requests/?search=LEAKING").await;
        assert!(searched.text.contains("Fix a leaking tap"));
        assert!(!searched.text.contains("fence"));
        let open = browser.get("/dashboard/requests/?status=open").await;
        assert!(open.text.contains("Fix a leaking tap"));
        assert!(!open.text.contains("fence"), "{}", open.text);
        let none = browser.get("/dashboard/requests/?status=awarded").await;
        assert!(none.text.contains("No requests match these filters."));
        let bad = browser.get("/dashboard/requests/?status=bogus").await;
        assert!(bad.text.contains("Choose a status from the list."));
    }

    async fn the_contract_list_puts_open_disputes_first_and_filters_by_status(app: TestApp) {
        let staff = app.create_staff().await;
        let (disputed_id, _, _) = disputed(&app).await;
        // Newer contracts, not disputed.
        let client = app.create_customer().await;
        let worker = app.create_customer().await;
        let profile = provider(&app, &worker).await;
        let offer = service(&app, &profile, "Gardening", 5000).await;
        let done = completed_contract(&app, &client, &profile, &offer).await;

        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/contracts/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let (first, second) = (
            page.text.find(&format!("/dashboard/contracts/{disputed_id}/")).expect("the disputed one"),
            page.text.find(&format!("/dashboard/contracts/{done}/")).expect("the completed one"),
        );
        assert!(first < second, "open disputes first, though older");
        assert!(page.text.contains(&worker.username), "the provider's display name");
        assert!(page.text.contains(&client.email));
        assert!(page.text.contains("100.00"));
        let only = browser.get("/dashboard/contracts/?status=completed").await;
        assert!(only.text.contains(&done));
        assert!(!only.text.contains(&disputed_id));
    }

    async fn resolving_a_dispute_moves_the_contract_writes_history_and_tells_both_parties(app: TestApp) {
        let staff = app.create_staff().await;
        let (id, client, worker) = disputed(&app).await;
        let (client_before, worker_before) = (contract_notices(&app, &client).await, contract_notices(&app, &worker).await);
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get(&format!("/dashboard/contracts/{id}/")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Resolve: back to active"));
        assert!(page.text.contains("Cancel the contract"));
        let token = page.csrf_token();

        let resolved = browser
            .post_form(&format!("/dashboard/contracts/{id}/resolve/"), &[("csrf_token", &token), ("status", "active"), ("note", "Refund agreed")])
            .await;
        assert_eq!(resolved.status, StatusCode::SEE_OTHER, "{}", resolved.text);
        assert_eq!(resolved.location(), format!("/dashboard/contracts/{id}/?moved=1"));
        let api = api_contract(&app, &staff, &id).await;
        assert_eq!(api["status"], "active");
        let last = api["status_history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["from_status"].as_str(), last["status"].as_str(), last["note"].as_str(), last["changed_by"].as_i64()),
            (Some("disputed"), Some("active"), Some("Refund agreed"), Some(staff.id)));
        assert_eq!(contract_notices(&app, &client).await, client_before + 1);
        assert_eq!(contract_notices(&app, &worker).await, worker_before + 1);
        let shown = browser.get(resolved.location()).await;
        assert!(shown.text.contains("The contract was moved"));
        assert!(shown.text.contains("Refund agreed"));
        assert!(shown.text.contains("not disputed"), "no buttons once resolved");

        // The same button again, from a stale page: the machine refuses, nothing is written.
        let again = browser
            .post_form(&format!("/dashboard/contracts/{id}/resolve/"), &[("csrf_token", &token), ("status", "cancelled")])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
        assert!(again.text.contains("Cannot move this contract from active to cancelled."), "{}", again.text);
        assert_eq!(api_contract(&app, &staff, &id).await["status"], "active");
    }

    async fn cancelling_a_dispute_ends_the_contract(app: TestApp) {
        let staff = app.create_staff().await;
        let (id, _, _) = disputed(&app).await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let token = browser.get(&format!("/dashboard/contracts/{id}/")).await.csrf_token();
        let bogus = browser
            .post_form(&format!("/dashboard/contracts/{id}/resolve/"), &[("csrf_token", &token), ("status", "finished")])
            .await;
        assert_eq!(bogus.status, StatusCode::BAD_REQUEST, "{}", bogus.text);
        let cancelled = browser
            .post_form(&format!("/dashboard/contracts/{id}/resolve/"), &[("csrf_token", &token), ("status", "cancelled")])
            .await;
        assert_eq!(cancelled.status, StatusCode::SEE_OTHER, "{}", cancelled.text);
        assert_eq!(api_contract(&app, &staff, &id).await["status"], "cancelled");
    }

    async fn a_resolution_without_the_right_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        let (id, _, worker) = disputed(&app).await;
        let profile: String = sqlx::query_scalar("SELECT id FROM providers WHERE user_id = $1")
            .bind(worker.id).fetch_one(&app.db.pool).await.unwrap();
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        for fields in [vec![("status", "active")], vec![("csrf_token", "forged"), ("status", "active")]] {
            let answer = browser.post_form(&format!("/dashboard/contracts/{id}/resolve/"), &fields).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN);
            assert!(answer.text.contains("Form expired"));
            let verify = browser.post_form(&format!("/dashboard/providers/{profile}/verify/"), &fields).await;
            assert_eq!(verify.status, StatusCode::FORBIDDEN);
        }
        assert_eq!(api_contract(&app, &staff, &id).await["status"], "disputed");
        assert_eq!(app.get(&format!("providers/{profile}/")).await.body["is_verified"], false);
    }

    async fn unknown_contracts_and_providers_are_the_404_page(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let token = browser.get("/dashboard/contracts/").await.csrf_token();
        let unknown = uuid::Uuid::new_v4();
        for path in [format!("/dashboard/contracts/{unknown}/"), "/dashboard/contracts/abc/".into()] {
            let page = browser.get(&path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text.contains("<h1>Not found</h1>"));
        }
        for path in [format!("/dashboard/contracts/{unknown}/resolve/"), format!("/dashboard/providers/{unknown}/verify/")] {
            let answer = browser.post_form(&path, &[("csrf_token", &token), ("status", "active")]).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        }
    }

    async fn verify_and_unverify_toggle_the_mark_the_api_shows(app: TestApp) {
        let staff = app.create_staff().await;
        let (alice, bob) = (app.create_customer().await, app.create_customer().await);
        let alices = provider(&app, &alice).await;
        provider(&app, &bob).await;
        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/providers/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains(&format!("Verify {}", alice.username)));
        assert!(page.text.contains("2 providers"));

        let verified = browser
            .post_form(&format!("/dashboard/providers/{alices}/verify/"), &[("csrf_token", &page.csrf_token()), ("back", "verified=no")])
            .await;
        assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.text);
        assert_eq!(verified.location(), "/dashboard/providers/?verified=no&done=verified");
        assert_eq!(app.get(&format!("providers/{alices}/")).await.body["is_verified"], true);
        let unverified_list = browser.get(verified.location()).await;
        assert!(unverified_list.text.contains("The provider is verified."));
        assert!(!unverified_list.text.contains(&alice.username), "{}", unverified_list.text);
        assert!(unverified_list.text.contains(&bob.username));
        let verified_list = browser.get("/dashboard/providers/?verified=yes").await;
        assert!(verified_list.text.contains(&format!("Unverify {}", alice.username)));
        let searched = browser.get(&format!("/dashboard/providers/?search={}", bob.username.to_uppercase())).await;
        assert!(searched.text.contains(&bob.username));
        assert!(!searched.text.contains(&alice.username));

        let back = browser
            .post_form(&format!("/dashboard/providers/{alices}/unverify/"), &[("csrf_token", &page.csrf_token()), ("back", "https://evil.example/")])
            .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER);
        assert!(back.location().starts_with("/dashboard/providers/?"), "{}", back.location());
        assert_eq!(app.get(&format!("providers/{alices}/")).await.body["is_verified"], false);
    }

    async fn the_overview_shows_the_periods_contract_figures_and_open_disputes(app: TestApp) {
        let staff = app.create_staff().await;
        let client = app.create_customer().await;
        let (ann, ben) = (app.create_customer().await, app.create_customer().await);
        let (anns, bens) = (provider(&app, &ann).await, provider(&app, &ben).await);
        let (a, b) = (service(&app, &anns, "Plumbing", 100).await, service(&app, &bens, "Wiring", 100).await);
        completed_contract(&app, &client, &anns, &a).await;
        completed_contract(&app, &client, &anns, &a).await;
        completed_contract(&app, &client, &bens, &b).await;
        // Created in 1970, disputed now: counted as an open dispute, not as created.
        disputed(&app).await;

        let mut browser = Browser::new(&app);
        browser.sign_in(&staff.email).await;
        let page = browser.get("/dashboard/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        for (id, value) in [("contracts-created", "3"), ("contracts-completed", "3"), ("marketplace-revenue", "300.00"), ("disputes-now", "1")] {
            assert!(page.text.contains(&format!(r#"id="{id}">{value}</span>"#)), "{id}: {}", page.text);
        }
        assert!(page.text.contains(r#"href="/dashboard/contracts/?status=disputed""#));
        let (first, second) = (page.text.find(&format!("<td>{}</td>", ann.username)).unwrap(), page.text.find(&format!("<td>{}</td>", ben.username)).unwrap());
        assert!(first < second, "the top provider by revenue first");

        let long_ago = browser.get("/dashboard/?from=2001-01-01&to=2001-01-31").await;
        assert!(long_ago.text.contains(r#"id="contracts-created">0</span>"#));
        assert!(long_ago.text.contains(r#"id="disputes-now">1</span>"#), "disputes are now, whatever the period");
        assert!(long_ago.text.contains("No contracts completed in this period."));
    }
}
