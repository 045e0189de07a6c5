//! The service use cases behind the routes: lists, reads and the provider's writes.

use super::{
    filters::ServiceFilters,
    request::ServiceWrite,
    store::{self, CommentScope},
    viewer::Viewer,
    views::{CommentView, ServiceView},
};
use crate::{
    accounts::AuthUser,
    db::Db,
    error::ApiError,
    http::pagination::{Page, PageRequest},
    marketplace::provider_id_of,
    validation::{messages, Draft},
};

/// One page of the services `viewer` may see, filtered.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    filters: &ServiceFilters,
    page: &PageRequest,
) -> Result<Page<ServiceView>, ApiError> {
    let (count, services) = store::list(db, filters, viewer, page.limit(), page.offset()).await?;
    page.page(count, services)
}

/// Service `id` if `viewer` may see it, else `404`.
pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> Result<ServiceView, ApiError> {
    store::find(db, id)
        .await?
        .filter(|row| viewer.can_see(&row.provider_id, row.is_active()))
        .map(Into::into)
        .ok_or_else(ApiError::not_found)
}

/// Adds the `400` of a category that does not exist to `draft`.
async fn check_category(db: &Db, draft: &mut Draft<ServiceWrite>) -> Result<(), ApiError> {
    if let Some(Some(category)) = &draft.request.category {
        if !store::category_exists(db, category).await? {
            draft
                .errors
                .add("category", messages::missing_reference(category));
        }
    }
    Ok(())
}

/// The caller's provider id; a user without a provider profile may not sell services (`403`).
async fn selling_provider(db: &Db, user: &AuthUser) -> Result<String, ApiError> {
    provider_id_of(db, user.id).await?.ok_or_else(|| {
        ApiError::client(
            axum::http::StatusCode::FORBIDDEN,
            "provider_profile_required",
            "Create a provider profile before offering services.",
        )
    })
}

/// Creates a service of the caller's provider profile.
pub async fn create(
    db: &Db,
    user: &AuthUser,
    mut draft: Draft<ServiceWrite>,
) -> Result<ServiceView, ApiError> {
    let provider = selling_provider(db, user).await?;
    check_category(db, &mut draft).await?;
    let service = draft.finish()?;
    let id = store::insert(db, &provider, &service).await?;
    let viewer = Viewer {
        provider: Some(provider),
        staff: false,
    };
    get(db, &viewer, &id).await
}

/// The caller's provider id when they own service `id`; anyone else gets `404`.
async fn owner(db: &Db, user: &AuthUser, id: &str) -> Result<String, ApiError> {
    match provider_id_of(db, user.id).await? {
        Some(provider) if store::owned_by(db, id, &provider).await? => Ok(provider),
        _ => Err(ApiError::not_found()),
    }
}

/// Applies a PUT or PATCH body to the caller's service `id` (`404` before any `400`).
pub async fn update(
    db: &Db,
    user: &AuthUser,
    id: &str,
    mut draft: Draft<ServiceWrite>,
) -> Result<ServiceView, ApiError> {
    let provider = owner(db, user, id).await?;
    check_category(db, &mut draft).await?;
    let changes = draft.finish()?;
    if !store::update(db, id, &provider, &changes).await? {
        return Err(ApiError::not_found());
    }
    let viewer = Viewer {
        provider: Some(provider),
        staff: false,
    };
    get(db, &viewer, id).await
}

/// Deletes the caller's service `id`, its comments' ratings taken off the provider's.
pub async fn delete(db: &Db, user: &AuthUser, id: &str) -> Result<(), ApiError> {
    let provider = owner(db, user, id).await?;
    if store::delete(db, id, &provider).await? {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// `404` unless provider `id` exists.
async fn known_provider(db: &Db, id: &str) -> Result<(), ApiError> {
    if store::provider_exists(db, id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// One page of provider `id`'s services that `viewer` may see, filtered like the service list.
pub async fn provider_services(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    mut filters: ServiceFilters,
    page: &PageRequest,
) -> Result<Page<ServiceView>, ApiError> {
    known_provider(db, id).await?;
    filters.provider = Some(id.to_owned());
    list(db, viewer, &filters, page).await
}

/// One page of the comments on provider `id`'s services that `viewer` may see, newest first.
pub async fn provider_reviews(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    page: &PageRequest,
) -> Result<Page<CommentView>, ApiError> {
    known_provider(db, id).await?;
    let scope = CommentScope::Provider(id, viewer);
    let (count, comments) = store::comments(db, &scope, page.limit(), page.offset()).await?;
    page.page(count, comments)
}
