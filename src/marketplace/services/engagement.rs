//! What clients do with a service they can see: like it (a toggle) and, after a completed
//! contract for it, comment on it with a rating.

use super::{
    actions,
    request::CommentWrite,
    store::{self, CommentScope, Eligibility},
    viewer::Viewer,
    views::{CommentView, LikeView},
};
use crate::{
    accounts::AuthUser,
    error::ApiError,
    http::pagination::{Page, PageRequest},
    notify::{notify_user, Notice, NotificationType},
    state::AppState,
    validation::Draft,
};

/// Toggles the caller's like of service `id` (which they must be able to see).
pub async fn toggle_like(
    state: &AppState,
    user: &AuthUser,
    id: &str,
) -> Result<LikeView, ApiError> {
    let viewer = Viewer::of(&state.db, Some(user)).await?;
    actions::get(&state.db, &viewer, id).await?;
    let (liked, likes_count) = store::toggle_like(&state.db, id, user.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(LikeView { liked, likes_count })
}

/// One page of service `id`'s comments, newest first, for a viewer who can see it.
pub async fn comments(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    page: &PageRequest,
) -> Result<Page<CommentView>, ApiError> {
    actions::get(&state.db, viewer, id).await?;
    let (count, comments) = store::comments(
        &state.db,
        &CommentScope::Service(id),
        page.limit(),
        page.offset(),
    )
    .await?;
    page.page(count, comments)
}

/// What the provider is told of a new comment.
fn commented(service_id: &str, title: &str, user: &AuthUser, rating: i64) -> Notice {
    Notice {
        kind: NotificationType::Review,
        title: format!("New review: {title}"),
        message: format!("{} rated {title} {rating}/5.", user.username),
        action_url: format!("/services/{service_id}"),
        email: None,
    }
}

/// Comments on service `id` for the caller's oldest completed contract for it that has no
/// comment yet. In one transaction, holding the service's row lock from the first write: the
/// comment, the service's and the provider's rating sums and counts, and the provider's
/// notification. `404` for a service the caller can't see, then `400` for the body, then `403`
/// without a completed contract and `409` when every one already has its comment.
pub async fn comment(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    draft: Draft<CommentWrite>,
) -> Result<CommentView, ApiError> {
    let db = &state.db;
    let viewer = Viewer::of(db, Some(user)).await?;
    actions::get(db, &viewer, id).await?;
    let body = draft.finish()?;
    let mut tx = db.begin_write().await?;
    let (title, provider) = store::count_rating(&mut tx, id, body.rating)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let contract = match store::eligibility(&mut tx, id, user.id).await? {
        Eligibility::Contract(contract) => contract,
        Eligibility::AllCommented => return Err(store::already_commented()),
        Eligibility::NoContract => {
            return Err(ApiError::client(
                axum::http::StatusCode::FORBIDDEN,
                "no_completed_contract",
                "Only a client with a completed contract for this service may comment on it.",
            ))
        }
    };
    let view =
        store::insert_comment(&mut tx, id, &contract, user.id, body.rating, &body.comment).await?;
    let provider_user = store::count_provider_rating(&mut tx, &provider, body.rating).await?;
    let notice = commented(id, &title, user, body.rating);
    let announcement = notify_user(&mut tx, provider_user, &notice).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    Ok(view)
}
