//! Staff order endpoints: status changes through the machine, and the list of all orders.

use axum::extract::State;
use chrono::NaiveDate;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::{
    handlers::status_filter,
    lifecycle, notices,
    status::OrderStatus,
    store::{self, OrderFilter},
    views::{OrderView, StaffHistoryView},
};
use crate::{
    accounts::Staff,
    db::Db,
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::{messages, Draft, Form, FromForm},
};

const MAX_NOTE_CHARS: usize = 500;

/// `PUT/PATCH orders/{id}/` body.
// Received as a `Draft`, so an unknown order is a `404` whatever the body says; after `finish`
// `status` is `Some`.
#[derive(Debug, ToSchema)]
pub struct StatusChange {
    #[schema(value_type = OrderStatus, required = true)]
    pub status: Option<OrderStatus>,
    /// Shown in the order's history and tracking events.
    pub note: Option<String>,
}

impl FromForm for StatusChange {
    fn from_form(form: &mut Form) -> Option<Self> {
        let status = match form.raw("status", true) {
            // A PATCH changes the status too: it is required there as well.
            None if form.is_partial() => form.fail("status", messages::REQUIRED),
            None => None,
            Some(Value::String(name)) => OrderStatus::parse(&name)
                .or_else(|| form.fail("status", messages::invalid_choice(&name))),
            Some(Value::Null) => form.fail("status", messages::NOT_NULL),
            Some(other) => form.fail("status", messages::invalid_choice(&other.to_string())),
        };
        let note = match form.raw("note", false) {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(note)) => {
                let note = note.trim().to_owned();
                if note.chars().count() > MAX_NOTE_CHARS {
                    form.fail("note", messages::max_length(MAX_NOTE_CHARS))
                } else {
                    Some(note)
                }
            }
            Some(_) => form.fail("note", messages::NOT_A_STRING),
        };
        Some(Self { status, note })
    }
}

fn invalid_transition(from: OrderStatus, to: OrderStatus) -> ApiError {
    let allowed: Vec<&str> = from.allowed_next().iter().map(|s| s.as_str()).collect();
    ApiError::conflict(
        "invalid_status_transition",
        format!(
            "Cannot change status from {} to {}.",
            from.as_str(),
            to.as_str()
        ),
    )
    .with_extra("allowed", json!(allowed))
}

/// Moves order `order_id` along the status machine for staff member `actor_id`: the history row,
/// the restock and refund of a cancel or fail, and the owner's notification and email, in one
/// transaction; the owner is told live once it committed. An unknown order is a `404` before the
/// body's `400`; a move the machine refuses (or another request made first) is a `409` naming the
/// allowed next statuses. The API's `PUT/PATCH orders/{id}/` and the dashboard both call this.
pub async fn change_status(
    state: &AppState,
    actor_id: i64,
    order_id: i64,
    draft: Draft<StatusChange>,
) -> Result<OrderView, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let core = store::core(&mut tx, order_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = draft.finish()?;
    let note = body.note.unwrap_or_default();
    // `finish` refused a body without a status.
    let Some(status) = body.status else {
        return Err(FieldErrors::single("status", messages::REQUIRED));
    };
    if !core.status.can_transition_to(status) {
        return Err(invalid_transition(core.status, status));
    }
    let moved = lifecycle::transition(
        &mut tx,
        order_id,
        core.status,
        status,
        &note,
        Some(actor_id),
        None,
    )
    .await?;
    let Some(moved) = moved else {
        let now = store::core(&mut tx, order_id).await?.map(|c| c.status);
        return Err(invalid_transition(now.unwrap_or(core.status), status));
    };
    let announcement = notices::status_changed(&mut tx, &moved, status).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    find_order(&state.db, order_id).await
}

/// Order `order_id`'s status history with who made each step, oldest first (empty for an
/// unknown order).
pub async fn history_of(db: &Db, order_id: i64) -> Result<Vec<StaffHistoryView>, ApiError> {
    let mut conn = db.pool.acquire().await?;
    Ok(store::staff_history(&mut conn, order_id).await?)
}

