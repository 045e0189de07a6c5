//! Every SQL statement on categories: reads here, with `products_count` (active products in the
//! category and all its descendants) summed for a whole page in the same query by a recursive
//! CTE over the categories' own counts (`active_products`, kept by triggers on `products`:
//! migration 20); the staff writes in [`write`].

mod write;

pub use write::{delete, insert, update};

use sqlx::AnyConnection;

use super::views::CategoryView;
use crate::{
    db::{types::format_micros, Db, SqlBuilder},
    error::ApiError,
};

/// Categories are listed by name, case-insensitively so both engines agree.
const NAME_ORDER: &str = "LOWER(name), id";

/// A category with a products count (of its subtree, or of itself only for the tree).
#[derive(Debug, sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    name: String,
    slug: String,
    description: String,
    parent_id: Option<i64>,
    created_at: i64,
    products_count: i64,
}

impl From<CategoryRow> for CategoryView {
    fn from(row: CategoryRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
            description: row.description,
            parent: row.parent_id,
            products_count: row.products_count,
            created_at: format_micros(row.created_at),
        }
    }
}

/// Categories picked by `build` (a `WHERE`/`LIMIT` tail bound on the builder), by name, with
/// their products counts: one statement.
async fn select(
    db: &Db,
    build: impl FnOnce(&mut SqlBuilder),
) -> Result<Vec<CategoryView>, ApiError> {
    let mut sql = SqlBuilder::new(
        "WITH RECURSIVE picked AS (SELECT id, name, slug, description, parent_id, created_at FROM categories",
    );
    build(&mut sql);
    sql.push(&format!(
        "), tree(root_id, id) AS (SELECT id, id FROM picked \
         UNION SELECT tree.root_id, child.id FROM categories child JOIN tree ON child.parent_id = tree.id) \
         SELECT picked.id, picked.name, picked.slug, picked.description, picked.parent_id, picked.created_at, \
         (SELECT CAST(SUM(c.active_products) AS BIGINT) FROM tree JOIN categories c ON c.id = tree.id \
          WHERE tree.root_id = picked.id) AS products_count \
         FROM picked ORDER BY {NAME_ORDER}"
    ));
    let rows: Vec<CategoryRow> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One page of categories by name.
pub async fn page(db: &Db, limit: i64, offset: i64) -> Result<Vec<CategoryView>, ApiError> {
    select(db, |sql| {
        sql.push(&format!(" ORDER BY {NAME_ORDER} LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
    })
    .await
}

/// How many categories exist.
pub async fn count(db: &Db) -> Result<i64, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM categories")
            .fetch_one(&db.pool)
            .await?,
    )
}

/// The category named by `key` (an id or a slug).
pub async fn find(db: &Db, key: &str) -> Result<Option<CategoryView>, ApiError> {
    let mut found = select(db, |sql| {
        match key.parse::<i64>() {
            Ok(id) => sql.push(" WHERE id = ").push_bind(id),
            Err(_) => sql.push(" WHERE slug = ").push_bind(key),
        };
    })
    .await?;
    Ok(found.pop())
}

/// The id of the category named by `key` (an id or a slug), if it exists.
pub async fn resolve(db: &Db, key: &str) -> Result<Option<i64>, ApiError> {
    let query = match key.parse::<i64>() {
        Ok(id) => sqlx::query_scalar("SELECT id FROM categories WHERE id = $1").bind(id),
        Err(_) => sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1").bind(key),
    };
    Ok(query.fetch_optional(&db.pool).await?)
}

/// True when category `id` exists.
pub async fn exists(db: &Db, id: i64) -> Result<bool, ApiError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM categories WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.is_some())
}

/// The category named by `key` (id or slug) and all its descendants, in one recursive query;
/// `None` when there is no such category. Product lists filter by these ids as literals rather
/// than by a recursive CTE in the same statement: the planner can't estimate a CTE's rows and
/// took a one-leaf filter for a weak one (a price-index scan over thousands of rows instead of
/// the category index; docs/PERFORMANCE.md, log 15).
pub async fn scope(db: &Db, key: &str) -> Result<Option<Vec<i64>>, ApiError> {
    let (start, id) = match key.parse::<i64>() {
        Ok(id) => ("id = $1", Some(id)),
        Err(_) => ("slug = $1", None),
    };
    // UNION (not ALL), so even a cyclic row terminates.
    let sql = format!(
        "WITH RECURSIVE scope(id) AS (SELECT id FROM categories WHERE {start} \
         UNION SELECT child.id FROM categories child JOIN scope ON child.parent_id = scope.id) \
         SELECT id FROM scope ORDER BY id"
    );
    let query = match id {
        Some(id) => sqlx::query_scalar(&sql).bind(id),
        None => sqlx::query_scalar(&sql).bind(key),
    };
    let ids: Vec<i64> = query.fetch_all(&db.pool).await?;
    Ok((!ids.is_empty()).then_some(ids))
}

/// Every category in display order, each counting only its own active products: the tree
/// (`tree::build_forest`) and the product index (`tree::subtree_totals`) sum them up in memory.
/// On a connection, so the product index reads it in its snapshot's transaction.
pub async fn all_with_own_counts(
    conn: &mut AnyConnection,
) -> Result<Vec<CategoryView>, sqlx::Error> {
    let rows: Vec<CategoryRow> = sqlx::query_as(&format!(
        "SELECT id, name, slug, description, parent_id, created_at, \
         active_products AS products_count FROM categories ORDER BY {NAME_ORDER}"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every category's id, name and parent, for a picker (no counts: one cheap scan).
pub async fn names(db: &Db) -> Result<Vec<(i64, String, Option<i64>)>, ApiError> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, name, parent_id FROM categories ORDER BY {NAME_ORDER}"
    ))
    .fetch_all(&db.pool)
    .await?)
}
