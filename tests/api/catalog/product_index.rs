//! The product index (`catalog::products::index`, docs/cache.md): anonymous lists, searches and
//! the categories answered from memory must be the database's answers, byte for byte, and follow
//! every write at once, on one instance or several.

use serde_json::{json, Value};

use super::Shop;
use crate::helpers::{test_redis_url, Backend, TestApp, POSTGRES_UNSET};

/// GET `/api/v1/{path}` from the server at `base` as host `shop.test` (so two servers' absolute
/// URLs agree); the status and the body.
async fn get_from(base: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/{path}"))
        .header("host", "shop.test")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sixty products written straight to the database, with ties in every ordered field, inactive
/// and out-of-stock ones, products without a brand, images, and a three-level category tree.
async fn seed_catalog(app: &TestApp) {
    let pool = &app.db.pool;
    let now = nexus::db::now_micros();
    let mut categories = Vec::new();
    for (slug, parent) in [
        ("home", None),
        ("garden", None),
        ("kitchen", Some(0)),
        ("lighting", Some(0)),
        ("tools", Some(1)),
        ("plants", Some(1)),
        ("knives", Some(2)),
        ("lamps", Some(3)),
        ("spades", Some(4)),
        ("ferns", Some(5)),
    ] {
        let parent: Option<i64> = parent.map(|at: usize| categories[at]);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO categories (name, slug, parent_id, created_at) VALUES ($1, $1, $2, $3) RETURNING id",
        )
        .bind(slug)
        .bind(parent)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap();
        categories.push(id);
    }
    let mut brands = Vec::new();
    for slug in ["acme", "globex", "initech"] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO brands (name, slug, created_at) VALUES ($1, $1, $2) RETURNING id",
        )
        .bind(slug)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap();
        brands.push(id);
    }
    let titles = [
        "apple", "Apple", "banana", "Cherry", "cherry", "date", "Zest", "fig", "grape", "apple",
    ];
    for i in 0..60usize {
        let product: i64 = sqlx::query_scalar(
            "INSERT INTO products (title, slug, price_cents, category_id, brand_id, stock_quantity, \
             is_active, is_featured, average_rating, reviews_count, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(titles[i % titles.len()])
        .bind(format!("p-{i}"))
        .bind([500i64, 1000, 1000, 2500, 9999][i % 5])
        .bind(categories[i % categories.len()])
        .bind((i % 4 != 0).then(|| brands[i % 3]))
        .bind(if i % 7 == 0 { 0i64 } else { i as i64 })
        .bind(i % 11 != 0)
        .bind(i % 6 == 0)
        .bind([0.0f64, 4.5, 3.25, 4.5, 5.0][i % 5])
        .bind((i % 5) as i64)
        .bind(now + (i % 13) as i64 * 1000)
        .fetch_one(pool)
        .await
        .unwrap();
        if i % 5 == 0 {
            for position in [1i64, 0] {
                sqlx::query(
                    "INSERT INTO product_images (product_id, path, thumbnail_path, alt_text, position, created_at) \
                     VALUES ($1, $2, $3, 'alt', $4, $5)",
                )
                .bind(product)
                .bind(format!("products/{product}-{position}.webp"))
                .bind(format!("products/{product}-{position}-thumb.webp"))
                .bind(position)
                .bind(now)
                .execute(pool)
                .await
                .unwrap();
            }
        }
    }
    // Written around the API: tell every reader the catalog changed, as a write through it does.
    app.state().cache.bump_catalog_version().await;
}

