//! The checkout body, read into a [`CheckoutRequest`] with the validation messages of the
//! Django backend (DJANGO-OBSERVED §6) — but `400`s where it answered `500`.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    accounts::AddressRequest,
    orders::views::ShippingAddress,
    validation::{messages, Form, FromForm},
};

/// Largest quantity of one product in one order (SPEC §5), duplicates in `items` merged: the
/// bound every cart line keeps too, so a cart can always be ordered as it is.
pub const MAX_QUANTITY: i64 = crate::inventory::MAX_LINE_QUANTITY;
/// Most lines one order may have (SPEC §5). Checked on the request's list before anything else,
/// so a body with thousands of items costs no database work.
pub const MAX_LINES: usize = 100;
const MAX_NOTES_CHARS: usize = 2000;

/// Where the shipping address comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AddressChoice {
    None,
    /// One of the user's saved addresses.
    Saved(i64),
    Inline(ShippingAddress),
}

/// One line of `items` (its wire shape; the lines are read by `CheckoutRequest`).
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "the wire shape of one line, for the OpenAPI document"
)]
pub struct CheckoutItem {
    product_id: i64,
    /// 1 to 10000, duplicates of a product merged.
    #[schema(minimum = 1, maximum = 10000)]
    quantity: i64,
}

/// `POST orders/` body: explicit `items` or (without them) the cart, and at most one of
/// `shipping_address_id` and `shipping_address`.
#[derive(Debug, Clone, PartialEq, ToSchema)]
pub struct CheckoutRequest {
    /// At most 100 lines; without it the cart is ordered. Read as `product_id → quantity`,
    /// duplicates merged, in product-id order (the lock order).
    #[schema(value_type = Vec<CheckoutItem>, required = false, min_items = 1, max_items = 100)]
    pub items: Option<BTreeMap<i64, i64>>,
    /// One of the caller's saved addresses.
    pub shipping_address_id: Option<i64>,
    /// An address given inline, snapshotted on the order.
    pub shipping_address: Option<ShippingAddress>,
    #[schema(required = false, max_length = 2000)]
    pub notes: String,
}

impl CheckoutRequest {
    /// Where the shipping address comes from (the reader refused both at once).
    pub fn address(&self) -> AddressChoice {
        match (self.shipping_address_id, &self.shipping_address) {
            (Some(id), _) => AddressChoice::Saved(id),
            (None, Some(address)) => AddressChoice::Inline(address.clone()),
            (None, None) => AddressChoice::None,
        }
    }
}

