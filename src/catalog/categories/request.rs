//! The category write body (POST, PUT, PATCH): read field by field with DRF's messages, then
//! checked against the database, every problem reported in one `400`.

use utoipa::ToSchema;

use crate::{
    catalog::slugs::{self, SlugTable},
    db::Db,
    error::{ApiError, FieldErrors},
    validation::{messages, Form, FromForm},
};

// Each field is `None` when not sent (a PATCH leaves it as it is); `parent: Some(None)` makes
// the category a root. (Plain comments: the doc comments below are the OpenAPI descriptions.)
/// A category write body: `name` is required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct CategoryWrite {
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// Generated from the name when absent.
    pub slug: Option<String>,
    pub description: Option<String>,
    /// The parent's id, or null for a root; must not create a cycle.
    #[schema(value_type = Option<i64>)]
    pub parent: Option<Option<i64>>,
    /// What reading found wrong, held back until [`CategoryWrite::checked`] has asked the
    /// database too, so one response lists every problem (and an unknown category's `404`
    /// comes first).
    #[schema(ignore)]
    errors: FieldErrors,
}

impl FromForm for CategoryWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let mut category = Self {
            name: form.text("name", true, false, Some(255)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: form.text("description", false, true, None),
            parent: form.reference("parent", false, true),
            errors: FieldErrors::new(),
        };
        if let Some(slug) = category.slug.as_deref().filter(|s| !s.is_empty()) {
            if let Err(message) = slugs::validate(SlugTable::Categories, slug) {
                form.errors.add("slug", message);
            }
        }
        category.errors = std::mem::take(&mut form.errors);
        Some(category)
    }
}

impl CategoryWrite {
    /// The body once the parent it names exists; otherwise a `400` listing that with every
    /// problem found while reading.
    pub async fn checked(mut self, db: &Db) -> Result<Self, ApiError> {
        if let Some(Some(parent)) = self.parent {
            if !super::store::exists(db, parent).await? {
                self.errors
                    .add("parent", messages::missing_reference(parent));
            }
        }
        std::mem::take(&mut self.errors).into_result()?;
        Ok(self)
    }
}
