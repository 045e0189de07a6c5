//! The signed-in user's address book: `users/addresses/` CRUD, `set_default/` and `default/`.
//!
//! At most one address per user is the default (a partial unique index guarantees it); the first
//! address a user saves becomes the default so checkout always has one to offer.

use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{
        address_store::{self, Address, AddressFields},
        fields,
    },
    error::{ApiError, FieldErrors},
    http::{
        auth::CurrentUser,
        extract::{self, Path},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// An address as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressResponse {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub address_line_1: String,
    pub address_line_2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub phone_number: String,
    pub is_default: bool,
}

impl From<Address> for AddressResponse {
    fn from(a: Address) -> Self {
        let f = a.fields;
        AddressResponse {
            id: a.id,
            first_name: f.first_name,
            last_name: f.last_name,
            address_line_1: f.address_line_1,
            address_line_2: f.address_line_2,
            city: f.city,
            postal_code: f.postal_code,
            country: f.country,
            phone_number: f.phone_number,
            is_default: a.is_default,
        }
    }
}

/// Create/update body. On create (and `PUT`) `first_name, last_name, address_line_1, city,
/// postal_code, country` are required; `PATCH` takes any subset.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AddressRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address_line_1: Option<String>,
    pub address_line_2: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phone_number: Option<String>,
    pub is_default: Option<bool>,
}

/// Longest accepted value of each field, in characters.
const LIMITS: [(&str, usize); 8] = [
    ("first_name", 100),
    ("last_name", 100),
    ("address_line_1", 255),
    ("address_line_2", 255),
    ("city", 100),
    ("postal_code", 20),
    ("country", 100),
    ("phone_number", 20),
];

/// Merges `body` over `base` (the stored address for updates, empty for creates) and checks it.
/// Checkout validates an inline shipping address with it too.
pub fn validate(
    body: &AddressRequest,
    base: AddressFields,
    partial: bool,
) -> Result<AddressFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut merged = base;
    let slots: [(&str, Option<&str>, &mut String, bool); 8] = [
        (
            "first_name",
            body.first_name.as_deref(),
            &mut merged.first_name,
            true,
        ),
        (
            "last_name",
            body.last_name.as_deref(),
            &mut merged.last_name,
            true,
        ),
        (
            "address_line_1",
            body.address_line_1.as_deref(),
            &mut merged.address_line_1,
            true,
        ),
        (
            "address_line_2",
            body.address_line_2.as_deref(),
            &mut merged.address_line_2,
            false,
        ),
        ("city", body.city.as_deref(), &mut merged.city, true),
        (
            "postal_code",
            body.postal_code.as_deref(),
            &mut merged.postal_code,
            true,
        ),
        (
            "country",
            body.country.as_deref(),
            &mut merged.country,
            true,
        ),
        (
            "phone_number",
            body.phone_number.as_deref(),
            &mut merged.phone_number,
            false,
        ),
    ];
    for ((name, given, slot, required), (_, max)) in slots.into_iter().zip(LIMITS) {
        let value = match (given, required) {
            (None, _) if partial => continue,
            (None, false) => String::new(),
            (_, true) => match fields::required(&mut errors, name, given) {
                Some(value) => value,
                None => continue,
            },
            (Some(given), false) => given.trim().to_owned(),
        };
        if fields::max_length(&mut errors, name, &value, max) {
            *slot = value;
        }
    }
    if errors.is_empty() {
        Ok(merged)
    } else {
        Err(errors)
    }
}

/// The caller's addresses, default first.
#[utoipa::path(get, path = "/users/addresses/", tag = "accounts", security(("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<AddressResponse>), (status = 401, description = "not signed in")))]
pub async fn list_addresses(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: PageRequest,
) -> Result<Json<Page<AddressResponse>>, ApiError> {
    let count = address_store::count(&state.db.pool, user.id).await?;
    let rows = address_store::list(&state.db.pool, user.id, &page).await?;
    Ok(Json(page.page(
        count,
        rows.into_iter().map(AddressResponse::from).collect(),
    )?))
}

