//! [`Form`]: a JSON write body read field by field, collecting every error at once as DRF does
//! (`{"title": [...], "price": [...]}`).
//!
//! PUT and POST bodies are complete: a missing required field is an error. PATCH bodies are
//! partial: a missing field means "leave it as it is".

use std::ops::RangeInclusive;

use email_address::EmailAddress;
use serde_json::{Map, Value};

use super::{messages, FromForm};
use crate::{
    error::{ApiError, FieldErrors},
    money::Money,
};

/// Django's `max_length` for user names and emails.
pub const NAME_MAX: usize = 150;
pub const EMAIL_MAX: usize = 254;

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
            Value::Object(map) => Ok(Self::from_map(map, partial)),
            other => Err(FieldErrors::single(
                "non_field_errors",
                messages::expected_object(&other),
            )),
        }
    }

    fn from_map(map: Map<String, Value>, partial: bool) -> Self {
        Self {
            map,
            partial,
            errors: FieldErrors::new(),
        }
    }

    /// True for a PATCH body, where every field is optional.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// The raw value of `name`, or `None` when absent (after flagging it if it is required).
    /// For fields with their own shape (a list of order lines); `null` is returned as is.
    pub fn raw(&mut self, name: &str, required: bool) -> Option<Value> {
        let value = self.map.remove(name);
        if value.is_none() && required && !self.partial {
            self.errors.add(name, messages::REQUIRED);
        }
        value
    }

    /// A text field; `blank` allows the empty string, `max` limits the length in characters.
    /// Trimmed, and numbers read as their text, as DRF's `CharField` does.
    pub fn text(
        &mut self,
        name: &str,
        required: bool,
        blank: bool,
        max: Option<usize>,
    ) -> Option<String> {
        let text = match self.raw(name, required)? {
            Value::String(text) => text.trim().to_owned(),
            Value::Number(number) => number.to_string(),
            Value::Null => return self.fail(name, messages::NOT_NULL),
            _ => return self.fail(name, messages::NOT_A_STRING),
        };
        if text.is_empty() && !blank {
            return self.fail(name, messages::NOT_BLANK);
        }
        match max {
            Some(max) if text.chars().count() > max => self.fail(name, messages::max_length(max)),
            _ => Some(text),
        }
    }

    /// A password (or any secret): required, not blank, never trimmed (spaces are part of it).
    pub fn secret(&mut self, name: &str) -> Option<String> {
        let secret = match self.raw(name, true)? {
            Value::String(secret) => secret,
            Value::Null => return self.fail(name, messages::NOT_NULL),
            _ => return self.fail(name, messages::NOT_A_STRING),
        };
        if secret.trim().is_empty() {
            return self.fail(name, messages::NOT_BLANK);
        }
        Some(secret)
    }

    /// A valid email address, with the domain lowercased as Django's `normalize_email` does.
    pub fn email(&mut self, name: &str, required: bool) -> Option<String> {
        let email = self.text(name, required, false, Some(EMAIL_MAX))?;
        match normalize_email(&email) {
            Some(email) => Some(email),
            None => self.fail(name, messages::INVALID_EMAIL),
        }
    }

    /// A username in Django's alphabet: letters, digits and `@ . + - _`.
    pub fn username(&mut self, name: &str, required: bool) -> Option<String> {
        let username = self.text(name, required, false, Some(NAME_MAX))?;
        if is_username(&username) {
            Some(username)
        } else {
            self.fail(name, messages::INVALID_USERNAME)
        }
    }

    /// A money field (`"999.99"` or `999.99`).
    pub fn money(&mut self, name: &str, required: bool) -> Option<Money> {
        let value = self.raw(name, required)?;
        if value.is_null() {
            return self.fail(name, messages::NOT_NULL);
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
        let value = self.raw(name, required)?;
        if value.is_null() {
            return self.fail(name, messages::NOT_NULL);
        }
        let Some(number) = as_integer(&value) else {
            return self.fail(name, messages::INVALID_INTEGER);
        };
        if number < *range.start() {
            self.fail(name, messages::min_value(range.start()))
        } else if number > *range.end() {
            self.fail(name, messages::max_value(range.end()))
        } else {
            Some(number)
        }
    }

    /// A boolean field; accepts what DRF's `BooleanField` accepts (`true`, `"false"`, `1`, ...).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let value = self.raw(name, false)?;
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
            Value::Null => return self.fail(name, messages::NOT_NULL),
            _ => None,
        };
        parsed.or_else(|| self.fail(name, messages::INVALID_BOOLEAN))
    }

    /// A reference to another row by id. `Some(None)` is an explicit `null` (only when `nullable`).
    pub fn reference(&mut self, name: &str, required: bool, nullable: bool) -> Option<Option<i64>> {
        let value = self.raw(name, required)?;
        if value.is_null() {
            return if nullable {
                Some(None)
            } else {
                self.fail(name, messages::NOT_NULL)
            };
        }
        match as_integer(&value) {
            Some(id) => Some(Some(id)),
            None => self.fail(name, messages::expected_id(&value)),
        }
    }

    /// A nested object read as its own form; its errors are keyed `name.field`.
    pub fn object<T: FromForm>(&mut self, name: &str, required: bool) -> Option<T> {
        let value = self.raw(name, required)?;
        self.nested(name, value)
    }

    /// `value`, already taken from field `name`, read as a nested object like [`Form::object`].
    pub fn nested<T: FromForm>(&mut self, name: &str, value: Value) -> Option<T> {
        let Value::Object(map) = value else {
            return self.fail(name, messages::expected_object(&value));
        };
        let mut inner = Form::from_map(map, self.partial);
        let parsed = T::from_form(&mut inner);
        if inner.errors.is_empty() {
            parsed
        } else {
            self.errors.extend_prefixed(name, inner.errors);
            None
        }
    }

    /// Records `message` under `name` (a rule beyond the field's type) and returns `None`.
    pub fn fail<T>(&mut self, name: &str, message: impl Into<String>) -> Option<T> {
        self.errors.add(name, message);
        None
    }

    /// Ends reading: `parsed` when no field failed, the collected `400` otherwise.
    pub fn finish<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        self.errors.into_result()?;
        // A reader returns `None` only after recording why; this is a last guard.
        parsed.ok_or_else(|| FieldErrors::single("non_field_errors", "Invalid data."))
    }
}

