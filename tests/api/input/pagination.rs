//! `page` and `page_size` on every list endpoint: positive integers, a page past the last is
//! `404 Invalid page.`, a page size above 100 is capped, and nothing overflows.

use serde_json::json;

use crate::{api_test, helpers::TestApp};

/// Every paginated list, with a token that may read it.
async fn list_endpoints(app: &TestApp) -> Vec<(String, String)> {
    let customer = app.create_customer().await;
    let staff = app.create_staff().await;
    let admin = app.create_admin().await;
    let product = app.product().price_cents(1_000).stock(5).create().await;
    let category: i64 = sqlx::query_scalar("SELECT category_id FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let (c, s, a) = (&customer.token, &staff.token, &admin.token);
    [
        ("products/".to_owned(), c),
        ("products/search/?q=product".to_owned(), c),
        ("products/featured/".to_owned(), c),
        ("products/latest/".to_owned(), c),
        ("categories/".to_owned(), c),
        (format!("categories/{category}/products/"), c),
        ("brands/".to_owned(), c),
        ("reviews/".to_owned(), c),
        (format!("reviews/product/{product}/"), c),
        ("reviews/user/".to_owned(), c),
        (format!("reviews/user/{}/", customer.id), c),
        ("reviews/reports/".to_owned(), s),
        ("orders/".to_owned(), c),
        ("orders/history/".to_owned(), c),
        ("orders/admin/all/".to_owned(), s),
        ("users/addresses/".to_owned(), c),
        ("admin/users/".to_owned(), a),
        (format!("products/{product}/stock/"), s),
        ("admin/products".to_owned(), s),
        ("admin/categories".to_owned(), s),
    ]
    .into_iter()
    .map(|(path, token)| (path, token.clone()))
    .collect()
}

fn with_query(path: &str, query: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{query}")
}

api_test! {
    async fn the_overflow_pair_is_a_4xx_on_every_list_endpoint(app: TestApp) {
        for (path, token) in list_endpoints(&app).await {
            let overflow = app
                .get_as(
                    &with_query(
                        &path,
                        "page=9223372036854775806&page_size=-9223372036854775808",
                    ),
                    &token,
                )
                .await;
            assert_eq!(overflow.status, 400, "{path}: {}", overflow.text);
            assert_eq!(
                overflow.body,
                json!({"page_size": ["Ensure this value is greater than or equal to 1."]}),
                "{path}"
            );
            let far = app
                .get_as(
                    &with_query(&path, "page=9223372036854775806&page_size=100"),
                    &token,
                )
                .await;
            assert_eq!(far.status, 404, "{path}: {}", far.text);
            assert_eq!(far.detail(), "Invalid page.", "{path}");
            let beyond = app
                .get_as(&with_query(&path, "page=99999999999999999999999"), &token)
                .await;
            assert_eq!(beyond.status, 404, "{path}: {}", beyond.text);
            let huge_size = app
                .get_as(
                    &with_query(&path, "page_size=99999999999999999999999"),
                    &token,
                )
                .await;
            assert_eq!(huge_size.status, 200, "{path}: {}", huge_size.text);
        }
    }

    async fn page_and_page_size_must_be_positive_integers(app: TestApp) {
        let integer = json!(["A valid integer is required."]);
        let positive = json!(["Ensure this value is greater than or equal to 1."]);
        for (query, field, message) in [
            ("page=0", "page", &positive),
            ("page=-1", "page", &positive),
            ("page=abc", "page", &integer),
            ("page=1.5", "page", &integer),
            ("page_size=0", "page_size", &positive),
            ("page_size=-5", "page_size", &positive),
            ("page_size=abc", "page_size", &integer),
        ] {
            let response = app.get(&format!("products/?{query}")).await;
            assert_eq!(response.status, 400, "{query}: {}", response.text);
            assert_eq!(response.body, json!({field: message}), "{query}");
        }
    }

    async fn a_page_size_above_the_maximum_is_capped_to_100(app: TestApp) {
        for _ in 0..101 {
            sqlx::query("INSERT INTO brands (name, slug, created_at) VALUES ($1, $1, 0)")
                .bind(uuid::Uuid::new_v4().simple().to_string())
                .execute(&app.db.pool)
                .await
                .unwrap();
        }
        let page = app.get("brands/?page_size=1000").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["results"].as_array().unwrap().len(), 100);
        assert_eq!(page.body["count"], 101);
    }
}
