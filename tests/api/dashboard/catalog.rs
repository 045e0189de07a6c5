//! Categories and brands: the tree, create, move (the parent picker), edit, delete, through the
//! catalog's own services, seen through the API.

use reqwest::StatusCode;
use serde_json::json;

use super::Browser;
use crate::{api_test, helpers::TestApp, helpers::TestUser};

/// Creates a category through the API; returns its id.
async fn category(app: &TestApp, staff: &TestUser, name: &str, parent: Option<i64>) -> i64 {
    let created = app
        .post_as(
            "categories/",
            &staff.token,
            &json!({"name": name, "parent": parent}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_i64().unwrap()
}

/// A signed-in browser for `staff`.
async fn signed_in<'a>(app: &'a TestApp, staff: &TestUser) -> Browser<'a> {
    let mut browser = Browser::new(app);
    browser.sign_in(&staff.email).await;
    browser
}

api_test! {
    async fn the_category_tree_shows_parents_with_their_children_indented(app: TestApp) {
        let staff = app.create_staff().await;
        let home = category(&app, &staff, "Home", None).await;
        let lamps = category(&app, &staff, "Lamps", Some(home)).await;
        category(&app, &staff, "Desk lamps", Some(lamps)).await;
        category(&app, &staff, "Garden", None).await;
        let lamp = app.product().create().await;
        let moved = app.patch_as(&format!("products/{lamp}/"), &staff.token, &json!({"category": lamps})).await;
        assert_eq!(moved.status, 200, "{}", moved.text);

        let mut browser = signed_in(&app, &staff).await;
        let page = browser.get("/dashboard/categories/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("<h1>Categories</h1>"));
        assert!(page.text.contains(r#"href="/dashboard/categories/new/""#), "a New category link");
        let at = |name: &str| page.text.find(&format!(">{name}</a>")).unwrap_or_else(|| panic!("{name} listed"));
        assert!(at("Garden") < at("Home") && at("Home") < at("Lamps") && at("Lamps") < at("Desk lamps"), "roots by name, parents before children");
        assert!(page.text.contains(&format!(r#"<td class="depth-0"><a href="/dashboard/categories/{home}/">Home</a>"#)), "{}", page.text);
        assert!(page.text.contains(&format!(r#"class="depth-1"><span class="muted" aria-hidden="true">&#8627; </span><a href="/dashboard/categories/{lamps}/">Lamps</a>"#)));
        assert!(page.text.contains(r#"class="depth-2">"#));
        let row_of = |id: i64| {
            let start = page.text.find(&format!(r#"<a href="/dashboard/categories/{id}/">"#)).unwrap();
            &page.text[start..start + page.text[start..].find("</tr>").unwrap()]
        };
        assert!(row_of(home).contains(r#"<td class="num">1</td>"#), "a parent counts its subcategories' products");
        assert!(row_of(lamps).contains(r#"<td class="num">1</td>"#));
        assert!(page.text.contains(r#"aria-current="page""#) && page.text.contains(r#"href="/dashboard/categories/" aria-current="page""#), "the menu marks the section");
    }

    async fn an_empty_catalog_says_it_has_no_categories_or_brands(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = signed_in(&app, &staff).await;
        assert!(browser.get("/dashboard/categories/").await.text.contains("No categories yet."));
        assert!(browser.get("/dashboard/brands/").await.text.contains("No brands yet."));
    }

    async fn a_category_created_through_the_form_is_in_the_api_under_its_parent(app: TestApp) {
        let staff = app.create_staff().await;
        let home = category(&app, &staff, "Home", None).await;
        let mut browser = signed_in(&app, &staff).await;
        let form = browser.get(&format!("/dashboard/categories/new/?parent={home}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text.contains(&format!(r#"<option value="{home}" selected>Home</option>"#)), "{}", form.text);
        let parent = home.to_string();
        let created = browser
            .post_form("/dashboard/categories/new/", &[
                ("csrf_token", &form.csrf_token()), ("name", "Rugs & Mats"), ("slug", ""),
                ("description", "Soft things"), ("parent", &parent),
            ])
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
        let id: i64 = created.location()
            .strip_prefix("/dashboard/categories/").unwrap()
            .strip_suffix("/?saved=1").unwrap().parse().unwrap();
        let api = app.get(&format!("categories/{id}/")).await.body;
        assert_eq!(api["name"], "Rugs & Mats");
        assert_eq!(api["slug"], "rugs-mats");
        assert_eq!(api["description"], "Soft things");
        assert_eq!(api["parent"], home);
        let saved = browser.get(created.location()).await;
        assert!(saved.text.contains("Saved."));
        assert!(saved.text.contains(r#"value="Rugs &amp; Mats""#), "escaped in the form");
    }

    async fn a_move_that_would_make_a_cycle_is_refused_on_the_parent_field_and_changes_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        let home = category(&app, &staff, "Home", None).await;
        let lamps = category(&app, &staff, "Lamps", Some(home)).await;
        let mut browser = signed_in(&app, &staff).await;
        let form = browser.get(&format!("/dashboard/categories/{home}/")).await;
        assert!(!form.text.contains(&format!(r#"<option value="{home}""#)), "not its own parent");
        let child = lamps.to_string();
        let refused = browser
            .post_form(&format!("/dashboard/categories/{home}/"), &[
                ("csrf_token", &form.csrf_token()), ("name", "Home renamed"), ("slug", ""),
                ("description", ""), ("parent", &child),
            ])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(refused.text.contains(r#"<span class="field-error" id="parent-error">A category cannot be its own ancestor.</span>"#), "{}", refused.text);
        assert!(refused.text.contains(r#"value="Home renamed""#), "the values as typed");
        assert!(refused.text.contains(&format!(r#"<option value="{lamps}" selected>"#)));
        let api = app.get(&format!("categories/{home}/")).await.body;
        assert_eq!(api["name"], "Home");
        assert_eq!(api["parent"], serde_json::Value::Null);

        // A real move works, and a blank parent makes a root again.
        let garden = category(&app, &staff, "Garden", None).await;
        let moved = browser
            .post_form(&format!("/dashboard/categories/{lamps}/"), &[
                ("csrf_token", &form.csrf_token()), ("name", "Lamps"), ("slug", ""),
                ("description", ""), ("parent", &garden.to_string()),
            ])
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
        assert_eq!(app.get(&format!("categories/{lamps}/")).await.body["parent"], garden);
        browser
            .post_form(&format!("/dashboard/categories/{lamps}/"), &[
                ("csrf_token", &form.csrf_token()), ("name", "Lamps"), ("slug", ""),
                ("description", ""), ("parent", ""),
            ])
            .await;
        assert_eq!(app.get(&format!("categories/{lamps}/")).await.body["parent"], serde_json::Value::Null);
    }

    async fn a_failed_category_save_keeps_what_was_typed_and_writes_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        category(&app, &staff, "Taken", None).await;
        let mut browser = signed_in(&app, &staff).await;
        let form = browser.get("/dashboard/categories/new/").await;
        let refused = browser
            .post_form("/dashboard/categories/new/", &[
                ("csrf_token", &form.csrf_token()), ("name", "  "), ("slug", "taken"),
                ("description", "<b>kept</b>"), ("parent", ""),
            ])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(refused.text.contains(r#"id="name-error">This field may not be blank.</span>"#), "{}", refused.text);
        assert!(refused.text.contains(">&lt;b&gt;kept&lt;"), "typed and escaped: {}", refused.text);
        assert_eq!(app.get("categories/").await.body["count"], 1);
    }

    async fn deleting_a_category_asks_first_and_refuses_one_with_children(app: TestApp) {
        let staff = app.create_staff().await;
        let home = category(&app, &staff, "Home", None).await;
        let lamps = category(&app, &staff, "Lamps", Some(home)).await;
        let mut browser = signed_in(&app, &staff).await;
        let confirm = browser.get(&format!("/dashboard/categories/{home}/delete/")).await;
        assert!(confirm.text.contains("Delete the category Home?"));
        let refused = browser
            .post_form(&format!("/dashboard/categories/{home}/delete/"), &[("csrf_token", &confirm.csrf_token())])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.text.contains("This category still has products or subcategories"), "{}", refused.text);
        let done = browser
            .post_form(&format!("/dashboard/categories/{lamps}/delete/"), &[("csrf_token", &confirm.csrf_token())])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(done.location(), "/dashboard/categories/?deleted=1");
        assert_eq!(app.get(&format!("categories/{lamps}/")).await.status, 404);
    }

    async fn category_and_brand_forms_without_the_csrf_token_are_refused_and_change_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        let home = category(&app, &staff, "Home", None).await;
        let mut browser = signed_in(&app, &staff).await;
        for (path, fields) in [
            ("/dashboard/categories/new/".to_owned(), vec![("name", "Sneaky")]),
            (format!("/dashboard/categories/{home}/"), vec![("name", "Sneaky")]),
            (format!("/dashboard/categories/{home}/delete/"), vec![]),
            ("/dashboard/brands/new/".to_owned(), vec![("name", "Sneaky")]),
        ] {
            let refused = browser.post_form(&path, &fields).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(app.get(&format!("categories/{home}/")).await.body["name"], "Home");
        assert_eq!(app.get("categories/").await.body["count"], 1);
        assert_eq!(app.get("brands/").await.body["count"], 0);
    }

    async fn unknown_category_and_brand_ids_are_the_404_page(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = signed_in(&app, &staff).await;
        for path in ["/dashboard/categories/999999/", "/dashboard/categories/abc/", "/dashboard/brands/999999/", "/dashboard/categories/999999/delete/"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text.contains("<h1>Not found</h1>"), "{path}");
        }
        let form = browser.get("/dashboard/categories/new/").await;
        let posted = browser
            .post_form("/dashboard/categories/999999/", &[("csrf_token", &form.csrf_token()), ("name", "X")])
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);
    }

    async fn brands_are_created_edited_and_listed_with_names_escaped(app: TestApp) {
        let staff = app.create_staff().await;
        let mut browser = signed_in(&app, &staff).await;
        let form = browser.get("/dashboard/brands/new/").await;
        assert_eq!(form.status, StatusCode::OK);
        let created = browser
            .post_form("/dashboard/brands/new/", &[
                ("csrf_token", &form.csrf_token()), ("name", "<script>Acme</script>"),
                ("slug", "acme"), ("description", "Anvils"),
            ])
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
        let api = app.get("brands/acme/").await.body;
        assert_eq!(api["name"], "<script>Acme</script>");
        let id = api["id"].as_i64().unwrap();
        assert_eq!(created.location(), format!("/dashboard/brands/{id}/?saved=1"));

        let list = browser.get("/dashboard/brands/").await;
        assert!(list.text.contains("&lt;script&gt;Acme&lt;"), "{}", list.text);
        assert!(!list.text.contains("<script>Acme"), "user text escaped");

        let edited = browser
            .post_form(&format!("/dashboard/brands/{id}/"), &[
                ("csrf_token", &form.csrf_token()), ("name", "Acme Corp"), ("slug", "acme-corp"),
                ("description", "Anvils and more"),
            ])
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER);
        let api = app.get(&format!("brands/{id}/")).await.body;
        assert_eq!((api["name"].as_str(), api["slug"].as_str()), (Some("Acme Corp"), Some("acme-corp")));
        assert!(browser.get(edited.location()).await.text.contains("Saved."));
    }

    async fn a_failed_brand_save_shows_the_apis_error_and_keeps_what_was_typed(app: TestApp) {
        let staff = app.create_staff().await;
        let taken = app.post_as("brands/", &staff.token, &json!({"name": "Acme", "slug": "acme"})).await;
        assert_eq!(taken.status, 201);
        let mut browser = signed_in(&app, &staff).await;
        let form = browser.get("/dashboard/brands/new/").await;
        let refused = browser
            .post_form("/dashboard/brands/new/", &[
                ("csrf_token", &form.csrf_token()), ("name", "Other"), ("slug", "acme"),
                ("description", "typed"),
            ])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(refused.text.contains(r#"id="slug-error">brand with this slug already exists.</span>"#), "{}", refused.text);
        assert!(refused.text.contains(r#"value="Other""#) && refused.text.contains(">typed</textarea>"));
        assert_eq!(app.get("brands/").await.body["count"], 1);
    }

    async fn the_brand_list_is_paged_like_the_api(app: TestApp) {
        let staff = app.create_staff().await;
        for n in 0..21 {
            let made = app.post_as("brands/", &staff.token, &json!({"name": format!("Brand {n:02}")})).await;
            assert_eq!(made.status, 201);
        }
        let mut browser = signed_in(&app, &staff).await;
        let first = browser.get("/dashboard/brands/").await;
        assert!(first.text.contains("Brand 19") && !first.text.contains("Brand 20"));
        assert!(first.text.contains("Page 1 of 2") && first.text.contains(r#"href="?page=2""#), "{}", first.text);
        let second = browser.get("/dashboard/brands/?page=2").await;
        assert!(second.text.contains("Brand 20") && !second.text.contains("Brand 19"));
        assert_eq!(browser.get("/dashboard/brands/?page=9").await.status, StatusCode::NOT_FOUND);
    }
}
