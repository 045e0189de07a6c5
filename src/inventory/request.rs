//! The staff adjustment body, `POST products/{id}/stock/`, and its rules.

use utoipa::ToSchema;

use super::MAX_STOCK;
use crate::validation::{messages, Form, FromForm};

/// Largest single adjustment either way (SPEC §5): no adjustment can cross the stock range.
const MAX_DELTA: i64 = MAX_STOCK;
const MAX_REASON_CHARS: usize = 255;

/// `POST products/{id}/stock/` body.
// `Option`s: received as a `Draft`, so an unknown product stays a `404` whatever the body says;
// after `finish` both fields are `Some`.
#[derive(Debug, ToSchema)]
pub struct StockAdjustment {
    /// Units to add (positive) or remove (negative); not 0.
    #[schema(value_type = i64, required = true)]
    pub delta: Option<i64>,
    /// Why, in staff's words (`"recount"`, `"damaged in transit"`).
    #[schema(value_type = String, required = true)]
    pub reason: Option<String>,
}

impl FromForm for StockAdjustment {
    /// The fields and the adjustment's rules: a delta that isn't 0 nor past the stock range, a
    /// reason given.
    fn from_form(form: &mut Form) -> Option<Self> {
        let delta = form.integer("delta", true, i64::MIN..=i64::MAX);
        let reason = form.text("reason", true, true, None);
        // Compared as written, never negated: `-i64::MIN` doesn't exist.
        match delta {
            Some(0) => form.errors.add("delta", "Ensure this value is not 0."),
            Some(delta) if delta < -MAX_DELTA => {
                form.errors.add("delta", messages::min_value(-MAX_DELTA));
            }
            Some(delta) if delta > MAX_DELTA => {
                form.errors.add("delta", messages::max_value(MAX_DELTA));
            }
            _ => {}
        }
        match &reason {
            Some(reason) if reason.is_empty() => form.errors.add("reason", messages::NOT_BLANK),
            Some(reason) if reason.chars().count() > MAX_REASON_CHARS => {
                form.errors
                    .add("reason", messages::max_length(MAX_REASON_CHARS));
            }
            _ => {}
        }
        Some(Self { delta, reason })
    }
}
