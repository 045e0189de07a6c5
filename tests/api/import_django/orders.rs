//! Imported orders as their customers see them: Django ids, totals and line prices exactly,
//! an order number from the order's date, and a status history.

use serde_json::{json, Value};

use super::*;
use crate::api_test;

const NOTE: &str = "Imported from the Django shop.";

async fn order(app: &TestApp, token: &str, id: i64) -> Value {
    let response = app.get_as(&format!("orders/{id}/"), token).await;
    assert_eq!(response.status, 200, "order {id}: {}", response.text);
    response.body
}

/// `(id, product, title, quantity, unit_price, subtotal)` of each line, by id.
fn lines(order: &Value) -> Vec<(i64, i64, String, i64, String, String)> {
    let mut lines: Vec<_> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["id"].as_i64().unwrap(),
                item["product"].as_i64().unwrap(),
                item["product_title"].as_str().unwrap().to_owned(),
                item["quantity"].as_i64().unwrap(),
                item["unit_price"].as_str().unwrap().to_owned(),
                item["subtotal"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    lines.sort();
    lines
}

fn line(
    id: i64,
    product: i64,
    title: &str,
    quantity: i64,
    unit_price: &str,
    subtotal: &str,
) -> (i64, i64, String, i64, String, String) {
    (
        id,
        product,
        title.to_owned(),
        quantity,
        unit_price.to_owned(),
        subtotal.to_owned(),
    )
}

/// Ada lists her five orders and reads each as Django had it.
pub async fn check_orders(app: &TestApp) {
    let ada = token_of(app, ids::ADA);
    let page = app.get_as("orders/", &ada).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["count"], 5, "{}", page.text);
    let mut listed: Vec<i64> = page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|order| order["id"].as_i64().unwrap())
        .collect();
    listed.sort();
    assert_eq!(listed, [500, 502, 503, 505, 507]);

    // A total its lines don't add up to, kept exactly; a timestamp with microseconds.
    let processing = order(app, &ada, ids::ORDER_PROCESSING).await;
    assert_eq!(processing["id"], 502);
    assert_eq!(processing["user"], ids::ADA);
    assert_eq!(processing["user_email"], "ada@example.com");
    assert_eq!(processing["order_number"], "NX-20240201-000502");
    assert_eq!(processing["status"], "processing");
    assert_eq!(processing["payment_status"], "paid");
    assert_eq!(processing["total_amount"], "1234.56");
    assert_eq!(processing["shipping_address"], Value::Null);
    assert_eq!(processing["created_at"], "2024-02-01T09:30:00.250000Z");
    assert_eq!(processing["updated_at"], "2024-02-01T12:00:00.000000Z");
    assert_eq!(
        lines(&processing),
        [
            line(601, ids::PHONE, "Phone", 6, "199.99", "1199.94"),
            line(602, ids::NOVEL, "A Long Novel", 2, "12.50", "25.00"),
        ]
    );
    assert_eq!(
        processing["status_history"],
        json!([
            {"status": "pending", "note": NOTE, "created_at": "2024-02-01T09:30:00.250000Z"},
            {"status": "processing", "note": NOTE, "created_at": "2024-02-01T12:00:00.000000Z"},
        ])
    );

    // 19.99 × 3 stays 59.97; a pending order has only its creation in the history.
    let pending = order(app, &ada, ids::ORDER_PENDING).await;
    assert_eq!(pending["order_number"], "NX-20240115-000500");
    assert_eq!(pending["total_amount"], "59.97");
    assert_eq!(
        lines(&pending),
        [line(
            600,
            ids::HEADPHONES,
            "Headphones",
            3,
            "19.99",
            "59.97"
        )]
    );
    assert_eq!(
        pending["status_history"],
        json!([{"status": "pending", "note": NOTE, "created_at": "2024-01-15T10:00:00.000000Z"}])
    );

    // The line for the skipped product is gone; the order and its Django total stay.
    let shipped = order(app, &ada, ids::ORDER_SHIPPED).await;
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["total_amount"], "12.50");
    assert_eq!(
        lines(&shipped),
        [line(603, ids::NOVEL, "A Long Novel", 1, "12.50", "12.50")]
    );
    let history: Vec<&Value> = shipped["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["status"])
        .collect();
    assert_eq!(history, ["pending", "shipped"]);

    // Nexus shows quantity × unit price where Django's subtotal differed.
    let delivered = order(app, &ada, ids::ORDER_DELIVERED).await;
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["total_amount"], "45.00");
    assert_eq!(
        lines(&delivered),
        [
            line(606, ids::LAMP, "Old lamp", 1, "30.00", "30.00"),
            line(607, ids::HEADPHONES, "Headphones", 1, "19.99", "19.99"),
        ]
    );

    // Both lines skipped (quantity 0, negative unit price): an order without lines.
    let cancelled = order(app, &ada, ids::ORDER_CANCELLED).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["payment_status"], "unpaid");
    assert_eq!(cancelled["total_amount"], "0.00");
    assert_eq!(cancelled["items"], json!([]));
    assert_eq!(
        cancelled["status_history"][1]["created_at"],
        "2024-04-21T09:00:00.000000Z"
    );

    let grace_order = app
        .get_as(&format!("orders/{}/", ids::ORDER_COMPLETED), &ada)
        .await;
    assert_eq!(grace_order.status, 404, "another customer's order");
}

/// Grace's orders: the number's date is the UTC day of the order; completed and failed kept;
/// the orders with an unknown status, payment status or a negative total are absent.
pub async fn check_other_customers_orders(app: &TestApp) {
    let grace = token_of(app, ids::GRACE);
    let page = app.get_as("orders/", &grace).await;
    let mut listed: Vec<(i64, String, String)> = page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|order| {
            (
                order["id"].as_i64().unwrap(),
                order["status"].as_str().unwrap().to_owned(),
                order["order_number"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            (508, "completed".to_owned(), "NX-20231231-000508".to_owned()),
            (510, "failed".to_owned(), "NX-20240502-000510".to_owned()),
        ],
        "{}",
        page.text
    );
    let completed = order(app, &grace, ids::ORDER_COMPLETED).await;
    assert_eq!(completed["total_amount"], "39.98");
    assert_eq!(completed["payment_status"], "paid");
    assert_eq!(
        lines(&completed),
        [line(
            610,
            ids::HEADPHONES,
            "Headphones",
            2,
            "19.99",
            "39.98"
        )]
    );
    let failed = order(app, &grace, ids::ORDER_FAILED).await;
    assert_eq!(failed["payment_status"], "unpaid");
    assert_eq!(failed["total_amount"], "199.99");
    for (table, count) in [("orders", 7), ("order_items", 8)] {
        assert_eq!(rows(app, table).await, count, "{table}");
    }
}

api_test! {
    async fn old_orders_keep_ids_exact_totals_and_line_prices_and_gain_a_number_and_history(app: TestApp) {
        imported(&app).await;
        check_orders(&app).await;
    }

    async fn order_numbers_use_the_orders_utc_date_and_refused_orders_are_absent(app: TestApp) {
        imported(&app).await;
        check_other_customers_orders(&app).await;
    }
}
