//! Reviews by product and by user, and a product's rating statistics.

use std::collections::BTreeMap;

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{self, ReviewFilter, ReviewView};
use crate::{
    catalog::Rating,
    db::Flag,
    error::ApiError,
    http::{
        auth::{AuthUser, CurrentUser, MaybeUser},
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// `reviews/product/{id}/stats/`: counts over the product's visible reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewStats {
    pub total_reviews: i64,
    /// Rounded to two places; `0` without reviews.
    pub average_rating: Rating,
    /// `{"1": n, …, "5": n}`, every rating present.
    pub rating_distribution: BTreeMap<String, i64>,
}

/// One page of `filter`'s reviews as `viewer` sees them (emails masked unless theirs or staff).
async fn page_of(
    state: &AppState,
    filter: ReviewFilter,
    page: &PageRequest,
    viewer: Option<&AuthUser>,
) -> Result<axum::Json<Page<ReviewView>>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let (count, reviews) = model::list(&mut conn, &filter, page.limit(), page.offset()).await?;
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
        order: model::ordering(query.get("ordering")),
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
    let active: Option<Flag> = sqlx::query_scalar("SELECT is_active FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut *conn)
        .await?;
    if !matches!(active, Some(Flag(true))) {
        return Err(ApiError::not_found());
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT rating, COUNT(*) FROM reviews WHERE product_id = $1 AND is_hidden = FALSE \
         GROUP BY rating",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut rating_distribution: BTreeMap<String, i64> =
        (1..=5).map(|r: i64| (r.to_string(), 0)).collect();
    let (mut total, mut sum) = (0, 0);
    for (rating, count) in rows {
        rating_distribution.insert(rating.to_string(), count);
        total += count;
        sum += rating * count;
    }
    let average = if total == 0 {
        0.0
    } else {
        sum as f64 / total as f64
    };
    Ok(axum::Json(ReviewStats {
        total_reviews: total,
        average_rating: Rating(average),
        rating_distribution,
    }))
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
        order: model::ordering(query.get("ordering")),
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
        order: model::ordering(query.get("ordering")),
        ..ReviewFilter::default()
    };
    page_of(&state, filter, &page, viewer.as_ref()).await
}
