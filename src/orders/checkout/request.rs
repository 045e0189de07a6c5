//! Parsing a checkout body into a [`CheckoutRequest`], with the validation messages of the
//! Django backend (DJANGO-OBSERVED §6) — but `400`s where it answered `500`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::{
    accounts::AddressRequest,
    error::{ApiError, FieldErrors},
    orders::views::ShippingAddress,
    validation,
};

/// Largest quantity of one product in one order (SPEC §5), duplicates in `items` merged: the
/// bound every cart line keeps too, so a cart can always be ordered as it is.
pub const MAX_QUANTITY: i64 = crate::inventory::MAX_LINE_QUANTITY;
/// Most lines one order may have (SPEC §5). Checked on the request's list before anything else,
/// so a body with thousands of items costs no database work.
pub const MAX_LINES: usize = 100;

/// DRF's `ListField(max_length=…)` message, for items and for an oversized cart.
pub fn too_many_lines() -> String {
    format!("Ensure this field has no more than {MAX_LINES} elements.")
}
const MAX_NOTES_CHARS: usize = 2000;

/// Where the shipping address comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AddressChoice {
    None,
    /// One of the user's saved addresses.
    Saved(i64),
    Inline(ShippingAddress),
}

/// A validated checkout.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRequest {
    /// `product_id → quantity`, duplicates merged, in product-id order (the lock order);
    /// `None` orders the cart.
    pub lines: Option<BTreeMap<i64, i64>>,
    pub address: AddressChoice,
    pub notes: String,
}

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

/// A JSON integer, or (for ids, as DRF accepts) a string of digits.
fn integer(value: &Value, allow_string: bool) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if allow_string => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses and validates the whole body; every problem found is reported at once.
pub fn parse(body: &Map<String, Value>) -> Result<CheckoutRequest, ApiError> {
    let mut errors = FieldErrors::new();
    let lines = match body.get("items") {
        None => None,
        Some(items) => parse_items(items, &mut errors),
    };
    let address = parse_address(body, &mut errors);
    let notes = match body.get("notes") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.chars().count() > MAX_NOTES_CHARS => {
            errors.add(
                "notes",
                format!("Ensure this field has no more than {MAX_NOTES_CHARS} characters."),
            );
            String::new()
        }
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(_) => {
            errors.add("notes", "Not a valid string.");
            String::new()
        }
    };
    errors.into_result()?;
    Ok(CheckoutRequest {
        lines,
        address,
        notes,
    })
}

fn parse_items(items: &Value, errors: &mut FieldErrors) -> Option<BTreeMap<i64, i64>> {
    let mut messages: Vec<String> = Vec::new();
    let lines = collect_lines(items, &mut messages);
    // One message per kind of problem, as a flat list under `items` (the Django shape).
    messages.dedup();
    let failed = !messages.is_empty();
    for message in messages {
        errors.add("items", message);
    }
    lines.filter(|_| !failed)
}

fn collect_lines(items: &Value, messages: &mut Vec<String>) -> Option<BTreeMap<i64, i64>> {
    let mut add = |message: String| {
        if !messages.contains(&message) {
            messages.push(message);
        }
    };
    let list = match items {
        Value::Array(list) => list,
        Value::Null => {
            add("This field may not be null.".into());
            return None;
        }
        other => {
            add(format!(
                "Expected a list of items but got type \"{}\".",
                type_name(other)
            ));
            return None;
        }
    };
    if list.is_empty() {
        add("This list may not be empty.".into());
        return None;
    }
    if list.len() > MAX_LINES {
        add(too_many_lines());
        return None;
    }
    let mut lines = BTreeMap::new();
    for item in list {
        let (Some(product_id), Some(quantity)) = (
            item.get("product_id").filter(|v| !v.is_null()),
            item.get("quantity"),
        ) else {
            add("Each item must have product_id and quantity.".into());
            continue;
        };
        let Some(product_id) = integer(product_id, true) else {
            add("A valid integer is required for product_id.".into());
            continue;
        };
        // Quantities are JSON integers only: "2", 1.5 and null are refused, never a 500.
        let Some(quantity) = integer(quantity, false) else {
            add("A valid integer is required for quantity.".into());
            continue;
        };
        if quantity < 1 {
            add("Quantity must be greater than 0.".into());
            continue;
        }
        let total: &mut i64 = lines.entry(product_id).or_insert(0);
        *total = total.saturating_add(quantity);
        if *total > MAX_QUANTITY {
            add(format!(
                "Ensure each quantity is less than or equal to {MAX_QUANTITY}."
            ));
        }
    }
    Some(lines)
}

