//! Staff writes on categories: unique slugs, no cycles, at most [`MAX_DEPTH`] levels, guarded
//! delete.

use sqlx::AnyConnection;

use crate::{
    catalog::{
        categories::{
            request::CategoryWrite,
            tree::{too_deep, MAX_DEPTH},
        },
        search,
        slugs::{self, SlugTable},
    },
    db::{now_micros, Backend, Db, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    validation::messages,
};

const OWN_PARENT: &str = "A category cannot be its own parent.";
const OWN_ANCESTOR: &str = "A category cannot be its own ancestor.";

/// The level of category `id` (a root is 1), counted up to `MAX_DEPTH + 1` at most so even a
/// corrupt, cyclic chain ends.
async fn level_of(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE up(id, level) AS (SELECT parent_id, 1 FROM categories WHERE id = $1 \
         UNION ALL SELECT c.parent_id, up.level + 1 FROM categories c JOIN up ON c.id = up.id \
         WHERE up.level <= $2) \
         SELECT CAST(COALESCE(MAX(level), 0) AS BIGINT) FROM up",
    )
    .bind(id)
    .bind(MAX_DEPTH)
    .fetch_one(conn)
    .await
}

/// Levels in the subtree under `id`, itself included (a leaf has 1), counted up to
/// `MAX_DEPTH + 1` at most.
async fn height_of(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE down(id, level) AS (SELECT id, 1 FROM categories WHERE id = $1 \
         UNION ALL SELECT c.id, down.level + 1 FROM categories c JOIN down ON c.parent_id = down.id \
         WHERE down.level <= $2) \
         SELECT CAST(COALESCE(MAX(level), 0) AS BIGINT) FROM down",
    )
    .bind(id)
    .bind(MAX_DEPTH)
    .fetch_one(conn)
    .await
}

/// Inserts a category and returns its id (a new row can't close a cycle); one that would sit
/// deeper than [`MAX_DEPTH`] is refused.
pub async fn insert(db: &Db, changes: &CategoryWrite) -> Result<i64, ApiError> {
    if let Some(Some(parent)) = changes.parent {
        let mut conn = db.pool.acquire().await?;
        if level_of(&mut conn, parent).await? + 1 > MAX_DEPTH {
            return Err(too_deep());
        }
    }
    let name = changes.name.clone().unwrap_or_default();
    let insert = |slug: String| {
        let name = name.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO categories (name, slug, description, parent_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(slug)
            .bind(changes.description.clone().unwrap_or_default())
            .bind(changes.parent.flatten())
            .bind(now_micros())
            .fetch_one(&db.pool)
            .await
        }
    };
    slugs::insert_with_slug(
        &db.pool,
        SlugTable::Categories,
        changes.slug.as_deref(),
        &name,
        insert,
    )
    .await
    .on_constraint(violation_error)
}

/// Applies a PUT/PATCH. A new parent is checked for cycles after the row is updated, inside the
/// transaction, so two concurrent re-parentings can't together build a loop: SQLite has a
/// single writer, and on PostgreSQL the table is locked against other category writes first.
pub async fn update(db: &Db, id: i64, changes: &CategoryWrite) -> Result<(), ApiError> {
    if changes.parent == Some(Some(id)) {
        return Err(FieldErrors::single("parent", OWN_PARENT));
    }
    // `id = id` keeps the statement valid for a body that changes nothing; it still tells
    // whether the row exists.
    let mut sql = SqlBuilder::new("UPDATE categories SET id = id");
    if let Some(name) = &changes.name {
        sql.push(", name = ").push_bind(name.as_str());
    }
    if let Some(slug) = changes.slug.as_deref().filter(|s| !s.is_empty()) {
        sql.push(", slug = ").push_bind(slug);
    }
    if let Some(description) = &changes.description {
        sql.push(", description = ").push_bind(description.as_str());
    }
    if let Some(parent) = changes.parent {
        sql.push(", parent_id = ").push_bind(parent);
    }
    sql.push(" WHERE id = ").push_bind(id);

    let mut tx = db.begin_write().await?;
    if changes.parent.is_some() && db.backend == Backend::Postgres {
        // Blocks other writers of categories (not readers) until this transaction ends.
        sqlx::query("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let updated = sql
        .query()
        .execute(&mut *tx)
        .await
        .on_constraint(violation_error)?;
    if updated.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    if let Some(Some(_)) = changes.parent {
        let loops: i64 = sqlx::query_scalar(
            "WITH RECURSIVE up(id) AS (SELECT parent_id FROM categories WHERE id = $1 \
             UNION SELECT c.parent_id FROM categories c JOIN up ON c.id = up.id) \
             SELECT CAST(COUNT(*) AS BIGINT) FROM up WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if loops > 0 {
            // Dropping the transaction rolls the update back.
            return Err(FieldErrors::single("parent", OWN_ANCESTOR));
        }
        // Without a loop, the moved subtree's deepest level is its new level plus its height.
        if level_of(&mut tx, id).await? + height_of(&mut tx, id).await? - 1 > MAX_DEPTH {
            return Err(too_deep());
        }
    }
    if changes.name.is_some() {
        search::refresh_for_category(&mut *tx, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes a category. One that still has products or subcategories is refused with `409`: the
/// foreign keys (`ON DELETE RESTRICT`) make that check race-free, so the delete is attempted.
pub async fn delete(db: &Db, id: i64) -> Result<(), ApiError> {
    let done = sqlx::query("DELETE FROM categories WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
        .on_constraint(|violation| {
            (violation == Violation::ForeignKey).then(|| {
                ApiError::conflict(
                    "category_not_empty",
                    "This category still has products or subcategories; move or delete them first.",
                )
            })
        })?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    Ok(())
}

/// A slug taken by another category, or a parent deleted meanwhile, is the client's `400`.
fn violation_error(violation: Violation<'_>) -> Option<ApiError> {
    match violation {
        Violation::Unique("categories_slug_key") => Some(FieldErrors::single(
            "slug",
            messages::already_exists("category", "slug"),
        )),
        Violation::ForeignKey => Some(FieldErrors::single(
            "parent",
            "The parent category no longer exists.",
        )),
        Violation::Unique(_) => None,
    }
}
