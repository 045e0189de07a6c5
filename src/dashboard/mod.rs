//! The staff dashboard at `/dashboard/` (SPEC §3.9): HTML pages rendered on the server for staff
//! and admins, who sign in to a server-side session (docs/dashboard.md).
//!
//! One module per section of the menu, each with its `routes()` and its `TEMPLATES`. The pages
//! call the features' own fronts (`accounts::authenticate`, `analytics::dashboard_of`,
//! `catalog`, `inventory`, `orders`, `reviews`, `jobs`, `marketplace`), never a second version of a rule, so the
//! books, notifications and cache invalidation stay what the API makes them. Every form goes
//! through [`extract::StaffForm`], which refuses a missing or wrong CSRF token before a handler
//! runs.

/// `("name", source)` of `templates/dashboard/<name>`, compiled into the binary.
macro_rules! template {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/dashboard/",
                $name
            )),
        )
    };
}

mod assets;
mod attention;
mod catalog;
mod extract;
mod jobs;
mod marketplace;
mod orders;
mod overview;
mod pages;
mod paging;
mod products;
mod reviews;
mod session;
mod sign_in;
mod store;
mod users;

pub use session::delete_idle_sessions;

use axum::{routing::any, Router};

use crate::state::AppState;

/// Every dashboard route; an unknown `/dashboard/…` path is the dashboard's own 404 page.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::routes())
        .merge(overview::routes())
        .merge(products::routes())
        .merge(catalog::routes())
        .merge(orders::routes())
        .merge(reviews::routes())
        .merge(marketplace::routes())
        .merge(users::routes())
        .merge(jobs::routes())
        .merge(assets::routes())
        .route("/dashboard/{*rest}", any(pages::not_found_page))
}

/// Every template, by section (`pages` builds one environment from them).
const TEMPLATES: &[&[(&str, &str)]] = &[
    pages::TEMPLATES,
    sign_in::TEMPLATES,
    overview::TEMPLATES,
    products::TEMPLATES,
    catalog::TEMPLATES,
    orders::TEMPLATES,
    reviews::TEMPLATES,
    marketplace::TEMPLATES,
    users::TEMPLATES,
    jobs::TEMPLATES,
];