/// Several hundred list URLs over every filter, search, ordering and paging the lists take, valid
/// and not, and the category list, tree and details.
fn list_urls() -> Vec<String> {
    // Mostly names that exist, so most answers are pages; a few that don't (a 400, or an
    // empty page for `categories/{key}/products/`).
    let categories = [
        "", "", "", "home", "1", "garden", "lighting", "ferns", "kitchen", "3", "unknown", "99999",
    ];
    let brands = [
        "", "", "", "", "acme", "2", "initech", "globex", "nope", "424242",
    ];
    let prices = [
        "",
        "price_min=10",
        "price_max=25.00",
        "price_min=10&price_max=25",
    ];
    let orderings = [
        "",
        "price",
        "-price",
        "title",
        "-title",
        "-average_rating",
        "created_at,title",
        "-stock_quantity",
        "title,-price",
        "bogus",
        "average_rating,-created_at",
    ];
    // Words on many products (ties in rank), several words, a prefix, websearch syntax, none.
    let searches = [
        "apple",
        "APPLE",
        "cherry",
        "apple cherry",
        "cherry OR fig",
        "zest -apple",
        "app",
        "grape",
        "nothing",
        "?!",
    ];
    let pages = [
        "",
        "",
        "",
        "page_size=7&page=2",
        "page_size=3&page=2",
        "page_size=5&page=3",
        "page=9",
    ];
    // The category list, tree and detail come from the same snapshot.
    let mut urls: Vec<String> = [
        "categories/",
        "categories/?page=2&page_size=3",
        "categories/?page=4&page_size=3",
        "categories/?page=9",
        "categories/?tree=true",
        "categories/home/",
        "categories/3/",
        "categories/ferns/",
        "categories/unknown/",
        "categories/99999/",
        "products/search/?q=apple",
        "products/search/?q=cherry&ordering=-price&page_size=4&page=2",
        "products/search/?q=",
    ]
    .map(str::to_owned)
    .to_vec();
    // A fixed walk through the combinations (every choice is taken many times over).
    let mut state = 7u64;
    let mut pick = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    for _ in 0..600 {
        let mut pairs: Vec<String> = Vec::new();
        let category = categories[pick(categories.len())];
        let route = pick(6);
        for (name, value) in [
            ("brand", brands[pick(brands.len())]),
            ("ordering", orderings[pick(orderings.len())]),
        ] {
            if !value.is_empty() {
                pairs.push(format!("{name}={value}"));
            }
        }
        for value in [prices[pick(prices.len())], pages[pick(pages.len())]] {
            if !value.is_empty() {
                pairs.push(value.to_owned());
            }
        }
        if pick(2) == 0 {
            pairs.push("in_stock=true".into());
        }
        if pick(4) == 0 {
            pairs.push("is_featured=true".into());
        }
        if pick(3) == 0 {
            pairs.push(format!("search={}", searches[pick(searches.len())]));
        }
        let path = match route {
            0 if !category.is_empty() => format!("categories/{category}/products/"),
            1 => "products/featured/".to_owned(),
            2 => "products/latest/".to_owned(),
            _ => {
                if !category.is_empty() {
                    pairs.push(format!("category={category}"));
                }
                "products/".to_owned()
            }
        };
        urls.push(format!("{path}?{}", pairs.join("&")));
    }
    // Every search in every ordering, on a first and a later page: the walk's filters leave
    // most searches with nothing to list.
    for search in searches {
        for ordering in orderings {
            for page in ["", "&page_size=3&page=2"] {
                urls.push(format!(
                    "products/?search={search}&ordering={ordering}{page}"
                ));
            }
        }
    }
    urls
}

crate::api_test! {
    async fn the_index_answers_every_list_as_the_database_does(app: TestApp) {
        seed_catalog(&app).await;
        // The same database, read only through SQL: no index, no cache.
        let database = app
            .sibling(&[("PRODUCT_INDEX_ENABLED", "false"), ("CACHE_ENABLED", "false")])
            .await;
        let before = app.state().product_index.handed_out();
        let (mut compared, mut searches) = (0, 0);
        for url in list_urls() {
            let (status, body) = get_from(&app.address, &url).await;
            let (expected_status, expected) = get_from(&database, &url).await;
            assert_eq!(status, expected_status, "{url}");
            assert_eq!(body, expected, "{url}");
            if body["results"].as_array().is_some_and(|r| !r.is_empty()) {
                compared += 1;
                searches += usize::from(url.contains("search"));
            }
        }
        // The URLs are fixed, and many are pages with products on them.
        assert!(compared > 150, "only {compared} non-empty pages compared");
        assert!(searches > 100, "only {searches} non-empty search pages compared");
        let answered = app.state().product_index.handed_out() - before;
        assert!(answered > 500, "the index answered {answered} lists");
        // URLs the walk didn't ask for, so the response cache can't answer them.
        let before = app.state().product_index.handed_out();
        for url in ["categories/?page_size=4", "categories/?tree=true&page=1", "categories/kitchen/"] {
            assert_eq!(get_from(&app.address, url).await.0, 200, "{url}");
        }
        assert_eq!(
            app.state().product_index.handed_out() - before,
            3,
            "the categories came from the index"
        );
    }

    async fn a_search_is_answered_by_the_index(app: TestApp) {
        seed_catalog(&app).await;
        let before = app.state().product_index.handed_out();
        let (status, body) = get_from(&app.address, "products/?search=apple&ordering=price").await;
        assert_eq!(status, 200);
        assert!(body["count"].as_i64().unwrap() > 0);
        let (status, body) = get_from(&app.address, "products/?search=apple+cherry").await;
        assert_eq!(status, 200);
        // "apple" alone and "cherry" alone are different titles: none has both words.
        assert_eq!(body["count"], 0);
        assert_eq!(app.state().product_index.handed_out() - before, 2);
    }
}

