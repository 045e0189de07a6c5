//! The product write body (POST, PUT, PATCH): read field by field with DRF's messages into a
//! [`Draft`], then checked against the database ([`check_references`]), every problem reported
//! in one `400`.

use utoipa::ToSchema;

use crate::{
    catalog::{
        brands, categories,
        slugs::{self, SlugTable},
    },
    db::Db,
    error::ApiError,
    inventory,
    money::Money,
    validation::{messages, Draft, Form, FromForm},
};

// Each field is `None` when not sent (a PATCH leaves it as it is). Server-owned fields (`id`,
// ratings, timestamps) are never read, so sending them changes nothing. (Plain comments: the doc
// comments below are the OpenAPI descriptions.)
/// A product write body: `title`, `price` and `category` are required on POST and PUT.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ProductWrite {
    #[schema(value_type = String, required = true)]
    pub title: Option<String>,
    /// Generated from the title when absent.
    // `Some("")` asks for a generated slug too.
    pub slug: Option<String>,
    pub description: Option<String>,
    /// Greater than 0.
    #[schema(value_type = Money, required = true)]
    pub price: Option<Money>,
    #[schema(value_type = i64, required = true)]
    pub category: Option<i64>,
    // `Some(None)`: an explicit `null`, no brand.
    #[schema(value_type = Option<i64>)]
    pub brand: Option<Option<i64>>,
    /// At least 0.
    pub stock_quantity: Option<i64>,
    pub is_active: Option<bool>,
    pub is_featured: Option<bool>,
}

impl FromForm for ProductWrite {
    fn from_form(form: &mut Form) -> Option<Self> {
        let product = Self {
            title: form.text("title", true, false, Some(255)),
            slug: form.text("slug", false, true, Some(slugs::MAX_LEN)),
            description: form.text("description", false, true, None),
            price: form.money("price", true),
            category: form.reference("category", true, false).flatten(),
            brand: form.reference("brand", false, true),
            stock_quantity: form.integer("stock_quantity", false, 0..=inventory::MAX_STOCK),
            is_active: form.boolean("is_active"),
            is_featured: form.boolean("is_featured"),
        };
        if let Some(slug) = product.slug.as_deref().filter(|s| !s.is_empty()) {
            if let Err(message) = slugs::validate(SlugTable::Products, slug) {
                form.errors.add("slug", message);
            }
        }
        if product.price.is_some_and(|price| price.cents() <= 0) {
            form.errors.add("price", "Price must be greater than 0.");
        }
        Some(product)
    }
}

/// Adds to the draft's errors the category and brand it names that don't exist: DRF reports an
/// unknown category next to a blank title, in one `400`.
pub async fn check_references(db: &Db, draft: &mut Draft<ProductWrite>) -> Result<(), ApiError> {
    if let Some(id) = draft.request.category {
        if !categories::exists(db, id).await? {
            draft
                .errors
                .add("category", messages::missing_reference(id));
        }
    }
    if let Some(Some(id)) = draft.request.brand {
        if !brands::exists(db, id).await? {
            draft.errors.add("brand", messages::missing_reference(id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reading_holds_field_errors_back_for_the_database_checks() {
        let body = json!({"title": " ", "price": "0", "category": 3, "slug": "featured"});
        let draft = Draft::<ProductWrite>::read(body, false).expect("held back, not refused");
        assert_eq!(draft.request.category, Some(3));
        assert_eq!(
            serde_json::to_value(&draft.errors).unwrap(),
            json!({
                "title": [messages::NOT_BLANK],
                "slug": ["\"featured\" is reserved for another route."],
                "price": ["Price must be greater than 0."],
            })
        );
    }

    #[test]
    fn a_partial_body_reads_only_what_was_sent() {
        let body = json!({"brand": null, "is_featured": "true"});
        let draft = Draft::<ProductWrite>::read(body, true).unwrap();
        assert!(draft.errors.is_empty());
        let product = draft.finish().unwrap();
        assert_eq!(product.brand, Some(None));
        assert_eq!(product.is_featured, Some(true));
        assert_eq!(product.title, None);
    }
}
