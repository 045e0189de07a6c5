//! Every SQL statement on services, their likes and their comments.

use sqlx::AnyConnection;

use super::{
    filters::ServiceFilters,
    request::ServiceWrite,
    search,
    viewer::Viewer,
    views::{CommentView, ServiceView},
};
use crate::{
    db::{now_micros, types::format_micros, Backend, Db, Flag, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    marketplace::ids,
    money::Money,
    reviews::Rating,
    validation::messages,
};

const COLUMNS: &str = "s.id, s.provider_id, s.category_id, s.title, s.description, \
     s.price_from_cents, s.price_unit, s.duration_minutes, s.is_active, s.rating_sum, \
     s.reviews_count, s.likes_count, s.created_at";

/// A service as [`COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: String,
    pub provider_id: String,
    category_id: Option<String>,
    title: String,
    description: String,
    price_from_cents: i64,
    price_unit: String,
    duration_minutes: Option<i64>,
    is_active: Flag,
    rating_sum: i64,
    reviews_count: i64,
    likes_count: i64,
    created_at: i64,
}

impl ServiceRow {
    pub fn is_active(&self) -> bool {
        self.is_active.0
    }
}

/// The average of `count` ratings summing to `sum`; 0 when there are none.
pub fn average(sum: i64, count: i64) -> Rating {
    Rating(if count > 0 {
        sum as f64 / count as f64
    } else {
        0.0
    })
}

impl From<ServiceRow> for ServiceView {
    fn from(row: ServiceRow) -> Self {
        Self {
            rating: average(row.rating_sum, row.reviews_count),
            id: row.id,
            provider: row.provider_id,
            category: row.category_id,
            title: row.title,
            description: row.description,
            price_from: Money::from_cents(row.price_from_cents),
            price_unit: row.price_unit,
            duration_minutes: row.duration_minutes,
            is_active: row.is_active.0,
            reviews_count: row.reviews_count,
            likes_count: row.likes_count,
            created_at: format_micros(row.created_at),
        }
    }
}

/// A category that vanished between the check and the write is the same `400` as one that
/// never existed.
fn category_error(category: Option<&str>) -> impl FnOnce(Violation<'_>) -> Option<ApiError> + '_ {
    move |violation| {
        (violation == Violation::ForeignKey).then(|| {
            FieldErrors::single(
                "category",
                messages::missing_reference(category.unwrap_or_default()),
            )
        })
    }
}

/// Service `id`, whoever may see it.
pub async fn find(db: &Db, id: &str) -> Result<Option<ServiceRow>, ApiError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM services s WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// True when service `id` exists and belongs to provider `provider_id`.
pub async fn owned_by(db: &Db, id: &str, provider_id: &str) -> Result<bool, ApiError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM services WHERE id = $1 AND provider_id = $2")
            .bind(id)
            .bind(provider_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// True when service category `id` exists.
pub async fn category_exists(db: &Db, id: &str) -> Result<bool, ApiError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM service_categories WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.is_some())
}

/// True when provider `id` exists.
pub async fn provider_exists(db: &Db, id: &str) -> Result<bool, ApiError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM providers WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.is_some())
}

/// Keeps to the services `viewer` may see.
fn push_visible(sql: &mut SqlBuilder, viewer: &Viewer) {
    if viewer.staff {
        return;
    }
    match &viewer.provider {
        Some(provider) => {
            sql.push(" AND (s.is_active = TRUE OR s.provider_id = ")
                .push_bind(provider.as_str())
                .push(")");
        }
        None => {
            sql.push(" AND s.is_active = TRUE");
        }
    }
}

