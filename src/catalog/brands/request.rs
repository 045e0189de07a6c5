//! The brand write body (POST, PUT, PATCH), read field by field with DRF's messages.

use utoipa::ToSchema;

use crate::{
    catalog::slugs::{self, SlugTable},
    validation::{Form, FromForm},
};

// Each field is `None` when not sent (a PATCH leaves it as it is). (Plain comments: the doc
// comments below are the OpenAPI descriptions.)
/// A brand write body: `name` is required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct BrandWrite {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// Generated from the name when absent.
    pub slug: Option<String>,
    pub description: Option<String>,
}

impl FromForm for BrandWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let brand = Self {
            name: form.text("name", true, false, Some(255)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: form.text("description", false, true, None),
        };
        if let Some(slug) = brand.slug.as_deref().filter(|s| !s.is_empty()) {
            if let Err(message) = slugs::validate(SlugTable::Brands, slug) {
                form.errors.add("slug", message);
            }
        }
        Some(brand)
    }
}
