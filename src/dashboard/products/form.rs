//! The product form: `GET/POST /dashboard/products/new/` (create), `POST
//! /dashboard/products/{id}/` (edit) and `POST /dashboard/products/{id}/delete/`, through the
//! catalog's own create, update and delete.
//!
//! The form is read as the API reads a body (`ProductWrite` through `validation::Draft`), so the
//! rules and messages are the API's. Stock is typed in on create only (the starting stock, an
//! `initial` movement); afterwards it changes through the stock section, with a reason. An edit
//! form that carried the stock would set it back to what the page showed, undoing any sale
//! made while the form was open.

use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde, Value};
use serde::Serialize;
use serde_json::Map;

use super::{edit, list::choices, see_other};
use crate::{
    catalog::products::{self, ProductKey, ProductView, ProductWrite, Visibility},
    dashboard::{
        extract::{Fields, Path, StaffForm},
        pages,
        session::StaffSession,
    },
    error::{ApiError, FieldErrors},
    inventory,
    media::MediaUrls,
    state::AppState,
    validation::Draft,
};

/// The form's values as shown: what was typed, or the stored product.
#[derive(Debug, Default, Serialize)]
pub struct ProductForm {
    title: String,
    slug: String,
    description: String,
    price: String,
    category: String,
    brand: String,
    stock_quantity: String,
    is_active: bool,
    is_featured: bool,
}

impl ProductForm {
    /// A new product's form: active, no stock yet.
    fn blank() -> Self {
        Self {
            stock_quantity: "0".to_owned(),
            is_active: true,
            ..Self::default()
        }
    }

    /// The stored product's values.
    pub fn of_product(product: &ProductView) -> Self {
        Self {
            title: product.title.clone(),
            slug: product.slug.clone(),
            description: product.description.clone(),
            price: product.price.to_string(),
            category: product.category.to_string(),
            brand: product.brand.map(|id| id.to_string()).unwrap_or_default(),
            stock_quantity: product.stock_quantity.to_string(),
            is_active: product.is_active,
            is_featured: product.is_featured,
        }
    }

    /// The values as typed.
    fn typed(fields: &Fields) -> Self {
        let text = |name: &str| fields.get(name).to_owned();
        Self {
            title: text("title"),
            slug: text("slug"),
            description: text("description"),
            price: text("price"),
            category: text("category"),
            brand: text("brand"),
            stock_quantity: text("stock_quantity"),
            is_active: fields.checked("is_active"),
            is_featured: fields.checked("is_featured"),
        }
    }
}

/// The posted form as the API's product body: checkboxes as booleans (an unticked box is not
/// sent), a blank brand as `null` (no brand), a blank category or stock as not given (required /
/// zero), and the stock only when creating.
fn draft_of(fields: &Fields, creating: bool) -> Result<Draft<ProductWrite>, ApiError> {
    let mut body: Map<String, serde_json::Value> = fields.body();
    for name in ["is_active", "is_featured"] {
        body.insert(name.to_owned(), fields.checked(name).into());
    }
    if fields.get("brand").trim().is_empty() {
        body.insert("brand".to_owned(), serde_json::Value::Null);
    }
    for name in ["category", "stock_quantity"] {
        if fields.get(name).trim().is_empty() {
            body.remove(name);
        }
    }
    if !creating {
        body.remove("stock_quantity");
    }
    Draft::read(serde_json::Value::Object(body), false)
}

/// `GET /dashboard/products/new/`.
pub async fn new_page(State(state): State<AppState>, session: StaffSession) -> Response {
    new_form(
        &state,
        &session,
        StatusCode::OK,
        ProductForm::blank(),
        FieldErrors::new(),
    )
    .await
}

/// The create form with `form`'s values and `errors`.
async fn new_form(
    state: &AppState,
    session: &StaffSession,
    status: StatusCode,
    form: ProductForm,
    errors: FieldErrors,
) -> Response {
    let (categories, brands) = match choices(state).await {
        Ok(choices) => choices,
        Err(error) => return pages::error(session, error),
    };
    pages::page_with_status(
        status,
        session,
        "products/new.html",
        context! {
            form => Value::from(Serde(&form)),
            errors => Value::from(Serde(&errors)),
            categories,
            brands,
        },
    )
}

/// `POST /dashboard/products/new/`: creates the product and goes to its page.
pub async fn create(
    State(state): State<AppState>,
    media: MediaUrls,
    StaffForm { session, fields }: StaffForm,
) -> Response {
    let created = match draft_of(&fields, true) {
        Ok(draft) => {
            let alerts = inventory::Alerts::of(&state);
            products::create(&state.db, draft, session.user_id, &media, alerts).await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok(product) => see_other(&format!("/dashboard/products/{}/?created=1", product.id)),
        Err(ApiError::Validation(errors)) => {
            let form = ProductForm::typed(&fields);
            new_form(&state, &session, StatusCode::BAD_REQUEST, form, errors).await
        }
        Err(error) => pages::error(&session, error),
    }
}

/// `POST /dashboard/products/{id}/`: saves the product form.
pub async fn update(
    State(state): State<AppState>,
    media: MediaUrls,
    Path(id): Path<i64>,
    StaffForm { session, fields }: StaffForm,
) -> Response {
    let updated = match draft_of(&fields, false) {
        Ok(draft) => {
            let alerts = inventory::Alerts::of(&state);
            let key = id.to_string();
            products::update(&state.db, &key, draft, session.user_id, &media, alerts).await
        }
        Err(error) => Err(error),
    };
    match updated {
        Ok(_) => see_other(&format!("/dashboard/products/{id}/?saved=1")),
        Err(ApiError::Validation(errors)) => {
            let shown = edit::Shown {
                form: Some(ProductForm::typed(&fields)),
                errors,
                ..edit::Shown::default()
            };
            edit::render(&state, &session, &media, id, StatusCode::BAD_REQUEST, shown).await
        }
        Err(error) => pages::error(&session, error),
    }
}

/// `POST /dashboard/products/{id}/delete/`: deletes the product, or deactivates it when it
/// appears in orders (the catalog's rule), and says which.
pub async fn delete(
    State(state): State<AppState>,
    media: MediaUrls,
    Path(id): Path<i64>,
    StaffForm { session, .. }: StaffForm,
) -> Response {
    if let Err(error) = products::delete(&state.db, state.media.as_ref(), &id.to_string()).await {
        return pages::error(&session, error);
    }
    match products::find(&state.db, &ProductKey::Id(id), Visibility::All, &media).await {
        Ok(_) => see_other(&format!("/dashboard/products/{id}/?deactivated=1")),
        Err(error) if error.status() == StatusCode::NOT_FOUND => {
            see_other("/dashboard/products/?deleted=1")
        }
        Err(error) => pages::error(&session, error),
    }
}
