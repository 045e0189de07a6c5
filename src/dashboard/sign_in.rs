//! Signing in (the API's own sign-in rules, then staff only) and signing out.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Form, Router,
};
use axum_extra::extract::cookie::CookieJar;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{
    extract::StaffForm,
    pages,
    session::{self, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE},
    store,
};
use crate::{
    accounts,
    db::now_micros,
    http::{origin::RequestOrigin, rate_limit::ClientKey},
    random_token::RandomToken,
    state::AppState,
};

/// The sign-in and sign-out routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/login/", get(sign_in_page).post(sign_in))
        .route("/dashboard/logout/", post(sign_out))
}

/// The sign-in page's templates.
pub const TEMPLATES: &[(&str, &str)] = &[template!("sign_in.html")];

/// The sign-in form as posted.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `GET /dashboard/login/`: the form, with a fresh CSRF token in it and in its cookie.
async fn sign_in_page(origin: RequestOrigin, jar: CookieJar) -> Response {
    let csrf_token = RandomToken::generate().text;
    let jar = jar.add(session::cookie(
        SIGN_IN_CSRF_COOKIE,
        csrf_token.clone(),
        &origin,
    ));
    (jar, sign_in_form(StatusCode::OK, &csrf_token, "", None)).into_response()
}

/// `POST /dashboard/login/`: the API's sign-in rules (rate limits, password, active account),
/// then staff only; a session and its cookie, and on to the overview.
async fn sign_in(
    State(state): State<AppState>,
    origin: RequestOrigin,
    client: Option<Extension<ClientKey>>,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    let expected = jar
        .get(SIGN_IN_CSRF_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .unwrap_or_default();
    if !session::same_token(&form.csrf_token, &expected) {
        return session::forged();
    }
    let user = match accounts::authenticate(&state, client, &form.email, form.password).await {
        Ok(user) => user,
        Err(error) => {
            let status = error.status();
            let problem = match status {
                StatusCode::UNAUTHORIZED => "No active account found with the given credentials.",
                StatusCode::TOO_MANY_REQUESTS => "Too many sign-in attempts. Try again later.",
                _ => return error.into_response(),
            };
            return sign_in_form(status, &expected, &form.email, Some(problem));
        }
    };
    if !user.role.is_staff() {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "This account is not allowed in the staff dashboard.",
        );
    }
    let token = RandomToken::generate();
    let csrf_token = RandomToken::generate().text;
    let stored = store::insert(
        &state.db.pool,
        &token.hash,
        user.id,
        &csrf_token,
        now_micros(),
    )
    .await;
    if let Err(error) = stored {
        return crate::error::ApiError::from(error).into_response();
    }
    let jar = jar
        .remove(session::removal(SIGN_IN_CSRF_COOKIE))
        .add(session::cookie(SESSION_COOKIE, token.text, &origin));
    (jar, Redirect::to("/dashboard/")).into_response()
}

/// `POST /dashboard/logout/`: ends the session.
async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    StaffForm { session, .. }: StaffForm,
) -> Response {
    if let Err(error) = store::delete(&state.db.pool, session.id).await {
        return crate::error::ApiError::from(error).into_response();
    }
    let jar = jar.remove(session::removal(SESSION_COOKIE));
    (jar, Redirect::to("/dashboard/login/")).into_response()
}

/// The sign-in form, with what was typed and what went wrong.
fn sign_in_form(
    status: StatusCode,
    csrf_token: &str,
    email: &str,
    problem: Option<&str>,
) -> Response {
    pages::render(
        status,
        "sign_in.html",
        context! { csrf_token, email, problem, user => Value::from(()) },
    )
}
