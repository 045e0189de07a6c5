//! Companies (SPEC §3.12): `{id, name, description, website, owner, members_count, created_at}`.
//! Anyone reads; any signed-in user creates one and owns it; the owner edits and deletes it, and
//! so may staff (moderation). Membership is the provider's own claim (`providers.company_id`),
//! so `members_count` counts the providers naming the company.

mod handlers;
mod request;
mod store;
mod views;
mod website;

use sqlx::AnyConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use request::CompanyWrite;
pub use views::CompanyView;

use crate::state::AppState;

/// True when company `id` exists (a provider may name it).
pub async fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    store::exists(conn, id).await
}

/// The `companies/...` routes.
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_companies, h::create_company))
        .routes(routes!(
            h::get_company,
            h::replace_company,
            h::patch_company,
            h::delete_company
        ))
}
