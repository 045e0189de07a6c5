//! The `update_status` body.

use utoipa::ToSchema;

use super::status::Status;
use crate::validation::{messages, Form, FromForm};

/// A move of a contract's status, with an optional note kept in its history.
#[derive(Debug, Clone, ToSchema)]
pub struct StatusWrite {
    /// `active`, `delivered`, `completed`, `disputed` or `cancelled`.
    #[schema(value_type = String, example = "delivered")]
    pub status: Status,
    pub note: Option<String>,
}

impl FromForm for StatusWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let status = form.text("status", true, false, None);
        let note = form.text("note", false, true, Some(2000));
        let status = match status {
            Some(name) => match Status::parse(&name) {
                Some(status) => Some(status),
                None => form.fail("status", messages::invalid_choice(&name)),
            },
            None => None,
        };
        Some(Self {
            status: status?,
            note,
        })
    }
}
