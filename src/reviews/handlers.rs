//! Review CRUD: the public list, create (one per user and product), detail, owner updates and
//! owner-or-staff deletes. Someone else's review answers `404`, never `403` (SPEC §2, §5).

use axum::{extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{self, ReviewFilter, ReviewView};
use crate::{
    db::{now_micros, Flag, ResultExt, Violation},
    error::{ApiError, FieldErrors},
    http::{
        auth::{CurrentUser, MaybeUser},
        extract::{Json, Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// Longest comment accepted (the Django model's text field is unbounded; we cap it).
pub const MAX_COMMENT_CHARS: usize = 5000;

const DUPLICATE: &str = "You have already reviewed this product.";

/// `POST reviews/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReview {
    pub product: i64,
    /// 1 to 5.
    pub rating: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `PUT/PATCH reviews/{id}/` body; the product and author can't be changed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewChanges {
    pub rating: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

fn check_rating(rating: i64, errors: &mut FieldErrors) {
    if !(1..=5).contains(&rating) {
        errors.add("rating", format!("\"{rating}\" is not a valid choice."));
    }
}

fn check_comment(comment: &str, errors: &mut FieldErrors) {
    if comment.chars().count() > MAX_COMMENT_CHARS {
        errors.add(
            "comment",
            format!("Ensure this field has no more than {MAX_COMMENT_CHARS} characters."),
        );
    }
}

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
        order: model::ordering(query.get("ordering")),
    };
    let mut conn = state.db.pool.acquire().await?;
    let (count, reviews) = model::list(&mut conn, &filter, page.limit(), page.offset()).await?;
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
    Json(body): Json<NewReview>,
) -> Result<(StatusCode, axum::Json<ReviewView>), ApiError> {
    let comment = body.comment.unwrap_or_default().trim().to_owned();
    let mut errors = FieldErrors::new();
    let mut tx = state.db.begin_write().await?;
    let active: Option<Flag> = sqlx::query_scalar("SELECT is_active FROM products WHERE id = $1")
        .bind(body.product)
        .fetch_optional(&mut *tx)
        .await?;
    if !matches!(active, Some(Flag(true))) {
        errors.add(
            "product",
            format!("Invalid pk \"{}\" - object does not exist.", body.product),
        );
    }
    check_rating(body.rating, &mut errors);
    check_comment(&comment, &mut errors);
    errors.into_result()?;
    // The pre-check only words the common case; the UNIQUE constraint decides races below.
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM reviews WHERE user_id = $1 AND product_id = $2")
            .bind(user.id)
            .bind(body.product)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Err(FieldErrors::single("non_field_errors", DUPLICATE));
    }
    let now = now_micros();
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO reviews (user_id, product_id, rating, comment, is_hidden, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, FALSE, $5, $5) RETURNING id",
    )
    .bind(user.id)
    .bind(body.product)
    .bind(body.rating)
    .bind(&comment)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id = inserted.on_constraint(|violation| {
        (violation == Violation::Unique("reviews_user_id_product_id_key"))
            .then(|| FieldErrors::single("non_field_errors", DUPLICATE))
    })?;
    model::refresh_product_rating(&mut tx, body.product).await?;
    let review = model::one(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(review)))
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
    let review = model::visible(&mut conn, id, user.as_ref()).await?;
    Ok(axum::Json(review.seen_by(user.as_ref())))
}

/// Applies `changes` to the caller's own review; `rating_required` for PUT.
async fn change_review(
    state: &AppState,
    user_id: i64,
    id: i64,
    changes: ReviewChanges,
    rating_required: bool,
) -> Result<axum::Json<ReviewView>, ApiError> {
    let mut errors = FieldErrors::new();
    match changes.rating {
        Some(rating) => check_rating(rating, &mut errors),
        None if rating_required => errors.add("rating", "This field is required."),
        None => {}
    }
    let comment = changes.comment.map(|c| c.trim().to_owned());
    if let Some(comment) = &comment {
        check_comment(comment, &mut errors);
    }
    let mut tx = state.db.begin_write().await?;
    let review = model::one(&mut tx, id)
        .await?
        .filter(|review| review.user == user_id)
        .ok_or_else(ApiError::not_found)?;
    errors.into_result()?;
    sqlx::query("UPDATE reviews SET rating = $1, comment = $2, updated_at = $3 WHERE id = $4")
        .bind(changes.rating.unwrap_or(review.rating))
        .bind(comment.unwrap_or(review.comment))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    model::refresh_product_rating(&mut tx, review.product).await?;
    let review = model::one(&mut tx, id)
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
    Json(changes): Json<ReviewChanges>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    change_review(&state, user.id, id, changes, true).await
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
    Json(changes): Json<ReviewChanges>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    change_review(&state, user.id, id, changes, false).await
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
    let review = model::one(&mut tx, id)
        .await?
        .filter(|review| review.user == user.id || user.role.is_staff())
        .ok_or_else(ApiError::not_found)?;
    sqlx::query("DELETE FROM reviews WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    model::refresh_product_rating(&mut tx, review.product).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
