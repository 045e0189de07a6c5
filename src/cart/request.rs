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
#[derive(Debug, ToSchema)]
pub struct AddCartItem {
    pub product_id: i64,
    /// Defaults to 1.
    #[schema(required = false)]
    pub quantity: i64,
}

impl FromForm for AddCartItem {
    fn from_form(form: &mut Form) -> Option<Self> {
        let product_id = form.integer("product_id", true, i64::MIN..=i64::MAX);
        let quantity = form.integer("quantity", false, i64::MIN..=i64::MAX);
        Some(Self {
            product_id: product_id?,
            quantity: quantity.unwrap_or(1),
        })
    }
}

/// `PUT/PATCH cart/update/{item_id}/` body.
#[derive(Debug, ToSchema)]
pub struct SetCartQuantity {
    pub quantity: i64,
}

impl FromForm for SetCartQuantity {
    /// The quantity is required on PATCH too: it is the body's only field.
    fn from_form(form: &mut Form) -> Option<Self> {
        let quantity = form.integer("quantity", true, i64::MIN..=i64::MAX);
        if quantity.is_none() && form.errors.is_empty() {
            // Missing from a PATCH body, which the form reads as partial.
            return form.fail("quantity", messages::REQUIRED);
        }
        Some(Self {
            quantity: quantity?,
        })
    }
}

/// The line-quantity rule: at least 1, at most [`MAX_QUANTITY`]. Checked by the handler where
/// the order of answers matters (an item that isn't the caller's is a `404` whatever the body).
pub fn check_quantity(quantity: i64) -> Result<(), ApiError> {
    if quantity < 1 {
        return Err(FieldErrors::single(
            "quantity",
            "Quantity must be greater than 0.",
        ));
    }
    if quantity > MAX_QUANTITY {
        return Err(too_many_units());
    }
    Ok(())
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
