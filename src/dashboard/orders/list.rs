//! `GET /dashboard/orders/?status=&user=&from=&to=&page=`: every order, newest first, through
//! `orders::list_all` (the function of `GET orders/admin/all/`).

use axum::{extract::State, response::Response};
use chrono::NaiveDate;
use minijinja::{context, value::Serde, Value};

use crate::{
    dashboard::{pages, paging, session::StaffSession},
    http::extract::QueryPairs,
    orders::{self, OrderFilter, OrderStatus},
    state::AppState,
};

/// The filters as given, and what they ask of the list.
struct Filters<'a> {
    status: &'a str,
    user: &'a str,
    from: &'a str,
    to: &'a str,
    filter: OrderFilter,
    /// What was not understood (and left out of the filter).
    problems: Vec<&'static str>,
}

/// Reads the filters. `user` is a customer's id or part of their email; `from` and `to` are
/// `YYYY-MM-DD` days, both included (UTC).
fn filters(query: &QueryPairs) -> Filters<'_> {
    let text = |key| query.get(key).unwrap_or_default();
    let (status, user, from, to) = (text("status"), text("user"), text("from"), text("to"));
    let mut problems = Vec::new();
    let mut filter = OrderFilter::default();
    if !status.is_empty() {
        filter.status = OrderStatus::parse(status);
        if filter.status.is_none() {
            problems.push("Choose a status from the list.");
        }
    }
    if !user.is_empty() {
        match user.parse::<i64>() {
            Ok(id) => filter.user_id = Some(id),
            Err(_) => filter.user_email = Some(user.to_owned()),
        }
    }
    let day = |raw: &str, next: bool| {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|day| if next { day.succ_opt() } else { Some(day) })
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map(|at| at.and_utc().timestamp_micros())
    };
    for (raw, next, bound) in [
        (from, false, &mut filter.created_from),
        (to, true, &mut filter.created_before),
    ] {
        if raw.is_empty() {
            continue;
        }
        *bound = day(raw, next);
        if bound.is_none() {
            problems.push("Choose dates as YYYY-MM-DD.");
        }
    }
    Filters {
        status,
        user,
        from,
        to,
        filter,
        problems,
    }
}

/// The list page.
pub async fn list_orders(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let given = filters(&query);
    let listed = match paging::page_request(&query) {
        Ok(page) => orders::list_all(&state.db, &given.filter, &page)
            .await
            .map(|list| (list, page)),
        Err(error) => Err(error),
    };
    let (list, page) = match listed {
        Ok(listed) => listed,
        Err(error) => return pages::error(&session, error),
    };
    // The pager's links keep the filters.
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            [
                ("status", given.status),
                ("user", given.user),
                ("from", given.from),
                ("to", given.to),
            ]
            .into_iter()
            .filter(|(_, value)| !value.is_empty()),
        )
        .finish();
    let page_size = page.page_size.max(1).unsigned_abs();
    let pages = list.count.max(1).unsigned_abs().div_ceil(page_size);
    let statuses: Vec<(&str, &str)> = OrderStatus::ALL
        .iter()
        .map(|status| (status.as_str(), status.as_str()))
        .collect();
    pages::page(
        &session,
        "orders/list.html",
        context! {
            orders => Value::from(Serde(&list.results)),
            count => list.count,
            page => page.page,
            pages,
            query => kept,
            statuses,
            status => given.status,
            customer => given.user,
            from => given.from,
            to => given.to,
            filtered => !(given.status.is_empty() && given.user.is_empty() && given.from.is_empty() && given.to.is_empty()),
            problems => given.problems,
        },
    )
}
