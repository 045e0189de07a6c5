//! `POST orders/{id}/payment/` and `POST orders/{id}/payment/confirm/` (owner only).

use axum::{extract::State, http::StatusCode};
use serde_json::Value;

use super::{
    request::PayOrder,
    settle::{release_claim, settle, Settled},
};
use crate::{
    accounts::{AuthUser, CurrentUser},
    db::{now_micros, ResultExt, Violation},
    error::{ApiError, FieldErrors},
    http::extract::Path,
    orders::{
        handlers::visible_order,
        status::{OrderStatus, PaymentStatus},
        store::{self, OrderCore},
        views::OrderMessage,
    },
    payment_gateway::{PaymentMethod, PaymentOutcome, PaymentRequest},
    state::AppState,
    validation::{messages, Draft},
};

/// A claim older than this belongs to a request that died mid-call; it no longer blocks paying.
const STALE_CLAIM_MICROS: i64 = 15 * 60 * 1_000_000;

type Answer = Result<(StatusCode, axum::Json<OrderMessage>), ApiError>;

async fn own_order(
    state: &AppState,
    user: &AuthUser,
    order_id: i64,
) -> Result<OrderCore, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    store::core(&mut conn, order_id)
        .await?
        .filter(|core| core.user_id == user.id)
        .ok_or_else(ApiError::not_found)
}

/// Why an order can't be paid now, if it can't.
fn not_payable(core: &OrderCore) -> Option<ApiError> {
    match (core.status, core.payment_status) {
        (_, PaymentStatus::Paid | PaymentStatus::Refunded) => {
            Some(ApiError::conflict("already_paid", "Order already paid."))
        }
        (_, PaymentStatus::Pending) => Some(ApiError::conflict(
            "payment_pending",
            "A payment for this order is awaiting confirmation.",
        )),
        (OrderStatus::Pending, PaymentStatus::Unpaid) => None,
        (status, _) => Some(ApiError::conflict(
            "order_not_payable",
            format!("Cannot pay for an order that is {}.", status.as_str()),
        )),
    }
}

fn unavailable() -> ApiError {
    ApiError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        "payment_provider_unavailable",
        "The payment provider is unavailable. Please try again later.",
    )
}

fn declined() -> ApiError {
    ApiError::client(
        StatusCode::PAYMENT_REQUIRED,
        "payment_declined",
        "Payment declined.",
    )
}

fn order_changed() -> ApiError {
    ApiError::conflict(
        "order_changed",
        "The order changed while the payment was being processed; the payment was voided.",
    )
}

fn no_pending() -> ApiError {
    ApiError::conflict(
        "no_pending_payment",
        "This order has no payment awaiting confirmation.",
    )
}

async fn answer(
    state: &AppState,
    user: &AuthUser,
    order_id: i64,
    status: StatusCode,
    message: &str,
    method: Option<PaymentMethod>,
) -> Answer {
    let order = visible_order(state, user, order_id, false).await?;
    Ok((
        status,
        axum::Json(OrderMessage {
            message: message.to_owned(),
            payment_method: method.map(|m| m.as_str().to_owned()),
            order,
        }),
    ))
}

/// Claims the order's one live payment, after abandoning claims of requests that died mid-call.
/// A second concurrent payment fails here (`409 payment_in_progress`) instead of reaching the
/// provider.
async fn claim(
    state: &AppState,
    order_id: i64,
    method: PaymentMethod,
    amount_cents: i64,
) -> Result<i64, ApiError> {
    let now = now_micros();
    store::abandon_stale_claims(&state.db, order_id, now - STALE_CLAIM_MICROS, now).await?;
    store::claim_payment(&state.db, order_id, method.as_str(), amount_cents, now)
        .await
        .on_constraint(|violation| match violation {
            Violation::Unique(store::LIVE_PAYMENT | store::LIVE_PAYMENT_SQLITE) => {
                Some(ApiError::conflict(
                    "payment_in_progress",
                    "A payment for this order is already in progress.",
                ))
            }
            _ => None,
        })
}

