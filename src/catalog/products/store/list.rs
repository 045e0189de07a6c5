//! The product list: one page query and one `COUNT` (or, for a search, one query answering
//! both), the same SQL on both engines except the search join (`catalog::search`).

use super::{ProductRow, PRODUCT_COLUMNS, PRODUCT_NAME_JOINS};
use crate::{
    catalog::{
        products::{filters::ProductFilters, key::Visibility, views::ProductView},
        search,
    },
    db::{Db, SqlBuilder},
    error::ApiError,
    http::pagination::PageRequest,
};

/// A listed product; a search's rows also carry how many products matched in all.
#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    product: ProductRow,
    #[sqlx(default)]
    total_count: Option<i64>,
}

/// A product list request after category and brand were resolved to ids.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub filters: ProductFilters,
    /// The asked category and its descendants, sorted by id (the index binary-searches them).
    pub category_ids: Option<Vec<i64>>,
    pub brand_id: Option<i64>,
    pub visibility: Visibility,
}

/// One page of products (without their images) and how many match in all: a page query and a
/// `COUNT`, or for a search one query answering both.
pub async fn list(
    db: &Db,
    query: &ListQuery,
    page: &PageRequest,
) -> Result<(i64, Vec<ProductView>), ApiError> {
    // A search ranks every match before it can cut a page, so its count comes with the page
    // (`COUNT(*) OVER ()`) instead of from a second pass over the matches. A plain list can stop
    // after one page (an index gives the order), so its count is a query of its own.
    let searching = query.filters.search.is_some();
    let known_count = if searching {
        None
    } else {
        // No category/brand joins for the count: they never drop a row (the category is
        // required, the brand join is LEFT), and SQLite would still do two lookups per product.
        let Some(count_sql) = build(db, query, "SELECT CAST(COUNT(*) AS BIGINT) FROM products p")
        else {
            return Ok((0, Vec::new()));
        };
        let count = count_sql.fetch_i64(&db.pool).await?;
        if count == 0 || page.offset() >= count {
            return Ok((count, Vec::new()));
        }
        Some(count)
    };
    let order = query.filters.order_by();
    // A search counts and sorts its matches as bare (id, rank) pairs and cuts the page there;
    // only the page's rows are then read whole, with their names. Counting and sorting a
    // thousand matches with every column was most of a search's cost (docs/PERFORMANCE.md,
    // log 24).
    let select_from = if searching {
        format!(
            "SELECT {PRODUCT_COLUMNS}, s.total_count FROM (SELECT p.id, s.search_rank, \
             CAST(COUNT(*) OVER () AS BIGINT) AS total_count FROM products p"
        )
    } else {
        format!("SELECT {PRODUCT_COLUMNS} FROM products p{PRODUCT_NAME_JOINS}")
    };
    let Some(mut sql) = build(db, query, &select_from) else {
        return Ok((0, Vec::new()));
    };
    sql.push(" ORDER BY ").push(&order);
    sql.push(" LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    if searching {
        // The outer `s` carries `search_rank` under the same name, so one ORDER BY serves both.
        sql.push(") s JOIN products p ON p.id = s.id")
            .push(PRODUCT_NAME_JOINS)
            .push(" ORDER BY ")
            .push(&order);
    }
    let rows: Vec<ListedRow> = sql.query_as().fetch_all(&db.pool).await?;
    let count = match known_count {
        Some(count) => count,
        // No row: nothing matched, or the page is past the end (a 404 either way after page 1).
        None => rows.first().and_then(|row| row.total_count).unwrap_or(0),
    };
    Ok((
        count,
        rows.into_iter().map(|row| row.product.into()).collect(),
    ))
}

/// Every active product matching `text`, with its relevance rank (higher is better): what the
/// product index ranks a search by (`index::searches`). Empty when `text` has no searchable word.
///
/// The rank is the one `list` orders by, widened to a double so both engines decode it alike
/// (PostgreSQL's `ts_rank` is a `real`; widening keeps its order and its ties).
pub async fn search_ranks(db: &Db, text: &str) -> Result<Vec<(i64, f64)>, sqlx::Error> {
    let mut sql =
        SqlBuilder::new("SELECT p.id, CAST(s.search_rank AS DOUBLE PRECISION) FROM products p");
    if !search::push_join(&mut sql, db.backend, text) {
        return Ok(Vec::new());
    }
    sql.push(" WHERE p.is_active = TRUE");
    sql.query_as().fetch_all(&db.pool).await
}

/// `select_from` (`SELECT ... FROM products p ...`) + the search join + `WHERE`; `None` when the
/// search text has no searchable word.
fn build(db: &Db, query: &ListQuery, select_from: &str) -> Option<SqlBuilder> {
    let mut sql = SqlBuilder::new("");
    sql.push(select_from);
    if let Some(text) = &query.filters.search {
        if !search::push_join(&mut sql, db.backend, text) {
            return None;
        }
    }
    sql.push(" WHERE TRUE");
    if query.visibility == Visibility::ActiveOnly {
        sql.push(" AND p.is_active = TRUE");
    }
    if let Some(ids) = &query.category_ids {
        sql.push(" AND p.category_id IN (")
            .push_list(ids.iter().copied())
            .push(")");
    }
    if let Some(brand_id) = query.brand_id {
        sql.push(" AND p.brand_id = ").push_bind(brand_id);
    }
    if let Some(min) = query.filters.price_min {
        sql.push(" AND p.price_cents >= ").push_bind(min.cents());
    }
    if let Some(max) = query.filters.price_max {
        sql.push(" AND p.price_cents <= ").push_bind(max.cents());
    }
    if query.filters.in_stock {
        sql.push(" AND p.stock_quantity > 0");
    }
    if query.filters.featured {
        sql.push(" AND p.is_featured = TRUE");
    }
    if let Some(active) = query.filters.active {
        sql.push(if active {
            " AND p.is_active = TRUE"
        } else {
            " AND p.is_active = FALSE"
        });
    }
    if let Some(most) = query.filters.stock_at_most {
        sql.push(" AND p.stock_quantity <= ").push_bind(most);
    }
    Some(sql)
}
