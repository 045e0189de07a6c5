//! Full-text product search: the one place where the two engines need different SQL.
//!
//! Both variants add a join to a derived table `s` with a `search_rank` column (higher is better)
//! that keeps only the matching products, so the rest of the list query — filters, ordering,
//! pagination — stays one statement for both engines.
//!
//! * PostgreSQL: the generated `search_vector` (title weighted `A`, description + category and
//!   brand names weighted `B`) matched with `websearch_to_tsquery` and ranked with `ts_rank`.
//! * SQLite: the FTS5 table `products_fts` matched with the user's words, each quoted and
//!   prefix-matched (`"lamp"*`) so no input can be FTS5 syntax, ranked with `bm25` (title
//!   weighted 10×, as `A` outranks `B` in PostgreSQL).

use crate::db::SqlBuilder;
use crate::db::{fts5_query, Backend};

/// The SQL expression for a product's `search_text` (description, category name, brand name)
/// from three SQL terms: placeholders when writing a product, columns when a name changes.
/// Both engines index it (tsvector / FTS5 triggers), so it must be rewritten on every such write.
pub fn search_text_expr(description: &str, category_id: &str, brand_id: &str) -> String {
    format!(
        "{description} || ' ' || COALESCE((SELECT name FROM categories WHERE id = {category_id}), '') \
         || ' ' || COALESCE((SELECT name FROM brands WHERE id = {brand_id}), '')"
    )
}

/// What [`search_text_expr`] computes, for bulk loads that write products with their text
/// (`seed`, `import-django`): description, category name and brand name, space-separated.
pub fn search_text(description: &str, category: &str, brand: Option<&str>) -> String {
    format!("{description} {category} {}", brand.unwrap_or_default())
}

/// Rewrites `search_text` of the products in a category after it was renamed.
pub async fn refresh_for_category<'c, E>(executor: E, category_id: i64) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = format!(
        "UPDATE products SET search_text = {} WHERE category_id = $1",
        search_text_expr("description", "category_id", "brand_id")
    );
    sqlx::query(&sql)
        .bind(category_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Rewrites `search_text` of a brand's products, after a rename or (with `removed`) before the
/// brand is deleted and their `brand_id` set to null.
pub async fn refresh_for_brand<'c, E>(
    executor: E,
    brand_id: i64,
    removed: bool,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let brand = if removed { "NULL" } else { "brand_id" };
    let sql = format!(
        "UPDATE products SET search_text = {} WHERE brand_id = $1",
        search_text_expr("description", "category_id", brand)
    );
    sqlx::query(&sql).bind(brand_id).execute(executor).await?;
    Ok(())
}

/// Adds the search join for `text` to `sql`; `false` when `text` has no searchable word, in
/// which case nothing can match and the caller should answer an empty list.
pub fn push_join(sql: &mut SqlBuilder, backend: Backend, text: &str) -> bool {
    match backend {
        Backend::Postgres => {
            if !text.chars().any(char::is_alphanumeric) {
                return false;
            }
            let text = sql.bind(text);
            // The query is parsed once, as a row of its own: written inside `ts_rank` and `@@`
            // with a bound parameter it was parsed (and stemmed) again for every match, twice.
            // The rank is a lateral subquery kept apart (`OFFSET 0`), so it is computed as each
            // match is found instead of at the sort, with the tsvector carried to it; `ON`
            // puts the match on `p`, answered by the GIN index (docs/PERFORMANCE.md, logs 10
            // and 24).
            sql.push(&format!(
                " CROSS JOIN websearch_to_tsquery('english', {text}) AS q(query) \
                 JOIN LATERAL (SELECT ts_rank(p.search_vector, q.query) AS search_rank OFFSET 0) s \
                 ON p.search_vector @@ q.query"
            ));
        }
        Backend::Sqlite => {
            let Some(query) = fts5_query(text) else {
                return false;
            };
            let query = sql.bind(query);
            // bm25 is lower-is-better; negated so both engines sort by rank descending.
            // `+s.search_id` keeps the planner from probing the FTS index once per product
            // (`rowid = ? AND MATCH`, 10,000 probes for a `COUNT`): the match runs once and
            // the products are looked up by primary key (docs/PERFORMANCE.md).
            sql.push(&format!(
                " JOIN (SELECT rowid AS search_id, -bm25(products_fts, 10.0, 1.0) AS search_rank \
                 FROM products_fts WHERE products_fts MATCH {query}) s ON p.id = +s.search_id"
            ));
        }
    }
    true
}

/// The `ORDER BY` term for relevance, best first.
pub const RANK_ORDER: &str = "s.search_rank DESC";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_bind_the_text_rather_than_splicing_it() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let mut sql = SqlBuilder::new("SELECT p.id FROM products p");
            assert!(push_join(
                &mut sql,
                backend,
                "lamp'; DROP TABLE products; --"
            ));
            assert!(!sql.sql().contains("DROP"), "{}", sql.sql());
        }
        assert!(!push_join(
            &mut SqlBuilder::new(""),
            Backend::Postgres,
            "?!"
        ));
    }
}
