//! Reading categories, with `products_count` (active products in the category and all its
//! descendants) computed for a whole page in the same query by a recursive CTE.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{any::AnyRow, Row};
use utoipa::ToSchema;

use crate::{catalog::sql::SqlBuilder, db::types::format_micros, db::Db, error::ApiError};

/// A category as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    /// The parent category's id, or null for a root.
    pub parent: Option<i64>,
    /// Active products in this category and its descendants.
    pub products_count: i64,
    pub created_at: String,
}

/// A category with its subcategories, for `categories/?tree=true`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryNode {
    #[serde(flatten)]
    pub category: CategoryView,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// Categories are listed by name, case-insensitively so both engines agree.
const NAME_ORDER: &str = "LOWER(name), id";

fn view(row: &AnyRow, count_column: &str) -> Result<CategoryView, sqlx::Error> {
    Ok(CategoryView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        description: row.try_get("description")?,
        parent: row.try_get("parent_id")?,
        products_count: row.try_get(count_column)?,
        created_at: format_micros(row.try_get("created_at")?),
    })
}

/// Categories picked by `filter` (a `WHERE` clause bound on `sql`'s builder), by name, with
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
         (SELECT CAST(COUNT(p.id) AS BIGINT) FROM tree JOIN products p ON p.category_id = tree.id \
          WHERE tree.root_id = picked.id AND p.is_active = TRUE) AS products_count \
         FROM picked ORDER BY {NAME_ORDER}"
    ));
    let rows = sql.fetch_all(&db.pool).await?;
    Ok(rows
        .iter()
        .map(|row| view(row, "products_count"))
        .collect::<Result<_, _>>()?)
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

/// The category named by `key` (id or slug) and all its descendants, in one recursive query;
/// `None` when there is no such category. Product lists filter by these ids as literals rather
/// than by a recursive CTE in the same statement: the planner can't estimate a CTE's rows and
/// took a one-leaf filter for a weak one (a price-index scan over thousands of rows, ~7 ms,
/// instead of the category index).
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

/// Every category as a forest of roots, by name at each level: one query (categories with their
/// own active products counts), the tree and the subtree totals built in memory.
pub async fn tree(db: &Db) -> Result<Vec<CategoryNode>, ApiError> {
    let rows = sqlx::query(&format!(
        "SELECT id, name, slug, description, parent_id, created_at, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM products p WHERE p.category_id = categories.id AND p.is_active = TRUE) \
         AS own_count FROM categories ORDER BY {NAME_ORDER}"
    ))
    .fetch_all(&db.pool)
    .await?;
    let categories: Vec<CategoryView> = rows
        .iter()
        .map(|row| view(row, "own_count"))
        .collect::<Result<_, _>>()?;
    Ok(build_forest(categories))
}

/// Nests `categories` (already in display order) under their parents and sums the counts up.
fn build_forest(categories: Vec<CategoryView>) -> Vec<CategoryNode> {
    let known: std::collections::HashSet<i64> = categories.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<i64>, Vec<CategoryView>> = HashMap::new();
    for category in categories {
        // A parent that doesn't exist can't happen (foreign key); treat it as a root regardless.
        let parent = category.parent.filter(|id| known.contains(id));
        children.entry(parent).or_default().push(category);
    }
    fn grow(
        category: CategoryView,
        children: &mut HashMap<Option<i64>, Vec<CategoryView>>,
    ) -> CategoryNode {
        let kids: Vec<CategoryNode> = children
            .remove(&Some(category.id))
            .unwrap_or_default()
            .into_iter()
            .map(|child| grow(child, children))
            .collect();
        let mut category = category;
        category.products_count += kids
            .iter()
            .map(|kid| kid.category.products_count)
            .sum::<i64>();
        CategoryNode {
            category,
            children: kids,
        }
    }
    let roots = children.remove(&None).unwrap_or_default();
    roots
        .into_iter()
        .map(|root| grow(root, &mut children))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: i64, parent: Option<i64>, own: i64) -> CategoryView {
        CategoryView {
            id,
            name: format!("c{id}"),
            slug: format!("c{id}"),
            description: String::new(),
            parent,
            products_count: own,
            created_at: String::new(),
        }
    }

    #[test]
    fn the_forest_nests_children_and_sums_counts_up() {
        let forest = build_forest(vec![
            category(1, None, 1),
            category(2, Some(1), 2),
            category(3, Some(2), 4),
            category(4, None, 0),
        ]);
        assert_eq!(forest.len(), 2);
        assert_eq!(forest[0].category.products_count, 7);
        assert_eq!(forest[0].children[0].category.products_count, 6);
        assert_eq!(forest[0].children[0].children[0].category.id, 3);
        assert!(forest[1].children.is_empty());
    }
}
