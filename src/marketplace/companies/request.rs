//! The company write body (POST, PUT, PATCH).

use utoipa::ToSchema;

use super::website;
use crate::validation::{Form, FromForm};

/// Longest name.
const NAME_MAX: usize = 255;

// Each field is `None` when not sent (a PATCH leaves it as it is). `owner` and the counts are
// the server's: sent, they are ignored.
/// A company write body: `name` is required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct CompanyWrite {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    pub description: Option<String>,
    /// An http(s) URL of at most 200 characters, or blank.
    pub website: Option<String>,
}

impl FromForm for CompanyWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let company = Self {
            name: form.text("name", true, false, Some(NAME_MAX)),
            description: form.text("description", false, true, None),
            website: form.text("website", false, true, Some(website::MAX_LEN)),
        };
        if let Some(site) = company.website.as_deref().filter(|s| !s.is_empty()) {
            if !website::is_valid(site) {
                form.errors.add("website", website::INVALID_URL);
            }
        }
        Some(company)
    }
}
