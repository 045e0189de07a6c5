//! Review CRUD: the public list, create (one per user and product), detail, owner updates and
//! owner-or-staff deletes. Someone else's review answers `404`, never `403` (SPEC §2, §5).

use axum::{extract::State, http::StatusCode};

use super::{
    request::{NewReview, ReviewChanges},
    store::{self, NewReviewRow, ReviewFilter},
    views::ReviewView,
};
use crate::{
    accounts::{CurrentUser, MaybeUser},
    db::{ResultExt, Violation},
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
    track::Captured,
    validation::{messages, Draft},
};

const DUPLICATE: &str = "You have already reviewed this product.";

/// Visible reviews, newest first unless `ordering` says otherwise.
#[utoipa::path(get, path = "/reviews/", tag = "reviews", security((), ("bearer" = [])),
    params(("product" = Option<i64>, Query), ("user" = Option<i64>, Query), ("rating" = Option<i64>, Query),
        ("ordering" = Option<String>, Query, description = "`created_at`, `rating` or `helpful_count`, optionally with `-`"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReviewView>), (status = 400, description = "a filter is not an integer"),
        (status = 404, description = "page past the end")))]
pub async fn list_reviews(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<axum::Json<Page<ReviewView>>, ApiError> {
    let filter = ReviewFilter {
        product: query.int("product")?,
        user: query.int("user")?,
        rating: query.int("rating")?,
        include_hidden: false,
        order: store::ordering(query.get("ordering")),
    };
    let mut conn = state.db.pool.acquire().await?;
    let (count, reviews) = store::list(&mut conn, &filter, page.limit(), page.offset()).await?;
    let reviews = reviews
        .into_iter()
        .map(|review| review.seen_by(viewer.as_ref()))
        .collect();
    Ok(axum::Json(page.page(count, reviews)?))
}

/// Reviews a product; one review per user and product.
#[utoipa::path(post, path = "/reviews/", tag = "reviews", security(("bearer" = [])),
    request_body = NewReview,
    responses((status = 201, body = ReviewView),
        (status = 400, description = "invalid rating or product, or already reviewed (`non_field_errors`)"),
        (status = 401, description = "not signed in")))]
pub async fn create_review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    mut draft: Draft<NewReview>,
) -> Result<(StatusCode, Captured, axum::Json<ReviewView>), ApiError> {
    let mut tx = state.db.begin_write().await?;
    if let Some(product) = draft.request.product {
        if !store::product_is_active(&mut tx, product).await? {
            draft
                .errors
                .add("product", messages::missing_reference(product));
        }
    }
    draft.request.check(&mut draft.errors);
    let body = draft.finish()?;
    // Required fields: `finish` refused a body without them.
    let (product, rating) = (
        body.product.unwrap_or_default(),
        body.rating.unwrap_or_default(),
    );
    let comment = body.comment.unwrap_or_default();
    // The pre-check only words the common case; the UNIQUE constraint decides races below.
    if store::has_reviewed(&mut tx, user.id, product).await? {
        return Err(FieldErrors::single("non_field_errors", DUPLICATE));
    }
    let review = NewReviewRow {
        user_id: user.id,
        product_id: product,
        rating,
        comment: &comment,
    };
    let id = store::insert(&mut tx, review)
        .await
        .on_constraint(|violation| {
            (violation == Violation::Unique("reviews_user_id_product_id_key"))
                .then(|| FieldErrors::single("non_field_errors", DUPLICATE))
        })?;
    store::refresh_product_rating(&mut tx, product).await?;
    let review = store::one(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Captured::review(user.id, product),
        axum::Json(review),
    ))
}

/// One review; a hidden one only for its author and staff.
#[utoipa::path(get, path = "/reviews/{id}/", tag = "reviews", security((), ("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 404, description = "no such review, or hidden")))]
pub async fn get_review(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let review = store::visible(&mut conn, id, user.as_ref())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(review.seen_by(user.as_ref())))
}

/// Applies `changes` to the caller's own review (`404` before the body's `400`).
async fn change_review(
    state: &AppState,
    user_id: i64,
    id: i64,
    changes: Draft<ReviewChanges>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let review = store::one(&mut tx, id)
        .await?
        .filter(|review| review.user == user_id)
        .ok_or_else(ApiError::not_found)?;
    let changes = changes.finish()?;
    let rating = changes.rating.unwrap_or(review.rating);
    let comment = changes.comment.unwrap_or(review.comment);
    store::update(&mut tx, id, rating, &comment).await?;
    store::refresh_product_rating(&mut tx, review.product).await?;
    let review = store::one(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    Ok(axum::Json(review))
}

/// Replaces the rating and comment of the caller's own review.
#[utoipa::path(put, path = "/reviews/{id}/", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReviewChanges,
    responses((status = 200, body = ReviewView), (status = 400, description = "invalid rating or comment"),
        (status = 401, description = "not signed in"), (status = 404, description = "no such review, or someone else's")))]
pub async fn replace_review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    changes: Draft<ReviewChanges>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    change_review(&state, user.id, id, changes).await
}

/// Changes the rating and/or comment of the caller's own review.
#[utoipa::path(patch, path = "/reviews/{id}/", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReviewChanges,
    responses((status = 200, body = ReviewView), (status = 400, description = "invalid rating or comment"),
        (status = 401, description = "not signed in"), (status = 404, description = "no such review, or someone else's")))]
pub async fn update_review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    changes: Draft<ReviewChanges>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    change_review(&state, user.id, id, changes).await
}

/// Deletes a review: its author, or staff.
#[utoipa::path(delete, path = "/reviews/{id}/", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "not signed in"),
        (status = 404, description = "no such review, or someone else's")))]
pub async fn delete_review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let review = store::one(&mut tx, id)
        .await?
        .filter(|review| review.user == user.id || user.role.is_staff())
        .ok_or_else(ApiError::not_found)?;
    store::delete(&mut tx, id).await?;
    store::refresh_product_rating(&mut tx, review.product).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
