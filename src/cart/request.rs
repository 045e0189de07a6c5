//! The cart's request bodies and its quantity rules.

use utoipa::ToSchema;

use crate::{
    error::{ApiError, FieldErrors},
    validation::{messages, Form, FromForm},
};

/// Largest quantity of a cart line, the same as an order line's (both from `inventory`), so a
/// cart can always be ordered as it is.
pub const MAX_QUANTITY: i64 = crate::inventory::MAX_LINE_QUANTITY;

/// `POST cart/add/` body.
// Received as a `Draft`: the handler adds an unknown product to the field errors, one `400`
// lists both; after `finish` `product_id` is `Some`.
#[derive(Debug, ToSchema)]
pub struct AddCartItem {
    #[schema(value_type = i64, required = true)]
    pub product_id: Option<i64>,
    /// Defaults to 1.
    #[schema(required = false)]
    pub quantity: i64,
}

impl FromForm for AddCartItem {
    fn from_form(form: &mut Form) -> Option<Self> {
        let product_id = form.integer("product_id", true, i64::MIN..=i64::MAX);
        let quantity = form.integer("quantity", false, i64::MIN..=i64::MAX);
        let quantity = quantity.unwrap_or(1);
        check_quantity(quantity, &mut form.errors);
        Some(Self {
            product_id,
            quantity,
        })
    }
}

/// `PUT/PATCH cart/update/{item_id}/` body.
// Received as a `Draft`, so an item that isn't the caller's is a `404` whatever the body says;
// after `finish` `quantity` is `Some`.
#[derive(Debug, ToSchema)]
pub struct SetCartQuantity {
    #[schema(value_type = i64, required = true)]
    pub quantity: Option<i64>,
}

impl FromForm for SetCartQuantity {
    /// The quantity is required on PATCH too: it is the body's only field.
    fn from_form(form: &mut Form) -> Option<Self> {
        let quantity = form.integer("quantity", true, i64::MIN..=i64::MAX);
        match quantity {
            Some(quantity) => check_quantity(quantity, &mut form.errors),
            // Missing from a PATCH body, which the form reads as partial.
            None if !form.errors.has("quantity") => form.errors.add("quantity", messages::REQUIRED),
            None => {}
        }
        Some(Self { quantity })
    }
}

/// The line-quantity rule: at least 1, at most [`MAX_QUANTITY`].
fn check_quantity(quantity: i64, errors: &mut FieldErrors) {
    if quantity < 1 {
        errors.add("quantity", "Quantity must be greater than 0.");
    } else if quantity > MAX_QUANTITY {
        errors.add("quantity", messages::max_value(MAX_QUANTITY));
    }
}

/// The answer for a line over [`MAX_QUANTITY`].
pub fn too_many_units() -> ApiError {
    FieldErrors::single("quantity", messages::max_value(MAX_QUANTITY))
}

/// The answer for more units than `stock`.
pub fn stock_error(stock: i64) -> ApiError {
    if stock <= 0 {
        FieldErrors::single("quantity", "This product is out of stock.")
    } else {
        FieldErrors::single("quantity", format!("Only {stock} left in stock."))
    }
}
