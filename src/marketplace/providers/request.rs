//! The provider profile write body (POST, PUT, PATCH).

use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    marketplace::ids,
    money::Money,
    validation::{messages, Form, FromForm},
};

/// Longest display name.
const DISPLAY_NAME_MAX: usize = 255;
/// Most skills one profile lists (a bound on the work one body can ask for).
pub const MAX_SKILLS: usize = 50;

// Each field is `None` when not sent (a PATCH leaves it as it is); `Some(None)` is an explicit
// null. `user`, the rating and the counts are the server's: sent, they are ignored.
/// A provider profile write body: `display_name` is required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ProviderWrite {
    #[schema(value_type = String, required = true)]
    pub display_name: Option<String>,
    pub bio: Option<String>,
    /// Skill ids; each must exist, repeats count once. The list replaces the current one.
    #[schema(value_type = Option<Vec<String>>)]
    pub skills: Option<Vec<String>>,
    /// A company id, or null. Membership is the provider's own claim.
    #[schema(value_type = Option<String>, format = Uuid, nullable = true)]
    pub company: Option<Option<String>>,
    /// Money (`"45.00"`), or null.
    #[schema(value_type = Option<String>, nullable = true, example = "45.00")]
    pub hourly_rate: Option<Option<Money>>,
    /// Staff only; ignored from anyone else.
    pub is_verified: Option<bool>,
}

impl FromForm for ProviderWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        Some(Self {
            display_name: form.text("display_name", true, false, Some(DISPLAY_NAME_MAX)),
            bio: form.text("bio", false, true, None),
            skills: read_skills(form),
            company: ids::read_reference(form, "company", false, true),
            hourly_rate: read_rate(form),
            is_verified: form.boolean("is_verified"),
        })
    }
}

/// `skills`: a list of skill ids (DRF's many-related field), repeats collapsed, order kept.
fn read_skills(form: &mut Form) -> Option<Vec<String>> {
    let value = form.raw("skills", false)?;
    let items = match value {
        Value::Array(items) => items,
        Value::Null => return form.fail("skills", messages::NOT_NULL),
        other => return form.fail("skills", messages::not_a_list(&other)),
    };
    let mut skills: Vec<String> = Vec::new();
    let mut failed = false;
    for item in &items {
        match ids::reference(item) {
            Ok(id) if !skills.contains(&id) => skills.push(id),
            Ok(_) => {}
            Err(message) => {
                form.errors.add("skills", message);
                failed = true;
            }
        }
    }
    if skills.len() > MAX_SKILLS {
        return form.fail("skills", messages::max_items(MAX_SKILLS));
    }
    (!failed).then_some(skills)
}

/// `hourly_rate`: money from 0.00 up (DRF's `DecimalField(max_digits=10, decimal_places=2,
/// min_value=0)`), or null.
fn read_rate(form: &mut Form) -> Option<Option<Money>> {
    let value = form.raw("hourly_rate", false)?;
    if value.is_null() {
        return Some(None);
    }
    match Money::from_json(&value) {
        Ok(rate) if rate.cents() < 0 => form.fail("hourly_rate", messages::min_value(0)),
        Ok(rate) => Some(Some(rate)),
        Err(err) => form.fail("hourly_rate", err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{error::ApiError, validation::parse};

    const SKILL: &str = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";

    fn errors(body: Value, partial: bool) -> Value {
        match parse::<ProviderWrite>(body, partial) {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn skills_are_uuids_with_repeats_collapsed() {
        let body = json!({"display_name": "Ann", "skills": [SKILL, SKILL.to_uppercase()]});
        let provider = parse::<ProviderWrite>(body, false).unwrap();
        assert_eq!(provider.skills, Some(vec![SKILL.to_owned()]));
        assert_eq!(
            errors(json!({"skills": ["x", 3]}), true),
            json!({"skills": ["“x” is not a valid UUID.", "Incorrect type. Expected pk value, received int."]})
        );
        assert_eq!(
            errors(json!({"skills": SKILL}), true),
            json!({"skills": ["Expected a list of items but got type \"str\"."]})
        );
    }

    #[test]
    fn rates_are_money_from_zero_or_null() {
        let provider = parse::<ProviderWrite>(
            json!({"display_name": "Ann", "hourly_rate": "45.5", "company": null}),
            false,
        )
        .unwrap();
        assert_eq!(provider.hourly_rate, Some(Some(Money::from_cents(4550))));
        assert_eq!(provider.company, Some(None));
        let patch = parse::<ProviderWrite>(json!({"hourly_rate": null}), true).unwrap();
        assert_eq!(patch.hourly_rate, Some(None));
        assert_eq!(
            errors(json!({"hourly_rate": "-1"}), true),
            json!({"hourly_rate": ["Ensure this value is greater than or equal to 0."]})
        );
        assert!(errors(json!({"hourly_rate": "abc"}), true)["hourly_rate"].is_array());
        assert!(errors(json!({"hourly_rate": "100000000"}), true)["hourly_rate"].is_array());
    }

    #[test]
    fn a_display_name_is_required_on_create() {
        assert_eq!(
            errors(json!({}), false),
            json!({"display_name": [messages::REQUIRED]})
        );
    }
}