/// Order `order_id` as staff see it (any owner's), or `404`.
pub async fn find_order(db: &Db, order_id: i64) -> Result<OrderView, ApiError> {
    let mut conn = db.pool.acquire().await?;
    store::one(&mut conn, order_id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Moves an order along the status machine (staff); cancelling or failing restocks it.
#[utoipa::path(put, path = "/orders/{id}/", tag = "orders", security(("bearer" = ["staff"])),
    params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = OrderView), (status = 400, description = "unknown status"),
        (status = 401, description = "not signed in"), (status = 403, description = "not staff"),
        (status = 404, description = "no such order"),
        (status = 409, description = "`invalid_status_transition`, with the `allowed` next statuses")))]
pub async fn replace_order_status(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(order_id): Path<i64>,
    draft: Draft<StatusChange>,
) -> Result<axum::Json<OrderView>, ApiError> {
    change_status(&state, staff.id, order_id, draft)
        .await
        .map(axum::Json)
}

/// Moves an order along the status machine (staff; same as `PUT`).
#[utoipa::path(patch, path = "/orders/{id}/", tag = "orders", security(("bearer" = ["staff"])),
    params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = OrderView), (status = 400, description = "unknown status"),
        (status = 401, description = "not signed in"), (status = 403, description = "not staff"),
        (status = 404, description = "no such order"),
        (status = 409, description = "`invalid_status_transition`, with the `allowed` next statuses")))]
pub async fn update_order_status(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(order_id): Path<i64>,
    draft: Draft<StatusChange>,
) -> Result<axum::Json<OrderView>, ApiError> {
    change_status(&state, staff.id, order_id, draft)
        .await
        .map(axum::Json)
}

/// `YYYY-MM-DD` → micros at that day's UTC midnight (`next_day` for an inclusive upper bound).
fn day_start(query: &QueryPairs, key: &str, next_day: bool) -> Result<Option<i64>, ApiError> {
    let Some(raw) = query.get(key) else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| if next_day { d.succ_opt() } else { Some(d) })
        .ok_or_else(|| FieldErrors::single(key, messages::INVALID_DATE))?;
    Ok(date
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp_micros()))
}

/// Every order (staff), newest first; filters `status`, `user` (id), `date_from`/`date_to`
/// (`YYYY-MM-DD`, inclusive, UTC).
#[utoipa::path(get, path = "/orders/admin/all/", tag = "orders", security(("bearer" = ["staff"])),
    params(("status" = Option<OrderStatus>, Query), ("user" = Option<i64>, Query),
        ("date_from" = Option<String>, Query), ("date_to" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<OrderView>), (status = 400, description = "malformed filter"),
        (status = 401, description = "not signed in"), (status = 403, description = "not staff")))]
pub async fn list_all_orders(
    State(state): State<AppState>,
    Staff(_staff): Staff,
    query: QueryPairs,
    page: PageRequest,
) -> Result<axum::Json<Page<OrderView>>, ApiError> {
    let filter = OrderFilter {
        user_id: query.int("user")?,
        status: status_filter(&query)?,
        created_from: day_start(&query, "date_from", false)?,
        created_before: day_start(&query, "date_to", true)?,
        ..OrderFilter::default()
    };
    Ok(axum::Json(list_all(&state.db, &filter, &page).await?))
}

/// One page of every order matching `filter`, newest first: `orders/admin/all/` and the
/// dashboard's list.
pub async fn list_all(
    db: &Db,
    filter: &OrderFilter,
    page: &PageRequest,
) -> Result<Page<OrderView>, ApiError> {
    let mut conn = db.pool.acquire().await?;
    let (count, orders) = store::list(&mut conn, filter, page.limit(), page.offset()).await?;
    page.page(count, orders)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::parse;

    fn errors(result: Result<StatusChange, ApiError>) -> Value {
        match result {
            Err(ApiError::Validation(errors)) => serde_json::to_value(errors).unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_status_change_names_a_known_status_even_in_a_patch() {
        let change: StatusChange =
            parse(json!({"status": "shipped", "note": " DHL "}), true).unwrap();
        assert_eq!(change.status, Some(OrderStatus::Shipped));
        assert_eq!(change.note.as_deref(), Some("DHL"));
        assert_eq!(
            errors(parse(json!({"note": "x"}), true)),
            json!({"status": [messages::REQUIRED]})
        );
        assert_eq!(
            errors(parse(
                json!({"status": "lost", "note": "x".repeat(501)}),
                false
            )),
            json!({"status": ["\"lost\" is not a valid choice."],
                "note": ["Ensure this field has no more than 500 characters."]})
        );
    }
}
