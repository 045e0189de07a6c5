//! The request write body (POST, PATCH), read field by field with DRF's messages.

use chrono::NaiveDate;
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    marketplace::ids,
    money::Money,
    validation::{messages, Form, FromForm},
};

/// DRF's message for a date before today on a field that refuses the past.
pub const PAST_DEADLINE: &str = "The deadline cannot be in the past.";
/// The budget rule, reported under `budget_max`.
pub const BUDGET_ORDER: &str = "budget_max must be greater than or equal to budget_min.";

// Each field is `None` when not sent (a PATCH leaves it as it is); the nullable ones are
// `Some(None)` for an explicit `null`. (Plain comments: the doc comments are the OpenAPI text.)
/// A request write body: `title` and `description` are required on POST.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct RequestWrite {
    #[schema(value_type = Option<String>, format = Uuid)]
    pub category: Option<Option<String>>,
    #[schema(value_type = String, required = true, max_length = 200)]
    pub title: Option<String>,
    #[schema(value_type = String, required = true)]
    pub description: Option<String>,
    #[schema(value_type = Option<Money>)]
    pub budget_min: Option<Option<Money>>,
    /// At least `budget_min`.
    #[schema(value_type = Option<Money>)]
    pub budget_max: Option<Option<Money>>,
    /// `YYYY-MM-DD`, today or later.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<Option<NaiveDate>>,
}

impl FromForm for RequestWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        Some(Self {
            category: ids::read_reference(form, "category", false, true),
            title: form.text("title", true, false, Some(200)),
            description: form.text("description", true, false, None),
            budget_min: nullable_money(form, "budget_min"),
            budget_max: nullable_money(form, "budget_max"),
            deadline: deadline(form, "deadline", today()),
        })
    }
}

/// Today in UTC: the day a deadline may not be before.
fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A money field that may be `null`, and is never negative.
pub fn nullable_money(form: &mut Form, name: &str) -> Option<Option<Money>> {
    let value = form.raw(name, false)?;
    if value.is_null() {
        return Some(None);
    }
    match Money::from_json(&value) {
        Ok(money) if money.cents() < 0 => form.fail(name, messages::min_value(0)),
        Ok(money) => Some(Some(money)),
        Err(err) => form.fail(name, err.to_string()),
    }
}

/// A `YYYY-MM-DD` date that may be `null` and may not be before `today`.
fn deadline(form: &mut Form, name: &str, today: NaiveDate) -> Option<Option<NaiveDate>> {
    let value = form.raw(name, false)?;
    let text = match &value {
        Value::Null => return Some(None),
        Value::String(text) => text.trim(),
        _ => return form.fail(name, messages::INVALID_DATE),
    };
    match parse_date(text) {
        Some(date) if date < today => form.fail(name, PAST_DEADLINE),
        Some(date) => Some(Some(date)),
        None => form.fail(name, messages::INVALID_DATE),
    }
}

/// Exactly `YYYY-MM-DD` (chrono alone would take `2030-1-5`).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(value: Value) -> (Option<Option<NaiveDate>>, bool) {
        let mut form = Form::new(json!({ "deadline": value }), false).unwrap();
        let today = NaiveDate::from_ymd_opt(2030, 6, 15).unwrap();
        let read = deadline(&mut form, "deadline", today);
        (read, form.errors.is_empty())
    }

    #[test]
    fn deadlines_are_iso_dates_from_today_on() {
        let day = |d| NaiveDate::from_ymd_opt(2030, 6, d);
        assert_eq!(read(json!("2030-06-15")), (Some(day(15)), true));
        assert_eq!(read(json!("2030-06-16")), (Some(day(16)), true));
        assert_eq!(read(json!(null)), (Some(None), true));
        for bad in [
            json!("2030-06-14"),
            json!("2030-6-16"),
            json!("2030-02-30"),
            json!("16/06/2030"),
            json!(20300616),
        ] {
            assert_eq!(read(bad.clone()), (None, false), "{bad}");
        }
    }
}