/// Saves a new address; the user's first one becomes the default.
#[utoipa::path(post, path = "/users/addresses/", tag = "accounts", security(("bearer" = [])), request_body = AddressRequest,
    responses((status = 201, body = AddressResponse), (status = 400, description = "field errors"),
        (status = 401, description = "not signed in")))]
pub async fn create_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    extract::Json(body): extract::Json<AddressRequest>,
) -> Result<(StatusCode, Json<AddressResponse>), ApiError> {
    let fields = validate(&body, AddressFields::default(), false)?;
    let mut tx = address_store::begin_for_user(&state.db, user.id).await?;
    let is_first = address_store::count(&mut *tx, user.id).await? == 0;
    let is_default = body.is_default.unwrap_or(false) || is_first;
    if is_default {
        address_store::clear_default(&mut tx, user.id, 0).await?;
    }
    let id = address_store::insert(&mut tx, user.id, &fields, is_default).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(AddressResponse::from(Address {
            id,
            fields,
            is_default,
        })),
    ))
}

/// One of the caller's addresses.
#[utoipa::path(get, path = "/users/addresses/{id}/", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AddressResponse), (status = 401, description = "not signed in"),
        (status = 404, description = "no such address of yours")))]
pub async fn get_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<AddressResponse>, ApiError> {
    let address = address_store::find(&state.db.pool, user.id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(address.into()))
}

/// Replaces an address (required fields required).
#[utoipa::path(put, path = "/users/addresses/{id}/", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AddressRequest,
    responses((status = 200, body = AddressResponse), (status = 400, description = "field errors"),
        (status = 401, description = "not signed in"), (status = 404, description = "no such address of yours")))]
pub async fn replace_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<AddressRequest>,
) -> Result<Json<AddressResponse>, ApiError> {
    save(&state, user.id, id, body, false).await
}

/// Updates the given fields of an address.
#[utoipa::path(patch, path = "/users/addresses/{id}/", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AddressRequest,
    responses((status = 200, body = AddressResponse), (status = 400, description = "field errors"),
        (status = 401, description = "not signed in"), (status = 404, description = "no such address of yours")))]
pub async fn update_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<AddressRequest>,
) -> Result<Json<AddressResponse>, ApiError> {
    save(&state, user.id, id, body, true).await
}

async fn save(
    state: &AppState,
    user_id: i64,
    id: i64,
    body: AddressRequest,
    partial: bool,
) -> Result<Json<AddressResponse>, ApiError> {
    let mut tx = address_store::begin_for_user(&state.db, user_id).await?;
    let existing = address_store::find(&mut *tx, user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let fields = validate(&body, existing.fields, partial)?;
    let is_default = body.is_default.unwrap_or(existing.is_default);
    if is_default {
        address_store::clear_default(&mut tx, user_id, id).await?;
    }
    address_store::update(&mut tx, user_id, id, &fields, is_default).await?;
    tx.commit().await?;
    Ok(Json(AddressResponse::from(Address {
        id,
        fields,
        is_default,
    })))
}

/// Deletes an address. Deleting the default leaves the user without one until they pick another.
#[utoipa::path(delete, path = "/users/addresses/{id}/", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "not signed in"),
        (status = 404, description = "no such address of yours")))]
pub async fn delete_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if address_store::delete(&state.db.pool, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// Makes an address the default (the previous default is cleared in the same transaction).
#[utoipa::path(post, path = "/users/addresses/{id}/set_default/", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AddressResponse), (status = 401, description = "not signed in"),
        (status = 404, description = "no such address of yours")))]
pub async fn set_default_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<AddressResponse>, ApiError> {
    save(
        &state,
        user.id,
        id,
        AddressRequest {
            is_default: Some(true),
            ..Default::default()
        },
        true,
    )
    .await
}

/// The caller's default address.
#[utoipa::path(get, path = "/users/addresses/default/", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AddressResponse), (status = 401, description = "not signed in"),
        (status = 404, description = "no default address")))]
pub async fn get_default_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<AddressResponse>, ApiError> {
    let address = address_store::find_default(&state.db.pool, user.id)
        .await?
        .ok_or_else(|| {
            ApiError::client(
                StatusCode::NOT_FOUND,
                "not_found",
                "No default address found.",
            )
        })?;
    Ok(Json(address.into()))
}
