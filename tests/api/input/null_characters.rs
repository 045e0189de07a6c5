//! U+0000 in any text: a query parameter, a JSON body (keys and values, at any depth) or a path.
//! PostgreSQL can't store it, so it is refused at the edge on both engines (SPEC §5).

use serde_json::json;

use crate::{api_test, fixtures::count_rows};

const NUL: &str = "Null characters are not allowed.";

api_test! {
    async fn a_query_parameter_holding_nul_is_a_400_under_its_name(app: TestApp) {
        let search = app.get("products/?search=nul%00byte").await;
        assert_eq!(search.status, 400, "{}", search.text);
        assert_eq!(search.body, json!({"search": [NUL]}));
        let staff = app.create_staff().await;
        for path in [
            "products/search/?q=%00",
            "categories/?tree=true&x=a%00",
            "brands/?page=1%00",
            "orders/admin/all/?status=%00",
            "admin/users/?search=%00",
        ] {
            let response = app.get_as(path, &staff.token).await;
            assert_eq!(response.status, 400, "{path}: {}", response.text);
        }
        let name = app.get("products/?se%00arch=x").await;
        assert_eq!(name.body, json!({"non_field_errors": [NUL]}));
    }

    async fn a_path_holding_nul_names_nothing(app: TestApp) {
        let staff = app.create_staff().await;
        for path in [
            "products/nul%00slug/",
            "categories/a%00b/",
            "categories/a%00b/products/",
            "brands/a%00b/",
            "admin/products/a%00b",
            "admin/categories/a%00b",
        ] {
            let response = app.get_as(path, &staff.token).await;
            assert_eq!(response.status, 404, "{path}: {}", response.text);
            assert_eq!(response.body["code"], "not_found", "{path}");
        }
        let patch = app
            .patch_as("categories/a%00b/", &staff.token, &json!({"name": "x"}))
            .await;
        assert_eq!(patch.status, 404);
    }

    async fn a_json_body_holding_nul_anywhere_is_a_400_and_stores_nothing(app: TestApp) {
        let user = app.create_customer().await;
        let address = json!({"first_name": "Ada", "last_name": "Lovelace", "address_line_1": "12 St James Sq",
            "city": "Lon\u{0}don", "postal_code": "SW1Y", "country": "GB"});
        let response = app.post_as("users/addresses/", &user.token, &address).await;
        assert_eq!(response.status, 400, "{}", response.text);
        assert_eq!(response.body, json!({"city": [NUL]}));
        assert_eq!(count_rows(&app, "addresses").await, 0);
        let key = app
            .post_as("users/addresses/", &user.token, &json!({"ci\u{0}ty": "x"}))
            .await;
        assert_eq!(key.body, json!({"non_field_errors": [NUL]}));
        // Nested: an inline shipping address inside a checkout.
        let product = app.product().price_cents(1_000).stock(5).create().await;
        let order = app
            .post_as(
                "orders/",
                &user.token,
                &json!({
                    "items": [{"product_id": product, "quantity": 1}],
                    "shipping_address": address,
                }),
            )
            .await;
        assert_eq!(order.status, 400, "{}", order.text);
        assert_eq!(order.body, json!({"shipping_address": [NUL]}));
        assert_eq!(count_rows(&app, "orders").await, 0);
        let login = app
            .post(
                "auth/jwt/create/",
                &json!({"email": "a\u{0}@example.com", "password": "x"}),
            )
            .await;
        assert_eq!(login.status, 400, "{}", login.text);
        let staff = app.create_staff().await;
        let category = app
            .post_as("categories/", &staff.token, &json!({"name": "Nul\u{0}"}))
            .await;
        assert_eq!(category.body, json!({"name": [NUL]}));
        assert_eq!(
            count_rows(&app, "categories").await,
            1,
            "only the fixture's category"
        );
    }
}
