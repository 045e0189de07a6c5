//! Field checks shared by the accounts request bodies, with Django REST Framework's messages.
//!
//! Bodies deserialise into `Option` fields and are checked here, so one response lists every
//! bad field at once, as DRF does (serde alone would stop at the first).

use email_address::EmailAddress;

use crate::error::FieldErrors;

/// Django's `max_length` for user names and emails.
pub const NAME_MAX: usize = 150;
pub const EMAIL_MAX: usize = 254;

/// A required text field, trimmed as DRF's `CharField` does; records an error when missing or blank.
pub fn required(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    match value.map(str::trim) {
        None => {
            errors.add(field, "This field is required.");
            None
        }
        Some("") => {
            errors.add(field, "This field may not be blank.");
            None
        }
        Some(text) => Some(text.to_owned()),
    }
}

/// A required password: like [`required`] but never trimmed (spaces are part of a secret).
pub fn required_password(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<String> {
    required(errors, field, value).and(value.map(str::to_owned))
}

/// Records DRF's length message when `value` is longer than `max` characters; true when it fits.
pub fn max_length(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> bool {
    let fits = value.chars().count() <= max;
    if !fits {
        errors.add(
            field,
            format!("Ensure this field has no more than {max} characters."),
        );
    }
    fits
}

/// A required, valid email address, with the domain lowercased as Django's `normalize_email` does.
pub fn email(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let email = required(errors, field, value)?;
    if !max_length(errors, field, &email, EMAIL_MAX) {
        return None;
    }
    if !EmailAddress::is_valid(&email) {
        errors.add(field, "Enter a valid email address.");
        return None;
    }
    let (local, domain) = email.rsplit_once('@')?;
    Some(format!("{local}@{}", domain.to_lowercase()))
}

/// A required username in Django's alphabet: letters, digits and `@ . + - _`.
pub fn username(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let username = required(errors, field, value)?;
    if !max_length(errors, field, &username, NAME_MAX) {
        return None;
    }
    if !username
        .chars()
        .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
    {
        errors.add(
            field,
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
        );
        return None;
    }
    Some(username)
}

/// An optional name (`first_name`, `last_name`): trimmed, blank allowed, at most 150 characters.
pub fn optional_name(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let name = value?.trim().to_owned();
    max_length(errors, field, &name, NAME_MAX).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_blank_and_present_values() {
        let mut errors = FieldErrors::new();
        assert_eq!(required(&mut errors, "a", None), None);
        assert_eq!(required(&mut errors, "b", Some("  ")), None);
        assert_eq!(
            required(&mut errors, "c", Some(" x ")).as_deref(),
            Some("x")
        );
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            serde_json::json!({"a": ["This field is required."], "b": ["This field may not be blank."]})
        );
    }

    #[test]
    fn emails_are_validated_and_their_domain_lowercased() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            email(&mut errors, "email", Some(" Ann@Example.COM ")).as_deref(),
            Some("Ann@example.com")
        );
        assert_eq!(email(&mut errors, "email", Some("not-an-email")), None);
        assert!(errors.has("email"));
    }

    #[test]
    fn usernames_use_djangos_alphabet() {
        let mut errors = FieldErrors::new();
        assert!(username(&mut errors, "username", Some("ann.o+test@x_y-z")).is_some());
        assert!(username(&mut errors, "username", Some("ann smith")).is_none());
        assert!(username(&mut errors, "username", Some(&"a".repeat(151))).is_none());
    }

    #[test]
    fn passwords_keep_their_spaces() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            required_password(&mut errors, "password", Some(" pw ")).as_deref(),
            Some(" pw ")
        );
        assert_eq!(
            required_password(&mut errors, "password", Some("   ")),
            None
        );
    }
}