/// Pays the caller's own pending order through the payment provider.
#[utoipa::path(post, path = "/orders/{id}/payment/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PayOrder,
    responses(
        (status = 200, body = OrderMessage, description = "captured: order `processing`, payment `paid`"),
        (status = 202, body = OrderMessage, description = "started (bank transfer): payment `pending` until `payment/confirm/`"),
        (status = 400, description = "invalid payment method"),
        (status = 401, description = "not signed in"),
        (status = 402, description = "`payment_declined`: the order is `failed` and its stock restored"),
        (status = 404, description = "no such order, or someone else's (staff included)"),
        (status = 409, description = "`already_paid`, `payment_pending`, `order_not_payable` (cancelled, failed…), `payment_in_progress`"),
        (status = 503, description = "`payment_provider_unavailable`"),
    ))]
pub async fn pay_order(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
    mut draft: Draft<PayOrder>,
) -> Answer {
    let core = own_order(&state, &user, order_id).await?;
    let method = draft.request.payment_method.as_deref().map(str::trim);
    let method = method.and_then(PaymentMethod::parse);
    if method.is_none() && draft.request.payment_method.is_some() {
        draft
            .errors
            .add("payment_method", messages::INVALID_PAYMENT_METHOD);
    }
    let body = draft.finish()?;
    // `finish` refused a body without a known method.
    let method = method
        .ok_or_else(|| FieldErrors::single("payment_method", messages::INVALID_PAYMENT_METHOD))?;
    if let Some(conflict) = not_payable(&core) {
        return Err(conflict);
    }
    let payment_id = claim(&state, order_id, method, core.total_cents).await?;
    let request = PaymentRequest {
        payment_id,
        order_id,
        amount_cents: core.total_cents,
        method,
        details: body.payment_details.unwrap_or(Value::Null),
    };
    // No transaction is open across the provider call: a slow provider must not hold locks.
    let outcome = match state.payment.authorize(&request).await {
        Ok(outcome) => outcome,
        Err(err) => {
            tracing::warn!(%err, order_id, "payment provider unavailable");
            release_claim(&state.db, payment_id).await?;
            return Err(unavailable());
        }
    };
    let (status, message) = match settle(
        &state.db,
        &state.live,
        payment_id,
        order_id,
        &outcome,
        Some(user.id),
    )
    .await?
    {
        Settled::Captured => (StatusCode::OK, "Payment processed successfully."),
        Settled::Pending => (StatusCode::ACCEPTED, "Payment pending confirmation."),
        Settled::Declined => return Err(declined()),
        Settled::OrderChanged | Settled::Duplicate => return Err(order_changed()),
    };
    answer(&state, &user, order_id, status, message, Some(method)).await
}

/// Confirms the caller's pending payment (a bank transfer, with the test provider).
#[utoipa::path(post, path = "/orders/{id}/payment/confirm/", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = OrderMessage, description = "confirmed: order `processing`, payment `paid`"),
        (status = 202, body = OrderMessage, description = "the provider still reports it pending"),
        (status = 401, description = "not signed in"),
        (status = 402, description = "`payment_declined`"),
        (status = 404, description = "no such order, or someone else's (staff included)"),
        (status = 409, description = "`no_pending_payment`, `order_changed`"),
        (status = 503, description = "`payment_provider_unavailable`"),
    ))]
pub async fn confirm_payment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(order_id): Path<i64>,
) -> Answer {
    own_order(&state, &user, order_id).await?;
    let pending = store::pending_payment(&state.db, order_id)
        .await?
        .ok_or_else(no_pending)?;
    let outcome = state
        .payment
        .confirm(pending.provider_reference.as_deref().unwrap_or_default())
        .await
        .map_err(|err| {
            tracing::warn!(%err, order_id, "payment provider unavailable");
            unavailable()
        })?;
    if let PaymentOutcome::Pending { .. } = outcome {
        let message = "Payment pending confirmation.";
        return answer(&state, &user, order_id, StatusCode::ACCEPTED, message, None).await;
    }
    match settle(
        &state.db,
        &state.live,
        pending.id,
        order_id,
        &outcome,
        Some(user.id),
    )
    .await?
    {
        Settled::Captured => {
            let message = "Payment confirmed.";
            answer(&state, &user, order_id, StatusCode::OK, message, None).await
        }
        Settled::Pending | Settled::Duplicate => Err(no_pending()),
        Settled::Declined => Err(declined()),
        Settled::OrderChanged => Err(order_changed()),
    }
}
