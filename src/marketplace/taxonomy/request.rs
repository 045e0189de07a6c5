//! The write bodies (POST, PUT, PATCH) of a service category and a skill.

use utoipa::ToSchema;

use super::kind::Kind;
use crate::{
    catalog::slugs,
    validation::{Form, FromForm},
};

/// Longest name (the catalog's category and brand names are as long).
const NAME_MAX: usize = 255;

// Each field is `None` when not sent (a PATCH leaves it as it is). (Plain comments: the doc
// comments below are the OpenAPI descriptions.)
/// A service category write body: `name` is required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ServiceCategoryWrite {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// Generated from the name when absent; unique.
    pub slug: Option<String>,
    pub description: Option<String>,
}

/// A skill write body: `name` is required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct SkillWrite {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// Generated from the name when absent; unique.
    pub slug: Option<String>,
}

/// Either body, as the store writes it.
#[derive(Debug, Clone, Default)]
pub struct TermWrite {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
}

impl TermWrite {
    /// The name and slug fields, shared by both bodies.
    fn read(form: &mut Form, kind: Kind) -> Self {
        let term = Self {
            name: form.text("name", true, false, Some(NAME_MAX)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: None,
        };
        if let Some(slug) = term.given_slug() {
            if let Err(message) = slugs::validate(kind.slug_table(), slug) {
                form.errors.add("slug", message);
            }
        }
        term
    }

    /// The slug the client sent, unless blank (a blank slug means "generate one").
    pub fn given_slug(&self) -> Option<&str> {
        self.slug.as_deref().filter(|slug| !slug.is_empty())
    }
}

impl FromForm for ServiceCategoryWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let term = TermWrite::read(form, Kind::Category);
        Some(Self {
            name: term.name,
            slug: term.slug,
            description: form.text("description", false, true, None),
        })
    }
}

impl FromForm for SkillWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let term = TermWrite::read(form, Kind::Skill);
        Some(Self {
            name: term.name,
            slug: term.slug,
        })
    }
}

impl From<ServiceCategoryWrite> for TermWrite {
    fn from(body: ServiceCategoryWrite) -> Self {
        Self {
            name: body.name,
            slug: body.slug,
            description: body.description,
        }
    }
}

impl From<SkillWrite> for TermWrite {
    fn from(body: SkillWrite) -> Self {
        Self {
            name: body.name,
            slug: body.slug,
            description: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::parse;

    #[test]
    fn names_are_required_and_given_slugs_validated() {
        let err = parse::<SkillWrite>(json!({"slug": "no spaces"}), false).unwrap_err();
        let body = format!("{err:?}");
        assert!(body.contains("name") && body.contains("slug"), "{body}");
        let skill = parse::<SkillWrite>(json!({"name": " Rust ", "slug": ""}), false).unwrap();
        assert_eq!(skill.name.as_deref(), Some("Rust"));
        assert_eq!(TermWrite::from(skill).given_slug(), None);
        let patch = parse::<ServiceCategoryWrite>(json!({"description": "x"}), true).unwrap();
        assert!(patch.name.is_none());
    }
}
