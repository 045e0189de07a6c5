//! `GET /dashboard/requests/?status=&search=&page=`: every service request, newest first.

use axum::{extract::State, response::Response};
use minijinja::{context, value::Serde};
use serde::Serialize;

use super::status_of;
use crate::{
    dashboard::{pages, paging, session::StaffSession},
    db::types::format_micros,
    http::extract::QueryPairs,
    marketplace::requests::{self, StaffRequestRow},
    state::AppState,
};

/// One line of the list.
#[derive(Debug, Serialize)]
struct Line {
    id: String,
    title: String,
    client_id: i64,
    client_email: String,
    category: Option<String>,
    status: String,
    proposals_count: i64,
    created_at: String,
}

impl From<StaffRequestRow> for Line {
    fn from(row: StaffRequestRow) -> Self {
        Self {
            id: row.id,
            title: row.title,
            client_id: row.client_id,
            client_email: row.client_email,
            category: row.category,
            status: row.status,
            proposals_count: row.proposals_count,
            created_at: format_micros(row.created_at),
        }
    }
}

/// The list, with a status filter and a search over titles.
pub async fn list_requests(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let (status, problem) = status_of(query.get("status").unwrap_or_default(), &requests::STATUSES);
    let search = query.get("search").unwrap_or_default().trim();
    let page = match paging::page_request(&query) {
        Ok(page) => page,
        Err(error) => return pages::error(&session, error),
    };
    let search_filter = (!search.is_empty()).then_some(search);
    let found = match requests::staff_list(&state.db, status, search_filter, &page).await {
        Ok(found) => found,
        Err(error) => return pages::error(&session, error),
    };
    let lines: Vec<Line> = found.results.into_iter().map(Line::from).collect();
    let statuses: Vec<(&str, &str)> = requests::STATUSES.iter().map(|s| (*s, *s)).collect();
    pages::page(
        &session,
        "requests/list.html",
        context! {
            requests => Serde(&lines),
            count => found.count,
            statuses,
            status => status.unwrap_or_default(),
            search,
            problem,
            filtered => status.is_some() || search_filter.is_some(),
            page => page.page,
            pages => paging::page_count(found.count, &page),
            query => paging::filters_query([("status", status.unwrap_or_default()), ("search", search)]),
        },
    )
}
