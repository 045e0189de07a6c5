//! The signed-in user's address book: `users/addresses/` CRUD, `set_default/` and `default/`.
//!
//! At most one address per user is the default (a partial unique index guarantees it); the first
//! address a user saves becomes the default so checkout always has one to offer.

use axum::{extract::State, http::StatusCode, Json};

use crate::{
    accounts::{
        requests::AddressRequest,
        store::{addresses, Address},
        views::AddressResponse,
        CurrentUser,
    },
    db::Flag,
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, Valid},
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::Draft,
};

/// The caller's addresses, default first.
#[utoipa::path(get, path = "/users/addresses/", tag = "accounts", security(("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<AddressResponse>), (status = 401, description = "not signed in")))]
pub async fn list_addresses(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: PageRequest,
) -> Result<Json<Page<AddressResponse>>, ApiError> {
    let count = addresses::count(&state.db.pool, user.id).await?;
    let rows = addresses::list(&state.db.pool, user.id, &page).await?;
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
    Valid(body): Valid<AddressRequest>,
) -> Result<(StatusCode, Json<AddressResponse>), ApiError> {
    let asked_default = body.is_default.unwrap_or(false);
    let fields = body.into_fields();
    let mut tx = addresses::begin_for_user(&state.db, user.id).await?;
    let is_first = addresses::count(&mut *tx, user.id).await? == 0;
    let is_default = asked_default || is_first;
    if is_default {
        addresses::clear_default(&mut tx, user.id, 0).await?;
    }
    let id = addresses::insert(&mut tx, user.id, &fields, is_default).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(AddressResponse::from(Address {
            id,
            fields,
            is_default: Flag(is_default),
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
    let address = addresses::find(&state.db.pool, user.id, id)
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
    draft: Draft<AddressRequest>,
) -> Result<Json<AddressResponse>, ApiError> {
    save(&state, user.id, id, draft).await
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
    draft: Draft<AddressRequest>,
) -> Result<Json<AddressResponse>, ApiError> {
    save(&state, user.id, id, draft).await
}

/// Writes the body over the stored address (the `Draft` made a `PUT` complete); an address
/// that isn't the caller's is a `404` whatever the body says.
async fn save(
    state: &AppState,
    user_id: i64,
    id: i64,
    draft: Draft<AddressRequest>,
) -> Result<Json<AddressResponse>, ApiError> {
    let mut tx = addresses::begin_for_user(&state.db, user_id).await?;
    let existing = addresses::find(&mut *tx, user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = draft.finish()?;
    let is_default = body.is_default.unwrap_or(existing.is_default.0);
    let address = Address {
        id,
        fields: body.apply(existing.fields),
        is_default: Flag(is_default),
    };
    if is_default {
        addresses::clear_default(&mut tx, user_id, id).await?;
    }
    addresses::update(&mut tx, user_id, &address).await?;
    tx.commit().await?;
    Ok(Json(AddressResponse::from(address)))
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
    if addresses::delete(&state.db.pool, user.id, id).await? {
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
    let request = AddressRequest {
        is_default: Some(true),
        ..Default::default()
    };
    let draft = Draft {
        request,
        errors: FieldErrors::new(),
    };
    save(&state, user.id, id, draft).await
}

/// The caller's default address.
#[utoipa::path(get, path = "/users/addresses/default/", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AddressResponse), (status = 401, description = "not signed in"),
        (status = 404, description = "no default address")))]
pub async fn get_default_address(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<AddressResponse>, ApiError> {
    let address = addresses::find_default(&state.db.pool, user.id)
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
