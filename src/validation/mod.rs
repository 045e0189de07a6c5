//! The one way a request body becomes a typed request: a type implements [`FromForm`], reading
//! its fields from a [`Form`] that collects every problem at once, in DRF's words
//! ([`messages`]), and a handler receives it through `http::extract::Valid<T>`.
//!
//! The parsed type is the documented type: request structs derive `utoipa::ToSchema` next to
//! their `FromForm`, so the OpenAPI body and the one the server reads can't drift.
//!
//! ```ignore
//! impl FromForm for NewBrand {
//!     fn from_form(form: &mut Form) -> Option<Self> {
//!         let name = form.text("name", true, false, Some(100));
//!         let slug = form.text("slug", false, true, Some(slugs::MAX_LEN));
//!         Some(Self { name: name?, slug })
//!     }
//! }
//! ```
//! Every field is read before any `?`, so one response lists every bad field.

mod form;
pub mod messages;

use serde_json::Value;

use crate::error::ApiError;

pub use form::{is_username, normalize_email, Form, EMAIL_MAX, NAME_MAX};

/// A request body type read field by field from a [`Form`].
pub trait FromForm: Sized {
    /// Reads every field, recording each problem in `form.errors`; `None` when any field failed.
    fn from_form(form: &mut Form) -> Option<Self>;
}

/// Reads `body` into `T`: the typed request, or a `400` naming every bad field. `partial` (a
/// PATCH) makes every field optional.
pub fn parse<T: FromForm>(body: Value, partial: bool) -> Result<T, ApiError> {
    let mut form = Form::new(body, partial)?;
    let parsed = T::from_form(&mut form);
    form.finish(parsed)
}
