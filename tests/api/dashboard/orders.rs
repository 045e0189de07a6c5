//! Orders: the list and its filters, one order's page, and status changes through the function
//! the API's `PATCH orders/{id}/` uses, seen through the API (history, notifications, stock).

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Browser;
use crate::{
    api_test,
    fixtures::{assert_stock, create_address, place_order},
    helpers::{TestApp, TestUser},
};

/// A signed-in browser for `staff`.
async fn signed_in<'a>(app: &'a TestApp, staff: &TestUser) -> Browser<'a> {
    let mut browser = Browser::new(app);
    browser.sign_in(&staff.email).await;
    browser
}

/// Places an order of `quantity` × `product` shipped to a saved address; returns its body.
async fn order_with_address(app: &TestApp, buyer: &TestUser, product: i64, quantity: i64) -> Value {
    let address = create_address(app, buyer).await;
    let placed = app
        .post_as(
            "orders/",
            &buyer.token,
            &json!({
                "items": [{"product_id": product, "quantity": quantity}],
                "shipping_address_id": address,
            }),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    placed.body
}

/// Posts the order page's status form.
async fn move_to(
    browser: &mut Browser<'_>,
    id: i64,
    status: &str,
    note: &str,
) -> super::browser::Page {
    let page = browser.get(&format!("/dashboard/orders/{id}/")).await;
    let token = page.csrf_token();
    browser
        .post_form(
            &format!("/dashboard/orders/{id}/status/"),
            &[("csrf_token", &token), ("status", status), ("note", note)],
        )
        .await
}

api_test! {
    async fn the_order_list_shows_orders_placed_through_the_api(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let lamp = app.product().title("Brass Lamp").price_cents(2_500).create().await;
        let order = place_order(&app, &buyer, &[(lamp, 2)]).await;
        let mut browser = signed_in(&app, &staff).await;
        let page = browser.get("/dashboard/orders/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let number = order["order_number"].as_str().unwrap();
        let id = order["id"].as_i64().unwrap();
        assert!(page.text.contains(&format!(r#"<a href="/dashboard/orders/{id}/">{number}</a>"#)), "{}", page.text);
        assert!(page.text.contains(&buyer.email));
        assert!(page.text.contains(r#"<span class="badge status-pending">pending</span>"#));
        assert!(page.text.contains(r#"<td class="num">50.00</td>"#));
        assert!(page.text.contains(&order["created_at"].as_str().unwrap()[..10]));
    }

    async fn an_empty_order_list_says_so(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = signed_in(&app, &staff).await;
        let page = browser.get("/dashboard/orders/").await;
        assert!(page.text.contains("No orders yet."));
        let filtered = browser.get("/dashboard/orders/?status=shipped").await;
        assert!(filtered.text.contains("No orders match these filters."));
    }

    async fn the_order_list_filters_by_status_customer_and_date(app: TestApp) {
        let staff = app.create_staff().await;
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let pen = app.product().stock(50).create().await;
        let first = place_order(&app, &ann, &[(pen, 1)]).await["order_number"].as_str().unwrap().to_owned();
        let second_body = place_order(&app, &bob, &[(pen, 1)]).await;
        let second = second_body["order_number"].as_str().unwrap().to_owned();
        let moved = app.patch_as(&format!("orders/{}/", second_body["id"]), &staff.token, &json!({"status": "processing"})).await;
        assert_eq!(moved.status, 200);
        let mut browser = signed_in(&app, &staff).await;

        let processing = browser.get("/dashboard/orders/?status=processing").await;
        assert!(processing.text.contains(&second) && !processing.text.contains(&first));
        assert!(processing.text.contains(r#"<option value="processing" selected>"#), "the filter is kept");

        let by_id = browser.get(&format!("/dashboard/orders/?user={}", ann.id)).await;
        assert!(by_id.text.contains(&first) && !by_id.text.contains(&second));
        let part = &bob.email[..bob.email.find('@').unwrap()].to_uppercase();
        let by_email = browser.get(&format!("/dashboard/orders/?user={part}")).await;
        assert!(by_email.text.contains(&second) && !by_email.text.contains(&first), "{}", by_email.text);

        let today = second_body["created_at"].as_str().unwrap()[..10].to_owned();
        let on_the_day = browser.get(&format!("/dashboard/orders/?from={today}&to={today}")).await;
        assert!(on_the_day.text.contains(&first) && on_the_day.text.contains(&second));
        let long_ago = browser.get("/dashboard/orders/?from=2001-01-01&to=2001-12-31").await;
        assert!(!long_ago.text.contains(&first) && long_ago.text.contains("No orders match these filters."));
        let bad = browser.get("/dashboard/orders/?from=yesterday").await;
        assert!(bad.text.contains("Choose dates as YYYY-MM-DD."));
    }

    async fn the_order_page_shows_lines_address_payment_and_history(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let lamp = app.product().title("Brass Lamp").price_cents(2_500).create().await;
        let order = order_with_address(&app, &buyer, lamp, 2).await;
        let id = order["id"].as_i64().unwrap();
        let paid = app.post_as(&format!("orders/{id}/payment/"), &buyer.token, &json!({"payment_method": "card"})).await;
        assert_eq!(paid.status, 200, "{}", paid.text);
        let mut browser = signed_in(&app, &staff).await;
        let page = browser.get(&format!("/dashboard/orders/{id}/")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let api = app.get_as(&format!("orders/{id}/"), &staff.token).await.body;
        assert!(page.text.contains(&format!("<h1>Order {}</h1>", api["order_number"].as_str().unwrap())));
        assert!(page.text.contains(&format!(r#"<a href="/dashboard/products/{lamp}/">Brass Lamp</a>"#)));
        assert!(page.text.contains(r#"<td class="num">2</td>"#) && page.text.contains(r#"<td class="num">25.00</td>"#));
        assert!(page.text.contains(r#"<td class="num">50.00</td>"#));
        assert!(page.text.contains("Ada Lovelace") && page.text.contains("SW1Y 4JH London"), "{}", page.text);
        assert!(page.text.contains(&format!(r#"<span class="badge" id="payment-status">{}</span>"#, api["payment_status"].as_str().unwrap())));
        assert!(page.text.contains("pending &rarr; processing"), "history from → to: {}", page.text);
        assert!(page.text.contains(&buyer.email));
    }

    async fn only_the_allowed_next_states_are_offered(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let pen = app.product().create().await;
        let id = place_order(&app, &buyer, &[(pen, 1)]).await["id"].as_i64().unwrap();
        let mut browser = signed_in(&app, &staff).await;
        let page = browser.get(&format!("/dashboard/orders/{id}/")).await;
        let select = &page.text[page.text.find(r#"<select id="status""#).unwrap()..];
        let select = &select[..select.find("</select>").unwrap()];
        assert!(select.contains(r#"<option value="processing""#) && select.contains(r#"<option value="failed""#), "{select}");
        for never in ["delivered", "shipped", "completed", "pending", "cancelled"] {
            assert!(!select.contains(&format!(r#"value="{never}""#)), "{never} offered: {select}");
        }
        assert!(page.text.contains(r#"<input type="hidden" name="status" value="cancelled">"#), "a cancel button");
        assert!(page.text.contains("Cancel order</button>"));
    }

    async fn moving_an_order_to_shipped_writes_history_and_notifies_the_customer(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let pen = app.product().create().await;
        let order = place_order(&app, &buyer, &[(pen, 1)]).await;
        let id = order["id"].as_i64().unwrap();
        let number = order["order_number"].as_str().unwrap();
        let mut browser = signed_in(&app, &staff).await;
        let processing = move_to(&mut browser, id, "processing", "").await;
        assert_eq!(processing.status, StatusCode::SEE_OTHER, "{}", processing.text);
        assert_eq!(processing.location(), format!("/dashboard/orders/{id}/?moved=1"));
        let shipped = move_to(&mut browser, id, "shipped", "DHL <123>").await;
        assert_eq!(shipped.status, StatusCode::SEE_OTHER, "{}", shipped.text);

        let api = app.get_as(&format!("orders/{id}/"), &staff.token).await.body;
        assert_eq!(api["status"], "shipped");
        let history: Vec<&str> = api["status_history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap()).collect();
        assert_eq!(history, ["pending", "processing", "shipped"]);
        assert_eq!(api["status_history"][2]["note"], "DHL <123>");
        let notifications = app.get_as("notifications/", &buyer.token).await.body;
        let titles: Vec<&str> = notifications["results"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
        assert!(titles.contains(&format!("Order {number} shipped").as_str()), "{titles:?}");
        let emails = app.job_payloads(nexus::jobs::Kind::Email).await;
        assert!(
            emails.iter().any(|job| job["to"] == buyer.email.as_str()
                && job["message"]["template"] == "order_status"
                && job["message"]["status"] == "shipped"),
            "the status email is queued: {emails:?}"
        );

        let page = browser.get(&format!("/dashboard/orders/{id}/?moved=1")).await;
        assert!(page.text.contains("The status was changed."));
        assert!(page.text.contains("processing &rarr; shipped"));
        assert!(page.text.contains("DHL &lt;123&gt;"), "the note escaped");
        assert!(page.text.contains(&format!("<td>{}</td>", staff.email)), "by whom");
        assert!(!page.text.contains("Cancel order</button>"), "a shipped order can't be cancelled");
    }

    async fn cancelling_from_the_order_page_returns_the_stock(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let pen = app.product().stock(10).create().await;
        let id = place_order(&app, &buyer, &[(pen, 3)]).await["id"].as_i64().unwrap();
        let stock_path = format!("products/{pen}/");
        assert_eq!(app.get_as(&stock_path, &staff.token).await.body["stock_quantity"], 7);
        let mut browser = signed_in(&app, &staff).await;
        let cancelled = move_to(&mut browser, id, "cancelled", "Out of ink").await;
        assert_eq!(cancelled.status, StatusCode::SEE_OTHER, "{}", cancelled.text);
        assert_eq!(app.get_as(&stock_path, &staff.token).await.body["stock_quantity"], 10);
        assert_stock(&app, pen, 10).await;
        let api = app.get_as(&format!("orders/{id}/"), &staff.token).await.body;
        assert_eq!(api["status"], "cancelled");
        let page = browser.get(&format!("/dashboard/orders/{id}/")).await;
        assert!(page.text.contains("its status can&#x27;t change any more") || page.text.contains("its status can't change any more"), "{}", page.text);
    }

    async fn a_stale_status_change_is_refused_with_the_apis_message(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let pen = app.product().create().await;
        let id = place_order(&app, &buyer, &[(pen, 1)]).await["id"].as_i64().unwrap();
        let mut browser = signed_in(&app, &staff).await;
        let page = browser.get(&format!("/dashboard/orders/{id}/")).await;
        // Someone else moves it first; this page still offers `processing`.
        let elsewhere = app.patch_as(&format!("orders/{id}/"), &staff.token, &json!({"status": "processing"})).await;
        assert_eq!(elsewhere.status, 200);
        let stale = browser
            .post_form(&format!("/dashboard/orders/{id}/status/"), &[("csrf_token", &page.csrf_token()), ("status", "processing"), ("note", "")])
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
        assert!(stale.text.contains("Cannot change status from processing to processing."), "{}", stale.text);
        assert!(stale.text.contains(r#"<option value="shipped""#), "the page shows the order as it is now");
        let unknown = browser
            .post_form(&format!("/dashboard/orders/{id}/status/"), &[("csrf_token", &page.csrf_token()), ("status", "teleported")])
            .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert!(unknown.text.contains("&quot;teleported&quot; is not a valid choice.") || unknown.text.contains("is not a valid choice."), "{}", unknown.text);
        let api = app.get_as(&format!("orders/{id}/"), &staff.token).await.body;
        assert_eq!(api["status_history"].as_array().unwrap().len(), 2, "nothing more written");
    }

    async fn a_status_change_without_the_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        let buyer = app.create_customer().await;
        let pen = app.product().create().await;
        let id = place_order(&app, &buyer, &[(pen, 1)]).await["id"].as_i64().unwrap();
        let mut browser = signed_in(&app, &staff).await;
        let refused = browser
            .post_form(&format!("/dashboard/orders/{id}/status/"), &[("status", "cancelled")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let forged = browser
            .post_form(&format!("/dashboard/orders/{id}/status/"), &[("csrf_token", "guess"), ("status", "cancelled")])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get_as(&format!("orders/{id}/"), &staff.token).await.body["status"], "pending");
    }

    async fn an_unknown_order_is_the_404_page(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = signed_in(&app, &staff).await;
        for path in ["/dashboard/orders/999999/", "/dashboard/orders/nope/"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text.contains("<h1>Not found</h1>"));
        }
        let list = browser.get("/dashboard/orders/").await;
        let token = list.csrf_token();
        let posted = browser
            .post_form("/dashboard/orders/999999/status/", &[("csrf_token", &token), ("status", "processing")])
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);
    }
}
