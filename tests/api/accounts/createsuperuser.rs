//! `nexus createsuperuser`, run as the built binary against a temporary SQLite database or a
//! test server's database (both backends).

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use nexus::{config::DatabaseUrl, db::Db};
use serde_json::json;

use super::{login, new_user, register, reset_link, STRONG};
use crate::{api_test, helpers::TestApp};

fn run(database_url: &str, args: &[&str]) -> Output {
    run_with(database_url, &[], args)
}

/// [`run`] with `env` set too (`REDIS_URL`...).
fn run_with(database_url: &str, env: &[(String, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("createsuperuser")
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("DATABASE_URL", database_url)
        .env(
            "EMAIL_FILE_PATH",
            std::env::temp_dir().join("nexus-createsuperuser-mail"),
        )
        .env_remove("NEXUS_SUPERUSER_PASSWORD")
        .env_remove("DEBUG")
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const ARGS: &[&str] = &[
    "--no-input",
    "--email",
    "Root@Shop.Example",
    "--username",
    "root",
    "--password",
    "Sturdy-Admin-Pass-42",
];

#[tokio::test]
async fn createsuperuser_creates_an_admin_with_an_argon2_hash() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let first = run(&url, ARGS);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("created"));

    let db = Db::connect(&DatabaseUrl::new(url.clone()), 1)
        .await
        .unwrap();
    let rows: Vec<(String, String, String, nexus::db::Flag)> =
        sqlx::query_as("SELECT email, username, role, is_active FROM users")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    let (email, username, role, active) = &rows[0];
    assert_eq!(
        (email.as_str(), username.as_str(), role.as_str(), active.0),
        ("Root@shop.example", "root", "admin", true)
    );
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

/// Runs `nexus createsuperuser` against the test server's database, off the async runtime.
async fn run_against(app: &TestApp, args: &[&str]) -> Output {
    run_against_with(app, &[], args).await
}

/// [`run_against`] with `env` set too.
async fn run_against_with(app: &TestApp, env: &[(&str, &str)], args: &[&str]) -> Output {
    let url = app.database_url.clone();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_with(&url, &env, &args)
    })
    .await
    .unwrap()
}

/// The admin's flags for `email` and `username`, with `extra` appended.
fn admin_args<'a>(email: &'a str, username: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--no-input",
        "--email",
        email,
        "--username",
        username,
        "--password",
        ADMIN_PASSWORD,
    ];
    args.extend_from_slice(extra);
    args
}

const ADMIN_PASSWORD: &str = "Sturdy-Admin-Pass-42";

/// Registers `root@shop.example` (the account a promotion will take over) and returns an access
/// token of it that the server has accepted once.
async fn old_owners_access_token(app: &TestApp) -> String {
    register(app, &new_user("root")).await;
    let access = login(app, "root@shop.example", STRONG).await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get_as("auth/users/me/", &access).await.status, 200);
    access
}

async fn role_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT role FROM users WHERE LOWER(email) = LOWER($1)")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

