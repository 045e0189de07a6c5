//! Customer order endpoints: history, detail, status, tracking and cancellation.
//!
//! Who may see what (SPEC §3.4 and §5, see docs/orders.md): detail and status are for the owner
//! or staff; tracking, cancelling and paying are owner-only — anyone else, staff included, gets
//! `404` there and acts through the staff endpoints instead.

use axum::extract::State;
use chrono::{DateTime, Days, Utc};

use super::{
    lifecycle, notices,
    status::OrderStatus,
    store::{self, OrderFilter},
    views::{OrderMessage, OrderStatusView, OrderView, TrackView, TrackingEvent},
};
use crate::{
    accounts::{AuthUser, CurrentUser},
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::messages,
};

/// Days from shipping to the estimated delivery.
const DELIVERY_DAYS: u64 = 5;

/// `?status=` parsed; an unknown status is a `400`, as django-filter answers.
pub fn status_filter(query: &QueryPairs) -> Result<Option<OrderStatus>, ApiError> {
    query
        .get("status")
        .map(|raw| {
            OrderStatus::parse(raw)
                .ok_or_else(|| FieldErrors::single("status", messages::unknown_filter_choice(raw)))
        })
        .transpose()
}

/// Loads an order the caller may see: its owner, or staff when `staff_allowed`.
pub async fn visible_order(
    state: &AppState,
    user: &AuthUser,
    order_id: i64,
    staff_allowed: bool,
) -> Result<OrderView, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    store::one(&mut conn, order_id)
        .await?
        .filter(|order| order.user == user.id || (staff_allowed && user.role.is_staff()))
        .ok_or_else(ApiError::not_found)
}

/// The caller's own orders, newest first.
#[utoipa::path(get, path = "/orders/", tag = "orders", security(("bearer" = [])),
    params(("status" = Option<OrderStatus>, Query), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<OrderView>), (status = 400, description = "unknown status"),
        (status = 401, description = "not signed in"), (status = 404, description = "page past the end")))]
pub async fn list_orders(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<axum::Json<Page<OrderView>>, ApiError> {
    let filter = OrderFilter {
        user_id: Some(user.id),
        status: status_filter(&query)?,
        ..OrderFilter::default()
    };
    let mut conn = state.db.pool.acquire().await?;
    let (count, orders) = store::list(&mut conn, &filter, page.limit(), page.offset()).await?;
    Ok(axum::Json(page.page(count, orders)?))
}

/// One order (owner or staff).
#[utoipa::path(get, path = "/orders/{id}/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderView), (status = 401, description = "not signed in"),
        (status = 404, description = "no such order, or someone else's")))]
pub async fn get_order(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
) -> Result<axum::Json<OrderView>, ApiError> {
    Ok(axum::Json(
        visible_order(&state, &user, order_id, true).await?,
    ))
}

/// An order's status and payment status (owner or staff).
#[utoipa::path(get, path = "/orders/{id}/status/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderStatusView), (status = 401, description = "not signed in"),
        (status = 404, description = "no such order, or someone else's")))]
pub async fn get_order_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
) -> Result<axum::Json<OrderStatusView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let core = store::core(&mut conn, order_id)
        .await?
        .filter(|core| core.user_id == user.id || user.role.is_staff())
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(OrderStatusView {
        order_id,
        status: core.status,
        payment_status: core.payment_status,
    }))
}

fn describe(status: &str) -> &'static str {
    match status {
        "pending" => "Order placed.",
        "processing" => "Order is being prepared.",
        "shipped" => "Order has been shipped.",
        "delivered" => "Order has been delivered.",
        "completed" => "Order completed.",
        "cancelled" => "Order cancelled.",
        "failed" => "Order failed.",
        _ => "Status updated.",
    }
}

fn date_of(rfc3339: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Tracking number and events from the status history (owner only).
#[utoipa::path(get, path = "/orders/{id}/track/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TrackView), (status = 401, description = "not signed in"),
        (status = 404, description = "no such order, or someone else's (staff included)")))]
pub async fn track_order(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
) -> Result<axum::Json<TrackView>, ApiError> {
    let order = visible_order(&state, &user, order_id, false).await?;
    let event_date = |status: &str| {
        order
            .status_history
            .iter()
            .rev()
            .find(|h| h.status == status)
            .and_then(|h| date_of(&h.created_at))
    };
    let estimated_delivery = match order.status {
        OrderStatus::Shipped => {
            event_date("shipped").and_then(|d| d.checked_add_days(Days::new(DELIVERY_DAYS)))
        }
        OrderStatus::Delivered | OrderStatus::Completed => event_date("delivered"),
        _ => None,
    }
    .map(|d| d.format("%Y-%m-%d").to_string());
    let tracking_events = order
        .status_history
        .iter()
        .map(|h| TrackingEvent {
            date: h.created_at.clone(),
            status: h.status.clone(),
            description: if h.note.is_empty() {
                describe(&h.status).to_owned()
            } else {
                h.note.clone()
            },
        })
        .collect();
    Ok(axum::Json(TrackView {
        order_id,
        order_number: order.order_number.clone(),
        status: order.status,
        tracking_number: format!("TRK{order_id:08}"),
        estimated_delivery,
        tracking_events,
    }))
}

/// The `409` for cancelling an order past the point of cancelling, naming its status.
fn cannot_cancel(status: OrderStatus) -> ApiError {
    let detail = if status == OrderStatus::Shipped {
        "Cannot cancel shipped order. Please contact customer service.".to_owned()
    } else {
        format!("Cannot cancel order. Order is already {}.", status.as_str())
    };
    ApiError::conflict("invalid_status_transition", detail)
}

/// Cancels the caller's own pending or processing order; restocks it, refunds a paid one.
#[utoipa::path(post, path = "/orders/{id}/cancel/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderMessage), (status = 401, description = "not signed in"),
        (status = 404, description = "no such order, or someone else's (staff included)"),
        (status = 409, description = "`invalid_status_transition`: shipped, delivered, completed, cancelled or failed")))]
pub async fn cancel_order(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
) -> Result<axum::Json<OrderMessage>, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let core = store::core(&mut tx, order_id)
        .await?
        .filter(|core| core.user_id == user.id)
        .ok_or_else(ApiError::not_found)?;
    if !core.status.can_transition_to(OrderStatus::Cancelled) {
        return Err(cannot_cancel(core.status));
    }
    let moved = lifecycle::transition(
        &mut tx,
        order_id,
        core.status,
        OrderStatus::Cancelled,
        "Cancelled by the customer.",
        Some(user.id),
        None,
    )
    .await?;
    let Some(moved) = moved else {
        // Another request moved it first (PostgreSQL; SQLite serialises writers): report where
        // it is now.
        let now = store::core(&mut tx, order_id).await?.map(|c| c.status);
        return Err(cannot_cancel(now.unwrap_or(core.status)));
    };
    let announcement = notices::status_changed(&mut tx, &moved, OrderStatus::Cancelled).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    let order = visible_order(&state, &user, order_id, false).await?;
    Ok(axum::Json(OrderMessage {
        message: "Order cancelled successfully.".into(),
        payment_method: None,
        order,
    }))
}
