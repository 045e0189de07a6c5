//! The admin the harness creates (`nexus createsuperuser`, since the seed makes no staff) and
//! its two ways in: the API's access token (`analytics`) and the staff dashboard's sign-in form
//! with its cookies (`dashboard`), plus the `nexus` admin commands run before the servers start.

use std::{path::Path, process::Command};

use anyhow::{bail, Context};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{json, Value};

/// The admin's sign-in. An admin, not staff, because `/dashboard/users/` is admin-only.
const ADMIN_EMAIL: &str = "bench-admin@example.com";
const ADMIN_USERNAME: &str = "bench-admin";
const ADMIN_PASSWORD: &str = "dashboard-bench-passphrase-7";

/// The dashboard's cookies (`src/dashboard/session.rs`).
const SESSION_COOKIE: &str = "nexus_dashboard";
const SIGN_IN_CSRF_COOKIE: &str = "nexus_dashboard_csrf";

/// Creates the admin with `nexus createsuperuser --no-input` (once per run).
pub fn create_admin(nexus: &Path, database_url: &str) -> anyhow::Result<()> {
    run_command(
        nexus,
        database_url,
        &[
            "createsuperuser",
            "--email",
            ADMIN_EMAIL,
            "--username",
            ADMIN_USERNAME,
            "--no-input",
        ],
    )
}

/// Runs `nexus <args>` on the database, quietly; fails unless it exits 0.
pub fn run_command(nexus: &Path, database_url: &str, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(nexus)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("NEXUS_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
        .env("LOG_LEVEL", "warn")
        .status()
        .with_context(|| format!("running nexus {}", args.join(" ")))?;
    if !status.success() {
        bail!("nexus {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Signs the admin in through the API; returns the access token.
pub async fn api_token(base: &str) -> anyhow::Result<String> {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/jwt/create/"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    match body["access"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => bail!("logging in {ADMIN_EMAIL} answered {status}: {body}"),
    }
}

/// Signs the admin in through the dashboard's form, as a browser does: the form page gives a
/// CSRF token in a cookie and in a hidden field, the post of both with the credentials answers
/// `303` with the session cookie. Returns the `Cookie` header the pages are then asked with.
/// `client` must not follow redirects (the cookie comes with the `303`).
pub async fn dashboard_session(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let form = client
        .get(format!("{base}/dashboard/login/"))
        .send()
        .await?;
    let csrf_cookie = cookie_value(&form, SIGN_IN_CSRF_COOKIE).with_context(|| {
        format!(
            "GET /dashboard/login/ ({}) set no CSRF cookie",
            form.status()
        )
    })?;
    let page = form.text().await?;
    let csrf_token =
        hidden_field(&page, "csrf_token").context("the sign-in page has no csrf_token field")?;
    let body = form_urlencoded(&[
        ("email", ADMIN_EMAIL),
        ("password", ADMIN_PASSWORD),
        ("csrf_token", &csrf_token),
    ]);
    let answer = client
        .post(format!("{base}/dashboard/login/"))
        .header(COOKIE, format!("{SIGN_IN_CSRF_COOKIE}={csrf_cookie}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let status = answer.status();
    let location = answer
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match cookie_value(&answer, SESSION_COOKIE) {
        Some(session) if status == 303 => Ok(format!("{SESSION_COOKIE}={session}")),
        _ => bail!("signing {ADMIN_EMAIL} in to the dashboard answered {status} (to {location:?}) with no session cookie"),
    }
}

/// The value of the cookie `name` an answer sets (`Set-Cookie: name=value; Path=…`), if any.
fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .filter_map(|header| header.split(';').next()?.split_once('='))
        .find(|(cookie, value)| cookie.trim() == name && !value.is_empty())
        .map(|(_, value)| value.trim().to_owned())
}

/// The value of `<input type="hidden" name="{name}" value="…">` in a page (the tokens are
/// URL-safe, so no entity in them needs decoding).
fn hidden_field(page: &str, name: &str) -> Option<String> {
    let input = &page[page.find(&format!("name=\"{name}\""))?..];
    let value = &input[input.find("value=\"")? + "value=\"".len()..];
    Some(value[..value.find('"')?].to_owned())
}

/// An `application/x-www-form-urlencoded` body: every byte but the unreserved ones escaped.
fn form_urlencoded(fields: &[(&str, &str)]) -> String {
    let escape = |text: &str| {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (byte as char).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", escape(name), escape(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hidden_field_is_read_from_the_sign_in_form() {
        let page = r#"<form><input type="hidden" name="csrf_token" value="aB-_9"><input name="email"></form>"#;
        assert_eq!(hidden_field(page, "csrf_token").as_deref(), Some("aB-_9"));
        assert_eq!(hidden_field(page, "other"), None);
    }

    #[test]
    fn a_form_body_escapes_what_is_not_unreserved() {
        assert_eq!(
            form_urlencoded(&[("email", "a+b@example.com"), ("password", "x y&z")]),
            "email=a%2Bb%40example.com&password=x%20y%26z"
        );
    }
}
