//! The accounts response shapes (SPEC §3.1) as snapshots: registration, token pair, profile,
//! address and the admin user list page.

use serde_json::json;

use super::{login, new_user, register, STRONG};
use crate::{api_test, assert_shape};

api_test! {
    async fn registration_answers_the_user_and_a_token_pair(app: TestApp) {
        let response = register(&app, &new_user("ada")).await;
        assert_eq!(response.status, 201, "{}", response.text);
        assert_shape!(app, "registration", response.body);
    }

    async fn login_answers_a_token_pair(app: TestApp) {
        assert_eq!(register(&app, &new_user("ada")).await.status, 201);
        let response = login(&app, "ada@shop.example", STRONG).await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_shape!(app, "token_pair", response.body);
        let refreshed = app
            .post(
                "auth/jwt/refresh/",
                &json!({"refresh": response.body["refresh"]}),
            )
            .await;
        assert_eq!(refreshed.status, 200, "{}", refreshed.text);
        assert_shape!(app, "token_pair_refreshed", refreshed.body);
    }

    async fn profile_shape(app: TestApp) {
        let user = app.create_customer().await;
        let response = app.get_as("auth/users/me/", &user.token).await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_shape!(app, "profile", response.body);
    }

    async fn address_shape(app: TestApp) {
        let user = app.create_customer().await;
        let body = json!({
            "first_name": "Ada", "last_name": "Lovelace", "address_line_1": "12 St James's Square",
            "city": "London", "postal_code": "SW1Y 4JH", "country": "GB",
        });
        let response = app.post_as("users/addresses/", &user.token, &body).await;
        assert_eq!(response.status, 201, "{}", response.text);
        assert_shape!(app, "address", response.body);
        let list = app.get_as("users/addresses/", &user.token).await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert_shape!(app, "address_list", list.body);
    }

    async fn admin_user_list_page_shape(app: TestApp) {
        let admin = app.create_admin().await;
        let response = app.get_as("admin/users/", &admin.token).await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_shape!(app, "admin_user_list_page", response.body);
    }
}
