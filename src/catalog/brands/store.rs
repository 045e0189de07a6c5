//! Every SQL statement on brands.

use super::{request::BrandWrite, views::BrandView};
use crate::{
    catalog::{
        search,
        slugs::{self, SlugTable},
    },
    db::{now_micros, Db, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    validation::messages,
};

const COLUMNS: &str = "id, name, slug, description";

/// A brand as [`COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
struct BrandRow {
    id: i64,
    name: String,
    slug: String,
    description: String,
}

impl From<BrandRow> for BrandView {
    fn from(row: BrandRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
            description: row.description,
        }
    }
}

/// A slug taken by another brand is the client's `400`.
fn violation_error(violation: Violation<'_>) -> Option<ApiError> {
    (violation == Violation::Unique("brands_slug_key"))
        .then(|| FieldErrors::single("slug", messages::already_exists("brand", "slug")))
}

/// How many brands exist.
pub async fn count(db: &Db) -> Result<i64, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM brands")
            .fetch_one(&db.pool)
            .await?,
    )
}

/// One page of brands by name (case-insensitive, so both engines agree).
pub async fn page(db: &Db, limit: i64, offset: i64) -> Result<Vec<BrandView>, ApiError> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT {COLUMNS} FROM brands ORDER BY LOWER(name), id LIMIT "
    ));
    sql.push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<BrandRow> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The id of the brand named by `key` (an id or a slug), if it exists.
pub async fn resolve(db: &Db, key: &str) -> Result<Option<i64>, ApiError> {
    let query = match key.parse::<i64>() {
        Ok(id) => sqlx::query_scalar("SELECT id FROM brands WHERE id = $1").bind(id),
        Err(_) => sqlx::query_scalar("SELECT id FROM brands WHERE slug = $1").bind(key),
    };
    Ok(query.fetch_optional(&db.pool).await?)
}

/// True when brand `id` exists.
pub async fn exists(db: &Db, id: i64) -> Result<bool, ApiError> {
    Ok(resolve(db, &id.to_string()).await?.is_some())
}

/// Brand `id`, if it exists.
pub async fn find(db: &Db, id: i64) -> Result<Option<BrandView>, ApiError> {
    let row: Option<BrandRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM brands WHERE id = $1"))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(Into::into))
}

/// Inserts a brand and returns its id; the slug is generated from the name when not given.
pub async fn insert(db: &Db, brand: &BrandWrite) -> Result<i64, ApiError> {
    let name = brand.name.clone().unwrap_or_default();
    let insert = |slug: String| {
        let name = name.clone();
        let description = brand.description.clone().unwrap_or_default();
        async move {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO brands (name, slug, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name)
            .bind(slug)
            .bind(description)
            .bind(now_micros())
            .fetch_one(&db.pool)
            .await
        }
    };
    slugs::insert_with_slug(
        &db.pool,
        SlugTable::Brands,
        brand.slug.as_deref(),
        &name,
        insert,
    )
    .await
    .on_constraint(violation_error)
}

/// Applies the fields a PUT/PATCH sent; a rename is carried into product search text.
pub async fn update(db: &Db, id: i64, changes: &BrandWrite) -> Result<(), ApiError> {
    // `id = id` keeps the statement valid for a body that changes nothing.
    let mut sql = SqlBuilder::new("UPDATE brands SET id = id");
    if let Some(name) = &changes.name {
        sql.push(", name = ").push_bind(name.as_str());
    }
    if let Some(slug) = changes.slug.as_deref().filter(|s| !s.is_empty()) {
        sql.push(", slug = ").push_bind(slug);
    }
    if let Some(description) = &changes.description {
        sql.push(", description = ").push_bind(description.as_str());
    }
    sql.push(" WHERE id = ").push_bind(id);
    let mut tx = db.begin_write().await?;
    sql.query()
        .execute(&mut *tx)
        .await
        .on_constraint(violation_error)?;
    if changes.name.is_some() {
        search::refresh_for_brand(&mut *tx, id, false).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes a brand; its products stay, without a brand (and without its name in their search text).
pub async fn delete(db: &Db, id: i64) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    search::refresh_for_brand(&mut *tx, id, true).await?;
    // `brand_id` is `ON DELETE SET NULL`.
    let done = sqlx::query("DELETE FROM brands WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    tx.commit().await?;
    Ok(())
}

/// Every brand's id and name by name, for a picker.
pub async fn names(db: &Db) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(
        sqlx::query_as("SELECT id, name FROM brands ORDER BY LOWER(name), id")
            .fetch_all(&db.pool)
            .await?,
    )
}
