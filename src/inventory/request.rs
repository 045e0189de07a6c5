//! The staff adjustment body, `POST products/{id}/stock/`, and its rules.

use utoipa::ToSchema;

use super::MAX_STOCK;
use crate::{
    error::{ApiError, FieldErrors},
    validation::{messages, Form, FromForm},
};

/// Largest single adjustment either way (SPEC §5): no adjustment can cross the stock range.
const MAX_DELTA: i64 = MAX_STOCK;
const MAX_REASON_CHARS: usize = 255;

/// `POST products/{id}/stock/` body.
#[derive(Debug, ToSchema)]
pub struct StockAdjustment {
    /// Units to add (positive) or remove (negative); not 0.
    pub delta: i64,
    /// Why, in staff's words (`"recount"`, `"damaged in transit"`).
    pub reason: String,
}

impl FromForm for StockAdjustment {
    /// Reads the fields' types only; [`StockAdjustment::check`] applies the rules once the
    /// product is known to exist, so an unknown product stays a `404` whatever the body says.
    fn from_form(form: &mut Form) -> Option<Self> {
        let delta = form.integer("delta", true, i64::MIN..=i64::MAX);
        let reason = form.text("reason", true, true, None);
        Some(Self {
            delta: delta?,
            reason: reason?,
        })
    }
}

impl StockAdjustment {
    /// The adjustment's rules: a delta that isn't 0 nor past the stock range, a reason given.
    pub fn check(&self) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        // Compared as written, never negated: `-i64::MIN` doesn't exist.
        if self.delta == 0 {
            errors.add("delta", "Ensure this value is not 0.");
        } else if self.delta < -MAX_DELTA {
            errors.add("delta", messages::min_value(-MAX_DELTA));
        } else if self.delta > MAX_DELTA {
            errors.add("delta", messages::max_value(MAX_DELTA));
        }
        if self.reason.is_empty() {
            errors.add("reason", messages::NOT_BLANK);
        } else if self.reason.chars().count() > MAX_REASON_CHARS {
            errors.add("reason", messages::max_length(MAX_REASON_CHARS));
        }
        errors.into_result()
    }
}
