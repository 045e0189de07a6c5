//! The service and comment write bodies, read field by field with DRF's messages. Server-owned
//! fields (`provider`, counts, ratings) are not read, so a body carrying them changes nothing.

use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::{
    marketplace::ids,
    money::Money,
    validation::{messages, Form, FromForm},
};

/// The longest title.
pub const TITLE_MAX: usize = 200;
/// A service's length in minutes, when given.
pub const DURATION_RANGE: std::ops::RangeInclusive<i64> = 1..=100_000;
/// The units a price is quoted in.
pub const PRICE_UNITS: [&str; 3] = ["fixed", "hour", "day"];

// Each field is `None` when not sent (a PATCH leaves it as it is); the nullable ones are
// `Some(None)` for an explicit `null`. (Plain comments: doc comments are OpenAPI descriptions.)
/// A service write body: `title` and `price_from` are required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ServiceWrite {
    /// A service category id, or null.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub category: Option<Option<String>>,
    #[schema(value_type = String, required = true, max_length = 200)]
    pub title: Option<String>,
    pub description: Option<String>,
    /// 0.00–99999999.99.
    #[schema(value_type = String, required = true, example = "150.00")]
    pub price_from: Option<Money>,
    /// `fixed` (the default on create), `hour` or `day`.
    #[schema(value_type = Option<String>, example = "hour")]
    pub price_unit: Option<String>,
    /// 1–100000 minutes, or null.
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Option<Option<i64>>,
    /// Inactive services are seen only by their provider (and staff).
    pub is_active: Option<bool>,
}

impl FromForm for ServiceWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let category = ids::read_reference(form, "category", false, true);
        let title = form.text("title", true, false, Some(TITLE_MAX));
        let description = form.text("description", false, true, None);
        let price_from = form.money("price_from", true);
        if price_from.is_some_and(|price| price.cents() < 0) {
            form.errors.add("price_from", messages::min_value(0));
        }
        let price_unit = form
            .text("price_unit", false, false, None)
            .and_then(|unit| match PRICE_UNITS.contains(&unit.as_str()) {
                true => Some(unit),
                false => form.fail("price_unit", messages::invalid_choice(&unit)),
            });
        let duration_minutes = nullable_integer(form, "duration_minutes", DURATION_RANGE);
        let is_active = form.boolean("is_active");
        Some(Self {
            category,
            title,
            description,
            price_from,
            price_unit,
            duration_minutes,
            is_active,
        })
    }
}

/// An optional integer within `range` that may also be `null` (`Some(None)`), with the
/// messages of [`Form::integer`].
fn nullable_integer(
    form: &mut Form,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Option<Option<i64>> {
    match form.raw(name, false)? {
        Value::Null => Some(None),
        value => {
            // One field read on its own, so `Form::integer` words its errors.
            let mut single = Form::new(json!({ name: value }), false).ok()?;
            let number = single.integer(name, true, range);
            for (field, problems) in single.errors.iter() {
                for problem in problems {
                    form.errors.add(field, problem.clone());
                }
            }
            number.map(Some)
        }
    }
}

/// A comment on a service by a client whose contract for it is completed.
#[derive(Debug, Clone, ToSchema)]
pub struct CommentWrite {
    /// 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    #[schema(value_type = Option<String>)]
    pub comment: String,
}

impl FromForm for CommentWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let rating = form.integer("rating", true, 1..=5);
        let comment = form.text("comment", false, true, None).unwrap_or_default();
        Some(Self {
            rating: rating?,
            comment,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{error::ApiError, validation::parse};

    fn errors(body: Value, partial: bool) -> Value {
        match parse::<ServiceWrite>(body, partial) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_body_reads_every_field() {
        let body = json!({
            "title": " Logo design ", "price_from": "150.5", "price_unit": "hour",
            "duration_minutes": 90, "is_active": false, "category": null,
            "provider": "ignored", "rating": 5,
        });
        let service: ServiceWrite = parse(body, false).unwrap();
        assert_eq!(service.title.as_deref(), Some("Logo design"));
        assert_eq!(service.price_from, Some(Money::from_cents(15_050)));
        assert_eq!(service.price_unit.as_deref(), Some("hour"));
        assert_eq!(service.duration_minutes, Some(Some(90)));
        assert_eq!(service.is_active, Some(false));
        assert_eq!(service.category, Some(None));
    }

    #[test]
    fn bounds_and_choices_use_drfs_messages() {
        assert_eq!(
            errors(
                json!({
                    "title": "x".repeat(201), "price_from": "-1", "price_unit": "week",
                    "duration_minutes": 0, "category": "nope",
                }),
                false
            ),
            json!({
                "category": [messages::invalid_uuid("nope")],
                "title": [messages::max_length(200)],
                "price_from": [messages::min_value(0)],
                "price_unit": [messages::invalid_choice("week")],
                "duration_minutes": [messages::min_value(1)],
            })
        );
        assert_eq!(
            errors(
                json!({"price_from": "100000000", "duration_minutes": 100_001}),
                true
            ),
            json!({
                "price_from": ["Ensure that there are no more than 8 digits before the decimal point."],
                "duration_minutes": [messages::max_value(100_000)],
            })
        );
        assert_eq!(
            errors(json!({}), false),
            json!({"title": [messages::REQUIRED], "price_from": [messages::REQUIRED]})
        );
    }

    #[test]
    fn a_patch_may_clear_the_duration_and_send_nothing_else() {
        let service: ServiceWrite = parse(json!({"duration_minutes": null}), true).unwrap();
        assert_eq!(service.duration_minutes, Some(None));
        assert!(service.title.is_none() && service.price_from.is_none());
    }

    #[test]
    fn a_comment_needs_a_rating_from_1_to_5() {
        let comment: CommentWrite = parse(json!({"rating": "4"}), false).unwrap();
        assert_eq!((comment.rating, comment.comment.as_str()), (4, ""));
        for bad in [
            json!({}),
            json!({"rating": 0}),
            json!({"rating": 6}),
            json!({"rating": "x"}),
        ] {
            assert!(parse::<CommentWrite>(bad, false).is_err());
        }
    }
}