api_test! {
    async fn an_account_registered_first_with_the_admins_email_is_refused_and_left_alone(
        app: TestApp,
    ) {
        let squatter = register(&app, &new_user("root")).await;
        assert_eq!(squatter.status, 201, "{}", squatter.text);
        let output = run_against(&app, &admin_args("ROOT@shop.example", "root", &[])).await;
        assert!(!output.status.success(), "{}", text(&output));
        let message = text(&output);
        assert!(
            message.contains("already exists") && message.contains("--promote-existing"),
            "{message}"
        );
        assert_eq!(role_of(&app, "root@shop.example").await, "customer");
        assert_eq!(
            login(&app, "root@shop.example", STRONG).await.status,
            200,
            "its password is unchanged"
        );
        assert_eq!(
            login(&app, "root@shop.example", ADMIN_PASSWORD)
                .await
                .status,
            401
        );
    }

    async fn promote_existing_sets_the_password_and_ends_the_old_owners_sessions_and_reset_links(
        app: TestApp,
    ) {
        register(&app, &new_user("root")).await;
        let old_login = login(&app, "root@shop.example", STRONG).await;
        let old_refresh = old_login.body["refresh"].as_str().unwrap().to_owned();
        app.post(
            "auth/password/reset/",
            &json!({"email": "root@shop.example"}),
        )
        .await;
        let (uid, token) = reset_link(&app.wait_for_emails(1).await[0]);

        let output = run_against(
            &app,
            &admin_args("root@shop.example", "root", &["--promote-existing"]),
        )
        .await;
        assert!(output.status.success(), "{}", text(&output));
        assert!(
            text(&output).contains("now an active admin"),
            "{}",
            text(&output)
        );

        assert_eq!(role_of(&app, "root@shop.example").await, "admin");
        assert_eq!(
            login(&app, "root@shop.example", STRONG).await.status,
            401,
            "the old password is gone"
        );
        let admin = login(&app, "root@shop.example", ADMIN_PASSWORD).await;
        assert_eq!(admin.status, 200, "{}", admin.text);
        let refreshed = app
            .post("auth/jwt/refresh/", &json!({"refresh": old_refresh}))
            .await;
        assert_eq!(
            refreshed.status, 401,
            "the old owner's session ended: {}",
            refreshed.text
        );
        let body = json!({
            "uid": uid, "token": token, "new_password": STRONG, "new_password_confirm": STRONG,
        });
        let reset = app.post("auth/password/reset/confirm/", &body).await;
        assert_eq!(
            reset.status, 400,
            "the old owner's reset link is dead: {}",
            reset.text
        );
        assert_eq!(
            login(&app, "root@shop.example", ADMIN_PASSWORD)
                .await
                .status,
            200
        );
        let told: Vec<String> = sqlx::query_scalar(
            "SELECT n.type FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE u.email = 'root@shop.example'",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(told, ["security"], "the owner hears of the password change");
        let queued = crate::notifications::email_jobs(&app).await;
        assert_eq!(queued.len(), 1, "{queued:?}");
        assert_eq!(queued[0]["message"]["template"], "password_changed");
    }

    async fn promote_existing_ends_the_old_owners_access_tokens_and_a_login_right_after_is_an_admin(
        app: TestApp,
    ) {
        let old_access = old_owners_access_token(&app).await;

        let output = run_against(
            &app,
            &admin_args("root@shop.example", "root", &["--promote-existing"]),
        )
        .await;
        assert!(output.status.success(), "{}", text(&output));

        for path in ["auth/users/me/", "admin/users/"] {
            let refused = app.get_as(path, &old_access).await;
            assert_eq!(
                refused.status, 401,
                "the old owner's access token on {path}: {}",
                refused.text
            );
            assert_eq!(refused.body["code"], "token_not_valid", "{}", refused.text);
        }
        let verified = app
            .post("auth/jwt/verify/", &json!({"token": old_access}))
            .await;
        assert_eq!(verified.status, 401, "verify agrees: {}", verified.text);

        // Straight after the command returns, as a deploy script would.
        let admin = login(&app, "root@shop.example", ADMIN_PASSWORD).await;
        assert_eq!(admin.status, 200, "{}", admin.text);
        let access = admin.body["access"].as_str().unwrap();
        let users = app.get_as("admin/users/", access).await;
        assert_eq!(
            users.status, 200,
            "the new admin's token works: {}",
            users.text
        );
        assert_eq!(
            app.post("auth/jwt/verify/", &json!({"token": access}))
                .await
                .status,
            200
        );
        let refreshed = app
            .post(
                "auth/jwt/refresh/",
                &json!({"refresh": admin.body["refresh"]}),
            )
            .await;
        assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    }

    async fn running_the_same_command_again_is_refused_unless_promote_existing(app: TestApp) {
        let args = admin_args("ops@shop.example", "ops", &[]);
        let first = run_against(&app, &args).await;
        assert!(first.status.success(), "{}", text(&first));
        let again = run_against(&app, &args).await;
        assert!(!again.status.success(), "{}", text(&again));
        assert!(
            text(&again).contains("--promote-existing"),
            "{}",
            text(&again)
        );
        let promoted = run_against(
            &app,
            &admin_args("ops@shop.example", "ops", &["--promote-existing"]),
        )
        .await;
        assert!(promoted.status.success(), "{}", text(&promoted));
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 1);
        assert_eq!(role_of(&app, "ops@shop.example").await, "admin");
    }

    async fn a_username_taken_by_another_account_is_refused_even_with_promote_existing(
        app: TestApp,
    ) {
        register(&app, &new_user("root")).await;
        for extra in [&[][..], &["--promote-existing"][..]] {
            let output = run_against(&app, &admin_args("admin@shop.example", "root", extra)).await;
            assert!(!output.status.success(), "{}", text(&output));
            assert!(
                text(&output).contains("A user with that username already exists."),
                "{}",
                text(&output)
            );
        }
        let output = run_against(
            &app,
            &admin_args("root@shop.example", "someone-else", &["--promote-existing"]),
        )
        .await;
        assert!(
            !output.status.success(),
            "a mismatched username: {}",
            text(&output)
        );
        assert_eq!(role_of(&app, "root@shop.example").await, "customer");
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(count, 1);
    }
}

#[tokio::test]
async fn createsuperuser_without_input_needs_every_value_and_a_strong_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let missing = run(&url, &["--no-input", "--email", "a@shop.example"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("--username, --password"),
        "{}",
        text(&missing)
    );
    let weak = run(
        &url,
        &[
            "--no-input",
            "--email",
            "a@shop.example",
            "--username",
            "a",
            "--password",
            "password",
        ],
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak).contains("This password is too common."),
        "{}",
        text(&weak)
    );
    let bad_email = run(
        &url,
        &[
            "--no-input",
            "--email",
            "nope",
            "--username",
            "a",
            "--password",
            "Sturdy-Admin-Pass-42",
        ],
    );
    assert!(!bad_email.status.success());
    assert!(text(&bad_email).contains("Enter a valid email address."));
}

#[tokio::test]
async fn createsuperuser_prompts_for_missing_values() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nexus.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_nexus"))
        .arg("createsuperuser")
        .env("DATABASE_URL", &url)
        .env("NEXUS_SUPERUSER_PASSWORD", "Sturdy-Admin-Pass-42")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // An invalid email is asked again; then the username.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"not-an-email\nops@shop.example\nops\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("Enter a valid email address."),
        "{}",
        text(&output)
    );
    let db = Db::connect(&DatabaseUrl::new(url), 1).await.unwrap();
    let (username, role): (String, String) =
        sqlx::query_as("SELECT username, role FROM users WHERE email = 'ops@shop.example'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((username.as_str(), role.as_str()), ("ops", "admin"));
}

/// With Redis the servers keep callers per accounts version (docs/accounts.md, "Who is
/// calling"); the command bumps it, so a token the server had already accepted stops at once.
#[tokio::test]
#[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
async fn promote_existing_ends_an_access_token_a_server_sharing_redis_had_kept() {
    let redis = crate::helpers::OwnRedis::new();
    let app = TestApp::spawn_shareable(&redis.settings()).await;
    let old_access = old_owners_access_token(&app).await;

    let output = run_against_with(
        &app,
        &redis.settings(),
        &admin_args("root@shop.example", "root", &["--promote-existing"]),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    assert!(!text(&output).contains("Warning"), "{}", text(&output));
    let refused = app.get_as("auth/users/me/", &old_access).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["code"], "token_not_valid", "{}", refused.text);
}