/// `FROM ... WHERE ...` of a service list; `false` when the search has no searchable word.
fn push_from(
    sql: &mut SqlBuilder,
    backend: Backend,
    filters: &ServiceFilters,
    viewer: &Viewer,
) -> bool {
    sql.push(" FROM services s");
    if let Some(text) = &filters.search {
        if !search::push_join(sql, backend, text) {
            return false;
        }
    }
    sql.push(" WHERE 1 = 1");
    push_visible(sql, viewer);
    if let Some(category) = &filters.category {
        sql.push(" AND s.category_id = ")
            .push_bind(category.as_str());
    }
    if let Some(provider) = &filters.provider {
        sql.push(" AND s.provider_id = ")
            .push_bind(provider.as_str());
    }
    if let Some(min) = filters.price_min {
        sql.push(" AND s.price_from_cents >= ")
            .push_bind(min.cents());
    }
    if let Some(max) = filters.price_max {
        sql.push(" AND s.price_from_cents <= ")
            .push_bind(max.cents());
    }
    if let Some(hundredths) = filters.min_rating.filter(|&h| h > 0) {
        // The exact average against the bound, in integers: sum / count >= h / 100.
        sql.push(" AND s.reviews_count > 0 AND s.rating_sum * 100 >= ")
            .push_bind(hundredths)
            .push(" * s.reviews_count");
    }
    true
}

/// How many services match, and the page of them at `offset`.
pub async fn list(
    db: &Db,
    filters: &ServiceFilters,
    viewer: &Viewer,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ServiceView>), ApiError> {
    let mut count = SqlBuilder::new("SELECT CAST(COUNT(*) AS BIGINT)");
    if !push_from(&mut count, db.backend, filters, viewer) {
        return Ok((0, Vec::new()));
    }
    let total = count.fetch_i64(&db.pool).await?;
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    let mut sql = SqlBuilder::new(&format!("SELECT {COLUMNS}"));
    push_from(&mut sql, db.backend, filters, viewer);
    filters.push_order_by(&mut sql);
    sql.push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows: Vec<ServiceRow> = sql.query_as().fetch_all(&db.pool).await?;
    Ok((total, rows.into_iter().map(Into::into).collect()))
}

