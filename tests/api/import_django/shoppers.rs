//! After the import, the Django users sign in with their old passwords and find their roles,
//! addresses and (merged) cart as the frontends show them.

use serde_json::Value;

use super::*;
use crate::api_test;

async fn password_hash(app: &TestApp, user: i64) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn me(app: &TestApp, token: &str) -> Value {
    let response = app.get_as("auth/users/me/", token).await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body
}

/// Ada signs in with her Django password, which the first sign-in re-hashes with Argon2id, and
/// again afterwards; the wrong password does not sign in.
pub async fn check_old_passwords_sign_in(app: &TestApp) {
    assert_eq!(
        password_hash(app, ids::ADA).await,
        ADA_HASH,
        "kept as it is"
    );
    let wrong = sign_in(app, "ada@example.com", "Old-Django-Pass-43").await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert_eq!(
        password_hash(app, ids::ADA).await,
        ADA_HASH,
        "not re-hashed by a failed sign-in"
    );

    let first = sign_in(app, "ada@example.com", DJANGO_PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let rehashed = password_hash(app, ids::ADA).await;
    assert!(rehashed.starts_with("$argon2id$"), "{rehashed}");
    let second = sign_in(app, "ada@example.com", DJANGO_PASSWORD).await;
    assert_eq!(second.status, 200, "after the re-hash: {}", second.text);
    let token = second.body["access"].as_str().unwrap();
    assert_eq!(me(app, token).await["id"], ids::ADA);
}

/// Hashes of other Django versions' iteration counts verify too, and the email's case does not
/// matter. (PBKDF2 at these counts takes seconds in a debug build: one sign-in per hash.)
pub async fn check_other_django_hashes_sign_in(app: &TestApp) {
    // Django 3.2's 260000 and Django 5.2's 1000000 iterations.
    signed_in(app, "clerk@shop.example").await;
    let grace = signed_in(app, "grace@example.com").await;
    assert_eq!(me(app, &grace).await["id"], ids::GRACE);

    // The two accounts that differed only in case: the lower id is the account, whichever case
    // the email is typed in.
    let max = signed_in(app, "max.case@example.com").await;
    assert_eq!(me(app, &max).await["id"], ids::MIXED_KEPT);
}

/// Unusable, empty and other hashers' passwords are refused: those users must reset them.
pub async fn check_unusable_passwords_are_refused(app: &TestApp) {
    for user in [ids::LOCKED, ids::BCRYPTED, ids::GONE] {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 1, "user {user} is imported");
    }
    for email in [
        "locked@example.com",
        "bcrypt@example.com",
        "gone@example.com",
    ] {
        let response = sign_in(app, email, DJANGO_PASSWORD).await;
        assert_eq!(response.status, 401, "{email}: {}", response.text);
    }
    let response = sign_in(app, "locked@example.com", "").await;
    assert_ne!(response.status, 200, "{}", response.text);
}

/// Superusers are admins, `is_staff` users staff, the rest customers; ids and names kept.
pub async fn check_roles_and_profiles(app: &TestApp) {
    let owner = me(app, &token_of(app, ids::OWNER)).await;
    assert_eq!(owner["id"], ids::OWNER);
    assert_eq!(owner["role"], "admin");
    assert_eq!(owner["username"], "owner");
    let clerk = me(app, &token_of(app, ids::CLERK)).await;
    assert_eq!(clerk["id"], ids::CLERK);
    assert_eq!(clerk["role"], "staff");
    let ada = me(app, &token_of(app, ids::ADA)).await;
    assert_eq!(ada["role"], "customer");
    assert_eq!(ada["first_name"], "Ada");
    assert_eq!(ada["last_name"], "Lovelace");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["date_joined"], "2023-07-14T12:30:00.000000Z");

    let max = me(app, &token_of(app, ids::MIXED_KEPT)).await;
    assert_eq!(max["email"], "Max.Case@Example.com");
    assert_eq!(max["username"], "mixed1");
    let inactive: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND is_active = FALSE")
            .bind(ids::GONE)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(inactive, 1, "is_active kept");
    for skipped in [ids::NO_EMAIL, ids::MIXED_DROPPED] {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
            .bind(skipped)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 0, "user {skipped} was skipped");
    }
}

/// Addresses keep their ids and empty optional fields; of two defaults the newest stays.
pub async fn check_addresses(app: &TestApp) {
    let ada = token_of(app, ids::ADA);
    let page = app.get_as("users/addresses/", &ada).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let mut addresses = page.body["results"].as_array().unwrap().clone();
    addresses.sort_by_key(|address| address["id"].as_i64());
    let summary: Vec<(i64, bool)> = addresses
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["is_default"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(summary, [(101, false), (104, true)]);
    assert_eq!(addresses[0]["address_line_1"], "12 St James's Square");
    assert_eq!(addresses[0]["address_line_2"], "");
    assert_eq!(addresses[0]["phone_number"], "");
    assert_eq!(addresses[0]["postal_code"], "SW1Y 4JH");
    assert_eq!(addresses[1]["city"], "Cambridge");
    assert_eq!(addresses[1]["phone_number"], "+44 1223 000000");
    let default = app.get_as("users/addresses/default/", &ada).await;
    assert_eq!(default.body["id"], 104, "{}", default.text);

    // Grace's only default had an empty city: her remaining address is an ordinary one.
    let grace = token_of(app, ids::GRACE);
    let page = app.get_as("users/addresses/", &grace).await;
    let ids: Vec<&Value> = page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [107], "{}", page.text);
}

/// Ada's two carts are one (the oldest id), the same product's lines are one line with the
/// quantities summed, capped at 10000 and not at the stock.
pub async fn check_merged_cart(app: &TestApp) {
    let ada = token_of(app, ids::ADA);
    let cart = app.get_as("cart/", &ada).await;
    assert_eq!(cart.status, 200, "{}", cart.text);
    assert_eq!(cart.body["id"], ids::ADA_CART);
    let mut lines: Vec<(i64, i64, i64)> = cart.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["id"].as_i64().unwrap(),
                item["product"]["id"].as_i64().unwrap(),
                item["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            (300, ids::PHONE, 10_000),
            (301, ids::HEADPHONES, 5),
            (305, ids::NOVEL, 1),
        ],
        "{}",
        cart.text
    );
    assert_eq!(rows(app, "carts").await, 2);

    let grace = token_of(app, ids::GRACE);
    assert_eq!(
        app.get_as("cart/", &grace).await.body["id"],
        ids::GRACE_CART
    );
}

api_test! {
    async fn django_users_sign_in_with_their_old_password_before_and_after_the_rehash(app: TestApp) {
        imported(&app).await;
        check_old_passwords_sign_in(&app).await;
    }

    async fn older_and_newer_django_iteration_counts_sign_in_whatever_the_emails_case(app: TestApp) {
        imported(&app).await;
        check_other_django_hashes_sign_in(&app).await;
    }

    async fn unusable_empty_and_bcrypt_passwords_cannot_sign_in(app: TestApp) {
        imported(&app).await;
        check_unusable_passwords_are_refused(&app).await;
    }

    async fn superusers_are_admins_staff_are_staff_and_profiles_keep_their_ids(app: TestApp) {
        imported(&app).await;
        check_roles_and_profiles(&app).await;
    }

    async fn addresses_are_kept_with_only_the_newest_of_several_defaults(app: TestApp) {
        imported(&app).await;
        check_addresses(&app).await;
    }

    async fn a_users_carts_and_repeated_lines_are_merged_with_quantities_summed(app: TestApp) {
        imported(&app).await;
        check_merged_cart(&app).await;
    }
}
