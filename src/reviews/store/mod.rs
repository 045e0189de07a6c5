//! Every SQL statement of the reviews: reading them, writing them, votes, and keeping each
//! product's rating columns exact; reports and the moderation queue are in `reports.rs`.

mod reports;

use sqlx::AnyConnection;

pub use reports::{insert_report, list_reports, reported};

use super::views::ReviewView;
use crate::{
    accounts::AuthUser,
    db::{now_micros, types::format_micros, Flag, SqlBuilder},
};

/// The review columns, joined with its author and product. `verified_purchase` is computed on
/// read, so a review written before the order arrived becomes verified once it is delivered.
const REVIEW_COLUMNS: &str = "r.id, r.user_id, u.email AS user_email, r.product_id, \
     p.title AS product_title, r.rating, r.comment, r.helpful_count, r.is_hidden, \
     EXISTS (SELECT 1 FROM order_items oi JOIN orders o ON o.id = oi.order_id \
        WHERE oi.product_id = r.product_id AND o.user_id = r.user_id \
        AND o.status IN ('delivered', 'completed')) AS verified_purchase, \
     r.created_at, r.updated_at";

/// The tables [`REVIEW_COLUMNS`] reads.
const REVIEW_TABLES: &str =
    "reviews r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id";

/// A review as [`REVIEW_COLUMNS`] reads it.
#[derive(Debug, sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    user_id: i64,
    user_email: String,
    product_id: i64,
    product_title: String,
    rating: i64,
    comment: String,
    helpful_count: i64,
    is_hidden: Flag,
    verified_purchase: Flag,
    created_at: i64,
    updated_at: i64,
}

impl From<ReviewRow> for ReviewView {
    fn from(row: ReviewRow) -> Self {
        Self {
            id: row.id,
            user: row.user_id,
            user_email: row.user_email,
            product: row.product_id,
            product_title: row.product_title,
            rating: row.rating,
            comment: row.comment,
            helpful_count: row.helpful_count,
            verified_purchase: row.verified_purchase.0,
            is_hidden: row.is_hidden.0,
            created_at: format_micros(row.created_at),
            updated_at: format_micros(row.updated_at),
        }
    }
}

/// Loads one review, hidden or not.
pub async fn one(conn: &mut AnyConnection, id: i64) -> Result<Option<ReviewView>, sqlx::Error> {
    let row: Option<ReviewRow> = sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} FROM {REVIEW_TABLES} WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// Loads a review `viewer` may see; `None` for anything else (answered `404`: no enumeration).
pub async fn visible(
    conn: &mut AnyConnection,
    id: i64,
    viewer: Option<&AuthUser>,
) -> Result<Option<ReviewView>, sqlx::Error> {
    Ok(one(conn, id)
        .await?
        .filter(|review| review.visible_to(viewer)))
}

/// What a review list selects: filters and whose hidden reviews are included.
#[derive(Debug, Default, Clone)]
pub struct ReviewFilter {
    pub product: Option<i64>,
    pub user: Option<i64>,
    pub rating: Option<i64>,
    /// Include hidden reviews (only for the author's own list).
    pub include_hidden: bool,
    /// `ORDER BY` expression, from a fixed list (never user text).
    pub order: &'static str,
}

/// Maps `?ordering=` to SQL; unknown fields fall back to newest first, as DRF ignores them.
pub fn ordering(raw: Option<&str>) -> &'static str {
    match raw.unwrap_or_default() {
        "created_at" => "r.created_at ASC",
        "rating" => "r.rating ASC",
        "-rating" => "r.rating DESC",
        "helpful_count" => "r.helpful_count ASC",
        "-helpful_count" => "r.helpful_count DESC",
        _ => "r.created_at DESC",
    }
}

impl ReviewFilter {
    /// `select` followed by this filter's `WHERE` clause (`TRUE` when nothing filters).
    fn query(&self, select: &str) -> SqlBuilder {
        let mut sql = SqlBuilder::new(select);
        sql.push(" WHERE TRUE");
        for (column, value) in [
            ("r.product_id", self.product),
            ("r.user_id", self.user),
            ("r.rating", self.rating),
        ] {
            if let Some(value) = value {
                sql.push(&format!(" AND {column} = ")).push_bind(value);
            }
        }
        if !self.include_hidden {
            sql.push(" AND r.is_hidden = FALSE");
        }
        sql
    }
}

/// One page of reviews matching `filter` and the total count.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &ReviewFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ReviewView>), sqlx::Error> {
    let (count,): (i64,) = filter
        .query("SELECT COUNT(*) FROM reviews r")
        .query_as()
        .fetch_one(&mut *conn)
        .await?;
    let mut page = filter.query(&format!("SELECT {REVIEW_COLUMNS} FROM {REVIEW_TABLES}"));
    page.push(&format!(" ORDER BY {}, r.id DESC LIMIT ", filter.order))
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows: Vec<ReviewRow> = page.query_as().fetch_all(conn).await?;
    Ok((count, rows.into_iter().map(Into::into).collect()))
}

