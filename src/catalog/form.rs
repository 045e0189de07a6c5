//! Field-by-field reading of a JSON write body, collecting every error at once as DRF does
//! (`{"title": [...], "price": [...]}`), with DRF's messages.
//!
//! PUT and POST bodies are complete: a missing required field is an error. PATCH bodies are
//! partial: a missing field means "leave it as it is".

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use crate::{
    error::{ApiError, FieldErrors},
    money::Money,
};

pub const REQUIRED: &str = "This field is required.";
pub const NOT_NULL: &str = "This field may not be null.";
pub const NOT_BLANK: &str = "This field may not be blank.";

/// A write body being read; errors accumulate in [`Form::errors`].
#[derive(Debug)]
pub struct Form {
    map: Map<String, Value>,
    partial: bool,
    pub errors: FieldErrors,
}

impl Form {
    /// Starts reading `body`; anything but a JSON object is refused as DRF does.
    pub fn new(body: Value, partial: bool) -> Result<Self, ApiError> {
        match body {
            Value::Object(map) => Ok(Self {
                map,
                partial,
                errors: FieldErrors::new(),
            }),
            other => Err(FieldErrors::single(
                "non_field_errors",
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(&other)
                ),
            )),
        }
    }

    /// The raw value of `name`, or `None` when absent (after flagging it if it is required).
    fn take(&mut self, name: &str, required: bool) -> Option<Value> {
        let value = self.map.remove(name);
        if value.is_none() && required && !self.partial {
            self.errors.add(name, REQUIRED);
        }
        value
    }

    /// A text field; `blank` allows the empty string, `max` limits the length in characters.
    pub fn text(
        &mut self,
        name: &str,
        required: bool,
        blank: bool,
        max: Option<usize>,
    ) -> Option<String> {
        let text = match self.take(name, required)? {
            Value::String(text) => text.trim().to_owned(),
            Value::Number(number) => number.to_string(),
            Value::Null => return self.fail(name, NOT_NULL),
            _ => return self.fail(name, "Not a valid string."),
        };
        if text.is_empty() && !blank {
            return self.fail(name, NOT_BLANK);
        }
        match max {
            Some(max) if text.chars().count() > max => self.fail(
                name,
                format!("Ensure this field has no more than {max} characters."),
            ),
            _ => Some(text),
        }
    }

    /// A money field (`"999.99"` or `999.99`).
    pub fn money(&mut self, name: &str, required: bool) -> Option<Money> {
        let value = self.take(name, required)?;
        if value.is_null() {
            return self.fail(name, NOT_NULL);
        }
        Money::from_json(&value)
            .map_err(|err| self.errors.add(name, err.to_string()))
            .ok()
    }

    /// An integer field within `range` (both ends inclusive), with DRF's messages for each end.
    pub fn integer(
        &mut self,
        name: &str,
        required: bool,
        range: RangeInclusive<i64>,
    ) -> Option<i64> {
        let value = self.take(name, required)?;
        if value.is_null() {
            return self.fail(name, NOT_NULL);
        }
        let Some(number) = as_integer(&value) else {
            return self.fail(name, "A valid integer is required.");
        };
        if number < *range.start() {
            self.fail(
                name,
                format!(
                    "Ensure this value is greater than or equal to {}.",
                    range.start()
                ),
            )
        } else if number > *range.end() {
            self.fail(
                name,
                format!(
                    "Ensure this value is less than or equal to {}.",
                    range.end()
                ),
            )
        } else {
            Some(number)
        }
    }

    /// A boolean field; accepts what DRF's `BooleanField` accepts (`true`, `"false"`, `1`, ...).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let value = self.take(name, false)?;
        let parsed = match &value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
                "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
                _ => None,
            },
            Value::Null => return self.fail(name, NOT_NULL),
            _ => None,
        };
        parsed.or_else(|| self.fail(name, "Must be a valid boolean."))
    }

    /// A reference to another row by id. `Some(None)` is an explicit `null` (only when `nullable`).
    pub fn reference(&mut self, name: &str, required: bool, nullable: bool) -> Option<Option<i64>> {
        let value = self.take(name, required)?;
        if value.is_null() {
            return if nullable {
                Some(None)
            } else {
                self.fail(name, NOT_NULL)
            };
        }
        match as_integer(&value) {
            Some(id) => Some(Some(id)),
            None => self.fail(
                name,
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    type_name(&value)
                ),
            ),
        }
    }

    fn fail<T>(&mut self, name: &str, message: impl Into<String>) -> Option<T> {
        self.errors.add(name, message);
        None
    }

    /// Ends reading: the collected `400`, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        self.errors.into_result()
    }
}

/// DRF's message for a reference to a row that does not exist.
pub fn missing_reference(id: i64) -> String {
    format!("Invalid pk \"{id}\" - object does not exist.")
}

/// An integer from a JSON number or numeric string (`5`, `"5"`, `5.0`), as DRF reads them.
fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Python's name for a JSON value's type, as DRF messages show it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Bool(_) => "bool",
        Value::Null => "NoneType",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(form: Form) -> Value {
        match form.finish() {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut form = Form::new(
            json!({"title": "  ", "price": "x", "stock_quantity": -1, "category": "abc"}),
            false,
        )
        .unwrap();
        form.text("title", true, false, Some(10));
        form.money("price", true);
        form.integer("stock_quantity", false, 0..=10);
        form.reference("category", true, false);
        form.reference("brand", false, true);
        assert_eq!(
            errors(form),
            json!({
                "title": [NOT_BLANK],
                "price": ["A valid number is required."],
                "stock_quantity": ["Ensure this value is greater than or equal to 0."],
                "category": ["Incorrect type. Expected pk value, received str."],
            })
        );
    }

    #[test]
    fn integers_above_the_range_use_drfs_message() {
        let mut form = Form::new(json!({"n": 11, "m": "1e30"}), false).unwrap();
        form.integer("n", true, 0..=10);
        form.integer("m", true, 0..=10);
        assert_eq!(
            errors(form),
            json!({
                "n": ["Ensure this value is less than or equal to 10."],
                "m": ["A valid integer is required."],
            })
        );
    }

    #[test]
    fn partial_forms_skip_missing_fields() {
        let mut form = Form::new(json!({"is_featured": "true", "brand": null}), true).unwrap();
        assert_eq!(form.text("title", true, false, None), None);
        assert_eq!(form.boolean("is_featured"), Some(true));
        assert_eq!(form.reference("brand", false, true), Some(None));
        assert!(form.finish().is_ok());
    }

    #[test]
    fn complete_forms_require_fields() {
        let mut form = Form::new(json!({}), false).unwrap();
        form.text("title", true, false, None);
        assert_eq!(errors(form), json!({"title": [REQUIRED]}));
        assert!(Form::new(json!([1]), false).is_err());
    }
}