impl FromForm for CheckoutRequest {
    fn from_form(form: &mut Form) -> Option<Self> {
        // `items` keeps the Django shape: one flat list of messages, one per kind of problem.
        let items = match form.raw("items", false) {
            None => Some(None),
            Some(items) => read_items(form, &items).map(Some),
        };
        let address = read_address(form);
        let notes = read_notes(form);
        let (shipping_address_id, shipping_address) = address?;
        Some(Self {
            items: items?,
            shipping_address_id,
            shipping_address,
            notes: notes?,
        })
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

/// `notes`: optional, nullable, at most 2000 characters as sent, trimmed.
fn read_notes(form: &mut Form) -> Option<String> {
    match form.raw("notes", false) {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) if s.chars().count() > MAX_NOTES_CHARS => {
            form.fail("notes", messages::max_length(MAX_NOTES_CHARS))
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => form.fail("notes", messages::NOT_A_STRING),
    }
}

fn read_items(form: &mut Form, items: &Value) -> Option<BTreeMap<i64, i64>> {
    let mut problems: Vec<String> = Vec::new();
    let lines = collect_lines(items, &mut problems);
    let failed = !problems.is_empty();
    for problem in problems {
        form.errors.add("items", problem);
    }
    lines.filter(|_| !failed)
}

fn collect_lines(items: &Value, problems: &mut Vec<String>) -> Option<BTreeMap<i64, i64>> {
    let mut add = |message: String| {
        if !problems.contains(&message) {
            problems.push(message);
        }
    };
    let list = match items {
        Value::Array(list) => list,
        Value::Null => {
            add(messages::NOT_NULL.into());
            return None;
        }
        other => {
            add(messages::not_a_list(other));
            return None;
        }
    };
    if list.is_empty() {
        add(messages::EMPTY_LIST.into());
        return None;
    }
    if list.len() > MAX_LINES {
        add(messages::max_items(MAX_LINES));
        return None;
    }
    let mut lines = BTreeMap::new();
    for item in list {
        let (Some(product_id), Some(quantity)) = (
            item.get("product_id").filter(|v| !v.is_null()),
            item.get("quantity"),
        ) else {
            add(messages::ITEM_FIELDS_MISSING.into());
            continue;
        };
        let Some(product_id) = integer(product_id, true) else {
            add(messages::ITEM_PRODUCT_NOT_INTEGER.into());
            continue;
        };
        // Quantities are JSON integers only: "2", 1.5 and null are refused, never a 500.
        let Some(quantity) = integer(quantity, false) else {
            add(messages::ITEM_QUANTITY_NOT_INTEGER.into());
            continue;
        };
        if quantity < 1 {
            add(messages::ITEM_QUANTITY_NOT_POSITIVE.into());
            continue;
        }
        let total: &mut i64 = lines.entry(product_id).or_insert(0);
        *total = total.saturating_add(quantity);
        if *total > MAX_QUANTITY {
            add(messages::item_quantity_max(MAX_QUANTITY));
        }
    }
    Some(lines)
}

/// `shipping_address_id` or `shipping_address` (a `null` is as good as absent), not both. An
/// inline address is checked exactly like a saved one, its errors keyed `shipping_address.<field>`.
fn read_address(form: &mut Form) -> Option<(Option<i64>, Option<ShippingAddress>)> {
    let by_id = form
        .raw("shipping_address_id", false)
        .filter(|v| !v.is_null());
    let inline = form.raw("shipping_address", false).filter(|v| !v.is_null());
    match (by_id, inline) {
        (Some(_), Some(_)) => form.fail("non_field_errors", messages::ADDRESS_BOTH_GIVEN),
        (Some(id), None) => match integer(&id, true) {
            Some(id) => Some((Some(id), None)),
            None => form.fail("shipping_address_id", messages::INVALID_INTEGER),
        },
        (None, Some(inline)) => form
            .nested::<AddressRequest>("shipping_address", inline)
            .map(|address| (None, Some(address.into_fields()))),
        (None, None) => Some((None, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{error::ApiError, validation::parse};
    use serde_json::json;

    fn read(body: Value) -> Result<CheckoutRequest, ApiError> {
        parse(body, false)
    }

    fn errors_of(body: Value) -> Value {
        match read(body) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_products_merge_and_ids_may_be_numeric_strings() {
        let request = read(
            json!({"items": [{"product_id": 2, "quantity": 1}, {"product_id": "2", "quantity": 3},
                {"product_id": 1, "quantity": 1}]}),
        )
        .unwrap();
        assert_eq!(request.address(), AddressChoice::None);
        let lines: Vec<_> = request.items.unwrap().into_iter().collect();
        assert_eq!(lines, vec![(1, 1), (2, 4)]);
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
        assert!(read(json!({"items": [line(1, 10_000)]})).is_ok());
        let hundred: Vec<Value> = (1..=100).map(|id| line(id, 1)).collect();
        assert!(read(json!({"items": hundred})).is_ok());
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

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = errors_of(json!({"items": [], "notes": 5, "shipping_address": [1]}));
        assert_eq!(
            errors,
            json!({"items": ["This list may not be empty."], "notes": ["Not a valid string."],
                "shipping_address": ["Invalid data. Expected a dictionary, but got list."]})
        );
    }
}
