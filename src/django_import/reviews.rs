//! Django reviews → `reviews` (visible, without votes); products' ratings are recomputed from
//! them after the write (`target.rs`).

use super::{report::Report, source::Source, values::micros, Kept, Rows, UNREADABLE_DATE};
use crate::db::Param;

const REVIEWS: &str = "reviews_review";

#[derive(Debug, sqlx::FromRow)]
pub struct Review {
    pub id: i64,
    pub user_id: i64,
    pub product_id: i64,
    pub rating: i64,
    pub comment: String,
    pub created_at: String,
}

/// Reads and plans the reviews.
pub async fn import(
    source: &mut Source,
    kept: &Kept,
    report: &mut Report,
) -> anyhow::Result<Vec<Rows>> {
    let reviews: Vec<Review> = source
        .read(
            REVIEWS,
            "SELECT id, user_id, product_id, CAST(rating AS BIGINT) AS rating, comment, \
             CAST(created_at AS TEXT) AS created_at FROM reviews_review ORDER BY id",
        )
        .await?;
    Ok(vec![plan(reviews, kept, report)])
}

/// Reviews of imported users on imported products with a rating Nexus accepts.
pub fn plan(reviews: Vec<Review>, kept: &Kept, report: &mut Report) -> Rows {
    report.read(REVIEWS, reviews.len());
    let mut rows = Vec::with_capacity(reviews.len());
    for review in reviews {
        let refusal = if !kept.users.contains(&review.user_id) {
            Some("its user was not imported")
        } else if !kept.products.contains_key(&review.product_id) {
            Some("its product was not imported")
        } else if !(1..=5).contains(&review.rating) {
            Some("rating is not between 1 and 5")
        } else {
            None
        };
        if let Some(reason) = refusal {
            report.skip(REVIEWS, review.id, reason);
            continue;
        }
        let Some(created_at) = micros(&review.created_at) else {
            report.skip(REVIEWS, review.id, UNREADABLE_DATE);
            continue;
        };
        rows.push(vec![
            Param::Int(review.id),
            Param::Int(review.user_id),
            Param::Int(review.product_id),
            Param::Int(review.rating),
            Param::Text(review.comment),
            Param::Int(created_at),
            Param::Int(created_at),
        ]);
    }
    report.written(REVIEWS, rows.len());
    Rows {
        table: "reviews",
        columns: &[
            "id",
            "user_id",
            "product_id",
            "rating",
            "comment",
            "created_at",
            "updated_at",
        ],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_of_missing_products_and_bad_ratings_are_skipped() {
        let mut kept = Kept::default();
        kept.users.insert(1);
        kept.products.insert(5, "Lamp".into());
        let review = |id, product_id, rating| Review {
            id,
            user_id: 1,
            product_id,
            rating,
            comment: "ok".into(),
            created_at: "2025-01-01 00:00:00".into(),
        };
        let mut report = Report::default();
        let rows = plan(
            vec![
                review(1, 5, 4),
                review(2, 6, 4),
                review(3, 5, 0),
                review(4, 5, 6),
            ],
            &kept,
            &mut report,
        );
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(
            report.skipped_ids(REVIEWS, "its product was not imported"),
            [2]
        );
        assert_eq!(
            report.skipped_ids(REVIEWS, "rating is not between 1 and 5"),
            [3, 4]
        );
    }
}
