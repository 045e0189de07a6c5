//! `admin/users/` and `admin/users/{id}/` (admins only).

use serde_json::{json, Value};

use crate::api_test;

fn usernames(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

api_test! {
    async fn only_admins_may_manage_users(app: TestApp) {
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        assert_eq!(app.get("admin/users/").await.status, 401);
        for token in [&customer.token, &staff.token] {
            let response = app.get_as("admin/users/", token).await;
            assert_eq!(response.status, 403);
            assert_eq!(
                response.body,
                json!({
                    "detail": "You do not have permission to perform this action.",
                    "code": "permission_denied",
                })
            );
            let path = format!("admin/users/{}/", customer.id);
            assert_eq!(app.get_as(&path, token).await.status, 403);
            assert_eq!(
                app.patch_as(&path, token, &json!({"role": "admin"}))
                    .await
                    .status,
                403
            );
        }
    }

    async fn admins_list_search_and_filter_users(app: TestApp) {
        let admin = app.create_admin().await;
        let customer = app.create_customer().await;
        let staff = app.create_staff().await;
        let all = app.get_as("admin/users/", &admin.token).await;
        assert_eq!(all.status, 200, "{}", all.text);
        assert_eq!(all.body["count"], 3);
        assert_eq!(all.body["results"][0]["is_active"], true);
        let found = app
            .get_as(
                &format!(
                    "admin/users/?search={}",
                    &customer.username[9..].to_uppercase()
                ),
                &admin.token,
            )
            .await;
        assert_eq!(usernames(&found.body), [customer.username.as_str()]);
        let by_email = app.get_as("admin/users/?search=staff_", &admin.token).await;
        assert_eq!(
            usernames(&by_email.body),
            [staff.username.as_str()],
            "`_` matches literally"
        );
        let staff_only = app.get_as("admin/users/?role=staff", &admin.token).await;
        assert_eq!(usernames(&staff_only.body), [staff.username.as_str()]);
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(customer.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let inactive = app
            .get_as("admin/users/?is_active=false", &admin.token)
            .await;
        assert_eq!(usernames(&inactive.body), [customer.username.as_str()]);
        let paged = app
            .get_as("admin/users/?page_size=2&page=2", &admin.token)
            .await;
        assert_eq!(paged.body["results"].as_array().unwrap().len(), 1);
        let bad_role = app.get_as("admin/users/?role=king", &admin.token).await;
        assert_eq!(bad_role.status, 400);
        assert_eq!(
            bad_role.body,
            json!({"role": ["Select a valid choice. king is not one of the available choices."]})
        );
        assert_eq!(
            app.get_as("admin/users/?is_active=maybe", &admin.token)
                .await
                .status,
            400
        );
    }

    async fn admins_read_one_user_and_unknown_ids_are_404(app: TestApp) {
        let admin = app.create_admin().await;
        let customer = app.create_customer().await;
        let response = app
            .get_as(&format!("admin/users/{}/", customer.id), &admin.token)
            .await;
        assert_eq!(response.status, 200);
        assert_eq!(response.body["email"], customer.email);
        assert_eq!(response.body["role"], "customer");
        assert_eq!(response.body["is_active"], true);
        assert_eq!(
            app.get_as("admin/users/999999/", &admin.token).await.status,
            404
        );
        assert_eq!(
            app.patch_as(
                "admin/users/999999/",
                &admin.token,
                &json!({"role": "staff"})
            )
            .await
            .status,
            404
        );
    }

    async fn a_role_change_takes_effect_immediately(app: TestApp) {
        let admin = app.create_admin().await;
        let user = app.create_customer().await;
        assert_eq!(app.get_as("admin/users/", &user.token).await.status, 403);
        let response = app
            .patch_as(
                &format!("admin/users/{}/", user.id),
                &admin.token,
                &json!({"role": "admin"}),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body["role"], "admin");
        assert_eq!(
            app.get_as("admin/users/", &user.token).await.status,
            200,
            "the same token now has admin rights"
        );
        app.patch_as(
            &format!("admin/users/{}/", user.id),
            &admin.token,
            &json!({"role": "customer"}),
        )
        .await;
        assert_eq!(
            app.get_as("admin/users/", &user.token).await.status,
            403,
            "and loses them as fast"
        );
    }

    async fn an_unknown_role_is_not_a_valid_choice(app: TestApp) {
        let admin = app.create_admin().await;
        let user = app.create_customer().await;
        let response = app
            .patch_as(
                &format!("admin/users/{}/", user.id),
                &admin.token,
                &json!({"role": "x"}),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"role": ["\"x\" is not a valid choice."]})
        );
    }

    async fn an_admin_cannot_demote_or_deactivate_themselves(app: TestApp) {
        let admin = app.create_admin().await;
        let path = format!("admin/users/{}/", admin.id);
        let demote = app
            .patch_as(&path, &admin.token, &json!({"role": "staff"}))
            .await;
        assert_eq!(demote.status, 400);
        assert_eq!(
            demote.body,
            json!({"role": ["You cannot change your own role."]})
        );
        let deactivate = app
            .patch_as(&path, &admin.token, &json!({"is_active": false}))
            .await;
        assert_eq!(
            deactivate.body,
            json!({"is_active": ["You cannot deactivate your own account."]})
        );
        assert_eq!(app.get_as(&path, &admin.token).await.body["role"], "admin");
        let harmless = app
            .patch_as(
                &path,
                &admin.token,
                &json!({"role": "admin", "is_active": true}),
            )
            .await;
        assert_eq!(harmless.status, 200);
    }

    async fn reactivating_a_user_restores_access_but_not_old_sessions(app: TestApp) {
        let admin = app.create_admin().await;
        let user = app.create_customer().await;
        let refresh = crate::accounts::refresh_token_for(&app, &user.email).await;
        let path = format!("admin/users/{}/", user.id);
        assert_eq!(
            app.patch_as(&path, &admin.token, &json!({"is_active": false}))
                .await
                .body["is_active"],
            false
        );
        assert_eq!(
            app.patch_as(&path, &admin.token, &json!({"is_active": true}))
                .await
                .body["is_active"],
            true
        );
        assert_eq!(app.get_as("auth/users/me/", &user.token).await.status, 200);
        assert_eq!(
            app.post("auth/jwt/refresh/", &json!({"refresh": refresh}))
                .await
                .status,
            401
        );
    }
}
