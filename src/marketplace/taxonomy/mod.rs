//! Service categories and skills (SPEC §3.12): `{id, name, slug, description}` and
//! `{id, name, slug}`; anyone reads, staff write. Slugs follow the catalog's rules
//! (`catalog::slugs`). Both names are part of services' search text, so a rename or a delete
//! rewrites it in the same transaction (`marketplace::search_text`).

mod handlers;
mod kind;
mod request;
mod service;
mod store;
mod views;

use sqlx::AnyConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use request::{ServiceCategoryWrite, SkillWrite};
pub use views::{ServiceCategoryView, SkillView};

use crate::state::AppState;

/// The ids among `ids` that name no skill, in the order given (for a body's `400`).
pub async fn unknown_skills(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    store::unknown_skills(conn, ids).await
}

/// True when service category `id` exists.
pub async fn category_exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    store::category_exists(conn, id).await
}

/// The `service-categories/...` and `skills/...` routes.
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_categories, h::create_category))
        .routes(routes!(
            h::get_category,
            h::replace_category,
            h::patch_category,
            h::delete_category
        ))
        .routes(routes!(h::list_skills, h::create_skill))
        .routes(routes!(
            h::get_skill,
            h::replace_skill,
            h::patch_skill,
            h::delete_skill
        ))
}
