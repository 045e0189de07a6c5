//! The products section: the list (inactive products too, search, filters, paging), the product
//! form (create, edit, delete), images (upload, reorder, delete) and stock adjustments, each
//! seen through the API afterwards.

mod images;
mod stock;

use reqwest::StatusCode;
use serde_json::json;

use super::{browser::Page, Browser};
use crate::{
    api_test,
    catalog::Shop,
    fixtures::count_rows,
    helpers::{TestApp, TestUser},
};

/// A staff member signed in to the dashboard.
pub async fn signed_in(app: &TestApp) -> (TestUser, Browser<'_>) {
    let staff = app.create_staff().await;
    let mut browser = Browser::new(app);
    browser.sign_in(&staff.email).await;
    (staff, browser)
}

/// The session's CSRF token (the sign-out form in the menu carries it on every page).
pub async fn csrf(browser: &mut Browser<'_>) -> String {
    browser.get("/dashboard/products/").await.csrf_token()
}

fn ok(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
}

/// The product's id in a redirect to its page.
fn product_in(location: &str) -> i64 {
    location
        .strip_prefix("/dashboard/products/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a product page: {location}"))
}

api_test! {
    async fn the_list_shows_inactive_products_too_and_its_filters_narrow_it(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let chairs = shop.category("Chairs", None).await;
        let acme = shop.brand("Acme").await;
        shop.product(&lamps, json!({"title": "Desk lamp", "brand": acme["id"], "stock_quantity": 40})).await;
        shop.product(&lamps, json!({"title": "Floor lamp", "is_active": false, "stock_quantity": 2})).await;
        shop.product(&chairs, json!({"title": "Office chair", "is_featured": true, "stock_quantity": 30})).await;
        let (_, mut browser) = signed_in(&app).await;

        let all = browser.get("/dashboard/products/").await;
        ok(&all);
        for title in ["Desk lamp", "Floor lamp", "Office chair"] {
            assert!(all.text.contains(title), "{title}: {}", all.text);
        }
        assert!(all.text.contains("<h1>Products</h1>"));
        assert!(all.text.contains(r#"<a class="button" href="/dashboard/products/new/">New product</a>"#));
        assert!(all.text.contains(r#"<span class="badge bad">Inactive</span>"#));
        assert!(all.text.contains(r#"<span class="badge">Featured</span>"#));
        assert!(all.text.contains(r#"href="/dashboard/products/" aria-current="page""#));

        let titles = |page: &Page| -> Vec<&str> {
            ["Desk lamp", "Floor lamp", "Office chair"]
                .into_iter()
                .filter(|title| page.text.contains(&format!(">{title}</a>")))
                .collect()
        };
        let search = browser.get("/dashboard/products/?search=lamp").await;
        assert_eq!(titles(&search), ["Desk lamp", "Floor lamp"]);
        assert!(search.text.contains(r#"value="lamp""#), "the search is kept in its box");
        let inactive = browser.get("/dashboard/products/?is_active=false").await;
        assert_eq!(titles(&inactive), ["Floor lamp"]);
        let active = browser.get("/dashboard/products/?is_active=true").await;
        assert_eq!(titles(&active), ["Desk lamp", "Office chair"]);
        let by_category = browser.get(&format!("/dashboard/products/?category={}", chairs["id"])).await;
        assert_eq!(titles(&by_category), ["Office chair"]);
        let by_brand = browser.get(&format!("/dashboard/products/?brand={}", acme["id"])).await;
        assert_eq!(titles(&by_brand), ["Desk lamp"]);
        let low = browser.get("/dashboard/products/?low_stock=on").await;
        assert_eq!(titles(&low), ["Floor lamp"]);
        let none = browser.get("/dashboard/products/?search=trampoline").await;
        ok(&none);
        assert!(none.text.contains("No products match these filters."));
    }

    async fn the_list_is_paged_as_the_api_pages_with_the_filters_kept(app: TestApp) {
        for _ in 0..21 {
            app.product().inactive().create().await;
        }
        let (_, mut browser) = signed_in(&app).await;
        let first = browser.get("/dashboard/products/?is_active=false").await;
        ok(&first);
        assert_eq!(first.text.matches("<tr>").count(), 21, "a header row and 20 products");
        assert!(first.text.contains("21 products"));
        assert!(first.text.contains("Page 1 of 2"));
        assert!(first.text.contains(r#"href="?is_active=false&amp;page=2""#), "{}", first.text);
        let second = browser.get("/dashboard/products/?is_active=false&page=2").await;
        ok(&second);
        assert_eq!(second.text.matches("<tr>").count(), 2);
        let past = browser.get("/dashboard/products/?page=9").await;
        assert_eq!(past.status, StatusCode::NOT_FOUND);
    }

    async fn an_empty_shop_says_so(app: TestApp) {
        let (_, mut browser) = signed_in(&app).await;
        let page = browser.get("/dashboard/products/").await;
        ok(&page);
        assert!(page.text.contains("No products yet."));
        assert!(!page.text.contains("<table>"));
    }

    async fn a_product_created_with_the_form_is_the_apis(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let (staff, mut browser) = signed_in(&app).await;
        let form = browser.get("/dashboard/products/new/").await;
        ok(&form);
        assert!(form.text.contains(&format!(r#"<option value="{}">Lamps</option>"#, lamps["id"])));
        assert!(form.text.contains(r#"<option value="">No brand</option>"#));
        assert!(form.text.contains(r#"name="price" type="text" value="" required inputmode="decimal">"#));
        let token = form.csrf_token();
        let category = lamps["id"].to_string();
        let created = browser
            .post_form(
                "/dashboard/products/new/",
                &[
                    ("csrf_token", &token),
                    ("title", "Brass lamp"),
                    ("slug", ""),
                    ("description", "Warm light"),
                    ("price", "49.90"),
                    ("category", &category),
                    ("brand", ""),
                    ("stock_quantity", "7"),
                    ("is_featured", "on"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
        let id = product_in(created.location());
        assert!(created.location().ends_with("/?created=1"));
        let page = browser.get(created.location()).await;
        ok(&page);
        assert!(page.text.contains("The product was created."));

        let product = app.get_as(&format!("products/{id}/"), &staff.token).await;
        assert_eq!(product.status, StatusCode::OK);
        let body = &product.body;
        assert_eq!(body["title"], "Brass lamp");
        assert_eq!(body["slug"], "brass-lamp");
        assert_eq!(body["price"], "49.90");
        assert_eq!(body["category"], lamps["id"]);
        assert_eq!(body["brand"], serde_json::Value::Null);
        assert_eq!(body["stock_quantity"], 7);
        assert_eq!(body["is_active"], false, "an unticked box is false");
        assert_eq!(body["is_featured"], true);
        let movements = app.get_as(&format!("products/{id}/stock/"), &staff.token).await;
        assert_eq!(movements.body["results"][0]["reason"], "initial");
        assert_eq!(movements.body["results"][0]["delta"], 7);
    }

    async fn a_failed_create_keeps_what_was_typed_and_writes_nothing(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let (_, mut browser) = signed_in(&app).await;
        let token = csrf(&mut browser).await;
        let category = lamps["id"].to_string();
        let refused = browser
            .post_form(
                "/dashboard/products/new/",
                &[
                    ("csrf_token", &token),
                    ("title", " "),
                    ("description", "Typed <b>text</b>"),
                    ("price", "0"),
                    ("category", &category),
                    ("stock_quantity", "3"),
                    ("is_featured", "on"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(refused.text.contains(r#"<span class="field-error" id="title-error">This field may not be blank.</span>"#), "{}", refused.text);
        assert!(refused.text.contains("Price must be greater than 0."));
        assert!(refused.text.contains(">Typed &lt;b&gt;text&lt;"), "typed, escaped");
        assert!(refused.text.contains(&format!(r#"<option value="{category}" selected>"#)));
        assert!(refused.text.contains(r#"name="stock_quantity" type="number" value="3""#));
        assert!(refused.text.contains(r#"name="is_featured" type="checkbox" value="on" checked"#));
        assert!(!refused.text.contains(r#"name="is_active" type="checkbox" value="on" checked"#));
        assert_eq!(count_rows(&app, "products").await, 0);
    }

    async fn editing_saves_through_the_catalog_and_leaves_stock_alone(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let acme = shop.brand("Acme").await;
        let product = shop.product(&lamps, json!({"title": "Lamp", "stock_quantity": 5, "brand": acme["id"]})).await;
        let id = product["id"].as_i64().unwrap();
        let (staff, mut browser) = signed_in(&app).await;
        let page = browser.get(&format!("/dashboard/products/{id}/")).await;
        ok(&page);
        assert!(page.text.contains("<h1>Lamp</h1>"));
        assert!(page.text.contains(&format!(r#"<option value="{}" selected>Acme</option>"#, acme["id"])));
        assert!(!page.text.contains(r#"name="stock_quantity""#), "stock changes with a reason");
        let token = page.csrf_token();
        let category = lamps["id"].to_string();
        let saved = browser
            .post_form(
                &format!("/dashboard/products/{id}/"),
                &[
                    ("csrf_token", &token),
                    ("title", "Reading lamp"),
                    ("slug", "reading-lamp"),
                    ("description", ""),
                    ("price", "12.50"),
                    ("category", &category),
                    ("brand", ""),
                    ("is_active", "on"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
        assert_eq!(saved.location(), format!("/dashboard/products/{id}/?saved=1"));
        let body = app.get_as(&format!("products/{id}/"), &staff.token).await.body;
        assert_eq!(body["title"], "Reading lamp");
        assert_eq!(body["price"], "12.50");
        assert_eq!(body["brand"], serde_json::Value::Null);
        assert_eq!(body["stock_quantity"], 5);

        let refused = browser
            .post_form(
                &format!("/dashboard/products/{id}/"),
                &[("csrf_token", &token), ("title", "Typed title"), ("price", "cheap"), ("category", &category)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.text.contains(r#"value="Typed title""#));
        assert!(refused.text.contains(r#"id="price-error""#));
        let body = app.get_as(&format!("products/{id}/"), &staff.token).await.body;
        assert_eq!(body["title"], "Reading lamp");
    }

    async fn a_dashboard_edit_reaches_the_apis_cached_reads_at_once(app: TestApp) {
        let product = app.product().title("Old name").create().await;
        let detail = format!("products/{product}/");
        assert_eq!(app.get(&detail).await.body["title"], "Old name");
        let cached = app.get(&detail).await;
        assert_eq!(cached.headers.get("x-cache").unwrap(), "HIT");
        let (staff, mut browser) = signed_in(&app).await;
        let category = app.get_as(&detail, &staff.token).await.body["category"].to_string();
        let token = csrf(&mut browser).await;
        let saved = browser
            .post_form(
                &format!("/dashboard/products/{product}/"),
                &[("csrf_token", &token), ("title", "New name"), ("price", "10.00"), ("category", &category), ("is_active", "on")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
        assert_eq!(app.get(&detail).await.body["title"], "New name");
    }

    async fn deleting_a_product_removes_it(app: TestApp) {
        let product = app.product().create().await;
        let (staff, mut browser) = signed_in(&app).await;
        let token = csrf(&mut browser).await;
        let deleted = browser
            .post_form(&format!("/dashboard/products/{product}/delete/"), &[("csrf_token", &token)])
            .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert_eq!(deleted.location(), "/dashboard/products/?deleted=1");
        let gone = app.get_as(&format!("products/{product}/"), &staff.token).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(browser.get(deleted.location()).await.text.contains("The product was deleted."));
    }

    async fn forms_without_the_csrf_token_are_refused_and_change_nothing(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let product = app.product().create().await;
        let (_, mut browser) = signed_in(&app).await;
        let category = lamps["id"].to_string();
        let create = browser
            .post_form(
                "/dashboard/products/new/",
                &[("title", "Forged"), ("price", "1.00"), ("category", &category)],
            )
            .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        assert_eq!(count_rows(&app, "products").await, 1);
        let edit = browser
            .post_form(
                &format!("/dashboard/products/{product}/"),
                &[("csrf_token", "wrong"), ("title", "Forged"), ("price", "1.00"), ("category", &category)],
            )
            .await;
        assert_eq!(edit.status, StatusCode::FORBIDDEN);
        let delete = browser.post_form(&format!("/dashboard/products/{product}/delete/"), &[]).await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN);
        assert_eq!(count_rows(&app, "products").await, 1);
        let page = browser.get(&format!("/dashboard/products/{product}/")).await;
        assert!(!page.text.contains("Forged"));
    }

    async fn an_unknown_product_is_the_404_page(app: TestApp) {
        let (_, mut browser) = signed_in(&app).await;
        for path in ["/dashboard/products/999999/", "/dashboard/products/abc/"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text.contains("<h1>Not found</h1>"), "{path}");
        }
        let token = csrf(&mut browser).await;
        let stock = browser
            .post_form("/dashboard/products/999999/stock/", &[("csrf_token", &token), ("delta", "1"), ("reason", "x")])
            .await;
        assert_eq!(stock.status, StatusCode::NOT_FOUND);
    }

    async fn a_title_with_markup_is_shown_as_text(app: TestApp) {
        let product = app.product().title("<script>alert(1)</script>").create().await;
        let (_, mut browser) = signed_in(&app).await;
        for path in ["/dashboard/products/".to_owned(), format!("/dashboard/products/{product}/")] {
            let page = browser.get(&path).await;
            ok(&page);
            assert!(page.text.contains("&lt;script&gt;alert(1)&lt;"), "{path}");
            assert!(!page.text.contains("<script>alert"), "{path}");
        }
    }
}
