//! The proposal write body (POST, PATCH), read field by field with DRF's messages.

use utoipa::ToSchema;

use crate::{
    marketplace::ids,
    money::Money,
    validation::{messages, Form, FromForm},
};

/// The longest estimate accepted: ten years.
pub const MAX_DAYS: i64 = 3650;

// Each field is `None` when not sent (a PATCH leaves it as it is); `service` is `Some(None)` for
// an explicit `null`. (Plain comments: the doc comments are the OpenAPI text.)
/// A proposal write body. `request` is read on POST only (a proposal never moves to another
/// request); `service`, `price`, `message` and `estimated_days` may be changed while pending.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ProposalWrite {
    /// The request proposed on (POST only).
    #[schema(value_type = String, format = Uuid, required = true)]
    pub request: Option<String>,
    /// One of the proposer's own services.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub service: Option<Option<String>>,
    #[schema(value_type = Money, required = true)]
    pub price: Option<Money>,
    #[schema(value_type = String, required = true)]
    pub message: Option<String>,
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 3650)]
    pub estimated_days: Option<i64>,
}

impl FromForm for ProposalWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let request = if form.is_partial() {
            // Ignored, as server-owned fields are: a PATCH doesn't move a proposal.
            let _ = form.raw("request", false);
            None
        } else {
            ids::read_reference(form, "request", true, false).flatten()
        };
        Some(Self {
            request,
            service: ids::read_reference(form, "service", false, true),
            price: price(form),
            message: form.text("message", true, false, None),
            estimated_days: form.integer("estimated_days", true, 1..=MAX_DAYS),
        })
    }
}

/// A price above zero.
fn price(form: &mut Form) -> Option<Money> {
    let price = form.money("price", true)?;
    if price.cents() < 1 {
        return form.fail("price", messages::min_value("0.01"));
    }
    Some(price)
}
