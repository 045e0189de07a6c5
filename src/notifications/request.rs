//! The preferences body. Every field is optional, for PUT as for PATCH: the Django serializer's
//! model fields all have defaults, so DRF never required them; a field left out keeps its value.

use utoipa::ToSchema;

use super::digest_choice::Digest;
use crate::validation::{messages, Form, FromForm};

/// `PUT/PATCH notifications/preferences/` body; other keys are ignored. Documented as optional,
/// not nullable: a `null` is refused like any value of the wrong type.
#[derive(Debug, Default, ToSchema)]
pub struct PreferenceChanges {
    #[schema(value_type = bool, required = false)]
    pub email_enabled: Option<bool>,
    #[schema(value_type = bool, required = false)]
    pub in_app_enabled: Option<bool>,
    #[schema(value_type = bool, required = false)]
    pub order_updates: Option<bool>,
    #[schema(value_type = bool, required = false)]
    pub review_updates: Option<bool>,
    #[schema(value_type = bool, required = false)]
    pub marketing: Option<bool>,
    /// `none`, `daily` or `weekly`.
    #[schema(value_type = Digest, required = false)]
    pub digest: Option<Digest>,
}

impl FromForm for PreferenceChanges {
    /// The five booleans as DRF's `BooleanField` reads them, and the digest as a `ChoiceField`.
    fn from_form(form: &mut Form) -> Option<Self> {
        let email_enabled = form.boolean("email_enabled");
        let in_app_enabled = form.boolean("in_app_enabled");
        let order_updates = form.boolean("order_updates");
        let review_updates = form.boolean("review_updates");
        let marketing = form.boolean("marketing");
        let digest =
            form.text("digest", false, true, None)
                .and_then(|name| match Digest::parse(&name) {
                    Some(digest) => Some(digest),
                    None => form.fail("digest", messages::invalid_choice(&name)),
                });
        Some(Self {
            email_enabled,
            in_app_enabled,
            order_updates,
            review_updates,
            marketing,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{error::ApiError, validation};

    fn errors(body: serde_json::Value) -> serde_json::Value {
        match validation::parse::<PreferenceChanges>(body, false) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn missing_fields_are_left_unchanged_even_in_a_complete_body() {
        let changes: PreferenceChanges =
            validation::parse(json!({"marketing": "false", "digest": "weekly"}), false).unwrap();
        assert_eq!(changes.marketing, Some(false));
        assert_eq!(changes.digest, Some(Digest::Weekly));
        assert_eq!(changes.email_enabled, None);
    }

    #[test]
    fn every_bad_field_is_named_in_drfs_words() {
        assert_eq!(
            errors(json!({"email_enabled": "perhaps", "marketing": null, "digest": "hourly"})),
            json!({
                "email_enabled": [messages::INVALID_BOOLEAN],
                "marketing": [messages::NOT_NULL],
                "digest": ["\"hourly\" is not a valid choice."],
            })
        );
        assert_eq!(
            errors(json!({"digest": ""})),
            json!({"digest": ["\"\" is not a valid choice."]})
        );
    }
}
