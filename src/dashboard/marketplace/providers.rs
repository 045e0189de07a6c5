//! Providers: `GET /dashboard/providers/?search=&verified=&page=`, newest first, and the
//! Verify / Unverify buttons (`providers::set_verified`, the staff-only mark of SPEC §3.12).

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde};

use crate::{
    dashboard::{
        extract::{Path, StaffForm},
        pages, paging,
        session::StaffSession,
    },
    http::extract::QueryPairs,
    marketplace::{ids, providers},
    state::AppState,
};

/// `?verified=`: `yes`, `no`, or anything else for both.
fn verified_filter(raw: &str) -> Option<bool> {
    match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The list, with a search over display names (and bios, as the API's) and a verified filter.
pub async fn list_providers(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let search = query.get("search").unwrap_or_default().trim();
    let verified = verified_filter(query.get("verified").unwrap_or_default());
    let verified_raw = match verified {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let page = match paging::page_request(&query) {
        Ok(page) => page,
        Err(error) => return pages::error(&session, error),
    };
    let search_filter = (!search.is_empty()).then_some(search);
    let found = match providers::staff_page(&state.db, search_filter, verified, &page).await {
        Ok(found) => found,
        Err(error) => return pages::error(&session, error),
    };
    let done = match query.get("done") {
        Some("verified") => "verified",
        Some("unverified") => "unverified",
        _ => "",
    };
    let filters = paging::filters_query([("search", search), ("verified", verified_raw)]);
    pages::page(
        &session,
        "providers/list.html",
        context! {
            providers => Serde(&found.results),
            count => found.count,
            search,
            verified => verified_raw,
            filtered => search_filter.is_some() || verified.is_some(),
            done,
            page => page.page,
            pages => paging::page_count(found.count, &page),
            query => filters,
        },
    )
}

/// `POST /dashboard/providers/{id}/verify/`.
pub async fn verify(state: State<AppState>, id: Path<uuid::Uuid>, form: StaffForm) -> Response {
    set_verified(state, id, form, true).await
}

/// `POST /dashboard/providers/{id}/unverify/`.
pub async fn unverify(state: State<AppState>, id: Path<uuid::Uuid>, form: StaffForm) -> Response {
    set_verified(state, id, form, false).await
}

/// Sets the mark, then back to the list the form came from (its filters and page in `back`).
async fn set_verified(
    State(state): State<AppState>,
    Path(id): Path<uuid::Uuid>,
    form: StaffForm,
    verified: bool,
) -> Response {
    if let Err(error) = providers::set_verified(&state.db, &ids::stored(id), verified).await {
        return pages::error(&form.session, error);
    }
    let done = if verified { "verified" } else { "unverified" };
    // Only the list's own query string goes back: never a redirect elsewhere.
    let back: String = form
        .fields
        .get("back")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=&%+-_.".contains(*c))
        .collect();
    let separator = if back.is_empty() { "" } else { "&" };
    Redirect::to(&format!(
        "/dashboard/providers/?{back}{separator}done={done}"
    ))
    .into_response()
}
