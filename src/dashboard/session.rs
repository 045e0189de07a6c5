//! A signed-in staff member's session: the cookies, the extractor every signed-in page takes,
//! and the CSRF checks of forms.
//!
//! The session cookie carries a random token (`random_token`); only its hash is stored. It is
//! `HttpOnly`, `SameSite=Strict`, limited to `/dashboard`, and `Secure` when the request came over
//! TLS (directly, or through a trusted proxy's `X-Forwarded-Proto`). A session ends on sign-out,
//! after 12 hours without a request, and as soon as its user is deactivated or is no longer staff.
//! The row of a session that ended while its cookie stayed away is deleted by the nightly cleanup
//! job ([`delete_idle_sessions`]).
//!
//! CSRF: every form carries a token. A signed-in form carries its session's; the sign-in form
//! (no session yet) carries the value of a second cookie set with the page (double submit).
//! Tokens are compared by their hashes, so the time a comparison takes says nothing about them.

use axum::{
    extract::FromRequestParts,
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::{pages, store};
use crate::{
    accounts::Role,
    db::{now_micros, Db},
    error::ApiError,
    http::origin::RequestOrigin,
    random_token,
    state::AppState,
};

/// The session cookie.
pub const SESSION_COOKIE: &str = "nexus_dashboard";
/// The sign-in form's CSRF cookie.
pub const SIGN_IN_CSRF_COOKIE: &str = "nexus_dashboard_csrf";
/// Where the cookies are sent.
const COOKIE_PATH: &str = "/dashboard";

/// SPEC §3.9: a session unused for 12 hours is over.
const IDLE_MICROS: i64 = 12 * 3600 * 1_000_000;
/// A session's last use is written at most once a minute (not on every page).
const TOUCH_EVERY_MICROS: i64 = 60 * 1_000_000;

/// The signed-in staff member of a page.
#[derive(Debug)]
pub struct StaffSession {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    /// What this session's forms carry.
    pub csrf_token: String,
}

impl StaffSession {
    /// Whether a form sent this session's CSRF token (refuse it with [`forged`] otherwise).
    pub fn csrf_matches(&self, sent: &str) -> bool {
        same_token(sent, &self.csrf_token)
    }
}

impl FromRequestParts<AppState> for StaffSession {
    /// Without a live staff session: to the sign-in page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(Cookie::value) else {
            return Err(to_sign_in());
        };
        let pool = &state.db.pool;
        let found = store::find(pool, &random_token::hash(token)).await;
        let Some(row) = found.map_err(server_error)? else {
            return Err(to_sign_in());
        };
        let now = now_micros();
        if now - row.last_seen_at > IDLE_MICROS || !row.is_active.0 || !row.role.is_staff() {
            store::delete(pool, row.id).await.map_err(server_error)?;
            return Err(to_sign_in());
        }
        if now - row.last_seen_at > TOUCH_EVERY_MICROS {
            store::touch(pool, row.id, now)
                .await
                .map_err(server_error)?;
        }
        Ok(StaffSession {
            id: row.id,
            user_id: row.user_id,
            email: row.email,
            role: row.role,
            csrf_token: row.csrf_token,
        })
    }
}

/// Deletes the sessions idle for more than 12 hours at `now` (epoch micros): those whose cookie
/// never came back to end them. Returns how many; a second run deletes nothing more.
pub async fn delete_idle_sessions(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut conn = db.write_connection().await?;
    store::delete_idle(&mut conn, now - IDLE_MICROS).await
}

/// Whether two tokens are equal, compared as their hashes.
pub fn same_token(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && random_token::hash(sent) == random_token::hash(expected)
}

/// A cookie for the dashboard's pages only, out of scripts' reach, never sent by another site.
pub fn cookie(name: &'static str, value: String, origin: &RequestOrigin) -> Cookie<'static> {
    Cookie::build((name, value))
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(origin.scheme == "https")
        .build()
}

/// What removes the cookie `name`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, "")).path(COOKIE_PATH).build()
}

/// `303` to the sign-in page.
pub fn to_sign_in() -> Response {
    Redirect::to("/dashboard/login/").into_response()
}

/// A form without its token: `403`, nothing done.
pub fn forged() -> Response {
    pages::message(
        StatusCode::FORBIDDEN,
        "Form expired",
        "This form is no longer valid. Go back, reload the page and try again.",
    )
}

/// A database failure while reading the session: the API's `500`/`503`.
fn server_error(error: sqlx::Error) -> Response {
    ApiError::from(error).into_response()
}