/// Inserts a service of `provider_id` with its search text, in one transaction; returns its id.
pub async fn insert(
    db: &Db,
    provider_id: &str,
    service: &ServiceWrite,
) -> Result<String, ApiError> {
    let id = ids::new_id();
    let category = service.category.clone().flatten();
    let now = now_micros();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO services (id, provider_id, category_id, title, description, price_from_cents, \
         price_unit, duration_minutes, is_active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(provider_id)
    .bind(category.clone())
    .bind(service.title.clone().unwrap_or_default())
    .bind(service.description.clone().unwrap_or_default())
    .bind(service.price_from.map_or(0, Money::cents))
    .bind(service.price_unit.as_deref().unwrap_or("fixed"))
    .bind(service.duration_minutes.flatten())
    .bind(service.is_active.unwrap_or(true))
    .bind(now)
    .execute(&mut *tx)
    .await
    .on_constraint(category_error(category.as_deref()))?;
    crate::marketplace::search_text::refresh(
        &mut tx,
        db.backend,
        crate::marketplace::search_text::Scope::Service(&id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Applies the fields a PUT/PATCH sent to service `id` of `provider_id`, rewriting its search
/// text in the same transaction; `false` when there is no such service of that provider.
pub async fn update(
    db: &Db,
    id: &str,
    provider_id: &str,
    changes: &ServiceWrite,
) -> Result<bool, ApiError> {
    let mut sql = SqlBuilder::new("UPDATE services SET updated_at = ");
    sql.push_bind(now_micros());
    if let Some(category) = &changes.category {
        sql.push(", category_id = ").push_bind(category.clone());
    }
    if let Some(title) = &changes.title {
        sql.push(", title = ").push_bind(title.as_str());
    }
    if let Some(description) = &changes.description {
        sql.push(", description = ").push_bind(description.as_str());
    }
    if let Some(price) = changes.price_from {
        sql.push(", price_from_cents = ").push_bind(price.cents());
    }
    if let Some(unit) = &changes.price_unit {
        sql.push(", price_unit = ").push_bind(unit.as_str());
    }
    if let Some(duration) = changes.duration_minutes {
        sql.push(", duration_minutes = ").push_bind(duration);
    }
    if let Some(active) = changes.is_active {
        sql.push(", is_active = ").push_bind(active);
    }
    sql.push(" WHERE id = ")
        .push_bind(id)
        .push(" AND provider_id = ")
        .push_bind(provider_id);
    let category = changes.category.clone().flatten();
    let mut tx = db.begin_write().await?;
    let done = sql
        .query()
        .execute(&mut *tx)
        .await
        .on_constraint(category_error(category.as_deref()))?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    crate::marketplace::search_text::refresh(
        &mut tx,
        db.backend,
        crate::marketplace::search_text::Scope::Service(id),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes service `id` of `provider_id` (its comments and likes cascade) and takes its
/// comments' ratings off the provider's, in one transaction; `false` when there is no such
/// service of that provider.
pub async fn delete(db: &Db, id: &str, provider_id: &str) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    // The row lock first: a racing comment (which takes it to count itself) is either counted
    // here or finds the service gone.
    let locked = sqlx::query(
        "UPDATE services SET updated_at = updated_at WHERE id = $1 AND provider_id = $2",
    )
    .bind(id)
    .bind(provider_id)
    .execute(&mut *tx)
    .await?;
    if locked.rows_affected() == 0 {
        return Ok(false);
    }
    let (sum, count): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(rating), 0) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
         FROM service_comments WHERE service_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if count > 0 {
        sqlx::query(
            "UPDATE providers SET rating_sum = rating_sum - $1, reviews_count = reviews_count - $2 \
             WHERE id = $3",
        )
        .bind(sum)
        .bind(count)
        .bind(provider_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM services WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Toggles `user_id`'s like of service `id` and its `likes_count` in one transaction: the
/// caller's like afterwards and the new count, or `None` when the service is gone.
///
/// The service's row lock comes first, as in every other write on a service (a comment, a
/// delete): toggles of one service queue on it, so each sees the one before it and makes exactly
/// one change, and `likes_count` moves only with a like row. (Taking it after the like row
/// instead let a racing delete and a like wait on each other: PostgreSQL's deadlock.)
pub async fn toggle_like(db: &Db, id: &str, user_id: i64) -> Result<Option<(bool, i64)>, ApiError> {
    let mut tx = db.begin_write().await?;
    let locked = sqlx::query("UPDATE services SET likes_count = likes_count WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if locked.rows_affected() == 0 {
        return Ok(None);
    }
    let inserted = sqlx::query(
        "INSERT INTO service_likes (service_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(user_id)
    .bind(now_micros())
    .execute(&mut *tx)
    .await?;
    let (liked, step) = if inserted.rows_affected() == 1 {
        (true, 1)
    } else {
        sqlx::query("DELETE FROM service_likes WHERE service_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        (false, -1)
    };
    let count: i64 = sqlx::query_scalar(
        "UPDATE services SET likes_count = likes_count + $1 WHERE id = $2 RETURNING likes_count",
    )
    .bind(step)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some((liked, count)))
}

const COMMENT_COLUMNS: &str =
    "sc.id, sc.service_id, sc.contract_id, sc.user_id, sc.rating, sc.comment, sc.created_at";

/// A comment as [`COMMENT_COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
struct CommentRow {
    id: String,
    service_id: String,
    contract_id: String,
    user_id: i64,
    rating: i64,
    comment: String,
    created_at: i64,
}

impl From<CommentRow> for CommentView {
    fn from(row: CommentRow) -> Self {
        Self {
            id: row.id,
            service: row.service_id,
            contract: row.contract_id,
            user: row.user_id,
            rating: row.rating,
            comment: row.comment,
            created_at: format_micros(row.created_at),
        }
    }
}

/// Which comments a page lists.
pub enum CommentScope<'a> {
    /// On one service.
    Service(&'a str),
    /// On the services of a provider that `viewer` may see.
    Provider(&'a str, &'a Viewer),
}

fn push_comment_scope(sql: &mut SqlBuilder, scope: &CommentScope<'_>) {
    match scope {
        CommentScope::Service(id) => {
            sql.push(" FROM service_comments sc WHERE sc.service_id = ")
                .push_bind(*id);
        }
        CommentScope::Provider(provider, viewer) => {
            sql.push(" FROM service_comments sc JOIN services s ON s.id = sc.service_id WHERE s.provider_id = ")
                .push_bind(*provider);
            push_visible(sql, viewer);
        }
    }
}

/// How many comments are in `scope`, and the page at `offset`, newest first.
pub async fn comments(
    db: &Db,
    scope: &CommentScope<'_>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<CommentView>), ApiError> {
    let mut count = SqlBuilder::new("SELECT CAST(COUNT(*) AS BIGINT)");
    push_comment_scope(&mut count, scope);
    let total = count.fetch_i64(&db.pool).await?;
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    let mut sql = SqlBuilder::new(&format!("SELECT {COMMENT_COLUMNS}"));
    push_comment_scope(&mut sql, scope);
    sql.push(" ORDER BY sc.created_at DESC, sc.id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows: Vec<CommentRow> = sql.query_as().fetch_all(&db.pool).await?;
    Ok((total, rows.into_iter().map(Into::into).collect()))
}

/// Adds `rating` to service `id`'s sum and count, taking its row lock for the rest of the
/// comment's transaction; the service's title and provider, or `None` when it is gone.
pub async fn count_rating(
    conn: &mut AnyConnection,
    id: &str,
    rating: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE services SET rating_sum = rating_sum + $1, reviews_count = reviews_count + 1 \
         WHERE id = $2 RETURNING title, provider_id",
    )
    .bind(rating)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Adds `rating` to provider `id`'s sum and count; the provider's user id.
pub async fn count_provider_rating(
    conn: &mut AnyConnection,
    id: &str,
    rating: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE providers SET rating_sum = rating_sum + $1, reviews_count = reviews_count + 1 \
         WHERE id = $2 RETURNING user_id",
    )
    .bind(rating)
    .bind(id)
    .fetch_one(conn)
    .await
}

/// What `user_id` may still comment on for service `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    /// The oldest of their completed contracts for it that has no comment yet.
    Contract(String),
    /// Every completed contract of theirs for it has its comment.
    AllCommented,
    /// No completed contract of theirs came from a proposal naming it.
    NoContract,
}

/// Which completed contract of `user_id`'s, if any, a new comment on service `id` attaches to.
pub async fn eligibility(
    conn: &mut AnyConnection,
    id: &str,
    user_id: i64,
) -> Result<Eligibility, sqlx::Error> {
    let contracts: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT c.id, sc.id FROM contracts c \
         JOIN proposals p ON p.id = c.proposal_id \
         LEFT JOIN service_comments sc ON sc.contract_id = c.id \
         WHERE p.service_id = $1 AND c.client_id = $2 AND c.status = 'completed' \
         ORDER BY c.created_at, c.id",
    )
    .bind(id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(
        match contracts.iter().find(|(_, comment)| comment.is_none()) {
            Some((contract, _)) => Eligibility::Contract(contract.clone()),
            None if contracts.is_empty() => Eligibility::NoContract,
            None => Eligibility::AllCommented,
        },
    )
}

/// A comment the caller already made on this contract (a racing twin won): `409`.
pub fn already_commented() -> ApiError {
    ApiError::conflict(
        "already_commented",
        "You have already commented on every completed contract for this service.",
    )
}

/// Inserts a comment; its id. A second comment on the same contract is a `409`.
pub async fn insert_comment(
    conn: &mut AnyConnection,
    service_id: &str,
    contract_id: &str,
    user_id: i64,
    rating: i64,
    comment: &str,
) -> Result<CommentView, ApiError> {
    let id = ids::new_id();
    let now = now_micros();
    sqlx::query(
        "INSERT INTO service_comments (id, service_id, contract_id, user_id, rating, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(service_id)
    .bind(contract_id)
    .bind(user_id)
    .bind(rating)
    .bind(comment)
    .bind(now)
    .execute(conn)
    .await
    .on_constraint(|violation| {
        (violation == Violation::Unique("service_comments_contract_id_key"))
            .then(already_commented)
    })?;
    Ok(CommentView {
        id,
        service: service_id.to_owned(),
        contract: contract_id.to_owned(),
        user: user_id,
        rating,
        comment: comment.to_owned(),
        created_at: format_micros(now),
    })
}