fn parse_address(body: &Map<String, Value>, errors: &mut FieldErrors) -> AddressChoice {
    let by_id = body.get("shipping_address_id").filter(|v| !v.is_null());
    let inline = body.get("shipping_address").filter(|v| !v.is_null());
    match (by_id, inline) {
        (Some(_), Some(_)) => {
            errors.add(
                "non_field_errors",
                "Give either shipping_address_id or shipping_address, not both.",
            );
            AddressChoice::None
        }
        (Some(id), None) => match integer(id, true) {
            Some(id) => AddressChoice::Saved(id),
            None => {
                errors.add("shipping_address_id", "A valid integer is required.");
                AddressChoice::None
            }
        },
        (None, Some(Value::Object(fields))) => parse_inline_address(fields, errors),
        (None, Some(other)) => {
            errors.add(
                "shipping_address",
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(other)
                ),
            );
            AddressChoice::None
        }
        (None, None) => AddressChoice::None,
    }
}

/// An inline address is checked exactly like a saved one; errors are keyed
/// `shipping_address.<field>`.
fn parse_inline_address(fields: &Map<String, Value>, errors: &mut FieldErrors) -> AddressChoice {
    let checked = validation::parse::<AddressRequest>(Value::Object(fields.clone()), false)
        .map(AddressRequest::into_fields)
        .map_err(|err| match err {
            ApiError::Validation(field_errors) => field_errors,
            // from_value only fails with field errors for an object; keep any other honest.
            other => {
                let mut field_errors = FieldErrors::new();
                field_errors.add("non_field_errors", other.to_string());
                field_errors
            }
        });
    match checked {
        Ok(address) => AddressChoice::Inline(address),
        Err(field_errors) => {
            errors.extend_prefixed("shipping_address", field_errors);
            AddressChoice::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(body: Value) -> Value {
        match parse(body.as_object().unwrap()) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_products_merge_and_ids_may_be_numeric_strings() {
        let request = parse(
            json!({"items": [{"product_id": 2, "quantity": 1}, {"product_id": "2", "quantity": 3},
                {"product_id": 1, "quantity": 1}]})
            .as_object()
            .unwrap(),
        )
        .unwrap();
        let lines: Vec<_> = request.lines.unwrap().into_iter().collect();
        assert_eq!(lines, vec![(1, 1), (2, 4)]);
        assert_eq!(request.address, AddressChoice::None);
    }

    #[test]
    fn malformed_quantities_are_400s_not_500s() {
        for bad in [json!("2"), json!(1.5), json!(null), json!([1])] {
            let errors = errors_of(json!({"items": [{"product_id": 1, "quantity": bad}]}));
            assert_eq!(
                errors,
                json!({"items": ["A valid integer is required for quantity."]})
            );
        }
        assert_eq!(
            errors_of(json!({"items": [{"product_id": 1, "quantity": 0}]})),
            json!({"items": ["Quantity must be greater than 0."]})
        );
    }

    #[test]
    fn quantities_and_line_counts_are_bounded() {
        let line = |id: i64, quantity: i64| json!({"product_id": id, "quantity": quantity});
        assert_eq!(
            errors_of(json!({"items": [line(1, 6_000), line(1, 4_001)]})),
            json!({"items": ["Ensure each quantity is less than or equal to 10000."]})
        );
        assert!(parse(json!({"items": [line(1, 10_000)]}).as_object().unwrap()).is_ok());
        let hundred: Vec<Value> = (1..=100).map(|id| line(id, 1)).collect();
        assert!(parse(json!({"items": hundred}).as_object().unwrap()).is_ok());
        let too_many: Vec<Value> = (1..=24_000).map(|id| line(id, 1)).collect();
        assert_eq!(
            errors_of(json!({"items": too_many})),
            json!({"items": ["Ensure this field has no more than 100 elements."]})
        );
    }

    #[test]
    fn list_shape_errors_use_the_django_messages() {
        assert_eq!(
            errors_of(json!({"items": []})),
            json!({"items": ["This list may not be empty."]})
        );
        assert_eq!(
            errors_of(json!({"items": {"product_id": 1}})),
            json!({"items": ["Expected a list of items but got type \"dict\"."]})
        );
        assert_eq!(
            errors_of(json!({"items": [{"product_id": 1}, {"quantity": 1}]})),
            json!({"items": ["Each item must have product_id and quantity."]})
        );
    }

    #[test]
    fn inline_addresses_name_each_missing_field() {
        let errors = errors_of(json!({"shipping_address": {"first_name": "Ada", "city": " "}}));
        assert_eq!(
            errors["shipping_address.city"],
            json!(["This field may not be blank."])
        );
        assert_eq!(
            errors["shipping_address.country"],
            json!(["This field is required."])
        );
        assert!(errors.get("shipping_address.first_name").is_none());
        assert!(errors.get("shipping_address.address_line_2").is_none());
    }
}
