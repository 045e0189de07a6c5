//! The dashboard's static files, compiled into the binary: its stylesheet (and the vendored
//! scripts, `assets/README.md`), each cacheable for an hour.

use axum::{http::header, response::IntoResponse, routing::get, Router};

use crate::state::AppState;

/// The dashboard's one stylesheet.
const STYLESHEET: &str = include_str!("../../assets/dashboard/dashboard.css");

/// The static files' routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard/static/dashboard.css", get(stylesheet))
}

/// The stylesheet.
async fn stylesheet() -> impl IntoResponse {
    static_file("text/css; charset=utf-8", STYLESHEET)
}

/// A static file of type `content_type`, cacheable for an hour.
fn static_file(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
