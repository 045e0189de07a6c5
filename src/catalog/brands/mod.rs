//! Brands: `{id, name, slug, description}`; anyone reads, staff write.

pub mod handlers;

use serde::Serialize;
use serde_json::Value;
use sqlx::{any::AnyRow, Row};
use utoipa::ToSchema;

use crate::db::SqlBuilder;
use crate::validation::Form;
use crate::{
    catalog::{
        search,
        slugs::{self, SlugTable},
    },
    db::{now_micros, Db, ResultExt, Violation},
    error::{ApiError, FieldErrors},
    http::pagination::{Page, PageRequest},
};

const DUPLICATE_SLUG: &str = "brand with this slug already exists.";
const COLUMNS: &str = "id, name, slug, description";

/// A brand as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrandView {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
}

fn view(row: &AnyRow) -> Result<BrandView, sqlx::Error> {
    Ok(BrandView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        description: row.try_get("description")?,
    })
}

/// One page of brands by name (case-insensitive, so both engines agree).
pub async fn list(db: &Db, page: &PageRequest) -> Result<Page<BrandView>, ApiError> {
    let count: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM brands")
        .fetch_one(&db.pool)
        .await?;
    let mut sql = SqlBuilder::new(&format!(
        "SELECT {COLUMNS} FROM brands ORDER BY LOWER(name), id LIMIT "
    ));
    sql.push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows = if page.offset() < count {
        sql.fetch_all(&db.pool).await?
    } else {
        Vec::new()
    };
    page.page(count, rows.iter().map(view).collect::<Result<_, _>>()?)
}

/// The id of the brand named by `key` (an id or a slug), if it exists.
pub async fn resolve(db: &Db, key: &str) -> Result<Option<i64>, ApiError> {
    let query = match key.parse::<i64>() {
        Ok(id) => sqlx::query_scalar("SELECT id FROM brands WHERE id = $1").bind(id),
        Err(_) => sqlx::query_scalar("SELECT id FROM brands WHERE slug = $1").bind(key),
    };
    Ok(query.fetch_optional(&db.pool).await?)
}

/// The brand named by `key`, or `404`.
pub async fn get(db: &Db, key: &str) -> Result<BrandView, ApiError> {
    let id = resolve(db, key).await?.ok_or_else(ApiError::not_found)?;
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM brands WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref()
        .map(view)
        .transpose()?
        .ok_or_else(ApiError::not_found)
}

/// The writable fields a request set (`None` = not sent).
#[derive(Debug, Clone, Default)]
struct BrandChanges {
    name: Option<String>,
    slug: Option<String>,
    description: Option<String>,
}

impl BrandChanges {
    fn parse(body: Value, partial: bool) -> Result<Self, ApiError> {
        let mut form = Form::new(body, partial)?;
        let changes = Self {
            name: form.text("name", true, false, Some(255)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: form.text("description", false, true, None),
        };
        if let Some(slug) = changes.slug.as_deref().filter(|s| !s.is_empty()) {
            if let Err(message) = slugs::validate(SlugTable::Brands, slug) {
                form.errors.add("slug", message);
            }
        }
        form.finish(Some(()))?;
        Ok(changes)
    }
}

/// Creates a brand; the slug is generated from the name when not given.
pub async fn create(db: &Db, body: Value) -> Result<BrandView, ApiError> {
    let changes = BrandChanges::parse(body, false)?;
    let name = changes.name.clone().unwrap_or_default();
    let insert = |slug: String| {
        let name = name.clone();
        let description = changes.description.clone().unwrap_or_default();
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
    let result = match changes.slug.as_deref().filter(|s| !s.is_empty()) {
        Some(slug) => insert(slug.to_owned()).await,
        None => {
            let base = slugs::base_slug(SlugTable::Brands, &name);
            slugs::insert_with_unique_slug(&db.pool, SlugTable::Brands, &base, insert).await
        }
    };
    let id = result.on_constraint(write_error)?;
    get(db, &id.to_string()).await
}

/// Applies a PUT (`partial = false`) or PATCH; a rename is carried into product search text.
pub async fn update(db: &Db, key: &str, body: Value, partial: bool) -> Result<BrandView, ApiError> {
    let id = resolve(db, key).await?.ok_or_else(ApiError::not_found)?;
    let changes = BrandChanges::parse(body, partial)?;
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
        .on_constraint(write_error)?;
    if changes.name.is_some() {
        search::refresh_for_brand(&mut *tx, id, false).await?;
    }
    tx.commit().await?;
    get(db, &id.to_string()).await
}

/// Deletes a brand; its products stay, without a brand (and without its name in their search text).
pub async fn delete(db: &Db, key: &str) -> Result<(), ApiError> {
    let id = resolve(db, key).await?.ok_or_else(ApiError::not_found)?;
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

/// A slug taken by another brand is the client's `400`.
fn write_error(violation: Violation<'_>) -> Option<ApiError> {
    (violation == Violation::Unique("brands_slug_key"))
        .then(|| FieldErrors::single("slug", DUPLICATE_SLUG))
}
