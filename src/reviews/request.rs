//! The review request bodies and the rules on their values.
//!
//! The bodies are read for their types only; the rules run in the handlers, where the answers'
//! order is decided: a create reports an unknown product and a bad rating together, and an
//! update or a report of a review the caller can't see is a `404` whatever the body says.

use utoipa::ToSchema;

use crate::{
    error::FieldErrors,
    validation::{messages, Form, FromForm},
};

/// Longest comment accepted (the Django model's text field is unbounded; we cap it).
pub const MAX_COMMENT_CHARS: usize = 5000;

/// Longest report description accepted.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// The reasons a review can be reported for.
pub const REPORT_REASONS: &[&str] = &[
    "inappropriate_content",
    "spam",
    "fake_review",
    "offensive_language",
    "other",
];

/// `POST reviews/` body.
#[derive(Debug, ToSchema)]
pub struct NewReview {
    pub product: i64,
    /// 1 to 5.
    pub rating: i64,
    pub comment: Option<String>,
}

impl FromForm for NewReview {
    fn from_form(form: &mut Form) -> Option<Self> {
        let product = form.reference("product", true, false);
        let rating = form.integer("rating", true, i64::MIN..=i64::MAX);
        let comment = form.text("comment", false, true, None);
        Some(Self {
            product: product??,
            rating: rating?,
            comment,
        })
    }
}

/// `PUT/PATCH reviews/{id}/` body; the product and author can't be changed.
#[derive(Debug, ToSchema)]
pub struct ReviewChanges {
    pub rating: Option<i64>,
    pub comment: Option<String>,
}

impl FromForm for ReviewChanges {
    /// Both fields are optional here; a PUT's required rating is checked with the rules.
    fn from_form(form: &mut Form) -> Option<Self> {
        let rating = form.integer("rating", false, i64::MIN..=i64::MAX);
        let comment = form.text("comment", false, true, None);
        Some(Self { rating, comment })
    }
}

impl ReviewChanges {
    /// Records what is wrong with these changes; `rating_required` for a PUT.
    pub fn check(&self, rating_required: bool, errors: &mut FieldErrors) {
        match self.rating {
            Some(rating) => check_rating(rating, errors),
            None if rating_required => errors.add("rating", messages::REQUIRED),
            None => {}
        }
        if let Some(comment) = &self.comment {
            check_comment(comment, errors);
        }
    }
}

/// `POST reviews/{id}/report/` body.
#[derive(Debug, ToSchema)]
pub struct NewReport {
    /// One of `inappropriate_content`, `spam`, `fake_review`, `offensive_language`, `other`.
    pub reason: Option<String>,
    pub description: Option<String>,
}

impl FromForm for NewReport {
    /// The reason is optional here: a missing one is reported with the rules, after the review
    /// was found visible.
    fn from_form(form: &mut Form) -> Option<Self> {
        let reason = form.text("reason", false, true, None);
        let description = form.text("description", false, true, None);
        Some(Self {
            reason,
            description,
        })
    }
}

impl NewReport {
    /// The reason (one of [`REPORT_REASONS`]) and description (maybe empty), or every problem.
    pub fn check(self) -> Result<(String, String), crate::error::ApiError> {
        let mut errors = FieldErrors::new();
        let reason = self.reason.unwrap_or_default();
        if reason.is_empty() {
            errors.add("reason", messages::REQUIRED);
        } else if !REPORT_REASONS.contains(&reason.as_str()) {
            errors.add("reason", "Invalid reason.");
        }
        let description = self.description.unwrap_or_default();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.add("description", messages::max_length(MAX_DESCRIPTION_CHARS));
        }
        errors.into_result()?;
        Ok((reason, description))
    }
}

/// A rating is one of 1 to 5 (DRF's choice message otherwise).
pub fn check_rating(rating: i64, errors: &mut FieldErrors) {
    if !(1..=5).contains(&rating) {
        errors.add("rating", messages::invalid_choice(&rating.to_string()));
    }
}

/// A comment is at most [`MAX_COMMENT_CHARS`] long.
pub fn check_comment(comment: &str, errors: &mut FieldErrors) {
    if comment.chars().count() > MAX_COMMENT_CHARS {
        errors.add("comment", messages::max_length(MAX_COMMENT_CHARS));
    }
}
