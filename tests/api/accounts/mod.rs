//! Accounts: registration, sessions and tokens, profiles, passwords, addresses, user admin and
//! `createsuperuser`, on every backend.

mod addresses;
mod admin_users;
mod cached_callers;
mod createsuperuser;
mod django_passwords;
mod login;
mod passwords;
mod profile;
mod registration;
mod schema;
mod shapes;
mod tokens;

use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

/// A password that passes every rule and resembles none of the helper-made names.
pub const STRONG: &str = "Vq7#mKp2!wRz";

/// A registration body for a new, unique user named after `name`.
pub fn new_user(name: &str) -> Value {
    json!({
        "email": format!("{name}@shop.example"),
        "username": name,
        "password": STRONG,
        "password_confirm": STRONG,
        "first_name": "Ada",
        "last_name": "Lovelace",
    })
}

/// Registers `body` at the canonical path.
pub async fn register(app: &TestApp, body: &Value) -> TestResponse {
    app.post("auth/users/", body).await
}

/// Logs in at the canonical path.
pub async fn login(app: &TestApp, email: &str, password: &str) -> TestResponse {
    app.post(
        "auth/jwt/create/",
        &json!({"email": email, "password": password}),
    )
    .await
}

/// The `refresh` token of a fresh login as `email` (password [`crate::helpers::PASSWORD`]).
pub async fn refresh_token_for(app: &TestApp, email: &str) -> String {
    let response = login(app, email, crate::helpers::PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["refresh"].as_str().unwrap().to_owned()
}

/// The `(uid, token)` of the reset link in an email.
pub fn reset_link(email: &str) -> (String, String) {
    let start = email
        .find("http://frontend.test/reset-password/")
        .expect("the email carries a reset link");
    let link = email[start..].split_whitespace().next().unwrap();
    let mut parts = link
        .trim_start_matches("http://frontend.test/reset-password/")
        .split('/');
    (
        parts.next().unwrap().to_owned(),
        parts.next().unwrap().to_owned(),
    )
}
