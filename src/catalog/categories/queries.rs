//! Reading categories, with `products_count` (active products in the category and all its
//! descendants) computed for a whole page in the same query by a recursive CTE.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{any::AnyRow, Row};
use utoipa::ToSchema;

use crate::{db::types::format_micros, db::Db, db::SqlBuilder, error::ApiError};

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

/// Deepest nesting the tree shows; the write rules keep every category within it
/// (`write::MAX_DEPTH`).
const TREE_DEPTH: usize = super::write::MAX_DEPTH as usize;

/// Nests `categories` (already in display order) under their parents and sums the counts up,
/// without recursion and with bounded nesting: data deeper than the write rules allow (written
/// straight to the database) can't overflow the stack here or in the JSON encoder. Every
/// category below level [`TREE_DEPTH`] is listed among the children of its ancestor on that
/// level (its `parent` still names its real parent), so nothing is left out, nesting stops one
/// level below the last, and counts still cover whole subtrees.
fn build_forest(categories: Vec<CategoryView>) -> Vec<CategoryNode> {
    let index: HashMap<i64, usize> = categories
        .iter()
        .enumerate()
        .map(|(at, category)| (category.id, at))
        .collect();
    // A parent that doesn't exist can't happen (foreign key); treat it as a root regardless.
    let parent_of: Vec<Option<usize>> = categories
        .iter()
        .map(|category| category.parent.and_then(|id| index.get(&id).copied()))
        .collect();
    let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); categories.len()];
    let mut roots = Vec::new();
    for (at, parent) in parent_of.iter().enumerate() {
        match parent {
            Some(parent) => children_of[*parent].push(at),
            None => roots.push(at),
        }
    }
    // Breadth first from the roots: every reachable category once, parents before children,
    // each with its level (1 for a root). A category on a cycle is unreachable and left out.
    let mut order: Vec<(usize, usize)> = roots.iter().map(|&at| (at, 1)).collect();
    let mut next = 0;
    while next < order.len() {
        let (at, level) = order[next];
        order.extend(children_of[at].iter().map(|&child| (child, level + 1)));
        next += 1;
    }
    // Where each category is shown: under its parent, or under its ancestor on the last level.
    let mut shown_under: Vec<Option<usize>> = vec![None; categories.len()];
    for &(at, level) in &order {
        shown_under[at] = match parent_of[at] {
            // The parent is itself below the last level: show this where the parent is shown.
            Some(parent) if level > TREE_DEPTH + 1 => shown_under[parent],
            parent => parent,
        };
    }
    // Subtree totals, children before parents.
    let mut totals: Vec<i64> = categories.iter().map(|c| c.products_count).collect();
    for &(at, _) in order.iter().rev() {
        if let Some(parent) = parent_of[at] {
            totals[parent] = totals[parent].saturating_add(totals[at]);
        }
    }
    // Nodes built children first; each list keeps display (name) order.
    let mut slots: Vec<Option<CategoryView>> = categories.into_iter().map(Some).collect();
    let mut built: Vec<Option<CategoryNode>> = (0..slots.len()).map(|_| None).collect();
    let mut shown_children: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for &(at, _) in &order {
        if let Some(under) = shown_under[at] {
            shown_children[under].push(at);
        }
    }
    for under in shown_children.iter_mut() {
        under.sort_unstable();
    }
    for &(at, _) in order.iter().rev() {
        let Some(mut category) = slots[at].take() else {
            continue;
        };
        category.products_count = totals[at];
        let children = shown_children[at]
            .iter()
            .filter_map(|&child| built[child].take())
            .collect();
        built[at] = Some(CategoryNode { category, children });
    }
    roots
        .into_iter()
        .filter_map(|root| built[root].take())
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

    #[test]
    fn a_chain_deeper_than_allowed_is_flattened_below_the_last_level() {
        let depth = 100_000;
        let chain: Vec<CategoryView> = (1..=depth)
            .map(|id| category(id, (id > 1).then(|| id - 1), 1))
            .collect();
        let forest = build_forest(chain);
        assert_eq!(forest.len(), 1);
        assert_eq!(forest[0].category.products_count, depth);
        let mut node = &forest[0];
        for level in 1..TREE_DEPTH {
            assert_eq!(node.children.len(), 1, "level {level}");
            node = &node.children[0];
        }
        assert_eq!(node.category.id, TREE_DEPTH as i64);
        assert_eq!(node.children.len(), (depth as usize) - TREE_DEPTH);
        assert!(node.children.iter().all(|child| child.children.is_empty()));
        assert_eq!(node.children[0].category.parent, Some(TREE_DEPTH as i64));
        assert_eq!(
            node.children[1].category.parent,
            Some(TREE_DEPTH as i64 + 1)
        );
        assert_eq!(
            node.children[1].category.products_count,
            depth - TREE_DEPTH as i64 - 1
        );
        assert!(serde_json::to_string(&forest).is_ok());
    }
}