/// `local@domain` with the domain lowercased, or `None` when it isn't a valid address.
pub fn normalize_email(email: &str) -> Option<String> {
    if !EmailAddress::is_valid(email) {
        return None;
    }
    let (local, domain) = email.rsplit_once('@')?;
    Some(format!("{local}@{}", domain.to_lowercase()))
}

/// True for a username in Django's alphabet: letters, digits and `@ . + - _`.
pub fn is_username(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(form: Form) -> Value {
        match form.finish(Some(())) {
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
                "title": [messages::NOT_BLANK],
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
        assert!(form.finish(Some(())).is_ok());
    }

    #[test]
    fn complete_forms_require_fields() {
        let mut form = Form::new(json!({}), false).unwrap();
        form.text("title", true, false, None);
        assert_eq!(errors(form), json!({"title": [messages::REQUIRED]}));
        assert!(Form::new(json!([1]), false).is_err());
    }

    #[test]
    fn emails_are_validated_and_their_domain_lowercased() {
        let mut form = Form::new(
            json!({"a": " Ann@Example.COM ", "b": "not-an-email"}),
            false,
        )
        .unwrap();
        assert_eq!(form.email("a", true).as_deref(), Some("Ann@example.com"));
        assert_eq!(form.email("b", true), None);
        assert_eq!(errors(form), json!({"b": [messages::INVALID_EMAIL]}));
    }

    #[test]
    fn usernames_use_djangos_alphabet() {
        let long = "a".repeat(151);
        let mut form = Form::new(
            json!({"a": "ann.o+test@x_y-z", "b": "ann smith", "c": long}),
            false,
        )
        .unwrap();
        assert!(form.username("a", true).is_some());
        assert!(form.username("b", true).is_none());
        assert!(form.username("c", true).is_none());
        assert_eq!(
            errors(form),
            json!({"b": [messages::INVALID_USERNAME], "c": [messages::max_length(150)]})
        );
    }

    #[test]
    fn secrets_keep_their_spaces_but_may_not_be_blank() {
        let mut form = Form::new(json!({"a": " pw ", "b": "   "}), false).unwrap();
        assert_eq!(form.secret("a").as_deref(), Some(" pw "));
        assert_eq!(form.secret("b"), None);
        assert_eq!(errors(form), json!({"b": [messages::NOT_BLANK]}));
    }

    #[test]
    fn nested_objects_report_their_fields_under_a_prefix() {
        struct City(String);
        impl FromForm for City {
            fn from_form(form: &mut Form) -> Option<Self> {
                form.text("city", true, false, None).map(City)
            }
        }
        let mut form = Form::new(
            json!({"to": {"city": " "}, "from": {"city": "Oslo"}}),
            false,
        )
        .unwrap();
        assert!(form.object::<City>("to", true).is_none());
        assert_eq!(
            form.object::<City>("from", true).map(|c| c.0).as_deref(),
            Some("Oslo")
        );
        assert_eq!(errors(form), json!({"to.city": [messages::NOT_BLANK]}));
    }
}
