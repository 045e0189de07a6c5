//! The dashboard's static files, compiled into the binary: its stylesheet and script, and the
//! vendored htmx and uPlot (`assets/README.md`), each cacheable for an hour.

use axum::{http::header, response::IntoResponse, routing::get, Router};

use crate::state::AppState;

const CSS: &str = "text/css; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// Each file: its name under `/dashboard/static/`, its type and its content.
const FILES: &[(&str, &str, &str)] = &[
    (
        "dashboard.css",
        CSS,
        include_str!("../../assets/dashboard/dashboard.css"),
    ),
    (
        "dashboard.js",
        JAVASCRIPT,
        include_str!("../../assets/dashboard/dashboard.js"),
    ),
    (
        "htmx.min.js",
        JAVASCRIPT,
        include_str!("../../assets/dashboard/vendor/htmx.min.js"),
    ),
    (
        "uPlot.iife.min.js",
        JAVASCRIPT,
        include_str!("../../assets/dashboard/vendor/uPlot.iife.min.js"),
    ),
    (
        "uPlot.min.css",
        CSS,
        include_str!("../../assets/dashboard/vendor/uPlot.min.css"),
    ),
];

/// The static files' routes.
pub fn routes() -> Router<AppState> {
    FILES
        .iter()
        .fold(Router::new(), |router, &(name, content_type, body)| {
            let serve = move || async move {
                (
                    [
                        (header::CONTENT_TYPE, content_type),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    body,
                )
                    .into_response()
            };
            router.route(&format!("/dashboard/static/{name}"), get(serve))
        })
}
