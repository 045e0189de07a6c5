//! Categories: hierarchy, slugs, counts, tree, guarded delete and permissions.

use serde_json::json;

use super::{assert_key_order, column, titles, Shop};
use crate::{api_test, helpers::TestApp};

/// `categories/`'s first page as (name, `products_count`) pairs, in the page's order.
async fn counts_by_name(app: &TestApp) -> Vec<(String, i64)> {
    let page = app.get("categories/").await;
    page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["products_count"].as_i64().unwrap(),
            )
        })
        .collect()
}

api_test! {
    async fn staff_create_a_category_with_a_generated_slug(app: TestApp) {
        let shop = Shop::new(&app).await;
        let response = app
            .post_as(
                "categories/",
                &shop.staff.token,
                &json!({"name": "Home & Garden", "description": "d"}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let body = &response.body;
        assert_eq!(body["name"], "Home & Garden");
        assert_eq!(body["slug"], "home-garden");
        assert_eq!(body["description"], "d");
        assert_eq!(body["parent"], serde_json::Value::Null);
        assert_eq!(body["products_count"], 0);
        assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
        assert_key_order(
            &response.text,
            &[
                "id",
                "name",
                "slug",
                "description",
                "parent",
                "products_count",
                "created_at",
            ],
        );
    }

    async fn a_repeated_name_gets_a_numbered_slug(app: TestApp) {
        let shop = Shop::new(&app).await;
        assert_eq!(shop.category("Lamps", None).await["slug"], "lamps");
        assert_eq!(shop.category("Lamps", None).await["slug"], "lamps-2");
        assert_eq!(shop.category("lamps!", None).await["slug"], "lamps-3");
    }

    async fn a_given_slug_must_be_valid_and_unique(app: TestApp) {
        let shop = Shop::new(&app).await;
        shop.category("Lamps", None).await;
        let response = app
            .post_as(
                "categories/",
                &shop.staff.token,
                &json!({"name": "Other", "slug": "lamps"}),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"slug": ["category with this slug already exists."]})
        );
        let response = app
            .post_as(
                "categories/",
                &shop.staff.token,
                &json!({"name": "Other", "slug": "no spaces"}),
            )
            .await;
        assert_eq!(response.status, 400);
        assert!(response.body["slug"][0]
            .as_str()
            .unwrap()
            .contains("valid “slug”"));
    }

    async fn a_name_is_required_and_not_blank(app: TestApp) {
        let shop = Shop::new(&app).await;
        let response = app
            .post_as("categories/", &shop.staff.token, &json!({}))
            .await;
        assert_eq!(response.body, json!({"name": ["This field is required."]}));
        let response = app
            .post_as("categories/", &shop.staff.token, &json!({"name": "  "}))
            .await;
        assert_eq!(
            response.body,
            json!({"name": ["This field may not be blank."]})
        );
    }

    async fn the_parent_must_exist(app: TestApp) {
        let shop = Shop::new(&app).await;
        let response = app
            .post_as(
                "categories/",
                &shop.staff.token,
                &json!({"name": "Kids", "parent": 999}),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"parent": ["Invalid pk \"999\" - object does not exist."]})
        );
    }

    async fn anyone_reads_categories_by_id_or_slug(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let by_id = app.get(&format!("categories/{}/", lamps["id"])).await;
        assert_eq!(by_id.status, 200);
        assert_eq!(by_id.body, lamps);
        assert_eq!(app.get("categories/lamps/").await.body, lamps);
        let missing = app.get("categories/nope/").await;
        assert_eq!(missing.status, 404);
        assert_eq!(
            missing.body,
            json!({"detail": "Not found.", "code": "not_found"})
        );
    }

    async fn the_list_is_paginated_and_ordered_by_name(app: TestApp) {
        let shop = Shop::new(&app).await;
        for name in ["beta", "Alpha", "gamma"] {
            shop.category(name, None).await;
        }
        let page = app.get("categories/?page_size=2").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["count"], 3);
        assert_eq!(column(&page.body, "name"), [json!("Alpha"), json!("beta")]);
        assert!(page.body["next"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/categories/?page=2&page_size=2"));
        let last = app.get("categories/?page_size=2&page=2").await;
        assert_eq!(column(&last.body, "name"), [json!("gamma")]);
        assert_eq!(app.get("categories/?page=3&page_size=2").await.status, 404);
    }

    async fn products_count_covers_active_products_in_descendants(app: TestApp) {
        let shop = Shop::new(&app).await;
        let root = shop.category("Electronics", None).await;
        let child = shop.category("Audio", root["id"].as_i64()).await;
        let grandchild = shop.category("Headphones", child["id"].as_i64()).await;
        shop.product(&root, json!({"title": "TV"})).await;
        shop.product(&grandchild, json!({"title": "Buds"})).await;
        shop.product(
            &grandchild,
            json!({"title": "Old buds", "is_active": false}),
        )
        .await;
        assert_eq!(
            counts_by_name(&app).await,
            [
                ("Audio".to_owned(), 1),
                ("Electronics".to_owned(), 2),
                ("Headphones".to_owned(), 1)
            ]
        );
        assert_eq!(
            app.get(&format!("categories/{}/", root["id"])).await.body["products_count"],
            2
        );
    }

    async fn products_count_follows_products_moved_deactivated_and_deleted(app: TestApp) {
        // The counts are kept by triggers as products change (migration 20), not counted on read.
        let shop = Shop::new(&app).await;
        let root = shop.category("Electronics", None).await;
        let audio = shop.category("Audio", root["id"].as_i64()).await;
        let books = shop.category("Books", None).await;
        let buds = shop.product(&audio, json!({"title": "Buds"})).await;
        let tv = shop.product(&root, json!({"title": "TV"})).await;
        let counts = || counts_by_name(&app);
        let expect = |audio: i64, books: i64, electronics: i64| {
            vec![
                ("Audio".to_owned(), audio),
                ("Books".to_owned(), books),
                ("Electronics".to_owned(), electronics),
            ]
        };
        assert_eq!(counts().await, expect(1, 0, 2));

        let buds_path = format!("products/{}/", buds["id"]);
        let moved = app
            .patch_as(&buds_path, &shop.staff.token, &json!({"category": books["id"]}))
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text);
        assert_eq!(counts().await, expect(0, 1, 1));

        let off = json!({"is_active": false});
        assert_eq!(app.patch_as(&buds_path, &shop.staff.token, &off).await.status, 200);
        assert_eq!(counts().await, expect(0, 0, 1));
        // Deactivating twice changes nothing.
        assert_eq!(app.patch_as(&buds_path, &shop.staff.token, &off).await.status, 200);
        assert_eq!(counts().await, expect(0, 0, 1));
        // Moving an inactive product moves no count.
        let to_audio = json!({"category": audio["id"]});
        assert_eq!(app.patch_as(&buds_path, &shop.staff.token, &to_audio).await.status, 200);
        assert_eq!(counts().await, expect(0, 0, 1));
        let on = json!({"is_active": true});
        assert_eq!(app.patch_as(&buds_path, &shop.staff.token, &on).await.status, 200);
        assert_eq!(counts().await, expect(1, 0, 2));

        let tv_path = format!("products/{}/", tv["id"]);
        assert_eq!(app.delete_as(&tv_path, &shop.staff.token).await.status, 204);
        assert_eq!(counts().await, expect(1, 0, 1));
        let tree = app.get("categories/?tree=true").await;
        let electronics = &tree.body.as_array().unwrap()[1];
        assert_eq!(electronics["products_count"], 1);
        assert_eq!(electronics["children"][0]["products_count"], 1);
    }

    async fn tree_returns_roots_with_nested_children(app: TestApp) {
        let shop = Shop::new(&app).await;
        let root = shop.category("Electronics", None).await;
        let audio = shop.category("Audio", root["id"].as_i64()).await;
        shop.category("Cameras", root["id"].as_i64()).await;
        shop.category("Books", None).await;
        shop.product(&audio, json!({})).await;
        let tree = app.get("categories/?tree=true").await;
        assert_eq!(tree.status, 200);
        let roots = tree.body.as_array().expect("a bare list");
        assert_eq!(
            roots.iter().map(|r| r["name"].clone()).collect::<Vec<_>>(),
            [json!("Books"), json!("Electronics")]
        );
        assert_eq!(roots[0]["children"], json!([]));
        let electronics = &roots[1];
        assert_eq!(electronics["products_count"], 1);
        let children: Vec<_> = electronics["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].clone())
            .collect();
        assert_eq!(children, [json!("Audio"), json!("Cameras")]);
        assert_eq!(electronics["children"][0]["children"], json!([]));
        assert_eq!(electronics["children"][0]["parent"], root["id"]);
    }

    async fn a_category_cannot_become_its_own_parent_or_ancestor(app: TestApp) {
        let shop = Shop::new(&app).await;
        let a = shop.category("A", None).await;
        let b = shop.category("B", a["id"].as_i64()).await;
        let c = shop.category("C", b["id"].as_i64()).await;
        let own = app
            .patch_as(
                &format!("categories/{}/", a["id"]),
                &shop.staff.token,
                &json!({"parent": a["id"]}),
            )
            .await;
        assert_eq!(own.status, 400);
        assert_eq!(
            own.body,
            json!({"parent": ["A category cannot be its own parent."]})
        );
        let cycle = app
            .patch_as(
                &format!("categories/{}/", a["id"]),
                &shop.staff.token,
                &json!({"parent": c["id"]}),
            )
            .await;
        assert_eq!(cycle.status, 400);
        assert_eq!(
            cycle.body,
            json!({"parent": ["A category cannot be its own ancestor."]})
        );
        // Nothing changed, and a legal move still works.
        assert_eq!(
            app.get(&format!("categories/{}/", a["id"])).await.body["parent"],
            json!(null)
        );
        let moved = app
            .patch_as(
                &format!("categories/{}/", c["id"]),
                &shop.staff.token,
                &json!({"parent": a["id"]}),
            )
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text);
        assert_eq!(moved.body["parent"], a["id"]);
        let root = app
            .patch_as(
                &format!("categories/{}/", b["id"]),
                &shop.staff.token,
                &json!({"parent": null}),
            )
            .await;
        assert_eq!(root.body["parent"], json!(null));
    }

    async fn put_replaces_and_patch_changes_some_fields(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let path = format!("categories/{}/", lamps["id"]);
        let put = app
            .put_as(&path, &shop.staff.token, &json!({"description": "x"}))
            .await;
        assert_eq!(put.body, json!({"name": ["This field is required."]}));
        let put = app
            .put_as(
                &path,
                &shop.staff.token,
                &json!({"name": "Lights", "description": "bright"}),
            )
            .await;
        assert_eq!(put.status, 200);
        assert_eq!(
            (put.body["name"].clone(), put.body["slug"].clone()),
            (json!("Lights"), json!("lamps"))
        );
        let patch = app
            .patch_as(&path, &shop.staff.token, &json!({"slug": "lights"}))
            .await;
        assert_eq!(
            (patch.body["name"].clone(), patch.body["slug"].clone()),
            (json!("Lights"), json!("lights"))
        );
        assert_eq!(patch.body["description"], "bright");
    }

    async fn deleting_a_category_with_products_or_children_is_a_conflict(app: TestApp) {
        let shop = Shop::new(&app).await;
        let parent = shop.category("Parent", None).await;
        let child = shop.category("Child", parent["id"].as_i64()).await;
        let product = shop.product(&child, json!({})).await;
        let response = app
            .delete_as(&format!("categories/{}/", parent["id"]), &shop.staff.token)
            .await;
        assert_eq!(response.status, 409);
        assert_eq!(response.body["code"], "category_not_empty");
        assert!(!response.detail().is_empty());
        let response = app
            .delete_as(&format!("categories/{}/", child["id"]), &shop.staff.token)
            .await;
        assert_eq!(response.status, 409);
        assert_eq!(
            app.get(&format!("products/{}/", product["id"]))
                .await
                .status,
            200
        );
        // Once emptied, both go.
        assert_eq!(
            app.delete_as(&format!("products/{}/", product["id"]), &shop.staff.token)
                .await
                .status,
            204
        );
        assert_eq!(
            app.delete_as(&format!("categories/{}/", child["id"]), &shop.staff.token)
                .await
                .status,
            204
        );
        assert_eq!(
            app.delete_as(&format!("categories/{}/", parent["id"]), &shop.staff.token)
                .await
                .status,
            204
        );
        assert_eq!(
            app.get(&format!("categories/{}/", parent["id"]))
                .await
                .status,
            404
        );
        assert_eq!(
            app.delete_as(&format!("categories/{}/", parent["id"]), &shop.staff.token)
                .await
                .status,
            404
        );
    }

    async fn only_staff_write_categories(app: TestApp) {
        let shop = Shop::new(&app).await;
        let lamps = shop.category("Lamps", None).await;
        let customer = app.create_customer().await;
        let anonymous = app.post("categories/", &json!({"name": "X"})).await;
        assert_eq!(anonymous.status, 401);
        assert!(anonymous.headers.contains_key("www-authenticate"));
        assert_eq!(
            app.post_as("categories/", &customer.token, &json!({"name": "X"}))
                .await
                .status,
            403
        );
        let path = format!("categories/{}/", lamps["id"]);
        assert_eq!(
            app.patch_as(&path, &customer.token, &json!({"name": "X"}))
                .await
                .status,
            403
        );
        assert_eq!(
            app.put_as(&path, &customer.token, &json!({"name": "X"}))
                .await
                .status,
            403
        );
        assert_eq!(app.delete_as(&path, &customer.token).await.status, 403);
        assert_eq!(
            app.request(reqwest::Method::DELETE, &path, None, None)
                .await
                .status,
            401
        );
        let admin = app.create_admin().await;
        assert_eq!(
            app.patch_as(&path, &admin.token, &json!({"name": "Lights"}))
                .await
                .status,
            200
        );
    }

    async fn category_products_include_descendants_and_accept_list_parameters(app: TestApp) {
        let shop = Shop::new(&app).await;
        let root = shop.category("Electronics", None).await;
        let audio = shop.category("Audio", root["id"].as_i64()).await;
        let other = shop.category("Books", None).await;
        shop.product(&root, json!({"title": "TV", "price": "500.00"}))
            .await;
        shop.product(&audio, json!({"title": "Buds", "price": "50.00"}))
            .await;
        shop.product(&other, json!({"title": "Novel"})).await;
        let page = app
            .get(&format!(
                "categories/{}/products/?ordering=price",
                root["id"]
            ))
            .await;
        assert_eq!(page.status, 200);
        assert_eq!(titles(&page.body), ["Buds", "TV"]);
        let cheap = app
            .get(&format!(
                "categories/{}/products/?price_max=100",
                root["id"]
            ))
            .await;
        assert_eq!(titles(&cheap.body), ["Buds"]);
        assert_eq!(
            titles(&app.get("categories/audio/products/").await.body),
            ["Buds"]
        );
    }

    async fn an_unknown_category_has_an_empty_product_list(app: TestApp) {
        let response = app.get("categories/999/products/").await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.body,
            json!({"count": 0, "next": null, "previous": null, "results": []})
        );
    }

    async fn a_category_tree_is_at_most_ten_levels_deep(app: TestApp) {
        let shop = Shop::new(&app).await;
        let mut chain = vec![shop.category("Level 1", None).await];
        for level in 2..=10 {
            let parent = chain.last().unwrap()["id"].as_i64();
            chain.push(shop.category(&format!("Level {level}"), parent).await);
        }
        let too_deep = json!({"parent": ["Categories can be nested at most 10 levels deep."]});
        let eleventh = app
            .post_as(
                "categories/",
                &shop.staff.token,
                &json!({"name": "Level 11", "parent": chain[9]["id"]}),
            )
            .await;
        assert_eq!(eleventh.status, 400);
        assert_eq!(eleventh.body, too_deep);
        // Moving a two-level branch under level 9 would make 11 levels; under level 8 it fits.
        let branch = shop.category("Branch", None).await;
        shop.category("Leaf", branch["id"].as_i64()).await;
        let path = format!("categories/{}/", branch["id"]);
        let moved = app
            .patch_as(&path, &shop.staff.token, &json!({"parent": chain[8]["id"]}))
            .await;
        assert_eq!(moved.status, 400);
        assert_eq!(moved.body, too_deep);
        assert_eq!(
            app.get(&path).await.body["parent"],
            json!(null),
            "nothing changed"
        );
        let fits = app
            .patch_as(&path, &shop.staff.token, &json!({"parent": chain[7]["id"]}))
            .await;
        assert_eq!(fits.status, 200, "{}", fits.text);
        assert_eq!(app.get("categories/?page_size=100").await.body["count"], 12);
    }

    async fn the_tree_renders_a_chain_far_deeper_than_allowed(app: TestApp) {
        // Written straight to the database, as legacy data could be: the API refuses it.
        let depth = 20_000;
        sqlx::query(
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) \
             INSERT INTO categories (id, name, slug, parent_id, created_at) \
             SELECT n, 'c' || n, 'c-' || n, CASE WHEN n = 1 THEN NULL ELSE n - 1 END, 0 FROM seq",
        )
        .bind(depth)
        .execute(&app.db.pool)
        .await
        .unwrap();
        let tree = app.get("categories/?tree=true").await;
        assert_eq!(
            tree.status,
            200,
            "{}",
            &tree.text[..tree.text.len().min(300)]
        );
        let mut node = &tree.body[0];
        for _ in 1..10 {
            assert_eq!(node["children"].as_array().unwrap().len(), 1);
            node = &node["children"][0];
        }
        assert_eq!(node["id"], 10);
        assert_eq!(
            node["children"].as_array().unwrap().len(),
            depth as usize - 10,
            "everything below is listed under level 10"
        );
    }
}
