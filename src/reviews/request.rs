//! The review request bodies and the rules on their values.
//!
//! The handlers receive them as `Draft`s, their field errors held back: a create reports an
//! unknown product and a bad rating together, and an update or a report of a review the caller
//! can't see is a `404` whatever the body says.

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
// `Option`s so it can always be built: the handler adds an unknown product to the field errors
// first (DRF checks the fields in this order), then the rules; after `finish` `product` and
// `rating` are `Some`.
#[derive(Debug, ToSchema)]
pub struct NewReview {
    #[schema(value_type = i64, required = true)]
    pub product: Option<i64>,
    /// 1 to 5.
    #[schema(value_type = i64, required = true)]
    pub rating: Option<i64>,
    pub comment: Option<String>,
}

impl FromForm for NewReview {
    /// Reads the fields' types only; [`NewReview::check`] applies the rules.
    fn from_form(form: &mut Form) -> Option<Self> {
        let product = form.reference("product", true, false).flatten();
        let rating = form.integer("rating", true, i64::MIN..=i64::MAX);
        let comment = form.text("comment", false, true, None);
        Some(Self {
            product,
            rating,
            comment,
        })
    }
}

impl NewReview {
    /// Records what is wrong with the rating and comment.
    pub fn check(&self, errors: &mut FieldErrors) {
        if let Some(rating) = self.rating {
            check_rating(rating, errors);
        }
        if let Some(comment) = &self.comment {
            check_comment(comment, errors);
        }
    }
}

/// `PUT/PATCH reviews/{id}/` body; the product and author can't be changed.
#[derive(Debug, ToSchema)]
pub struct ReviewChanges {
    pub rating: Option<i64>,
    pub comment: Option<String>,
}

impl FromForm for ReviewChanges {
    /// The fields and their rules; the rating is required by a PUT (a PATCH is partial).
    fn from_form(form: &mut Form) -> Option<Self> {
        let rating = form.integer("rating", true, i64::MIN..=i64::MAX);
        let comment = form.text("comment", false, true, None);
        if let Some(rating) = rating {
            check_rating(rating, &mut form.errors);
        }
        if let Some(comment) = &comment {
            check_comment(comment, &mut form.errors);
        }
        Some(Self { rating, comment })
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
    /// The fields and their rules: a reason (one of [`REPORT_REASONS`]; a blank one is
    /// required too), a description of at most [`MAX_DESCRIPTION_CHARS`].
    fn from_form(form: &mut Form) -> Option<Self> {
        let reason = form.text("reason", false, true, None);
        let description = form.text("description", false, true, None);
        match reason.as_deref() {
            None | Some("") if !form.errors.has("reason") => {
                form.errors.add("reason", messages::REQUIRED);
            }
            Some(reason) if !reason.is_empty() && !REPORT_REASONS.contains(&reason) => {
                form.errors.add("reason", "Invalid reason.");
            }
            _ => {}
        }
        if description
            .as_deref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            form.errors
                .add("description", messages::max_length(MAX_DESCRIPTION_CHARS));
        }
        Some(Self {
            reason,
            description,
        })
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
