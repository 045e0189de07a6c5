//! Marketplace ids: UUIDs (SPEC §3.12), made by the server and stored as their lowercase
//! hyphenated text, because sqlx's `Any` driver has no UUID type. A path segment is read as a
//! `Uuid` (`http::extract::Path<Uuid>`), so a malformed id is a `404` before any query; a body
//! field naming another object is read with [`read_reference`].

use serde_json::Value;
use uuid::Uuid;

use crate::validation::{messages, Form};

/// A fresh id, as stored.
pub fn new_id() -> String {
    Uuid::new_v4().to_string()
}

/// The stored form of a parsed id.
pub fn stored(id: Uuid) -> String {
    id.to_string()
}

/// Reads field `name` as a reference to another object by UUID: `Some(None)` for an explicit
/// `null` (only when `nullable`), the stored id otherwise. A text that isn't a UUID gets Django's
/// `UUIDField` message, any other type DRF's message for a primary key of the wrong type.
pub fn read_reference(
    form: &mut Form,
    name: &str,
    required: bool,
    nullable: bool,
) -> Option<Option<String>> {
    let value = form.raw(name, required)?;
    match &value {
        Value::Null if nullable => Some(None),
        Value::Null => form.fail(name, messages::NOT_NULL),
        other => match reference(other) {
            Ok(id) => Some(Some(id)),
            Err(message) => form.fail(name, message),
        },
    }
}

/// One non-null reference (a field's value, or an item of a list of them): the stored id, or the
/// message [`read_reference`] answers for it.
pub fn reference(value: &Value) -> Result<String, String> {
    match value {
        Value::String(text) => Uuid::parse_str(text.trim())
            .map(stored)
            .map_err(|_| messages::invalid_uuid(text)),
        other => Err(messages::expected_id(other)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(body: Value) -> (Option<Option<String>>, String) {
        let mut form = Form::new(body, false).unwrap();
        let read = read_reference(&mut form, "service", false, true);
        (read, format!("{:?}", form.errors))
    }

    #[test]
    fn references_are_uuids_stored_lowercase_and_anything_else_is_a_field_error() {
        let id = "6F9619FF-8B86-D011-B42D-00CF4FC964FF";
        let (parsed, _) = read(json!({ "service": id }));
        assert_eq!(parsed, Some(Some(id.to_lowercase())));
        assert_eq!(read(json!({ "service": null })).0, Some(None));
        assert_eq!(read(json!({})).0, None);
        for bad in [
            json!("42"),
            json!(42),
            json!({"id": 1}),
            json!("not-a-uuid"),
        ] {
            let (parsed, errors) = read(json!({ "service": bad }));
            assert_eq!(parsed, None, "{bad}");
            assert!(errors.contains("service"), "{errors}");
        }
    }
}
