//! The staff dashboard at `/dashboard/` (SPEC §3.9): HTML pages rendered on the server for staff
//! and admins, who sign in to a server-side session (docs/dashboard.md).
//!
//! What exists so far: sign-in and sign-out, the session (its cookie, CSRF token and idle
//! timeout) and the overview's figures. The pages call the API's own domain code
//! (`accounts::authenticate`, `analytics::dashboard_of`), never a second version of a rule.

mod handlers;
mod pages;
mod session;
mod store;

use axum::{
    routing::{get, post},
    Extension, Router,
};

use crate::{analytics::FiguresCache, state::AppState};

/// Every dashboard route. The overview keeps its own cache of analytics figures.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/", get(handlers::overview))
        .route(
            "/dashboard/login/",
            get(handlers::sign_in_page).post(handlers::sign_in),
        )
        .route("/dashboard/logout/", post(handlers::sign_out))
        .route("/dashboard/static/dashboard.css", get(handlers::stylesheet))
        .layer(Extension(FiguresCache::default()))
}
