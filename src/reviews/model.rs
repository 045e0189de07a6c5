//! The review's response shape and the SQL that reads reviews and keeps product ratings exact.

use serde::Serialize;
use sqlx::{any::AnyArguments, any::AnyRow, AnyConnection, Arguments, Row};
use utoipa::ToSchema;

use crate::{
    db::{types::format_micros, Flag},
    error::ApiError,
    http::auth::AuthUser,
};

/// The review columns, joined with its author and product. `verified_purchase` is computed on
/// read, so a review written before the order arrived becomes verified once it is delivered.
const REVIEW_SELECT: &str = "SELECT r.id, r.user_id, u.email AS user_email, r.product_id, \
     p.title AS product_title, r.rating, r.comment, r.helpful_count, r.is_hidden, \
     EXISTS (SELECT 1 FROM order_items oi JOIN orders o ON o.id = oi.order_id \
        WHERE oi.product_id = r.product_id AND o.user_id = r.user_id \
        AND o.status IN ('delivered', 'completed')) AS verified_purchase, \
     r.created_at, r.updated_at \
     FROM reviews r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id";

/// A review as the API renders it (SPEC §3.5).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    /// The author's user id.
    pub user: i64,
    pub user_email: String,
    /// The product's id.
    pub product: i64,
    pub product_title: String,
    /// 1 to 5.
    pub rating: i64,
    pub comment: String,
    pub helpful_count: i64,
    /// The author has a delivered or completed order containing the product.
    pub verified_purchase: bool,
    /// Hidden by staff; only its author and staff ever see a hidden review.
    pub is_hidden: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl ReviewView {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            user: row.try_get("user_id")?,
            user_email: row.try_get("user_email")?,
            product: row.try_get("product_id")?,
            product_title: row.try_get("product_title")?,
            rating: row.try_get("rating")?,
            comment: row.try_get("comment")?,
            helpful_count: row.try_get("helpful_count")?,
            verified_purchase: row.try_get::<Flag, _>("verified_purchase")?.0,
            is_hidden: row.try_get::<Flag, _>("is_hidden")?.0,
            created_at: format_micros(row.try_get("created_at")?),
            updated_at: format_micros(row.try_get("updated_at")?),
        })
    }

    /// The review as `viewer` sees it (SPEC §5): the author's email whole for the author and
    /// staff, masked (`a***@example.org`) for everyone else, so public lists can't be mined for
    /// addresses nor `?user=` map ids to them.
    pub fn seen_by(mut self, viewer: Option<&AuthUser>) -> Self {
        if !viewer.is_some_and(|u| u.id == self.user || u.role.is_staff()) {
            self.user_email = mask_email(&self.user_email);
        }
        self
    }

    /// Whether `viewer` may see this review: visible ones to anyone, hidden ones to their author
    /// and staff.
    pub fn visible_to(&self, viewer: Option<&AuthUser>) -> bool {
        !self.is_hidden || viewer.is_some_and(|u| u.id == self.user || u.role.is_staff())
    }
}

/// `a***@example.org`: the first character of the local part, three stars, and the domain
/// (everything from the last `@`). Three stars whatever the length, so the mask doesn't tell it.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let first: String = local.chars().take(1).collect();
    if domain.is_empty() {
        format!("{first}***")
    } else {
        format!("{first}***@{domain}")
    }
}

/// Loads one review, hidden or not.
pub async fn one(conn: &mut AnyConnection, id: i64) -> Result<Option<ReviewView>, sqlx::Error> {
    let row = sqlx::query(&format!("{REVIEW_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(ReviewView::from_row).transpose()
}

/// Loads a review `viewer` may see; anything else is `404` (no enumeration).
pub async fn visible(
    conn: &mut AnyConnection,
    id: i64,
    viewer: Option<&AuthUser>,
) -> Result<ReviewView, ApiError> {
    one(conn, id)
        .await?
        .filter(|review| review.visible_to(viewer))
        .ok_or_else(ApiError::not_found)
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

/// One page of reviews matching `filter` and the total count.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &ReviewFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ReviewView>), sqlx::Error> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for (column, value) in [
        ("r.product_id", filter.product),
        ("r.user_id", filter.user),
        ("r.rating", filter.rating),
    ] {
        if let Some(value) = value {
            values.push(value);
            conditions.push(format!("{column} = ${}", values.len()));
        }
    }
    if !filter.include_hidden {
        conditions.push("r.is_hidden = FALSE".to_owned());
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let arguments = || {
        let mut args = AnyArguments::default();
        for value in &values {
            // Binding an i64 can't fail; the error type is shared with other value types.
            let _ = args.add(*value);
        }
        args
    };
    let count: i64 = sqlx::query_scalar_with(
        &format!("SELECT COUNT(*) FROM reviews r{where_clause}"),
        arguments(),
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut args = arguments();
    let _ = args.add(limit);
    let _ = args.add(offset);
    let sql = format!(
        "{REVIEW_SELECT}{where_clause} ORDER BY {}, r.id DESC LIMIT ${} OFFSET ${}",
        filter.order,
        values.len() + 1,
        values.len() + 2
    );
    let rows = sqlx::query_with(&sql, args).fetch_all(conn).await?;
    let reviews = rows
        .iter()
        .map(ReviewView::from_row)
        .collect::<Result<_, _>>()?;
    Ok((count, reviews))
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

#[cfg(test)]
mod tests {
    use super::mask_email;

    #[test]
    fn emails_are_masked_to_the_first_character_and_the_domain() {
        assert_eq!(mask_email("alice@example.org"), "a***@example.org");
        assert_eq!(mask_email("a@example.org"), "a***@example.org");
        assert_eq!(
            mask_email("\u{e9}lo\u{ef}se@exemple.fr"),
            "\u{e9}***@exemple.fr"
        );
        assert_eq!(mask_email("odd\"@\"name@host.test"), "o***@host.test");
        assert_eq!(mask_email("nodomain"), "n***");
        assert_eq!(mask_email(""), "***");
    }
}
