//! The `POST orders/{id}/payment/` body.

use serde_json::Value;
use utoipa::ToSchema;

use crate::validation::{messages, Form, FromForm};

/// `POST orders/{id}/payment/` body.
#[derive(Debug, ToSchema)]
// Received as a `Draft`: someone else's order is a `404` whatever the body says; the handler
// then checks the method against the known ones. After `finish` `payment_method` is `Some`.
pub struct PayOrder {
    /// `card`, `credit_card`, `debit_card`, `paypal` or `bank_transfer`.
    #[schema(value_type = String, required = true)]
    pub payment_method: Option<String>,
    /// Method-specific details, e.g. `{"card_number": "4242424242424242"}`.
    #[schema(value_type = Option<Object>)]
    pub payment_details: Option<Value>,
}

impl FromForm for PayOrder {
    fn from_form(form: &mut Form) -> Option<Self> {
        let payment_method = match form.raw("payment_method", true) {
            None => None,
            Some(Value::String(method)) => Some(method),
            Some(Value::Null) => form.fail("payment_method", messages::NOT_NULL),
            Some(_) => form.fail("payment_method", messages::NOT_A_STRING),
        };
        let payment_details = form.raw("payment_details", false);
        Some(Self {
            payment_method,
            payment_details,
        })
    }
}
