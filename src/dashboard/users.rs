//! Users (admins only): list and search; change a role, deactivate and reactivate, through the
//! accounts front the API's `admin/users/` uses (its self-lockout rule, its token revocation).
//! A deactivated or demoted user's own dashboard session ends on their next page
//! (`session.rs` reads the user with every request).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use minijinja::{context, value::Serde, Value};
use serde_json::Value as Json;

use super::{
    extract::{AdminSession, Path, StaffForm},
    pages, paging,
    session::StaffSession,
};
use crate::{
    accounts::{self, AdminUserUpdate},
    error::ApiError,
    http::extract::QueryPairs,
    state::AppState,
    validation,
};

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/users/", get(list))
        .route("/dashboard/users/{id}/", get(detail).post(change))
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] =
    &[template!("users/list.html"), template!("users/detail.html")];

/// The role select's choices, `[value, label]`.
const ROLES: [(&str, &str); 3] = [
    ("customer", "Customer"),
    ("staff", "Staff"),
    ("admin", "Admin"),
];

/// `GET /dashboard/users/?search=&role=&page=`: the users the API's admin list finds, newest
/// first.
async fn list(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    query: QueryPairs,
) -> Response {
    let found = async {
        let filter = accounts::user_filter(&query)?;
        let page = paging::page_request(&query)?;
        let found = accounts::list_users(&state, &filter, &page).await?;
        Ok::<_, ApiError>((page, found))
    };
    let (page, found) = match found.await {
        Ok(found) => found,
        Err(error) => return pages::error(&session, error),
    };
    let (search, role) = (
        query.get("search").unwrap_or_default(),
        query.get("role").unwrap_or_default(),
    );
    pages::page(
        &session,
        "users/list.html",
        context! {
            users => Serde(&found.results),
            count => found.count,
            search,
            role,
            roles => ROLES,
            page => page.page,
            pages => paging::page_count(found.count, &page),
            filters => paging::filters_query([("search", search), ("role", role)]),
        },
    )
}

/// `GET /dashboard/users/{id}/`: the user, a role select and the deactivate (or reactivate)
/// button.
async fn detail(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    Path(id): Path<i64>,
    query: QueryPairs,
) -> Response {
    // Only compared with fixed names by the template, never shown.
    let done = query.get("done").unwrap_or_default();
    let no_errors = Value::from(Serde(serde_json::Map::new()));
    let shown = show(&state, &session, id, StatusCode::OK, None, no_errors, done).await;
    shown.unwrap_or_else(|error| pages::error(&session, error))
}

/// `POST /dashboard/users/{id}/` with `role` and/or `is_active`: the API's `PATCH
/// admin/users/{id}/`. A refused change shows the page again (`400`) with the field's error.
async fn change(State(state): State<AppState>, Path(id): Path<i64>, form: StaffForm) -> Response {
    let session = &form.session;
    if !session.role.is_admin() {
        return pages::not_allowed(session);
    }
    let typed_role = form.fields.get("role");
    let body = Json::Object(form.fields.body());
    let changed = async {
        let change: AdminUserUpdate = validation::parse(body, true)?;
        accounts::update_user(&state, session.user_id, id, &change).await?;
        Ok::<_, ApiError>(change)
    };
    let error = match changed.await {
        Ok(change) => {
            let done = match change.is_active {
                Some(false) => "deactivated",
                Some(true) => "reactivated",
                None => "role",
            };
            return Redirect::to(&format!("/dashboard/users/{id}/?done={done}")).into_response();
        }
        Err(ApiError::Validation(errors)) => errors,
        Err(error) => return pages::error(session, error),
    };
    let errors = Value::from(Serde(&error));
    let typed = Some(typed_role).filter(|role| !role.is_empty());
    let shown = show(
        &state,
        session,
        id,
        StatusCode::BAD_REQUEST,
        typed,
        errors,
        "",
    )
    .await;
    shown.unwrap_or_else(|error| pages::error(session, error))
}

/// The detail page of user `id` answered with `status`: the role select shows `typed_role` when
/// a refused form is shown again, else the user's role.
async fn show(
    state: &AppState,
    session: &StaffSession,
    id: i64,
    status: StatusCode,
    typed_role: Option<&str>,
    errors: Value,
    done: &str,
) -> Result<Response, ApiError> {
    let user = accounts::find_user(state, id).await?;
    let role = typed_role.map_or_else(|| user.user.role.as_str().to_owned(), str::to_owned);
    Ok(pages::page_with_status(
        status,
        session,
        "users/detail.html",
        context! {
            shown => Serde(&user),
            is_self => id == session.user_id,
            role,
            roles => ROLES,
            errors,
            done,
        },
    ))
}
