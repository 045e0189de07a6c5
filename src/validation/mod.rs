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
//!
//! Some checks need the database (a taken email, a category that must exist) and DRF reports
//! them in the same `400` as the field errors; some must wait for a lookup (an unknown product
//! is a `404` before its body's `400`). Such a handler takes `http::extract::Draft<T>`: the
//! request with the field errors held back; it adds its own checks to [`Draft::errors`] and
//! calls [`Draft::finish`]. The request type's fields are `Option`s so it can always be built.
//!
//! ```ignore
//! pub async fn update_thing(Path(id): Path<i64>, mut draft: Draft<ThingWrite>) -> Result<..> {
//!     let thing = store::find(db, id).await?.ok_or_else(ApiError::not_found)?; // 404 first
//!     check_references(db, &mut draft).await?; // adds to `draft.errors`
//!     let request = draft.finish()?; // one 400: the fields' errors and the handler's
//!     ...
//! }
//! ```
//! A handler with no lookup and no check of its own keeps `Valid<T>`. Rules that need only the
//! body (a range, a choice) belong in `from_form`, recorded in `form.errors`.

mod form;
pub mod messages;

use serde_json::Value;

use crate::error::{ApiError, FieldErrors};

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

/// A request read from its body, its field errors held back until the handler has added the
/// checks only it can make (see the module docs).
#[derive(Debug)]
pub struct Draft<T> {
    pub request: T,
    pub errors: FieldErrors,
}

impl<T> Draft<T> {
    /// Reads `body` into a draft. Only a body that isn't an object, or a request type that
    /// could not be built at all, is refused here.
    pub fn read(body: Value, partial: bool) -> Result<Self, ApiError>
    where
        T: FromForm,
    {
        let mut form = Form::new(body, partial)?;
        match T::from_form(&mut form) {
            Some(request) => Ok(Self {
                request,
                errors: form.errors,
            }),
            // The reader gave up on a field it can't do without: the `400` it recorded.
            None => form.finish(None).map(|request| Self {
                request,
                errors: FieldErrors::new(),
            }),
        }
    }

    /// The request, or the `400` listing every problem: the fields' and the handler's.
    pub fn finish(self) -> Result<T, ApiError> {
        self.errors.into_result()?;
        Ok(self.request)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct Named {
        name: Option<String>,
        slug: Option<String>,
    }

    impl FromForm for Named {
        fn from_form(form: &mut Form) -> Option<Self> {
            let name = form.text("name", true, false, None);
            let slug = form.text("slug", false, true, None);
            Some(Self { name, slug })
        }
    }

    #[test]
    fn a_draft_holds_field_errors_until_the_handler_adds_its_own() {
        let mut draft = Draft::<Named>::read(json!({"name": " ", "slug": "taken"}), false).unwrap();
        assert_eq!(draft.request.slug.as_deref(), Some("taken"));
        assert!(draft.request.name.is_none());
        draft.errors.add("slug", "already exists");
        match draft.finish() {
            Err(ApiError::Validation(errors)) => assert_eq!(
                serde_json::to_value(errors).unwrap(),
                json!({"name": [messages::NOT_BLANK], "slug": ["already exists"]})
            ),
            _ => panic!("expected one 400 with both errors"),
        }
    }

    #[test]
    fn a_clean_draft_finishes_into_its_request() {
        let draft = Draft::<Named>::read(json!({"name": "Lamps"}), true).unwrap();
        assert_eq!(draft.finish().unwrap().name.as_deref(), Some("Lamps"));
        assert!(Draft::<Named>::read(json!([]), false).is_err());
    }
}
