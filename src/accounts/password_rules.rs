//! The password rules of Django's four default validators, with Django's exact messages, run in
//! Django's default order (similarity, length, common, numeric) so error lists read the same.

use std::{collections::HashSet, io::Read, sync::LazyLock};

/// Shortest acceptable password, in characters.
pub const MIN_LENGTH: usize = 8;

/// Django's `UserAttributeSimilarityValidator.DEFAULT_MAX_SIMILARITY`.
const MAX_SIMILARITY: f64 = 0.7;

/// Django's list of 19,640 common passwords (lowercase, one a line), embedded compressed.
static COMMON_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let gz = include_bytes!("../../assets/common-passwords.txt.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("the embedded common-password list is valid gzip'd UTF-8");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
});

/// The user attributes a password must not resemble, each with the name Django's message uses.
#[derive(Debug, Default, Clone, Copy)]
pub struct UserAttributes<'a> {
    pub username: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
}

impl<'a> From<&'a crate::accounts::store::User> for UserAttributes<'a> {
    fn from(user: &'a crate::accounts::store::User) -> Self {
        UserAttributes {
            username: &user.username,
            first_name: &user.first_name,
            last_name: &user.last_name,
            email: &user.email,
        }
    }
}

/// Every rule `password` breaks, as messages (empty when it is acceptable).
pub fn check(password: &str, user: UserAttributes<'_>) -> Vec<String> {
    let mut errors = Vec::new();
    if let Some(name) = too_similar(password, user) {
        errors.push(format!("The password is too similar to the {name}."));
    }
    if password.chars().count() < MIN_LENGTH {
        errors.push(format!(
            "This password is too short. It must contain at least {MIN_LENGTH} characters."
        ));
    }
    if COMMON_PASSWORDS.contains(password.to_lowercase().trim()) {
        errors.push("This password is too common.".to_owned());
    }
    if !password.is_empty() && password.chars().all(char::is_numeric) {
        errors.push("This password is entirely numeric.".to_owned());
    }
    errors
}

/// Django's `UserAttributeSimilarityValidator`: the first attribute (whole, or one of its parts
/// split on non-word characters) whose similarity to the password reaches 0.7.
fn too_similar(password: &str, user: UserAttributes<'_>) -> Option<&'static str> {
    let password = password.to_lowercase();
    let attributes = [
        (user.username, "username"),
        (user.first_name, "first name"),
        (user.last_name, "last name"),
        (user.email, "email address"),
    ];
    attributes
        .into_iter()
        .filter(|(value, _)| !value.is_empty())
        .find_map(|(value, name)| {
            let value = value.to_lowercase();
            // `re.split(r"\W+", value)`: `_` counts as a word character there, too.
            let mut parts: Vec<&str> = value
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect();
            parts.push(&value);
            parts
                .into_iter()
                .filter(|part| !exceeds_maximum_length_ratio(&password, part))
                .any(|part| quick_ratio(&password, part) >= MAX_SIMILARITY)
                .then_some(name)
        })
}

/// Django skips a part far shorter than the password: it cannot make the password guessable.
fn exceeds_maximum_length_ratio(password: &str, value: &str) -> bool {
    let password_len = password.chars().count() as f64;
    let value_len = value.chars().count() as f64;
    password_len >= 10.0 * value_len && value_len < MAX_SIMILARITY / 2.0 * password_len
}

/// Python's `SequenceMatcher.quick_ratio()`, which Django uses: `2·M / (|a| + |b|)` where `M` is
/// the size of the multiset intersection of the two strings' characters.
fn quick_ratio(a: &str, b: &str) -> f64 {
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        return 1.0;
    }
    let mut available: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for c in b.chars() {
        *available.entry(c).or_default() += 1;
    }
    let matches = a
        .chars()
        .filter(|c| match available.get_mut(c) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count();
    2.0 * matches as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(password: &str) -> Vec<String> {
        check(
            password,
            UserAttributes {
                username: "alice",
                email: "alice@example.com",
                ..Default::default()
            },
        )
    }

    #[test]
    fn a_strong_password_passes() {
        assert!(errors("Correct-Horse-Battery-9").is_empty());
    }

    #[test]
    fn short_common_and_numeric_passwords_get_djangos_messages_in_djangos_order() {
        assert_eq!(
            errors("123456"),
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]
        );
        assert_eq!(
            errors("84302957146620193"),
            ["This password is entirely numeric."]
        );
    }

    #[test]
    fn the_common_list_is_compared_lowercased_and_trimmed() {
        assert_eq!(COMMON_PASSWORDS.len(), 19_640);
        assert_eq!(errors("PassWord1 "), ["This password is too common."]);
    }

    #[test]
    fn passwords_resembling_the_username_or_email_are_refused() {
        let user = UserAttributes {
            username: "johnsmith",
            email: "j.doe@mailhost.org",
            ..Default::default()
        };
        assert_eq!(
            check("Johnsmith12", user),
            ["The password is too similar to the username."]
        );
        assert_eq!(
            check("mailhost.org", user),
            ["The password is too similar to the email address."]
        );
        let named = UserAttributes {
            first_name: "Bartholomew",
            ..Default::default()
        };
        assert_eq!(
            check("bartholomew7", named),
            ["The password is too similar to the first name."]
        );
    }

    #[test]
    fn tiny_attribute_parts_do_not_count() {
        // "j" is far shorter than the password: Django's length-ratio guard skips it.
        let user = UserAttributes {
            email: "j@x.io",
            ..Default::default()
        };
        assert!(check("Correct-Horse-Battery-9", user).is_empty());
    }

    #[test]
    fn quick_ratio_matches_python() {
        // difflib.SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        assert!((quick_ratio("abcd", "bcde") - 0.75).abs() < 1e-9);
        assert!((quick_ratio("aab", "abb") - 2.0 * 2.0 / 6.0).abs() < 1e-9);
    }
}
