//! Every validation message the API answers with, written once, in Django REST Framework's words
//! (DJANGO-OBSERVED.md): frontends built for the Django backend match on some of them.

use serde_json::Value;

pub const REQUIRED: &str = "This field is required.";
pub const NOT_NULL: &str = "This field may not be null.";
pub const NOT_BLANK: &str = "This field may not be blank.";
pub const NOT_A_STRING: &str = "Not a valid string.";
pub const INVALID_INTEGER: &str = "A valid integer is required.";
pub const INVALID_BOOLEAN: &str = "Must be a valid boolean.";
pub const INVALID_EMAIL: &str = "Enter a valid email address.";
pub const INVALID_USERNAME: &str =
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";
pub const EMPTY_LIST: &str = "This list may not be empty.";
/// django-filter's message for a filter value naming nothing.
pub const UNKNOWN_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";

/// DRF's `max_length` message for text.
pub fn max_length(max: usize) -> String {
    format!("Ensure this field has no more than {max} characters.")
}

/// DRF's `ListField(max_length=…)` message.
pub fn max_items(max: usize) -> String {
    format!("Ensure this field has no more than {max} elements.")
}

/// DRF's `min_value` message.
pub fn min_value(min: impl std::fmt::Display) -> String {
    format!("Ensure this value is greater than or equal to {min}.")
}

/// DRF's `max_value` message.
pub fn max_value(max: impl std::fmt::Display) -> String {
    format!("Ensure this value is less than or equal to {max}.")
}

/// DRF's `ChoiceField` message for a value outside the choices.
pub fn invalid_choice(given: &str) -> String {
    format!("\"{given}\" is not a valid choice.")
}

/// DRF's message for a body (or nested object) that isn't a JSON object.
pub fn expected_object(value: &Value) -> String {
    format!(
        "Invalid data. Expected a dictionary, but got {}.",
        type_name(value)
    )
}

/// DRF's message for a reference (`PrimaryKeyRelatedField`) that isn't an id.
pub fn expected_id(value: &Value) -> String {
    format!(
        "Incorrect type. Expected pk value, received {}.",
        type_name(value)
    )
}

/// DRF's message for a reference to a row that does not exist (an integer id or a UUID).
pub fn missing_reference(id: impl std::fmt::Display) -> String {
    format!("Invalid pk \"{id}\" - object does not exist.")
}

/// Django's message for a text that isn't a UUID where one is expected.
pub fn invalid_uuid(value: &str) -> String {
    format!("“{value}” is not a valid UUID.")
}

/// Python's name for a JSON value's type, as DRF messages show it.
pub fn type_name(value: &Value) -> &'static str {
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

/// Django's `SlugField` message for a slug with other characters.
pub const INVALID_SLUG: &str =
    "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.";

/// Django forms' `DecimalField` message (django-filter's number filters) for a non-number.
pub const ENTER_A_NUMBER: &str = "Enter a number.";

/// DRF's `UniqueValidator` message (`product with this slug already exists.`).
pub fn already_exists(model: &str, field: &str) -> String {
    format!("{model} with this {field} already exists.")
}
/// DRF's `FileField` message for a missing file part.
pub const NO_FILE: &str = "No file was submitted.";
/// DRF's `FileField` message for a file part with no bytes.
pub const EMPTY_FILE: &str = "The submitted file is empty.";
/// DRF's `FileField` message for a file field sent as plain text.
pub const NOT_A_FILE: &str =
    "The submitted data was not a file. Check the encoding type on the form.";
// Checkout and payment (DJANGO-OBSERVED §6): the Django backend's own wording.

/// DRF's `ListField` message for a value that isn't a list.
pub fn not_a_list(value: &Value) -> String {
    format!(
        "Expected a list of items but got type \"{}\".",
        type_name(value)
    )
}

pub const ITEM_FIELDS_MISSING: &str = "Each item must have product_id and quantity.";
pub const ITEM_PRODUCT_NOT_INTEGER: &str = "A valid integer is required for product_id.";
pub const ITEM_QUANTITY_NOT_INTEGER: &str = "A valid integer is required for quantity.";
pub const ITEM_QUANTITY_NOT_POSITIVE: &str = "Quantity must be greater than 0.";

/// The bound on one product's quantity in an order, duplicates merged.
pub fn item_quantity_max(max: i64) -> String {
    format!("Ensure each quantity is less than or equal to {max}.")
}

pub const ADDRESS_BOTH_GIVEN: &str =
    "Give either shipping_address_id or shipping_address, not both.";
pub const EMPTY_CART: &str = "Your cart is empty.";
pub const ORDER_TOTAL_TOO_LARGE: &str = "The order total is too large.";
pub const INVALID_PAYMENT_METHOD: &str = "Invalid payment method.";

/// An order line naming a product that doesn't exist or isn't on sale.
pub fn unknown_product(id: i64) -> String {
    format!("Product with id {id} does not exist.")
}

/// A cart past the bounds of one order (filled before the bounds existed). The run of spaces is
/// what the server has always answered (a line break once continued the literal).
pub fn cart_too_large(max_lines: usize, max_quantity: i64) -> String {
    format!(
        "An order can have at most {max_lines} lines of at most {max_quantity} units each;                  remove some from your cart."
    )
}

/// django-filter's message for an order `?status=` naming no status.
pub fn unknown_filter_choice(given: &str) -> String {
    format!("Select a valid choice. {given} is not one of the available choices.")
}

/// DRF's `DateField` message (`YYYY-MM-DD` only).
pub const INVALID_DATE: &str = "Enter a valid date. Use one of these formats instead: YYYY-MM-DD.";

/// DRF's `DateTimeField` message (ISO 8601 / RFC 3339).
pub const INVALID_DATETIME: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

/// django-filter's message for a UUID filter given something else.
pub const INVALID_UUID_FILTER: &str = "Enter a valid UUID.";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_names_are_pythons() {
        assert_eq!(
            expected_object(&json!([1])),
            "Invalid data. Expected a dictionary, but got list."
        );
        assert_eq!(
            expected_id(&json!(1.5)),
            "Incorrect type. Expected pk value, received float."
        );
        assert_eq!(type_name(&json!(null)), "NoneType");
    }
}
