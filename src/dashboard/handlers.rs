//! The dashboard's pages: sign-in, sign-out and the overview.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension, Form,
};
use axum_extra::extract::cookie::CookieJar;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{
    pages,
    session::{self, StaffSession, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE},
    store,
};
use crate::{
    accounts,
    analytics::{self, FiguresCache},
    db::now_micros,
    http::{extract::QueryPairs, origin::RequestOrigin, rate_limit::ClientKey},
    random_token::RandomToken,
    state::AppState,
};

/// The dashboard's one stylesheet.
const STYLESHEET: &str = include_str!("../../assets/dashboard/dashboard.css");

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

/// A form that only carries its CSRF token (sign-out).
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

/// `GET /dashboard/login/`: the form, with a fresh CSRF token in it and in its cookie.
pub async fn sign_in_page(origin: RequestOrigin, jar: CookieJar) -> Response {
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
pub async fn sign_in(
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
pub async fn sign_out(
    State(state): State<AppState>,
    session: StaffSession,
    jar: CookieJar,
    Form(form): Form<TokenForm>,
) -> Response {
    if !session.csrf_matches(&form.csrf_token) {
        return session::forged();
    }
    if let Err(error) = store::delete(&state.db.pool, session.id).await {
        return crate::error::ApiError::from(error).into_response();
    }
    let jar = jar.remove(session::removal(SESSION_COOKIE));
    (jar, Redirect::to("/dashboard/login/")).into_response()
}

/// `GET /dashboard/?from=&to=`: the analytics dashboard's figures for the period (the last 30
/// days by default), as `GET analytics/dashboard/` computes them.
pub async fn overview(
    State(state): State<AppState>,
    Extension(figures): Extension<FiguresCache>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let (from, to) = (query.get("from"), query.get("to"));
    let (view, problem) = match analytics::dashboard_of(&state, &figures, from, to).await {
        Ok(view) => (Value::from(minijinja::value::Serde(view)), None),
        Err(error) if error.status() == StatusCode::BAD_REQUEST => (
            Value::from(()),
            Some("Choose dates as YYYY-MM-DD, the first before the last, at most 366 days apart."),
        ),
        Err(error) => return error.into_response(),
    };
    pages::render(
        StatusCode::OK,
        "overview.html",
        context! {
            user => context! { email => session.email, id => session.user_id },
            csrf_token => session.csrf_token,
            figures => view,
            problem,
            from => from.unwrap_or_default(),
            to => to.unwrap_or_default(),
        },
    )
}

/// The stylesheet, cacheable for an hour.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
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
