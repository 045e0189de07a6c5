//! Reviews by product and by user, and a product's rating statistics.

use axum::extract::State;

use super::{
    store::{self, ReviewFilter},
    views::{ReviewStats, ReviewView},
};
use crate::{
    accounts::{AuthUser, CurrentUser, MaybeUser},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// One page of `filter`'s reviews as `viewer` sees them (emails masked unless theirs or staff).
async fn page_of(
    state: &AppState,
    filter: ReviewFilter,
    page: &PageRequest,
    viewer: Option<&AuthUser>,
) -> Result<axum::Json<Page<ReviewView>>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let (count, reviews) = store::list(&mut conn, &filter, page.limit(), page.offset()).await?;
    let reviews = reviews
        .into_iter()
        .map(|review| review.seen_by(viewer))
        .collect();
    Ok(axum::Json(page.page(count, reviews)?))
}

/// A product's visible reviews (an unknown product has none, as the Django backend answers).
#[utoipa::path(get, path = "/reviews/product/{id}/", tag = "reviews", security((), ("bearer" = [])),
    params(("id" = i64, Path), ("ordering" = Option<String>, Query), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReviewView>), (status = 404, description = "page past the end")))]
pub async fn list_product_reviews(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(product_id): Path<i64>,
    query: QueryPairs,
    page: PageRequest,
) -> Result<axum::Json<Page<ReviewView>>, ApiError> {
    let filter = ReviewFilter {
        product: Some(product_id),
        order: store::ordering(query.get("ordering")),
        ..ReviewFilter::default()
    };
    page_of(&state, filter, &page, viewer.as_ref()).await
}

/// Totals, average and distribution of a product's visible reviews.
#[utoipa::path(get, path = "/reviews/product/{id}/stats/", tag = "reviews", params(("id" = i64, Path)),
    responses((status = 200, body = ReviewStats), (status = 404, description = "no such product, or inactive")))]
pub async fn get_product_review_stats(
    State(state): State<AppState>,
    Path(product_id): Path<i64>,
) -> Result<axum::Json<ReviewStats>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    if !store::product_is_active(&mut conn, product_id).await? {
        return Err(ApiError::not_found());
    }
    let counts = store::rating_counts(&mut conn, product_id).await?;
    Ok(axum::Json(ReviewStats::from_counts(counts)))
}

/// The caller's own reviews, hidden ones included.
#[utoipa::path(get, path = "/reviews/user/", tag = "reviews", security(("bearer" = [])),
    params(("ordering" = Option<String>, Query), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReviewView>), (status = 401, description = "not signed in"),
        (status = 404, description = "page past the end")))]
pub async fn list_own_reviews(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<axum::Json<Page<ReviewView>>, ApiError> {
    let filter = ReviewFilter {
        user: Some(user.id),
        include_hidden: true,
        order: store::ordering(query.get("ordering")),
        ..ReviewFilter::default()
    };
    page_of(&state, filter, &page, Some(&user)).await
}

/// A user's visible reviews.
#[utoipa::path(get, path = "/reviews/user/{id}/", tag = "reviews", security((), ("bearer" = [])),
    params(("id" = i64, Path), ("ordering" = Option<String>, Query), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReviewView>), (status = 404, description = "page past the end")))]
pub async fn list_user_reviews(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(user_id): Path<i64>,
    query: QueryPairs,
    page: PageRequest,
) -> Result<axum::Json<Page<ReviewView>>, ApiError> {
    let filter = ReviewFilter {
        user: Some(user_id),
        order: store::ordering(query.get("ordering")),
        ..ReviewFilter::default()
    };
    page_of(&state, filter, &page, viewer.as_ref()).await
}
