//! The brand pages: the paged list, the create and edit form, and delete with a confirmation,
//! through `catalog::brands`' own service (its products keep existing without a brand).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde, Value};

use super::form::{draft, field_errors, no_errors, REFUSED};
use crate::dashboard::paging;
use crate::{
    catalog::brands::{self, BrandView},
    dashboard::{
        extract::{Fields, Path, StaffForm},
        pages,
        session::StaffSession,
    },
    error::ApiError,
    http::extract::QueryPairs,
    state::AppState,
};

/// `GET /dashboard/brands/?page=`: brands by name, a page at a time (the API's page size).
pub async fn list_brands(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let listed = match paging::page_request(&query) {
        Ok(page) => brands::list(&state.db, &page)
            .await
            .map(|list| (list, page)),
        Err(error) => Err(error),
    };
    let (list, page) = match listed {
        Ok(listed) => listed,
        Err(error) => return pages::error(&session, error),
    };
    pages::page(
        &session,
        "brands/list.html",
        context! {
            brands => Value::from(Serde(&list.results)),
            count => list.count,
            page => page.page,
            pages => paging::page_count(list.count, &page),
            deleted => query.get("deleted").is_some(),
        },
    )
}

/// The form page for `brand` (`None`: a new one).
fn form_page(
    session: &StaffSession,
    status: StatusCode,
    brand: Option<&BrandView>,
    values: Value,
    errors: Value,
    saved: bool,
) -> Response {
    pages::page_with_status(
        status,
        session,
        "brands/form.html",
        context! { brand => brand.map(|value| Value::from(Serde(value))), values, errors, saved },
    )
}

/// The form's values as typed.
fn typed(fields: &Fields) -> Value {
    context! {
        name => fields.get("name"),
        slug => fields.get("slug"),
        description => fields.get("description"),
    }
}

/// A save the API refused: the form again with the values as typed and each field's error
/// (`400`), or the error's own page when it isn't about the form.
fn refused(
    session: &StaffSession,
    brand: Option<&BrandView>,
    fields: &Fields,
    error: ApiError,
) -> Response {
    match field_errors(error) {
        Ok(errors) => form_page(session, REFUSED, brand, typed(fields), errors, false),
        Err(error) => pages::error(session, error),
    }
}

/// `GET /dashboard/brands/new/`.
pub async fn new_brand(session: StaffSession) -> Response {
    let values = context! { name => "", slug => "", description => "" };
    form_page(&session, StatusCode::OK, None, values, no_errors(), false)
}

/// `POST /dashboard/brands/new/`: creates it through `brands::create`.
pub async fn create_brand(State(state): State<AppState>, form: StaffForm) -> Response {
    let StaffForm { session, fields } = form;
    let created = match draft(fields.body()) {
        Ok(draft) => brands::create(&state.db, draft).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(brand) => {
            Redirect::to(&format!("/dashboard/brands/{}/?saved=1", brand.id)).into_response()
        }
        Err(error) => refused(&session, None, &fields, error),
    }
}

/// `GET /dashboard/brands/{id}/`: the edit form.
pub async fn edit_brand(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<i64>,
    query: QueryPairs,
) -> Response {
    let brand = match brands::get(&state.db, &id.to_string()).await {
        Ok(brand) => brand,
        Err(error) => return pages::error(&session, error),
    };
    let values = context! {
        name => &brand.name,
        slug => &brand.slug,
        description => &brand.description,
    };
    let saved = query.get("saved").is_some();
    form_page(
        &session,
        StatusCode::OK,
        Some(&brand),
        values,
        no_errors(),
        saved,
    )
}

/// `POST /dashboard/brands/{id}/`: saves through `brands::update`.
pub async fn update_brand(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm,
) -> Response {
    let StaffForm { session, fields } = form;
    let key = id.to_string();
    let brand = match brands::get(&state.db, &key).await {
        Ok(brand) => brand,
        Err(error) => return pages::error(&session, error),
    };
    let updated = match draft(fields.body()) {
        Ok(draft) => brands::update(&state.db, &key, draft).await,
        Err(error) => Err(error),
    };
    match updated {
        Ok(_) => Redirect::to(&format!("/dashboard/brands/{id}/?saved=1")).into_response(),
        Err(error) => refused(&session, Some(&brand), &fields, error),
    }
}

/// `GET /dashboard/brands/{id}/delete/`: asks first.
pub async fn confirm_delete(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<i64>,
) -> Response {
    match brands::get(&state.db, &id.to_string()).await {
        Ok(brand) => pages::page(
            &session,
            "brands/delete.html",
            context! { brand => Value::from(Serde(&brand)) },
        ),
        Err(error) => pages::error(&session, error),
    }
}

/// `POST /dashboard/brands/{id}/delete/`: its products stay, without a brand.
pub async fn delete_brand(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm,
) -> Response {
    match brands::delete(&state.db, &id.to_string()).await {
        Ok(()) => Redirect::to("/dashboard/brands/?deleted=1").into_response(),
        Err(error) => pages::error(&form.session, error),
    }
}
