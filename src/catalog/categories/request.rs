//! The category write body (POST, PUT, PATCH): read field by field with DRF's messages into a
//! [`Draft`], then checked against the database ([`check_parent`]), every problem reported in
//! one `400`.

use utoipa::ToSchema;

use crate::{
    catalog::slugs::{self, SlugTable},
    db::Db,
    error::ApiError,
    validation::{messages, Draft, Form, FromForm},
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
}

impl FromForm for CategoryWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let category = Self {
            name: form.text("name", true, false, Some(255)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: form.text("description", false, true, None),
            parent: form.reference("parent", false, true),
        };
        if let Some(slug) = category.slug.as_deref().filter(|s| !s.is_empty()) {
            if let Err(message) = slugs::validate(SlugTable::Categories, slug) {
                form.errors.add("slug", message);
            }
        }
        Some(category)
    }
}

/// Adds to the draft's errors a parent it names that doesn't exist, so one `400` lists it with
/// the field errors.
pub async fn check_parent(db: &Db, draft: &mut Draft<CategoryWrite>) -> Result<(), ApiError> {
    if let Some(Some(parent)) = draft.request.parent {
        if !super::store::exists(db, parent).await? {
            draft
                .errors
                .add("parent", messages::missing_reference(parent));
        }
    }
    Ok(())
}