/// With answers not cached at all, an edit through the API is in the very next list.
async fn edits_are_listed_at_once_without_the_cache(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[("CACHE_ENABLED", "false")]).await else {
        panic!("{POSTGRES_UNSET}");
    };
    let shop = Shop::new(&app).await;
    let category = shop.category("Desks", None).await;
    for (title, price) in [("Oak", "30.00"), ("Pine", "20.00"), ("Teak", "40.00")] {
        shop.product(&category, json!({"title": title, "price": price}))
            .await;
    }
    let titles = |body: Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let cheapest_first = "products/?ordering=price";
    let (_, body) = get_from(&app.address, cheapest_first).await;
    assert_eq!(titles(body), ["Pine", "Oak", "Teak"]);
    let (_, body) = get_from(&app.address, "products/?search=teak").await;
    assert_eq!(titles(body), ["Teak"]);

    let teak = "products/teak/";
    let edit = app
        .patch_as(teak, &shop.staff.token, &json!({"price": "10.00"}))
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    let (_, body) = get_from(&app.address, cheapest_first).await;
    assert_eq!(titles(body), ["Teak", "Pine", "Oak"]);

    let hidden = app
        .patch_as(teak, &shop.staff.token, &json!({"is_active": false}))
        .await;
    assert_eq!(hidden.status, 200);
    let (_, body) = get_from(&app.address, cheapest_first).await;
    assert_eq!(titles(body), ["Pine", "Oak"]);
    let (_, body) = get_from(&app.address, "products/?search=teak").await;
    assert_eq!(titles(body), Vec::<String>::new(), "searches follow too");

    let renamed = app
        .patch_as(
            "products/oak/",
            &shop.staff.token,
            &json!({"title": "Walnut"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let (_, body) = get_from(&app.address, "products/?search=walnut").await;
    assert_eq!(titles(body), ["Walnut"]);
    let (_, body) = get_from(&app.address, "products/?search=oak").await;
    assert_eq!(titles(body), Vec::<String>::new());
    let (_, desks) = get_from(&app.address, "categories/desks/").await;
    assert_eq!(desks["products_count"], 2, "the category counts follow too");
    assert!(
        app.state().product_index.handed_out() >= 3,
        "the lists came from the index"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_listed_at_once_without_the_cache_sqlite() {
    edits_are_listed_at_once_without_the_cache(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn edits_are_listed_at_once_without_the_cache_postgres() {
    edits_are_listed_at_once_without_the_cache(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_its_product_bound_the_index_steps_aside() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PRODUCT_INDEX_MAX_PRODUCTS", "10")])
        .await
        .unwrap();
    seed_catalog(&app).await;
    let (status, body) = get_from(&app.address, "products/?ordering=price").await;
    assert_eq!(status, 200);
    assert_eq!(
        body["count"], 54,
        "the database answered all the active products"
    );
    assert_eq!(app.state().product_index.handed_out(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
async fn two_instances_sharing_redis_list_an_edit_made_on_the_other_at_once() {
    let redis_url = test_redis_url();
    let prefix = format!("nexus-index-test-{}:", uuid::Uuid::new_v4().simple());
    // No answer is cached: what B lists comes from its own index.
    let settings = [
        ("REDIS_URL", redis_url.as_str()),
        ("CACHE_REDIS_PREFIX", prefix.as_str()),
        ("CACHE_ENABLED", "false"),
    ];
    let app = TestApp::spawn_shareable(&settings).await;
    let other = app.sibling(&settings).await;
    let shop = Shop::new(&app).await;
    let category = shop.category("Desks", None).await;
    shop.product(&category, json!({"title": "Desk"})).await;
    let (_, body) = get_from(&other, "products/").await;
    assert_eq!(body["results"][0]["title"], "Desk");
    let (_, body) = get_from(&other, "products/?search=standing").await;
    assert_eq!(body["count"], 0);

    let edit = app
        .patch_as(
            "products/desk/",
            &shop.staff.token,
            &json!({"title": "Standing desk"}),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    let (_, body) = get_from(&other, "products/").await;
    assert_eq!(
        body["results"][0]["title"], "Standing desk",
        "the edit on A is in B's next list"
    );
    let (_, body) = get_from(&other, "products/?search=standing").await;
    assert_eq!(body["count"], 1, "and in B's next search");
}