/// Recomputes the product's `reviews_count` and `average_rating` from its visible reviews.
/// Called inside every write transaction that changes a review, so the columns the catalog
/// renders can never drift from the reviews (a recount, not an increment, can't accumulate error).
pub async fn refresh_product_rating(
    conn: &mut AnyConnection,
    product_id: i64,
) -> Result<(), sqlx::Error> {
    // Take the product row's lock in a statement of its own first. On PostgreSQL (READ
    // COMMITTED) an UPDATE that waits for another transaction's lock still counts with the
    // snapshot taken before it waited, so two racing reviews would each miss the other's row;
    // the recount below starts after the lock is ours and sees every committed review.
    // (SQLite's BEGIN IMMEDIATE already serialises writers; the no-op costs nothing there.)
    sqlx::query("UPDATE products SET reviews_count = reviews_count WHERE id = $1")
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE products SET \
           reviews_count = (SELECT COUNT(*) FROM reviews \
             WHERE product_id = $1 AND is_hidden = FALSE), \
           average_rating = COALESCE((SELECT CAST(AVG(rating) AS DOUBLE PRECISION) FROM reviews \
             WHERE product_id = $1 AND is_hidden = FALSE), 0) \
         WHERE id = $1",
    )
    .bind(product_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// After a bulk load (`seed`, `import-django`): every product's `reviews_count` and
/// `average_rating` from its visible reviews, the numbers the per-review recount keeps, in one
/// UPDATE over an aggregate. Products without visible reviews keep their fresh 0 / 0.
pub async fn recount_all_ratings(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products SET reviews_count = r.n, average_rating = r.average \
         FROM (SELECT product_id, COUNT(*) AS n, CAST(AVG(rating) AS DOUBLE PRECISION) AS average \
               FROM reviews WHERE is_hidden = FALSE GROUP BY product_id) AS r \
         WHERE r.product_id = products.id",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the product exists and is active (reviews are only for products on sale).
pub async fn product_is_active(
    conn: &mut AnyConnection,
    product_id: i64,
) -> Result<bool, sqlx::Error> {
    let active: Option<Flag> = sqlx::query_scalar("SELECT is_active FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(conn)
        .await?;
    Ok(matches!(active, Some(Flag(true))))
}

/// Whether `user_id` has reviewed the product already.
pub async fn has_reviewed(
    conn: &mut AnyConnection,
    user_id: i64,
    product_id: i64,
) -> Result<bool, sqlx::Error> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM reviews WHERE user_id = $1 AND product_id = $2")
            .bind(user_id)
            .bind(product_id)
            .fetch_optional(conn)
            .await?;
    Ok(exists.is_some())
}

/// A review to insert.
#[derive(Debug)]
pub struct NewReviewRow<'a> {
    pub user_id: i64,
    pub product_id: i64,
    pub rating: i64,
    pub comment: &'a str,
}

/// Inserts a visible review and returns its id; the UNIQUE constraint on `(user_id,
/// product_id)` (`reviews_user_id_product_id_key`) refuses a second one.
pub async fn insert(
    conn: &mut AnyConnection,
    review: NewReviewRow<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO reviews (user_id, product_id, rating, comment, is_hidden, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, FALSE, $5, $5) RETURNING id",
    )
    .bind(review.user_id)
    .bind(review.product_id)
    .bind(review.rating)
    .bind(review.comment)
    .bind(now_micros())
    .fetch_one(conn)
    .await
}

/// Sets a review's rating and comment.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    rating: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reviews SET rating = $1, comment = $2, updated_at = $3 WHERE id = $4")
        .bind(rating)
        .bind(comment)
        .bind(now_micros())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes a review (its votes and reports go with it).
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM reviews WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a review's hidden flag; `false` when there is no such review.
pub async fn set_hidden(
    conn: &mut AnyConnection,
    id: i64,
    hidden: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE reviews SET is_hidden = $1, updated_at = $2 WHERE id = $3")
        .bind(hidden)
        .bind(now_micros())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Records `user_id`'s helpful vote (once: a repeat is a no-op) and returns the review's count.
/// The vote and the counter change commit together; ON CONFLICT makes a racing repeat wait for
/// the first vote and then do nothing, so the count can't exceed the number of voters.
pub async fn vote_helpful(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
) -> Result<i64, sqlx::Error> {
    let voted = sqlx::query(
        "INSERT INTO review_votes (review_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (review_id, user_id) DO NOTHING",
    )
    .bind(id)
    .bind(user_id)
    .bind(now_micros())
    .execute(&mut *conn)
    .await?;
    if voted.rows_affected() == 1 {
        sqlx::query("UPDATE reviews SET helpful_count = helpful_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query_scalar("SELECT helpful_count FROM reviews WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// `(rating, count)` of a product's visible reviews, for the ratings present.
pub async fn rating_counts(
    conn: &mut AnyConnection,
    product_id: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT rating, COUNT(*) FROM reviews WHERE product_id = $1 AND is_hidden = FALSE \
         GROUP BY rating",
    )
    .bind(product_id)
    .fetch_all(conn)
    .await
}
