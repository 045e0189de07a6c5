//! [`CheckoutError`]: the outcomes of checkout the domain decides, and the one place they
//! become HTTP answers (the bodies the Django backend gave, DJANGO-OBSERVED §6).

use serde_json::{json, Value};

use super::request::{MAX_LINES, MAX_QUANTITY};
use crate::{
    error::{ApiError, FieldErrors},
    validation::messages,
};

/// A line refused for want of stock: how many units its product holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortage {
    pub product_id: i64,
    pub available: i64,
}

/// Why a checkout placed no order.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("the cart is empty")]
    EmptyCart,
    /// The cart holds more lines, or more of a product, than one order may.
    #[error("the cart is past the bounds of one order")]
    CartTooLarge,
    /// Lines naming products that don't exist or aren't on sale.
    #[error("unknown products {0:?}")]
    UnknownProducts(Vec<i64>),
    #[error("insufficient stock")]
    InsufficientStock(Vec<Shortage>),
    #[error("the order total overflows")]
    TotalTooLarge,
    /// `shipping_address_id` names no address of the caller.
    #[error("address {0} not found")]
    AddressNotFound(i64),
    #[error("malformed Idempotency-Key")]
    InvalidKey,
    /// The key was used before with another body.
    #[error("Idempotency-Key reused")]
    KeyReused,
    /// The key's first request hasn't completed.
    #[error("Idempotency-Key in progress")]
    KeyInProgress,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Longest key accepted in `Idempotency-Key`.
pub const MAX_KEY_CHARS: usize = 255;

impl From<CheckoutError> for ApiError {
    fn from(err: CheckoutError) -> Self {
        let invalid = |message: String| FieldErrors::single("non_field_errors", message);
        match err {
            CheckoutError::EmptyCart => invalid(messages::EMPTY_CART.to_owned()),
            CheckoutError::CartTooLarge => {
                invalid(messages::cart_too_large(MAX_LINES, MAX_QUANTITY))
            }
            CheckoutError::TotalTooLarge => invalid(messages::ORDER_TOTAL_TOO_LARGE.to_owned()),
            CheckoutError::UnknownProducts(ids) => {
                let mut errors = FieldErrors::new();
                for id in ids {
                    errors.add("items", messages::unknown_product(id));
                }
                ApiError::Validation(errors)
            }
            CheckoutError::InsufficientStock(short) => {
                let items = short
                    .iter()
                    .map(|s| json!({"product_id": s.product_id, "available": s.available}))
                    .collect();
                ApiError::conflict(
                    "insufficient_stock",
                    "Insufficient stock for one or more items.",
                )
                .with_extra("items", Value::Array(items))
            }
            CheckoutError::AddressNotFound(id) => {
                FieldErrors::single("shipping_address_id", messages::missing_reference(id))
            }
            CheckoutError::InvalidKey => ApiError::bad_request(
                "invalid_idempotency_key",
                format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters."),
            ),
            CheckoutError::KeyReused => ApiError::conflict(
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request body.",
            ),
            CheckoutError::KeyInProgress => ApiError::conflict(
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed.",
            ),
            CheckoutError::Database(err) => err.into(),
        }
    }
}
