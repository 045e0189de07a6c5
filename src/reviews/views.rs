//! What the review endpoints answer: a review, a product's rating statistics, a helpful vote,
//! and reports; and the dashboard's queue of reported reviews.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::rating::Rating;
use crate::accounts::AuthUser;

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

/// `reviews/product/{id}/stats/`: counts over the product's visible reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewStats {
    pub total_reviews: i64,
    /// Rounded to two places; `0` without reviews.
    pub average_rating: Rating,
    /// `{"1": n, …, "5": n}`, every rating present.
    pub rating_distribution: BTreeMap<String, i64>,
}

impl ReviewStats {
    /// The statistics of `(rating, count)` pairs; every rating from 1 to 5 appears.
    pub fn from_counts(counts: impl IntoIterator<Item = (i64, i64)>) -> Self {
        let mut rating_distribution: BTreeMap<String, i64> =
            (1..=5).map(|r: i64| (r.to_string(), 0)).collect();
        let (mut total, mut sum) = (0, 0);
        for (rating, count) in counts {
            rating_distribution.insert(rating.to_string(), count);
            total += count;
            sum += rating * count;
        }
        let average = if total == 0 {
            0.0
        } else {
            sum as f64 / total as f64
        };
        Self {
            total_reviews: total,
            average_rating: Rating(average),
            rating_distribution,
        }
    }
}

/// `POST reviews/{id}/helpful/` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpfulView {
    pub message: String,
    pub review_id: i64,
    pub helpful_count: i64,
}

/// `POST reviews/{id}/report/` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    /// The report's id.
    pub id: i64,
    pub message: String,
    pub review_id: i64,
    pub reason: String,
}

/// A report as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    /// The reported review's id.
    pub review: i64,
    /// The reporter's user id.
    pub user: i64,
    pub user_email: String,
    pub reason: String,
    pub description: String,
    pub created_at: String,
}

/// A review in the staff dashboard's moderation queue: the review (hidden or not), how many
/// reports it has, since when, and why.
#[derive(Debug, Serialize)]
pub struct ReportedReview {
    pub review: ReviewView,
    pub reports: i64,
    /// When its first report came (RFC 3339 UTC).
    pub first_reported_at: String,
    /// Each reason given, the most frequent first.
    pub reasons: Vec<ReasonCount>,
}

/// How many of a review's reports gave one reason.
#[derive(Debug, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
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
