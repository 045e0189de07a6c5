//! Product views and searches, including answers served from the catalog cache.

use serde_json::{json, Value};

use super::{wait_for_events, wait_for_kind};
use crate::{api_test, helpers::TestApp};

async fn category_slug_of(app: &TestApp, product: i64) -> String {
    sqlx::query_scalar(
        "SELECT c.slug FROM categories c JOIN products p ON p.category_id = c.id WHERE p.id = $1",
    )
    .bind(product)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

fn filters(row: &super::EventRow) -> Value {
    serde_json::from_str(row.filters.as_deref().expect("a search has filters")).unwrap()
}

api_test! {
    async fn a_product_view_is_recorded_even_when_served_from_cache(app: TestApp) {
        let product = app.product().title("Brass Lamp").create().await;
        let path = format!("products/{product}/");
        let first = app.get(&path).await;
        assert_eq!(first.status, 200);
        assert_eq!(first.headers["x-cache"], "MISS");
        let second = app.get(&path).await;
        assert_eq!(second.headers["x-cache"], "HIT", "the second answer is the cache's");
        // The slug twin was stored by the first miss: a third view, also from the cache.
        let third = app.get("products/brass-lamp/").await;
        assert_eq!(third.headers["x-cache"], "HIT");

        let views = wait_for_kind(&app, 3, "product_view").await;
        assert_eq!(views.len(), 3, "{views:?}");
        for view in &views {
            assert_eq!(view.product_id, Some(product));
            assert_eq!(view.user_id, None);
            assert_eq!(view.ip_prefix.as_deref(), Some("127.0.0.0"));
            assert_eq!((view.order_id, view.query.as_deref()), (None, None));
        }
    }

    async fn a_signed_in_view_names_the_user(app: TestApp) {
        let customer = app.create_customer().await;
        let product = app.product().create().await;
        let response = app.get_as(&format!("products/{product}/"), &customer.token).await;
        assert_eq!(response.status, 200);
        let view = &wait_for_events(&app, 1).await[0];
        assert_eq!(view.kind, "product_view");
        assert_eq!((view.user_id, view.product_id), (Some(customer.id), Some(product)));
    }

    async fn a_search_records_its_normalised_query_filters_and_count(app: TestApp) {
        let lamp = app.product().title("Brass Desk Lamp").create().await;
        app.product().title("Desk Lamp Mini").create().await;
        let category = category_slug_of(&app, lamp).await;
        let path = format!(
            "products/?search=%20%20Desk%20%20%20LAMP%20&category={category}&price_min=5\
             &ordering=-price&page_size=5"
        );
        let response = app.get(&path).await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body["count"], 1);
        let cached = app.get(&path).await;
        assert_eq!(cached.headers["x-cache"], "HIT");

        let searches = wait_for_kind(&app, 2, "search").await;
        assert_eq!(searches.len(), 2, "a cached search is a search too: {searches:?}");
        for search in &searches {
            assert_eq!(search.query.as_deref(), Some("desk lamp"));
            assert_eq!(search.result_count, Some(1));
            assert_eq!(
                filters(search),
                json!({"category": category, "price_min": "5.00"}),
                "the filters applied; not the search text, ordering or paging"
            );
            assert_eq!((search.product_id, search.user_id), (None, None));
        }
    }

    async fn a_zero_result_search_is_recorded_with_count_zero(app: TestApp) {
        app.product().title("Desk Lamp").create().await;
        let response = app.get("products/search/?q=Unicorn%20%20Saddle").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.body["count"], 0);
        let search = &wait_for_events(&app, 1).await[0];
        assert_eq!(search.kind, "search");
        assert_eq!(search.query.as_deref(), Some("unicorn saddle"));
        assert_eq!(search.result_count, Some(0));
        assert_eq!(filters(search), json!({}));
    }

    async fn a_query_with_quotes_backslashes_and_accents_is_stored_as_typed(app: TestApp) {
        // The batch travels as JSON: what needs escaping there must come out unchanged.
        let response = app
            .get("products/search/?q=Caf%C3%A9%20%22Lamp%22%20a%5Cb%20%E2%9C%93")
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        let search = &wait_for_events(&app, 1).await[0];
        assert_eq!(search.query.as_deref(), Some("café \"lamp\" a\\b ✓"));
        assert_eq!(search.result_count, Some(0));
    }

    async fn a_search_within_a_category_or_the_featured_list_names_that_filter(app: TestApp) {
        let lamp = app.product().title("Desk Lamp").create().await;
        let category = category_slug_of(&app, lamp).await;
        let response = app
            .get(&format!("categories/{category}/products/?search=lamp"))
            .await;
        assert_eq!(response.body["count"], 1, "{}", response.text);
        let featured = app.get("products/featured/?search=lamp&in_stock=true").await;
        assert_eq!(featured.status, 200);
        let searches = wait_for_kind(&app, 2, "search").await;
        let mut seen: Vec<(Value, Option<i64>)> =
            searches.iter().map(|s| (filters(s), s.result_count)).collect();
        seen.sort_by_key(|(f, _)| f.to_string());
        assert_eq!(
            seen,
            [
                (json!({"category": category}), Some(1)),
                (json!({"in_stock": true, "is_featured": true}), Some(0)),
            ]
        );
    }

    async fn lists_without_a_search_and_failed_requests_record_nothing(app: TestApp) {
        let product = app.product().create().await;
        assert_eq!(app.get("products/").await.status, 200);
        assert_eq!(app.get("products/search/").await.status, 200);
        assert_eq!(app.get("products/?search=%20%20").await.status, 200);
        assert_eq!(app.get("products/?search=lamp&price_min=abc").await.status, 400);
        assert_eq!(app.get("products/999999/").await.status, 404);
        // A view last: the buffer is first in, first out, so once it is stored anything
        // recorded before it is stored too.
        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);
        let stored = wait_for_events(&app, 1).await;
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].kind, "product_view");
    }
}
